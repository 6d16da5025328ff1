"""HTML rendering of the patient report and the cohort index.

Every string that comes from an input file goes through :func:`esc` (``html.escape``);
figures are inline base64 PNGs; the CSS is inlined from ``report.css`` beside this module (inside bin/, which
Nextflow makes available to every task on every executor, container or not);
igv.js, when present, is inlined. The page loads nothing from the network.
"""

from __future__ import annotations

import base64
import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tables are DataFrames, but rendering needs no pandas import
    import pandas as pd

CSS_PATH = Path(__file__).with_name("report.css")
SUMMARY_SCRIPT_ID = "escapeseq-summary"


def esc(x: object) -> str:
    """HTML-escape any value ('' for None / NaN)."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return ""
    return html.escape(str(x), quote=True)


def img(png: bytes, alt: str) -> str:
    return (f'<img alt="{esc(alt)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode("ascii")}">')


def figure(png: bytes, caption: str, alt: str) -> str:
    return f"<figure>{img(png, alt)}<figcaption>{esc(caption)}</figcaption></figure>\n"


def table(df: pd.DataFrame, cols: list[tuple[str, str]], row_class: str | None = None,
          numeric: set[str] = frozenset()) -> str:
    """A <table> of ``df`` columns (column, header); values escaped."""
    head = "".join(f"<th>{esc(h)}</th>" for _, h in cols)
    body = []
    for _, r in df.iterrows():
        cls = f' class="{esc(r[row_class])}"' if row_class and row_class in r else ""
        tds = "".join(f'<td class="num">{esc(r.get(c, ""))}</td>' if c in numeric
                      else f"<td>{esc(r.get(c, ''))}</td>" for c, _ in cols)
        body.append(f"<tr{cls}>{tds}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>\n"


def script_json(obj: object) -> str:
    """JSON that is safe inside <script>: '<', '>' and '&' as unicode escapes."""
    return (json.dumps(obj, sort_keys=True, ensure_ascii=True)
            .replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@dataclass
class ReportData:
    """Everything the patient page shows (strings raw; rendering escapes them)."""
    patient: str
    samples: pd.DataFrame                        # sample timepoint purity ploidy purity_source
    summary: dict[str, str]                      # metric -> value (summary.tsv)
    candidates: pd.DataFrame                     # candidates.tsv
    mutations: pd.DataFrame                      # mutations.tsv
    tumours: list[str]
    timepoints: list[str]
    circos: bytes | None = None
    cn_panels: list[tuple[str, bytes]] = field(default_factory=list)     # (sample, png)
    lollipops: list[tuple[str, bytes]] = field(default_factory=list)     # (gene, png)
    igv_blocks: list[tuple[str, str]] = field(default_factory=list)      # (heading, html)
    igv_library: str = ""                        # <script>igv.js</script> or ''
    igv_note: str = ""
    methods: list[tuple[str, str]] = field(default_factory=list)         # (item, value)
    rna_html: str = ""                           # RNA section (issue 16); '' without RNA


def _pct(v: str) -> str:
    try:
        return f"{100 * float(v):.1f} %"
    except (TypeError, ValueError):
        return "n/a"


def lead_sentence(d: ReportData) -> str:
    s = d.summary
    hi = d.candidates[d.candidates["confidence"] == "high"] if len(d.candidates) else d.candidates
    if len(hi):
        top = hi.iloc[0]
        what = (f"{len(hi)} high-confidence immune-escape candidate(s); the top one is "
                f"{top['gene']} {top['hgvs_p'] or top['hgvs_c']}: {top['explanation']}")
    else:
        what = "No high-confidence immune-escape candidate was found."
    return (f"Relapse is clonally related to baseline: {_pct(s.get('baseline_retained_fraction'))} of "
            f"baseline mutations are retained ({s.get('n_shared', '?')} shared, "
            f"{s.get('n_baseline_only', '?')} baseline-only, {s.get('n_relapse_only', '?')} relapse-only, "
            f"{s.get('n_unknown', '?')} not decidable). {what}")


SUMMARY_ROWS = [
    ("n_mutations", "Somatic mutations (PASS)"),
    ("n_shared", "Shared (baseline and relapse)"),
    ("n_baseline_only", "Baseline-only (absence at relapse powered)"),
    ("n_relapse_only", "Relapse-only (absence at baseline powered)"),
    ("n_unknown", "Class unknown (absence not powered)"),
    ("baseline_retained_fraction", "Baseline mutations retained at relapse"),
    ("nonsynonymous_retained_fraction", "Protein-changing baseline mutations retained"),
    ("n_loh_shared", "LOH segments shared"),
    ("n_loh_acquired", "LOH segments acquired at relapse"),
    ("bp_loh_acquired", "Acquired LOH (bp)"),
    ("n_baseline_het_lost_in_acquired_loh", "Baseline heterozygous mutations lost inside acquired LOH"),
    ("n_became_homozygous", "Mutations that became homozygous"),
    ("n_homozygous_relapse_only", "New mutations homozygous at relapse"),
    ("n_candidates_high", "High-confidence candidates"),
    ("n_candidates_medium", "Medium-confidence candidates"),
    ("n_candidates_low", "Low-confidence candidates"),
]


def render_report(d: ReportData) -> str:
    """The patient's self-contained HTML page."""
    css = CSS_PATH.read_text() if CSS_PATH.exists() else ""
    s = d.summary
    rows = []
    for k, label in SUMMARY_ROWS:
        v = s.get(k, "")
        if k.endswith("_fraction"):
            v = _pct(v)
        rows.append(f"<tr><th>{esc(label)}</th><td class=\"num\">{esc(v)}</td></tr>")
    summary_tbl = f"<table>{''.join(rows)}</table>\n"
    samples_tbl = table(d.samples, [("sample", "Sample"), ("timepoint", "Timepoint"),
                                    ("purity", "Purity"), ("ploidy", "Ploidy"),
                                    ("purity_source", "Purity source")], numeric={"purity", "ploidy"})
    if len(d.candidates):
        c = d.candidates.copy()
        c["change"] = [f"{p or h}" for p, h in zip(c["hgvs_p"], c["hgvs_c"])]
        head = "".join(f"<th>{esc(h)}</th>" for h in ("Rank", "Gene", "Change", "Consequence",
                                                      "Confidence", "Score", "Explanation"))
        body = []
        for _, r in c.iterrows():
            body.append(f'<tr class="{esc(r["confidence"])}"><td class="num">{esc(r["rank"])}</td>'
                        f"<td><b>{esc(r['gene'])}</b></td><td>{esc(r['change'])}</td>"
                        f"<td>{esc(r['consequence'])}</td>"
                        f'<td><span class="badge {esc(r["confidence"])}">{esc(r["confidence"])}</span></td>'
                        f'<td class="num">{esc(r["score"])}</td><td>{esc(r["explanation"])}</td></tr>')
        cand_html = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>\n"
    else:
        cand_html = "<p>No mutation qualifies as a resistance candidate.</p>\n"
    figs = []
    if d.circos:
        figs.append(figure(d.circos, "Circos plot. Outer track: every somatic mutation at its position, "
                           "height = VAF at relapse (baseline-only mutations: VAF at baseline); grey shared, "
                           "red relapse-only, green baseline-only. Middle ring: copy number at baseline; "
                           "inner ring: copy number at relapse; orange band = LOH.", f"Circos plot of {d.patient}"))
    for sample, png in d.cn_panels:
        figs.append(figure(png, f"{sample}: segment log2 ratio, B-allele frequency and integer copy number "
                                "(LOH shaded).", f"copy-number panel of {sample}"))
    lolli = "".join(figure(png, f"{gene}: mutations of this patient on the protein, with its domains "
                                "(escape panel; approximate domain bounds).", f"lollipop plot of {gene}")
                    for gene, png in d.lollipops) or "<p>No candidate gene with known domains.</p>"
    if d.igv_blocks:
        igv_html = d.igv_library + "".join(f"<h3>{esc(h)}</h3>\n{b}" for h, b in d.igv_blocks)
    else:
        igv_html = f"<p class=\"note\">{esc(d.igv_note or 'No IGV view.')}</p>"
    mcols = (["chrom", "pos", "ref", "alt", "gene", "hgvs_p", "consequence", "lof_confidence"]
             + [f"{t}_{k}" for t in d.tumours for k in ("alt_reads", "depth", "adjusted_vaf")]
             + ["class", "homozygous_acquired", "loh_acquired", "escape_gene", "rank"])
    mcols = [c for c in mcols if c in d.mutations.columns]
    mut_tbl = table(d.mutations, [(c, c) for c in mcols],
                    numeric={c for c in mcols if c.endswith(("_reads", "_depth", "_vaf")) or c == "pos"})
    methods = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in d.methods)
    blob = script_json({"patient": d.patient, "summary": s,
                        "candidates": d.candidates[["rank", "gene", "hgvs_p", "hgvs_c", "confidence", "score"]]
                        .astype(str).to_dict("records") if len(d.candidates) else []})
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>escapeseq report: {esc(d.patient)}</title>
<style>{css}</style>
<script type="application/json" id="{SUMMARY_SCRIPT_ID}">{blob}</script>
</head>
<body>
<header><h1>Immune-escape report: patient {esc(d.patient)}</h1>
<p>Acquired resistance to PD-1 blockade: baseline vs relapse tumour exomes ({esc(', '.join(d.tumours))})</p></header>
<nav><a href="#summary">Summary</a><a href="#candidates">Candidates</a><a href="#figures">Figures</a>
{'<a href="#rna">RNA</a>' if d.rna_html else ''}<a href="#proteins">Proteins</a><a href="#reads">Reads (IGV)</a><a href="#mutations">All mutations</a><a href="#methods">Methods</a></nav>
<main>
<section id="summary"><h2>Summary</h2>
<p class="lead">{esc(lead_sentence(d))}</p>
{samples_tbl}{summary_tbl}</section>
<section id="candidates"><h2>Ranked resistance candidates</h2>
<p class="note">Score = 3 acquired (relapse-only or became homozygous) + 3 high-confidence / 1 low-confidence
loss of function + 2 immune-escape panel gene + 2 second hit (acquired LOH over the mutation, a second
LoF mutation in the gene, or homozygous at relapse) + 0-1 cancer cell fraction at relapse (max 11).
High confidence needs all of: acquired, high-confidence LoF, panel gene, second hit, clonal at relapse.</p>
{cand_html}</section>
{d.rna_html}<section id="figures"><h2>Figures</h2>
{''.join(figs)}</section>
<section id="proteins"><h2>Candidate genes: protein diagrams</h2>
<div class="grid">{lolli}</div></section>
<section id="reads"><h2>Read evidence at the top candidates (IGV)</h2>
<p class="note">Reads of the normal, baseline and relapse samples over each candidate (igv.js, embedded;
works offline). Mismatching bases are coloured.</p>
{igv_html}</section>
<section id="mutations"><h2>All somatic mutations</h2>
<details><summary>Show the evolution table ({len(d.mutations)} mutations)</summary>
{mut_tbl}</details></section>
<section id="methods"><h2>Methods</h2>
<p>Mutations were called jointly in the normal and every tumour timepoint. A mutation is present at a
timepoint with at least the minimum number of alternate reads; it is absent only if that timepoint had the
power (binomial probability of at least that many alternate reads at its depth, given the purity-adjusted
VAF seen elsewhere re-diluted by this sample's purity and copy number) to see it; otherwise its class is
<i>unknown</i>. Adjusted VAF = VAF (p CN<sub>t</sub> + 2 (1 - p)) / (p CN<sub>t</sub>), clamped to [0, 1].
Homozygous: adjusted VAF above the threshold; became homozygous: also a rise above the gain threshold.</p>
<table>{methods}</table></section>
</main>
</body>
</html>
"""


def rna_section(panels: list[tuple[str, bytes]], expression: bytes | None, df: pd.DataFrame) -> str:
    """The RNA section (issue 16): a panel per candidate, the expression panel and the
    expression calls of the escape genes at the last timepoint."""
    figs = "".join(figure(png, f"{label}: allele fraction in DNA and RNA per timepoint; at splice-region "
                                "candidates, RNA fragments of the annotated junction, of intron retention "
                                "and of new junctions.", f"RNA panel of {label}") for label, png in panels)
    if expression is not None:
        figs += figure(expression, "Escape-panel genes: TPM per timepoint (log scale); lost / gained = "
                                   "fold change <= 0.5 / >= 2 with p < 0.01 against the first timepoint.",
                       "escape-gene expression")
    expr = df[(df["kind"] == "expression") & (df["fold_change"] != "")] if "fold_change" in df else df.iloc[0:0]
    tbl = table(expr, [("gene", "Gene"), ("timepoint", "Timepoint"), ("gene_count", "Fragments"),
                       ("gene_tpm", "TPM"), ("fold_change", "Fold change"), ("expression_p", "p"),
                       ("expression_change", "Call")],
                numeric={"gene_count", "gene_tpm", "fold_change", "expression_p"}) if len(expr) else ""
    return (f'<section id="rna"><h2>RNA evidence</h2>\n<p class="note">RNA of each tumour timepoint '
            f"(HISAT2): allele expression at each candidate next to its DNA VAF, splicing at splice-region "
            f"candidates, and expression of the escape genes.</p>\n<div class=\"grid\">{figs}</div>\n"
            f"{tbl}</section>\n")


def read_summary_blob(report: str | Path) -> dict:
    """The JSON summary embedded in a patient report (for the cohort index)."""
    text = Path(report).read_text(encoding="utf-8")
    tag = f'id="{SUMMARY_SCRIPT_ID}">'
    i = text.find(tag)
    if i < 0:
        raise ValueError("no embedded escapeseq summary")
    j = text.find("</script>", i)
    return json.loads(text[i + len(tag):j])


def identity_section(identity: list[dict[str, str]]) -> str:
    """Sample identity of every tumour (escapeseq-cnv identity rows); patients stopped by a
    mismatch are named first, with the evidence that stopped them."""
    if not identity:
        return ""
    stopped = sorted({r["patient"] for r in identity if r.get("decision") == "mismatch"})
    rows = []
    for r in sorted(identity, key=lambda r: (r.get("decision") != "mismatch", r["patient"], r["tumour"])):
        d = r.get("decision", "")
        cls = {"mismatch": "bad", "undecidable": "warn"}.get(d, "")
        rows.append(f"<tr class=\"{cls}\"><td>{esc(r['patient'])}</td><td>{esc(r['normal'])}</td>"
                    f"<td>{esc(r['tumour'])}</td><td><b>{esc(d)}</b></td>"
                    f"<td class=\"num\">{esc(r.get('log10_lr'))}</td>"
                    f"<td class=\"num\">{esc(r.get('n_informative'))}</td>"
                    f"<td>{esc(r.get('reason', ''))}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Patient", "Normal", "Tumour", "Identity",
                                              "log10 LR (same vs unrelated)", "Informative SNPs", "Evidence"))
    note = (f"<p class=\"bad\"><b>Stopped (tumour does not match its normal, sample swap?):</b> "
            f"{esc(', '.join(stopped))}. These patients have no results beyond alignment and QC.</p>"
            if stopped else "")
    return (f"<section id=\"identity\"><h2>Sample identity</h2>{note}<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>")


def render_index(entries: list[tuple[str, dict]], identity: list[dict[str, str]] | None = None,
                 cohort_html: str = "") -> str:
    """Cohort page: the cohort view (``cohort_html``, from escapeseq.report.cohort; may be
    ''), one row per patient report (relative link, retained fraction, candidate counts,
    top candidate, purity per timepoint), then every tumour's identity decision (a
    mismatched patient has no report, only this evidence)."""
    css = CSS_PATH.read_text() if CSS_PATH.exists() else ""
    rows = []
    for href, blob in entries:
        s = blob.get("summary", {})
        pur = ", ".join(f"{k.removeprefix('purity_')} {v}" for k, v in sorted(s.items())
                        if k.startswith("purity_"))
        hi = [c for c in blob.get("candidates", []) if c.get("confidence") == "high"]
        top = ", ".join(f"{c['gene']} {c['hgvs_p'] or c['hgvs_c']}" for c in hi) or "none"
        rows.append(f"<tr><td><a href=\"{esc(href)}\">{esc(blob.get('patient'))}</a></td>"
                    f"<td class=\"num\">{esc(_pct(s.get('baseline_retained_fraction')))}</td>"
                    f"<td class=\"num\">{esc(s.get('n_shared'))}</td><td class=\"num\">{esc(s.get('n_relapse_only'))}</td>"
                    f"<td class=\"num\">{esc(s.get('n_candidates_high'))}</td>"
                    f"<td class=\"num\">{esc(s.get('n_candidates_medium'))}</td>"
                    f"<td>{esc(top)}</td><td>{esc(pur)}</td></tr>")
    head = "".join(f"<th>{h}</th>" for h in ("Patient", "Baseline retained", "Shared", "Relapse-only",
                                              "High", "Medium", "High-confidence candidates", "Purity"))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>escapeseq cohort</title><style>{css}</style></head>
<body><header><h1>escapeseq cohort overview</h1><p>Acquired immune escape after PD-1 blockade: escape genes hit per patient and timepoint, patient reports, sample identity</p></header>
<main>{cohort_html}<section id="reports"><h2>Patient reports</h2><table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table></section>
{identity_section(identity or [])}</main>
</body></html>
"""
