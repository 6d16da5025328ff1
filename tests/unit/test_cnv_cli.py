"""escapeseq-cnv end to end on count tables simulated from the model."""
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from escapeseq.cnv import simulate as sim
from escapeseq.cnv.cli import main
from escapeseq.cnv.snps import write_tsv
from escapeseq.cnv.tumour import analyse_tumour

BIN = Path(__file__).resolve().parents[2] / "bin"


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    """Patient: male normal; baseline p=0.7 with a shared chr6q loss; relapse p=0.6
    adding copy-neutral LOH of chr1p. Plus an unrelated person's tumour."""
    d = tmp_path_factory.mktemp("cnv")
    rng = np.random.default_rng(7)
    g = sim.make_genome(rng, n_targets=4000, n_snps=1800)
    write_tsv(sim.simulate_normal(rng, g, sex="male"), d / "N.counts.tsv.gz")
    s6, e6 = sim.arm(g, "chr6", "q")
    s1, e1 = sim.arm(g, "chr1", "p")
    s3, e3 = sim.arm(g, "chr3", "q")
    base = [sim.Event("chr6", s6, e6, 1, 0), sim.Event("chr3", s3, e3, 2, 1)]
    rel = base + [sim.Event("chr1", s1, e1, 2, 0)]
    write_tsv(sim.simulate_tumour(rng, g, 0.7, base, sex="male"), d / "B.counts.tsv.gz")
    write_tsv(sim.simulate_tumour(rng, g, 0.6, rel, sex="male"), d / "R.counts.tsv.gz")
    # another person at the same SNP sites: independent genotypes
    other = g.snps.assign(genotype=rng.choice(["ref", "het", "hom"], len(g.snps),
                                              p=[0.4, 0.4, 0.2]))
    g2 = sim.Genome(g.chroms, g.lengths, g.p_arm, g.targets, other)
    write_tsv(sim.simulate_tumour(rng, g2, 0.6, base, sex="male"), d / "X.counts.tsv.gz")
    return d, g


def test_fit_loh_changes_and_outputs(tables):
    d, g = tables
    out = d / "out"
    for s in ("B", "R"):
        assert main(["fit", "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                     "--tumour", str(d / f"{s}.counts.tsv.gz"), "--sample", s,
                     "--outdir", str(out)] + (["--no-plot"] if s == "R" else [])) == 0
    for suffix in ("purity.tsv", "segments.tsv", "seg", "cnv.png", "cnv_mqc.tsv"):
        assert (out / f"B.{suffix}").stat().st_size > 0
    pb = pd.read_csv(out / "B.purity.tsv", sep="\t")
    pr = pd.read_csv(out / "R.purity.tsv", sep="\t")
    assert abs(pb["purity"][0] - 0.7) <= 0.05 and abs(pr["purity"][0] - 0.6) <= 0.05
    assert pb["purity_source"][0] == "allelic_imbalance" and pb["sex"][0] == "male"
    assert {"runner_up_1_purity", "runner_up_1_ploidy", "goodness_of_fit",
            "fit_score", "note"} <= set(pb.columns)
    seg = pd.read_csv(out / "R.segments.tsv", sep="\t")
    assert list(seg.columns[:13]) == ["sample", "chrom", "start", "end", "n_snps",
                                      "n_targets", "log2_ratio", "baf", "cn_total",
                                      "cn_major", "cn_minor", "loh", "cn_neutral_loh"]
    x = seg[seg["chrom"] == "chrX"]
    assert (x["cn_total"] == 1).all() and (~x["loh"]).all()      # haploid, not LOH
    assert main(["loh-changes", "--patient", "P1", "--baseline", str(out / "B.segments.tsv"),
                 "--relapse", str(out / "R.segments.tsv"),
                 "--out", str(out / "P1.loh_changes.tsv")]) == 0
    ch = pd.read_csv(out / "P1.loh_changes.tsv", sep="\t")
    acq = ch[ch["change"] == "acquired"]
    assert acq["chrom"].tolist() == ["chr1"] and acq["cn_neutral"].tolist() == [True]
    s1, e1 = sim.arm(g, "chr1", "p")
    assert acq["end"].iloc[0] > 0.9 * e1
    shared = ch[ch["change"] == "shared"]
    assert shared["chrom"].tolist() == ["chr6"] and not shared["cn_neutral"].iloc[0]
    igv = (out / "R.seg").read_text().splitlines()[0].split("\t")
    assert igv == ["ID", "chrom", "loc.start", "loc.end", "num.mark", "seg.mean"]


def test_fit_of_a_whole_patient_equals_one_task_per_tumour_plus_loh_changes(tables):
    """`fit --tumour B R --loh-changes` (the pipeline's one CNV_FIT task per patient) writes
    byte-identical files to one `fit` per tumour followed by `loh-changes`."""
    d, _ = tables
    one, each = d / "patient", d / "each"
    assert main(["fit", "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                 "--tumour", str(d / "B.counts.tsv.gz"), str(d / "R.counts.tsv.gz"),
                 "--sample", "B", "R", "--purity", "auto", "0.55", "--no-plot",
                 "--loh-changes", str(one / "P1.loh_changes.tsv"), "--outdir", str(one)]) == 0
    for s, pur in (("B", []), ("R", ["--purity", "0.55"])):
        assert main(["fit", "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                     "--tumour", str(d / f"{s}.counts.tsv.gz"), "--sample", s, *pur,
                     "--no-plot", "--outdir", str(each)]) == 0
    assert main(["loh-changes", "--patient", "P1", "--baseline", str(each / "B.segments.tsv"),
                 "--relapse", str(each / "R.segments.tsv"),
                 "--out", str(each / "P1.loh_changes.tsv")]) == 0
    names = sorted(f.name for f in each.iterdir())
    assert names == sorted(f.name for f in one.iterdir()) and "R.purity.tsv" in names
    for n in names:
        assert (one / n).read_bytes() == (each / n).read_bytes(), n
    assert pd.read_csv(one / "R.purity.tsv", sep="\t")["purity_source"][0] == "samplesheet"
    assert (pd.read_csv(one / "P1.loh_changes.tsv", sep="\t")["change"] == "acquired").any()


@pytest.mark.parametrize("args,msg", [
    (["--sample", "B"], "--sample: 1 names for 2 --tumour files"),
    (["--sample", "B", "R", "--purity", "0.5"], "--purity: 1 values for 2 --tumour files"),
    (["--sample", "B", "B"], "--sample: a sample name is given twice"),
])
def test_fit_of_a_patient_refuses_mismatched_lists(tables, tmp_path, args, msg):
    d, _ = tables
    r = subprocess.run([sys.executable, str(BIN / "escapeseq-cnv"), "fit", "--patient", "P1",
                        "--normal", str(d / "N.counts.tsv.gz"), "--tumour",
                        str(d / "B.counts.tsv.gz"), str(d / "R.counts.tsv.gz"), *args,
                        "--outdir", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and msg in r.stderr, r.stderr
    assert not list(tmp_path.iterdir())


def test_fit_loh_changes_needs_two_tumours(tables, tmp_path):
    d, _ = tables
    assert main(["fit", "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                 "--tumour", str(d / "B.counts.tsv.gz"), "--sample", "B",
                 "--loh-changes", str(tmp_path / "x.tsv"), "--outdir", str(tmp_path)]) == 2


def test_samplesheet_purity_and_not_estimable(tables, capsys):
    d, _ = tables
    out = d / "o2"
    assert main(["fit", "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                 "--tumour", str(d / "B.counts.tsv.gz"), "--sample", "B", "--purity",
                 "0.55", "--outdir", str(out), "--no-plot"]) == 0
    p = pd.read_csv(out / "B.purity.tsv", sep="\t")
    assert p["purity"][0] == 0.55 and p["purity_source"][0] == "samplesheet"
    assert abs(p["estimated_purity"][0] - 0.7) <= 0.05
    assert main(["fit", "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                 "--tumour", str(d / "B.counts.tsv.gz"), "--sample", "B",
                 "--min-het-snps", "100000", "--outdir", str(out), "--no-plot"]) == 0
    p = pd.read_csv(out / "B.purity.tsv", sep="\t", keep_default_na=False)
    assert p["purity"][0] == "" and p["purity_source"][0] == "not_estimable"
    assert "heterozygous SNPs" in p["note"][0]
    assert "purity not estimable" in capsys.readouterr().err
    seg = pd.read_csv(out / "B.segments.tsv", sep="\t", keep_default_na=False)
    assert (seg["cn_total"] == "").all()


def test_identity_mismatch_exits_0_and_decides(tables):
    d, _ = tables
    r = subprocess.run([sys.executable, str(BIN / "escapeseq-cnv"), "identity",
                        "--patient", "P1", "--normal", str(d / "N.counts.tsv.gz"),
                        "--normal-sample", "N", "--tumour", str(d / "B.counts.tsv.gz"),
                        str(d / "X.counts.tsv.gz"), "--out", str(d / "id.tsv"),
                        "--mqc", str(d / "id_mqc.tsv"), "--decision", str(d / "id.txt")],
                       capture_output=True, text=True)
    assert r.returncode == 0 and "Traceback" not in r.stderr
    assert "tumour X does not match normal N" in r.stderr
    t = pd.read_csv(d / "id.tsv", sep="\t")
    assert t["decision"].tolist() == ["match", "mismatch"]
    assert (d / "id.txt").read_text() == "mismatch\n"
    assert "escapeseq_identity" in (d / "id_mqc.tsv").read_text()


def test_bad_inputs_exit_2(tmp_path):
    bad = tmp_path / "bad.counts.tsv"
    bad.write_text("type\tchrom\tstart\n")
    r = subprocess.run([sys.executable, str(BIN / "escapeseq-cnv"), "fit", "--patient",
                        "P", "--normal", str(bad), "--tumour", str(bad), "--sample", "T",
                        "--outdir", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1
    assert "missing column" in r.stderr and "Traceback" not in r.stderr
    seg = tmp_path / "S.segments.tsv"
    seg.write_text("sample\tchrom\tstart\tend\tcn_total\tcn_minor\tloh\tcn_neutral_loh\n"
                   "S\tchr1\tx\t10\t2\t1\tfalse\tfalse\n")
    assert main(["loh-changes", "--patient", "P", "--baseline", str(seg), "--relapse",
                 str(seg), "--out", str(tmp_path / "o.tsv")]) == 2


def test_wgd_tumour_and_contig_without_targets(tables):
    d, g = tables
    rng = np.random.default_rng(5)
    s1, e1 = sim.arm(g, "chr2", "p")
    s2, e2 = sim.arm(g, "chr5", "q")
    s3, e3 = sim.arm(g, "chr8", "all")
    ev = [sim.Event("chr2", s1, e1, 2, 1), sim.Event("chr5", s2, e2, 2, 0),
          sim.Event("chr8", s3, e3, 3, 1), sim.Event("chr10", 1, 40_000_000, 4, 0)]
    normal = sim.simulate_normal(rng, g)
    tum = sim.simulate_tumour(rng, g, 0.65, ev, background=(2, 2))
    # an extra contig with SNP rows but no targets gets no segment
    extra = pd.DataFrame([{"type": "snp", "chrom": "chrUn", "start": 5, "end": 5,
                           "length": 1, "gc": np.nan, "depth": 50, "ref": "A",
                           "alt": "G", "ref_count": 25, "alt_count": 25}])
    res = analyse_tumour(pd.concat([normal, extra]), pd.concat([tum, extra]), "W",
                         sex="female")
    assert abs(res.fit.purity - 0.65) <= 0.05
    assert abs(res.fit.ploidy - sim.tumour_ploidy(g, ev, (2, 2))) < 0.3
    assert "chrUn" not in set(res.segments["chrom"])
    c10 = res.segments[(res.segments["chrom"] == "chr10") & (res.segments["end"] < 40e6)]
    assert c10["cn_neutral_loh"].all()          # (4, 0) is copy-neutral in a WGD tumour


def _tiny_counts(depth: float) -> pd.DataFrame:
    """Five targets on one contig at a given mean depth and one SNP with two reads:
    what a 20-read sample on a one-contig reference gives."""
    rows = [{"type": "target", "chrom": "chr1", "start": 1000 + 500 * i,
             "end": 1200 + 500 * i, "length": 201, "gc": 0.5, "depth": depth,
             "ref": ".", "alt": ".", "ref_count": 0, "alt_count": 0} for i in range(5)]
    rows.append({"type": "snp", "chrom": "chr1", "start": 1100, "end": 1100,
                 "length": 1, "gc": np.nan, "depth": 2.0, "ref": "A", "alt": "G",
                 "ref_count": 1, "alt_count": 1})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("depth", [0.0, 0.1])
def test_degenerate_sample_not_estimable_not_a_traceback(tmp_path, depth):
    write_tsv(_tiny_counts(depth), tmp_path / "N.tsv")
    write_tsv(_tiny_counts(depth), tmp_path / "T.tsv")
    for extra in ([], ["--purity", "0.5", "--no-plot"]):
        r = subprocess.run([sys.executable, str(BIN / "escapeseq-cnv"), "fit",
                            "--patient", "P", "--normal", str(tmp_path / "N.tsv"),
                            "--tumour", str(tmp_path / "T.tsv"), "--sample", "T",
                            "--outdir", str(tmp_path / "o")] + extra,
                           capture_output=True, text=True)
        assert r.returncode == 0 and "Traceback" not in r.stderr, r.stderr
        assert "warning" in r.stderr
        seg = pd.read_csv(tmp_path / "o" / "T.segments.tsv", sep="\t")
        assert seg.empty and list(seg.columns[:4]) == ["sample", "chrom", "start", "end"]
        p = pd.read_csv(tmp_path / "o" / "T.purity.tsv", sep="\t", keep_default_na=False)
        assert len(p) == 1 and "no autosomal segment" in p["note"][0]
        assert (tmp_path / "o" / "T.seg").read_text().startswith("ID\tchrom")
    assert p["purity_source"][0] == "samplesheet" and p["purity"][0] == 0.5
