"""Tests of escapeseq.report: figures, HTML escaping, the CLI and a headless-browser check."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from escapeseq.report import figures, html as render
from escapeseq.report.cli import cli

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
PNG = b"\x89PNG\r\n\x1a\n"
XSS = "<img src=x onerror=alert(1)>"


def test_protein_position():
    assert figures.protein_position("p.Gln503Ter", "") == 503
    assert figures.protein_position("p.(Ser14fs)", "") == 14
    assert figures.protein_position("", "c.1641+1G>T") == 547
    assert figures.protein_position("", "") is None


def test_lollipop_and_cn_panel_are_png():
    png = figures.lollipop_plot("JAK1", [("FERM", 34, 420), ("SH2", 439, 544)],
                                [{"aa": 503, "label": "Q503*", "class": "relapse_only", "highlight": True}])
    assert png.startswith(PNG)
    seg = pd.DataFrame({"chrom": ["chr1", "chr1"], "start": [1, 501], "end": [500, 1000],
                        "cn_total": [2.0, 2.0], "cn_minor": [0.0, 1.0], "loh": [True, False],
                        "log2_ratio": [0.0, 0.0], "baf": [0.2, 0.5]})
    assert figures.cn_panel(seg, {"chr1": 1000}, "S", "relapse", 0.6).startswith(PNG)
    # deterministic bytes
    assert figures.cn_panel(seg, {"chr1": 1000}, "S", "relapse", 0.6) == \
        figures.cn_panel(seg, {"chr1": 1000}, "S", "relapse", 0.6)


def test_cn_points_log2_and_het_snp_baf():
    def counts(depths, snps):
        rows = [("target", "chr1", 100 * i + 1, 100 * i + 100, d, 0, 0) for i, d in enumerate(depths)]
        rows += [("snp", "chr1", p, p, r + a, r, a) for p, r, a in snps]
        return pd.DataFrame(rows, columns=["type", "chrom", "start", "end", "depth", "ref_count", "alt_count"])
    normal = counts([50, 50, 50, 50], [(1000, 20, 20), (2000, 40, 0)])
    tumour = counts([100, 100, 100, 200], [(1000, 8, 32), (2000, 60, 0)])
    targets, snps = figures.cn_points(tumour, normal)
    assert list(targets["log2"].round(3)) == [0.0, 0.0, 0.0, 1.0]
    assert list(snps["pos"]) == [1000] and snps["baf"].iloc[0] == pytest.approx(0.8)  # hom SNP dropped


def _data(gene: str) -> render.ReportData:
    cands = pd.DataFrame([{"rank": "1", "gene": gene, "chrom": "chr1", "pos": "5", "ref": "A", "alt": "T",
                           "hgvs_c": "c.1A>T", "hgvs_p": "p.Met1?", "consequence": "start_lost",
                           "confidence": "high", "score": "11", "explanation": f"{gene} is lost"}])
    muts = pd.DataFrame([{"chrom": "chr1", "pos": 5, "ref": "A", "alt": "T", "gene": gene, "class": "shared"}])
    return render.ReportData(patient="P<1>", samples=pd.DataFrame([{"sample": "S&1", "timepoint": "baseline"}]),
                             summary={"baseline_retained_fraction": "0.925", "n_shared": "37"},
                             candidates=cands, mutations=muts, tumours=["S&1"], timepoints=["baseline"])


def test_every_input_string_is_escaped():
    page = render.render_report(_data(XSS))
    assert XSS not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "P&lt;1&gt;" in page and "S&amp;1" in page
    # the embedded JSON summary cannot close its script element
    blob = page.split('id="escapeseq-summary">', 1)[1].split("</script>", 1)[0]
    assert "<" not in blob


def test_no_external_resources():
    page = render.render_report(_data("JAK1"))
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    assert "<link" not in page and "@import" not in page


# ---------------------------------------------------------------- end to end on simulator truth

@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("rep")
    sim = out / "sim"
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-simulate"), "--preset", "test", "--seed", "7",
                        "--outdir", str(sim), "--no-reads"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"escapeseq-simulate --no-reads failed: {r.stderr.strip()[-200:]}")
    from escapeseq.annotate.panel import load_panel
    from escapeseq.evolution.cli import cli as evolve
    from escapeseq.evolution.synthetic import write_bams, write_inputs
    panel = load_panel(None)
    for p in ("P1", "P3"):
        d = write_inputs(sim, p, out / p, panel=panel)
        assert evolve(["--patient", p, "--samplesheet", str(d["samplesheet"]), "--vcf", str(d["vcf"]),
                       "--annotation", str(d["annotation"]), "--cnv-dir", str(d["cnv_dir"]),
                       "--loh-changes", str(d["loh_changes"]), "--outdir", str(out / "evolution")]) == 0
    write_bams(sim, "P1", out / "P1" / "bam", depth=30)
    # the XSS probe: a candidate gene named like an HTML element
    c = pd.read_csv(out / "evolution" / "P1.candidates.tsv", sep="\t", dtype=str, keep_default_na=False)
    c.loc[len(c)] = c.iloc[0]
    c.loc[len(c) - 1, ["rank", "gene", "confidence"]] = [str(len(c)), XSS, "low"]
    c.to_csv(out / "evolution" / "P1.candidates.tsv", sep="\t", index=False)
    return out, sim


def _igv_js() -> Path | None:
    """igv.min.js as installed by tools/install_igv.sh (None: IGV parts of the tests skipped)."""
    for p in (ROOT / ".venv" / "share" / "igv" / "igv.min.js",
              ROOT / ".venv" / "share" / "igv" / "3.5.3" / "package" / "dist" / "igv.min.js"):
        if p.exists():
            return p
    return None


def _report(built, patient: str, igv_js: Path | None) -> Path:
    out, sim = built
    args = ["--patient", patient, "--evolution-dir", str(out / "evolution"),
            "--samplesheet", str(out / patient / "samplesheet.csv"), "--cnv-dir", str(out / patient / "cnv"),
            "--fasta", str(sim / "reference" / "genome.fa"), "--outdir", str(out / "report")]
    if igv_js is not None and patient == "P1":
        args += ["--bam-dir", str(out / "P1" / "bam"), "--igv-js", str(igv_js)]
    assert cli(args) == 0
    return out / "report" / f"{patient}.report.html"


def test_report_cli_writes_self_contained_page(built):
    igv_js = _igv_js()
    page = _report(built, "P1", igv_js).read_text()
    assert "JAK1" in page and "copy-neutral LOH" in page
    assert XSS not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert not re.search(r"""<(script|img|link|iframe)[^>]+(src|href)\s*=\s*["']?(https?:)?//""", page, re.I)
    figs = sorted(p.name for p in (built[0] / "report" / "figures").iterdir())
    assert {"P1.circos.png", "P1.P1_B.cn.png", "P1.P1_R.cn.png", "P1.JAK1.lollipop.png"} <= set(figs)
    if igv_js is not None:
        assert "P1.igv.html" in figs and "igv.createBrowser" in page
    # deterministic
    first = page
    assert _report(built, "P1", igv_js).read_text() == first


def test_index_page(built, tmp_path):
    reports = [_report(built, p, _igv_js()) for p in ("P1", "P3")]
    assert cli(["index", "--outdir", str(built[0]), *map(str, reports)]) == 0
    idx = (built[0] / "index.html").read_text()
    assert 'href="report/P1.report.html"' in idx and 'href="report/P3.report.html"' in idx
    assert "JAK1" in idx


IDENTITY_HEAD = ("patient\tnormal\ttumour\tn_sites\tn_informative\tlog10_lr\tcontamination\t"
                 "concordance\tdecision\treason\n")


def test_index_lists_identity_and_a_stopped_patient_without_report(tmp_path):
    ok = tmp_path / "P3.identity.tsv"
    ok.write_text(IDENTITY_HEAD + "P3\tP3_N\tP3_B\t120\t60\t11.8\t0.0\t1.0\tmatch\t\n")
    bad = tmp_path / "SWAP.identity.tsv"
    bad.write_text(IDENTITY_HEAD + "SWAP\tP1_N\tP2_B\t120\t60\t-137.7\t0.0\t0.4\tmismatch\t"
                   "38 sites show an allele the normal lacks\n")
    out = tmp_path / "o"
    # every patient stopped: no report at all, the index still names them with evidence
    assert cli(["index", "--outdir", str(out), "--identity", str(ok), str(bad), "--"]) == 0
    idx = (out / "index.html").read_text()
    assert "Stopped" in idx and "SWAP" in idx and "-137.7" in idx and "allele the normal lacks" in idx
    assert idx.index("SWAP") < idx.index("P3_B")          # mismatches listed first
    ok.write_text("patient\tnormal\n")
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-report"), "index", "--outdir", str(out),
                        "--identity", str(ok)], capture_output=True, text=True)
    assert r.returncode == 2 and "P3.identity.tsv" in r.stderr and "no column tumour" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_report_bad_input_one_line(built, tmp_path):
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-report"), "--patient", "P1", "--evolution-dir",
                        str(tmp_path), "--samplesheet", str(built[0] / "P1" / "samplesheet.csv"),
                        "--outdir", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("escapeseq-report: error: ") and "P1.mutations.tsv" in r.stderr


# ---------------------------------------------------------------- headless chromium

def test_report_renders_in_headless_chromium(built, tmp_path):
    from escapeseq.report.browser import PageSession, find_chromium
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium not installed (tools/install_browser.sh installs Debian's chromium)")
    igv_js = _igv_js()
    report = _report(built, "P1", igv_js)
    with PageSession(chromium) as s:
        s.open(report)
        assert s.errors() == []
        assert s.requests() == [report.resolve().as_uri()]          # nothing but the file itself
        assert s.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
        assert XSS in s.evaluate("document.getElementById('candidates').innerText")
        assert s.evaluate("document.querySelector('#candidates tbody tr.high td:nth-child(2)').innerText") == "JAK1"
        if igv_js is not None:
            assert s.evaluate("document.getElementById('igv-1').shadowRoot.querySelectorAll('canvas').length") > 3
        shot = s.screenshot("#candidates", tmp_path / "candidates.png")
    assert shot.read_bytes().startswith(PNG) and shot.stat().st_size > 5000
    print(f"screenshot: {shot}")
