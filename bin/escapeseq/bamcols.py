"""Whole-BAM passes without per-read Python: base counts per column in compiled code.

``samtools view -u`` selects the reads of a set of regions through the BAM index (multi-
region iterator: each read once, coordinate order) and streams them as uncompressed BAM.
:func:`count_columns` walks those records in a numba-compiled kernel that applies the
read filters, follows each CIGAR and adds every aligned base (quality >= the threshold,
A/C/G/T) to the counts of the region column it falls on; it also returns where the
reads carrying insertions/deletions start so the caller can look at those few in Python.
Per read this costs well under a microsecond; pysam's ``count_coverage`` with a Python
read filter costs ~10 µs and a pysam fetch alone ~3 µs (issue 8, docs/benchmarks-pipeline.md).

:func:`decode` turns chosen records into numpy columns (:class:`ReadBatch`) for the
Python code that needs whole reads. Coordinates are 0-based, half-open.
"""
from __future__ import annotations

import fcntl
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
from isal import igzip, isal_zlib


def numba_cache_dir(module_dir: str, env: dict[str, str], tmp: str, uid: int) -> str | None:
    """Where the compiled kernels are cached: None = numba's default, beside the module
    (``__pycache__``), used when that is writable (a checkout; the local executor);
    else the root of the Nextflow work directory (``NXF_TASK_WORKDIR``/../..), which every
    task of a run shares on local, HPC and container executors, so the kernels are
    compiled once per run (~4 CPU s) and loaded by every other task (~0.3 s), not
    compiled again in each task's private /tmp; else the temporary directory. An explicit
    ``NUMBA_CACHE_DIR`` wins. Numba refuses to cache, at import time, when it finds no
    writable location."""
    if env.get("NUMBA_CACHE_DIR"):
        return env["NUMBA_CACHE_DIR"]
    here = os.path.join(module_dir, "__pycache__")
    if os.access(here if os.path.isdir(here) else module_dir, os.W_OK):
        return None
    task = env.get("NXF_TASK_WORKDIR")
    if task:
        root = os.path.dirname(os.path.dirname(os.path.abspath(task)))
        if os.access(root, os.W_OK):
            return os.path.join(root, ".escapeseq-numba-cache")
    return os.path.join(tmp, f"escapeseq-numba-{uid}")


def _numba_cache_dir() -> None:
    """Set NUMBA_CACHE_DIR from :func:`numba_cache_dir` before numba is imported."""
    d = numba_cache_dir(os.path.dirname(os.path.abspath(__file__)), dict(os.environ),
                        tempfile.gettempdir(), os.getuid())
    if d is not None:
        os.environ["NUMBA_CACHE_DIR"] = d


_numba_cache_dir()
from numba import njit  # noqa: E402  (after the cache location is settled)


def _numba_target_without_blas() -> None:
    """Initialise numba's CPU target (which every compile and cache load needs) without
    importing scipy.linalg: numba.np.arraymath imports it (~0.3-0.4 s per process) only
    to learn whether np.dot / np.linalg may be jitted, and no kernel here uses them, so
    each task that loads the cached kernels skips that import. When scipy.linalg is
    already loaded nothing is blocked."""
    block = "scipy.linalg" not in sys.modules
    if block:
        sys.modules["scipy.linalg"] = None  # type: ignore[assignment]  # import -> ImportError
    try:
        from numba.core.registry import cpu_target
        cpu_target.target_context.refresh()
    finally:
        if block and sys.modules.get("scipy.linalg", 0) is None:
            del sys.modules["scipy.linalg"]


_numba_target_without_blas()

# 4-bit BAM base code -> 0..3 for A C G T, 4 for anything else ("=ACMGRSVTWYHKDBN").
NIBBLE_BASE = np.full(16, 4, dtype=np.int8)
NIBBLE_BASE[[1, 2, 4, 8]] = [0, 1, 2, 3]

FIXED = np.dtype([("block_size", "<i4"), ("ref_id", "<i4"), ("pos", "<i4"),
                  ("l_read_name", "u1"), ("mapq", "u1"), ("bin", "<u2"),
                  ("n_cigar", "<u2"), ("flag", "<u2"), ("l_seq", "<i4"),
                  ("next_ref_id", "<i4"), ("next_pos", "<i4"), ("tlen", "<i4")])


def _ranges(starts: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flattened ``starts[i] + arange(lengths[i])`` for every i, and the owner i of each."""
    lengths = lengths.astype(np.int64)
    total = int(lengths.sum())
    owner = np.repeat(np.arange(len(lengths)), lengths)
    if total == 0:
        return np.zeros(0, dtype=np.int64), owner
    first = np.cumsum(lengths) - lengths
    offs = np.arange(total, dtype=np.int64) - first[owner]
    return starts.astype(np.int64)[owner] + offs, owner


class BamReadError(Exception):
    """samtools could not read the BAM (message: samtools' last stderr line)."""


@dataclass(frozen=True)
class Regions:
    """Non-overlapping 0-based half-open regions (any order) with a flat column numbering:
    region k covers columns ``offset[k]`` .. ``offset[k] + end[k] - start[k]``."""

    contig: tuple[str, ...]
    start: np.ndarray
    end: np.ndarray

    @classmethod
    def of(cls, regions: Iterable[tuple[str, int, int]]) -> "Regions":
        rs = list(regions)
        return cls(tuple(r[0] for r in rs), np.array([r[1] for r in rs], dtype=np.int64),
                   np.array([r[2] for r in rs], dtype=np.int64))

    @property
    def offset(self) -> np.ndarray:
        w = self.end - self.start
        return np.cumsum(w) - w

    @property
    def columns(self) -> int:
        return int((self.end - self.start).sum())


@njit(cache=True, nogil=True)
def _u32(buf, o):
    return (np.int64(buf[o]) | (np.int64(buf[o + 1]) << 8) | (np.int64(buf[o + 2]) << 16)
            | (np.int64(buf[o + 3]) << 24))


@njit(cache=True, nogil=True)
def _i32(buf, o):
    v = _u32(buf, o)
    return v - (np.int64(1) << 32) if v >= (np.int64(1) << 31) else v


@njit(cache=True, nogil=True)
def _record(buf, o, flag_mask, min_mapq, proper):
    """Fields of the record at ``o``: (end offset, ref id, pos, MAPQ, n_cigar, flag,
    l_seq, CIGAR / sequence / quality offsets, passes the read filters). ``end`` is -1
    when the record is not complete in ``buf``."""
    end = o + 4 + _u32(buf, o)
    if end > buf.size:
        return -1, 0, 0, 0, 0, 0, 0, 0, 0, 0, False
    rid = _i32(buf, o + 4)
    pos = _i32(buf, o + 8)
    mapq = np.int64(buf[o + 13])
    n_cig = np.int64(buf[o + 16]) | (np.int64(buf[o + 17]) << 8)
    flag = np.int64(buf[o + 18]) | (np.int64(buf[o + 19]) << 8)
    l_seq = _i32(buf, o + 20)
    cig = o + 36 + np.int64(buf[o + 12])
    seq = cig + 4 * n_cig
    qual = seq + (l_seq + 1) // 2
    ok = (rid >= 0 and (flag & flag_mask) == 0 and mapq >= min_mapq and n_cig > 0 and l_seq > 0
          and not (proper and (flag & 1) != 0 and (flag & 2) == 0))
    return end, rid, pos, mapq, n_cig, flag, l_seq, cig, seq, qual, ok


@njit(cache=True, nogil=True)
def _count_kernel(buf, reg_ref, reg_start, reg_end, reg_off, counts, min_mapq, flag_mask,
                  proper, min_baseq, nibble_base, indel_offs, min_clip):
    """Walk the complete records of ``buf``; return (bytes consumed, reads with an
    indel or a soft clip of at least ``min_clip`` bases (0: clips ignored) found)."""
    n = buf.size
    nreg = reg_ref.size
    o = 0
    ptr = 0
    nind = 0
    while o + 4 <= n:
        end, rid, pos, mapq, n_cig, flag, l_seq, cig, seq, qual, ok = _record(
            buf, o, flag_mask, min_mapq, proper)
        if end < 0:
            break
        if ok and buf[qual] != 255:
            while ptr < nreg and (reg_ref[ptr] < rid or (reg_ref[ptr] == rid and reg_end[ptr] <= pos)):
                ptr += 1
            k = ptr
            qp = 0
            rp = pos
            has_indel = False
            for c in range(n_cig):
                v = _u32(buf, cig + 4 * c)
                op = v & 15
                ln = v >> 4
                if op == 0 or op == 7 or op == 8:
                    for j in range(ln):
                        p = rp + j
                        while k < nreg and (reg_ref[k] < rid or (reg_ref[k] == rid and reg_end[k] <= p)):
                            k += 1
                        if k < nreg and reg_ref[k] == rid and reg_start[k] <= p:
                            q = qp + j
                            if buf[qual + q] >= min_baseq:
                                byte = np.int64(buf[seq + (q >> 1)])
                                b = nibble_base[(byte >> 4) if (q & 1) == 0 else (byte & 15)]
                                if b < 4:
                                    counts[reg_off[k] + p - reg_start[k], b] += 1
                    qp += ln
                    rp += ln
                elif op == 1:
                    qp += ln
                    has_indel = True
                elif op == 4:
                    qp += ln
                    if min_clip > 0 and ln >= min_clip:
                        has_indel = True
                elif op == 2:
                    rp += ln
                    has_indel = True
                elif op == 3:
                    rp += ln
            if has_indel:
                indel_offs[nind] = o
                nind += 1
        o = end
    return o, nind


@dataclass
class ReadBatch:
    """Some decoded reads: per read ``ref_id`` and ``pos`` (0-based); flattened CIGARs
    (read i owns ``cig_first[i]`` .. ``+ n_cigar[i]``) and bases (0-3 A C G T, 4 other;
    read i owns ``seq_first[i]`` .. ``+ l_seq[i]``)."""

    ref_id: np.ndarray
    pos: np.ndarray
    l_seq: np.ndarray
    n_cigar: np.ndarray
    cig_first: np.ndarray
    cig_op: np.ndarray
    cig_len: np.ndarray
    seq_first: np.ndarray
    base: np.ndarray

    def __len__(self) -> int:
        return len(self.pos)

    def read(self, i: int) -> "Read":
        """Read i with the pysam-style attributes the indel code uses."""
        a, b = int(self.cig_first[i]), int(self.cig_first[i] + self.n_cigar[i])
        s = int(self.seq_first[i])
        seq = BASE_ASCII[self.base[s:s + int(self.l_seq[i])]].tobytes().decode()
        return Read(int(self.pos[i]), list(zip(self.cig_op[a:b].tolist(), self.cig_len[a:b].tolist())), seq)


BASE_ASCII = np.frombuffer(b"ACGTN", dtype=np.uint8)


@dataclass(frozen=True)
class Read:
    """The parts of an aligned read that ``somatic.pileup.read_indels`` reads."""

    reference_start: int
    cigartuples: list[tuple[int, int]]
    query_sequence: str


def decode(buf, offsets: np.ndarray) -> ReadBatch:
    """Decode the BAM records starting at ``offsets`` of an uncompressed record buffer
    (vectorised numpy gathers)."""
    arr = np.frombuffer(buf, dtype=np.uint8)
    offs = np.asarray(offsets, dtype=np.int64)
    fx = arr[offs[:, None] + np.arange(FIXED.itemsize)].copy().view(FIXED).reshape(-1)
    n_cig = fx["n_cigar"].astype(np.int64)
    l_seq = fx["l_seq"].astype(np.int64)
    cig_start = offs + FIXED.itemsize + fx["l_read_name"]
    cig_idx, _ = _ranges(cig_start, 4 * n_cig)
    cig = arr[cig_idx].copy().view("<u4") if len(cig_idx) else np.zeros(0, dtype="<u4")
    seq_start = cig_start + 4 * n_cig
    seq_idx, owner = _ranges(np.zeros(len(offs), dtype=np.int64), l_seq)
    packed = arr[seq_start[owner] + (seq_idx >> 1)]
    nib = np.where(seq_idx & 1, packed & 0xF, packed >> 4)
    return ReadBatch(ref_id=fx["ref_id"].astype(np.int64), pos=fx["pos"].astype(np.int64), l_seq=l_seq, n_cigar=n_cig, cig_first=np.cumsum(n_cig) - n_cig,
                     cig_op=(cig & 0xF).astype(np.int64), cig_len=(cig >> 4).astype(np.int64),
                     seq_first=np.cumsum(l_seq) - l_seq, base=NIBBLE_BASE[nib])


def _read_header(fh) -> tuple[list[str], bytearray]:
    """Read the BAM header from an uncompressed stream; return the contig names and the
    bytes read past it."""
    buf = bytearray()

    def need(k: int) -> None:
        while len(buf) < k:
            chunk = fh.read(1 << 16)
            if not chunk:
                raise BamReadError("truncated BAM header")
            buf.extend(chunk)

    need(12)
    if bytes(buf[:4]) != b"BAM\x01":
        raise BamReadError("not a BAM stream")
    o = 8 + int.from_bytes(buf[4:8], "little")
    need(o + 4)
    n_ref = int.from_bytes(buf[o:o + 4], "little")
    o += 4
    names = []
    for _ in range(n_ref):
        need(o + 4)
        ln = int.from_bytes(buf[o:o + 4], "little")
        need(o + 8 + ln)
        names.append(bytes(buf[o + 4:o + 4 + ln - 1]).decode())
        o += 8 + ln
    return names, buf[o:]


def batched_by_width(items: Iterable, width: Callable[[object], int], max_width: int,
                     same: Callable[[object, object], bool] = lambda a, b: True) -> list[list]:
    """Consecutive items grouped so that each group's total ``width`` stays within
    ``max_width`` (an item wider than that is a group of its own) and ``same(first item
    of the group, item)`` holds: one BAM pass per group keeps the column counts held at
    once bounded whatever the target size."""
    out: list[list] = []
    size = 0
    for it in items:
        w = width(it)
        if out and size + w <= max_width and same(out[-1][0], it):
            out[-1].append(it)
            size += w
        else:
            out.append([it])
            size = w
    return out


CHUNK_BYTES = 8 << 20  # uncompressed record bytes handed to a kernel at once


def stream_records(bam: str, regions: Iterable[tuple[str, int, int]], min_mapq: int,
                   exclude_flags: int, consume: Callable[[np.ndarray, dict[str, int]], int],
                   reference: str | None = None, threads: int = 1,
                   chunk_bytes: int | None = None) -> None:
    """Feed the uncompressed records of the reads overlapping ``regions`` (each read once,
    coordinate order; MAPQ >= ``min_mapq``, none of ``exclude_flags``) to ``consume(buf,
    contig ids)`` chunk by chunk; it returns how many bytes of whole records it used (the
    rest is offered again with the next chunk). Raises :class:`BamReadError` if samtools
    cannot read the BAM or the stream is cut short.
    """
    bed = regions_bed(regions)
    cmd = ["samtools", "view", "-u", "-M", "-L", bed, "-q", str(min_mapq),
           "-F", str(exclude_flags)]  # -L with -M: multi-region iterator over the index
    if threads > 1:
        cmd += ["-@", str(threads - 1)]
    if reference:
        cmd += ["-T", reference]
    err = tempfile.TemporaryFile()
    proc = subprocess.Popen(cmd + [bam], stdout=subprocess.PIPE, stderr=err)
    try:  # a 1 MiB pipe: fewer hand-offs between samtools and the kernel (Linux only)
        fcntl.fcntl(proc.stdout.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), 1 << 20)
    except OSError:
        pass
    try:
        try:
            fh = igzip.IGzipFile(fileobj=proc.stdout, mode="rb")
            contigs, buf = _read_header(fh)
            ids = {c: i for i, c in enumerate(contigs)}
            while True:
                chunk = fh.read(chunk_bytes or CHUNK_BYTES)
                buf.extend(chunk)
                arr = np.frombuffer(buf, dtype=np.uint8)
                used = consume(arr, ids)
                del arr
                del buf[:used]  # an incomplete last record waits for the next chunk
                if not chunk:
                    if buf:
                        raise BamReadError("truncated BAM record stream")
                    break
        except (OSError, EOFError, isal_zlib.error) as e:
            raise BamReadError(f"cannot decode samtools output ({e})") from None
    finally:
        proc.stdout.close()
        rc = proc.wait()
        err.seek(0)
        msg = err.read().decode(errors="replace")
        err.close()
        os.unlink(bed)
    if rc != 0:
        lines = [ln for ln in msg.strip().splitlines() if ln.strip()]
        raise BamReadError(lines[-1] if lines else f"samtools view exited {rc}")


def count_columns(bam: str, regions: Regions, min_mapq: int, exclude_flags: int, min_baseq: int,
                  proper_pair: bool = False, reference: str | None = None, threads: int = 1,
                  on_indel_reads: Callable[[ReadBatch], None] | None = None, min_clip: int = 0) -> np.ndarray:
    """A/C/G/T counts (int32, shape (regions.columns, 4)) of one BAM over ``regions``
    (non-overlapping; contigs absent from the BAM count nothing).

    A read counts if its MAPQ >= ``min_mapq``, it has none of ``exclude_flags``, it has
    bases and qualities, and (with ``proper_pair``) it is unpaired or properly paired; a
    base counts if it is aligned (M/=/X) inside a region, A/C/G/T and of quality >=
    ``min_baseq``. Mates are counted independently (as pysam's ``count_coverage``).
    ``on_indel_reads`` receives, batch by batch, the counted reads whose CIGAR has an
    insertion or deletion, or (``min_clip`` > 0) a soft clip of at least ``min_clip`` bases. Raises :class:`BamReadError` if samtools cannot read the BAM.
    """
    counts = np.zeros((regions.columns, 4), dtype=np.int32)
    if not regions.contig:
        return counts
    layout: dict[str, np.ndarray] = {}

    def consume(arr: np.ndarray, ids: dict[str, int]) -> int:
        if not layout:
            # the kernel walks regions in the BAM's order; columns keep the caller's layout
            ref_id = np.array([ids.get(c, -1) for c in regions.contig], dtype=np.int64)
            order = np.lexsort((regions.start, ref_id))
            layout.update(ref=ref_id[order], start=regions.start[order],
                          end=regions.end[order], offset=regions.offset[order])
        indel_offs = np.empty(len(arr) // 36 + 1, dtype=np.int64)
        used, nind = _count_kernel(arr, layout["ref"], layout["start"], layout["end"],
                                   layout["offset"], counts, min_mapq, exclude_flags,
                                   proper_pair, min_baseq, NIBBLE_BASE, indel_offs, min_clip)
        if nind and on_indel_reads is not None:
            on_indel_reads(decode(arr, indel_offs[:nind]))
        return used

    stream_records(bam, zip(regions.contig, regions.start.tolist(), regions.end.tolist()),
                   min_mapq, exclude_flags, consume, reference, threads)
    return counts


def _whole_record_at(arr: np.ndarray, o: int) -> bool:
    """True if a complete record starts at offset ``o``."""
    return o + 4 <= len(arr) and o + 4 + int.from_bytes(arr[o:o + 4].tobytes(), "little") <= len(arr)


@dataclass
class SnvEvidence:
    """Per-read rows at single-base sites (from :func:`snv_evidence`): ``site`` index,
    ``allele`` (0 ref, 1 alt, 2 other), base quality ``bq``, ``mq``, ``reverse`` and
    ``dist`` (bases to the nearer end of the aligned part of the read), ``name`` (query
    name), ``f1r2`` (Mutect2's read orientation: reverse XOR first of pair); ``overlap``: per site, the counted reads overlapping it; ``indel_reads``:
    decoded reads with an insertion/deletion that overlap a site."""

    site: np.ndarray
    allele: np.ndarray
    bq: np.ndarray
    mq: np.ndarray
    reverse: np.ndarray
    dist: np.ndarray
    name: np.ndarray
    overlap: np.ndarray
    indel_reads: list["Read"]
    f1r2: np.ndarray | None = None


def snv_evidence(bam: str, contig: str, site_pos: np.ndarray, site_ref: np.ndarray,
                 site_alt: np.ndarray, min_mapq: int, exclude_flags: int, min_baseq: int,
                 proper_pair: bool = False, reference: str | None = None, threads: int = 1,
                 max_rows: int = 1 << 20) -> SnvEvidence:
    """Evidence of every read at single-base sites of one contig (``site_pos`` sorted,
    0-based; ``site_ref``/``site_alt`` base codes 0-3) in one streamed pass (compiled).

    Same read filters as :func:`count_columns`; a read without qualities counts as Q30.
    A read covering a site with a deletion/skip there, or with a base below
    ``min_baseq``, gives no row but counts in ``overlap``.
    """
    site_pos = np.asarray(site_pos, dtype=np.int64)
    nsite = len(site_pos)
    overlap = np.zeros(nsite, dtype=np.int64)
    cols: dict[str, list[np.ndarray]] = {k: [] for k in ("site", "allele", "bq", "mq", "reverse", "dist")}
    names: list[np.ndarray] = []
    indel_reads: list[Read] = []
    state = np.zeros(3, dtype=np.int64)
    out = {k: np.empty(max_rows, dtype=np.int64) for k in cols}
    rec = np.empty(max_rows, dtype=np.int64)
    if nsite == 0:
        return SnvEvidence(*(np.zeros(0, dtype=np.int64) for _ in range(6)),
                           np.zeros(0, dtype="S1"), overlap, [], np.zeros(0, dtype=bool))

    site_ref = np.asarray(site_ref, dtype=np.int64)
    site_alt = np.asarray(site_alt, dtype=np.int64)

    def consume(arr: np.ndarray, ids: dict[str, int]) -> int:
        rid = ids.get(contig, -2)
        o = 0
        while True:
            indel_offs = np.empty(len(arr) // 36 + 1, dtype=np.int64)
            state[1] = state[2] = 0
            o = _snv_kernel(arr, o, rid, site_pos, site_ref, site_alt, min_mapq, exclude_flags,
                            proper_pair, min_baseq, NIBBLE_BASE, overlap, out["site"],
                            out["allele"], out["bq"], out["mq"], out["reverse"], out["dist"],
                            rec, indel_offs, state)
            nout, nind = int(state[1]), int(state[2])
            for k in cols:
                cols[k].append(out[k][:nout].copy())
            names.append(read_names(arr, rec[:nout]))
            if nind:
                b = decode(arr, indel_offs[:nind])
                indel_reads.extend(b.read(i) for i in range(len(b)))
            if not _whole_record_at(arr, o):
                return o  # stopped at the end of the whole records, not for room

    stream_records(bam, ((contig, int(p), int(p) + 1) for p in site_pos), min_mapq,
                   exclude_flags, consume, reference, threads)
    cat = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for k, v in cols.items()}
    reverse = cat["reverse"] & 1
    first = (cat["reverse"] >> 1) & 1
    return SnvEvidence(cat["site"], cat["allele"], cat["bq"], cat["mq"], reverse,
                       cat["dist"], np.concatenate(names) if names else np.zeros(0, dtype="S1"),
                       overlap, indel_reads, (reverse ^ first).astype(bool))


def read_names(arr: np.ndarray, rec: np.ndarray) -> np.ndarray:
    """Query names (bytes, without the NUL) of the records starting at offsets ``rec`` of
    ``arr``, as one fixed-width bytes array: gathered in one step, not a slice per read."""
    if rec.size == 0:
        return np.zeros(0, dtype="S1")
    rec = rec.astype(np.int64)
    length = arr[rec + 12].astype(np.int64) - 1  # l_read_name counts the NUL
    width = max(int(length.max()), 1)
    col = np.arange(width)
    idx = np.minimum(rec[:, None] + 36 + col[None, :], arr.size - 1)
    mat = np.where(col[None, :] < length[:, None], arr[idx], 0).astype(np.uint8)
    return np.ascontiguousarray(mat).view(f"S{width}").ravel()


def regions_bed(regions: Iterable[tuple[str, int, int]], directory: str | None = None) -> str:
    """Write regions (contig, 0-based start, end) to a temporary BED; return its path."""
    fd, path = tempfile.mkstemp(suffix=".bed", dir=directory)
    with os.fdopen(fd, "w") as fh:
        for c, s, e in regions:
            fh.write(f"{c}\t{s}\t{e}\n")
    return path


@njit(cache=True, nogil=True)
def _snv_kernel(buf, start, rid, site_pos, site_ref, site_alt, min_mapq, flag_mask, proper,
                min_baseq, nibble_base, overlap, out_site, out_allele, out_bq, out_mq, out_rev,
                out_dist, out_rec, indel_offs, state):
    """Per-read evidence at single-base sites (sorted ``site_pos``) for the records of
    ``buf`` from ``start``. Stops before a read whose rows would not fit in the outputs.
    ``state`` = [next site pointer, rows written, indel reads written]; returns the
    offset reached."""
    n = buf.size
    nsite = site_pos.size
    cap = out_site.size
    ptr = state[0]
    nout = state[1]
    nind = state[2]
    o = start
    while o + 4 <= n:
        end, rrid, pos, mapq, n_cig, flag, l_seq, cig, seq, qual, ok = _record(
            buf, o, flag_mask, min_mapq, proper)
        if end < 0:
            break
        if ok and rrid == rid:
            rlen = 0
            has_indel = False
            for c in range(n_cig):
                v = _u32(buf, cig + 4 * c)
                op = v & 15
                if op == 0 or op == 2 or op == 3 or op == 7 or op == 8:
                    rlen += v >> 4
                if op == 1 or op == 2:
                    has_indel = True
            rend = pos + rlen
            while ptr < nsite and site_pos[ptr] < pos:
                ptr += 1
            k_end = ptr
            while k_end < nsite and site_pos[k_end] < rend:
                k_end += 1
            if nout + (k_end - ptr) > cap:
                break
            if k_end > ptr:
                if has_indel:
                    indel_offs[nind] = o
                    nind += 1
                # aligned part of the query (soft clips excluded)
                qas = 0
                for c in range(n_cig):  # leading clips (hard clips hold no query bases)
                    v = _u32(buf, cig + 4 * c)
                    if (v & 15) == 4:
                        qas += v >> 4
                    elif (v & 15) != 5:
                        break
                qae = l_seq
                for c in range(n_cig - 1, -1, -1):
                    v = _u32(buf, cig + 4 * c)
                    if (v & 15) == 4:
                        qae -= v >> 4
                    elif (v & 15) != 5:
                        break
                for k in range(ptr, k_end):
                    overlap[k] += 1
                    target = site_pos[k]
                    # query index aligned to target: -1 deleted/skipped, -2 not covered
                    q = -2
                    rp = pos
                    qp = 0
                    for c in range(n_cig):
                        v = _u32(buf, cig + 4 * c)
                        op = v & 15
                        ln = v >> 4
                        if op == 0 or op == 7 or op == 8:
                            if rp <= target < rp + ln:
                                q = qp + (target - rp)
                                break
                            rp += ln
                            qp += ln
                        elif op == 1 or op == 4:
                            qp += ln
                        elif op == 2 or op == 3:
                            if rp <= target < rp + ln:
                                q = -1
                                break
                            rp += ln
                    if q < 0:
                        continue
                    bq = np.int64(buf[qual + q])
                    if bq == 255:
                        bq = 30
                    if bq < min_baseq:
                        continue
                    byte = np.int64(buf[seq + (q >> 1)])
                    b = nibble_base[(byte >> 4) if (q & 1) == 0 else (byte & 15)]
                    out_site[nout] = k
                    out_allele[nout] = 1 if b == site_alt[k] else (0 if b == site_ref[k] else 2)
                    out_bq[nout] = bq
                    out_mq[nout] = mapq
                    # bit 0 reverse strand, bit 1 first of a pair
                    out_rev[nout] = ((flag >> 4) & 1) | ((flag & (flag >> 6) & 1) << 1)
                    d1 = q - qas
                    d2 = qae - 1 - q
                    d = d1 if d1 < d2 else d2
                    out_dist[nout] = d if d > 0 else 0
                    out_rec[nout] = o
                    nout += 1
        o = end
    state[0] = ptr
    state[1] = nout
    state[2] = nind
    return o
