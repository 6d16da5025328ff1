"""Tests of escapeseq.report.cohort: the cohort view of index.html and its TSVs."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from escapeseq.errors import InputError
from escapeseq.report import cohort
from escapeseq.report.cli import cli

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
PY = sys.executable
XSS = "<img src=x onerror=alert(1)>"
IDENTITY_HEAD = ("patient\tnormal\ttumour\tn_sites\tn_informative\tlog10_lr\tcontamination\t"
                 "concordance\tdecision\treason\n")


def tiny_tables() -> list[Path]:
    return [TINY / "evolution" / f"P1.{k}.tsv" for k in ("mutations", "candidates", "summary")]


def read(path: Path) -> list[dict[str, str]]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


# ---------------------------------------------------------------- synthetic three-timepoint patient

MUT_HEAD = ["chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "hgvs_p", "lof_confidence",
            "filter"]
SAMPLES = ["Q_B", "Q_M", "Q_R"]


def write_patient(d: Path, patient: str = "Q", muts: list[dict] | None = None,
                  cands: list[dict] | None = None, hom_vaf: str = "0.85") -> list[Path]:
    """A patient with three tumour timepoints (baseline, on_treatment, relapse)."""
    head = MUT_HEAD + [f"{s}_{k}" for s in SAMPLES for k in ("alt_reads", "depth", "vaf", "adjusted_vaf")]
    head += ["class", "homozygous_acquired", "loh_acquired", "escape_gene", "pathway", "rank"]
    head += [f"{s}_loh" for s in SAMPLES] + ["hgvs_p_short"]
    rows = muts if muts is not None else []
    d.mkdir(parents=True, exist_ok=True)
    m = d / f"{patient}.mutations.tsv"
    m.write_text("\t".join(head) + "\n" + "".join(
        "\t".join(str(r.get(c, "")) for c in head) + "\n" for r in rows))
    chead = ["rank", "gene", "chrom", "pos", "ref", "alt", "hgvs_c", "hgvs_p", "consequence",
             "confidence", "score", "explanation"]
    c = d / f"{patient}.candidates.tsv"
    c.write_text("\t".join(chead) + "\n" + "".join(
        "\t".join(str(r.get(k, "")) for k in chead) + "\n" for r in (cands or [])))
    s = d / f"{patient}.summary.tsv"
    summ = [("baseline_sample", "Q_B", "first tumour timepoint"), ("relapse_sample", "Q_R", "last"),
            ("baseline_retained_fraction", "0.925", "x"), ("n_relapse_only", "53", "x"),
            ("n_homozygous_relapse_only", "3", "x"), ("n_candidates_high", "1", "x"),
            ("purity_baseline", "0.7", "purity of Q_B (fraction)"),
            ("purity_on_treatment", "0.5", "purity of Q_M (fraction)"),
            ("purity_relapse", "0.6", "purity of Q_R (fraction)"),
            ("param_min_alt_reads", "3", "x"), ("param_homozygous_vaf", hom_vaf, "x")]
    s.write_text("patient\tmetric\tvalue\tdescription\n" + "".join(f"{patient}\t{a}\t{b}\t{e}\n" for a, b, e in summ))
    return [m, c, s]


def mut(gene: str, pos: int, consequence: str, reads: tuple[int, int, int], adj: tuple[float, float, float],
        loh: tuple[bool, bool, bool] = (False, False, False), **kw) -> dict:
    r = {"chrom": "chr1", "pos": pos, "ref": "G", "alt": "A", "gene": gene, "consequence": consequence,
         "hgvs_c": f"c.{pos}G>A", "hgvs_p": "p.Gln503Ter", "hgvs_p_short": "Q503*", "lof_confidence": "high",
         "filter": "PASS", "class": "relapse_only", "homozygous_acquired": "true", "loh_acquired": "false",
         "escape_gene": "true", "pathway": "interferon-gamma signalling", "rank": ""}
    for s, a, v, lo in zip(SAMPLES, reads, adj, loh):
        r.update({f"{s}_alt_reads": a, f"{s}_depth": 100, f"{s}_vaf": a / 100, f"{s}_adjusted_vaf": v,
                  f"{s}_loh": "true" if lo else "false"})
    r.update(kw)
    return r


# ---------------------------------------------------------------- pure rules

@pytest.mark.parametrize("csq,cls", [
    ("stop_gained", "nonsense"), ("frameshift_variant", "frameshift"),
    ("splice_donor_variant&intron_variant", "splice"), ("splice_region_variant&intron_variant", "splice"),
    ("missense_variant", "missense"), ("inframe_deletion", "inframe_indel"), ("start_lost", "start_stop_lost"),
    ("intron_variant&missense_variant", "missense"),        # the most severe term decides, not the first
    ("stop_gained&frameshift_variant", "nonsense"), ("synonymous_variant", "other"), ("", "other"),
    ("made_up_term", "other")])
def test_variant_class(csq, cls):
    assert cohort.variant_class(csq) == cls


def test_escape_event_rule():
    base = {"filter": "PASS", "escape_gene": "true", "gene": "JAK1", "consequence": "missense_variant"}
    assert cohort.is_escape_event(base, False)
    assert not cohort.is_escape_event({**base, "filter": "weak_evidence"}, True)
    assert not cohort.is_escape_event({**base, "escape_gene": "false"}, True)
    assert not cohort.is_escape_event({**base, "consequence": "intron_variant"}, False)
    assert cohort.is_escape_event({**base, "consequence": "intron_variant"}, True)       # a ranked candidate
    assert cohort.is_escape_event({**base, "consequence": "splice_region_variant&intron_variant"}, False)


def test_homozygous_is_strictly_above_threshold_and_needs_presence():
    assert cohort.homozygous(0.86, True, 0.85)
    assert not cohort.homozygous(0.85, True, 0.85)
    assert not cohort.homozygous(0.99, False, 0.85)
    assert not cohort.homozygous(float("nan"), True, 0.85)
    assert cohort.present(3, 3) and not cohort.present(2, 3) and not cohort.present(float("nan"), 1)


def test_timepoints_from_summary_purity_rows():
    summ = [{"metric": "purity_relapse", "value": "0.6", "description": "purity of S2 (fraction)"},
            {"metric": "purity_baseline", "value": "0.7", "description": "purity of S1 (fraction)"}]
    assert cohort.sample_timepoints(summ, ["S1", "S2"]) == ["baseline", "relapse"]
    no_desc = [{"metric": "purity_baseline", "value": "1"}, {"metric": "purity_relapse", "value": "1"}]
    assert cohort.sample_timepoints(no_desc, ["S1", "S2"]) == ["baseline", "relapse"]
    assert cohort.sample_timepoints([], ["S1", "S2"]) == ["S1", "S2"]


# ---------------------------------------------------------------- tiny P1 (real EVOLVE output)

def test_tiny_p1_jak1_homozygous_nonsense_with_acquired_loh(tmp_path):
    c = cohort.build_cohort(tiny_tables(), [], {"P1": "P1/report/P1.report.html"})
    jak1 = [e for e in c.events if e["gene"] == "JAK1"]
    assert [(e["sample"], e["timepoint"], e["present"]) for e in jak1] == [
        ("P1_B", "baseline", "false"), ("P1_R", "relapse", "true")]
    b, r = jak1
    assert (b["alt_reads"], b["depth"]) == ("0", "76")        # "0 of 76 reads at baseline"
    assert r["variant_class"] == "nonsense" and r["homozygous"] == "true" and r["loh_acquired"] == "true"
    assert (r["candidate_rank"], r["confidence"]) == ("1", "high") and r["purity"] == "0.6"
    assert b["homozygous"] == "false" and b["loh_acquired"] == "false"
    # only escape-gene events: every other mutation of P1 is outside the panel
    assert {e["gene"] for e in c.events} == {"JAK1"}
    (p,) = c.patients
    assert p["status"] == "analysed" and p["baseline_retained_fraction"] == "0.7234"
    assert p["n_relapse_only"] == "10" and p["n_homozygous_relapse_only"] == "2"
    assert p["escape_genes_hit"] == "JAK1" and p["report"] == "P1/report/P1.report.html"
    html = cohort.render_cohort(c)
    assert 'href="P1/report/P1.report.html"' in html
    assert re.search(r'class="cell hit vc-nonsense homcell"[^>]*><span class="lbl">Q503\*</span>', html)
    assert '<span class="tag loh">LOH+</span>' in html and '<span class="conf high">H</span>' in html
    assert 'class="cell absent"' in html and "0/76" in html
    assert "72.3 %" in html


def test_three_timepoints_multi_hit_and_per_sample_state(tmp_path):
    muts = [
        # seen at relapse only (3 reads needed: param_min_alt_reads 3); homozygous only at relapse
        mut("JAK1", 100, "stop_gained", (0, 2, 60), (0.0, 0.3, 0.95), loh=(False, True, True),
            loh_acquired="true"),
        # a second, weaker JAK1 hit (missense), present throughout, not a candidate
        mut("JAK1", 200, "missense_variant", (20, 20, 20), (0.4, 0.4, 0.4), **{"class": "shared",
            "hgvs_p_short": "R10W", "homozygous_acquired": "false"}),
        # outside the panel / filtered / intronic: not events
        mut("TTN", 300, "stop_gained", (9, 9, 9), (0.5, 0.5, 0.5), escape_gene="false"),
        mut("B2M", 400, "frameshift_variant", (9, 9, 9), (0.5, 0.5, 0.5), filter="strand_bias"),
        mut("B2M", 500, "intron_variant", (9, 9, 9), (0.5, 0.5, 0.5)),
    ]
    cands = [{"rank": 1, "gene": "JAK1", "chrom": "chr1", "pos": 100, "ref": "G", "alt": "A",
              "confidence": "medium", "score": "8.5"}]
    c = cohort.build_cohort(write_patient(tmp_path, muts=muts, cands=cands), [], {})
    assert {(e["gene"], e["pos"]) for e in c.events} == {("JAK1", "100"), ("JAK1", "200")}
    stop = {e["timepoint"]: e for e in c.events if e["pos"] == "100"}
    assert list(stop) == ["baseline", "on_treatment", "relapse"]
    assert [stop[t]["timepoint_order"] for t in stop] == ["1", "2", "3"]
    assert stop["on_treatment"]["present"] == "false"               # 2 reads < min_alt_reads 3
    assert stop["on_treatment"]["loh"] == "true" and stop["on_treatment"]["loh_acquired"] == "true"
    assert stop["relapse"]["homozygous"] == "true" and stop["relapse"]["confidence"] == "medium"
    assert stop["baseline"]["loh_acquired"] == "false"
    assert stop["on_treatment"]["purity"] == "0.5"
    html = cohort.render_cohort(c)
    # on treatment the shown event is the present missense; at relapse the candidate, with "+1"
    assert re.search(r'vc-missense"[^>]*><span class="lbl">R10W</span><br>', html)
    assert re.search(r'vc-nonsense homcell"[^>]*><span class="lbl">Q503\*</span><span class="multi">\+1</span>',
                     html)
    assert '<span class="conf medium">M</span>' in html
    assert html.count("<th class=\"tp\">") == 3 and "on_treatment" in html
    # a higher homozygous threshold (from EVOLVE's summary) makes the relapse call heterozygous
    c2 = cohort.build_cohort(write_patient(tmp_path / "t", muts=muts, cands=cands, hom_vaf="0.97"), [], {})
    assert {e["homozygous"] for e in c2.events} == {"false"}


def test_stopped_patient_and_patient_without_events(tmp_path):
    ident = [{"patient": "SWAP", "tumour": "SWAP_R", "decision": "mismatch"},
             {"patient": "SWAP", "tumour": "SWAP_B", "decision": "match"},
             {"patient": "Q", "tumour": "Q_B", "decision": "undecidable"}]
    c = cohort.build_cohort(write_patient(tmp_path, muts=[]), ident, {})
    assert [p["patient"] for p in c.patients] == ["Q", "SWAP"]
    q, swap = c.patients
    assert q["status"] == "analysed" and q["identity"] == "undecidable" and q["escape_genes_hit"] == ""
    assert swap["status"] == "stopped" and swap["identity"] == "mismatch"
    assert swap["tumour_samples"] == "SWAP_B,SWAP_R" and swap["baseline_retained_fraction"] == ""
    assert c.events == []
    html = cohort.render_cohort(c)
    assert "stopped: identity mismatch" in html and "No escape-gene mutation in any patient" in html


def test_every_string_escaped_and_nothing_external(tmp_path):
    muts = [mut(XSS, 100, "stop_gained", (0, 0, 60), (0.0, 0.0, 0.95), pathway=XSS, hgvs_p_short=XSS)]
    c = cohort.build_cohort(write_patient(tmp_path, patient="Q", muts=muts), [], {"Q": 'x" onclick="y'})
    html = cohort.render_cohort(c)
    assert XSS not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert 'href="x&quot; onclick=&quot;y"' in html
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)


def test_tsv_text_keeps_one_line_per_row():
    text = cohort.tsv_text(["a", "b"], [{"a": "x\ty", "b": "1\n2"}])
    assert text == "a\tb\nx y\t1 2\n"


# ---------------------------------------------------------------- bad input

def test_bad_tables_name_file_and_field(tmp_path):
    files = write_patient(tmp_path)
    with pytest.raises(InputError, match="Q.summary.tsv"):
        cohort.group_tables(files[:2])
    other = tmp_path / "Q.loh_changes.tsv"
    other.write_text("x\n")
    with pytest.raises(InputError, match="not an evolution table"):
        cohort.group_tables([*files, other])
    files[0].write_text("chrom\tpos\n")
    with pytest.raises(InputError, match=r"Q.mutations.tsv: header: missing column\(s\) ref"):
        cohort.build_cohort(files, [], {})


def test_cli_bad_input_exit_2_one_line(tmp_path):
    files = write_patient(tmp_path)
    files[1].write_text("\t".join(cohort.CANDIDATE_NEEDED) + "\n1\tJAK1\n")
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-report"), "index", "--outdir", str(tmp_path / "o"),
                        "--tables", *map(str, files), "--"], capture_output=True, text=True)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("escapeseq-report: error: ") and "Q.candidates.tsv: line 2: 2 fields, header has 8" in r.stderr


# ---------------------------------------------------------------- CLI end to end

def test_index_cli_writes_view_and_tsvs(tmp_path):
    swap = tmp_path / "SWAP.identity.tsv"
    swap.write_text(IDENTITY_HEAD + "SWAP\tSWAP_N\tSWAP_R\t120\t60\t-137.7\t0.0\t0.4\tmismatch\tforeign alleles\n")
    out = tmp_path / "o"
    assert cli(["index", "--outdir", str(out), "--href-template", "{patient}/report/{patient}.report.html",
                "--identity", str(TINY / "cnv" / "P1.identity.tsv"), str(swap),
                "--tables", *map(str, tiny_tables()), "--"]) == 0
    idx = (out / "index.html").read_text()
    assert idx.index('id="cohort"') < idx.index('id="reports"') < idx.index('id="identity"')
    esc_rows = read(out / "cohort.escape.tsv")
    assert list(esc_rows[0]) == cohort.ESCAPE_COLUMNS
    summ = read(out / "cohort.summary.tsv")
    assert list(summ[0]) == cohort.SUMMARY_COLUMNS
    assert [(r["patient"], r["status"]) for r in summ] == [("P1", "analysed"), ("SWAP", "stopped")]
    # no report given: no link (the template links only patients with a report)
    assert summ[0]["report"] == ""
    # without --tables: the page as before, no TSVs
    out2 = tmp_path / "o2"
    assert cli(["index", "--outdir", str(out2), "--identity", str(swap), "--"]) == 0
    assert 'id="cohort"' not in (out2 / "index.html").read_text()
    assert not (out2 / "cohort.escape.tsv").exists()
    # --tables given with no file (every patient stopped): the view lists the stopped one
    assert cli(["index", "--outdir", str(out2), "--identity", str(swap), "--tables", "--"]) == 0
    assert "stopped: identity mismatch" in (out2 / "index.html").read_text()
    assert read(out2 / "cohort.summary.tsv")[0]["status"] == "stopped"


def test_cohort_module_imports_no_pandas():
    """The cohort view stays stdlib-only (the index task pays no pandas import)."""
    code = ("import sys; sys.path.insert(0, 'bin'); import escapeseq.report.cohort; "
            "print('pandas' in sys.modules, 'matplotlib' in sys.modules)")
    r = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "False"]


def test_cohort_view_renders_in_headless_chromium(tmp_path):
    from escapeseq.report.browser import PageSession, find_chromium
    chromium = find_chromium()
    if chromium is None:
        pytest.skip("chromium not installed (tools/install_browser.sh installs Debian's chromium)")
    out = tmp_path / "o"
    assert cli(["index", "--outdir", str(out), "--identity", str(TINY / "cnv" / "P1.identity.tsv"),
                "--tables", *map(str, tiny_tables()), "--"]) == 0
    page = out / "index.html"
    with PageSession(chromium) as s:
        s.open(page)
        assert s.errors() == []
        assert s.requests() == [page.resolve().as_uri()]
        cell = "document.querySelector('#cohort td.hit')"
        assert s.evaluate(f"{cell}.innerText").split() == ["Q503*", "hom", "LOH+", "H"]
        # the class colour and the homozygous frame are applied (the CSS is inlined)
        assert s.evaluate(f"getComputedStyle({cell}).backgroundColor") == "rgb(198, 40, 40)"
        assert "inset" in s.evaluate(f"getComputedStyle({cell}).boxShadow")
        shot = s.screenshot("#cohort", tmp_path / "cohort.png")
    assert shot.read_bytes().startswith(b"\x89PNG") and shot.stat().st_size > 5000


def test_legend_states_the_threshold_in_use(tmp_path):
    c = cohort.build_cohort(write_patient(tmp_path, hom_vaf="0.9"), [], {})
    assert "purity-adjusted VAF &gt; 0.9 in that sample" in cohort.render_cohort(c)
    c = cohort.build_cohort(tiny_tables(), [], {})
    assert "purity-adjusted VAF &gt; 0.85 in that sample" in cohort.render_cohort(c)
