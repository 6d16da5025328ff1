"""Streaming read evidence from BAMs (never loads a BAM).

Two passes:

1. ``scan_clusters``: candidate discovery, one streamed pass per tumour over all the
   regions of a batch. ``escapeseq.bamcols.count_columns`` counts A/C/G/T per column in
   compiled code (read filters, bases at or above the minimum base quality); only the
   reads whose CIGAR has an insertion or deletion come back to Python, where their
   indels are left-normalised and counted. Python touches most reads never.
2. ``collect_evidence``: at the few candidate sites only (one pysam fetch per group of
   nearby sites), every read of every sample is classified (reference / alternate /
   other) with its base quality, mapping quality, strand and distance from the read end.

Positions are 0-based inside this module; the VCF writer adds 1.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pysam

from escapeseq.bamcols import Regions, count_columns, snv_evidence
from escapeseq.somatic.normalize import left_normalize, right_extent
from escapeseq.somatic.realign import MIN_CLIP, clip_indels, read_is_f1r2

BAM_CMATCH, BAM_CINS, BAM_CDEL, BAM_CREF_SKIP, BAM_CSOFT_CLIP = 0, 1, 2, 3, 4
BAM_CEQUAL, BAM_CDIFF = 7, 8
ALIGNED_OPS = (BAM_CMATCH, BAM_CEQUAL, BAM_CDIFF)
MAX_INDEL = 60
NEAR_INDEL_WINDOW = 15


@dataclass(frozen=True)
class ReadFilter:
    """Which reads count. MAPQ and base quality are Phred; flags as in the SAM spec."""

    min_mapq: int = 20
    min_baseq: int = 20
    drop_duplicates: bool = True
    drop_secondary: bool = True
    drop_supplementary: bool = True
    require_proper_pair: bool = False

    def flag_mask(self) -> int:
        """Bit mask of SAM flags that reject a read (unmapped and QC-fail always)."""
        mask = 0x4 | 0x200
        if self.drop_secondary:
            mask |= 0x100
        if self.drop_duplicates:
            mask |= 0x400
        if self.drop_supplementary:
            mask |= 0x800
        return mask

    def accepts(self, read: pysam.AlignedSegment) -> bool:
        """True if the read passes the flag, proper-pair and MAPQ filters."""
        flag = read.flag
        if flag & self.flag_mask():
            return False
        if self.require_proper_pair and (flag & 0x1) and not (flag & 0x2):
            return False
        return read.mapping_quality >= self.min_mapq


class RefWindow:
    """Reference bases of one contig window, 0-based contig coordinates, upper case."""

    def __init__(self, fasta: pysam.FastaFile, contig: str, start: int, end: int):
        self.contig = contig
        self.length = fasta.get_reference_length(contig)
        self.start = max(0, start)
        self.end = min(self.length, end)
        self.seq = fasta.fetch(contig, self.start, self.end).upper()
        self._fasta = fasta

    def at(self, pos0: int) -> str:
        """Base at 0-based ``pos0`` (fetched from the FASTA when outside the window)."""
        if self.start <= pos0 < self.end:
            return self.seq[pos0 - self.start]
        if 0 <= pos0 < self.length:
            return self._fasta.fetch(self.contig, pos0, pos0 + 1).upper()
        return "N"

    def slice(self, start: int, end: int) -> str:
        """Bases [start, end) (0-based, half-open)."""
        if self.start <= start and end <= self.end:
            return self.seq[start - self.start:end - self.start]
        return self._fasta.fetch(self.contig, max(0, start), min(self.length, end)).upper()


def read_indels(read: pysam.AlignedSegment, ref: RefWindow) -> list[tuple[int, str, str, int]]:
    """Indels of one read as left-normalised (pos0, REF, ALT, query index of the anchor).

    Walks the CIGAR: an insertion after the aligned reference base p becomes
    REF = ref[p], ALT = ref[p] + inserted bases; a deletion of L bases after p becomes
    REF = ref[p..p+L], ALT = ref[p]. Events longer than MAX_INDEL (60) bp, and events with no aligned
    anchor base before them (at the start of the alignment), are skipped.
    """
    out: list[tuple[int, str, str, int]] = []
    rpos = read.reference_start
    qpos = 0
    seq = None
    prev_aligned = False
    for op, ln in read.cigartuples:
        if op in ALIGNED_OPS:
            rpos += ln
            qpos += ln
            prev_aligned = True
        elif op == BAM_CINS:
            if prev_aligned and ln <= MAX_INDEL:
                if seq is None:
                    seq = read.query_sequence
                a = rpos - 1
                base = ref.at(a)
                ins = seq[qpos:qpos + ln].upper()
                if "N" not in ins and base != "N":
                    p, r, al = left_normalize(a, base, base + ins, ref.at)
                    out.append((p, r, al, qpos - 1))
            qpos += ln
            prev_aligned = False
        elif op == BAM_CDEL:
            if prev_aligned and ln <= MAX_INDEL:
                a = rpos - 1
                r = ref.slice(a, a + ln + 1)
                if "N" not in r and len(r) == ln + 1:
                    p, rr, al = left_normalize(a, r, r[0], ref.at)
                    out.append((p, rr, al, qpos - 1))
            rpos += ln
            prev_aligned = False
        elif op == BAM_CREF_SKIP:
            rpos += ln
            prev_aligned = False
        elif op == BAM_CSOFT_CLIP:
            qpos += ln
            prev_aligned = False
    return out


@dataclass
class ScanResult:
    """Pass-1 evidence of one tumour over one cluster of regions.

    ``counts``: per region of the cluster, an int array (4, region length) of A, C, G, T
    reads at or above the base-quality threshold; ``indels``: {(pos0, REF, ALT): number of
    reads} for left-normalised indels whose pos0 lies at or after the cluster's start
    and before the next cluster's start (callers keep those inside their regions).
    """

    counts: list[np.ndarray]
    indels: dict[tuple[int, str, str], int] = field(default_factory=dict)


def scan_clusters(bam: str, refs: list[RefWindow], clusters: list[list[tuple[int, int]]],
                  rf: ReadFilter, reference: str | None = None, threads: int = 1,
                  min_clip: int = MIN_CLIP) -> list[ScanResult]:
    """Count bases per column and collect indels over sorted clusters of 0-based regions
    [start, end) of one contig (``refs[k]``: the reference window of cluster k) in one
    streamed pass over ``bam`` (a path). Each read is seen once even where clusters are
    adjacent.

    Indels come from gapped reads (CIGAR I/D) and from reads soft-clipped by at least
    ``min_clip`` bases whose clip matches the reference beyond an indel
    (``realign.clip_indels``; 0 disables). A gapped indel is counted only for reads that
    cover its left-normalised anchor, a clipped one only for reads whose aligned part
    overlaps the region holding the indel, so the count does not depend on how the
    regions are grouped. Raises ``escapeseq.bamcols.BamReadError`` on read errors.
    """
    contig = refs[0].contig
    regions = Regions.of((contig, s, e) for cl in clusters for s, e in cl)
    starts = [cl[0][0] for cl in clusters]
    flat = sorted((s, e) for cl in clusters for s, e in cl)
    flat_starts = [s for s, _e in flat]
    indels: dict[tuple[int, str, str], int] = {}

    def region_of(p: int) -> tuple[int, int] | None:
        k = bisect_right(flat_starts, p) - 1
        return flat[k] if k >= 0 and flat[k][0] <= p < flat[k][1] else None

    def on_indel_reads(batch) -> None:
        for i in range(len(batch)):
            read = batch.read(i)
            rs = read.reference_start
            ref = refs[max(bisect_right(starts, rs) - 1, 0)]
            seen = set()
            for p, r, a, _q in read_indels(read, ref):
                if p >= rs:
                    seen.add((p, r, a))
            if min_clip > 0:
                re_ = _reference_end(read)
                for key in clip_indels(read, ref, min_clip):
                    reg = region_of(key[0])
                    if reg is not None and rs < reg[1] and re_ > reg[0]:
                        seen.add(key)
            for key in seen:
                indels[key] = indels.get(key, 0) + 1

    counts = count_columns(bam, regions, rf.min_mapq, rf.flag_mask(), rf.min_baseq,
                           proper_pair=rf.require_proper_pair, reference=reference,
                           threads=threads, on_indel_reads=on_indel_reads, min_clip=min_clip)
    out = []
    col = 0
    for cl in clusters:
        per = []
        for s, e in cl:
            per.append(counts[col:col + e - s].T.astype(np.int64))
            col += e - s
        out.append(ScanResult(per, {}))
    for key, n in indels.items():
        out[max(bisect_right(starts, key[0]) - 1, 0)].indels[key] = n
    return out


def bam_path(bam: pysam.AlignmentFile | pysam.FastaFile | str) -> str:
    """File name of an open pysam file (BAM or FASTA), or the path itself."""
    if isinstance(bam, str):
        return bam
    return bam.filename.decode() if isinstance(bam.filename, bytes) else str(bam.filename)


def scan_span(bam: pysam.AlignmentFile | str, ref: RefWindow, start: int, end: int,
              rf: ReadFilter) -> ScanResult:
    """``scan_clusters`` over the single region [start, end); counts as one (4, end -
    start) array."""
    res = scan_clusters(bam_path(bam), [ref], [[(start, end)]], rf)[0]
    return ScanResult(res.counts[0], res.indels)


@dataclass
class ReadEvidence:
    """Per-read evidence at one site for one sample (one entry per read fragment).

    allele: 0 reference, 1 alternate, 2 other; bq: base quality (Phred); mq: mapping
    quality; reverse: read on the reverse strand; dist: bases from the allele to the
    nearer end of the aligned part of the read (of the whole read for realigned indels);
    f1r2: Mutect2's read orientation (reverse strand XOR first of pair); names: read
    (fragment) names as bytes, to tell which events share reads. ``overlap_reads``: filtered reads
    overlapping the site, informative or not; ``near_indel_reads``: those of them that
    carry another indel within ``NEAR_INDEL_WINDOW`` bp of the site (including a deletion
    over it).
    """

    allele: np.ndarray
    bq: np.ndarray
    mq: np.ndarray
    reverse: np.ndarray
    dist: np.ndarray
    overlap_reads: int = 0
    near_indel_reads: int = 0
    f1r2: np.ndarray | None = None
    names: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.f1r2 is None:
            self.f1r2 = np.zeros(self.allele.size, dtype=bool)
        if self.names is None:
            self.names = np.zeros(self.allele.size, dtype="S1")

    @classmethod
    def empty(cls) -> "ReadEvidence":
        z = np.zeros(0, dtype=np.int64)
        return cls(z, z, z, z.astype(bool), z)


def _query_at(cigartuples, ref_start: int, target: int) -> int:
    """Query index aligned to 0-based reference ``target``; -1 deleted/skipped, -2 not covered."""
    rpos = ref_start
    qpos = 0
    for op, ln in cigartuples:
        if op in ALIGNED_OPS:
            if rpos <= target < rpos + ln:
                return qpos + (target - rpos)
            rpos += ln
            qpos += ln
        elif op in (BAM_CINS, BAM_CSOFT_CLIP):
            qpos += ln
        elif op in (BAM_CDEL, BAM_CREF_SKIP):
            if rpos <= target < rpos + ln:
                return -1
            rpos += ln
    return -2


def _covers_without_indel(cigartuples, ref_start: int, first: int, last: int) -> bool:
    """True if one aligned block covers reference [first, last] with no indel inside."""
    rpos = ref_start
    for op, ln in cigartuples:
        if op in ALIGNED_OPS:
            if rpos <= first and last < rpos + ln:
                return True
            rpos += ln
        elif op in (BAM_CDEL, BAM_CREF_SKIP):
            rpos += ln
    return False


@dataclass(frozen=True)
class Site:
    """A left-normalised candidate: 0-based pos0, REF, ALT and ``last``, the last
    reference position a read must cover to be informative (see ``right_extent``)."""

    pos0: int
    ref: str
    alt: str
    last: int

    @classmethod
    def make(cls, pos0: int, ref_allele: str, alt_allele: str, ref: RefWindow) -> "Site":
        """Site with its informative span computed against the reference."""
        return cls(pos0, ref_allele, alt_allele, right_extent(pos0, ref_allele, alt_allele, ref.at, ref.length))

    @property
    def is_snv(self) -> bool:
        """SNV or MNV (REF and ALT of equal length)."""
        return len(self.ref) == len(self.alt)


def classify_read(read: pysam.AlignedSegment, site: Site, ref: RefWindow, rf: ReadFilter,
                  indel_qual_cap: int, events=None) -> tuple[int, int, int, bool, int] | None:
    """(allele, base quality, MAPQ, reverse, distance to read end) of one read at a site,
    or None when the read is not informative there (read filters are applied by the caller).

    SNV: the read's base at pos0 (reads with a deletion there, or base quality below the
    threshold, are skipped). Indel: the read is alternate if one of its own normalised
    indels equals the site, reference if one aligned block spans from the anchor to the
    first base after the indel's rightmost equivalent placement, "other" if it carries
    a different indel inside that span, and is skipped if it ends inside it. An indel
    read's quality is its anchor base quality capped at ``indel_qual_cap``.
    """
    ct = read.cigartuples
    quals = read.query_qualities
    pos0 = site.pos0
    if site.is_snv:
        q = _query_at(ct, read.reference_start, pos0)
        if q < 0:
            return None
        n = len(site.ref)
        if n > 1 and _query_at(ct, read.reference_start, site.last) != q + n - 1:
            return None
        bq = int(min(quals[q:q + n])) if quals is not None else 30
        if bq < rf.min_baseq:
            return None
        obs = read.query_sequence[q:q + n].upper()
        allele = 1 if obs == site.alt else (0 if obs == site.ref else 2)
        qanchor = q
    else:
        allele = -1
        qanchor = -1
        if events is None:
            events = read_indels(read, ref) if any(op in (BAM_CINS, BAM_CDEL) for op, _ in ct) else []
        for p, r, a, qa in events:
            if p == pos0 and r == site.ref and a == site.alt:
                allele, qanchor = 1, qa
                break
        if allele < 0:
            if any(pos0 <= p <= site.last for p, _r, _a, _q in events):
                allele = 2
                qanchor = _query_at(ct, read.reference_start, pos0)
            elif _covers_without_indel(ct, read.reference_start, pos0, site.last):
                allele = 0
                qanchor = _query_at(ct, read.reference_start, pos0)
            else:
                return None
        if qanchor < 0:
            return None
        bq = min(int(quals[qanchor]), indel_qual_cap) if quals is not None else 30
        if bq < rf.min_baseq:
            return None
    dist = min(qanchor - read.query_alignment_start, read.query_alignment_end - 1 - qanchor)
    return allele, bq, read.mapping_quality, read.is_reverse, max(dist, 0)


def _to_evidence(best: dict[str, tuple], overlap: int = 0, near: int = 0) -> ReadEvidence:
    if not best:
        ev = ReadEvidence.empty()
    else:
        rows = [best[k] for k in sorted(best)]
        arr = np.array([(r[0], r[1], r[2], int(r[3]), r[4], int(r[5])) for r in rows], dtype=np.int64)
        ev = ReadEvidence(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3].astype(bool), arr[:, 4],
                          f1r2=arr[:, 5].astype(bool), names=np.array([k.encode() for k in sorted(best)], dtype="S"))
    ev.overlap_reads = overlap
    ev.near_indel_reads = near
    return ev


def collect_evidence(bam: pysam.AlignmentFile, ref: RefWindow, sites: list[Site], rf: ReadFilter,
                     indel_qual_cap: int = 40) -> list[ReadEvidence]:
    """Evidence of one sample at every site (sorted by pos0) in one streaming fetch.

    Each read is matched to the sites whose span [pos0, last] it overlaps (binary search
    on the sorted positions) and classified by ``classify_read``. Overlapping mates count
    once: per site the read of a fragment with the higher base quality is kept. Each read
    is also flagged when it carries a different indel anchored within
    ``NEAR_INDEL_WINDOW`` bp of the site (misalignment risk next to germline indels).
    """
    if not sites:
        return []
    starts = [s.pos0 for s in sites]
    max_span = max(s.last - s.pos0 for s in sites)
    best: list[dict[str, tuple]] = [{} for _ in sites]
    overlap = [0] * len(sites)
    near = [0] * len(sites)
    mask = rf.flag_mask()
    fetch_start = sites[0].pos0
    fetch_end = max(s.last for s in sites) + 1
    for read in bam.fetch(ref.contig, fetch_start, fetch_end):
        flag = read.flag
        if flag & mask or read.mapping_quality < rf.min_mapq:
            continue
        if rf.require_proper_pair and (flag & 0x1) and not (flag & 0x2):
            continue
        rs = read.reference_start
        re_ = read.reference_end
        if re_ is None or not read.cigartuples:
            continue
        lo = bisect_left(starts, rs - max_span)
        hi = bisect_left(starts, re_)
        if lo >= hi:
            continue
        ct = read.cigartuples
        events = read_indels(read, ref) if any(op in (BAM_CINS, BAM_CDEL) for op, _ in ct) else []
        for i in range(lo, hi):
            site = sites[i]
            if site.last < rs:
                continue
            overlap[i] += 1
            if events and any(p + len(r) - 1 >= site.pos0 - NEAR_INDEL_WINDOW
                              and p <= site.last + NEAR_INDEL_WINDOW
                              and (p, r, a) != (site.pos0, site.ref, site.alt) for p, r, a, _q in events):
                near[i] += 1
            rec = classify_read(read, site, ref, rf, indel_qual_cap, events)
            if rec is None:
                continue
            rec = rec + (read_is_f1r2(flag),)
            name = read.query_name
            prev = best[i].get(name)
            if prev is None or rec[1] > prev[1]:
                best[i][name] = rec
    return [_to_evidence(b, o, n) for b, o, n in zip(best, overlap, near)]


def _reference_end(read) -> int:
    return read.reference_start + sum(ln for op, ln in read.cigartuples
                                      if op in ALIGNED_OPS or op in (BAM_CDEL, BAM_CREF_SKIP))


def snv_site_evidence(bam: str, sites: list[Site], rf: ReadFilter,
                      ref_for: Callable[[int], RefWindow], reference: str | None = None,
                      threads: int = 1) -> list[ReadEvidence]:
    """``collect_evidence`` for single-base SNV sites of one contig (sorted by pos0), in
    one streamed, compiled pass over ``bam`` (a path) instead of a pysam fetch per group.

    Same rules: reads filtered as in pass 1, one row per fragment per site (the mate with
    the higher base quality, the first seen on a tie), rows ordered by read name,
    ``overlap_reads`` counting every filtered read over the site and ``near_indel_reads``
    those carrying an indel within ``NEAR_INDEL_WINDOW`` bp (worked out in Python for the
    few reads with an indel). ``ref_for(pos0)``: a reference window near pos0.
    """
    if not sites:
        return []
    code = {b: i for i, b in enumerate("ACGT")}
    pos = np.array([s.pos0 for s in sites], dtype=np.int64)
    ev = snv_evidence(bam, ref_for(sites[0].pos0).contig, pos,
                      np.array([code.get(s.ref, 4) for s in sites]),
                      np.array([code.get(s.alt, 4) for s in sites]), rf.min_mapq, rf.flag_mask(),
                      rf.min_baseq, rf.require_proper_pair, reference, threads)
    near = np.zeros(len(sites), dtype=np.int64)
    for read in ev.indel_reads:
        rs = read.reference_start
        hi = bisect_left(pos, _reference_end(read))
        events = read_indels(read, ref_for(rs))
        for i in range(bisect_left(pos, rs), hi):
            p0 = sites[i].pos0
            if any(p + len(r) - 1 >= p0 - NEAR_INDEL_WINDOW and p <= p0 + NEAR_INDEL_WINDOW
                   for p, r, _a, _q in events):
                near[i] += 1
    order = np.lexsort((np.arange(len(ev.site)), -ev.bq, ev.name, ev.site))
    site, name = ev.site[order], ev.name[order]
    keep = np.ones(len(order), dtype=bool)
    keep[1:] = (site[1:] != site[:-1]) | (name[1:] != name[:-1])
    order = order[keep]
    site = ev.site[order]
    bounds = np.searchsorted(site, np.arange(len(sites) + 1))
    out = []
    for i in range(len(sites)):
        rows = order[bounds[i]:bounds[i + 1]]
        e = ReadEvidence(ev.allele[rows], ev.bq[rows], ev.mq[rows], ev.reverse[rows].astype(bool),
                         ev.dist[rows], f1r2=ev.f1r2[rows], names=ev.name[rows])
        e.overlap_reads = int(ev.overlap[i])
        e.near_indel_reads = int(near[i])
        out.append(e)
    return out


def site_evidence(bam: pysam.AlignmentFile, ref: RefWindow, pos0: int, ref_allele: str,
                  alt_allele: str, rf: ReadFilter, indel_qual_cap: int = 40) -> ReadEvidence:
    """Evidence of one sample at one site (see ``collect_evidence``)."""
    return collect_evidence(bam, ref, [Site.make(pos0, ref_allele, alt_allele, ref)], rf, indel_qual_cap)[0]


def candidate_snvs(counts: np.ndarray, ref_seq: str, start: int, min_alt: int,
                   min_tlod: float, qual: float,
                   approx_lod: Callable[[np.ndarray, np.ndarray, float], np.ndarray]) -> list[tuple[int, str, str]]:
    """SNV candidates (pos0, REF, ALT) from A/C/G/T column counts of one tumour.

    A column/alternate base is a candidate when it has at least ``min_alt`` reads and the
    count-only TLOD (every base at ``qual``) reaches ``min_tlod``.
    """
    bases = "ACGT"
    ref_idx = np.array([bases.find(b) for b in ref_seq], dtype=np.int64)
    depth = counts.sum(axis=0)
    out: list[tuple[int, str, str]] = []
    for bi in range(4):
        alt = counts[bi]
        ok = (alt >= min_alt) & (ref_idx != bi) & (ref_idx >= 0)
        if not ok.any():
            continue
        idx = np.nonzero(ok)[0]
        lod = approx_lod(alt[idx], depth[idx], qual)
        for i in idx[lod >= min_tlod]:
            out.append((start + int(i), ref_seq[i], bases[bi]))
    return out
