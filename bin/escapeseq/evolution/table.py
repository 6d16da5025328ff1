"""The per-patient evolution table (``<patient>.mutations.tsv``).

One row per somatic mutation with its read evidence, purity-adjusted VAF and copy-number
context at every tumour timepoint, and its class:

* ``shared``: seen at baseline (first tumour) and at relapse (last tumour);
* ``baseline_only`` / ``relapse_only``: seen at one end and *powered absent* at the other;
* ``intermediate_only``: seen only at a middle timepoint (more than two tumours);
* ``unknown``: not seen at one end, but that sample had too few reads to have seen it.

"Seen" means at least ``min_alt_reads`` alternate reads. "Powered absent" means fewer
than that although the probability of seeing them, had the mutation been there at the
adjusted VAF of the timepoint where it is seen (re-diluted by this sample's purity and
copy number), is at least ``min_power`` (:mod:`escapeseq.evolution.power`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from escapeseq.cnv.vaf import adjusted_vaf, ccf, homozygous, homozygous_acquired, segments_at
from escapeseq.evolution.inputs import Calls, Patient
from escapeseq.evolution.power import detection_power, expected_observed_vaf

#: contract columns (DESIGN.md §3), before and after the per-sample block.
HEAD = ["chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "hgvs_p",
        "lof_confidence", "filter"]
PER_SAMPLE = ["alt_reads", "depth", "vaf", "adjusted_vaf"]
TAIL = ["class", "homozygous_acquired", "loh_acquired", "escape_gene", "pathway", "rank"]
#: extra per-sample and per-mutation columns (after the contract).
EXTRA_SAMPLE = ["cn_total", "cn_minor", "loh", "ccf", "power"]
EXTRA = ["hgvs_p_short", "normal_alt_reads", "normal_depth", "first_seen", "last_seen",
         "homozygous_relapse", "baseline_het_lost", "second_lof_in_gene", "cn_context"]
CLASSES = ("shared", "baseline_only", "relapse_only", "intermediate_only", "unknown")


@dataclass(frozen=True)
class Thresholds:
    """Classification thresholds (VAFs and powers are fractions)."""
    min_alt_reads: int = 2
    min_power: float = 0.95
    homozygous_vaf: float = 0.85
    homozygous_gain: float = 0.35


def columns(tumours: list[str]) -> list[str]:
    """Column order of the mutations table for these tumour samples."""
    per = [f"{s}_{c}" for s in tumours for c in PER_SAMPLE]
    extra = [f"{s}_{c}" for s in tumours for c in EXTRA_SAMPLE]
    return HEAD + per + TAIL + extra + EXTRA


def cn_normal_copies(chroms: np.ndarray, sex: str) -> np.ndarray:
    """Copies in normal cells: 2, or 1 on chrX / chrY of a male (0 on chrY of a female)."""
    c = np.array([str(x).lower().removeprefix("chr") for x in np.asarray(chroms).ravel()],
                 dtype=object)
    out = np.full(len(c), 2.0)
    if sex in ("male", "m", "xy"):
        out[(c == "x") | (c == "y")] = 1.0
    return out


def present_at(alt_reads: np.ndarray, min_alt_reads: int) -> np.ndarray:
    """(n, t) booleans: the mutation is seen at the timepoint (>= ``min_alt_reads`` alt reads).

    The one presence rule of the classification and of the MAF's rows."""
    return np.asarray(alt_reads) >= min_alt_reads


def classify(present: np.ndarray, absent: np.ndarray) -> np.ndarray:
    """Class per row from (n, t) booleans over tumour timepoints in time order.

    ``present``: ≥ min_alt_reads alt reads; ``absent``: fewer and powered. Baseline is
    column 0, relapse the last column.
    """
    pb, pr = present[:, 0], present[:, -1]
    ab, ar = absent[:, 0], absent[:, -1]
    out = np.full(present.shape[0], "unknown", dtype=object)
    out[pb & pr] = "shared"
    out[pb & ar] = "baseline_only"
    out[ab & pr] = "relapse_only"
    mid = present[:, 1:-1].any(axis=1) if present.shape[1] > 2 else np.zeros(len(pb), bool)
    out[ab & ar & mid] = "intermediate_only"
    return out


def reference_adjusted(adj: np.ndarray, vaf: np.ndarray, present: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The level a mutation is seen at: the largest adjusted VAF and the largest raw VAF over
    the timepoints where it is present (NaN where it is present nowhere)."""
    with np.errstate(invalid="ignore"):
        a = np.where(present & np.isfinite(adj), adj, -1.0).max(axis=1)
        v = np.where(present, vaf, -1.0).max(axis=1)
    return np.where(a >= 0, a, np.nan), np.where(v >= 0, v, np.nan)


def absence_power(depth: np.ndarray, ref_adj: np.ndarray, ref_vaf: np.ndarray,
                  purity: np.ndarray, cn_total: np.ndarray, cn_norm: np.ndarray,
                  min_alt_reads: int) -> np.ndarray:
    """(n, t) power to see each mutation at each timepoint at its reference level.

    The expected VAF is the reference adjusted VAF re-diluted by the timepoint's purity
    and copy number; where that is unknown (no purity) the raw reference VAF is used.
    """
    exp = expected_observed_vaf(ref_adj[:, None], purity[None, :], cn_total, cn_norm[:, None])
    exp = np.where(np.isfinite(exp), exp, ref_vaf[:, None])
    return detection_power(depth, exp, min_alt_reads)


def _segment_values(segs: pd.DataFrame | None, chroms: np.ndarray, pos: np.ndarray):
    n = len(pos)
    if segs is None or segs.empty:
        return np.full(n, np.nan), np.full(n, np.nan), np.zeros(n, bool), np.zeros(n, bool)
    idx = segments_at(segs, chroms, pos)
    hit = idx >= 0
    take = np.where(hit, idx, 0)
    cn = np.where(hit, segs["cn_total"].to_numpy(float)[take], np.nan)
    cmin = np.where(hit, segs["cn_minor"].to_numpy(float)[take], np.nan)
    loh = np.where(hit, segs["loh"].to_numpy(bool)[take], False)
    cnl = np.where(hit, segs["cn_neutral_loh"].to_numpy(bool)[take], False)
    return cn, cmin, loh, cnl


def in_intervals(iv: pd.DataFrame, chroms: np.ndarray, pos: np.ndarray) -> np.ndarray:
    """Index of the interval (chrom start end, 1-based inclusive) containing each position,
    −1 where none (first match when several overlap)."""
    out = np.full(len(pos), -1, dtype=np.int64)
    if iv is None or iv.empty:
        return out
    ic = iv["chrom"].astype(str).to_numpy()
    st = iv["start"].to_numpy(np.int64)
    en = iv["end"].to_numpy(np.int64)
    for k in range(len(iv) - 1, -1, -1):
        hit = (chroms == ic[k]) & (pos >= st[k]) & (pos <= en[k])
        out[hit] = k
    return out


def _fmt(x: float, nd: int = 4) -> str:
    return "" if x is None or not np.isfinite(x) else f"{round(float(x), nd):g}"


def build_table(patient: Patient, calls: Calls, annotation: pd.DataFrame,
                purity: dict[str, float], segments: dict[str, pd.DataFrame | None],
                loh_changes: pd.DataFrame, panel: dict[str, dict],
                th: Thresholds = Thresholds()) -> pd.DataFrame:
    """The mutations table (typed: numbers as float/int, booleans as bool), in VCF order.

    ``purity``: tumour sample → purity fraction (NaN unknown); ``segments``: tumour sample
    → segments table or None. Column ``rank`` is left empty (filled by the ranking).
    """
    tum = patient.tumours
    sites = calls.sites.reset_index(drop=True)
    n = len(sites)
    chroms = sites["chrom"].astype(str).to_numpy()
    pos = sites["pos"].to_numpy(np.int64)
    col = {s: calls.samples.index(s) for s in calls.samples}
    alt = calls.alt[:, [col[s] for s in tum]].astype(float).reshape(n, len(tum))
    dep = calls.depth[:, [col[s] for s in tum]].astype(float).reshape(n, len(tum))
    with np.errstate(invalid="ignore", divide="ignore"):
        vaf = np.where(dep > 0, alt / np.where(dep > 0, dep, 1), np.nan)
    pur = np.array([purity.get(s, np.nan) for s in tum], dtype=float)
    cn_norm = cn_normal_copies(chroms, patient.sex)
    seg = [_segment_values(segments.get(s), chroms, pos) for s in tum]
    cn = np.column_stack([x[0] for x in seg]) if n else np.zeros((0, len(tum)))
    cmin = np.column_stack([x[1] for x in seg]) if n else np.zeros((0, len(tum)))
    loh = np.column_stack([x[2] for x in seg]) if n else np.zeros((0, len(tum)), bool)
    cnl = np.column_stack([x[3] for x in seg]) if n else np.zeros((0, len(tum)), bool)
    # unknown copy number: assume the normal copy number (diploid)
    cn_used = np.where(np.isfinite(cn), cn, cn_norm[:, None])
    adj = adjusted_vaf(vaf, pur[None, :], cn_used, cn_norm[:, None])
    cf = ccf(vaf, pur[None, :], cn_used, cn_norm[:, None])

    present = present_at(alt, th.min_alt_reads)
    ref_adj, ref_vaf = reference_adjusted(adj, vaf, present)
    power = absence_power(dep, ref_adj, ref_vaf, pur, cn_used, cn_norm, th.min_alt_reads)
    absent = (~present) & (np.nan_to_num(power, nan=0.0) >= th.min_power)
    cls = classify(present, absent) if n else np.array([], dtype=object)
    tp = np.asarray(patient.timepoints, dtype=object)
    first = np.where(present.any(axis=1), tp[np.argmax(present, axis=1)], "") if n else []
    last = np.where(present.any(axis=1), tp[len(tum) - 1 - np.argmax(present[:, ::-1], axis=1)], "") if n else []

    adj_b = np.where(present[:, 0], adj[:, 0], 0.0) if n else np.zeros(0)
    adj_r = adj[:, -1] if n else np.zeros(0)
    hom_acq = homozygous_acquired(adj_b, adj_r, th.homozygous_vaf, th.homozygous_gain)
    hom_r = homozygous(adj_r, th.homozygous_vaf)

    lohc = loh_changes if loh_changes is not None else pd.DataFrame()
    acq = lohc[lohc["change"] == "acquired"] if not lohc.empty else lohc
    acq_idx = in_intervals(acq, chroms, pos)
    loh_acq = acq_idx >= 0
    base_het_lost = (cls == "baseline_only") & loh_acq & ~homozygous(adj[:, 0] if n else [], th.homozygous_vaf)

    # annotation
    ann = annotation.set_index(["chrom", "pos", "ref", "alt"]) if len(annotation) else None

    def ann_col(name: str, default: str = "") -> list[str]:
        if ann is None or name not in ann.columns:
            return [default] * n
        keys = list(zip(chroms, pos.tolist(), sites["ref"], sites["alt"]))
        s = ann[name].reindex(pd.MultiIndex.from_tuples(keys, names=ann.index.names)) if keys else []
        return [default if (isinstance(v, float) and np.isnan(v)) or v == "" else str(v) for v in s]

    gene = ann_col("gene")
    lof = ann_col("lof_confidence", "none")
    esc_ann = ann_col("escape_gene", "")
    escape = np.array([(e == "true") or (e == "" and g in panel) for g, e in zip(gene, esc_ann)], bool)
    pathway = ann_col("pathway")
    pathway = [p or (panel.get(g, {}).get("pathway", "") if esc else "") for p, g, esc in zip(pathway, gene, escape)]
    # a second LoF mutation in the same gene, present at relapse and passing filters
    lof_arr = np.asarray(lof)
    passed = sites["filter"].to_numpy() == "PASS"
    at_rel = present[:, -1] if n else np.zeros(0, bool)
    gene_arr = np.asarray(gene, dtype=object)
    second = np.zeros(n, bool)
    ok = (lof_arr != "none") & passed & at_rel & (gene_arr != "")
    for g in set(gene_arr[ok]):
        rows = np.flatnonzero(ok & (gene_arr == g))
        if len(rows) > 1:
            second[rows] = True

    def ctx(i: int) -> str:
        parts = []
        for j, s in enumerate(tum):
            if not np.isfinite(cn[i, j]):
                parts.append(f"{patient.timepoints[j]} CN ?")
                continue
            minor = "" if not np.isfinite(cmin[i, j]) else f" (minor {int(cmin[i, j])})"
            kind = " CN-LOH" if cnl[i, j] else (" LOH" if loh[i, j] else "")
            parts.append(f"{patient.timepoints[j]} CN {int(cn[i, j])}{minor}{kind}")
        return "; ".join(parts)

    out: dict[str, object] = {
        "chrom": chroms, "pos": pos, "ref": sites["ref"].to_numpy(), "alt": sites["alt"].to_numpy(),
        "gene": gene, "consequence": ann_col("consequence"), "hgvs_c": ann_col("hgvs_c"),
        "hgvs_p": ann_col("hgvs_p"), "lof_confidence": lof, "filter": sites["filter"].to_numpy(),
    }
    for j, s in enumerate(tum):
        out[f"{s}_alt_reads"] = alt[:, j].astype(np.int64)
        out[f"{s}_depth"] = dep[:, j].astype(np.int64)
        out[f"{s}_vaf"] = vaf[:, j]
        out[f"{s}_adjusted_vaf"] = adj[:, j]
    out.update({"class": cls, "homozygous_acquired": hom_acq.astype(bool),
                "loh_acquired": loh_acq, "escape_gene": escape, "pathway": pathway,
                "rank": [""] * n})
    for j, s in enumerate(tum):
        out[f"{s}_cn_total"] = cn[:, j]
        out[f"{s}_cn_minor"] = cmin[:, j]
        out[f"{s}_loh"] = loh[:, j]
        out[f"{s}_ccf"] = cf[:, j]
        out[f"{s}_power"] = np.where(present[:, j], np.nan, power[:, j])
    nidx = col.get(patient.normal) if patient.normal else None
    out["hgvs_p_short"] = ann_col("hgvs_p_short")
    out["normal_alt_reads"] = calls.alt[:, nidx] if nidx is not None else np.full(n, -1)
    out["normal_depth"] = calls.depth[:, nidx] if nidx is not None else np.full(n, -1)
    out["first_seen"] = first
    out["last_seen"] = last
    out["homozygous_relapse"] = hom_r.astype(bool)
    out["baseline_het_lost"] = base_het_lost.astype(bool)
    out["second_lof_in_gene"] = second
    out["cn_context"] = [ctx(i) for i in range(n)]
    df = pd.DataFrame(out, columns=columns(tum))
    return df


def format_table(df: pd.DataFrame) -> pd.DataFrame:
    """String version for writing: booleans true/false, floats to 4 decimals, NaN empty."""
    out = pd.DataFrame(index=df.index)
    for c in df.columns:
        s = df[c]
        if s.dtype == bool:
            out[c] = np.where(s, "true", "false")
        elif pd.api.types.is_float_dtype(s):
            out[c] = [_fmt(x) for x in s]
        else:
            out[c] = s.astype(str).replace({"nan": "", "None": ""})
    return out
