"""Clonal relatedness summary of a patient (``<patient>.summary.tsv``) and its MultiQC row.

Fractions are fractions in [0, 1]. Counts use mutations passing the caller's filters
(FILTER PASS) only.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from escapeseq.annotate.terms import PROTEIN_CHANGING
from escapeseq.evolution.inputs import Patient

SUMMARY_COLUMNS = ["patient", "metric", "value", "description"]


def retained_fraction(n_shared: int, n_baseline_only: int) -> float:
    """Fraction of baseline mutations still present at relapse.

    A baseline mutation is either kept (shared) or lost (baseline_only); mutations whose
    absence could not be established (``unknown``) are left out of both:

        retained = shared / (shared + baseline_only)     (NaN when both are 0).
    """
    tot = n_shared + n_baseline_only
    return n_shared / tot if tot else float("nan")


def protein_changing(consequence: pd.Series) -> np.ndarray:
    """True where any '&'-joined SO term changes the protein (nonsynonymous)."""
    return consequence.fillna("").astype(str).map(
        lambda c: any(t in PROTEIN_CHANGING for t in c.split("&"))).to_numpy(bool)


def summarise(patient: Patient, table: pd.DataFrame, candidates: pd.DataFrame,
              loh_changes: pd.DataFrame, purity: dict[str, float]) -> list[tuple[str, object, str]]:
    """(metric, value, description) rows of the clonal relatedness summary."""
    t = table[table["filter"] == "PASS"]
    cls = t["class"].to_numpy()
    c = {k: int((cls == k).sum()) for k in ("shared", "baseline_only", "relapse_only",
                                            "intermediate_only", "unknown")}
    ns = protein_changing(t["consequence"])
    cn = {k: int(((cls == k) & ns).sum()) for k in ("shared", "baseline_only", "relapse_only")}
    hom_r = t["homozygous_relapse"].to_numpy(bool)
    lc = loh_changes if loh_changes is not None else pd.DataFrame(columns=["change", "start", "end"])

    def loh(kind: str) -> tuple[int, int]:
        x = lc[lc["change"] == kind] if len(lc) else lc
        return len(x), int((x["end"] - x["start"] + 1).sum()) if len(x) else 0

    rows: list[tuple[str, object, str]] = [
        ("baseline_sample", patient.baseline, "first tumour timepoint"),
        ("relapse_sample", patient.relapse, "last tumour timepoint"),
        ("n_mutations", len(t), "somatic mutations passing filters"),
        ("n_shared", c["shared"], "seen at baseline and relapse"),
        ("n_baseline_only", c["baseline_only"], "seen at baseline, powered absent at relapse"),
        ("n_relapse_only", c["relapse_only"], "seen at relapse, powered absent at baseline"),
        ("n_intermediate_only", c["intermediate_only"], "seen only between baseline and relapse"),
        ("n_unknown", c["unknown"], "absence at one end not powered"),
        ("baseline_retained_fraction", retained_fraction(c["shared"], c["baseline_only"]),
         "shared / (shared + baseline_only): baseline mutations retained at relapse"),
        ("n_nonsynonymous_baseline", cn["shared"] + cn["baseline_only"],
         "protein-changing mutations at baseline (shared + baseline_only)"),
        ("nonsynonymous_retained_fraction", retained_fraction(cn["shared"], cn["baseline_only"]),
         "the same fraction over protein-changing mutations (the paper's 92.5 % / 95.8 %)"),
        ("n_nonsynonymous_relapse_only", cn["relapse_only"], "new protein-changing mutations"),
        ("n_loh_shared", loh("shared")[0], "LOH segments present at baseline and relapse"),
        ("bp_loh_shared", loh("shared")[1], "bp of shared LOH"),
        ("n_loh_acquired", loh("acquired")[0], "LOH segments acquired at relapse"),
        ("bp_loh_acquired", loh("acquired")[1], "bp of acquired LOH"),
        ("n_loh_lost", loh("lost")[0], "LOH segments at baseline not seen at relapse"),
        ("n_baseline_het_lost_in_acquired_loh", int(t["baseline_het_lost"].sum()),
         "baseline heterozygous mutations absent at relapse inside acquired LOH (on the lost allele)"),
        ("n_became_homozygous", int(t["homozygous_acquired"].sum()),
         "relapse adjusted VAF above the homozygous threshold and risen by more than the gain threshold"),
        ("n_homozygous_relapse_only", int(((cls == "relapse_only") & hom_r).sum()),
         "new mutations homozygous at relapse"),
    ]
    for s, tp in zip(patient.tumours, patient.timepoints):
        rows.append((f"purity_{tp}", purity.get(s, float("nan")), f"purity of {s} (fraction)"))
    for k in ("high", "medium", "low"):
        n = int((candidates["confidence"] == k).sum()) if len(candidates) else 0
        rows.append((f"n_candidates_{k}", n, f"{k}-confidence resistance candidates"))
    top = candidates.iloc[0] if len(candidates) else None
    rows.append(("top_candidate", "" if top is None else f"{top['gene']} {top['hgvs_p'] or top['hgvs_c']}".strip(),
                 "rank-1 candidate"))
    return rows


def fmt_value(v: object) -> str:
    if isinstance(v, (float, np.floating)):
        return "" if not np.isfinite(v) else f"{round(float(v), 4):g}"
    return str(v)


def summary_frame(patient: Patient, rows: list[tuple[str, object, str]]) -> pd.DataFrame:
    return pd.DataFrame([(patient.patient, m, fmt_value(v), d) for m, v, d in rows],
                        columns=SUMMARY_COLUMNS)


def mqc_text(patient: Patient, rows: list[tuple[str, object, str]]) -> str:
    """MultiQC custom-content table row: shared fraction (%), candidate counts, purities."""
    d = {m: v for m, v, _ in rows}
    cols = [("baseline_retained_pct", 100 * d["baseline_retained_fraction"]
             if np.isfinite(d["baseline_retained_fraction"]) else float("nan")),
            ("n_shared", d["n_shared"]), ("n_relapse_only", d["n_relapse_only"]),
            ("n_candidates_high", d["n_candidates_high"]),
            ("n_candidates_medium", d["n_candidates_medium"])]
    cols += [(f"purity_{tp}", d[f"purity_{tp}"]) for tp in patient.timepoints]
    head = ("# id: 'escapeseq_evolution'\n"
            "# section_name: 'Clonal evolution and resistance candidates'\n"
            "# description: 'Per patient: baseline mutations retained at relapse (%), "
            "new mutations, ranked immune-escape candidates by confidence, tumour purity per timepoint.'\n"
            "# plot_type: 'table'\n")
    return (head + "\t".join(["Sample"] + [k for k, _ in cols]) + "\n"
            + "\t".join([patient.patient] + [fmt_value(v) for _, v in cols]) + "\n")
