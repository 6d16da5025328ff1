"""Purity from the clonal somatic VAF peak (escapeseq.cnv.clonal) and how it combines
with the allelic-imbalance fit in `escapeseq-cnv fit` (purity_source)."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from escapeseq.cnv import simulate as sim
from escapeseq.cnv.clonal import (combine_purity, estimate_purity_from_vaf,
                                  expected_vaf, read_somatic_snvs)
from escapeseq.cnv.cli import main
from escapeseq.cnv.fit import purity_grid
from escapeseq.cnv.loh import loh_changes
from escapeseq.cnv.snps import write_tsv
from escapeseq.cnv.tumour import analyse_tumour

BIN = Path(__file__).resolve().parents[2] / "bin"
GRID = purity_grid()


def test_expected_vaf_formula():
    # diploid clonal het: p/2; CN-LOH duplicated mutation: p; pure single copy: 1
    assert expected_vaf(0.6, 1, 2, 2) == pytest.approx(0.3)
    assert expected_vaf(0.6, 2, 2, 2) == pytest.approx(0.6)
    assert expected_vaf(1.0, 1, 1, 2) == pytest.approx(1.0)
    # gain to 3 copies, one mutant: 0.5 / (1.5 + 0.8) at p = 0.5
    assert expected_vaf(0.5, 1, 3, 2) == pytest.approx(0.5 / (0.5 * 3 + 2 * 0.5))
    # male X (n0 = 1): p·1 / (p + 1 − p) = p
    assert expected_vaf(0.7, 1, 1, 1) == pytest.approx(0.7)


def _flat(rng, n, p, depth=100, subclonal=0.2):
    g = sim.make_genome(rng, n_targets=500, n_snps=50)
    return sim.simulate_somatic(rng, g, p, [], n=n, depth=depth, subclonal=subclonal)


@pytest.mark.parametrize("p", [0.35, 0.6, 0.9])
def test_flat_clonal_peak_gives_purity(p):
    rng = np.random.default_rng(int(p * 100))
    s = _flat(rng, 200, p)
    two = np.full(len(s), 2.0)
    r = estimate_purity_from_vaf(s["alt_count"], s["depth"], two, np.ones(len(s)), two,
                                 GRID)
    assert r.estimable and abs(r.purity - p) <= 0.05, r
    assert r.se < 0.05


def test_multiplicity_from_local_copy_number():
    # CN-LOH (2, 0) over most of the genome: mutations before the LOH sit on both
    # copies (VAF p), after it on one (p/2); with the right states the estimate is p
    rng = np.random.default_rng(4)
    g = sim.make_genome(rng, n_targets=2000, n_snps=50)
    lohc = [f"chr{i}" for i in range(1, 16)]
    ev = [sim.Event(c, *sim.arm(g, c, "all"), 2, 0) for c in lohc]
    s = sim.simulate_somatic(rng, g, 0.5, ev, n=300, early=0.9, subclonal=0.0)
    inside = s["chrom"].isin(lohc).to_numpy()
    assert inside.mean() > 0.7
    major = np.where(inside, 2.0, 1.0)
    two = np.full(len(s), 2.0)
    r = estimate_purity_from_vaf(s["alt_count"], s["depth"], two, major, two, GRID)
    assert abs(r.purity - 0.5) <= 0.05
    # ignoring the multiplicity (all m = 1) mistakes the VAF-0.5 peak for a
    # single-copy clonal peak of a pure tumour
    wrong = estimate_purity_from_vaf(s["alt_count"], s["depth"], two, np.ones(len(s)),
                                     two, GRID)
    assert wrong.purity > 0.9


def test_too_few_snvs_not_estimable():
    rng = np.random.default_rng(2)
    s = _flat(rng, 5, 0.6)
    two = np.full(len(s), 2.0)
    r = estimate_purity_from_vaf(s["alt_count"], s["depth"], two, np.ones(len(s)), two,
                                 GRID)
    assert not r.estimable and "usable somatic SNVs" in r.note


def test_combine_profiles_and_readings():
    def bump(c, w):
        return -0.5 * ((GRID - c) / w) ** 2
    # one reading: the summed profile's maximum lies between, nearer the sharper one
    p, k = combine_purity(GRID, bump(0.60, 0.04), [bump(0.64, 0.02)], [0.60])
    assert k == 0 and 0.61 <= p <= 0.64
    # a doubled twin (0.17) edges out the diploid reading (0.30) on copy number, but
    # its doubled mutations fit the VAFs far worse: the diploid reading wins
    ai = np.maximum(bump(0.17, 0.03), bump(0.30, 0.03) - 0.5)
    p, k = combine_purity(GRID, ai, [bump(0.20, 0.01) - 60.0, bump(0.30, 0.01)],
                          [0.17, 0.30])
    assert k == 1 and p == pytest.approx(0.30)
    # each reading's VAF profile only counts near its own purity
    p, k = combine_purity(GRID, bump(0.30, 0.05), [bump(0.80, 0.01)], [0.30])
    assert abs(p - 0.40) < 1e-9


@pytest.fixture(scope="module")
def patient():
    """A copy-number-quiet baseline (p = 0.6) and a relapse (p = 0.55) that gains a
    copy-neutral LOH of chr1p; a tumour with copy-number events (p = 0.7)."""
    rng = np.random.default_rng(21)
    g = sim.make_genome(rng, n_targets=4000, n_snps=1800)
    normal = sim.simulate_normal(rng, g)
    s1, e1 = sim.arm(g, "chr1", "p")
    rel_ev = [sim.Event("chr1", s1, e1, 2, 0)]
    base = sim.simulate_tumour(rng, g, 0.6, [])
    rel = sim.simulate_tumour(rng, g, 0.55, rel_ev)
    base_snv = sim.simulate_somatic(rng, g, 0.6, [], n=150)
    rel_snv = sim.simulate_somatic(rng, g, 0.55, rel_ev, n=150)
    ev = [sim.Event("chr6", *sim.arm(g, "chr6", "q"), 1, 0),
          sim.Event("chr3", *sim.arm(g, "chr3", "q"), 2, 1)]
    cn = sim.simulate_tumour(rng, g, 0.7, ev)
    cn_snv = sim.simulate_somatic(rng, g, 0.7, ev, n=150)
    return dict(g=g, normal=normal, base=base, rel=rel, base_snv=base_snv,
                rel_snv=rel_snv, cn=cn, cn_snv=cn_snv)


def test_quiet_tumour_purity_from_vaf_and_loh_decidable(patient):
    P = patient
    none = analyse_tumour(P["normal"], P["base"], "B")
    assert none.purity_source == "not_estimable"
    assert (none.segments["cn_total"] < 0).all()        # LOH status unknown
    res = analyse_tumour(P["normal"], P["base"], "B", somatic=P["base_snv"])
    assert res.purity_source == "somatic_vaf"
    assert abs(res.fit.purity - 0.6) <= 0.05
    seg = res.segments
    assert (seg["cn_total"] == 2).all() and not seg["loh"].any()   # het: decidable
    rel = analyse_tumour(P["normal"], P["rel"], "R", somatic=P["rel_snv"])
    assert rel.purity_source == "combined"
    assert abs(rel.fit.purity - 0.55) <= 0.05
    ch = loh_changes([seg, rel.segments], ["B", "R"])
    acq = ch[ch["change"] == "acquired"]
    assert acq["chrom"].tolist() == ["chr1"] and acq["cn_neutral"].tolist() == [True]
    # without the VAF purity the baseline is unknown and nothing is reported
    ch0 = loh_changes([none.segments, rel.segments], ["B", "R"])
    assert ch0.empty


def test_combined_with_copy_number_events(patient):
    P = patient
    ai = analyse_tumour(P["normal"], P["cn"], "C")
    assert ai.purity_source == "allelic_imbalance"
    both = analyse_tumour(P["normal"], P["cn"], "C", somatic=P["cn_snv"])
    assert both.purity_source == "combined"
    assert abs(both.fit.purity - 0.7) <= 0.05
    assert abs(both.vaf_purity.purity - 0.7) <= 0.05
    assert abs(both.purity_allelic_imbalance - 0.7) <= 0.05


def _vcf(path, samples, tables, extra=""):
    lines = ["##fileformat=VCFv4.2",
             '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="allele depths">',
             '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">',
             '##FILTER=<ID=germline,Description="germline">']
    chroms = list(dict.fromkeys(pd.concat([t["chrom"] for t in tables])))
    lines += [f"##contig=<ID={c}>" for c in chroms]
    lines.append("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t" + "\t".join(samples))
    first = tables[0]
    for i in range(len(first)):
        calls = "\t".join(f"{t['depth'].iloc[i] - t['alt_count'].iloc[i]},"
                          f"{t['alt_count'].iloc[i]}:{t['depth'].iloc[i]}" for t in tables)
        lines.append(f"{first['chrom'].iloc[i]}\t{first['pos'].iloc[i]}\t.\tA\tC\t.\tPASS\t.\t"
                     f"AD:DP\t{calls}")
    path.write_text("\n".join(lines) + extra)


def test_read_somatic_snvs(tmp_path):
    t = pd.DataFrame({"chrom": ["chr1", "chr2"], "pos": [100, 200],
                      "alt_count": [10, 3], "depth": [40, 30]})
    n = t.assign(alt_count=0)
    extra = ("\nchr3\t5\t.\tA\tG\t.\tgermline\t.\tAD:DP\t20,0:20\t10,10:20"
             "\nchr3\t9\t.\tAT\tA\t.\tPASS\t.\tAD:DP\t20,0:20\t10,10:20\n")
    _vcf(tmp_path / "s.vcf", ["N", "T"], [n, t], extra)
    s = read_somatic_snvs(str(tmp_path / "s.vcf"), "T")
    assert s.values.tolist() == [["chr1", 100, 10, 40], ["chr2", 200, 3, 30]]
    from escapeseq.errors import InputError
    with pytest.raises(InputError, match="sample X"):
        read_somatic_snvs(str(tmp_path / "s.vcf"), "X")


def test_cli_somatic_vcf(tmp_path, patient):
    P = patient
    write_tsv(P["normal"], tmp_path / "N.counts.tsv.gz")
    write_tsv(P["base"], tmp_path / "B.counts.tsv.gz")
    n = P["base_snv"].assign(alt_count=0)
    _vcf(tmp_path / "P.somatic.vcf", ["N", "B"], [n, P["base_snv"]], "\n")
    r = subprocess.run([sys.executable, str(BIN / "escapeseq-cnv"), "fit", "--patient", "P",
                        "--normal", str(tmp_path / "N.counts.tsv.gz"),
                        "--tumour", str(tmp_path / "B.counts.tsv.gz"), "--sample", "B",
                        "--somatic-vcf", str(tmp_path / "P.somatic.vcf"), "--no-plot",
                        "--outdir", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    p = pd.read_csv(tmp_path / "o" / "B.purity.tsv", sep="\t", keep_default_na=False)
    assert p["purity_source"][0] == "somatic_vaf"
    assert abs(float(p["purity"][0]) - 0.6) <= 0.05
    assert p["purity_allelic_imbalance"][0] == ""
    assert abs(float(p["purity_somatic_vaf"][0]) - 0.6) <= 0.05
    assert int(p["n_somatic_snvs"][0]) > 100
    seg = pd.read_csv(tmp_path / "o" / "B.segments.tsv", sep="\t")
    assert (seg["cn_total"] == 2).all()
    assert "somatic_vaf" in (tmp_path / "o" / "B.cnv_mqc.tsv").read_text()
    # a sample absent from the VCF: one line, exit 2
    bad = main(["fit", "--patient", "P", "--normal", str(tmp_path / "N.counts.tsv.gz"),
                "--tumour", str(tmp_path / "B.counts.tsv.gz"), "--sample", "Z",
                "--somatic-vcf", str(tmp_path / "P.somatic.vcf"), "--no-plot",
                "--outdir", str(tmp_path / "o")])
    assert bad == 2
