"""Indel left-normalisation and the span a read needs to be informative."""
import pytest

from escapeseq.somatic.normalize import left_normalize, right_extent

REF = "GGCAAAAATGCACACATT"
#      0123456789...


def at(i):
    return REF[i]


def test_deletion_in_homopolymer_moves_to_leftmost():
    # delete one A placed at the right end of the A run (anchor = last A, pos 7)
    assert left_normalize(6, "AA", "A", at) == (2, "CA", "C")


def test_insertion_in_dinucleotide_repeat():
    # CACACA repeat at 10..15 after G(9); insert "AC" after C(14)
    pos, ref, alt = left_normalize(14, "C", "CAC", at)
    assert (pos, ref, alt) == (9, "G", "GCA")


def test_already_normalised_unchanged_and_snv_untouched():
    assert left_normalize(2, "CA", "C", at) == (2, "CA", "C")
    assert left_normalize(4, "A", "T", at) == (4, "A", "T")


def test_trims_shared_prefix():
    assert left_normalize(1, "GCA", "GTA", at) == (2, "C", "T")


def test_identical_alleles_rejected():
    with pytest.raises(ValueError):
        left_normalize(1, "G", "G", at)


def test_right_extent_homopolymer_deletion():
    # C(2) A A A A A(3-7) T(8): deleting one A can sit anywhere in 3..7 -> first base after = 8
    assert right_extent(2, "CA", "C", at, len(REF)) == 8


def test_right_extent_insertion_and_snv():
    assert right_extent(9, "G", "GCA", at, len(REF)) == 16
    assert right_extent(4, "A", "T", at, len(REF)) == 4
