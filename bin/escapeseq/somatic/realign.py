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

from escapeseq.bamcols import njit
from escapeseq.somatic.defaults import MIN_CLIP, MIN_SEP
from escapeseq.somatic.normalize import left_normalize

BAM_CMATCH, BAM_CINS, BAM_CDEL, BAM_CREF_SKIP, BAM_CSOFT_CLIP, BAM_CHARD_CLIP = 0, 1, 2, 3, 4, 5
MAX_CLIP_DEL = 60
MAX_CLIP_INS = 30
HAP_FLANK = 400
FETCH_MARGIN = 30
GROUP_GAP = 150

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


@njit(cache=True, nogil=True)
def _clip_match(cc, win, min_clip, max_del, max_ins):
    """Best event for clip codes ``cc`` against reference codes ``win`` that start right
    after the clip point: returns (kind, length) with kind 1 deletion, 2 insertion, 0
    none. Deletion L: cc == win[L:L+c]; insertion I: cc[I:] == win[:c-I]. Fewest
    mismatches wins, then the shorter event (deletions first on a tie); at most
    (compared bases) // 10 mismatches."""
    c = cc.size
    best_m = 1 << 30
    best_len = 1 << 30
    kind = 0
    for L in range(1, max_del + 1):
        if L + c > win.size:
            break
        m = 0
        for j in range(c):
            if cc[j] != win[L + j] or cc[j] > 3:
                m += 1
        if m <= c // 10 and (m < best_m or (m == best_m and L < best_len)):
            best_m, best_len, kind = m, L, 1
    top = max_ins if max_ins < c - min_clip else c - min_clip
    for ins in range(1, top + 1):
        t = c - ins
        if t > win.size:
            continue
        m = 0
        for j in range(t):
            if cc[ins + j] != win[j] or win[j] > 3:
                m += 1
        if m <= t // 10 and (m < best_m or (m == best_m and ins < best_len)):
            best_m, best_len, kind = m, ins, 2
    return kind, best_len


def match_right_clip(clip: str, e: int, ref_slice, min_clip: int = MIN_CLIP,
                     max_del: int = MAX_CLIP_DEL, max_ins: int = MAX_CLIP_INS) -> tuple[str, int] | None:
    """Event explaining a right clip ``clip`` that starts after aligned end ``e``:
    ("D", L) or ("I", I), or None. ``ref_slice(s, t)``: reference bases [s, t)."""
    c = len(clip)
    if c < min_clip:
        return None
    kind, n = _clip_match(encode(clip), encode(ref_slice(e, e + max_del + c)), min_clip, max_del, max_ins)
    return None if kind == 0 else ("D" if kind == 1 else "I", int(n))


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


MAX_PAIR_SPAN = 150
MAX_HAPLOTYPES = 40


def candidate_haplotypes(sites: list, conflict: list[set]) -> list[frozenset]:
    """Event sets of the haplotypes a group's reads are scored on: the reference, each
    candidate alone, and each pair of compatible candidates (non-conflicting, within
    ``MAX_PAIR_SPAN`` bp: two events in cis on one read), while the total stays under
    ``MAX_HAPLOTYPES``. Reads carrying two nearby events then fit one haplotype instead of
    fitting neither single-event haplotype well."""
    out = [frozenset()] + [frozenset([k]) for k in range(len(sites))]
    for a in range(len(sites)):
        for b in range(a + 1, len(sites)):
            if len(out) >= MAX_HAPLOTYPES:
                return out
            if b in conflict[a] or sites[b].pos0 - sites[a].last > MAX_PAIR_SPAN:
                continue
            if sites[a].pos0 + len(sites[a].ref) > sites[b].pos0:
                continue
            out.append(frozenset([a, b]))
    return out


def edited_haplotype(ref, start: int, end: int, events: list) -> Haplotype:
    """Reference [start, end) with each (non-overlapping) event's REF replaced by ALT."""
    seq, cur, delta = [], start, 0
    for st in sorted(events, key=lambda x: x.pos0):
        seq.append(ref.slice(cur, st.pos0))
        seq.append(st.alt)
        cur = st.pos0 + len(st.ref)
        delta += len(st.alt) - len(st.ref)
    seq.append(ref.slice(cur, end))
    return Haplotype(encode("".join(seq)), delta)


def _deltas(haps: list[Haplotype], sites: list) -> np.ndarray:
    """Offsets tried around each anchor: 0 and +-(length change) of every haplotype and
    every single event (a read may reach only one event of a pair)."""
    ds = {0}
    for d in [h.delta for h in haps] + [len(s.alt) - len(s.ref) for s in sites]:
        ds |= {d, -d}
    return np.array(sorted(ds), dtype=np.int64)


def haplotype(ref, start: int, end: int, pos0: int = -1, ref_allele: str = "", alt_allele: str = "") -> Haplotype:
    """Reference [start, end) with REF at pos0 replaced by ALT (no event when pos0 < 0)."""
    if pos0 < 0:
        return Haplotype(encode(ref.slice(start, end)), 0)
    seq = ref.slice(start, pos0) + alt_allele + ref.slice(pos0 + len(ref_allele), end)
    return Haplotype(encode(seq), len(alt_allele) - len(ref_allele))


def _weights_of_q() -> np.ndarray:
    q = np.arange(256, dtype=float)
    eps = np.minimum(np.power(10.0, -np.maximum(q, 1.0) / 10.0), 0.75)
    return np.log10(3.0 * (1.0 - eps) / eps)


W_OF_Q = _weights_of_q()  # match weight by Phred quality (read_weights)


def read_weights(quals: np.ndarray | None, n: int, codes: np.ndarray) -> np.ndarray:
    """w_i = log10(3 (1 - eps_i) / eps_i), the log10 gain of a matching base (0 for N)."""
    q = np.full(n, 30.0) if quals is None else np.asarray(quals, dtype=float)
    eps = np.minimum(np.power(10.0, -np.maximum(q, 1.0) / 10.0), 0.75)
    w = np.log10(3.0 * (1.0 - eps) / eps)
    w[codes > 3] = 0.0
    return w


@njit(cache=True, nogil=True)
def _score_reads(codes, w, rfirst, rlen, left, right, hap_codes, hap_first, hap_len, deltas,
                 out_score, out_off):
    """Best ungapped placement of every read on every haplotype.

    Read r (bases ``codes[rfirst[r]:rfirst[r]+rlen[r]]``, match weights ``w``) is tried
    at haplotype offsets left[r] + d and right[r] + d for every d in ``deltas``; the
    score of an offset is the sum of w over matching bases (bases off the haplotype
    never match). ``out_score[r, h]``/``out_off[r, h]``: best score and its offset.
    """
    for r in range(rfirst.size):
        f = rfirst[r]
        n = rlen[r]
        for h in range(hap_first.size):
            hf = hap_first[h]
            hl = hap_len[h]
            best = -1.0
            bo = 0
            for side in range(2):
                anchor = left[r] if side == 0 else right[r]
                for k in range(deltas.size):
                    off = anchor + deltas[k]
                    sc = 0.0
                    for i in range(n):
                        j = off + i
                        if 0 <= j < hl and hap_codes[hf + j] == codes[f + i]:
                            sc += w[f + i]
                    if sc > best:
                        best = sc
                        bo = off
            out_score[r, h] = best
            out_off[r, h] = bo


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


def classify_many(s_ref: np.ndarray, s_alt: np.ndarray, s_oth: np.ndarray,
                  min_sep: float = MIN_SEP) -> tuple[np.ndarray, np.ndarray]:
    """``classify`` over arrays of reads (s_oth: best other-candidate score, -inf when
    there is none): (allele, margin) arrays, allele -1 for reads that are not informative."""
    a_m = s_alt - np.maximum(s_ref, s_oth)
    o_m = s_oth - np.maximum(s_ref, s_alt)
    r_m = s_ref - s_alt
    allele = np.where(a_m >= min_sep, 1, np.where(o_m >= min_sep, 2, np.where(r_m >= min_sep, 0, -1)))
    margin = np.where(allele == 1, a_m, np.where(allele == 2, o_m, np.where(allele == 0, r_m, 0.0)))
    return allele, margin


def event_distance(n: int, offset: int, hap_start: int, pos0: int, ins_len: int) -> int:
    """Read bases on the shorter side of the event, clips included: the event starts
    after the anchor pos0 at read index i = pos0 + 1 - hap_start - offset and (an
    insertion) spans ins_len read bases, so min(i + ins_len, n - i), at least 0. A read
    ending inside a long insertion scores the inserted bases it holds."""
    i = pos0 + 1 - hap_start - offset
    return max(0, min(i + ins_len, n - i))


def read_is_f1r2(flag: int) -> bool:
    """Mutect2's F1R2: reverse strand XOR first of pair (a read1 on the forward strand,
    or a read2 on the reverse strand; an unpaired read is F1R2 when reverse)."""
    reverse = bool(flag & 0x10)
    first = bool(flag & 0x1) and bool(flag & 0x40)
    return reverse != first


def realign_evidence(bam: pysam.AlignmentFile, ref, sites: list, rf, indel_qual_cap: int = 40,
                     min_sep: float = MIN_SEP, near_window: int = 15):
    """Evidence of one sample at indel sites (sorted by pos0) by haplotype realignment.

    Sites closer than ``GROUP_GAP`` share one fetch (of reads overlapping the group's
    span +- ``FETCH_MARGIN``: a read clipped at an event is aligned up to it); each site competes against every
    other indel site of the group whose event lies within 20 bp of it. Every read whose
    extent (clips included) touches a site is scored on all haplotypes of its group in
    one compiled call. Per site and fragment the mate with the larger margin is kept.
    Returns ``pileup.ReadEvidence`` per site; ``overlap_reads`` counts the filtered reads
    touching [pos0, last], ``near_indel_reads`` those carrying another gapped indel within
    ``near_window`` bp.
    """
    from escapeseq.somatic.pileup import ReadEvidence, read_indels  # local: avoids a cycle
    if not sites:
        return []
    mask = rf.flag_mask()
    groups: list[list[int]] = []
    for i, st in enumerate(sites):
        if groups and st.pos0 - sites[groups[-1][-1]].last <= GROUP_GAP:
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
        conflict = [{j for j in range(len(gs)) if j != k and gs[j].pos0 <= gs[k].last + 20
                     and gs[k].pos0 <= gs[j].last + 20} for k in range(len(gs))]
        hap_events = candidate_haplotypes(gs, conflict)
        haps = [edited_haplotype(ref, hs, he, [gs[e] for e in ev]) for ev in hap_events]
        deltas = _deltas(haps, gs)
        # per site: haplotypes carrying its event, a conflicting event, or neither
        with_k = [[h for h, ev in enumerate(hap_events) if k in ev] for k in range(len(gs))]
        with_c = [[h for h, ev in enumerate(hap_events) if k not in ev and ev & conflict[k]] for k in range(len(gs))]
        without = [[h for h, ev in enumerate(hap_events) if k not in ev and not ev & conflict[k]]
                   for k in range(len(gs))]
        # gather the reads whose extent (clips included) reaches the group's span
        names, mqs, revs, f1r2s, lens, lefts, rights, seqs, quals = [], [], [], [], [], [], [], [], []
        with_indels = []
        for read in bam.fetch(ref.contig, max(0, lo - FETCH_MARGIN), hi + FETCH_MARGIN):
            flag = read.flag
            if flag & mask or read.mapping_quality < rf.min_mapq:
                continue
            if rf.require_proper_pair and (flag & 0x1) and not (flag & 0x2):
                continue
            seq = read.query_sequence
            re_ = read.reference_end
            if seq is None or re_ is None:
                continue
            n = len(seq)
            left = read.reference_start - read.query_alignment_start
            right = re_ + (n - read.query_alignment_end) - n
            if max(left, right) + n <= lo or min(left, right) >= hi:
                continue
            if any(op in (BAM_CINS, BAM_CDEL) for op, _ in read.cigartuples):
                with_indels.append((len(names), read_indels(read, ref)))
            q = read.query_qualities
            names.append(read.query_name.encode())
            mqs.append(read.mapping_quality)
            revs.append(bool(flag & 0x10))
            f1r2s.append(read_is_f1r2(flag))
            lens.append(n)
            lefts.append(left)
            rights.append(right)
            seqs.append(seq)
            quals.append(bytes(q) if q is not None else b"\x1e" * n)
        for k, i in enumerate(g):
            results[i] = ReadEvidence.empty()
        if not names:
            continue
        rlen = np.array(lens, dtype=np.int64)
        left_a = np.array(lefts, dtype=np.int64)
        right_a = np.array(rights, dtype=np.int64)
        ext_lo = np.minimum(left_a, right_a)
        ext_hi = np.maximum(left_a, right_a) + rlen
        pos0 = np.array([st.pos0 for st in gs], dtype=np.int64)
        last = np.array([st.last for st in gs], dtype=np.int64)
        touch = (pos0[None, :] < ext_hi[:, None]) & (last[None, :] >= ext_lo[:, None])
        near = np.zeros(len(gs), dtype=np.int64)
        for r, events in with_indels:
            for k in np.nonzero(touch[r])[0]:
                st = gs[k]
                if any(p + len(rr) - 1 >= st.pos0 - near_window and p <= st.last + near_window
                       and (p, rr, a) != (st.pos0, st.ref, st.alt) for p, rr, a, _q in events):
                    near[k] += 1
        rfirst = np.concatenate([[0], np.cumsum(rlen)[:-1]]).astype(np.int64)
        hap_len = np.array([h.codes.size for h in haps], dtype=np.int64)
        hap_first = np.concatenate([[0], np.cumsum(hap_len)[:-1]]).astype(np.int64)
        score = np.empty((len(names), len(haps)))
        offs = np.empty((len(names), len(haps)), dtype=np.int64)
        codes = encode("".join(seqs))
        w = W_OF_Q[np.frombuffer(b"".join(quals), dtype=np.uint8)]
        w[codes > 3] = 0.0
        _score_reads(codes, w, rfirst, rlen, left_a - hs, right_a - hs,
                     np.concatenate([h.codes for h in haps]), hap_first, hap_len, deltas, score, offs)
        name_a = np.array(names, dtype="S")
        mq_a, rev_a, f1r2_a = np.array(mqs, dtype=np.int64), np.array(revs), np.array(f1r2s)
        for k, i in enumerate(g):
            st = gs[k]
            rows = np.nonzero(touch[:, k])[0]
            sub = score[rows]
            s_alt, s_ref = sub[:, with_k[k]].max(axis=1), sub[:, without[k]].max(axis=1)
            s_oth = sub[:, with_c[k]].max(axis=1) if with_c[k] else np.full(rows.size, -np.inf)
            h_alt = np.array(with_k[k])[sub[:, with_k[k]].argmax(axis=1)]
            h_ref = np.array(without[k])[sub[:, without[k]].argmax(axis=1)]
            allele, margin = classify_many(s_ref, s_alt, s_oth, min_sep)
            keep = allele >= 0
            rows, allele, margin = rows[keep], allele[keep], margin[keep]
            h_alt, h_ref = h_alt[keep], h_ref[keep]
            off = np.where(allele == 1, offs[rows, h_alt], offs[rows, h_ref])
            # read index of the event: shifted by the events placed before it on that haplotype
            before = np.array([sum(len(gs[e].alt) - len(gs[e].ref) for e in hap_events[h] if gs[e].pos0 < st.pos0)
                               for h in range(len(haps))], dtype=np.int64)
            off = off - np.where(allele == 1, before[h_alt], before[h_ref])
            ins_len = np.where(allele == 1, max(len(st.alt) - len(st.ref), 0), 0)
            i0 = st.pos0 + 1 - hs - off
            dist = np.maximum(0, np.minimum(i0 + ins_len, rlen[rows] - i0))
            bq = np.minimum(indel_qual_cap, np.round(10.0 * margin)).astype(np.int64)
            # one row per fragment: the mate with the larger margin (the first read on a tie)
            order = np.lexsort((rows, -bq, name_a[rows]))
            nm = name_a[rows][order]
            first = np.ones(order.size, dtype=bool)
            first[1:] = nm[1:] != nm[:-1]
            sel = order[first]
            r = rows[sel]
            ev = ReadEvidence(allele[sel].astype(np.int64), bq[sel], mq_a[r], rev_a[r].astype(bool),
                              dist[sel].astype(np.int64), f1r2=f1r2_a[r].astype(bool), names=name_a[r])
            ev.overlap_reads = int(touch[:, k].sum())
            ev.near_indel_reads = int(near[k])
            results[i] = ev
    return [results[i] for i in range(len(sites))]
