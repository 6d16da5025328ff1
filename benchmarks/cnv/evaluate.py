"""Scoring helpers shared by the CNV benchmarks: LOH segment recall at reciprocal
overlap, false LOH segments, acquired LOH detection, purity/ploidy errors."""
from __future__ import annotations

import numpy as np
import pandas as pd


def _rec_overlap(a_s, a_e, b_s, b_e, pts=None) -> float:
    """Reciprocal overlap of two intervals, in bp — or, with ``pts`` (sorted target
    midpoints of the chromosome), in targets: what an exome can resolve (a truth arm
    starts at bp 1, the first target may sit 200 kb later)."""
    if pts is not None:
        def n(s, e):
            return np.searchsorted(pts, e, "right") - np.searchsorted(pts, s, "left")
        ov = n(max(a_s, b_s), min(a_e, b_e)) if min(a_e, b_e) >= max(a_s, b_s) else 0
        na, nb = n(a_s, a_e), n(b_s, b_e)
        return min(ov / na, ov / nb) if na and nb else 0.0
    ov = max(0, min(a_e, b_e) - max(a_s, b_s) + 1)
    return min(ov / (a_e - a_s + 1), ov / (b_e - b_s + 1))


def _bool(x: pd.Series) -> pd.Series:
    return x if x.dtype == bool else x.astype(str).str.lower().eq("true")


def _runs(df: pd.DataFrame, key: list[str]) -> pd.DataFrame:
    """Runs of consecutive LOH rows (per chromosome, in position order, no non-LOH row
    in between) with equal ``key`` values, merged into one interval each."""
    rows = []
    prev_loh = False
    for _, r in df.sort_values(["chrom", "start"]).iterrows():
        if not r["loh"]:
            prev_loh = False
            continue
        if (prev_loh and rows and rows[-1]["chrom"] == r["chrom"]
                and all(rows[-1][k] == r[k] for k in key)):
            rows[-1]["end"] = max(rows[-1]["end"], r["end"])
        else:
            rows.append({"chrom": r["chrom"], "start": r["start"], "end": r["end"],
                         **{k: r[k] for k in key}})
        prev_loh = True
    return pd.DataFrame(rows, columns=["chrom", "start", "end"] + key)


def loh_scores(truth: pd.DataFrame, pred: pd.DataFrame, min_overlap: float = 0.9,
               clonal_only: bool = True, targets: pd.DataFrame | None = None) -> dict:
    """Recall of clonal truth LOH segments (a predicted LOH segment with reciprocal
    overlap ≥ ``min_overlap``, counted in ``targets`` (chrom start end) when given)
    and the number of predicted LOH segments that overlap no truth LOH segment (any
    clonality) by ≥ 50 % of their length (false LOH). Consecutive LOH segments are
    merged first (same state — and clonality for truth; for counting false LOH,
    predictions of any LOH state)."""
    t = truth.copy()
    t["loh"] = _bool(t["loh"])
    p = pred.copy()
    p["loh"] = _bool(p["loh"])
    tl = _runs(t, ["cn_major", "cn_minor", "clonal_fraction"])
    pl = _runs(p, ["cn_major", "cn_minor"])
    pl_any = _runs(p, [])
    t_cl = tl[tl["clonal_fraction"] >= 0.99] if clonal_only else tl
    mids = {}
    if targets is not None:
        for c, d in targets.groupby("chrom"):
            mids[c] = np.sort(((d["start"] + d["end"]) // 2).to_numpy())
    found = 0
    for _, r in t_cl.iterrows():
        cand = pl[pl["chrom"] == r["chrom"]]
        pts = mids.get(r["chrom"]) if targets is not None else None
        if any(_rec_overlap(r["start"], r["end"], c["start"], c["end"], pts) >= min_overlap
               for _, c in cand.iterrows()):
            found += 1
    tl_any = _runs(t, [])
    false = 0
    for _, c in pl_any.iterrows():
        cand = tl_any[tl_any["chrom"] == c["chrom"]]
        ov = sum(max(0, min(c["end"], r["end"]) - max(c["start"], r["start"]) + 1)
                 for _, r in cand.iterrows())
        if ov < 0.5 * (c["end"] - c["start"] + 1):
            false += 1
    return {"truth_loh": len(t_cl), "found_loh": found, "false_loh": false}


def acquired_found(truth_region: tuple[str, int, int], changes: pd.DataFrame,
                   min_overlap: float = 0.9, targets: pd.DataFrame | None = None) -> bool:
    """True when ``changes`` (loh_changes.tsv) has ``acquired`` rows covering at
    least ``min_overlap`` of the truth region (chrom, start, end) — in bp, or in
    targets (chrom start end) when given."""
    c, s, e = truth_region
    acq = changes[(changes["change"] == "acquired") & (changes["chrom"] == c)]
    if targets is not None:
        t = targets[targets["chrom"] == c]
        mid = ((t["start"] + t["end"]) // 2).to_numpy()
        inside = (mid >= s) & (mid <= e)
        if inside.sum() == 0:
            return False
        cov = np.zeros(len(mid), dtype=bool)
        for _, r in acq.iterrows():
            cov |= (mid >= r["start"]) & (mid <= r["end"])
        return (cov & inside).sum() >= min_overlap * inside.sum()
    ov = sum(max(0, min(e, r["end"]) - max(s, r["start"]) + 1) for _, r in acq.iterrows())
    return ov >= min_overlap * (e - s + 1)
