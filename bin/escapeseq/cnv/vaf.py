"""Purity-adjusted VAF, mutation multiplicity and cancer cell fraction.

All VAFs are fractions in [0, 1] (never %). Purity ``p`` is the fraction of cells in
the sample that are tumour cells. ``cn_total`` is the tumour's local total copy number
at the mutation, ``cn_normal`` the normal cells' copy number there (2 on autosomes,
1 on chrX/chrY in males). Every function is vectorised: scalars or numpy arrays
broadcast together; an unknown purity (NaN) gives NaN, never a silent number.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

ArrayLike = float | np.ndarray


def _expected_alleles(purity: np.ndarray, cn_total: np.ndarray,
                      cn_normal: np.ndarray) -> np.ndarray:
    """Average number of copies of the locus per cell in the mixture: p·CN_t + (1−p)·CN_n."""
    return purity * cn_total + (1.0 - purity) * cn_normal


def multiplicity(vaf: ArrayLike, purity: ArrayLike, cn_total: ArrayLike,
                 cn_normal: ArrayLike = 2) -> np.ndarray:
    """Mutant copies per tumour cell implied by an observed VAF (un-rounded).

    Derivation: in a mixture of tumour cells (fraction p, CN_t copies, m of them mutant)
    and normal cells (1−p, CN_n copies, none mutant), a read comes from a mutant copy
    with probability

        VAF = p·m / (p·CN_t + (1−p)·CN_n)        ⇒        m = VAF·(p·CN_t + (1−p)·CN_n) / p.

    NaN where purity is unknown or not positive.
    """
    v, p, c, n = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                       for x in (vaf, purity, cn_total, cn_normal)))
    with np.errstate(divide="ignore", invalid="ignore"):
        m = v * _expected_alleles(p, c, n) / p
    return np.where(p > 0, m, np.nan)


def adjusted_vaf(vaf: ArrayLike, purity: ArrayLike, cn_total: ArrayLike,
                 cn_normal: ArrayLike = 2) -> np.ndarray:
    """The VAF a 100 %-pure tumour would show: m / CN_t, clamped to [0, 1].

    Derivation: with m from :func:`multiplicity`, a pure tumour shows VAF m/CN_t, so

        adjusted = VAF·(p·CN_t + (1−p)·CN_n) / (p·CN_t).

    For a diploid region (CN_t = CN_n = 2) this is VAF/p: a heterozygous clonal
    mutation at p = 0.6 observed at 0.3 becomes 0.5, a homozygous one (0.6) becomes 1.
    Sampling noise can push the value past 1, hence the clamp. NaN where purity is
    unknown or CN_t is 0 (no copies left to carry the mutation).
    """
    v, p, c, n = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                       for x in (vaf, purity, cn_total, cn_normal)))
    with np.errstate(divide="ignore", invalid="ignore"):
        a = v * _expected_alleles(p, c, n) / (p * c)
    a = np.clip(a, 0.0, 1.0)
    return np.where((p > 0) & (c > 0) & np.isfinite(v), a, np.nan)


def ccf(vaf: ArrayLike, purity: ArrayLike, cn_total: ArrayLike,
        cn_normal: ArrayLike = 2) -> np.ndarray:
    """Cancer cell fraction: share of tumour cells carrying the mutation, in [0, 1].

    Derivation (McGranahan et al. 2015): a clonal mutation on an integer number of
    copies shows m = multiplicity(VAF) ≈ an integer ≥ 1; a subclonal one present in a
    fraction f of tumour cells shows m ≈ f·1 (one mutant copy in those cells). Taking the
    integer multiplicity as M = max(1, round(m)),

        CCF = m / M,    clamped to [0, 1].
    """
    m = multiplicity(vaf, purity, cn_total, cn_normal)
    with np.errstate(invalid="ignore"):
        big_m = np.maximum(1.0, np.round(m))
        out = np.clip(m / big_m, 0.0, 1.0)
    return np.where(np.isfinite(m), out, np.nan)


def homozygous(adjusted: ArrayLike, threshold: float = 0.85) -> np.ndarray:
    """True where the purity-adjusted VAF exceeds ``threshold`` (fraction; NaN → False)."""
    a = np.asarray(adjusted, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(a), a > threshold, False)


def homozygous_acquired(adjusted_baseline: ArrayLike, adjusted_relapse: ArrayLike,
                        threshold: float = 0.85, min_rise: float = 0.35) -> np.ndarray:
    """Became homozygous: relapse adjusted VAF > ``threshold`` and it rose by more than
    ``min_rise`` (fraction: 0.35 = 35 percentage points) from baseline.

    A mutation absent at baseline counts as baseline adjusted VAF 0; an unknown
    relapse value (NaN) is never called.
    """
    b = np.asarray(adjusted_baseline, dtype=float)
    r = np.asarray(adjusted_relapse, dtype=float)
    b = np.where(np.isfinite(b), b, 0.0)
    with np.errstate(invalid="ignore"):
        return np.where(np.isfinite(r), (r > threshold) & (r - b > min_rise), False)


def segment_at(segments: pd.DataFrame, chrom: str, pos: int) -> pd.Series | None:
    """The row of ``segments`` (columns chrom, start, end; 1-based inclusive) that covers
    ``chrom:pos``, or None when no segment covers it."""
    idx = segments_at(segments, np.array([chrom]), np.array([pos]))[0]
    return None if idx < 0 else segments.iloc[idx]


def segments_at(segments: pd.DataFrame, chroms: np.ndarray,
                positions: np.ndarray) -> np.ndarray:
    """Vectorised :func:`segment_at`: positional index into ``segments`` for each
    (chrom, pos), −1 where none covers it. Segments of one chromosome must not overlap."""
    chroms = np.asarray(chroms).astype(str)
    positions = np.asarray(positions, dtype=np.int64)
    out = np.full(len(positions), -1, dtype=np.int64)
    seg_chrom = segments["chrom"].astype(str).to_numpy()
    seg_start = segments["start"].to_numpy(dtype=np.int64)
    seg_end = segments["end"].to_numpy(dtype=np.int64)
    for c in np.unique(chroms):
        rows = np.flatnonzero(seg_chrom == c)
        if rows.size == 0:
            continue
        rows = rows[np.argsort(seg_start[rows], kind="stable")]
        q = np.flatnonzero(chroms == c)
        k = np.searchsorted(seg_start[rows], positions[q], side="right") - 1
        ok = k >= 0
        hit = np.zeros(len(q), dtype=bool)
        hit[ok] = positions[q][ok] <= seg_end[rows[k[ok]]]
        out[q[hit]] = rows[k[hit]]
    return out
