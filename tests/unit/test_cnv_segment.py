"""Segmentation and depth transforms (escapeseq.cnv.segment, escapeseq.cnv.depth)."""
import numpy as np

from escapeseq.cnv.depth import (binned_median_correction, correct_gc_and_size,
                                 log2_ratio, mean_normalise, robust_sd)
from escapeseq.cnv.segment import SegmentParams, segment_points, standardise_channels


def test_step_in_log2_found():
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.3, 600), rng.normal(-0.4, 0.3, 400)])
    v, _, _ = standardise_channels(x, np.full(1000, np.nan))
    st = segment_points(v)
    assert len(st) == 2 and abs(st[1] - 600) <= 10


def test_small_interior_segment_found_by_two_breakpoint_search():
    rng = np.random.default_rng(1)
    x = rng.normal(0, 0.3, 3000)
    x[1400:1500] += 0.5
    v, _, _ = standardise_channels(x, np.full(3000, np.nan))
    st = segment_points(v)
    assert any(abs(s - 1400) <= 5 for s in st) and any(abs(s - 1500) <= 5 for s in st)


def test_baf_only_change_found():
    # copy-neutral LOH: log2 flat, mirrored BAF jumps at SNP points
    rng = np.random.default_rng(2)
    n = 2000
    log2 = rng.normal(0, 0.3, n)
    mb = np.full(n, np.nan)
    snp = np.arange(0, n, 3)
    mb[snp] = np.abs(rng.normal(0, 0.05, len(snp)))
    mb[snp[snp >= 1000]] = np.abs(rng.normal(0.25, 0.05, (snp >= 1000).sum()))
    log2[snp] = np.nan
    v, _, _ = standardise_channels(log2, mb)
    st = segment_points(v)
    assert len(st) == 2 and abs(st[1] - 1000) <= 6


def test_noise_only_one_segment():
    rng = np.random.default_rng(3)
    v, _, _ = standardise_channels(rng.normal(0, 0.3, 5000), np.full(5000, np.nan))
    assert segment_points(v).tolist() == [0]


def test_min_points_respected():
    x = np.zeros(100)
    x[50:55] = 5
    v, _, _ = standardise_channels(x + np.random.default_rng(4).normal(0, .1, 100),
                                   np.full(100, np.nan))
    st = segment_points(v, SegmentParams(min_points=20))
    assert all(np.diff(list(st) + [100]) >= 20)


def test_log2_ratio_normalises_library_size():
    n = np.array([100.0, 100, 100, 5])
    t = np.array([200.0, 200, 400, 10])
    r = log2_ratio(t, n, min_normal_depth=10)
    np.testing.assert_allclose(r[:3], [0, 0, 1])
    assert np.isnan(r[3])


def test_gc_bias_removed_and_signal_kept():
    rng = np.random.default_rng(5)
    gc = rng.uniform(0.3, 0.7, 5000)
    length = rng.integers(80, 400, 5000)
    signal = np.where(np.arange(5000) < 1000, -1.0, 0.0)
    y = signal + 2.0 * (gc - 0.5) + 0.3 * np.log(length / 200) + rng.normal(0, .05, 5000)
    c = correct_gc_and_size(y, gc, length)
    assert abs(np.corrcoef(c[1000:], gc[1000:])[0, 1]) < 0.1
    assert np.median(c[:1000]) - np.median(c[1000:]) < -0.8
    # a covariate with too few values leaves data unchanged
    np.testing.assert_array_equal(binned_median_correction(y[:10], gc[:10]), y[:10])


def test_mean_normalise_and_robust_sd():
    y = np.log2(np.array([0.5, 1.5] * 500))
    assert np.mean(2 ** mean_normalise(y, trim=0.0)) == np.float64(1.0)
    rng = np.random.default_rng(6)
    x = np.concatenate([rng.normal(0, 1, 5000), rng.normal(10, 1, 5000)])
    assert abs(robust_sd(x) - 1) < 0.05
