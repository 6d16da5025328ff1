"""Tiny hand-made references and BAMs for tests and bad-input checks.

``Read`` describes one alignment; ``write_bam`` sorts, writes and indexes a BAM whose
read group SM is the sample name. Coordinates are 0-based (pysam convention).
"""
from __future__ import annotations

from dataclasses import dataclass

import pysam


@dataclass
class Read:
    """One aligned read: name, 0-based start, CIGAR string, sequence, qualities."""

    name: str
    start: int
    cigar: str
    seq: str
    qual: int | list[int] = 35
    reverse: bool = False
    mapq: int = 60
    flag_extra: int = 0
    contig: str = "chr1"


def write_fasta(path: str, contigs: dict[str, str]) -> None:
    """FASTA (60 columns) plus its .fai."""
    with open(path, "w") as fh:
        for name, seq in contigs.items():
            fh.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                fh.write(seq[i:i + 60] + "\n")
    pysam.faidx(path)


def write_bam(path: str, sample: str, contigs: dict[str, int], reads: list[Read], index: bool = True) -> None:
    """Coordinate-sorted BAM with one read group (SM = ``sample``), optionally indexed."""
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": c, "LN": n} for c, n in contigs.items()],
              "RG": [{"ID": sample, "SM": sample, "LB": sample, "PL": "ILLUMINA"}]}
    order = {c: i for i, c in enumerate(contigs)}
    with pysam.AlignmentFile(path, "wb", header=header) as out:
        for r in sorted(reads, key=lambda r: (order[r.contig], r.start, r.name)):
            a = pysam.AlignedSegment(out.header)
            a.query_name = r.name
            a.reference_name = r.contig
            a.reference_start = r.start
            a.cigarstring = r.cigar
            a.query_sequence = r.seq
            q = r.qual if isinstance(r.qual, list) else [r.qual] * len(r.seq)
            a.query_qualities = pysam.qualitystring_to_array("".join(chr(x + 33) for x in q))
            a.mapping_quality = r.mapq
            a.flag = (0x10 if r.reverse else 0) | r.flag_extra
            a.set_tag("RG", sample)
            out.write(a)
    if index:
        pysam.index(path)


def indel_read(name: str, ref_seq: str, pos0: int, ref_allele: str, alt_allele: str, start: int,
               length: int, gap_min: int = 30, **kw) -> Read | None:
    """A read of ``length`` bases starting at ``start`` on the haplotype carrying the
    indel (REF at pos0 replaced by ALT; alleles share the anchor base), aligned the way a
    local aligner does: gapped when at least ``gap_min`` bases flank the event on both
    sides, else soft-clipped on the shorter side (a clip costs less than a long gap).
    ``start`` is in haplotype coordinates (equal to reference left of the event). None
    when the read lies inside inserted bases only."""
    hap = ref_seq[:pos0] + alt_allele + ref_seq[pos0 + len(ref_allele):]
    seq = hap[start:start + length]
    if len(seq) < length:
        return None
    ev = pos0 + 1                      # haplotype index of the first event base
    ins = max(len(alt_allele) - len(ref_allele), 0)
    dl = max(len(ref_allele) - len(alt_allele), 0)
    left = ev - start                  # read bases before the event
    right = length - left - ins        # read bases after it
    if left <= 0:                      # wholly right of the event
        return Read(name, start - ins + dl, f"{length}M", seq, **kw)
    if right <= 0 and left >= length:  # wholly left of it
        return Read(name, start, f"{length}M", seq, **kw)
    if left >= gap_min and right >= gap_min:
        mid = f"{ins}I" if ins else f"{dl}D"
        return Read(name, start, f"{left}M{mid}{right}M", seq, **kw)
    if left >= right:
        return Read(name, start, f"{left}M{length - left}S", seq, **kw)
    if right <= 0:
        return None
    return Read(name, pos0 + len(ref_allele), f"{length - right}S{right}M", seq, **kw)
