"""Per-target depth → log2 ratio tumour/normal, corrected for GC content and target size.

Depths are mean read depths per target (reads per base, a positive float). The log2
ratio is relative: each library is first scaled by its own median, so only the *shape*
of the ratio along the genome carries information; :func:`mean_normalise` then puts
the average linear ratio at 1 so that the fit's ploidy parameter has its usual meaning.
"""

from __future__ import annotations

import numpy as np


def log2_ratio(tumour_depth: np.ndarray, normal_depth: np.ndarray,
               min_normal_depth: float = 10.0,
               normal_copies: np.ndarray | None = None) -> np.ndarray:
    """log2 of the library-size-normalised depth ratio tumour/normal per target.

    Derivation: a target's depth is D = k_lib · e_target · CN, where k_lib is the
    library's sequencing yield and e_target the capture efficiency (shared by tumour and
    normal, same kit). Dividing each library by its median removes k_lib; the ratio
    removes e_target, leaving CN_t/CN_n up to one constant:

        log2 r = log2((D_t / med D_t) / (D_n / med D_n)).

    Targets whose normal depth (scaled to two copies when ``normal_copies`` says the
    normal has one, e.g. chrX in males) is below ``min_normal_depth`` (reads per base),
    or whose tumour depth is 0, are NaN (too noisy or uncovered).
    """
    t = np.asarray(tumour_depth, dtype=float)
    n = np.asarray(normal_depth, dtype=float)
    scale = 1.0 if normal_copies is None else 2.0 / np.maximum(normal_copies, 1.0)
    ok = (n * scale >= min_normal_depth) & (t > 0) & np.isfinite(t) & np.isfinite(n)
    out = np.full(t.shape, np.nan)
    if not ok.any():
        return out
    mt = np.median(t[ok])
    mn = np.median(n[ok])
    out[ok] = np.log2((t[ok] / mt) / (n[ok] / mn))
    return out


def binned_median_correction(log2: np.ndarray, covariate: np.ndarray,
                             n_bins: int = 20) -> np.ndarray:
    """Remove a smooth bias of ``log2`` along ``covariate`` (GC fraction, target length).

    Derivation: if residual bias b(x) remains after the ratio (tumour and normal
    libraries amplified differently), log2 r = log2 CN-part + b(x). Copy-number changes
    are spread over targets independently of x, so the median of log2 r within a
    quantile bin of x estimates b(x) up to a constant; subtracting (bin median − global
    median) removes b and keeps the overall level. Bins are equal-count quantile bins.
    """
    y = np.asarray(log2, dtype=float)
    x = np.asarray(covariate, dtype=float)
    ok = np.isfinite(y) & np.isfinite(x)
    out = y.copy()
    if ok.sum() < 5 * n_bins:
        return out
    edges = np.unique(np.quantile(x[ok], np.linspace(0, 1, n_bins + 1)))
    if len(edges) < 3:
        return out
    b = np.clip(np.searchsorted(edges, x, side="right") - 1, 0, len(edges) - 2)
    centre = np.median(y[ok])
    for k in range(len(edges) - 1):
        sel = ok & (b == k)
        if sel.any():
            out[sel] = y[sel] - (np.median(y[sel]) - centre)
    return out


def correct_gc_and_size(log2: np.ndarray, gc: np.ndarray, length: np.ndarray,
                        n_bins: int = 20, rounds: int = 2,
                        min_per_bin: int = 250) -> np.ndarray:
    """Alternate :func:`binned_median_correction` on GC fraction and log target length
    (``rounds`` times) so the two biases, which correlate, are removed jointly.

    Each bin needs ≥ ``min_per_bin`` targets, so a bin median is not moved by one
    copy-number segment's targets: a small panel gets fewer bins, and fewer than 3
    bins means no correction (the tumour/normal ratio already cancels most bias).
    """
    y = np.asarray(log2, dtype=float)
    n_bins = min(n_bins, int(np.isfinite(y).sum()) // max(min_per_bin, 1))
    if n_bins < 3:
        return y.copy()
    loglen = np.log(np.maximum(np.asarray(length, dtype=float), 1.0))
    for _ in range(rounds):
        y = binned_median_correction(y, gc, n_bins)
        y = binned_median_correction(y, loglen, n_bins)
    return y


def mean_normalise(log2: np.ndarray, mask: np.ndarray | None = None,
                   trim: float = 0.01) -> np.ndarray:
    """Shift log2 ratios so the trimmed mean of the *linear* ratio (over ``mask``) is 1.

    Derivation: with purity p and tumour ploidy ψ (mean tumour copy number), the
    expected linear ratio of a region with CN copies is

        r = (p·CN + 2(1−p)) / (p·ψ + 2(1−p)),

    whose average over the genome is exactly 1 when ψ is the mean CN. Normalising the
    data the same way makes the fit's ploidy parameter the tumour's mean copy number.
    ``trim`` drops that fraction at each tail (amplicons, dropouts).
    """
    y = np.asarray(log2, dtype=float)
    ok = np.isfinite(y) if mask is None else (np.isfinite(y) & mask)
    if not ok.any():
        return y.copy()
    lin = 2.0 ** y[ok]
    lo, hi = np.quantile(lin, [trim, 1 - trim])
    m = lin[(lin >= lo) & (lin <= hi)].mean()
    return y - np.log2(m)


def robust_sd(x: np.ndarray) -> float:
    """Noise SD of a piecewise-constant signal from its first differences:
    MAD(diff)·1.4826/√2 (the differences of iid noise have variance 2σ²; MAD·1.4826
    estimates a normal SD robustly and ignores the few jumps at breakpoints)."""
    x = np.asarray(x, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) < 3:
        return float("nan")
    d = np.diff(x)
    return float(np.median(np.abs(d - np.median(d))) * 1.4826 / np.sqrt(2.0))
