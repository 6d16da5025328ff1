"""Tests of escapeseq.evolution: detection power, classes, ranking and the CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from escapeseq.cnv.vaf import adjusted_vaf
from escapeseq.evolution import inputs
from escapeseq.evolution.cli import cli
from escapeseq.evolution.power import detection_power, expected_observed_vaf
from escapeseq.evolution.rank import rank_candidates
from escapeseq.evolution.summary import retained_fraction
from escapeseq.evolution.table import HEAD, PER_SAMPLE, TAIL, Thresholds, build_table, classify

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


# ---------------------------------------------------------------- power

def test_power_one_read_is_closed_form():
    d = np.array([0, 1, 10, 154])
    f = 0.1
    assert np.allclose(detection_power(d, f), 1 - (1 - f) ** d)


def test_power_needs_more_reads_for_more_alt_reads():
    assert detection_power(20, 0.1, 3) < detection_power(20, 0.1, 1)
    assert np.isnan(detection_power(100, np.nan))
    assert detection_power(0, 0.5) == 0


def test_expected_vaf_inverts_adjusted_vaf():
    for p, cn, a in [(0.7, 2, 1.0), (0.6, 2, 0.5), (0.4, 3, 0.33), (0.9, 1, 1.0)]:
        v = expected_observed_vaf(a, p, cn)
        assert adjusted_vaf(v, p, cn) == pytest.approx(a, abs=1e-9)
    assert np.isnan(expected_observed_vaf(0.5, np.nan, 2))


# ---------------------------------------------------------------- classes

def test_classify_two_and_three_timepoints():
    P = np.array([[1, 1], [1, 0], [0, 1], [0, 1]], bool)
    A = np.array([[0, 0], [0, 1], [1, 0], [0, 0]], bool)   # last: absence not powered
    assert list(classify(P, A)) == ["shared", "baseline_only", "relapse_only", "unknown"]
    P3 = np.array([[0, 1, 0]], bool)
    A3 = np.array([[1, 0, 1]], bool)
    assert list(classify(P3, A3)) == ["intermediate_only"]


def _patient(tumours=("B", "R")):
    return inputs.Patient("X", "N", list(tumours), ["baseline", "relapse"][:len(tumours)]
                          if len(tumours) == 2 else [str(i + 1) for i in range(len(tumours))])


def _calls(rows, alt, depth, samples=("N", "B", "R")):
    sites = pd.DataFrame(rows, columns=["chrom", "pos", "ref", "alt", "filter"])
    return inputs.Calls(sites, list(samples), np.asarray(alt), np.asarray(depth), {})


def test_absence_needs_depth():
    """0/8 baseline reads cannot prove absence of a clonal het mutation; 0/150 can."""
    calls = _calls([("chr1", 100, "A", "T", "PASS"), ("chr1", 200, "C", "G", "PASS")],
                   alt=[[0, 0, 30], [0, 0, 30]], depth=[[50, 8, 100], [50, 150, 100]])
    t = build_table(_patient(), calls, inputs.read_annotation(None), {"B": 0.6, "R": 0.6},
                    {"B": None, "R": None}, inputs.read_loh_changes(None), {}, Thresholds())
    assert list(t["class"]) == ["unknown", "relapse_only"]
    # power at baseline: expected VAF = relapse adjusted VAF (0.5) re-diluted at p=0.6 = 0.3
    assert t.loc[0, "B_power"] == pytest.approx(detection_power(8, 0.3, 2))
    assert t.loc[1, "B_power"] > 0.999
    assert list(t.columns[:10]) == HEAD
    assert list(t.columns[10:18]) == [f"{s}_{c}" for s in "BR" for c in PER_SAMPLE]
    assert list(t.columns[18:24]) == TAIL


def test_homozygous_acquired_and_loh():
    """A het baseline mutation that becomes homozygous inside acquired CN-LOH."""
    calls = _calls([("chr1", 100, "A", "T", "PASS")], alt=[[0, 21, 58]], depth=[[50, 100, 100]])
    seg_b = pd.DataFrame({"chrom": ["chr1"], "start": [1], "end": [1000], "cn_total": [2.0],
                          "cn_minor": [1.0], "loh": [False], "cn_neutral_loh": [False]})
    seg_r = seg_b.assign(cn_minor=0.0, loh=True, cn_neutral_loh=True)
    loh = pd.DataFrame({"chrom": ["chr1"], "start": [1], "end": [1000], "baseline": ["het"],
                        "relapse": ["loh"], "change": ["acquired"], "cn_neutral": [True]})
    t = build_table(_patient(), calls, inputs.read_annotation(None), {"B": 0.6, "R": 0.6},
                    {"B": seg_b, "R": seg_r}, loh, {}, Thresholds())
    r = t.iloc[0]
    assert r["class"] == "shared" and r["loh_acquired"] and r["homozygous_acquired"]
    assert r["B_adjusted_vaf"] == pytest.approx(0.35) and r["R_adjusted_vaf"] > 0.85
    assert "CN-LOH" in r["cn_context"]


def test_three_timepoints_first_and_last_seen():
    """Seen only at the middle timepoint, then at relapse: relapse-only with first seen '2'."""
    pat = inputs.Patient("X", "N", ["T1", "T2", "T3"], ["1", "2", "3"])
    calls = _calls([("chr1", 100, "A", "T", "PASS")], alt=[[0, 0, 25, 30]], depth=[[50, 120, 100, 100]],
                   samples=("N", "T1", "T2", "T3"))
    t = build_table(pat, calls, inputs.read_annotation(None), {"T1": 0.6, "T2": 0.6, "T3": 0.6},
                    {}, inputs.read_loh_changes(None), {}, Thresholds())
    r = t.iloc[0]
    assert (r["class"], r["first_seen"], r["last_seen"]) == ("relapse_only", "2", "3")
    assert np.isnan(r["T3_power"]) and r["T1_power"] > 0.95


def test_candidate_ranking_orders_by_tier_and_score():
    """An escape-gene nonsense with acquired LOH outranks a het acquired escape-gene LoF;
    a shared (pre-existing) escape-gene LoF without a second hit scores below an acquired
    LoF outside the panel (3 + 3 + 1 = 7 vs 3 + 2 + 1 = 6) and neither is above low."""
    rows = [("chr1", 100, "C", "T", "PASS"), ("chr2", 200, "G", "A", "PASS"),
            ("chr3", 300, "A", "G", "PASS"), ("chr4", 400, "T", "A", "PASS")]
    calls = _calls(rows, alt=[[0, 0, 60], [0, 0, 30], [0, 0, 30], [0, 30, 30]],
                   depth=[[50, 150, 100]] * 4)
    ann = pd.DataFrame({"chrom": ["chr1", "chr2", "chr3", "chr4"], "pos": [100, 200, 300, 400],
                        "ref": list("CGAT"), "alt": list("TAGA"), "gene": ["JAK1", "B2M", "FOO", "JAK2"],
                        "consequence": ["stop_gained", "frameshift_variant", "stop_gained", "stop_gained"],
                        "hgvs_c": [""] * 4, "hgvs_p": ["p.Gln503Ter", "p.Ser14fs", "p.Arg5Ter", "p.Arg9Ter"],
                        "hgvs_p_short": [""] * 4, "lof_confidence": ["high"] * 4,
                        "escape_gene": ["true", "true", "false", "true"], "pathway": [""] * 4, "note": [""] * 4})
    loh = pd.DataFrame({"chrom": ["chr1"], "start": [1], "end": [1000], "baseline": ["het"],
                        "relapse": ["cn_loh"], "change": ["acquired"], "cn_neutral": [True]})
    seg_r = pd.DataFrame({"chrom": ["chr1"], "start": [1], "end": [1000], "cn_total": [2.0],
                          "cn_minor": [0.0], "loh": [True], "cn_neutral_loh": [True]})
    t = build_table(_patient(), calls, ann, {"B": 0.6, "R": 0.6}, {"B": None, "R": seg_r}, loh, {}, Thresholds())
    c = rank_candidates(t, _patient(), loh, {})
    assert list(c["gene"]) == ["JAK1", "B2M", "FOO", "JAK2"]
    assert list(c["score"]) == [11.0, 9.0, 7.0, 6.0]
    assert list(c["confidence"]) == ["high", "medium", "low", "low"]
    assert list(c["rank"]) == [1, 2, 3, 4]
    assert "0/150 baseline reads" in c.iloc[0]["explanation"]
    assert "biallelic loss of IFN-alpha/beta/gamma signalling" in c.iloc[0]["explanation"]
    assert "no second hit" in c.iloc[1]["explanation"]


def test_retained_fraction():
    assert retained_fraction(37, 3) == pytest.approx(0.925)
    assert np.isnan(retained_fraction(0, 0))


# ---------------------------------------------------------------- on the simulator's truth

@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-simulate"), "--preset", "test", "--seed", "7",
                        "--outdir", str(out), "--no-reads"], capture_output=True, text=True)
    if r.returncode != 0 or not (out / "truth" / "P1.variants.tsv").exists():
        pytest.skip(f"escapeseq-simulate --no-reads failed: {r.stderr.strip()[-200:]}")
    return out


@pytest.fixture(scope="module")
def evolved(sim, tmp_path_factory):
    from escapeseq.annotate.panel import load_panel
    from escapeseq.evolution.synthetic import write_inputs
    out = tmp_path_factory.mktemp("evo")
    panel = load_panel(None)
    for p in ("P1", "P2", "P3"):
        d = write_inputs(sim, p, out / p, panel=panel)
        assert cli(["--patient", p, "--samplesheet", str(d["samplesheet"]), "--vcf", str(d["vcf"]),
                    "--annotation", str(d["annotation"]), "--cnv-dir", str(d["cnv_dir"]),
                    "--loh-changes", str(d["loh_changes"]), "--arms", str(sim / "reference" / "arms.bed"),
                    "--outdir", str(out / "evolution")]) == 0
    return out


def _read(path):
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


def test_jak1_ranks_first_with_loh_second_hit(evolved):
    c = _read(evolved / "evolution" / "P1.candidates.tsv")
    top = c.iloc[0]
    assert (top["rank"], top["gene"], top["confidence"]) == ("1", "JAK1", "high")
    assert top["class"] == "relapse_only"
    assert "copy-neutral LOH of chr1p" in top["second_hit"] and "acquired at relapse" in top["explanation"]
    assert "0/" in top["explanation"].split("baseline")[0]        # read evidence at baseline
    m = _read(evolved / "evolution" / "P1.mutations.tsv")
    jak = m[m["gene"] == "JAK1"].iloc[0]
    assert jak["rank"] == "1" and jak["loh_acquired"] == "true" and jak["homozygous_acquired"] == "true"


def test_p2_jak2_high_and_b2m_listed(evolved):
    c = _read(evolved / "evolution" / "P2.candidates.tsv")
    assert c.iloc[0]["gene"] == "JAK2" and c.iloc[0]["confidence"] == "high"
    assert "B2M" in set(c["gene"])


def test_negative_control_has_no_high_candidate(evolved):
    c = _read(evolved / "evolution" / "P3.candidates.tsv")
    assert "high" not in set(c["confidence"])
    s = _read(evolved / "evolution" / "P3.summary.tsv").set_index("metric")["value"]
    assert s["n_candidates_high"] == "0"


@pytest.mark.parametrize("patient", ["P1", "P2", "P3"])
def test_shared_fraction_matches_truth(evolved, sim, patient):
    from escapeseq.evolution.synthetic import truth_retained_fraction
    s = _read(evolved / "evolution" / f"{patient}.summary.tsv").set_index("metric")["value"]
    assert float(s["baseline_retained_fraction"]) == pytest.approx(
        truth_retained_fraction(sim, patient), abs=0.02)


def test_region_label():
    from escapeseq.evolution.rank import region_label
    arms = pd.DataFrame({"chrom": ["chr1", "chr1"], "start": [1, 631], "end": [630, 1400],
                         "name": ["chr1p", "chr1q"]})
    assert region_label("chr1", 1, 630, arms) == "chr1p (chr1:1-630)"
    assert region_label("chr1", 1, 1400, arms).startswith("chromosome 1")
    assert region_label("chr1", 100, 200, arms) == "chr1:100-200"
    assert region_label("chr1", 1, 630, None) == "chr1:1-630"


def test_outputs_deterministic(evolved, sim, tmp_path):
    d = evolved / "P1"
    args = ["--patient", "P1", "--samplesheet", str(d / "samplesheet.csv"),
            "--vcf", str(d / "P1.somatic.vcf.gz"), "--annotation", str(d / "P1.annotation.tsv"),
            "--cnv-dir", str(d / "cnv"), "--loh-changes", str(d / "P1.loh_changes.tsv"),
            "--arms", str(sim / "reference" / "arms.bed")]
    assert cli(args + ["--outdir", str(tmp_path)]) == 0
    for name in ("mutations", "candidates", "summary", "evolution_mqc"):
        a = (tmp_path / f"P1.{name}.tsv").read_bytes()
        assert a == (evolved / "evolution" / f"P1.{name}.tsv").read_bytes()
        assert b"/tmp" not in a


# ---------------------------------------------------------------- CLI errors

def test_cli_bad_input_one_line(tmp_path):
    ss = tmp_path / "ss.csv"
    ss.write_text("patient,sample,timepoint\nP9,P9_N,normal\nP9,P9_B,baseline\n")
    vcf = tmp_path / "x.vcf"
    vcf.write_text("not a vcf\n")
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-evolve"), "--patient", "P9", "--samplesheet",
                        str(ss), "--vcf", str(vcf), "--outdir", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("escapeseq-evolve: error: ") and "x.vcf" in lines[0]
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-evolve"), "--patient", "P7", "--samplesheet",
                        str(ss), "--vcf", str(vcf), "--outdir", str(tmp_path / "o")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "no rows for patient" in r.stderr and len(r.stderr.splitlines()) == 1
    assert not (tmp_path / "o").exists()


def test_help_documents_every_option():
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-evolve"), "--help"], capture_output=True, text=True)
    assert r.returncode == 0
    for opt in ("--patient", "--samplesheet", "--vcf", "--annotation", "--cnv-dir", "--loh-changes",
                "--panel", "--outdir", "--homozygous-vaf", "--homozygous-gain", "--min-power"):
        assert opt in r.stdout
