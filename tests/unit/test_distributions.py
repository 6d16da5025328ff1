"""escapeseq.distributions against scipy (a test-only dependency) on grids that cover the
depths, allele fractions and tails the caller, identity check, fit and power use."""

import math

import numpy as np
import pytest
from scipy import special, stats

from escapeseq import distributions as dist


def test_gammaln_matches_scipy_from_tiny_to_huge():
    x = np.concatenate([np.geomspace(1e-8, 1e7, 4000), np.arange(1, 400, dtype=float),
                        np.arange(1, 400) + 0.5])
    ours, ref = dist.gammaln(x), special.gammaln(x)
    assert np.allclose(ours, ref, rtol=1e-14, atol=2e-14)


def test_gammaln_edges_and_scalars():
    assert dist.gammaln(0.0) == math.inf
    assert math.isnan(dist.gammaln(-1.0))
    assert math.isnan(dist.gammaln(math.nan))
    assert dist.gammaln(math.inf) == math.inf
    assert isinstance(dist.gammaln(3.0), float)
    assert dist.gammaln(3.0) == pytest.approx(math.log(2.0), abs=1e-14)
    assert dist.gammaln(1.0) == pytest.approx(0.0, abs=1e-14)


def test_betaln_matches_scipy():
    rng = np.random.default_rng(1)
    a = np.concatenate([rng.uniform(1e-3, 5, 500), rng.uniform(1, 5000, 500)])
    b = np.concatenate([rng.uniform(1e-3, 5, 500), rng.uniform(1, 5000, 500)])
    assert np.allclose(dist.betaln(a, b), special.betaln(a, b), rtol=1e-12, atol=1e-10)


def test_binom_logpmf_matches_scipy_including_p_0_and_1_and_out_of_range_k():
    n = np.array([0, 1, 5, 30, 100, 1000, 20000], dtype=float)
    for nn in n:
        k = np.arange(-1, nn + 2)
        for p in (0.0, 1e-9, 0.001, 0.02, 0.3, 0.5, 0.98, 1 - 1e-9, 1.0):
            ours = dist.binom_logpmf(k, nn, p)
            ref = stats.binom.logpmf(k, nn, p)
            fin = np.isfinite(ref)
            assert np.array_equal(np.isfinite(ours), fin), (nn, p)
            assert np.allclose(ours[fin], ref[fin], rtol=1e-11, atol=1e-9), (nn, p)
    assert math.isnan(dist.binom_logpmf(1, 5, 1.5))


def test_binom_sf_matches_scipy_in_both_tails_and_the_middle():
    for n in (1, 2, 10, 57, 300, 2500, 40000):
        ks = np.unique(np.linspace(-1, n + 1, 60).astype(int))
        for p in (0.0, 1e-6, 0.003, 0.05, 0.25, 0.5, 0.75, 0.999, 1.0):
            ours = dist.binom_sf(ks, n, p)
            ref = stats.binom.sf(ks, n, p)
            big = ref > 1e-290
            assert np.allclose(ours[big], ref[big], rtol=1e-9, atol=1e-15), (n, p)
            assert np.all(ours[~big] < 1e-280), (n, p)


def test_binom_sf_scalar_returns_a_float_and_handles_edges():
    v = dist.binom_sf(2, 10, 0.1)
    assert isinstance(v, float) and v == pytest.approx(stats.binom.sf(2, 10, 0.1), rel=1e-12)
    assert dist.binom_sf(-1, 10, 0.3) == 1.0
    assert dist.binom_sf(10, 10, 0.3) == 0.0
    assert math.isnan(dist.binom_sf(1, 10, -0.1))
    # a tiny upper tail keeps its relative precision (no 1 - (1 - tiny))
    assert dist.binom_sf(60, 100, 0.05) == pytest.approx(stats.binom.sf(60, 100, 0.05), rel=1e-9)


def test_binom_sf_broadcasts_depth_arrays_like_detection_power():
    d = np.array([0, 1, 8, 40, 154, 900])
    f = np.array([0.0, 0.5, 0.1, 0.02, 0.35, 0.004])
    assert np.allclose(dist.binom_sf(2, d, f), stats.binom.sf(2, d, f), rtol=1e-12, atol=1e-15)
    assert dist.binom_sf(0, d, f).shape == d.shape


def test_betainc_matches_scipy():
    rng = np.random.default_rng(7)
    a, b = rng.uniform(0.05, 300, 400), rng.uniform(0.05, 300, 400)
    x = rng.uniform(0, 1, 400)
    assert np.allclose(dist.betainc(a, b, x), special.betainc(a, b, x), rtol=1e-10, atol=1e-14)
    assert dist.betainc(2.0, 3.0, 0.0) == 0.0 and dist.betainc(2.0, 3.0, 1.0) == 1.0


def test_expit_matches_scipy_without_overflow():
    for x in (-1000.0, -30.0, -1.0, 0.0, 0.7, 40.0, 1000.0, math.inf, -math.inf):
        assert dist.expit(x) == pytest.approx(float(special.expit(x)), rel=1e-15, abs=1e-300)


@pytest.mark.parametrize("table", [
    [[0, 10], [10, 0]], [[3, 40], [20, 22]], [[12, 300], [80, 260]], [[5, 5], [5, 5]],
    [[0, 0], [3, 4]], [[40, 2], [1, 60]], [[900, 4100], [1500, 3500]]])
def test_fisher_exact_less_matches_scipy(table):
    ref = stats.fisher_exact(table, alternative="less")[1]
    assert dist.fisher_exact_less(table) == pytest.approx(ref, rel=1e-9, abs=1e-300)


def test_fisher_exact_refuses_negative_counts():
    with pytest.raises(ValueError, match="non-negative"):
        dist.fisher_exact_less([[1, -1], [2, 3]])


@pytest.mark.parametrize("k,n,p", [
    (0, 1, 0.5), (3, 10, 0.5), (30, 100, 0.5), (2, 50, 0.3), (70, 100, 0.2), (500, 1200, 0.4),
    (5, 5, 0.9), (0, 20, 0.01), (13, 40, 0.33), (8000, 20000, 0.41)])
def test_binomtest_two_sided_matches_scipy(k, n, p):
    ref = stats.binomtest(k, n, p).pvalue
    assert dist.binomtest_two_sided(k, n, p) == pytest.approx(ref, rel=1e-9, abs=1e-300)
