"""Ranked resistance candidates (``<patient>.candidates.tsv``) with a one-sentence reason.

Score (additive, 0–11; each term documented in the report's methods):

======================  ======  =====================================================
term                    points  when
======================  ======  =====================================================
acquired                3       class relapse_only, or homozygous_acquired
loss of function        3 / 1   lof_confidence high / low
escape panel            2       gene in the immune-escape panel
second hit              2       acquired LOH over the mutation, a second LoF mutation
                                in the same gene at relapse, or homozygous at relapse
                                (adjusted VAF above the homozygous threshold)
clonality at relapse    0–1     cancer cell fraction at relapse (fraction)
======================  ======  =====================================================

Confidence: ``high`` = acquired + high-confidence LoF + escape gene + second hit + clonal
at relapse (CCF ≥ ``min_ccf``) + FILTER PASS; ``medium`` = escape-gene LoF that is
acquired or has a second hit; ``low`` = every other listed row. Listed rows: PASS
mutations in escape genes that change the protein or are LoF, and acquired
high-confidence LoF mutations in any gene.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from escapeseq.annotate.terms import PROTEIN_CHANGING
from escapeseq.evolution.inputs import Patient

CANDIDATE_COLUMNS = ["rank", "gene", "chrom", "pos", "ref", "alt", "hgvs_c", "hgvs_p",
                     "consequence", "confidence", "score", "explanation",
                     # extras
                     "class", "lof_confidence", "escape_gene", "pathway", "second_hit",
                     "relapse_adjusted_vaf", "relapse_ccf", "evidence"]
W_ACQUIRED, W_LOF_HIGH, W_LOF_LOW, W_ESCAPE, W_SECOND, W_CLONAL = 3.0, 3.0, 1.0, 2.0, 2.0, 1.0

#: what losing each gene does (biology from DESIGN.md §1); other genes fall back to the
#: panel's pathway.
GENE_FUNCTION = {
    "JAK1": "IFN-alpha/beta/gamma signalling",
    "JAK2": "IFN-gamma signalling",
    "IFNGR1": "IFN-gamma signalling",
    "IFNGR2": "IFN-gamma signalling",
    "STAT1": "IFN-gamma (and IFN-alpha/beta) signalling",
    "IRF1": "IFN-gamma-induced antigen presentation",
    "B2M": "MHC class I antigen presentation by every HLA class I molecule",
    "HLA-A": "HLA-A antigen presentation",
    "HLA-B": "HLA-B antigen presentation",
    "HLA-C": "HLA-C antigen presentation",
    "TAP1": "peptide transport for MHC class I",
    "TAP2": "peptide transport for MHC class I",
}


@dataclass(frozen=True)
class RankParams:
    """Thresholds of the confidence tiers (fractions)."""
    min_ccf: float = 0.5


def _num(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v


def label(row: pd.Series) -> str:
    """Short name of the change: protein change, else cDNA change, else chrom:pos ref>alt."""
    for c in ("hgvs_p_short", "hgvs_p", "hgvs_c"):
        v = str(row.get(c, "") or "")
        if v and v != "nan":
            v = v.split(":")[-1]
            return f"p.{v}" if c == "hgvs_p_short" and not v.startswith("p.") else v
    return f"{row['chrom']}:{row['pos']} {row['ref']}>{row['alt']}"


def read_evidence(row: pd.Series, patient: Patient) -> str:
    """'0/154 baseline, 61/70 relapse' (alt reads / depth at every tumour timepoint)."""
    return ", ".join(f"{int(row[f'{s}_alt_reads'])}/{int(row[f'{s}_depth'])} {t}"
                     for s, t in zip(patient.tumours, patient.timepoints))


def region_label(chrom: str, start: int, end: int, arms: pd.DataFrame | None) -> str:
    """Name an interval (1-based inclusive) by chromosome arm when it covers most of one:
    'chr1p' (≥ 80 % of the arm, ≥ 80 % of the interval inside it), 'chr1' (both arms),
    else 'chr1:1-630,000'."""
    coords = f"{chrom}:{start:,}-{end:,}"
    if arms is None or arms.empty:
        return coords
    a = arms[arms["chrom"].astype(str) == str(chrom)]
    if a.empty:
        return coords
    ov = (np.minimum(a["end"], end) - np.maximum(a["start"], start) + 1).clip(lower=0).to_numpy()
    alen = (a["end"] - a["start"] + 1).to_numpy()
    covered = ov / alen >= 0.8
    if covered.all() and len(a) > 1:
        return f"chromosome {str(chrom).removeprefix('chr')} ({coords})"
    k = int(np.argmax(ov))
    if covered[k] and ov[k] >= 0.8 * (end - start + 1):
        return f"{a['name'].iloc[k]} ({coords})"
    return coords


def loh_phrase(row: pd.Series, loh_changes: pd.DataFrame, arms: pd.DataFrame | None = None) -> str:
    """'copy-neutral LOH of chr1p (chr1:1-630,000) acquired at relapse' for the mutation's
    interval."""
    if loh_changes is None or loh_changes.empty:
        return "LOH acquired at relapse"
    acq = loh_changes[(loh_changes["change"] == "acquired")
                      & (loh_changes["chrom"].astype(str) == str(row["chrom"]))
                      & (loh_changes["start"] <= int(row["pos"]))
                      & (loh_changes["end"] >= int(row["pos"]))]
    if acq.empty:
        return "LOH acquired at relapse"
    r = acq.iloc[0]
    kind = "copy-neutral LOH" if bool(r.get("cn_neutral", False)) else "LOH"
    return f"{kind} of {region_label(str(r['chrom']), int(r['start']), int(r['end']), arms)} acquired at relapse"


def second_hit(row: pd.Series, table: pd.DataFrame, loh_changes: pd.DataFrame,
               relapse: str, arms: pd.DataFrame | None = None) -> str:
    """Why the other allele is gone too ('' when no second hit is found)."""
    if bool(row["loh_acquired"]):
        return loh_phrase(row, loh_changes, arms)
    if bool(row["second_lof_in_gene"]):
        other = table[(table["gene"] == row["gene"]) & table["second_lof_in_gene"]
                      & ~((table["pos"] == row["pos"]) & (table["alt"] == row["alt"]))]
        names = ", ".join(label(r) for _, r in other.iterrows()) or "another LoF mutation"
        return f"second LoF mutation in {row['gene']} ({names})"
    if bool(row["homozygous_relapse"]):
        return (f"homozygous at relapse (adjusted VAF {_num(row[f'{relapse}_adjusted_vaf']):.2f}): "
                "wild-type allele lost")
    return ""


def is_candidate(df: pd.DataFrame) -> np.ndarray:
    """Rows worth listing (see module docstring)."""
    passed = df["filter"].to_numpy() == "PASS"
    lof = df["lof_confidence"].to_numpy()
    prot = df["consequence"].astype(str).map(
        lambda c: any(t in PROTEIN_CHANGING for t in c.split("&"))).to_numpy(bool)
    acquired = (df["class"].to_numpy() == "relapse_only") | df["homozygous_acquired"].to_numpy(bool)
    esc = df["escape_gene"].to_numpy(bool)
    return passed & ((esc & ((lof != "none") | prot)) | ((lof == "high") & acquired))


def rank_candidates(table: pd.DataFrame, patient: Patient, loh_changes: pd.DataFrame,
                    panel: dict[str, dict], params: RankParams = RankParams(),
                    arms: pd.DataFrame | None = None) -> pd.DataFrame:
    """Score, tier and explain the candidate rows of a mutations table (typed, from
    :func:`escapeseq.evolution.table.build_table`). Returns :data:`CANDIDATE_COLUMNS`,
    best first (ties: chrom, pos), ``rank`` 1..n."""
    rel = patient.relapse
    rows = []
    for i in np.flatnonzero(is_candidate(table)):
        r = table.iloc[i]
        acquired = r["class"] == "relapse_only" or bool(r["homozygous_acquired"])
        lof = r["lof_confidence"]
        esc = bool(r["escape_gene"])
        hit = second_hit(r, table, loh_changes, rel, arms)
        ccf_r = _num(r[f"{rel}_ccf"])
        clon = 0.0 if not np.isfinite(ccf_r) else float(np.clip(ccf_r, 0, 1))
        score = (W_ACQUIRED * acquired + (W_LOF_HIGH if lof == "high" else W_LOF_LOW if lof == "low" else 0)
                 + W_ESCAPE * esc + W_SECOND * bool(hit) + W_CLONAL * clon)
        if (acquired and lof == "high" and esc and hit and clon >= params.min_ccf
                and r["filter"] == "PASS" and r["class"] != "unknown"):
            conf = "high"
        elif esc and lof != "none" and (acquired or hit):
            conf = "medium"
        else:
            conf = "low"
        rows.append({**{c: r[c] for c in ("gene", "chrom", "pos", "ref", "alt", "hgvs_c", "hgvs_p",
                                          "consequence", "class", "lof_confidence", "pathway")},
                     "escape_gene": esc, "confidence": conf, "score": round(score, 3),
                     "second_hit": hit, "relapse_adjusted_vaf": _num(r[f"{rel}_adjusted_vaf"]),
                     "relapse_ccf": ccf_r, "evidence": read_evidence(r, patient),
                     "explanation": explain(r, patient, hit, conf, panel)})
    out = pd.DataFrame(rows, columns=[c for c in CANDIDATE_COLUMNS if c != "rank"])
    if out.empty:
        out.insert(0, "rank", pd.Series(dtype=np.int64))
        return out
    tier = out["confidence"].map({"high": 0, "medium": 1, "low": 2})
    out = out.assign(_t=tier).sort_values(["_t", "score", "chrom", "pos"],
                                           ascending=[True, False, True, True], kind="stable")
    out = out.drop(columns="_t").reset_index(drop=True)
    out.insert(0, "rank", np.arange(1, len(out) + 1))
    return out


def explain(r: pd.Series, patient: Patient, hit: str, conf: str, panel: dict[str, dict]) -> str:
    """One sentence: what, when (with reads), how much, second hit, and what it does."""
    rel, base = patient.relapse, patient.baseline
    name = f"{r['gene'] or 'intergenic'} {label(r)}".strip()
    cons = str(r["consequence"] or "").replace("_variant", "").replace("_", " ")
    cls = r["class"]
    ev = read_evidence(r, patient)
    if cls == "relapse_only":
        pw = _num(r[f"{base}_power"])
        pw_txt = f", power {pw:.2f}" if np.isfinite(pw) else ""
        later = ", ".join(f"{int(r[f'{s}_alt_reads'])}/{int(r[f'{s}_depth'])} {t}"
                          for s, t in zip(patient.tumours[1:], patient.timepoints[1:]))
        when = (f"relapse-only ({int(r[f'{base}_alt_reads'])}/{int(r[f'{base}_depth'])} baseline reads"
                f"{pw_txt}; {later})")
    elif cls == "shared":
        when = f"present at baseline and relapse ({ev})"
        if bool(r["homozygous_acquired"]):
            when += ", became homozygous at relapse"
    elif cls == "baseline_only":
        when = f"baseline-only ({ev})"
    else:
        when = f"class {cls} ({ev}: too few reads to call absence)"
    adj = _num(r[f"{rel}_adjusted_vaf"])
    adj_txt = f"adjusted VAF {adj:.2f} at relapse" if np.isfinite(adj) else "adjusted VAF unknown (no purity)"
    g = str(r["gene"])
    func = GENE_FUNCTION.get(g) or (panel.get(g, {}).get("pathway") if g in panel else "")
    if bool(r["escape_gene"]):
        effect = (f"biallelic loss of {func}" if hit else
                  f"one allele of {g} lost, no second hit found ({func})")
    else:
        effect = f"{g or 'the locus'} is not in the immune-escape panel"
    parts = [f"{name}" + (f" ({cons})" if cons else ""), when, adj_txt]
    if hit:
        parts.append(hit)
    return ", ".join(parts) + f": {effect} [{conf} confidence]."


def attach_ranks(table: pd.DataFrame, candidates: pd.DataFrame) -> pd.DataFrame:
    """Copy each candidate's rank into the mutations table's ``rank`` column ('' otherwise)."""
    t = table.copy()
    key = dict(zip(zip(candidates["chrom"], candidates["pos"], candidates["ref"], candidates["alt"]),
                   candidates["rank"]))
    t["rank"] = [str(key.get((c, p, a, b), "")) for c, p, a, b in
                 zip(t["chrom"], t["pos"], t["ref"], t["alt"])]
    return t


# --- RNA evidence (issue 16): optional; nothing changes without it ----------------------

def add_rna_explanations(candidates: pd.DataFrame, rna_evidence: pd.DataFrame | None) -> pd.DataFrame:
    """Append each candidate's RNA sentence (``escapeseq-rna evidence``: rows of kind
    ``candidate``, column ``explanation``) to its explanation; the table is returned
    unchanged when ``rna_evidence`` is None or has no sentence for a candidate."""
    if rna_evidence is None or candidates.empty:
        return candidates
    rows = rna_evidence[(rna_evidence["kind"] == "candidate") & (rna_evidence["explanation"] != "")]
    said = {(str(r["chrom"]), str(r["pos"]), str(r["ref"]), str(r["alt"])): str(r["explanation"])
            for _, r in rows.iterrows()}
    out = candidates.copy()
    base = out["explanation"] if "explanation" in out.columns else [""] * len(out)
    out["explanation"] = [
        f"{e} {said[k]}".strip() if k in said else e for e, k in zip(
            base, zip(out["chrom"].astype(str), out["pos"].astype(str),
                                    out["ref"].astype(str), out["alt"].astype(str)))]
    return out
