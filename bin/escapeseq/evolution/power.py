"""Detection power: could a timepoint have shown a mutation that it does not show?

"Absent at baseline" is only evidence when the baseline had enough reads to see the
mutation had it been there at the level seen at relapse. All VAFs are fractions in
[0, 1]; depths are read counts. Functions broadcast over numpy arrays.
"""

from __future__ import annotations

import numpy as np

from escapeseq.distributions import binom_sf

ArrayLike = float | np.ndarray


def expected_observed_vaf(adjusted: ArrayLike, purity: ArrayLike, cn_total: ArrayLike,
                          cn_normal: ArrayLike = 2) -> np.ndarray:
    """Observed VAF a sample would show for a mutation of purity-adjusted VAF ``adjusted``.

    Derivation: the adjusted VAF is a = m / CN_t (mutant share of the tumour's copies).
    In a mixture of tumour cells (fraction p, CN_t copies, m = a·CN_t mutant) and normal
    cells (1 − p, CN_n copies, none mutant), a read carries the mutation with probability

        VAF = p·a·CN_t / (p·CN_t + (1 − p)·CN_n),

    the inverse of :func:`escapeseq.cnv.vaf.adjusted_vaf`. NaN where purity or the
    adjusted VAF is unknown; 0 where CN_t = 0 (no copies left to carry it).
    """
    a, p, c, n = np.broadcast_arrays(*(np.asarray(x, dtype=float)
                                       for x in (adjusted, purity, cn_total, cn_normal)))
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = p * c + (1.0 - p) * n
        v = np.where(denom > 0, p * a * c / denom, 0.0)
    ok = np.isfinite(a) & np.isfinite(p) & (p > 0) & np.isfinite(c)
    return np.where(ok, np.clip(v, 0.0, 1.0), np.nan)


def detection_power(depth: ArrayLike, vaf: ArrayLike, min_alt_reads: int = 1) -> np.ndarray:
    """Probability of at least ``min_alt_reads`` alternate reads among ``depth`` reads when
    the true VAF is ``vaf``.

    Derivation: each of the d reads independently carries the alternate allele with
    probability f, so the alternate count X ~ Binomial(d, f) and the power is
    P(X ≥ k) = 1 − F(k − 1; d, f). For k = 1 this is 1 − (1 − f)^d: at d = 154 and
    f = 0.35 it is 1 − 0.65^154 ≈ 1. NaN where ``vaf`` is unknown; 0 at depth 0.
    """
    d, f = np.broadcast_arrays(np.asarray(depth, dtype=float), np.asarray(vaf, dtype=float))
    k = max(int(min_alt_reads), 1)
    ok = np.isfinite(f) & np.isfinite(d)
    dd = np.where(ok, np.maximum(d, 0), 0).astype(np.int64)
    ff = np.where(ok, np.clip(f, 0.0, 1.0), 0.0)
    p = binom_sf(k - 1, dd, ff)
    return np.where(ok, p, np.nan)
