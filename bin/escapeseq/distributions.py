"""Binomial-family probabilities with numpy and the math module alone.

Why not scipy. Every escapeseq task is a fresh interpreter, and ``import scipy.stats``
costs 0.4-1.1 s of CPU in each of them (scipy.special alone ~0.5 s): on a 70 kb panel that
was a fifth of all our CPU. What the analysis needs of scipy is small (binomial and
hypergeometric tails, log-gamma, a logistic), so it is written here, checked against
scipy in tests/unit/test_distributions.py (scipy stays a test dependency only).

Functions take numpy arrays (broadcast) or Python scalars; the tails work per element in
Python floats (a continued fraction whose length varies per element), which is what a
per-site caller wants (no numpy overhead on a scalar) and fast enough on the few thousand
elements of a patient's mutation table.

log Γ(x) for x > 0: shift x below 15 up by 15 with the recurrence
Γ(x) = Γ(x + 15) / (x (x+1) ... (x+14)), then Stirling's series to the z^-13 term (its
next term is below 1e-17 at z = 15).

Regularised incomplete beta I_x(a, b): the continued fraction of Numerical Recipes §6.4
(modified Lentz), on the side of x where it converges fast (x < (a+1)/(a+b+2), else
1 − I_{1−x}(b, a)). P(X > k) for X ~ Binomial(n, p) is I_p(k + 1, n − k).
"""

from __future__ import annotations

import math

import numpy as np

_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
_SHIFT = 15
# Stirling series coefficients B_2k / (2k (2k-1)) for k = 1..7 (z^-1, z^-3, ..., z^-13)
_STIRLING = (1.0 / 12.0, -1.0 / 360.0, 1.0 / 1260.0, -1.0 / 1680.0, 1.0 / 1188.0,
             -691.0 / 360360.0, 1.0 / 156.0)


def gammaln(x):
    """log Γ(x) for x > 0 (inf at 0, NaN below 0 or at NaN); arrays broadcast."""
    x = np.asarray(x, dtype=float)
    small = x < _SHIFT
    prod = np.ones_like(x)
    if np.any(small):
        xs = x[small]
        ps = np.ones_like(xs)
        for i in range(_SHIFT):
            ps *= xs + i
        prod[small] = ps
    z = np.where(small, x + _SHIFT, x)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = 1.0 / z
        r2 = r * r
        series = _STIRLING[-1]
        for c in _STIRLING[-2::-1]:
            series = series * r2 + c
        out = (z - 0.5) * np.log(z) - z + _HALF_LOG_2PI + series * r - np.log(prod)
    out = np.where(x == 0, np.inf, out)
    out = np.where(x < 0, np.nan, out)
    out = np.where(np.isposinf(x), np.inf, out)
    return out[()] if out.ndim == 0 else out


def betaln(a, b):
    """log B(a, b) = log Γ(a) + log Γ(b) − log Γ(a + b), a, b > 0."""
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return gammaln(a) + gammaln(b) - gammaln(a + b)


def _xlogy(x, y):
    """x·log(y) with 0·log(0) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log(y))


def _xlog1py(x, y):
    """x·log1p(y) with 0·log1p(−1) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(x == 0, 0.0, x * np.log1p(y))


def binom_logpmf(k, n, p):
    """log P(X = k), X ~ Binomial(n, p); −inf for k outside 0..n; arrays broadcast."""
    k, n, p = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (k, n, p)))
    ok = (k >= 0) & (k <= n)
    kk = np.where(ok, k, 0.0)
    with np.errstate(invalid="ignore"):
        out = (gammaln(n + 1.0) - gammaln(kk + 1.0) - gammaln(n - kk + 1.0)
               + _xlogy(kk, p) + _xlog1py(n - kk, -p))
    out = np.where(ok, out, -np.inf)
    out = np.where((p < 0) | (p > 1) | np.isnan(p), np.nan, out)
    return out[()] if out.ndim == 0 else out


def binom_pmf(k, n, p):
    """P(X = k), X ~ Binomial(n, p); arrays broadcast."""
    return np.exp(binom_logpmf(k, n, p))


def _betacf(a: float, b: float, x: float) -> float:
    """Continued fraction of I_x(a, b) (modified Lentz), for x < (a+1)/(a+b+2)."""
    tiny = 1e-300
    qab, qap, qam = a + b, a + 1.0, a - 1.0
    c = 1.0
    d = 1.0 - qab * x / qap
    d = 1.0 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 100000):
        m2 = 2 * m
        aa = m * (b - m) * x / ((qam + m2) * (a + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        h *= d * c
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2))
        d = 1.0 + aa * d
        d = 1.0 / (d if abs(d) > tiny else tiny)
        c = 1.0 + aa / c
        c = c if abs(c) > tiny else tiny
        delta = d * c
        h *= delta
        if abs(delta - 1.0) < 1e-16:
            break
    return h


def _lbeta(a: float, b: float) -> float:
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


def _betainc_scalar(a: float, b: float, x: float) -> float:
    """Regularised incomplete beta I_x(a, b), a, b > 0, 0 <= x <= 1."""
    if math.isnan(a) or math.isnan(b) or math.isnan(x) or x < 0.0 or x > 1.0:
        return math.nan
    if x == 0.0:
        return 0.0
    if x == 1.0:
        return 1.0
    # the side where the fraction converges fast; the other side's value is then >= ~1/2,
    # so 1 - (its complement) loses nothing that matters
    front = math.exp(a * math.log(x) + b * math.log1p(-x) - _lbeta(a, b))
    if x < (a + 1.0) / (a + b + 2.0):
        return front * _betacf(a, b, x) / a
    return 1.0 - front * _betacf(b, a, 1.0 - x) / b


def _binom_sf_scalar(k: float, n: float, p: float) -> float:
    """P(X > k) = I_p(k + 1, n − k) for Python floats."""
    if math.isnan(k) or math.isnan(n) or math.isnan(p) or p < 0.0 or p > 1.0:
        return math.nan
    k = math.floor(k)
    if k < 0:
        return 1.0
    if k >= n:
        return 0.0
    return _betainc_scalar(k + 1.0, n - k, p)


_binom_sf_ufunc = np.frompyfunc(_binom_sf_scalar, 3, 1)


def binom_sf(k, n, p):
    """P(X > k), X ~ Binomial(n, p) (scipy's ``binom.sf``); scalars give a float,
    arrays broadcast."""
    if np.ndim(k) == 0 and np.ndim(n) == 0 and np.ndim(p) == 0:
        return _binom_sf_scalar(float(k), float(n), float(p))
    return np.asarray(_binom_sf_ufunc(np.asarray(k, dtype=float), np.asarray(n, dtype=float),
                                      np.asarray(p, dtype=float)), dtype=float)


_betainc_ufunc = np.frompyfunc(_betainc_scalar, 3, 1)


def betainc(a, b, x):
    """Regularised incomplete beta I_x(a, b); scalars give a float, arrays broadcast."""
    if np.ndim(a) == 0 and np.ndim(b) == 0 and np.ndim(x) == 0:
        return _betainc_scalar(float(a), float(b), float(x))
    return np.asarray(_betainc_ufunc(np.asarray(a, dtype=float), np.asarray(b, dtype=float),
                        np.asarray(x, dtype=float)), dtype=float)


def expit(x: float) -> float:
    """Logistic 1 / (1 + e^−x) of a float, without overflow."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def hypergeom_logpmf(k: int, total: int, good: int, draws: int) -> float:
    """log P(K = k) drawing ``draws`` of ``total`` items of which ``good`` are marked."""
    def lchoose(n: int, r: int) -> float:
        return math.lgamma(n + 1) - math.lgamma(r + 1) - math.lgamma(n - r + 1)
    return lchoose(good, k) + lchoose(total - good, draws - k) - lchoose(total, draws)


def fisher_exact_less(table) -> float:
    """One-sided ("less") Fisher exact p-value of a 2x2 table [[a, b], [c, d]]:
    P(K <= a) for K hypergeometric with the table's margins (scipy's
    ``fisher_exact(table, alternative="less")[1]``)."""
    (a, b), (c, d) = ((int(v) for v in row) for row in table)
    if min(a, b, c, d) < 0:
        raise ValueError(f"a 2x2 table of non-negative counts is needed, got {table}")
    total, good, draws = a + b + c + d, a + c, a + b
    lo = max(0, draws - (total - good))
    if total == 0 or good == 0 or draws == 0 or good == total or draws == total:
        return 1.0
    logs = [hypergeom_logpmf(k, total, good, draws) for k in range(lo, a + 1)]
    top = max(logs)
    return min(1.0, math.exp(top) * math.fsum(math.exp(v - top) for v in logs))


def binomtest_two_sided(k: int, n: int, p: float) -> float:
    """Two-sided exact binomial test p-value (scipy's ``binomtest(k, n, p).pvalue``): the
    probability of every outcome no more likely than k (relative tolerance 1e-7)."""
    k, n = int(k), int(n)
    if not 0 <= k <= n:
        raise ValueError(f"k = {k} outside 0..{n}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p = {p} outside [0, 1]")
    if p == 0.0 or p == 1.0:
        return 1.0 if k == round(n * p) else 0.0
    i = np.arange(n + 1, dtype=float)
    logs = binom_logpmf(i, n, p)
    cut = logs[k] + math.log1p(1e-7)
    keep = logs[logs <= cut]
    top = float(np.max(keep))
    return min(1.0, math.exp(top) * math.fsum(np.exp(keep - top).tolist()))
