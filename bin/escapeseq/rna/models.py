"""Gene models for RNA work, from the GTF: exon union per gene, introns, HISAT2 hints.

Coordinates are 1-based inclusive (GTF style) unless a name says otherwise. A gene's
*meta-feature* is the union of the exons of all its transcripts (featureCounts' gene
level); its length (bp of that union) is the length TPM uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from escapeseq.annotate.gtf import Transcript, merge_intervals, read_gtf


@dataclass
class GeneModel:
    """One gene: id, name, contig, strand, merged exons and its canonical transcript."""

    gene_id: str
    name: str
    chrom: str
    strand: int
    exons: list[tuple[int, int]]          # merged union, ascending
    canonical: Transcript | None

    @property
    def length(self) -> int:
        """Exonic length in bp (union of every transcript's exons)."""
        return sum(e - s + 1 for s, e in self.exons)

    @property
    def start(self) -> int:
        return self.exons[0][0]

    @property
    def end(self) -> int:
        return self.exons[-1][1]


def gene_models(transcripts: list[Transcript]) -> list[GeneModel]:
    """One :class:`GeneModel` per gene_id (gene name when the id is empty), sorted by
    contig then start."""
    by: dict[str, list[Transcript]] = {}
    for t in transcripts:
        by.setdefault(t.gene_id or t.gene_name, []).append(t)
    out = []
    for gid, txs in by.items():
        canon = next((t for t in txs if t.canonical), txs[0])
        exons = merge_intervals([ex for t in txs for ex in t.exons])
        out.append(GeneModel(gid, canon.gene_name or gid, canon.chrom, canon.strand, exons, canon))
    out.sort(key=lambda g: (g.chrom, g.start, g.gene_id))
    return out


def load_genes(gtf: str | Path) -> tuple[list[Transcript], list[GeneModel]]:
    """Transcripts and gene models of a GTF (plain or gzipped); InputError on a bad GTF."""
    txs = read_gtf(gtf)
    return txs, gene_models(txs)


def introns(tx: Transcript) -> list[tuple[int, int]]:
    """Introns of a transcript in transcript order (intron k follows exon k), genomic
    1-based inclusive (start, end)."""
    out = []
    for (s1, e1), (s2, e2) in zip(tx.exons, tx.exons[1:]):
        out.append((e1 + 1, s2 - 1) if tx.strand > 0 else (e2 + 1, s1 - 1))
    return out


def annotated_junctions(transcripts: list[Transcript]) -> set[tuple[str, int, int]]:
    """Every annotated intron (chrom, start, end), 1-based inclusive."""
    return {(t.chrom, s, e) for t in transcripts for s, e in introns(t)}


def hisat2_splice_sites(transcripts: list[Transcript]) -> list[str]:
    """Lines of a HISAT2 ``--ss`` file: chrom, 0-based last exon base, 0-based first base
    of the next exon, strand (what hisat2_extract_splice_sites.py writes), sorted."""
    rows = set()
    for t in transcripts:
        for s, e in introns(t):
            rows.add((t.chrom, s - 2, e, "+" if t.strand > 0 else "-"))
    return [f"{c}\t{a}\t{b}\t{st}" for c, a, b, st in sorted(rows)]


def hisat2_exons(transcripts: list[Transcript]) -> list[str]:
    """Lines of a HISAT2 ``--exon`` file: chrom, 0-based start, 0-based end (inclusive),
    strand, exons merged per contig and strand (as hisat2_extract_exons.py writes)."""
    by: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for t in transcripts:
        by.setdefault((t.chrom, "+" if t.strand > 0 else "-"), []).extend(t.exons)
    rows = []
    for (c, st), iv in by.items():
        rows += [(c, s - 1, e - 1, st) for s, e in merge_intervals(iv)]
    return [f"{c}\t{a}\t{b}\t{st}" for c, a, b, st in sorted(rows)]
