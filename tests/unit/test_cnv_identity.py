"""LOH-proof sample identity (escapeseq.cnv.identity and `escapeseq-cnv identity`)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pysam
import pytest

from escapeseq.cnv import simulate as sim
from escapeseq.cnv.cli import main
from escapeseq.cnv.identity import (IdentityParams, compare, decide, identity_lr,
                                    normal_genotype, patient_decision,
                                    population_genotypes)
from escapeseq.cnv.snps import write_tsv

BIN = Path(__file__).resolve().parents[2] / "bin"


def _genotypes(rng, q):
    """Hardy-Weinberg genotypes 'ref' / 'het' / 'hom' for alt-allele frequencies q."""
    u = rng.random(len(q))
    return np.where(u < (1 - q) ** 2, "ref", np.where(u < 1 - q ** 2, "het", "hom"))


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """Two people at the same SNP sites with population allele frequencies q: the
    patient's normal, a purity-1.0 tumour with LOH over half its genome (copy-neutral
    and one-copy), and another patient's tumour. Sites where the patient is hom-ref are
    kept (as a population-sites pileup would), plus a gnomAD-like resource with AF."""
    d = tmp_path_factory.mktemp("identity")
    rng = np.random.default_rng(11)
    g = sim.make_genome(rng, n_targets=3000, n_snps=1500)
    q = rng.uniform(0.05, 0.95, len(g.snps))
    me = g.snps.assign(genotype=_genotypes(rng, q))
    other = g.snps.assign(genotype=_genotypes(rng, q))
    gme = sim.Genome(g.chroms, g.lengths, g.p_arm, g.targets, me)
    goth = sim.Genome(g.chroms, g.lengths, g.p_arm, g.targets, other)
    # LOH over half the genome (chr1-chr7 and chr8-10 p arms ~ 50 % of bp)
    events = []
    for c in [f"chr{i}" for i in range(1, 8)]:
        s, e = sim.arm(g, c, "all")
        events.append(sim.Event(c, s, e, 2, 0))
    for c in ("chr8", "chr9", "chr10"):
        s, e = sim.arm(g, c, "p")
        events.append(sim.Event(c, s, e, 1, 0))
    auto = [L for c, L in zip(g.chroms, g.lengths) if c != "chrX"]
    loh_bp = sum(e.end - e.start + 1 for e in events)
    assert loh_bp / sum(auto) > 0.45
    write_tsv(sim.simulate_normal(rng, gme), d / "N.counts.tsv.gz")
    write_tsv(sim.simulate_tumour(rng, gme, 1.0, events), d / "T.counts.tsv.gz")
    write_tsv(sim.simulate_tumour(rng, goth, 0.7, events[:2]), d / "X.counts.tsv.gz")
    # population resource (bgzipped + tabix) with AF at every site
    vcf = d / "pop.vcf"
    lines = ["##fileformat=VCFv4.2",
             '##INFO=<ID=AF,Number=A,Type=Float,Description="alt allele frequency">']
    lines += [f"##contig=<ID={c},length={L}>" for c, L in zip(g.chroms, g.lengths)]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO")
    for (c, p), af in zip(zip(g.snps["chrom"], g.snps["pos"]), q):
        lines.append(f"{c}\t{p}\t.\tA\tG\t.\tPASS\tAF={af:.4f}")
    vcf.write_text("\n".join(lines) + "\n")
    pysam.tabix_index(str(vcf), preset="vcf", force=True)
    return d, d / "pop.vcf.gz"


def _read(d, name):
    from escapeseq.cnv.snps import read_counts
    return read_counts(d / f"{name}.counts.tsv.gz")


def test_pure_tumour_with_half_genome_loh_matches(cohort):
    d, _ = cohort
    r = compare(_read(d, "N"), _read(d, "T"))
    assert r["decision"] == "match", r
    assert r["log10_lr"] > 10 and r["n_informative"] > 100
    assert r["n_foreign_allele"] <= 2
    assert r["contamination"] <= 0.01
    # the pileup's SNP list has no hom-ref sites without a population VCF: hom-alt
    # sites alone still decide
    n = _read(d, "N")
    vaf = n["alt_count"] / (n["ref_count"] + n["alt_count"]).clip(lower=1)
    alt_only = compare(n[(n["type"] == "target") | (vaf > 0.1)], _read(d, "T"))
    assert alt_only["n_hom_ref"] == 0 and alt_only["decision"] == "match"
    other = compare(n[(n["type"] == "target") | (vaf > 0.1)], _read(d, "X"))
    assert other["decision"] == "mismatch"


def test_other_patients_tumour_mismatches(cohort):
    d, _ = cohort
    r = compare(_read(d, "N"), _read(d, "X"))
    assert r["decision"] == "mismatch", r
    assert r["log10_lr"] < -10 and r["n_foreign_allele"] > 20


def test_with_population_af(cohort):
    from escapeseq.cnv.snps import read_population_af
    d, vcf = cohort
    n = _read(d, "N")
    pop = read_population_af(vcf, n.loc[n["type"] == "snp", ["chrom", "start", "alt"]])
    assert len(pop) > 1000
    same = compare(n, _read(d, "T"), population_af=pop)
    other = compare(n, _read(d, "X"), population_af=pop)
    assert same["decision"] == "match" and other["decision"] == "mismatch"
    assert same["n_population_af"] == same["n_informative"]
    flat = compare(n, _read(d, "T"))
    assert flat["n_population_af"] == 0


def test_too_few_sites_undecidable(cohort):
    d, _ = cohort
    n, t = _read(d, "N"), _read(d, "T")
    keep = (n["type"] == "target") | (n["start"] < 1_500_000)
    r = compare(n[keep], t)
    assert r["n_informative"] < 10 and r["decision"] == "undecidable"
    assert "informative sites" in r["reason"]


def test_loh_het_sites_are_no_evidence():
    # the normal is heterozygous everywhere and the tumour shows one allele (LOH):
    # no informative site, so no evidence against
    a = np.array([30] * 50)
    gt = normal_genotype(a, np.array([60] * 50))
    assert set(gt) == {"het"}


def test_site_model_directions():
    p = IdentityParams()
    gt = np.array(["AA", "AA", "RR", "RR"])
    pop = population_genotypes(gt, np.full(4, np.nan))
    assert pop[0].tolist() == pytest.approx([0.1, 0.3, 0.6])
    assert pop[2].tolist() == pytest.approx([0.6, 0.3, 0.1])
    # tumour keeps the normal's allele / shows another person's allele at 1/2
    _, _, per = identity_lr(gt, np.array([60, 30, 0, 30]), np.array([60] * 4), pop, p)
    assert per[0] > 0 and per[2] > 0 and per[1] < -1 and per[3] < -1
    # population AF: a hom-alt site of a common allele (q=0.9) is weak evidence for
    # the same person, of a rare one (q=0.1) strong evidence
    common = identity_lr(gt[:1], np.array([60]), np.array([60]),
                         population_genotypes(gt[:1], np.array([0.9])), p)[0]
    rare = identity_lr(gt[:1], np.array([60]), np.array([60]),
                       population_genotypes(gt[:1], np.array([0.1])), p)[0]
    assert 0 < common < rare


def test_contamination_is_fitted_not_a_mismatch():
    rng = np.random.default_rng(3)
    n = 200
    gt = np.where(rng.random(n) < 0.5, "AA", "RR")
    pop = population_genotypes(gt, np.full(n, 0.5))
    other = rng.choice([0.0, 0.5, 1.0], n, p=[0.25, 0.5, 0.25])
    f = np.where(gt == "AA", 1.0, 0.0) * 0.96 + 0.04 * other
    alt = rng.binomial(80, np.clip(f, 0.005, 0.995))
    lr, c, _ = identity_lr(gt, alt, np.full(n, 80), pop)
    assert lr > 5 and 0.02 <= c <= 0.06


def test_decide_and_patient_decision():
    assert decide(5, 50.0)[0] == "undecidable"
    assert decide(50, 1.0)[0] == "undecidable"
    assert decide(50, 3.0)[0] == "match" and decide(50, -3.0)[0] == "mismatch"
    assert patient_decision(["match", "mismatch", "undecidable"]) == "mismatch"
    assert patient_decision(["match", "undecidable"]) == "undecidable"
    assert patient_decision(["match", "match"]) == "match"


def test_cli_mismatch_exits_0_with_decision(cohort):
    d, vcf = cohort
    out, mqc, dec = d / "P.identity.tsv", d / "P.identity_mqc.tsv", d / "P.decision"
    r = subprocess.run([sys.executable, str(BIN / "escapeseq-cnv"), "identity",
                        "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                        "--normal-sample", "N", "--tumour", str(d / "T.counts.tsv.gz"),
                        str(d / "X.counts.tsv.gz"), "--tumour-sample", "T", "X",
                        "--germline-resource", str(vcf), "--out", str(out),
                        "--mqc", str(mqc), "--decision", str(dec), "--threshold", "0.8"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr and "tumour X does not match" in r.stderr
    t = pd.read_csv(out, sep="\t")
    assert t["tumour"].tolist() == ["T", "X"]
    assert t["decision"].tolist() == ["match", "mismatch"]
    assert {"patient", "normal", "tumour", "n_sites", "n_informative", "log10_lr",
            "decision", "reason"} <= set(t.columns)
    assert dec.read_text() == "mismatch\n"
    text = mqc.read_text()
    assert "escapeseq_identity" in text and "mismatch" in text
    # matched alone: match
    assert main(["identity", "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                 "--normal-sample", "N", "--tumour", str(d / "T.counts.tsv.gz"),
                 "--out", str(out), "--decision", str(dec)]) == 0
    assert dec.read_text() == "match\n"


def test_cli_bad_input_exit_2(cohort, tmp_path):
    d, _ = cohort
    plain = tmp_path / "pop.vcf"
    plain.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
    r = subprocess.run([sys.executable, str(BIN / "escapeseq-cnv"), "identity",
                        "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                        "--normal-sample", "N", "--tumour", str(d / "T.counts.tsv.gz"),
                        "--germline-resource", str(plain), "--out",
                        str(tmp_path / "o.tsv")], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "pop.vcf" in r.stderr and "Traceback" not in r.stderr


def test_read_population_af_alias_and_errors(tmp_path):
    from escapeseq.cnv.snps import read_population_af
    from escapeseq.errors import InputError
    vcf = tmp_path / "g.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n"
                   '##INFO=<ID=AF,Number=A,Type=Float,Description="af">\n'
                   "##contig=<ID=22,length=1000>\n"
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   "22\t10\t.\tA\tG,T\t.\tPASS\tAF=0.3,0.01\n"
                   "22\t20\t.\tC\tT\t.\tPASS\tAF=0.7\n")
    pysam.tabix_index(str(vcf), preset="vcf", force=True)
    sites = pd.DataFrame({"chrom": ["chr22", "chr22", "chr22", "chr5"],
                          "start": [10, 10, 20, 5], "alt": ["T", "C", "T", "A"]})
    af = read_population_af(tmp_path / "g.vcf.gz", sites)
    assert af == {("chr22", 10, "T"): pytest.approx(0.01), ("chr22", 20, "T"): pytest.approx(0.7)}
    noaf = tmp_path / "n.vcf"
    noaf.write_text("##fileformat=VCFv4.2\n##contig=<ID=22,length=1000>\n"
                    "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n22\t10\t.\tA\tG\t.\tPASS\t.\n")
    pysam.tabix_index(str(noaf), preset="vcf", force=True)
    with pytest.raises(InputError, match="INFO/AF"):
        read_population_af(tmp_path / "n.vcf.gz", sites)


def test_pileup_ref_sites_option_needs_population(tmp_path):
    r = subprocess.run([sys.executable, str(BIN / "escapeseq-cnv"), "pileup", "--fasta", "x.fa",
                        "--targets", "t.bed", "--bam", "n.bam", "--sample", "N",
                        "--call-snps", str(tmp_path / "s.tsv"), "--population-ref-sites",
                        "0.05", "--out", str(tmp_path / "c.tsv")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--population-vcf" in r.stderr
    assert r.stderr.count("\n") == 1
