"""RNA evidence per candidate and per escape-panel gene at every tumour timepoint.

Three measurements, each counted in *fragments* (a read pair counts once) from primary,
uniquely mapped (``NH`` = 1), non-duplicate records:

* **Allele expression** at a mutation: fragments whose bases over a window of the
  reference around the variant (``ALLELE_FLANK`` bp either side) spell the reference
  haplotype or the alternate one (at most one mismatch, strictly closer to one
  haplotype; spliced gaps inside the window make a read uninformative). The RNA allele
  fraction is alt / (alt + ref). It is compared with the DNA's alt / depth at the same
  timepoint by a one-sided Fisher exact test: a mutant allele that nonsense-mediated
  decay removes shows an RNA fraction below the DNA's.
* **Splicing** at a splice-region candidate (within ``SPLICE_INTRONIC`` intronic or
  ``SPLICE_EXONIC`` exonic bases of an intron of the gene's canonical transcript):
  fragments with the annotated junction (an ``N`` gap from exactly the intron's first to
  its last base), fragments running from an exon into the intron (an ungapped aligned
  block crossing either intron boundary with >= ``OVERHANG`` bases on both sides:
  retention), and fragments with a junction that no transcript of the GTF has, with an
  end inside the two flanking exons or the intron and both ends inside the transcript's
  span (new junctions; a gap reaching outside the gene is an alignment artefact, not a
  splice choice of this gene).
  Retained fraction = retention / (retention + junction).
* **Expression** of each escape-panel gene: counts and TPM (:mod:`escapeseq.rna.counts`),
  and against the baseline the fold change FC = (TPM_t + 1) / (TPM_baseline + 1) and a
  conditional Poisson test: given n = c_t + c_b fragments of the gene at the two
  timepoints, c_t ~ Binomial(n, N_t / (N_t + N_b)) under no change (N = assigned
  fragments of the sample); a two-sided p-value. ``change`` is ``lost`` when FC <= 0.5
  and p < 0.01, ``gained`` when FC >= 2 and p < 0.01, else ``unchanged``. The test knows
  only counting noise (one library per timepoint, no replicates).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pysam

from escapeseq.annotate.gtf import Transcript
from escapeseq.distributions import binomtest_two_sided, fisher_exact_less
from escapeseq.rna.models import GeneModel, introns

ALLELE_FLANK = 5
OVERHANG = 8
SPLICE_INTRONIC = 10
SPLICE_EXONIC = 3


# ---------------------------------------------------------------------------------------
# allele expression
# ---------------------------------------------------------------------------------------

def haplotypes(fasta: pysam.FastaFile, chrom: str, pos: int, ref: str, alt: str,
               flank: int = ALLELE_FLANK) -> tuple[int, int, str, str]:
    """(window start, window end) 1-based inclusive and the reference / alternate
    haplotype sequences over it."""
    w0 = max(1, pos - flank)
    w1 = pos + len(ref) - 1 + flank
    seq = fasta.fetch(chrom, w0 - 1, w1).upper()
    i = pos - w0
    if seq[i:i + len(ref)] != ref.upper():
        raise ValueError(f"{chrom}:{pos} REF {ref} does not match the FASTA")
    return w0, w1, seq, seq[:i] + alt.upper() + seq[i + len(ref):]


def read_piece(read: pysam.AlignedSegment, w0: int, w1: int) -> str | None:
    """The read's bases from reference position ``w0`` to ``w1`` (1-based), None when the
    read does not cover both ends with aligned bases or has a spliced gap inside."""
    q0 = q1 = None
    for q, r in read.get_aligned_pairs(matches_only=True):
        if r == w0 - 1:
            q0 = q
        elif r == w1 - 1:
            q1 = q
            break
    if q0 is None or q1 is None:
        return None
    pos = read.reference_start
    for op, ln in read.cigartuples or ():
        if op == 3 and pos < w1 and pos + ln > w0 - 1:     # a spliced gap inside the window
            return None
        if op in (0, 2, 3, 7, 8):
            pos += ln
    return read.query_sequence[q0:q1 + 1]


def classify(piece: str, ref_hap: str, alt_hap: str) -> int:
    """1 = alternate, 0 = reference, -1 = neither (at most one mismatch; must be strictly
    closer to one haplotype)."""
    d = []
    for h in (ref_hap, alt_hap):
        d.append(sum(a != b for a, b in zip(piece, h)) if len(h) == len(piece) else 99)
    if min(d) > 1 or d[0] == d[1]:
        return -1
    return int(d[1] < d[0])


@dataclass
class AlleleCount:
    """RNA fragments showing the reference and the alternate allele."""
    ref: int = 0
    alt: int = 0

    @property
    def depth(self) -> int:
        return self.ref + self.alt

    @property
    def fraction(self) -> float:
        """alt / (alt + ref); NaN without informative fragments."""
        return self.alt / self.depth if self.depth else math.nan


def usable(r: pysam.AlignedSegment) -> bool:
    """A primary, unique (``NH`` absent or 1), mapped, non-duplicate, QC-passed record."""
    if r.is_unmapped or r.is_secondary or r.is_supplementary or r.is_duplicate or r.is_qcfail:
        return False
    return not (r.has_tag("NH") and r.get_tag("NH") > 1)


def count_allele(bam: pysam.AlignmentFile, fasta: pysam.FastaFile, chrom: str, pos: int,
                 ref: str, alt: str) -> AlleleCount:
    """Reference / alternate fragments at a variant (mates agreeing count once; mates
    disagreeing count for neither)."""
    w0, w1, rh, ah = haplotypes(fasta, chrom, pos, ref, alt)
    calls: dict[str, set[int]] = {}
    for r in bam.fetch(chrom, w0 - 1, w1):
        if not usable(r):
            continue
        piece = read_piece(r, w0, w1)
        if piece is None:
            continue
        c = classify(piece, rh, ah)
        if c >= 0:
            calls.setdefault(r.query_name, set()).add(c)
    out = AlleleCount()
    for s in calls.values():
        if s == {0}:
            out.ref += 1
        elif s == {1}:
            out.alt += 1
    return out


def allele_test(rna_alt: int, rna_depth: int, dna_alt: int, dna_depth: int) -> float:
    """One-sided Fisher exact p-value that the RNA alt fraction is below the DNA's."""
    if rna_depth <= 0 or dna_depth <= 0:
        return math.nan
    table = [[rna_alt, rna_depth - rna_alt], [dna_alt, max(dna_depth - dna_alt, 0)]]
    return float(fisher_exact_less(table))


# ---------------------------------------------------------------------------------------
# splicing
# ---------------------------------------------------------------------------------------

@dataclass
class SpliceSite:
    """The intron a splice-region candidate touches (transcript numbering)."""
    number: int                 # intron k follows exon k
    start: int                  # genomic, 1-based inclusive
    end: int
    window: tuple[int, int]     # flanking exons + intron, genomic
    gene_span: tuple[int, int] = (0, 1 << 40)   # the transcript's genomic span


def splice_site_of(tx: Transcript, pos: int, ref: str = "N") -> SpliceSite | None:
    """The intron whose boundary lies within SPLICE_INTRONIC intronic / SPLICE_EXONIC
    exonic bases of the variant's span; the closest one when several do; None if none."""
    span = (pos, pos + max(len(ref), 1) - 1)
    best = None
    for k, (s, e) in enumerate(introns(tx), start=1):
        for boundary, into in ((s, +1), (e, -1)):
            # intronic side: boundary .. boundary + into*(SPLICE_INTRONIC-1)
            lo_i, hi_i = sorted((boundary, boundary + into * (SPLICE_INTRONIC - 1)))
            lo_x, hi_x = sorted((boundary - into, boundary - into * SPLICE_EXONIC))
            hit_i = span[0] <= hi_i and lo_i <= span[1]
            hit_x = span[0] <= hi_x and lo_x <= span[1]
            if hit_i or hit_x:
                d = min(abs(p - boundary) for p in span)
                if best is None or d < best[0]:
                    ex_a, ex_b = tx.exons[k - 1], tx.exons[k]
                    win = (min(ex_a[0], ex_b[0]), max(ex_a[1], ex_b[1]))
                    best = (d, SpliceSite(k, s, e, win, (tx.start, tx.end)))
    return None if best is None else best[1]


@dataclass
class SpliceCount:
    """Fragments of the annotated junction, of retention, and of new junctions."""
    junction: int = 0
    retention: int = 0
    new: int = 0
    new_junctions: dict[tuple[int, int], int] = field(default_factory=dict)

    @property
    def retained_fraction(self) -> float:
        n = self.junction + self.retention
        return self.retention / n if n else math.nan


def count_splicing(bam: pysam.AlignmentFile, chrom: str, site: SpliceSite,
                   annotated: set[tuple[str, int, int]], overhang: int = OVERHANG) -> SpliceCount:
    """Count fragments at one intron (see the module docstring); a fragment counts once per
    category."""
    cats: dict[str, set[str]] = {"junction": set(), "retention": set(), "new": set()}
    newj: dict[tuple[int, int], set[str]] = {}
    w0, w1 = site.window
    for r in bam.fetch(chrom, w0 - 1, w1):
        if not usable(r):
            continue
        pos = r.reference_start          # 0-based
        for op, ln in r.cigartuples or ():
            if op == 3:
                js, je = pos + 1, pos + ln         # intron, 1-based inclusive
                if (js, je) == (site.start, site.end):
                    cats["junction"].add(r.query_name)
                elif ((chrom, js, je) not in annotated
                      and (w0 <= js - 1 <= w1 or w0 <= je + 1 <= w1)
                      and site.gene_span[0] <= js - 1 and je + 1 <= site.gene_span[1]):
                    cats["new"].add(r.query_name)
                    newj.setdefault((js, je), set()).add(r.query_name)
            if op in (0, 2, 3, 7, 8):
                pos += ln
        for a, b in _ungapped(r):
            # a: 0-based start, b: 0-based end (exclusive) -> 1-based a+1 .. b
            for left_last in (site.start - 1, site.end):      # last base before a boundary
                if a + 1 <= left_last - overhang + 1 and b >= left_last + overhang:
                    cats["retention"].add(r.query_name)
    out = SpliceCount(len(cats["junction"]), len(cats["retention"]), len(cats["new"]))
    out.new_junctions = {k: len(v) for k, v in sorted(newj.items(), key=lambda kv: -len(kv[1]))}
    return out


def _ungapped(r: pysam.AlignedSegment) -> list[tuple[int, int]]:
    """Reference spans aligned without a spliced gap (deletions kept inside), 0-based
    half-open."""
    out = []
    start = pos = r.reference_start
    for op, ln in r.cigartuples or ():
        if op == 3:
            if pos > start:
                out.append((start, pos))
            pos += ln
            start = pos
        elif op in (0, 2, 7, 8):
            pos += ln
    if pos > start:
        out.append((start, pos))
    return out


# ---------------------------------------------------------------------------------------
# expression change
# ---------------------------------------------------------------------------------------

def fold_change(tpm_t: float, tpm_b: float) -> float:
    """(TPM_t + 1) / (TPM_b + 1): a pseudocount of 1 TPM keeps silent genes finite."""
    return (tpm_t + 1.0) / (tpm_b + 1.0)


def expression_test(c_t: int, c_b: int, n_t: int, n_b: int) -> float:
    """Two-sided conditional Poisson (binomial) p-value of equal expression rates."""
    n = c_t + c_b
    if n == 0 or n_t <= 0 or n_b <= 0:
        return math.nan
    return float(binomtest_two_sided(c_t, n, n_t / (n_t + n_b)))


def expression_call(fc: float, p: float, alpha: float = 0.01) -> str:
    """lost / gained / unchanged (see the module docstring)."""
    if not np.isfinite(p) or p >= alpha:
        return "unchanged"
    if fc <= 0.5:
        return "lost"
    if fc >= 2.0:
        return "gained"
    return "unchanged"


def gene_for(genes: list[GeneModel], name: str, chrom: str, pos: int) -> GeneModel | None:
    """The gene named ``name`` on ``chrom`` (else any gene whose span contains pos)."""
    named = [g for g in genes if g.name == name and g.chrom == chrom]
    if named:
        return named[0]
    for g in genes:
        if g.chrom == chrom and g.start <= pos <= g.end:
            return g
    return None
