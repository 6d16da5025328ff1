"""Transcript models from a GENCODE/Ensembl-style GTF, and a binned interval index.

Coordinates are 1-based inclusive, as in the GTF. A :class:`Transcript` keeps its exons in
transcript order (5' -> 3', so descending genomic order on the minus strand) and the
position of its coding sequence in *transcript* coordinates (1 = first base of the
spliced transcript). The CDS includes the stop codon: GENCODE puts the stop in a separate
``stop_codon`` feature, which is merged into the CDS here (as HGVS c. numbering expects:
the stop codon's last base is the last ``c.`` position before ``c.*1``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from escapeseq.errors import InputError
from escapeseq.fileio import checked_lines, open_bytes

#: bases either side of a transcript searched for upstream/downstream variants.
FLANK = 5000
#: bin width of the interval index (bp).
BIN = 65536

_ATTR_RE = re.compile(r'\s*([^\s";]+)\s+(?:"([^"]*)"|([^\s;]+))\s*;?')


@dataclass(slots=True)
class Transcript:
    """One transcript: exons in transcript order and its CDS in transcript coordinates.

    ``cds_tx_start``/``cds_tx_end`` are 1-based transcript positions of the first base of
    the start codon and the last base of the stop codon (0 when the transcript has no
    CDS). ``cds_ok`` is False when the CDS cannot be translated safely (length not a
    multiple of 3, or a start phase other than 0); such a transcript gets only
    position-level consequences in its CDS (``coding_sequence_variant``, no p.).
    """

    tx_id: str
    gene_id: str
    gene_name: str
    biotype: str
    chrom: str
    strand: int
    exons: list[tuple[int, int]]
    tags: frozenset[str] = frozenset()
    cds_lo: int = 0
    cds_hi: int = 0
    start: int = 0
    end: int = 0
    exon_tx_start: list[int] = field(default_factory=list)
    tx_length: int = 0
    cds_tx_start: int = 0
    cds_tx_end: int = 0
    cds_ok: bool = False
    canonical: bool = False
    problem: str = ""

    @property
    def coding(self) -> bool:
        """True when the transcript has a CDS (translatable or not)."""
        return self.cds_tx_start > 0

    @property
    def cds_length(self) -> int:
        """Length of the CDS in nt, stop codon included (0 for non-coding)."""
        return self.cds_tx_end - self.cds_tx_start + 1 if self.cds_tx_start else 0

    def tx_pos(self, g: int) -> tuple[int, int]:
        """Map genomic position ``g`` to ``(exon_index, transcript_position)``; (-1, 0) if intronic/outside."""
        for i, (s, e) in enumerate(self.exons):
            if s <= g <= e:
                off = g - s if self.strand > 0 else e - g
                return i, self.exon_tx_start[i] + off
        return -1, 0


def _finish(tx: Transcript, cds: list[tuple[int, int, int]]) -> None:
    """Fill the derived fields of ``tx`` from its exons and CDS pieces (start, end, phase)."""
    tx.exons.sort(key=lambda ex: ex[0], reverse=tx.strand < 0)
    tx.start = min(s for s, _ in tx.exons)
    tx.end = max(e for _, e in tx.exons)
    pos = 1
    tx.exon_tx_start = []
    for s, e in tx.exons:
        tx.exon_tx_start.append(pos)
        pos += e - s + 1
    tx.tx_length = pos - 1
    if not cds:
        return
    lo = min(s for s, _, _ in cds)
    hi = max(e for _, e, _ in cds)
    tx.cds_lo, tx.cds_hi = lo, hi
    first, last = (lo, hi) if tx.strand > 0 else (hi, lo)
    _, t1 = tx.tx_pos(first)
    _, t2 = tx.tx_pos(last)
    if not t1 or not t2:
        tx.problem = "CDS lies outside the exons"
        return
    tx.cds_tx_start, tx.cds_tx_end = t1, t2
    # phase of the 5'-most CDS piece (GTF column 8): non-zero = incomplete start.
    five_prime = min(cds, key=lambda c: c[0]) if tx.strand > 0 else max(cds, key=lambda c: c[1])
    n = t2 - t1 + 1
    if five_prime[2] not in (0, -1):
        tx.problem = f"CDS starts with phase {five_prime[2]} (incomplete 5' end)"
    elif n % 3:
        tx.problem = f"CDS length {n} is not a multiple of 3"
    else:
        tx.cds_ok = True


def parse_attributes(text: str) -> dict[str, list[str]]:
    """Parse a GTF attribute column into ``key -> [values]`` (keys like ``tag`` repeat)."""
    out: dict[str, list[str]] = {}
    for m in _ATTR_RE.finditer(text):
        val = m.group(2) if m.group(2) is not None else m.group(3)
        out.setdefault(m.group(1), []).append(val)
    return out


def _transcript_id(text: str) -> str:
    """The ``transcript_id`` attribute value (fast path for the common ``key "value";`` form)."""
    i = text.find("transcript_id ")
    while i > 0 and text[i - 1] not in " ;\t":     # not the tail of a longer key
        i = text.find("transcript_id ", i + 1)
    if i < 0:
        return ""
    j = i + 14
    if j < len(text) and text[j] == '"':
        k = text.find('"', j + 1)
        return text[j + 1:k] if k > 0 else ""
    k = text.find(";", j)
    return text[j:k if k >= 0 else len(text)].strip()


def read_gtf(path: str | Path, warn=None) -> list[Transcript]:
    """Read transcripts from a GTF (plain or gzipped).

    Uses ``exon``, ``CDS`` and ``stop_codon`` features; ``gene_name``, ``transcript_type``
    (or ``transcript_biotype``) and ``tag`` attributes when present. ``warn(msg)`` is called
    once per transcript whose CDS cannot be translated safely. Raises :class:`InputError`
    for a malformed line or a GTF without any exon or CDS feature.
    """
    path = Path(path)
    txs: dict[str, Transcript] = {}
    cds: dict[str, list[tuple[int, int, int]]] = {}
    stops: dict[str, list[tuple[int, int]]] = {}
    n_exon = n_cds = 0
    try:
        fh = open_bytes(path)
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from None
    with fh:
        for lineno, line in enumerate(checked_lines(fh, path), 1):
            if not line.strip() or line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) < 9:
                raise InputError(path, f"line {lineno}", f"expected 9 tab-separated columns, found {len(f)}")
            feat = f[2]
            if feat not in ("exon", "CDS", "stop_codon"):
                continue
            try:
                s, e = int(f[3]), int(f[4])
            except ValueError:
                raise InputError(path, f"line {lineno}", "start/end are not integers") from None
            if s < 1 or e < s:
                raise InputError(path, f"line {lineno}", f"bad interval {s}-{e}")
            if f[6] not in "+-" or not f[6]:
                raise InputError(path, f"line {lineno}", f"strand must be + or -, found {f[6]!r}")
            tid = _transcript_id(f[8])
            if not tid:
                raise InputError(path, f"line {lineno}", "no transcript_id attribute")
            tx = txs.get(tid)
            if tx is None:
                attrs = parse_attributes(f[8])   # full parse once per transcript
                gid = (attrs.get("gene_id") or [""])[0]
                name = (attrs.get("gene_name") or attrs.get("gene") or [gid])[0]
                biotype = (attrs.get("transcript_type") or attrs.get("transcript_biotype")
                           or attrs.get("gene_type") or attrs.get("gene_biotype") or [""])[0]
                tx = Transcript(tid, gid, name, biotype, f[0], 1 if f[6] == "+" else -1, [],
                                frozenset(attrs.get("tag", ())))
                txs[tid] = tx
            elif tx.chrom != f[0] or (tx.strand > 0) != (f[6] == "+"):
                raise InputError(path, f"line {lineno}", f"transcript {tid} changes contig or strand")
            if feat == "exon":
                tx.exons.append((s, e))
                n_exon += 1
            elif feat == "CDS":
                phase = int(f[7]) if f[7] in ("0", "1", "2") else -1
                cds.setdefault(tid, []).append((s, e, phase))
                n_cds += 1
            else:
                stops.setdefault(tid, []).append((s, e))
    if not n_exon and not n_cds:
        raise InputError(path, None, "no exon or CDS features: not a usable gene annotation")
    out = []
    for tid, tx in txs.items():
        pieces = cds.get(tid, [])
        for s, e in stops.get(tid, []):
            if not any(cs <= s and e <= ce for cs, ce, _ in pieces):
                pieces.append((s, e, -1))
        if not tx.exons:
            if not pieces:
                continue
            tx.exons = merge_intervals([(s, e) for s, e, _ in pieces])
            tx.problem = "no exon features; exons taken from CDS"
        _finish(tx, pieces)
        if pieces and not tx.biotype:
            tx.biotype = "protein_coding"
        if tx.problem and warn is not None:
            warn(f"{path.name}: transcript {tid}: {tx.problem}"
                 + ("; coding consequences not predicted" if not tx.cds_ok and pieces else ""))
        out.append(tx)
    mark_canonical(out)
    out.sort(key=lambda t: (t.chrom, t.start, t.end, t.tx_id))
    return out


def merge_intervals(iv: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Merge overlapping or touching 1-based inclusive intervals (input any order)."""
    out: list[list[int]] = []
    for s, e in sorted(iv):
        if out and s <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(a, b) for a, b in out]


def mark_canonical(txs: Iterable[Transcript]) -> None:
    """Set ``canonical`` on one transcript per gene.

    A transcript tagged ``Ensembl_canonical`` wins, then ``MANE_Select``, then (no tags)
    the longest translatable CDS, then the longest transcript, then the smallest id.
    """
    genes: dict[str, list[Transcript]] = {}
    for tx in txs:
        genes.setdefault(tx.gene_id or tx.gene_name, []).append(tx)
    for members in genes.values():
        def key(t: Transcript):
            return (not ("Ensembl_canonical" in t.tags or "canonical" in t.tags),
                    "MANE_Select" not in t.tags, not t.cds_ok, -t.cds_length, -t.tx_length, t.tx_id)
        best = min(members, key=key)
        best.canonical = True


class TranscriptIndex:
    """Binned interval index: which transcripts lie within ``FLANK`` bp of a genomic interval."""

    def __init__(self, txs: list[Transcript], flank: int = FLANK):
        self.txs = txs
        self.flank = flank
        self.bins: dict[str, dict[int, list[int]]] = {}
        for i, tx in enumerate(txs):
            bins = self.bins.setdefault(tx.chrom, {})
            lo = max(1, tx.start - flank) // BIN
            hi = (tx.end + flank) // BIN
            for b in range(lo, hi + 1):
                bins.setdefault(b, []).append(i)
        self.chroms = frozenset(self.bins)

    def query(self, chrom: str, start: int, end: int) -> list[Transcript]:
        """Transcripts whose span +/- ``FLANK`` overlaps ``[start, end]`` (1-based, inclusive)."""
        bins = self.bins.get(chrom)
        if not bins:
            return []
        fl = self.flank
        txs = self.txs
        if start // BIN == end // BIN:
            cand = bins.get(start // BIN, ())
        else:
            seen: set[int] = set()
            for b in range(start // BIN, end // BIN + 1):
                seen.update(bins.get(b, ()))
            cand = sorted(seen)
        return [txs[i] for i in cand if txs[i].start - fl <= end and txs[i].end + fl >= start]
