"""BED targets: parsing, padding, merging and balanced scatter into interval chunks.

BED intervals are 0-based half-open (start, end); everything here keeps that convention.
"""
from __future__ import annotations

from dataclasses import dataclass

from escapeseq.errors import InputError
from escapeseq.fileio import checked_lines, open_bytes


@dataclass(frozen=True)
class Interval:
    """One 0-based half-open interval on a contig."""

    contig: str
    start: int
    end: int

    @property
    def length(self) -> int:
        """Length in bp."""
        return self.end - self.start


def read_fai(path: str) -> dict[str, int]:
    """Contig lengths from a FASTA index (.fai), in FASTA order."""
    out: dict[str, int] = {}
    try:
        fh = open(path)
    except OSError as e:
        raise InputError(path, None, f"cannot read: {e.strerror}") from None
    with fh:
        for i, line in enumerate(fh, 1):
            f = line.rstrip("\n").split("\t")
            if len(f) < 2 or not f[1].isdigit():
                raise InputError(path, f"line {i}", "not a FASTA index line")
            out[f[0]] = int(f[1])
    return out


def read_bed(path: str, contigs: dict[str, int]) -> list[Interval]:
    """Intervals of a BED file, plain or gzip (header/track/comment lines skipped), validated.

    Read through :mod:`escapeseq.fileio` like every other input, so a gzipped BED (which
    escapeseq-validate accepts) is decompressed here too; CRLF line ends are tolerated.
    """
    out: list[Interval] = []
    try:
        fh = open_bytes(path)
    except OSError as e:
        raise InputError(path, None, f"cannot read: {e.strerror or e}") from None
    with fh:
        for i, line in enumerate(checked_lines(fh, path), 1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            f = line.rstrip("\r\n").split("\t")
            if len(f) < 3:
                raise InputError(path, f"line {i}", "expected at least 3 tab-separated columns")
            if f[0] not in contigs:
                raise InputError(path, f"line {i}", f"contig '{f[0]}' is not in the reference")
            try:
                s, e = int(f[1]), int(f[2])
            except ValueError:
                raise InputError(path, f"line {i}", "start/end are not integers") from None
            if s < 0 or e <= s or e > contigs[f[0]]:
                raise InputError(path, f"line {i}", f"bad interval {s}-{e} (contig length {contigs[f[0]]})")
            out.append(Interval(f[0], s, e))
    return out


def pad_merge(intervals: list[Interval], contigs: dict[str, int], padding: int) -> list[Interval]:
    """Pad every interval by ``padding`` bp (clipped to the contig), sort by FASTA contig
    order then start, and merge overlapping or book-ended intervals."""
    order = {c: i for i, c in enumerate(contigs)}
    padded = sorted((Interval(iv.contig, max(0, iv.start - padding),
                              min(contigs[iv.contig], iv.end + padding)) for iv in intervals),
                    key=lambda iv: (order[iv.contig], iv.start, iv.end))
    merged: list[Interval] = []
    for iv in padded:
        if merged and merged[-1].contig == iv.contig and iv.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Interval(last.contig, last.start, max(last.end, iv.end))
        else:
            merged.append(iv)
    return merged


def chunk_count(total_bp: int, max_count: int, min_chunk_bp: int) -> int:
    """How many calling chunks ``total_bp`` of (padded, merged) targets get: as many as
    ``max_count`` allows while each chunk keeps at least ``min_chunk_bp`` bp on average,
    and at least one.

    count = min(max_count, max(1, floor(total_bp / min_chunk_bp))). Every chunk is a task
    that pays a fixed start-up (interpreter, imports, compiled-kernel cache load, BAM
    headers; ~1-2 CPU s) besides its per-base work, so a chunk much smaller than
    ``min_chunk_bp`` costs more in start-up than it saves in wall time: a 70 kb panel is
    called in one chunk, a 2 Mb target set in ``max_count`` (default 4). ``min_chunk_bp``
    0 disables the rule (always ``max_count``).
    """
    if max_count < 1:
        raise ValueError("max_count must be >= 1")
    if min_chunk_bp < 0:
        raise ValueError("min_chunk_bp must be >= 0")
    if min_chunk_bp == 0:
        return max_count
    return min(max_count, max(1, total_bp // min_chunk_bp))


def split_balanced(intervals: list[Interval], count: int) -> list[list[Interval]]:
    """Cut an ordered interval list into at most ``count`` consecutive non-empty chunks of
    near-equal total bp, never splitting an interval.

    Chunk k ends at the first interval whose cumulative length reaches k/count of the
    total (the k-th quantile of the bp), so each chunk gets total/count bp plus at most one
    interval's overshoot. With no more intervals than ``count`` every interval is a chunk.
    """
    if count < 1:
        raise ValueError("count must be >= 1")
    if not intervals:
        return [[]]
    if count >= len(intervals):
        return [[iv] for iv in intervals]
    total = sum(iv.length for iv in intervals)
    chunks: list[list[Interval]] = [[]]
    cum = 0
    k = 1
    for i, iv in enumerate(intervals):
        chunks[-1].append(iv)
        cum += iv.length
        remaining = len(intervals) - i - 1
        if k < count and remaining > 0 and cum * count >= k * total:
            chunks.append([])
            k += 1
            while k < count and cum * count >= k * total:
                k += 1
    return [c for c in chunks if c]


def write_bed(path: str, intervals: list[Interval]) -> None:
    """Write intervals as a 3-column BED."""
    with open(path, "w") as fh:
        for iv in intervals:
            fh.write(f"{iv.contig}\t{iv.start}\t{iv.end}\n")
