"""Joint segmentation of one chromosome on log2 ratio and mirrored B-allele frequency.

The two signals live on different points: targets carry a log2 ratio, heterozygous
germline SNPs carry a BAF. Both are merged into one position-ordered sequence of
points with two channels (NaN where a point has no value in that channel). Each channel
is winsorised and scaled by its own noise SD, so a change point's *gain* — the drop in
the residual sum of squares when one segment is split — adds over channels in the same
units (χ²-like). Recursive binary segmentation with a CBS-style two-breakpoint search
(on a coarse grid, then refined) finds splits; a split is kept when its gain exceeds
``penalty · log(n)``; a final pass merges neighbours whose difference is not significant.

Mirrored BAF is |BAF − 0.5|: allelic imbalance moves it away from 0 whichever parental
allele is gained, so phase is not needed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class SegmentParams:
    """Segmentation knobs. ``penalty`` multiplies log(n) (higher = fewer segments:
    less sensitive); ``min_points`` is the minimum number of points (targets + SNPs)
    per segment; ``winsor_k`` the running-median window and ``winsor_tau`` the
    winsorisation bound in noise SDs."""

    penalty: float = 6.0
    min_points: int = 20
    winsor_k: int = 11
    winsor_tau: float = 2.5


def winsorise(x: np.ndarray, sd: float, k: int = 11, tau: float = 2.5) -> np.ndarray:
    """Clip each value to running median ± tau·sd (ASCAT/copynumber-style outlier
    handling: a single wild target cannot make its own segment)."""
    x = np.asarray(x, dtype=float)
    if len(x) == 0 or not np.isfinite(sd) or sd <= 0:
        return x.copy()
    med = pd.Series(x).rolling(k, center=True, min_periods=1).median().to_numpy()
    return np.clip(x, med - tau * sd, med + tau * sd)


def _cums(vals: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative sums (with leading 0) of values (NaN→0) and of presence counts,
    arrays of shape (n+1, channels)."""
    present = np.isfinite(vals)
    v = np.where(present, vals, 0.0)
    s = np.vstack([np.zeros((1, v.shape[1])), np.cumsum(v, axis=0)])
    c = np.vstack([np.zeros((1, v.shape[1])), np.cumsum(present, axis=0)])
    return s, c


def _gain_between(s: np.ndarray, c: np.ndarray, a: np.ndarray, k: np.ndarray,
                  b: np.ndarray) -> np.ndarray:
    """SSE reduction of splitting [a, b) at k into [a, k) and [k, b), summed over
    channels: n_L·n_R/(n_L+n_R)·(mean_L − mean_R)² per channel (0 if a side is empty)."""
    nl = c[k] - c[a]
    nr = c[b] - c[k]
    sl = s[k] - s[a]
    sr = s[b] - s[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        g = nl * nr / (nl + nr) * (sl / nl - sr / nr) ** 2
    return np.nansum(np.where((nl > 0) & (nr > 0), g, 0.0), axis=-1)


def _gain_middle(s: np.ndarray, c: np.ndarray, a: int, i: np.ndarray, j: np.ndarray,
                 b: int) -> np.ndarray:
    """SSE reduction of taking [i, j) out of [a, b) as its own segment (the rest, both
    flanks together, keeps one mean): the CBS 'circular' statistic."""
    nin = c[j] - c[i]
    sin = s[j] - s[i]
    nall = c[b] - c[a]
    sall = s[b] - s[a]
    nout = nall - nin
    sout = sall - sin
    with np.errstate(divide="ignore", invalid="ignore"):
        g = nin * nout / (nin + nout) * (sin / nin - sout / nout) ** 2
    return np.nansum(np.where((nin > 0) & (nout > 0), g, 0.0), axis=-1)


def _best_split(s: np.ndarray, c: np.ndarray, a: int, b: int, m: int
                ) -> tuple[float, list[int]]:
    """Best one- or two-breakpoint split of [a, b) with every piece ≥ m points.

    Returns (gain, breakpoints). The two-breakpoint search runs on a grid of at most
    ~300 positions, then each breakpoint is refined by a 1-D scan around it.
    """
    n = b - a
    best = (0.0, [])
    if n < 2 * m:
        return best
    ks = np.arange(a + m, b - m + 1)
    g1 = _gain_between(s, c, np.full(len(ks), a), ks, np.full(len(ks), b))
    if len(g1):
        kk = int(np.argmax(g1))
        best = (float(g1[kk]), [int(ks[kk])])
    if n < 3 * m:
        return best
    step = max(1, n // 300)
    grid = np.arange(a + m, b - m + 1, step)
    ii, jj = np.meshgrid(grid, grid, indexing="ij")
    ok = (jj - ii >= m)
    ii, jj = ii[ok], jj[ok]
    if len(ii) == 0:
        return best
    g2 = _gain_middle(s, c, a, ii, jj, b)
    t = int(np.argmax(g2))
    i0, j0 = int(ii[t]), int(jj[t])
    # refine i then j at full resolution within ±step
    for _ in range(2):
        ci = np.arange(max(a + m, i0 - step), min(j0 - m, i0 + step) + 1)
        if len(ci):
            gi = _gain_middle(s, c, a, ci, np.full(len(ci), j0), b)
            i0 = int(ci[np.argmax(gi)])
        cj = np.arange(max(i0 + m, j0 - step), min(b - m, j0 + step) + 1)
        if len(cj):
            gj = _gain_middle(s, c, a, np.full(len(cj), i0), cj, b)
            j0 = int(cj[np.argmax(gj)])
    g2best = float(_gain_middle(s, c, a, np.array([i0]), np.array([j0]), b)[0])
    # a middle segment touching an end is a one-breakpoint split
    if g2best > best[0] * 1.05:
        best = (g2best, [i0, j0])
    return best


def segment_points(values: np.ndarray, params: SegmentParams = SegmentParams()
                   ) -> np.ndarray:
    """Breakpoints of a (n, channels) array of standardised values (NaN = absent).

    Returns the sorted start indices of the segments (always beginning with 0).
    """
    n = values.shape[0]
    if n == 0:
        return np.array([0], dtype=np.int64)
    s, c = _cums(values)
    pen = params.penalty * np.log(max(n, 2))
    m = max(1, params.min_points)
    starts = {0}
    stack = [(0, n)]
    while stack:
        a, b = stack.pop()
        gain, bps = _best_split(s, c, a, b, m)
        if gain <= pen * len(bps) ** 0.5 or not bps:
            continue
        cuts = [a] + bps + [b]
        starts.update(bps)
        for x, y in zip(cuts[:-1], cuts[1:]):
            stack.append((x, y))
    st = sorted(starts)
    # merge pass: drop the least significant breakpoint while its gain < penalty
    while len(st) > 1:
        bounds = st + [n]
        gains = np.array([
            _gain_between(s, c, np.array([bounds[q - 1]]), np.array([bounds[q]]),
                          np.array([bounds[q + 1]]))[0]
            for q in range(1, len(st))])
        q = int(np.argmin(gains))
        if gains[q] >= pen:
            break
        del st[q + 1]
    return np.array(st, dtype=np.int64)


def standardise_channels(log2: np.ndarray, mbaf: np.ndarray,
                         params: SegmentParams = SegmentParams()
                         ) -> tuple[np.ndarray, float, float]:
    """Winsorise and scale each channel by its robust noise SD (computed over its own
    present values in position order). Returns (values (n, 2), sd_log2, sd_mbaf)."""
    from .depth import robust_sd

    out = np.full((len(log2), 2), np.nan)
    sds = []
    for ch, x in enumerate((log2, mbaf)):
        x = np.asarray(x, dtype=float)
        idx = np.flatnonzero(np.isfinite(x))
        sd = robust_sd(x[idx]) if len(idx) >= 3 else float("nan")
        if not np.isfinite(sd) or sd <= 0:
            sd = float(np.nanstd(x[idx])) if len(idx) > 1 else 1.0
            sd = sd if sd > 0 else 1.0
        w = winsorise(x[idx], sd, params.winsor_k, params.winsor_tau)
        out[idx, ch] = w / sd
        sds.append(sd)
    return out, sds[0], sds[1]
