"""Base-quality-aware allele likelihoods: TLOD, NLOD and the allele-fraction MLE.

Every read at a site is summarised by two numbers, P(read | alt) and P(read | ref). With
the base quality Q the error probability is eps = 10^(-Q/10); an error turns the true
base into each of the three other bases with probability eps/3, so

    P(read | allele a) = 1 - eps   if the read shows a,
                         eps / 3   otherwise.

A sample whose reads carry the alternate allele at fraction f (0 <= f <= 1) gives each
read the mixture likelihood P(read | f) = f * P(read|alt) + (1 - f) * P(read|ref), and
reads are independent, so log10 L(f) = sum_i log10(f * a_i + (1 - f) * r_i).
"""
from __future__ import annotations

import math

import numpy as np

from escapeseq.distributions import hypergeom_logpmf


def phred_to_error(qual: np.ndarray) -> np.ndarray:
    """Error probability from Phred base quality: eps = 10^(-Q/10) (Q=30 -> 0.001).

    Capped at 3/4: a base that is a uniform guess among A/C/G/T. Beyond it (Q < 1.25)
    the shown allele would be *less* likely than each other base (1 - eps < eps/3), so a
    reference read would count as evidence for the alternate allele; at Q0 the
    likelihood of the shown allele would be zero and TLOD infinite.
    """
    return np.minimum(np.power(10.0, -np.asarray(qual, dtype=float) / 10.0), 0.75)


def read_likelihoods(allele: np.ndarray, qual: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-read P(read|alt) and P(read|ref).

    ``allele`` codes what the read shows: 0 = reference, 1 = alternate, 2 = another base.
    A read that shows the allele it is scored against contributes 1 - eps, any other
    observation eps/3 (one of three equally likely substitution errors); a read showing a
    third allele therefore has P(read|alt) = P(read|ref) = eps/3 and cancels in any
    likelihood ratio.
    """
    allele = np.asarray(allele)
    eps = phred_to_error(qual)
    miss = eps / 3.0
    p_alt = np.where(allele == 1, 1.0 - eps, miss)
    p_ref = np.where(allele == 0, 1.0 - eps, miss)
    return p_alt, p_ref


def log10_likelihood(f: float | np.ndarray, p_alt: np.ndarray, p_ref: np.ndarray) -> np.ndarray:
    """log10 L(f) = sum_i log10(f * a_i + (1 - f) * r_i) for a scalar or array of f."""
    f = np.atleast_1d(np.asarray(f, dtype=float))[:, None]
    return np.log10(f * p_alt[None, :] + (1.0 - f) * p_ref[None, :]).sum(axis=1)


def mle_allele_fraction(p_alt: np.ndarray, p_ref: np.ndarray, tol: float = 1e-15,
                        max_iter: int = 200) -> float:
    """Maximum-likelihood alternate-allele fraction f_hat in [0, 1].

    g(f) = d/df ln L = sum_i d_i / (r_i + f d_i), d_i = a_i - r_i; every term is a
    decreasing function of f, so ln L is concave and its maximum is the root of g in
    (0, 1), or the boundary where g keeps one sign. The root is found by Newton steps
    (g' = -sum_i d_i^2 / (r_i + f d_i)^2 < 0) kept inside a bracket that shrinks every
    step, with a bisection step whenever Newton would leave it (safeguarded Newton:
    quadratic convergence, ~6 sums per site instead of bisection's 60); it stops when the
    bracket is narrower than ``tol`` or a step moves f by less than ``tol``.
    """
    if p_alt.size == 0:
        return 0.0
    d = p_alt - p_ref
    if float(np.sum(d / p_ref)) <= 0.0:  # g(0)
        return 0.0
    if float(np.sum(d / p_alt)) >= 0.0:  # g(1)
        return 1.0
    lo, hi = 0.0, 1.0
    f = float(np.clip(np.mean(p_alt > p_ref), 0.0, 1.0))  # the alt-read share: close to it
    if not 0.0 < f < 1.0:
        f = 0.5
    for _ in range(max_iter):
        q = d / (p_ref + f * d)
        g = float(np.sum(q))
        if g > 0.0:
            lo = f
        else:
            hi = f
        if g == 0.0 or hi - lo < tol:
            break
        step = g / float(np.sum(q * q))  # Newton: f - g / g' with g' = -sum q^2
        nf = f + step
        if not lo < nf < hi:
            nf = 0.5 * (lo + hi)
        if abs(nf - f) < tol:
            f = nf
            break
        f = nf
    return f


def tumour_lod(p_alt: np.ndarray, p_ref: np.ndarray) -> tuple[float, float]:
    """TLOD = log10 L(f_hat) - log10 L(0), and f_hat.

    The log10 odds that an alternate allele at its best-supported fraction explains the
    tumour reads better than sequencing error alone (f = 0). Always >= 0; 0 with no reads.
    """
    if p_alt.size == 0:
        return 0.0, 0.0
    f = mle_allele_fraction(p_alt, p_ref)
    ll = log10_likelihood(np.array([f, 0.0]), p_alt, p_ref)
    return max(float(ll[0] - ll[1]), 0.0), f


def normal_lod(p_alt: np.ndarray, p_ref: np.ndarray, max_contamination_f: float = 0.0) -> float:
    """NLOD = log10 L(f0) - log10 L(f = 0.5) in the normal, f0 the best fraction in
    [0, max_contamination_f].

    How many log10 units more likely the normal reads are under "no germline allele"
    than under "heterozygous carrier" (half the reads alternate). With
    ``max_contamination_f`` = 0 (the classic NLOD) f0 = 0: each reference read adds about
    log10(2) = 0.30 and each alternate read subtracts about log10(1/(2 eps/3)). A normal
    holding a fraction c of tumour cells shows a somatic allele at c x f_T, so the
    no-germline hypothesis allows any f up to that (caller: c = --max-tumour-in-normal,
    f_T the highest tumour VAF): log L is concave in f, so its maximum over [0, m] is at
    the MLE clipped to [0, m]. 0 with no reads (no evidence either way).
    """
    if p_alt.size == 0:
        return 0.0
    f0 = 0.0
    if max_contamination_f > 0.0:
        f0 = min(mle_allele_fraction(p_alt, p_ref), max_contamination_f)
    ll = log10_likelihood(np.array([f0, 0.5]), p_alt, p_ref)
    return float(ll[0] - ll[1])


def approx_tumour_lod(alt: np.ndarray, depth: np.ndarray, qual: float = 30.0) -> np.ndarray:
    """Vectorised TLOD from counts alone, every base at quality ``qual`` (candidate screen).

    With k alternate reads among n (other bases ignored), eps from ``qual`` and
    f_hat = k/n (the MLE when all reads share one quality, up to O(eps)):
    TLOD = k log10((f(1-eps) + (1-f) eps/3) / (eps/3))
           + (n-k) log10((f eps/3 + (1-f)(1-eps)) / (1-eps)).
    """
    alt = np.asarray(alt, dtype=float)
    depth = np.asarray(depth, dtype=float)
    eps = 10.0 ** (-qual / 10.0)
    miss = eps / 3.0
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(depth > 0, alt / np.maximum(depth, 1.0), 0.0)
        t_alt = alt * np.log10((f * (1 - eps) + (1 - f) * miss) / miss)
        t_ref = (depth - alt) * np.log10((f * miss + (1 - f) * (1 - eps)) / (1 - eps))
    return np.nan_to_num(t_alt + t_ref, nan=0.0)


_LOG_FACTORIAL = np.zeros(1)


def log_factorials(n: int) -> np.ndarray:
    """ln(i!) for i = 0..n (at least), each ``math.lgamma(i + 1)``, kept between calls."""
    global _LOG_FACTORIAL
    if _LOG_FACTORIAL.size <= n:
        size = max(n + 1, 2 * _LOG_FACTORIAL.size, 1024)
        _LOG_FACTORIAL = np.array([math.lgamma(i + 1) for i in range(size)])
    return _LOG_FACTORIAL


def strand_bias_phred(ref_fwd: int, ref_rev: int, alt_fwd: int, alt_rev: int) -> float:
    """Phred-scaled two-sided Fisher exact p-value of the strand x allele 2x2 table.

    With the margins fixed, the number of forward-strand alternate reads is hypergeometric
    (population = all reads, successes = forward reads, draws = alternate reads). The
    two-sided p-value sums the probabilities of every table no more likely than the
    observed one; the score is -10 log10(p) (0 = no bias, 60 = p of 1e-6). The log-pmf
    over the whole support comes from a table of ln(i!) (the same values and operations
    as ``distributions.hypergeom_logpmf``, term for term).
    """
    n = ref_fwd + ref_rev + alt_fwd + alt_rev
    fwd = ref_fwd + alt_fwd
    alt = alt_fwd + alt_rev
    if n == 0 or alt == 0 or fwd == 0 or fwd == n or alt == n:
        return 0.0
    lf = log_factorials(n)
    k = np.arange(max(0, alt - (n - fwd)), min(alt, fwd) + 1)
    logpmf = (((lf[fwd] - lf[k]) - lf[fwd - k]) + ((lf[n - fwd] - lf[alt - k]) - lf[n - fwd - alt + k])
              - ((lf[n] - lf[alt]) - lf[n - alt]))
    probs = np.exp(logpmf)
    p_obs = float(np.exp(hypergeom_logpmf(alt_fwd, n, fwd, alt)))
    p = float(np.sum(probs[probs <= p_obs * (1 + 1e-7)]))
    p = min(max(p, 1e-300), 1.0)
    return float(-10.0 * np.log10(p))
