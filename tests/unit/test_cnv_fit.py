"""Purity/ploidy grid fit on constructed segment data with known answers."""
import numpy as np
import pytest

from escapeseq.cnv.fit import (FitParams, baf_mle, baf_overdispersion, candidate_states,
                               event_count, expected_baf, expected_log2,
                               fit_purity_ploidy)


def _segments(states, purity, n0=None, weight=500, noise=0.0, seed=0):
    """Segment arrays for (n_major, n_minor) states at a purity, from the model itself
    (+ optional noise), with ψ = mean tumour copy number (equal weights)."""
    rng = np.random.default_rng(seed)
    na = np.array([s[0] for s in states], dtype=float)
    nb = np.array([s[1] for s in states], dtype=float)
    n0 = np.full(len(states), 2.0) if n0 is None else np.asarray(n0, dtype=float)
    psi = (na + nb)[n0 == 2].mean()
    l2 = expected_log2(purity, psi, na + nb, n0) + rng.normal(0, noise, len(states))
    b = expected_baf(purity, na, na + nb, n0) + rng.normal(0, noise / 4, len(states))
    b = np.where(n0 == 2, np.clip(b, 0.5, 1), np.nan)
    k = len(states)
    return dict(log2=l2, se_log2=np.full(k, 0.01), baf=b, se_baf=np.full(k, 0.005),
                weight=np.full(k, weight), length=np.full(k, 50e6), n0=n0,
                use_for_fit=n0 == 2, n_het_snps=1000)


def test_expected_values_pure_diploid():
    assert expected_log2(1.0, 2.0, 2, 2) == pytest.approx(0.0)
    assert expected_log2(1.0, 2.0, 1, 2) == pytest.approx(-1.0)
    assert expected_baf(1.0, 2, 2, 2) == pytest.approx(1.0)         # CN-LOH
    assert expected_baf(0.5, 2, 2, 2) == pytest.approx(0.75)        # CN-LOH at 50 %
    assert expected_baf(0.4, 1, 2, 2) == pytest.approx(0.5)         # balanced


def test_states_and_events():
    a, b = candidate_states(4)
    assert set(zip(a, b)) == {(0, 0), (1, 0), (2, 0), (1, 1), (3, 0), (2, 1), (4, 0),
                              (3, 1), (2, 2)}
    a, b = np.array([1, 2, 2, 2]), np.array([1, 0, 2, 1])
    assert event_count(a, b).tolist() == [0, 2, 2, 1]
    assert event_count(a, b, wgd=True).tolist() == [2, 2, 0, 1]


def test_pure_diploid():
    st = [(1, 1)] * 6 + [(1, 0), (2, 1), (2, 0), (1, 1)]
    r = fit_purity_ploidy(**_segments(st, 1.0))
    assert r.purity == pytest.approx(1.0, abs=0.02)
    assert r.ploidy == pytest.approx(2.0, abs=0.15)
    assert list(zip(r.n_major, r.n_minor)) == st


def test_half_purity_one_cn_loh_arm():
    st = [(1, 1)] * 8 + [(2, 0)]
    r = fit_purity_ploidy(**_segments(st, 0.5, noise=0.01))
    assert r.purity == pytest.approx(0.5, abs=0.03)
    assert r.ploidy == pytest.approx(2.0, abs=0.01)
    assert (r.n_major[-1], r.n_minor[-1]) == (2, 0)
    assert all((a, b) == (1, 1) for a, b in zip(r.n_major[:-1], r.n_minor[:-1]))


def test_tetraploid_wgd():
    st = [(2, 2)] * 5 + [(2, 1), (2, 1), (3, 1), (2, 0), (4, 0), (3, 2)]
    r = fit_purity_ploidy(**_segments(st, 0.7, noise=0.01))
    assert r.purity == pytest.approx(0.7, abs=0.03)
    assert r.ploidy == pytest.approx(np.mean([sum(s) for s in st]), abs=0.05)
    assert list(zip(r.n_major, r.n_minor)) == st
    assert len(r.runner_ups) >= 1


def test_too_few_het_snps_not_estimable():
    d = _segments([(1, 1)] * 5 + [(2, 0)], 0.6)
    d["n_het_snps"] = 10
    r = fit_purity_ploidy(**d, params=FitParams(min_het_snps=50))
    assert not r.estimable and np.isnan(r.purity)
    assert "10 heterozygous SNPs" in r.note
    assert (r.n_major == -1).all()
    # a samplesheet purity still gives copy numbers
    r2 = fit_purity_ploidy(**d, params=FitParams(min_het_snps=50), fixed_purity=0.6)
    assert r2.purity == 0.6 and (r2.n_major[-1], r2.n_minor[-1]) == (2, 0)


def test_flat_genome_not_estimable():
    r = fit_purity_ploidy(**_segments([(1, 1)] * 8, 0.6))
    assert not r.estimable and "imbalance" in r.note


def test_fixed_purity_overrides():
    st = [(1, 1)] * 6 + [(1, 0), (2, 0)]
    r = fit_purity_ploidy(**_segments(st, 0.8), fixed_purity=0.8)
    assert r.purity == 0.8
    assert list(zip(r.n_major, r.n_minor)) == st


def test_male_x_haploid_not_loh_state_allowed_only():
    st = [(1, 1)] * 6 + [(1, 0), (2, 1), (1, 0)]
    n0 = [2] * 8 + [1]
    r = fit_purity_ploidy(**_segments(st, 0.7, n0=n0))
    assert r.purity == pytest.approx(0.7, abs=0.02)
    assert (r.n_major[-1], r.n_minor[-1]) == (1, 0)


def test_baf_mle_unbiased_with_overdispersion():
    rng = np.random.default_rng(1)
    d = rng.poisson(80, 400)
    rho = 0.01
    f = rng.beta(0.5 * (1 / rho - 1), 0.5 * (1 / rho - 1), 400)
    a = rng.binomial(d, f)
    r = baf_overdispersion(a, d)
    assert 0.003 < r < 0.03
    b, se = baf_mle(a, d, r)
    assert b <= 0.52
    # imbalanced segment: major fraction 0.75
    f2 = np.where(rng.random(400) < 0.5, 0.75, 0.25)
    b2, _ = baf_mle(rng.binomial(d, f2), d, r)
    assert b2 == pytest.approx(0.75, abs=0.02)
