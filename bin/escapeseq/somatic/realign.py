"""Indels from soft-clipped reads, and read-versus-haplotype genotyping of indel sites.

Aligners often soft-clip an indel that lies near a read end instead of opening a gap
(a clip costs less than a long gap), and a deletion longer than a few bases is gapped
only in reads with long anchors on both sides. Two steps recover them:

1. ``clip_indels`` (candidate discovery, pass 1): the clipped bases of a read are
   matched against the reference just beyond the clip. A right clip C (c bases) starting
   after the aligned end e is a deletion of L bases if C equals ref[e+L, e+L+c) and an
   insertion of I bases if C[I:] equals ref[e, e+c-I) (C[:I] inserted); a left clip is
   the mirror image. The smallest event with the fewest mismatches wins.
2. ``realign_evidence`` (genotyping, pass 2): in the active region of each indel site,
   every read (clipped part included) is scored against the reference haplotype, the
   site's alternate haplotype and every other candidate indel haplotype nearby, by
   ungapped placement at the offsets its alignment implies (left anchor, right anchor,
   each shifted by the event length). With base error eps_i = 10^(-Q_i/10),

       log10 P(read | hap, offset) = sum_i [match_i log10(1 - eps_i) + (1 - match_i) log10(eps_i / 3)]
                                   = const + sum_i match_i w_i,  w_i = log10(3 (1 - eps_i) / eps_i),

   and P(read | hap) takes the best offset. A read supports an allele only when its
   best haplotype beats the competing ones by at least ``min_sep`` log10 units (an
   *informative* read); reads that end inside a repeat, or short of the event, are not
   informative and count nowhere (not in AD, not in DP). The read's quality for the
   TLOD/NLOD likelihoods is that margin in Phred (10 x log10 units), capped.

Positions are 0-based.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pysam

from escapeseq.somatic.normalize import left_normalize

BAM_CMATCH, BAM_CINS, BAM_CDEL, BAM_CREF_SKIP, BAM_CSOFT_CLIP, BAM_CHARD_CLIP = 0, 1, 2, 3, 4, 5
MAX_CLIP_DEL = 60
MAX_CLIP_INS = 30
MIN_CLIP = 6
MIN_SEP = 2.0
HAP_FLANK = 400
FETCH_MARGIN = 200

_CODE = np.full(256, 4, dtype=np.uint8)
for _i, _b in enumerate("ACGT"):
    _CODE[ord(_b)] = _i
    _CODE[ord(_b.lower())] = _i


def encode(seq: str) -> np.ndarray:
    """Bases as codes 0-3 (A C G T), 4 for anything else."""
    return _CODE[np.frombuffer(seq.encode(), dtype=np.uint8)]


def clip_lengths(cigartuples) -> tuple[int, int]:
    """(leading, trailing) soft-clipped bases of a CIGAR (hard clips hold no bases)."""
    lead = trail = 0
    for op, ln in cigartuples:
        if op == BAM_CSOFT_CLIP:
            lead += ln
        elif op != BAM_CHARD_CLIP:
            break
    for op, ln in reversed(cigartuples):
        if op == BAM_CSOFT_CLIP:
            trail += ln
        elif op != BAM_CHARD_CLIP:
            break
    return lead, trail


def aligned_end(reference_start: int, cigartuples) -> int:
    """0-based exclusive reference end of the aligned part (M/=/X/D/N)."""
    return reference_start + sum(ln for op, ln in cigartuples if op in (0, 2, 3, 7, 8))


def _mismatches(a: str, b: str) -> int:
    if len(a) != len(b):
        return len(a) + 1
    return sum(x != y for x, y in zip(a, b))


def _allowed(n: int) -> int:
    """Mismatches tolerated when matching n clipped bases: none below 10, then 1 per 10."""
    return n // 10


def match_right_clip(clip: str, e: int, ref_slice, min_clip: int = MIN_CLIP,
                     max_del: int = MAX_CLIP_DEL, max_ins: int = MAX_CLIP_INS) -> tuple[str, int] | None:
    """Event explaining a right clip ``clip`` that starts after aligned end ``e``:
    ("D", L) or ("I", I), or None. ``ref_slice(s, t)``: reference bases [s, t)."""
    c = len(clip)
    if c < min_clip:
        return None
    best: tuple[int, int, str, int] | None = None  # (mismatches, length, kind, length)
    window = ref_slice(e, e + max_del + c)
    for L in range(1, max_del + 1):
        seg = window[L:L + c]
        if len(seg) < c:
            break
        m = _mismatches(clip, seg)
        if m <= _allowed(c) and (best is None or (m, L) < best[:2]):
            best = (m, L, "D", L)
    for ins in range(1, min(max_ins, c - min_clip) + 1):
        tail = clip[ins:]
        m = _mismatches(tail, window[:len(tail)])
        if m <= _allowed(len(tail)) and (best is None or (m, ins) < best[:2]):
            best = (m, ins, "I", ins)
    return None if best is None else (best[2], best[3])


def match_left_clip(clip: str, s: int, ref_slice, min_clip: int = MIN_CLIP,
                    max_del: int = MAX_CLIP_DEL, max_ins: int = MAX_CLIP_INS) -> tuple[str, int] | None:
    """Mirror of ``match_right_clip`` for a clip ending just before aligned start ``s``."""
    c = len(clip)
    if c < min_clip:
        return None
    lo = max(0, s - max_del - c)
    window = ref_slice(lo, s)
    rev = lambda x: x[::-1]  # noqa: E731
    return match_right_clip(rev(clip), 0, lambda a, b: rev(window)[a:b], min_clip, max_del, max_ins)


def clip_indels(read, ref, min_clip: int = MIN_CLIP, max_del: int = MAX_CLIP_DEL,
                max_ins: int = MAX_CLIP_INS) -> list[tuple[int, str, str]]:
    """Left-normalised indels (pos0, REF, ALT) implied by a read's soft clips.

    ``read``: pysam-style (reference_start, cigartuples, query_sequence); ``ref``: a
    RefWindow. Right clip of a deletion of L after aligned end e: anchor e-1,
    REF = ref[e-1 .. e+L-1], ALT = ref[e-1]; insertion: ALT = ref[e-1] + clip[:I]. Left
    clip ending before aligned start s: deletion anchor s-L-1, insertion anchor s-1 with
    the last I clipped bases inserted.
    """
    ct = read.cigartuples
    if not ct:
        return []
    lead, trail = clip_lengths(ct)
    if lead < min_clip and trail < min_clip:
        return []
    seq = read.query_sequence.upper()
    s = read.reference_start
    e = aligned_end(s, ct)
    out = []
    if trail >= min_clip:
        hit = match_right_clip(seq[len(seq) - trail:], e, ref.slice, min_clip, max_del, max_ins)
        if hit is not None and e >= 1:
            kind, n = hit
            a = e - 1
            if kind == "D":
                r, al = ref.slice(a, a + n + 1), ref.at(a)
            else:
                r, al = ref.at(a), ref.at(a) + seq[len(seq) - trail:len(seq) - trail + n]
            out.append((a, r, al))
    if lead >= min_clip:
        hit = match_left_clip(seq[:lead], s, ref.slice, min_clip, max_del, max_ins)
        if hit is not None:
            kind, n = hit
            if kind == "D":
                a = s - n - 1
                if a >= 0:
                    out.append((a, ref.slice(a, a + n + 1), ref.at(a)))
            elif s >= 1:
                a = s - 1
                out.append((a, ref.at(a), ref.at(a) + seq[lead - n:lead]))
    res = []
    for a, r, al in out:
        if "N" in r or "N" in al or r == al:
            continue
        res.append(left_normalize(a, r, al, ref.at))
    return res


@dataclass
class Haplotype:
    """A candidate haplotype over reference [start, ...): base codes and the event's
    length change ``delta`` (len(ALT) - len(REF); 0 for the reference)."""

    codes: np.ndarray
    delta: int


def haplotype(ref, start: int, end: int, pos0: int = -1, ref_allele: str = "", alt_allele: str = "") -> Haplotype:
    """Reference [start, end) with REF at pos0 replaced by ALT (no event when pos0 < 0)."""
    if pos0 < 0:
        return Haplotype(encode(ref.slice(start, end)), 0)
    seq = ref.slice(start, pos0) + alt_allele + ref.slice(pos0 + len(ref_allele), end)
    return Haplotype(encode(seq), len(alt_allele) - len(ref_allele))


def read_weights(quals: np.ndarray | None, n: int, codes: np.ndarray) -> np.ndarray:
    """w_i = log10(3 (1 - eps_i) / eps_i), the log10 gain of a matching base (0 for N)."""
    q = np.full(n, 30.0) if quals is None else np.asarray(quals, dtype=float)
    eps = np.minimum(np.power(10.0, -np.maximum(q, 1.0) / 10.0), 0.75)
    w = np.log10(3.0 * (1.0 - eps) / eps)
    w[codes > 3] = 0.0
    return w


def best_placement(codes: np.ndarray, w: np.ndarray, hap: Haplotype, offsets: np.ndarray) -> tuple[float, int]:
    """(best score sum_i w_i match_i, offset) of a read over the given haplotype offsets."""
    n = codes.size
    idx = offsets[:, None] + np.arange(n)[None, :]
    ok = (idx >= 0) & (idx < hap.codes.size)
    hb = hap.codes[np.clip(idx, 0, hap.codes.size - 1)]
    match = ok & (hb == codes[None, :])
    scores = (match * w[None, :]).sum(axis=1)
    k = int(np.argmax(scores))
    return float(scores[k]), int(offsets[k])


@dataclass
class ReadPlacement:
    """A read's bases, match weights and its left/right anchors in reference coordinates
    (position of query base 0 when placed from the first / last aligned base)."""

    codes: np.ndarray
    w: np.ndarray
    left: int
    right: int


def classify(scores: list[float], alt_index: int, min_sep: float = MIN_SEP) -> tuple[int, float]:
    """(allele, margin) of a read from its haplotype scores (index 0 = reference,
    ``alt_index`` = this site's ALT, any other index = another candidate allele).

    Alternate: ALT beats REF and every other haplotype by >= min_sep. Reference: REF
    beats ALT by >= min_sep and no other haplotype beats REF by min_sep (a read that does
    not reach another candidate scores the same on it as on REF). Other: another candidate
    beats both REF and ALT by >= min_sep. Else -1 (not informative).
    """
    s_ref, s_alt = scores[0], scores[alt_index]
    others = [s for i, s in enumerate(scores) if i not in (0, alt_index)]
    s_oth = max(others) if others else -np.inf
    if s_alt - max(s_ref, s_oth) >= min_sep:
        return 1, s_alt - max(s_ref, s_oth)
    if s_oth - max(s_ref, s_alt) >= min_sep:
        return 2, s_oth - max(s_ref, s_alt)
    if s_ref - s_alt >= min_sep:
        return 0, s_ref - s_alt
    return -1, 0.0


def event_distance(n: int, offset: int, hap_start: int, pos0: int, ins_len: int) -> int:
    """Bases from the event to the nearer end of the whole read (clips included): the
    event starts after the anchor pos0 at read index pos0 + 1 - hap_start - offset."""
    i = pos0 + 1 - hap_start - offset
    return max(0, min(i, n - i - ins_len))


def read_is_f1r2(flag: int) -> bool:
    """Mutect2's F1R2: reverse strand XOR first of pair (a read1 on the forward strand,
    or a read2 on the reverse strand; an unpaired read is F1R2 when reverse)."""
    reverse = bool(flag & 0x10)
    first = bool(flag & 0x1) and bool(flag & 0x40)
    return reverse != first


def realign_evidence(bam: pysam.AlignmentFile, ref, sites: list, rf, indel_qual_cap: int = 40,
                     min_sep: float = MIN_SEP, near_window: int = 15):
    """Evidence of one sample at indel sites (sorted by pos0) by haplotype realignment.

    Sites closer than a read length share one fetch; each site competes against every
    other indel site whose event lies within 20 bp of it. Per site and fragment the
    mate with the larger margin is kept. Returns ``pileup.ReadEvidence`` per site; its
    ``overlap_reads`` counts filtered reads whose full extent (clips included) touches
    [pos0, last], ``near_indel_reads`` those carrying another gapped indel within
    ``near_window`` bp.
    """
    from escapeseq.somatic.pileup import ReadEvidence, read_indels  # local: avoids a cycle
    if not sites:
        return []
    mask = rf.flag_mask()
    out: list = []
    groups: list[list[int]] = []
    for i, st in enumerate(sites):
        if groups and st.pos0 - sites[groups[-1][-1]].last <= FETCH_MARGIN:
            groups[-1].append(i)
        else:
            groups.append([i])
    results: dict[int, object] = {}
    for g in groups:
        gs = [sites[i] for i in g]
        lo = min(s.pos0 for s in gs)
        hi = max(s.last for s in gs) + 1
        hs = max(0, lo - HAP_FLANK)
        he = min(ref.length, hi + HAP_FLANK)
        refhap = haplotype(ref, hs, he)
        alts = [haplotype(ref, hs, he, s.pos0, s.ref, s.alt) for s in gs]
        # competitors of site k: other sites whose span is within 20 bp of it
        comp = [[j for j in range(len(gs)) if j != k and gs[j].pos0 <= gs[k].last + 20
                 and gs[k].pos0 <= gs[j].last + 20] for k in range(len(gs))]
        best: list[dict[str, tuple]] = [{} for _ in gs]
        overlap = [0] * len(gs)
        near = [0] * len(gs)
        for read in bam.fetch(ref.contig, max(0, lo - FETCH_MARGIN), hi + FETCH_MARGIN):
            flag = read.flag
            if flag & mask or read.mapping_quality < rf.min_mapq:
                continue
            if rf.require_proper_pair and (flag & 0x1) and not (flag & 0x2):
                continue
            ct = read.cigartuples
            if not ct or read.query_sequence is None:
                continue
            lead, trail = clip_lengths(ct)
            n = read.query_length
            rs = read.reference_start
            left = rs - lead
            right = aligned_end(rs, ct) + trail - n
            ext_lo, ext_hi = min(left, right), max(left, right) + n
            touching = [k for k in range(len(gs)) if gs[k].pos0 < ext_hi and gs[k].last >= ext_lo]
            if not touching:
                continue
            codes = encode(read.query_sequence)
            rp = ReadPlacement(codes, read_weights(read.query_qualities, n, codes), left, right)
            events = read_indels(read, ref) if any(op in (BAM_CINS, BAM_CDEL) for op, _ in ct) else []
            cache: dict[int, tuple[float, int]] = {}

            def scored(j: int) -> tuple[float, int]:
                if j not in cache:
                    h = refhap if j < 0 else alts[j]
                    cache[j] = score_on(rp, h, hs, alts)
                return cache[j]

            for k in touching:
                st = gs[k]
                overlap[k] += 1
                if events and any(p + len(r) - 1 >= st.pos0 - near_window and p <= st.last + near_window
                                  and (p, r, a) != (st.pos0, st.ref, st.alt) for p, r, a, _q in events):
                    near[k] += 1
                idx = [-1, k] + comp[k]
                sc = [scored(j) for j in idx]
                allele, margin = classify([s for s, _o in sc], 1, min_sep)
                if allele < 0:
                    continue
                off = sc[1][1] if allele == 1 else sc[0][1]
                ins_len = max(len(st.alt) - len(st.ref), 0) if allele == 1 else 0
                dist = event_distance(n, off, hs, st.pos0, ins_len)
                bq = int(min(indel_qual_cap, round(10.0 * margin)))
                rec = (allele, bq, read.mapping_quality, read.is_reverse, dist, read_is_f1r2(flag))
                name = read.query_name
                prev = best[k].get(name)
                if prev is None or rec[1] > prev[1]:
                    best[k][name] = rec
        for k, i in enumerate(g):
            names = sorted(best[k])
            rows = [best[k][nm] for nm in names]
            if rows:
                arr = np.array([(r[0], r[1], r[2], int(r[3]), r[4], int(r[5])) for r in rows], dtype=np.int64)
                ev = ReadEvidence(arr[:, 0], arr[:, 1], arr[:, 2], arr[:, 3].astype(bool), arr[:, 4],
                                  f1r2=arr[:, 5].astype(bool), names=np.array([nm.encode() for nm in names], dtype="S"))
            else:
                ev = ReadEvidence.empty()
            ev.overlap_reads = overlap[k]
            ev.near_indel_reads = near[k]
            results[i] = ev
    out = [results[i] for i in range(len(sites))]
    return out


def score_on(rp: ReadPlacement, hap: Haplotype, hap_start: int, alts: list[Haplotype]) -> tuple[float, int]:
    """Best (score, offset) of a read on one haplotype, offsets from every event length
    of the group (so each haplotype is tried at the same placements)."""
    deltas = sorted({0} | {h.delta for h in alts} | {-h.delta for h in alts})
    base = np.array([rp.left - hap_start, rp.right - hap_start], dtype=np.int64)
    offs = np.unique((base[:, None] + np.array(deltas, dtype=np.int64)[None, :]).ravel())
    return best_placement(rp.codes, rp.w, hap, offs)
