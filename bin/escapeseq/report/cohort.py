"""Cohort view: which escape genes are hit, in which patient and timepoint, and how.

Built from every patient's escapeseq-evolve tables (``<patient>.mutations.tsv``,
``.candidates.tsv``, ``.summary.tsv``) and the sample-identity decisions, it gives

* tidy rows for R (``cohort.escape.tsv``): one per patient x tumour sample x escape-gene
  event, the event's state in that sample (present, reads, purity-adjusted VAF,
  homozygous, LOH) and its candidate confidence;
* one row per patient (``cohort.summary.tsv``): status (analysed / stopped by an identity
  mismatch), the paper's clonal metrics and the escape genes hit;
* an oncoplot-like HTML grid (rows: escape genes, columns: patient x tumour timepoint).

An *escape-gene event* is a mutation passing the caller's filters (FILTER PASS) in a gene of
the escape panel (``escape_gene`` true) that changes the protein or a splice site (its most
severe SO term is protein-changing or ``splice_region_variant``), or that EVOLVE ranked as a
resistance candidate. In a tumour sample it is *present* with at least ``min_alt_reads``
alternate reads (EVOLVE's ``param_min_alt_reads``) and *homozygous* when present with a
purity-adjusted VAF (a fraction) above ``homozygous_vaf`` (``param_homozygous_vaf``,
Zaretsky et al. 2016: 0.85).

Standard library only (no pandas): the cohort index is a small task and pays no import cost.
"""

from __future__ import annotations

import csv
import html
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from escapeseq.annotate.terms import PROTEIN_CHANGING, RANK
from escapeseq.errors import InputError

#: variant classes of the grid, most severe first: (key, legend label); colours in report.css (.vc-<key>).
VARIANT_CLASSES: tuple[tuple[str, str], ...] = (
    ("nonsense", "Nonsense (stop gained)"),
    ("frameshift", "Frameshift indel"),
    ("splice", "Splice site / region"),
    ("start_stop_lost", "Start or stop lost"),
    ("inframe_indel", "In-frame indel"),
    ("missense", "Missense"),
    ("other", "Other"),
)
CLASS_ORDER = {k: i for i, (k, _) in enumerate(VARIANT_CLASSES)}
_TERM_CLASS = {
    "stop_gained": "nonsense", "frameshift_variant": "frameshift",
    "splice_acceptor_variant": "splice", "splice_donor_variant": "splice",
    "splice_region_variant": "splice", "start_lost": "start_stop_lost", "stop_lost": "start_stop_lost",
    "inframe_insertion": "inframe_indel", "inframe_deletion": "inframe_indel",
    "missense_variant": "missense", "protein_altering_variant": "missense",
}
CONFIDENCE_ORDER = {"high": 0, "medium": 1, "low": 2, "": 3}
KINDS = ("mutations", "candidates", "summary")

ESCAPE_COLUMNS = [
    "patient", "sample", "timepoint", "timepoint_order", "purity", "gene", "pathway", "chrom", "pos",
    "ref", "alt", "consequence", "variant_class", "hgvs_c", "hgvs_p", "hgvs_p_short", "lof_confidence",
    "present", "alt_reads", "depth", "vaf", "adjusted_vaf", "homozygous", "loh", "loh_acquired",
    "class", "homozygous_acquired", "candidate_rank", "confidence", "score",
]
SUMMARY_COLUMNS = [
    "patient", "status", "identity", "tumour_samples", "timepoints", "baseline_sample",
    "relapse_sample", "n_mutations", "baseline_retained_fraction", "nonsynonymous_retained_fraction",
    "n_relapse_only", "n_nonsynonymous_relapse_only", "n_homozygous_relapse_only",
    "n_became_homozygous", "n_loh_acquired", "n_candidates_high", "n_candidates_medium",
    "n_candidates_low", "top_candidate", "escape_genes_hit", "report",
]
MUTATION_NEEDED = ("chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "hgvs_p", "filter",
                   "class", "homozygous_acquired", "loh_acquired", "escape_gene")
CANDIDATE_NEEDED = ("rank", "gene", "chrom", "pos", "ref", "alt", "confidence", "score")
SUMMARY_NEEDED = ("metric", "value")


def esc(x: object) -> str:
    """HTML-escape a value ('' for None)."""
    return "" if x is None else html.escape(str(x), quote=True)


# ---------------------------------------------------------------------------- pure rules

def variant_class(consequence: str) -> str:
    """Grid class of an '&'-joined SO consequence: that of its most severe term (VEP order),
    e.g. 'splice_region_variant&intron_variant' -> 'splice'; 'other' when none is coding."""
    terms = [t for t in consequence.split("&") if t]
    if not terms:
        return "other"
    top = min(terms, key=lambda t: RANK.get(t, len(RANK)))
    return _TERM_CLASS.get(top, "other")


def is_escape_event(row: dict[str, str], is_candidate: bool) -> bool:
    """A PASS mutation of an escape-panel gene that changes the protein or a splice site,
    or that EVOLVE ranked as a candidate."""
    if row.get("filter") != "PASS" or row.get("escape_gene") != "true" or not row.get("gene"):
        return False
    terms = set(row.get("consequence", "").split("&"))
    return is_candidate or bool(terms & PROTEIN_CHANGING) or "splice_region_variant" in terms


def to_float(x: str | None) -> float:
    """Float of a TSV cell; NaN for '' or text."""
    try:
        return float(x) if x not in (None, "") else math.nan
    except ValueError:
        return math.nan


def present(alt_reads: float, min_alt_reads: int) -> bool:
    """Seen in a sample: at least ``min_alt_reads`` alternate reads (EVOLVE's rule)."""
    return not math.isnan(alt_reads) and alt_reads >= min_alt_reads


def homozygous(adjusted_vaf: float, is_present: bool, threshold: float) -> bool:
    """Purity-adjusted VAF (fraction) above ``threshold`` (strictly) where present."""
    return is_present and not math.isnan(adjusted_vaf) and adjusted_vaf > threshold


def fmt(x: float, digits: int = 4) -> str:
    """A number for the TSV: '' for NaN, integers without decimals, else ``digits`` decimals."""
    if math.isnan(x):
        return ""
    return str(int(x)) if float(x).is_integer() else f"{round(x, digits):g}"


def tf(b: bool) -> str:
    return "true" if b else "false"


def natural_key(s: str) -> list:
    """'P2' < 'P10'."""
    return [int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", s)]


# ---------------------------------------------------------------------------- reading

def read_rows(path: Path, need: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    """Header and rows (dicts of strings) of a TSV written by escapeseq-evolve (pandas
    quoting); InputError naming the file on a missing column or a ragged row."""
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh, delimiter="\t"))
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from None
    except (UnicodeDecodeError, csv.Error) as err:
        raise InputError(path, None, f"cannot read TSV: {err}") from None
    if not rows:
        raise InputError(path, "line 1", "empty file, expected a header")
    head = rows[0]
    miss = [c for c in need if c not in head]
    if miss:
        raise InputError(path, "header", f"missing column(s) {', '.join(miss)}")
    out = []
    for n, r in enumerate(rows[1:], 2):
        if not r:
            continue
        if len(r) != len(head):
            raise InputError(path, f"line {n}", f"{len(r)} fields, header has {len(head)}")
        out.append(dict(zip(head, r)))
    return head, out


def group_tables(paths: Iterable[Path]) -> dict[str, dict[str, Path]]:
    """{patient: {'mutations'|'candidates'|'summary': path}} from ``<patient>.<kind>.tsv``
    file names; a file of another name, a duplicate or a patient lacking a kind is an error."""
    out: dict[str, dict[str, Path]] = {}
    for p in paths:
        m = re.fullmatch(r"(.+)\.(mutations|candidates|summary)\.tsv", p.name)
        if not m:
            raise InputError(p, None, "not an evolution table (expected <patient>.mutations.tsv, "
                                      ".candidates.tsv or .summary.tsv)")
        d = out.setdefault(m.group(1), {})
        if m.group(2) in d:
            raise InputError(p, None, f"second {m.group(2)} table of patient {m.group(1)}")
        d[m.group(2)] = p
    for patient, d in out.items():
        miss = [k for k in KINDS if k not in d]
        if miss:
            raise InputError(next(iter(d.values())), None,
                             f"patient {patient} has no {', '.join(f'{patient}.{k}.tsv' for k in miss)}")
    return out


def tumour_samples(header: Sequence[str]) -> list[str]:
    """Tumour samples of a mutations table, in timepoint order (its <sample>_adjusted_vaf columns)."""
    return [c.removesuffix("_adjusted_vaf") for c in header if c.endswith("_adjusted_vaf")]


def sample_timepoints(summary: list[dict[str, str]], tumours: Sequence[str]) -> list[str]:
    """Timepoint of each tumour from the summary's ``purity_<timepoint>`` rows ("purity of
    <sample> (fraction)"); else the rows' order; else the sample name."""
    by_sample, ordered = {}, []
    for r in summary:
        if r["metric"].startswith("purity_"):
            tp = r["metric"].removeprefix("purity_")
            ordered.append(tp)
            m = re.fullmatch(r"purity of (.+) \(fraction\)", r.get("description", ""))
            if m:
                by_sample[m.group(1)] = tp
    if all(s in by_sample for s in tumours):
        return [by_sample[s] for s in tumours]
    if len(ordered) == len(tumours):
        return ordered
    return list(tumours)


@dataclass
class PatientTables:
    """One patient's evolution tables (strings as read)."""
    patient: str
    tumours: list[str]
    timepoints: list[str]
    summary: dict[str, str]
    mutations: list[dict[str, str]]
    candidates: list[dict[str, str]]


def load_patient(patient: str, paths: dict[str, Path]) -> PatientTables:
    mh, muts = read_rows(paths["mutations"], MUTATION_NEEDED)
    _, cands = read_rows(paths["candidates"], CANDIDATE_NEEDED)
    _, summ = read_rows(paths["summary"], SUMMARY_NEEDED)
    tumours = tumour_samples(mh)
    if not tumours:
        raise InputError(paths["mutations"], "header", "no <sample>_adjusted_vaf column")
    for s in tumours:
        miss = [f"{s}_{k}" for k in ("alt_reads", "depth", "vaf") if f"{s}_{k}" not in mh]
        if miss:
            raise InputError(paths["mutations"], "header", f"missing column(s) {', '.join(miss)}")
    return PatientTables(patient, tumours, sample_timepoints(summ, tumours),
                         {r["metric"]: r["value"] for r in summ}, muts, cands)


# ---------------------------------------------------------------------------- the view

@dataclass
class Cohort:
    """What the grid and the TSVs show."""
    events: list[dict[str, str]]                         # ESCAPE_COLUMNS rows
    patients: list[dict[str, str]]                       # SUMMARY_COLUMNS rows
    columns: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # patient -> [(sample, timepoint)]
    pathways: dict[str, str] = field(default_factory=dict)
    homozygous_vaf: set[str] = field(default_factory=set)   # EVOLVE's thresholds in use


def escape_events(pt: PatientTables) -> list[dict[str, str]]:
    """Tidy rows: every escape-gene event of a patient in every tumour sample."""
    s = pt.summary
    min_alt_f, hom_vaf = to_float(s.get("param_min_alt_reads")), to_float(s.get("param_homozygous_vaf"))
    min_alt = 2 if math.isnan(min_alt_f) else int(min_alt_f)     # EVOLVE's defaults
    hom_vaf = 0.85 if math.isnan(hom_vaf) else hom_vaf
    cand = {(c["chrom"], c["pos"], c["ref"], c["alt"]): c for c in pt.candidates}
    base = pt.tumours[0]
    out = []
    for m in pt.mutations:
        c = cand.get((m["chrom"], m["pos"], m["ref"], m["alt"]))
        if not is_escape_event(m, c is not None):
            continue
        base_loh = m.get(f"{base}_loh") == "true"
        for j, (smp, tp) in enumerate(zip(pt.tumours, pt.timepoints)):
            alt = to_float(m.get(f"{smp}_alt_reads"))
            adj = to_float(m.get(f"{smp}_adjusted_vaf"))
            here = present(alt, min_alt)
            loh = m.get(f"{smp}_loh") == "true"
            out.append({
                "patient": pt.patient, "sample": smp, "timepoint": tp, "timepoint_order": str(j + 1),
                "purity": s.get(f"purity_{tp}", ""), "gene": m["gene"], "pathway": m.get("pathway", ""),
                "chrom": m["chrom"], "pos": m["pos"], "ref": m["ref"], "alt": m["alt"],
                "consequence": m["consequence"], "variant_class": variant_class(m["consequence"]),
                "hgvs_c": m["hgvs_c"], "hgvs_p": m["hgvs_p"], "hgvs_p_short": m.get("hgvs_p_short", ""),
                "lof_confidence": m.get("lof_confidence", ""), "present": tf(here),
                "alt_reads": fmt(alt), "depth": fmt(to_float(m.get(f"{smp}_depth"))),
                "vaf": fmt(to_float(m.get(f"{smp}_vaf"))), "adjusted_vaf": fmt(adj),
                "homozygous": tf(homozygous(adj, here, hom_vaf)), "loh": tf(loh),
                # LOH over the site here but not at baseline; at the last timepoint EVOLVE's
                # acquired-LOH segments (loh_acquired) decide
                "loh_acquired": tf(j > 0 and ((m["loh_acquired"] == "true")
                                              if j == len(pt.tumours) - 1 else (loh and not base_loh))),
                "class": m["class"], "homozygous_acquired": m["homozygous_acquired"],
                "candidate_rank": c["rank"] if c else "", "confidence": c["confidence"] if c else "",
                "score": c["score"] if c else "",
            })
    return out


def patient_row(pt: PatientTables, events: list[dict[str, str]], identity: str, href: str) -> dict[str, str]:
    s = pt.summary
    hit = sorted({e["gene"] for e in events if e["present"] == "true"}, key=natural_key)
    row = {k: s.get(k, "") for k in SUMMARY_COLUMNS}
    row.update({"patient": pt.patient, "status": "analysed", "identity": identity,
                "tumour_samples": ",".join(pt.tumours), "timepoints": ",".join(pt.timepoints),
                "escape_genes_hit": ",".join(hit), "report": href})
    return row


def identity_decision(rows: list[dict[str, str]]) -> str:
    """The patient's worst tumour identity decision: mismatch > undecidable > match."""
    ds = {r.get("decision", "") for r in rows}
    for d in ("mismatch", "undecidable", "match"):
        if d in ds:
            return d
    return ""


def build_cohort(tables: Sequence[Path], identity: Sequence[dict[str, str]],
                 hrefs: dict[str, str]) -> Cohort:
    """The cohort from the evolution tables of every analysed patient, every tumour's identity
    row (a patient with a mismatch and no tables is *stopped*), and report links by patient."""
    by_id: dict[str, list[dict[str, str]]] = {}
    for r in identity:
        by_id.setdefault(r["patient"], []).append(r)
    groups = group_tables(tables)
    cohort = Cohort(events=[], patients=[])
    for p in sorted(set(groups) | set(by_id), key=natural_key):
        dec = identity_decision(by_id.get(p, []))
        if p in groups:
            pt = load_patient(p, groups[p])
            ev = escape_events(pt)
            cohort.events += ev
            cohort.patients.append(patient_row(pt, ev, dec, hrefs.get(p, "")))
            cohort.columns[p] = list(zip(pt.tumours, pt.timepoints))
            cohort.homozygous_vaf.add(pt.summary.get("param_homozygous_vaf") or "0.85")
            for m in pt.mutations:
                if m.get("escape_gene") == "true" and m.get("pathway"):
                    cohort.pathways.setdefault(m["gene"], m["pathway"])
        else:
            tum = sorted({r["tumour"] for r in by_id[p]}, key=natural_key)
            row = dict.fromkeys(SUMMARY_COLUMNS, "")
            row.update({"patient": p, "status": "stopped" if dec == "mismatch" else "no_results",
                        "identity": dec, "tumour_samples": ",".join(tum), "report": hrefs.get(p, "")})
            cohort.patients.append(row)
            cohort.columns[p] = [(t, "") for t in tum]
    # analysed patients first, then those stopped or without results
    cohort.patients.sort(key=lambda r: (r["status"] != "analysed", natural_key(r["patient"])))
    return cohort


def tsv_text(columns: Sequence[str], rows: Iterable[dict[str, str]]) -> str:
    """Tab-separated text with a header; tabs and newlines inside a value become spaces."""
    def clean(v: object) -> str:
        return re.sub(r"[\t\r\n]", " ", "" if v is None else str(v))
    lines = ["\t".join(columns)] + ["\t".join(clean(r.get(c, "")) for c in columns) for r in rows]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- HTML

def _pct(v: str) -> str:
    x = to_float(v)
    return "n/a" if math.isnan(x) else f"{100 * x:.1f} %"


def _label(e: dict[str, str]) -> str:
    """Short change label: the protein change without 'p.' (Q503*), else the cDNA change
    (c.1641+1G>T), else REF>ALT."""
    p = e["hgvs_p_short"] or e["hgvs_p"]
    return p.removeprefix("p.") if p else (e["hgvs_c"] or f"{e['ref']}>{e['alt']}")


def _event_order(e: dict[str, str]) -> tuple:
    return (e["present"] != "true", CONFIDENCE_ORDER.get(e["confidence"], 3),
            CLASS_ORDER.get(e["variant_class"], 99), e["homozygous"] != "true", to_float(e["pos"]))


def _title(e: dict[str, str]) -> str:
    parts = [f"{e['gene']} {e['hgvs_p'] or e['hgvs_c']} ({e['consequence']})",
             f"{e['chrom']}:{e['pos']} {e['ref']}>{e['alt']}",
             f"{e['sample']} ({e['timepoint']}): {e['alt_reads']}/{e['depth']} reads, "
             f"adjusted VAF {e['adjusted_vaf'] or 'n/a'}",
             f"class {e['class']}" + (", homozygous" if e["homozygous"] == "true" else "")
             + (", LOH acquired" if e["loh_acquired"] == "true" else ", LOH" if e["loh"] == "true" else "")]
    if e["confidence"]:
        parts.append(f"candidate #{e['candidate_rank']}, {e['confidence']} confidence (score {e['score']})")
    return "\n".join(parts)


def cell_html(events: list[dict[str, str]]) -> str:
    """One grid cell: the gene's events in one tumour sample (empty, not seen, or hit)."""
    if not events:
        return '<td class="cell none"></td>'
    ev = sorted(events, key=_event_order)
    title = esc("\n\n".join(_title(e) for e in ev))
    top = ev[0]
    if top["present"] != "true":
        return (f'<td class="cell absent" title="{title}">not seen<br>'
                f'<span class="reads">{esc(top["alt_reads"])}/{esc(top["depth"])}</span></td>')
    hits = [e for e in ev if e["present"] == "true"]
    tags = []
    if top["homozygous"] == "true":
        tags.append('<span class="tag hom">hom</span>')
    if top["loh_acquired"] == "true":
        tags.append('<span class="tag loh">LOH+</span>')
    elif top["loh"] == "true":
        tags.append('<span class="tag lohs">LOH</span>')
    if top["confidence"]:
        tags.append(f'<span class="conf {esc(top["confidence"])}">{esc(top["confidence"][0].upper())}</span>')
    more = f'<span class="multi">+{len(hits) - 1}</span>' if len(hits) > 1 else ""
    cls = f"cell hit vc-{esc(top['variant_class'])}" + (" homcell" if top["homozygous"] == "true" else "")
    return (f'<td class="{cls}" title="{title}"><span class="lbl">{esc(_label(top))}</span>{more}'
            f'<br>{" ".join(tags)}</td>')


METRIC_ROWS = [
    ("baseline_retained_fraction", "Baseline mutations retained", True),
    ("nonsynonymous_retained_fraction", "Protein-changing retained", True),
    ("n_relapse_only", "New mutations at relapse", False),
    ("n_homozygous_relapse_only", "New homozygous at relapse", False),
    ("n_loh_acquired", "LOH segments acquired", False),
]


def legend_html(homozygous_vaf: set[str] = frozenset({"0.85"})) -> str:
    sw = "".join(f'<span class="lg"><span class="sw vc-{k}"></span>{esc(label)}</span>'
                 for k, label in VARIANT_CLASSES)
    thr = (next(iter(homozygous_vaf)) if len(homozygous_vaf) == 1
           else "the patient's threshold (" + ", ".join(sorted(homozygous_vaf)) + ")")
    return (f'<div class="legend">{sw}<br>'
            '<span class="lg"><span class="sw homdemo"></span><span class="tag hom">hom</span> homozygous: '
            f'purity-adjusted VAF &gt; {esc(thr)} in that sample</span>'
            '<span class="lg"><span class="tag loh">LOH+</span> LOH over the site acquired since baseline</span>'
            '<span class="lg"><span class="tag lohs">LOH</span> LOH already at baseline</span><br>'
            '<span class="lg">Candidate confidence: <span class="conf high">H</span> high '
            '<span class="conf medium">M</span> medium <span class="conf low">L</span> low '
            '(no letter: not a ranked candidate)</span>'
            '<span class="lg"><span class="multi">+1</span> more mutations in the gene (hover for all)</span>'
            '<span class="lg"><span class="sw absentdemo"></span>not seen: mutated at another timepoint, '
            'alt/total reads here</span>'
            '<span class="lg"><span class="sw stoppeddemo"></span>stopped: tumour does not match its normal</span>'
            '</div>')


def render_cohort(c: Cohort) -> str:
    """The cohort section of index.html: grid, per-patient metrics rows, legend."""
    pats = c.patients
    if not pats:
        return ""
    cols = [(p["patient"], smp, tp) for p in pats for smp, tp in c.columns.get(p["patient"], [])]
    status = {p["patient"]: p["status"] for p in pats}
    cells: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for e in c.events:
        cells.setdefault((e["gene"], e["patient"], e["sample"]), []).append(e)
    hit_patients: dict[str, set[str]] = {}
    for e in c.events:
        if e["present"] == "true":
            hit_patients.setdefault(e["gene"], set()).add(e["patient"])
    n_analysed = sum(s == "analysed" for s in status.values())
    genes = sorted(hit_patients, key=lambda g: (-len(hit_patients[g]), natural_key(g)))

    h1 = ['<th class="corner">Patient</th>']
    for p in pats:
        n = max(1, len(c.columns.get(p["patient"], [])))
        name = esc(p["patient"])
        link = f'<a href="{esc(p["report"])}">{name}</a>' if p["report"] else name
        note = {"stopped": '<br><span class="stopnote">stopped: identity mismatch</span>',
                "no_results": '<br><span class="stopnote">no results</span>'}.get(p["status"], "")
        h1.append(f'<th class="pt" colspan="{n}">{link}{note}</th>')
    h1.append('<th class="freq" rowspan="2">Patients<br>hit</th>')
    h2 = ['<th class="corner">Timepoint</th>']
    for p in pats:
        pc = c.columns.get(p["patient"], []) or [("", "")]
        for smp, tp in pc:
            h2.append(f'<th class="tp">{esc(tp or "tumour")}<br><span class="smp">{esc(smp)}</span></th>')
    body = []
    for g in genes:
        tds = [f'<th class="gene">{esc(g)}<br><span class="pw">{esc(c.pathways.get(g, ""))}</span></th>']
        for p in pats:
            pc = c.columns.get(p["patient"], []) or [("", "")]
            for smp, _ in pc:
                if p["status"] != "analysed":
                    tds.append('<td class="cell stopped"></td>')
                else:
                    tds.append(cell_html(cells.get((g, p["patient"], smp), [])))
        tds.append(f'<td class="num freq">{len(hit_patients[g])}/{n_analysed}</td>')
        body.append(f"<tr>{''.join(tds)}</tr>")
    if not genes:
        body.append(f'<tr><td colspan="{len(cols) + 2}" class="note">No escape-gene mutation in any '
                    f"patient.</td></tr>")
    metrics = []
    for key, label, frac in METRIC_ROWS:
        tds = [f'<th class="metric">{esc(label)}</th>']
        for p in pats:
            n = max(1, len(c.columns.get(p["patient"], [])))
            v = p.get(key, "")
            shown = "stopped" if p["status"] == "stopped" else (_pct(v) if frac else (v or "n/a"))
            tds.append(f'<td class="num metricv" colspan="{n}">{esc(shown)}</td>')
        tds.append("<td></td>")
        metrics.append(f"<tr>{''.join(tds)}</tr>")
    conf = ['<th class="metric">Candidates high / medium / low</th>']
    for p in pats:
        n = max(1, len(c.columns.get(p["patient"], [])))
        v = ("stopped" if p["status"] == "stopped" else
             " / ".join(p.get(f"n_candidates_{k}") or "0" for k in ("high", "medium", "low")))
        conf.append(f'<td class="num metricv" colspan="{n}">{esc(v)}</td>')
    metrics.append(f"<tr>{''.join(conf)}<td></td></tr>")
    return (
        '<section id="cohort"><h2>Cohort view: immune-escape genes hit</h2>\n'
        '<p class="note">Rows: escape-panel genes with a protein-changing or splice mutation (FILTER PASS) '
        'in any patient, most often hit first. Columns: each patient\'s tumour timepoints. Cell colour: '
        'mutation class; letters: the candidate\'s confidence. Below the grid: the clonal metrics of '
        'Zaretsky et al. 2016 per patient. Hover a cell for reads and VAF; the patient name links to '
        'its report. The same data for R: <code>cohort.escape.tsv</code>, <code>cohort.summary.tsv</code>.</p>\n'
        '<div class="gridwrap"><table class="oncogrid">'
        f"<thead><tr>{''.join(h1)}</tr><tr>{''.join(h2)}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody><tbody class=\"metrics\">{''.join(metrics)}</tbody></table></div>\n"
        f"{legend_html(c.homozygous_vaf or {'0.85'})}</section>\n")
