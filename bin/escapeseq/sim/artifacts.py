"""Library and alignment artifacts of real exomes, added to simulated reads.

Every artifact is off by default (:class:`ArtifactOptions`). What each one does:

* ``oxog`` - 8-oxoguanine damage: at chosen reference sites a G reads as T **on read 1**
  only. In reference coordinates a G>T at a reference G shows up only in F1R2 pairs
  (read 1 on the forward strand) and a C>A at a reference C only in F2R1 pairs. Each
  damaged site has a per-sample VAF drawn from U(1 %, 3 %); a pair of the right
  orientation that covers the site carries it with probability 2 x VAF (half the pairs
  are eligible), on both mates where they overlap the site.
* ``ffpe`` - formalin deamination of cytosine: C reads as T on read 1 (C>T in F1R2 pairs
  at reference C, G>A in F2R1 pairs at reference G), VAF U(2 %, 5 %).
* ``paralog`` - a near-identical copy of some target regions that the reads of the
  sample carry but the reference does not hold as such: the sample's paralog differs
  from the target region at ~1.2 % of bases (set D); the reference additionally holds a
  decoy copy (contig ``chrUn_esqpara``) that differs from the target at another ~0.6 %
  (set D'). Paralog reads are closer to the target than to the decoy, so they align to
  the target with low MAPQ (0 when the read has no D' base), giving clustered false
  SNVs at the D positions in every sample (normal included); capture efficiency of the
  paralog is ``paralog_eff`` of one target copy.
* ``tumour_in_normal`` - the normal sample contains this fraction of tumour cells (the
  first tumour's clone mixture); the truth VAFs of the normal include it.
* ``duplicates`` - this fraction of read pairs gets 1-3 exact PCR copies (names differ,
  positions identical, so duplicate marking finds them); ``pcr_error`` of the families
  carry one shared base change (a PCR error before the copies were made) on every copy.

Positions are 1-based. VAFs are fractions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

_COMP = {"A": "T", "C": "G", "G": "C", "T": "A", "N": "N"}
#: kind -> {reference base: (alt base, pair orientation that shows it)}
ORIENTED = {
    "oxog": {"G": ("T", "F1R2"), "C": ("A", "F2R1")},
    "ffpe": {"C": ("T", "F1R2"), "G": ("A", "F2R1")},
}
VAF_RANGE = {"oxog": (0.01, 0.03), "ffpe": (0.02, 0.05)}
PARALOG_CONTIG = "chrUn_esqpara"
_CIGAR = re.compile(r"(\d+)([MIDNSHP=X])")


@dataclass
class ArtifactOptions:
    """Which artifacts to add and how much (all off by default)."""

    oxog_per_mb: float = 0.0        # damaged sites per Mb of targets per sample
    ffpe_per_mb: float = 0.0
    paralog_per_mb: float = 0.0     # paralogous target regions per Mb of targets
    paralog_eff: float = 0.3        # paralog reads relative to one target copy
    tumour_in_normal: float = 0.0   # tumour cell fraction in the normal
    duplicates: float = 0.0         # fraction of pairs with PCR copies
    pcr_error: float = 0.5          # share of duplicate families with a shared PCR error

    @property
    def read_level(self) -> bool:
        """True if reads must be edited after ART (needs read positions)."""
        return self.oxog_per_mb > 0 or self.ffpe_per_mb > 0 or self.duplicates > 0

    @property
    def any(self) -> bool:
        """True if any artifact is on."""
        return self.read_level or self.paralog_per_mb > 0 or self.tumour_in_normal > 0


@dataclass(frozen=True)
class Site:
    """An orientation-biased damage site of one sample (reference orientation)."""

    chrom: str
    pos: int
    ref: str
    alt: str
    kind: str
    orientation: str   # F1R2 | F2R1
    vaf: float


@dataclass
class Paralog:
    """One paralogous target region: [start, end] on ``chrom`` (1-based inclusive)."""

    chrom: str
    start: int
    end: int
    diff: dict[int, str] = field(default_factory=dict)    # D: genome pos -> paralog base
    decoy: dict[int, str] = field(default_factory=dict)   # D': genome pos -> decoy base

    def sample_seq(self, ref: str) -> str:
        """The sample's paralog sequence (reference region with the D changes)."""
        s = list(ref[self.start - 1:self.end])
        for p, b in self.diff.items():
            s[p - self.start] = b
        return "".join(s)

    def decoy_seq(self, ref: str) -> str:
        """The reference decoy sequence (reference region with the D' changes)."""
        s = list(ref[self.start - 1:self.end])
        for p, b in self.decoy.items():
            s[p - self.start] = b
        return "".join(s)


def other_base(rng: np.random.Generator, b: str) -> str:
    """A random base different from ``b``."""
    alts = [x for x in "ACGT" if x != b]
    return alts[int(rng.integers(3))]


def make_paralogs(rng: np.random.Generator, contigs: dict[str, str],
                  candidates: list[tuple[str, int, int]], n: int, flank: int = 150,
                  d_rate: float = 0.012, decoy_rate: float = 0.006) -> list[Paralog]:
    """``n`` paralogous regions: random ``candidates`` (targets) +- ``flank`` bp.

    Each gets disjoint random base sets D (rate ``d_rate``, the sample's paralog) and
    D' (rate ``decoy_rate``, the reference decoy); D positions inside the original
    candidate interval (not the flanks) are what a caller sees as false SNVs.
    """
    if n <= 0 or not candidates:
        return []
    idx = rng.choice(len(candidates), size=min(n, len(candidates)), replace=False)
    out = []
    for i in sorted(int(x) for x in idx):
        c, s, e = candidates[i]
        s, e = max(1, s - flank), min(len(contigs[c]), e + flank)
        length = e - s + 1
        pos = rng.permutation(length)
        nd, nd2 = max(2, int(round(length * d_rate))), max(1, int(round(length * decoy_rate)))
        seq = contigs[c]
        d = {s + int(k): other_base(rng, seq[s + int(k) - 1]) for k in pos[:nd]}
        d2 = {s + int(k): other_base(rng, seq[s + int(k) - 1]) for k in pos[nd:nd + nd2]}
        out.append(Paralog(c, s, e, d, d2))
    return out


def decoy_contig(rng: np.random.Generator, contigs: dict[str, str], paralogs: list[Paralog],
                 spacer: int = 1000) -> str:
    """Sequence of the decoy contig: random spacer, then each decoy copy + spacer."""
    from escapeseq.sim.seqs import random_dna
    parts = [random_dna(rng, spacer, 0.41)]
    for p in paralogs:
        parts += [p.decoy_seq(contigs[p.chrom]), random_dna(rng, spacer, 0.41)]
    return "".join(parts)


def damage_sites(rng: np.random.Generator, kind: str, contigs: dict[str, str],
                 regions: list[tuple[str, int, int]], n: int, is_free) -> list[Site]:
    """``n`` damage sites of ``kind`` (oxog | ffpe) at reference bases it can hit.

    ``regions`` are (chrom, start, end) to draw from (uniform over bp); ``is_free(chrom,
    pos)`` rejects positions near true variants. VAF ~ U(:data:`VAF_RANGE`).
    """
    table = ORIENTED[kind]
    lo, hi = VAF_RANGE[kind]
    lens = np.array([e - s + 1 for _, s, e in regions], dtype=float)
    if n <= 0 or lens.sum() <= 0:
        return []
    cum = np.cumsum(lens)
    out: list[Site] = []
    used: set[tuple[str, int]] = set()
    for _ in range(50 * n):
        if len(out) >= n:
            break
        x = rng.uniform(0, cum[-1])
        i = min(int(np.searchsorted(cum, x, side="right")), len(regions) - 1)
        c, s, _e = regions[i]
        pos = s + int(x - (cum[i] - lens[i]))
        b = contigs[c][pos - 1]
        if b not in table or (c, pos) in used or not is_free(c, pos):
            continue
        alt, ori = table[b]
        used.add((c, pos))
        out.append(Site(c, pos, b, alt, kind, ori, float(rng.uniform(lo, hi))))
    return sorted(out, key=lambda t: (t.chrom, t.pos))


# ---------------------------------------------------------------------------------------
# coordinates: genome <-> record (a window copy with variants applied) <-> read
# ---------------------------------------------------------------------------------------

def record_offset(win_start: int, applied: list[tuple[int, int, int]], gpos: int) -> int | None:
    """0-based offset in a record of genome position ``gpos``.

    ``applied`` = sorted (pos, len(ref), len(alt)) of the variants applied to the window
    that starts at ``win_start``. Offset = gpos - win_start + sum of (len alt - len ref)
    of the variants ending before gpos; None if gpos lies inside a variant's REF.
    """
    shift = 0
    for p, lr, la in applied:
        if p + lr - 1 < gpos:
            shift += la - lr
        elif p <= gpos:
            return None
    return gpos - win_start + shift


def genome_position(win_start: int, applied: list[tuple[int, int, int]], off: int) -> int | None:
    """Genome position of 0-based record offset ``off`` (None inside a variant's ALT)."""
    g = win_start + off
    shift = 0
    for p, lr, la in applied:
        rs = p - win_start + shift           # record offset of the variant's first base
        if off < rs:
            break
        if off < rs + la:
            return None
        shift += la - lr
        g = win_start + off - shift
    return g


def read_index(pos1: int, cigar: str, off: int) -> int | None:
    """Index in the read (reference orientation) of record offset ``off``.

    ``pos1`` is the SAM POS (1-based) of the read on the record; None when the read
    does not cover the offset or has a deletion there.
    """
    r = pos1 - 1
    q = 0
    for n_s, op in _CIGAR.findall(cigar):
        n = int(n_s)
        if op in "M=X":
            if r <= off < r + n:
                return q + off - r
            r += n
            q += n
        elif op in "IS":
            q += n
        elif op in "DN":
            if r <= off < r + n:
                return None
            r += n
    return None


def record_offset_of_read(pos1: int, cigar: str, qi: int) -> int | None:
    """Record offset of read index ``qi`` (reference orientation); None in an insertion."""
    r = pos1 - 1
    q = 0
    for n_s, op in _CIGAR.findall(cigar):
        n = int(n_s)
        if op in "M=X":
            if q <= qi < q + n:
                return r + qi - q
            r += n
            q += n
        elif op in "IS":
            if q <= qi < q + n:
                return None
            q += n
        elif op in "DN":
            r += n
    return None


def set_base(seq: str, qi: int, base: str, reverse: bool) -> str:
    """Set reference-orientation read index ``qi`` of a FASTQ read to reference base ``base``.

    A reverse-strand read is stored reverse-complemented, so index ``L - 1 - qi`` gets
    the complement.
    """
    if reverse:
        i = len(seq) - 1 - qi
        base = _COMP[base]
    else:
        i = qi
    return seq[:i] + base + seq[i + 1:]


@dataclass
class RecordInfo:
    """Where a simulated record comes from: chrom, window start, applied variants."""

    chrom: str
    start: int
    applied: list[tuple[int, int, int]]
    end: int = 0                                                  # window end (genome)
    sites: list[tuple[int, Site]] = field(default_factory=list)   # (record offset, site)


class ReadEditor:
    """Applies damage sites and PCR duplicates to ART read pairs of one sample."""

    def __init__(self, records: dict[str, RecordInfo], contigs: dict[str, str],
                 duplicates: float, pcr_error: float, rng: np.random.Generator):
        self.records = records
        self.contigs = contigs
        self.dup = duplicates
        self.pcr = pcr_error
        self.rng = rng
        self.pcr_rows: list[tuple[str, int, str, str, int]] = []   # chrom pos ref alt copies

    def edit(self, rec: str, flag1: int, pos1: int, cig1: str, pos2: int, cig2: str,
             s1: str, q1: str, s2: str, q2: str) -> list[tuple[str, str, str, str]]:
        """Return the pair (damaged if it covers a site) followed by its PCR copies."""
        info = self.records.get(rec)
        rev1 = bool(flag1 & 16)
        ori = "F2R1" if rev1 else "F1R2"
        if info is not None:
            for off, site in info.sites:
                if site.orientation != ori:
                    continue
                i1, i2 = read_index(pos1, cig1, off), read_index(pos2, cig2, off)
                if i1 is None and i2 is None:
                    continue
                if self.rng.random() >= min(1.0, 2.0 * site.vaf):
                    continue
                if i1 is not None:
                    s1 = set_base(s1, i1, site.alt, rev1)
                if i2 is not None:
                    s2 = set_base(s2, i2, site.alt, not rev1)
        out = [(s1, q1, s2, q2)]
        if self.dup > 0 and self.rng.random() < self.dup:
            k = int(min(3, self.rng.geometric(0.6)))
            if info is not None and self.rng.random() < self.pcr:
                mate = int(self.rng.integers(2))
                seq, pos, cig, rev = (s1, pos1, cig1, rev1) if mate == 0 else (s2, pos2, cig2, not rev1)
                qi = int(self.rng.integers(len(seq)))
                off = record_offset_of_read(pos, cig, qi)
                g = None if off is None else genome_position(info.start, info.applied, off)
                if g is not None and 1 <= g <= len(self.contigs[info.chrom]):
                    ref = self.contigs[info.chrom][g - 1]
                    alt = other_base(self.rng, ref)
                    seq = set_base(seq, qi, alt, rev)
                    if mate == 0:
                        s1 = seq
                    else:
                        s2 = seq
                    out = [(s1, q1, s2, q2)]
                    self.pcr_rows.append((info.chrom, g, ref, alt, k + 1))
            out += [out[0]] * k
        return out
