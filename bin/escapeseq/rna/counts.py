"""Gene-level read counts from an RNA BAM with featureCounts' default rules, and TPM.

Rules (those of ``featureCounts -p --countReadPairs -s 0`` on a gene-level GTF):

* A fragment is a read pair counted once (a mate left alone, e.g. its partner unmapped, is
  a fragment on its own); unmapped, secondary and supplementary records are skipped;
  multi-mapping fragments (``NH`` > 1) are not counted; duplicates are counted; no MAPQ
  threshold.
* A fragment overlaps a gene when any aligned block of either mate (split at ``N`` and
  ``D``) shares >= 1 bp with the union of that gene's exons (the meta-feature).
  Each mate votes once for every gene it overlaps; the fragment goes to the gene with the
  most votes (a pair whose one mate lies in gene A only and whose other mate touches A and B
  is A's). A tie between genes -> Unassigned_Ambiguity; no gene -> Unassigned_NoFeatures.
* ``strand`` 1 / 2 (stranded / reversely stranded) keeps only genes on the strand of read 1
  / opposite to it, as featureCounts' ``-s 1`` / ``-s 2``.

TPM (transcripts per million) for gene g with count c_g and exonic length L_g (bp):
the read rate per bp r_g = c_g / L_g is proportional to the gene's molecule share
(reads come from molecules in proportion to their length), so
TPM_g = 10^6 r_g / sum_j r_j: molecules of g per million molecules.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pysam

from escapeseq.errors import InputError
from escapeseq.rna.models import GeneModel


@dataclass
class CountResult:
    """Fragments per gene (aligned with the gene list) and the featureCounts-style summary."""

    counts: np.ndarray
    summary: dict[str, int] = field(default_factory=dict)


class ExonIndex:
    """Per-contig sorted exon intervals of the meta-features, for overlap queries."""

    def __init__(self, genes: list[GeneModel]):
        self.by: dict[str, tuple[list[int], list[int], list[int], int]] = {}
        tmp: dict[str, list[tuple[int, int, int]]] = {}
        for gi, g in enumerate(genes):
            for s, e in g.exons:
                tmp.setdefault(g.chrom, []).append((s, e, gi))
        for c, iv in tmp.items():
            iv.sort()
            self.by[c] = ([x[0] for x in iv], [x[1] for x in iv], [x[2] for x in iv],
                          max(x[1] - x[0] + 1 for x in iv))

    def genes_over(self, chrom: str, start: int, end: int) -> set[int]:
        """Gene indices whose exons overlap [start, end] (1-based inclusive)."""
        t = self.by.get(chrom)
        if t is None:
            return set()
        starts, ends, gis, maxlen = t
        out = set()
        i = bisect.bisect_right(starts, end) - 1
        while i >= 0 and starts[i] >= start - maxlen:
            if ends[i] >= start:
                out.add(gis[i])
            i -= 1
        return out


def open_bam(path: str | Path) -> pysam.AlignmentFile:
    """Open a BAM/CRAM; InputError (one line) when it cannot be read."""
    try:
        return pysam.AlignmentFile(str(path), "rb")
    except (OSError, ValueError) as err:
        raise InputError(path, None, f"cannot read BAM: {err}") from None


def fragment_strand(read: pysam.AlignedSegment) -> int:
    """+1 / -1: the strand of read 1 of the fragment (read 2 counts reversed)."""
    rev = read.is_reverse != (read.is_paired and read.is_read2)
    return -1 if rev else 1


def count_genes(bam_path: str | Path, genes: list[GeneModel], strand: int = 0) -> CountResult:
    """Fragments per gene of one BAM with the rules in the module docstring."""
    idx = ExonIndex(genes)
    gstrand = [g.strand for g in genes]
    counts = np.zeros(len(genes), dtype=np.int64)
    summ = {"Assigned": 0, "Unassigned_Unmapped": 0, "Unassigned_MultiMapping": 0,
            "Unassigned_NoFeatures": 0, "Unassigned_Ambiguity": 0}
    pending: dict[str, set[int]] = {}

    def finish(ends: list[set[int]]) -> None:
        votes: dict[int, int] = {}
        for hits in ends:
            for g in hits:
                votes[g] = votes.get(g, 0) + 1
        if not votes:
            summ["Unassigned_NoFeatures"] += 1
            return
        top = max(votes.values())
        best = [g for g, v in votes.items() if v == top]
        if len(best) == 1:
            counts[best[0]] += 1
            summ["Assigned"] += 1
        else:
            summ["Unassigned_Ambiguity"] += 1

    with open_bam(bam_path) as bam:
        try:
            for r in bam.fetch(until_eof=True):
                if r.is_secondary or r.is_supplementary:
                    continue
                if r.is_unmapped:
                    # a fragment with no mapped mate; one with a mapped mate is that mate's
                    if not r.is_paired or (r.mate_is_unmapped and r.is_read1):
                        summ["Unassigned_Unmapped"] += 1
                    continue
                if r.has_tag("NH") and r.get_tag("NH") > 1:
                    if not r.is_paired or r.mate_is_unmapped or r.is_read1:
                        summ["Unassigned_MultiMapping"] += 1
                    continue
                hits: set[int] = set()
                for a, b in r.get_blocks():
                    hits |= idx.genes_over(r.reference_name, a + 1, b)
                if strand:
                    fs = fragment_strand(r) * (1 if strand == 1 else -1)
                    hits = {g for g in hits if gstrand[g] == fs}
                if r.is_paired and not r.mate_is_unmapped:
                    prev = pending.pop(r.query_name, None)
                    if prev is None:
                        pending[r.query_name] = hits
                        continue
                    finish([prev, hits])
                else:
                    finish([hits])
        except OSError as err:
            raise InputError(bam_path, None, f"truncated or corrupt BAM ({err})") from None
    for hits in pending.values():     # partner filtered out (e.g. supplementary-only)
        finish([hits])
    return CountResult(counts, summ)


def tpm(counts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """TPM from fragment counts and exonic lengths in bp (see the module docstring)."""
    rate = counts / np.maximum(lengths, 1)
    tot = rate.sum()
    return rate * 1e6 / tot if tot > 0 else np.zeros_like(rate, dtype=float)


def counts_table(genes: list[GeneModel], result: CountResult) -> str:
    """TSV: gene_id gene_name chrom strand length count tpm (one row per gene)."""
    lengths = np.array([g.length for g in genes])
    t = tpm(result.counts, lengths)
    rows = ["gene_id\tgene_name\tchrom\tstrand\tlength\tcount\ttpm"]
    for g, c, x in zip(genes, result.counts, t):
        rows.append(f"{g.gene_id}\t{g.name}\t{g.chrom}\t{'+' if g.strand > 0 else '-'}\t"
                    f"{g.length}\t{int(c)}\t{x:.3f}")
    return "\n".join(rows) + "\n"
