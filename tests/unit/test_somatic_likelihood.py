"""Likelihood maths of the somatic caller against hand-computed values."""
import math

import numpy as np
import pytest

from escapeseq.somatic import likelihood as lk


def test_phred_to_error():
    assert lk.phred_to_error(np.array([10, 20, 30])) == pytest.approx([0.1, 0.01, 0.001])


def test_read_likelihoods_by_allele():
    pa, pr = lk.read_likelihoods(np.array([0, 1, 2]), np.array([20, 20, 20]))
    # ref read: P(.|alt)=eps/3, P(.|ref)=1-eps; alt read the reverse; other: eps/3 both
    assert pa == pytest.approx([0.01 / 3, 0.99, 0.01 / 3])
    assert pr == pytest.approx([0.99, 0.01 / 3, 0.01 / 3])


def test_tlod_hand_computed():
    # 2 alt + 2 ref reads, all Q20 (eps = 0.01): f_hat = 0.5 by symmetry.
    pa, pr = lk.read_likelihoods(np.array([1, 1, 0, 0]), np.full(4, 20))
    tlod, f = lk.tumour_lod(pa, pr)
    e3 = 0.01 / 3
    mix = 0.5 * 0.99 + 0.5 * e3
    expected = 4 * math.log10(mix) - (2 * math.log10(e3) + 2 * math.log10(0.99))
    assert f == pytest.approx(0.5, abs=1e-9)
    assert tlod == pytest.approx(expected, rel=1e-9)
    assert tlod == pytest.approx(3.7472, abs=1e-3)


def test_mle_matches_grid_search():
    rng = np.random.default_rng(1)
    allele = (rng.random(200) < 0.13).astype(int)
    qual = rng.integers(15, 40, 200)
    pa, pr = lk.read_likelihoods(allele, qual)
    f = lk.mle_allele_fraction(pa, pr)
    grid = np.linspace(0, 1, 20001)
    ll = lk.log10_likelihood(grid, pa, pr)
    assert f == pytest.approx(grid[np.argmax(ll)], abs=1e-4)


def test_tlod_zero_without_alt_reads_and_empty():
    pa, pr = lk.read_likelihoods(np.zeros(50, int), np.full(50, 30))
    assert lk.tumour_lod(pa, pr) == (0.0, 0.0)
    assert lk.tumour_lod(np.zeros(0), np.zeros(0)) == (0.0, 0.0)


def test_all_alt_reads_give_f_one():
    pa, pr = lk.read_likelihoods(np.ones(10, int), np.full(10, 30))
    tlod, f = lk.tumour_lod(pa, pr)
    assert f == 1.0
    assert tlod == pytest.approx(10 * math.log10(0.999 / (0.001 / 3)), rel=1e-9)


def test_nlod_hand_computed():
    # 10 ref reads at Q30: each adds log10(0.999 / (0.5*0.999 + 0.5*0.001/3))
    pa, pr = lk.read_likelihoods(np.zeros(10, int), np.full(10, 30))
    per = math.log10(0.999 / (0.5 * 0.999 + 0.5 * 0.001 / 3))
    assert lk.normal_lod(pa, pr) == pytest.approx(10 * per, rel=1e-12)
    assert lk.normal_lod(pa, pr) == pytest.approx(3.0093, abs=1e-3)
    # one alt read among them makes the normal much less confidently reference
    pa2, pr2 = lk.read_likelihoods(np.array([1] + [0] * 9), np.full(10, 30))
    alt_term = math.log10((0.001 / 3) / (0.5 * 0.999 + 0.5 * 0.001 / 3))
    assert lk.normal_lod(pa2, pr2) == pytest.approx(9 * per + alt_term, rel=1e-12)
    assert lk.normal_lod(pa2, pr2) < 0


def test_approx_tlod_matches_exact_at_uniform_quality():
    for k, n in [(3, 150), (10, 100), (50, 60)]:
        allele = np.array([1] * k + [0] * (n - k))
        pa, pr = lk.read_likelihoods(allele, np.full(n, 30))
        exact, _ = lk.tumour_lod(pa, pr)
        approx = lk.approx_tumour_lod(np.array([k]), np.array([n]), 30.0)[0]
        assert approx == pytest.approx(exact, abs=0.01)


def test_strand_bias_fisher():
    from scipy.stats import fisher_exact
    for table in [(20, 20, 10, 0), (30, 25, 12, 10), (5, 40, 9, 0)]:
        p = fisher_exact([[table[0], table[1]], [table[2], table[3]]])[1]
        assert lk.strand_bias_phred(*table) == pytest.approx(-10 * math.log10(p), rel=1e-6)
    assert lk.strand_bias_phred(0, 0, 0, 0) == 0.0


def test_normal_lod_allows_tumour_in_normal():
    from escapeseq.somatic.likelihood import normal_lod, read_likelihoods
    allele = np.array([1] * 2 + [0] * 35)
    pa, pr = read_likelihoods(allele, np.full(37, 40))
    classic = normal_lod(pa, pr)
    tolerant = normal_lod(pa, pr, 0.05 * 0.33)     # 5 % tumour cells, tumour VAF 0.33
    assert classic < 2.2 < 5.0 < tolerant
    # a heterozygous normal stays germline-like however much contamination is allowed
    het = np.array([1] * 18 + [0] * 19)
    pa, pr = read_likelihoods(het, np.full(37, 40))
    assert normal_lod(pa, pr, 0.05 * 0.5) < -10


def _random_sites(rng, n_sites):
    """Per site: allele codes and base qualities of a random read count (0 included)."""
    sites = []
    for _ in range(n_sites):
        n = int(rng.choice([0, 1, 3, 20, 150]))
        f = rng.random() * rng.choice([0.0, 0.05, 0.5, 1.0])
        allele = np.where(rng.random(n) < f, 1, np.where(rng.random(n) < 0.02, 2, 0))
        sites.append((allele, rng.integers(2, 41, n)))
    return sites


def test_batched_lods_match_the_per_site_reference():
    """sitelods (compiled, all sites at once) = likelihood's per-site functions, site for
    site, including sites without reads, all-alt and all-ref sites and contamination caps."""
    from escapeseq.somatic import sitelods
    rng = np.random.default_rng(7)
    sites = _random_sites(rng, 400)
    sites += [(np.ones(30, dtype=int), np.full(30, 30)), (np.zeros(30, dtype=int), np.full(30, 30))]
    pa, pr, offs = sitelods.pack([a for a, _ in sites], [q for _, q in sites])
    tlod, f_hat = sitelods.tumour_lods(pa, pr, offs)
    cap = rng.random(len(sites)) * rng.choice([0.0, 0.05], len(sites))
    nlod = sitelods.normal_lods(pa, pr, offs, cap)
    for i, (a, q) in enumerate(sites):
        spa, spr = lk.read_likelihoods(a, q)
        t, f = lk.tumour_lod(spa, spr)
        assert tlod[i] == pytest.approx(t, rel=1e-12, abs=1e-12)
        assert f_hat[i] == pytest.approx(f, rel=1e-12, abs=1e-12)
        assert nlod[i] == pytest.approx(lk.normal_lod(spa, spr, cap[i]), rel=1e-12, abs=1e-12)
    assert f_hat[-2] == 1.0 and f_hat[-1] == 0.0 and tlod[-1] == 0.0


def test_batched_lods_without_sites_or_reads():
    from escapeseq.somatic import sitelods
    pa, pr, offs = sitelods.pack([], [])
    assert sitelods.tumour_lods(pa, pr, offs)[0].size == 0
    pa, pr, offs = sitelods.pack([np.zeros(0, dtype=int)] * 2, [np.zeros(0, dtype=int)] * 2)
    assert sitelods.tumour_lods(pa, pr, offs)[0].tolist() == [0.0, 0.0]
    assert sitelods.normal_lods(pa, pr, offs, np.array([0.1, 0.0])).tolist() == [0.0, 0.0]


def test_strand_bias_table_equals_hypergeometric_terms():
    """The log-factorial table gives the same p-values, bit for bit, as summing
    distributions.hypergeom_logpmf over the support (the definition)."""
    from escapeseq.distributions import hypergeom_logpmf
    rng = np.random.default_rng(11)
    for _ in range(300):
        rf, rr, af, ar = (int(x) for x in rng.integers(0, 120, 4))
        n, fwd, alt = rf + rr + af + ar, rf + af, af + ar
        if n == 0 or alt == 0 or fwd == 0 or fwd == n or alt == n:
            assert lk.strand_bias_phred(rf, rr, af, ar) == 0.0
            continue
        support = range(max(0, alt - (n - fwd)), min(alt, fwd) + 1)
        probs = np.exp(np.array([hypergeom_logpmf(k, n, fwd, alt) for k in support]))
        p_obs = float(np.exp(hypergeom_logpmf(af, n, fwd, alt)))
        p = min(max(float(np.sum(probs[probs <= p_obs * (1 + 1e-7)])), 1e-300), 1.0)
        assert lk.strand_bias_phred(rf, rr, af, ar) == float(-10.0 * np.log10(p))
