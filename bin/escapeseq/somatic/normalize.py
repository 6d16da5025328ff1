"""Left-normalisation of indels against the reference (Tan et al. 2015 algorithm).

Alleles are VCF-style strings with a shared leading anchor base; positions are 0-based
(the caller adds 1 when writing VCF). ``ref_at(i)`` returns the reference base at 0-based
position i of the contig, so any window-backed accessor works.
"""
from __future__ import annotations

from typing import Callable


def left_normalize(pos0: int, ref: str, alt: str, ref_at: Callable[[int], str]) -> tuple[int, str, str]:
    """Left-align and parsimoniously trim one variant.

    Repeat: while both alleles end with the same base, drop it; when an allele becomes
    empty, prepend the reference base to the left of ``pos0`` to both and move ``pos0``
    one base left. Then drop shared leading bases while both alleles are longer than one
    base. The result is the unique leftmost, shortest representation, so two reads with
    the same indel placed differently in their CIGARs give the same key.
    """
    ref = ref.upper()
    alt = alt.upper()
    if ref == alt:
        raise ValueError("REF and ALT are identical")
    while True:
        changed = False
        if ref and alt and ref[-1] == alt[-1] and (len(ref) > 1 or len(alt) > 1):
            ref, alt = ref[:-1], alt[:-1]
            changed = True
        if not ref or not alt:
            if pos0 == 0:
                break
            pos0 -= 1
            b = ref_at(pos0).upper()
            ref, alt = b + ref, b + alt
            changed = True
        if not changed:
            break
    while len(ref) > 1 and len(alt) > 1 and ref[0] == alt[0]:
        ref, alt = ref[1:], alt[1:]
        pos0 += 1
    return pos0, ref, alt


def right_extent(pos0: int, ref: str, alt: str, ref_at: Callable[[int], str], contig_len: int) -> int:
    """Last 0-based reference position a read must cover to tell this indel from REF.

    A left-normalised indel (anchor base first) can slide right while the base after the
    event equals its first inserted/deleted base. A read decides between REF and ALT only
    if it spans from the anchor to the first base after the rightmost equivalent
    placement; that base's 0-based position is returned. For SNVs/MNVs it is the last
    REF base.
    """
    if len(ref) == len(alt):
        return pos0 + len(ref) - 1
    if len(ref) > len(alt):  # deletion of ref[1:]
        seq = ref[1:]
        p = pos0
        length = len(seq)
        while p + 1 + length < contig_len and ref_at(p + 1 + length).upper() == ref_at(p + 1).upper():
            p += 1
        return min(p + 1 + length, contig_len - 1)
    seq = alt[1:]
    p = pos0
    while p + 1 < contig_len and ref_at(p + 1).upper() == seq[0]:
        seq = seq[1:] + seq[0]
        p += 1
    return min(p + 1, contig_len - 1)
