"""LOH status per segment and LOH changes between a patient's timepoints.

Per segment (from :mod:`escapeseq.cnv.tumour`): ``loh`` is cn_minor == 0 with at least
one copy left (constitutionally haploid chrX/Y in males excluded); ``cn_neutral_loh``
when, in addition, the total copy number equals the sample's baseline ploidy state
(2 for a diploid tumour, 4 after whole-genome doubling).

Between timepoints, the segment boundaries of all timepoints are intersected; each
interval gets a status per timepoint — ``het``, ``loh`` (LOH with a copy-number change),
``cn_loh`` (copy-neutral LOH) or ``unknown`` (not covered / copy number unknown) — and
the first (baseline) and last (relapse) timepoints are compared:

    het → loh/cn_loh : acquired      loh/cn_loh → loh/cn_loh : shared
    loh/cn_loh → het : lost

Adjacent intervals with the same statuses are merged. Slivers from breakpoint jitter
between samples are dropped: an interval shorter than ``min_fraction`` of the shortest
segment covering it in any timepoint (a true event is a whole segment in the sample
that carries it; a jitter sliver is a small piece of a segment at every timepoint), or
shorter than ``min_size`` bp.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

LOH_COLUMNS = ["chrom", "start", "end", "baseline", "relapse", "change", "cn_neutral"]


def segment_status(segments: pd.DataFrame) -> np.ndarray:
    """'het' | 'loh' | 'cn_loh' | 'unknown' per segment row (columns loh,
    cn_neutral_loh, cn_total; cn_total < 0 or empty = unknown)."""
    cn = pd.to_numeric(segments["cn_total"], errors="coerce").to_numpy()
    loh = _bool(segments["loh"])
    cnl = _bool(segments["cn_neutral_loh"])
    out = np.where(cnl, "cn_loh", np.where(loh, "loh", "het"))
    return np.where(np.isfinite(cn) & (cn >= 0), out, "unknown").astype(object)


def _bool(col: pd.Series) -> np.ndarray:
    if col.dtype == bool:
        return col.to_numpy()
    return col.astype(str).str.lower().isin(["true", "1"]).to_numpy()


def change_of(baseline: str, relapse: str) -> str:
    """acquired | lost | shared | '' (no LOH at either, or unknown at either)."""
    b = baseline in ("loh", "cn_loh")
    r = relapse in ("loh", "cn_loh")
    if "unknown" in (baseline, relapse):
        return ""
    if r and not b:
        return "acquired"
    if b and not r:
        return "lost"
    if b and r:
        return "shared"
    return ""


def loh_changes(timepoints: list[pd.DataFrame], names: list[str],
                min_size: int = 0, min_fraction: float = 0.2) -> pd.DataFrame:
    """LOH changes between the first and last of ``timepoints`` (segment tables in
    time order; ``names`` their sample names). Columns :data:`LOH_COLUMNS` plus
    ``status_<sample>`` for every timepoint. Rows only where the baseline or the last
    timepoint has LOH and both are known (change is always acquired|lost|shared)."""
    chrom_order = list(dict.fromkeys(pd.concat([t["chrom"] for t in timepoints])
                                     .astype(str)))
    rows = []
    for c in chrom_order:
        per = [t[t["chrom"].astype(str) == c].sort_values("start") for t in timepoints]
        cuts = set()
        for t in per:
            cuts.update(t["start"].astype(int))
            cuts.update(t["end"].astype(int) + 1)
        cuts = sorted(cuts)
        if len(cuts) < 2:
            continue
        starts = np.array(cuts[:-1])
        ends = np.array(cuts[1:]) - 1
        stat = []
        covlen = np.full(len(starts), np.inf)
        for t in per:
            st = np.full(len(starts), "unknown", dtype=object)
            s_st = segment_status(t)
            ts = t["start"].to_numpy(dtype=np.int64)
            te = t["end"].to_numpy(dtype=np.int64)
            k = np.searchsorted(ts, starts, side="right") - 1
            ok = (k >= 0)
            ok[ok] = starts[ok] <= te[k[ok]]
            st[ok] = s_st[k[ok]]
            covlen[ok] = np.minimum(covlen[ok], (te - ts + 1)[k[ok]])
            stat.append(st)
        sliver = (ends - starts + 1) < min_fraction * covlen
        stat = np.array(stat)          # (timepoints, intervals)
        # merge runs of equal status columns that touch
        cur = None
        for i in range(len(starts)):
            if sliver[i]:
                continue
            key = tuple(stat[:, i])
            if cur and cur["key"] == key and cur["end"] + 1 == starts[i]:
                cur["end"] = int(ends[i])
                continue
            if cur:
                rows.append(cur)
            cur = {"chrom": c, "start": int(starts[i]), "end": int(ends[i]), "key": key}
        if cur:
            rows.append(cur)
    out = []
    for r in rows:
        key = r["key"]
        if not any(s in ("loh", "cn_loh") for s in key):
            continue
        if r["end"] - r["start"] + 1 < min_size:
            continue
        b, rel = key[0], key[-1]
        ch = change_of(b, rel)
        if not ch:      # LOH only at a middle timepoint, or unknown at an end
            continue
        cn_neutral = (rel == "cn_loh") if ch in ("acquired", "shared") else (b == "cn_loh")
        row = {"chrom": r["chrom"], "start": r["start"], "end": r["end"],
               "baseline": b, "relapse": rel, "change": ch,
               "cn_neutral": bool(cn_neutral)}
        for n, s in zip(names, key):
            row[f"status_{n}"] = s
        out.append(row)
    cols = LOH_COLUMNS + [f"status_{n}" for n in names]
    df = pd.DataFrame(out, columns=cols)
    return _merge_same(df)


def _merge_same(df: pd.DataFrame) -> pd.DataFrame:
    """Merge consecutive rows of one chromosome with identical statuses, bridging the
    short gaps left by dropped slivers."""
    if df.empty:
        return df
    keep = [c for c in df.columns if c not in ("start", "end")]
    out = [df.iloc[0].to_dict()]
    for _, r in df.iloc[1:].iterrows():
        last = out[-1]
        if all(last[c] == r[c] for c in keep):
            last["end"] = r["end"]
        else:
            out.append(r.to_dict())
    return pd.DataFrame(out, columns=df.columns)


def fraction_genome_loh(segments: pd.DataFrame) -> float:
    """Fraction of the segmented genome (bp) in LOH segments (0–1); NaN when no segment
    has a known copy number."""
    cn = pd.to_numeric(segments["cn_total"], errors="coerce")
    known = cn.notna() & (cn >= 0)
    length = (segments["end"] - segments["start"] + 1)[known]
    if length.sum() <= 0:
        return float("nan")
    return float(length[_bool(segments["loh"])[known.to_numpy()]].sum() / length.sum())
