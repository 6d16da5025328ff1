"""TLOD, NLOD and the allele-fraction MLE of many sites at once (compiled).

The same mathematics as :mod:`escapeseq.somatic.likelihood` (which stays the readable
reference, one site at a time), over every site of a cluster in one call: the reads of
all sites are packed one after another (``offs[i]`` .. ``offs[i + 1]`` are site i's), and
one compiled loop per site runs the safeguarded Newton of
``likelihood.mle_allele_fraction`` and the log-likelihood differences. Calling a numpy
function per site cost ~40 us of interpreter and dispatch per sum, ~20 sums per site and
sample: most of the calling task's time on a small panel. The sums here run in read
order (numpy's are pairwise), so a value can differ from the reference in its last bits
(tested to 1e-12), never in a printed digit at realistic depths.
"""
from __future__ import annotations

import math

import numpy as np

from escapeseq.bamcols import njit
from escapeseq.somatic.likelihood import phred_to_error


def pack(alleles: list[np.ndarray], quals: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P(read|alt), P(read|ref), offsets) of the reads of several sites, site after site
    (``likelihood.read_likelihoods`` of the concatenation)."""
    offs = np.zeros(len(alleles) + 1, dtype=np.int64)
    if alleles:
        np.cumsum([a.size for a in alleles], out=offs[1:])
    if offs[-1] == 0:
        empty = np.zeros(0, dtype=float)
        return empty, empty, offs
    allele = np.concatenate(alleles)
    eps = phred_to_error(np.concatenate(quals))
    miss = eps / 3.0
    return np.where(allele == 1, 1.0 - eps, miss), np.where(allele == 0, 1.0 - eps, miss), offs


@njit(cache=True, nogil=True)
def _mle(pa, pr, lo_i, hi_i, tol, max_iter):
    """``likelihood.mle_allele_fraction`` of the reads lo_i..hi_i (read-order sums)."""
    n = hi_i - lo_i
    if n == 0:
        return 0.0
    g0 = 0.0
    g1 = 0.0
    n_alt = 0
    for i in range(lo_i, hi_i):
        d = pa[i] - pr[i]
        g0 += d / pr[i]
        g1 += d / pa[i]
        if pa[i] > pr[i]:
            n_alt += 1
    if g0 <= 0.0:
        return 0.0
    if g1 >= 0.0:
        return 1.0
    lo = 0.0
    hi = 1.0
    f = n_alt / n
    if not (0.0 < f < 1.0):
        f = 0.5
    for _ in range(max_iter):
        g = 0.0
        h = 0.0
        for i in range(lo_i, hi_i):
            d = pa[i] - pr[i]
            q = d / (pr[i] + f * d)
            g += q
            h += q * q
        if g > 0.0:
            lo = f
        else:
            hi = f
        if g == 0.0 or hi - lo < tol:
            break
        nf = f + g / h
        if not (lo < nf < hi):
            nf = 0.5 * (lo + hi)
        if abs(nf - f) < tol:
            f = nf
            break
        f = nf
    return f


@njit(cache=True, nogil=True)
def _loglik_diff(pa, pr, lo_i, hi_i, f1, f2):
    """log10 L(f1) - log10 L(f2) of the reads lo_i..hi_i."""
    a = 0.0
    b = 0.0
    for i in range(lo_i, hi_i):
        a += math.log10(f1 * pa[i] + (1.0 - f1) * pr[i])
        b += math.log10(f2 * pa[i] + (1.0 - f2) * pr[i])
    return a - b


@njit(cache=True, nogil=True)
def _tumour_lods(pa, pr, offs, tol, max_iter, tlod, f_hat):
    for s in range(offs.size - 1):
        lo_i, hi_i = offs[s], offs[s + 1]
        if hi_i == lo_i:
            tlod[s] = 0.0
            f_hat[s] = 0.0
            continue
        f = _mle(pa, pr, lo_i, hi_i, tol, max_iter)
        f_hat[s] = f
        tlod[s] = max(_loglik_diff(pa, pr, lo_i, hi_i, f, 0.0), 0.0)


@njit(cache=True, nogil=True)
def _normal_lods(pa, pr, offs, cap, tol, max_iter, nlod):
    for s in range(offs.size - 1):
        lo_i, hi_i = offs[s], offs[s + 1]
        if hi_i == lo_i:
            nlod[s] = 0.0
            continue
        f0 = 0.0
        if cap[s] > 0.0:
            f0 = min(_mle(pa, pr, lo_i, hi_i, tol, max_iter), cap[s])
        nlod[s] = _loglik_diff(pa, pr, lo_i, hi_i, f0, 0.5)


def tumour_lods(pa: np.ndarray, pr: np.ndarray, offs: np.ndarray, tol: float = 1e-15,
                max_iter: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Per site (TLOD, f_hat) as ``likelihood.tumour_lod``; (0, 0) for a site without reads."""
    n = offs.size - 1
    tlod, f_hat = np.zeros(n), np.zeros(n)
    _tumour_lods(pa, pr, offs, tol, max_iter, tlod, f_hat)
    return tlod, f_hat


def normal_lods(pa: np.ndarray, pr: np.ndarray, offs: np.ndarray, max_contamination_f: np.ndarray,
                tol: float = 1e-15, max_iter: int = 200) -> np.ndarray:
    """Per site NLOD as ``likelihood.normal_lod`` with that site's contamination cap."""
    nlod = np.zeros(offs.size - 1)
    _normal_lods(pa, pr, offs, np.asarray(max_contamination_f, dtype=float), tol, max_iter, nlod)
    return nlod
