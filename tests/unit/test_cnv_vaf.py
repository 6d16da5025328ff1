"""Purity-adjusted VAF, multiplicity, CCF and segment lookup (escapeseq.cnv.vaf)."""
import numpy as np
import pandas as pd
import pytest

from escapeseq.cnv.vaf import (adjusted_vaf, ccf, homozygous, homozygous_acquired,
                               multiplicity, segment_at, segments_at)


def test_diploid_het_and_hom_at_60pct_purity():
    # het clonal mutation at p=0.6 in a diploid region: VAF 0.3 -> 0.5; homozygous 0.6 -> 1
    np.testing.assert_allclose(adjusted_vaf([0.3, 0.6], 0.6, 2), [0.5, 1.0])
    np.testing.assert_allclose(multiplicity([0.3, 0.6], 0.6, 2), [1.0, 2.0])


def test_cn_loh_homozygous_mutation():
    # CN-LOH (2 copies, both mutant) at p=0.7: VAF = 0.7*2/(0.7*2+0.3*2) = 0.7
    assert adjusted_vaf(0.7, 0.7, 2) == pytest.approx(1.0)
    assert homozygous(adjusted_vaf(0.7, 0.7, 2))


def test_single_copy_loss_one_mutant_copy_is_homozygous():
    # loss (1 copy, mutant) at p=0.5: VAF = 0.5/(0.5+1.0) = 1/3
    assert adjusted_vaf(1 / 3, 0.5, 1) == pytest.approx(1.0)
    assert multiplicity(1 / 3, 0.5, 1) == pytest.approx(1.0)


def test_clamp_and_nan():
    assert adjusted_vaf(0.9, 0.5, 2) == 1.0                 # noise past 1 is clamped
    assert np.isnan(adjusted_vaf(0.3, np.nan, 2))           # unknown purity: no number
    assert np.isnan(adjusted_vaf(0.3, 0.5, 0))              # no copies
    assert np.isnan(ccf(0.3, np.nan, 2))


def test_ccf_subclonal_and_clonal():
    # subclonal: present in half of tumour cells, one copy, p=0.8 diploid:
    # VAF = 0.8*0.5/(2) = 0.2 -> m = 0.5 -> CCF 0.5
    assert ccf(0.2, 0.8, 2) == pytest.approx(0.5)
    assert ccf(0.4, 0.8, 2) == pytest.approx(1.0)
    # multiplicity 2 (amplified mutant allele) is still clonal
    assert ccf(0.8 * 2 / (0.8 * 4 + 0.4), 0.8, 4) == pytest.approx(1.0)


def test_male_x_uses_normal_copy_one():
    # male chrX, 1 copy in tumour and normal, p=0.5: a clonal mutation shows VAF 0.5
    assert adjusted_vaf(0.5, 0.5, 1, cn_normal=1) == pytest.approx(1.0)


def test_homozygous_acquired_rule():
    base = np.array([0.0, 0.6, np.nan, 0.2])
    rel = np.array([0.95, 0.9, 0.9, 0.8])
    np.testing.assert_array_equal(homozygous_acquired(base, rel), [True, False, True, False])
    np.testing.assert_array_equal(homozygous_acquired(base, rel, 0.85, 0.25),
                                  [True, True, True, False])


def test_segment_lookup():
    seg = pd.DataFrame({"chrom": ["chr1", "chr1", "chr2"], "start": [1, 101, 1],
                        "end": [100, 200, 50], "cn_total": [2, 3, 1]})
    assert segment_at(seg, "chr1", 100)["cn_total"] == 2
    assert segment_at(seg, "chr1", 101)["cn_total"] == 3
    assert segment_at(seg, "chr1", 201) is None
    assert segment_at(seg, "chr3", 5) is None
    np.testing.assert_array_equal(
        segments_at(seg, np.array(["chr2", "chr1", "chr2"]), np.array([50, 150, 51])),
        [2, 1, -1])
