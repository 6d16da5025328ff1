"""Alignment: BWA-MEM -> fixmate -> coordinate sort -> lane merge -> markdup -> index.

Python is in charge of the step's logic (read groups, stream plumbing, error reporting);
the heavy lifting streams through bwa and samtools without touching disk in between:

    per lane:  checked interleaved FASTQ | bwa mem -p -R <RG> | samtools fixmate -m
               | samtools sort -u   (-> lane.bam, raw)
    sample:    samtools merge -u lanes... | samtools markdup  (-> <sample>.bam|.cram) ; index

The output format follows the output's name (`escapeseq.alignio`): `<sample>.cram` is
written by markdup itself as CRAM against `--fasta` (+ `.crai`), anything else as BAM
(+ `.bai`); no separate conversion step.

`bwa mem -K` is fixed so the output does not depend on the thread count. Python streams
the two mate files into bwa as interleaved FASTQ, checking every record on the way (mate
names, counts, bases, quality lengths, gzip integrity), so a broken FASTQ stops with one
line naming the file and record instead of a mis-paired alignment.
A BAM or CRAM given in the samplesheet instead of FASTQs is checked (sorted, contigs match
the FASTA, a CRAM's @SQ M5 match it too), its read-group SM rewritten to the sample ID when
needed, written in the output's format in the same pass, and indexed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Sequence


from escapeseq.alignio import (index_suffix, is_cram, m5_mismatches, output_format,
                               samtools_output_args)
from escapeseq.errors import InputError, add_version, run_cli
from escapeseq.fileio import READ_ERRORS, open_bytes
from escapeseq.samplesheet import id_problem

BWA_CHUNK = 100_000_000  # bwa mem -K: bases per batch, fixed for thread-independent output


@dataclass(frozen=True)
class Lane:
    """One lane of paired FASTQs of a sample."""

    name: str
    fastq_1: str
    fastq_2: str


def read_group(sample: str, lane: str, library: str | None = None,
               platform: str = "ILLUMINA") -> str:
    """The @RG line (with literal \\t separators, as `bwa mem -R` wants it) for one lane.

    ID is `<sample>.<lane>` (unique across a cohort), SM the sample ID the rest of the
    pipeline keys on, LB the library (default: the sample), PU the lane.
    """
    for what, v in (("--sample", sample), ("--lane", lane)):
        if id_problem(v):
            raise InputError(None, what, id_problem(v))
    lib = library or sample
    return f"@RG\\tID:{sample}.{lane}\\tSM:{sample}\\tLB:{lib}\\tPL:{platform}\\tPU:{lane}"


def parse_lane(spec: str) -> Lane:
    """Parse `NAME:R1:R2` (the --lane option)."""
    parts = spec.split(":")
    if len(parts) != 3 or not all(parts):
        raise InputError(None, "--lane", f"{spec!r} is not NAME:FASTQ_1:FASTQ_2")
    return Lane(*parts)


# CPU seconds (user + system) of every tool this process ran, by tool name ("bwa mem",
# "samtools sort", ...): written by --cpu-log so benchmarks can split an alignment task
# into the aligner, samtools and our own FASTQ checking (issue 8).
TOOL_CPU: dict[str, float] = {}


def _tool_name(cmd: list[str]) -> str:
    return " ".join(Path(c).name if i == 0 else c for i, c in enumerate(cmd[:2]))


def _wait_counting(p: subprocess.Popen, cmd: list[str]) -> int:
    """Wait for a child and add its CPU time to TOOL_CPU; its exit code."""
    if p.returncode is not None:
        return p.returncode
    _pid, status, ru = os.wait4(p.pid, 0)
    p.returncode = os.waitstatus_to_exitcode(status)
    name = _tool_name(cmd)
    TOOL_CPU[name] = TOOL_CPU.get(name, 0.0) + ru.ru_utime + ru.ru_stime
    return p.returncode


def write_cpu_log(path: str) -> None:
    """TSV (tool, cpu_s): every tool run so far and, as "escapeseq", this process itself
    (FASTQ checking and orchestration)."""
    import resource
    ru = resource.getrusage(resource.RUSAGE_SELF)
    rows = [("escapeseq", ru.ru_utime + ru.ru_stime)] + sorted(TOOL_CPU.items())
    with open(path, "w") as fh:
        fh.write("tool\tcpu_s\n")
        fh.writelines(f"{k}\t{v:.3f}\n" for k, v in rows)


def run_pipeline(cmds: list[list[str]], stdout_path: str | None = None,
                 what: str = "", feed=None) -> None:
    """Run `cmds[0] | cmds[1] | ...`, failing with a one-line message if any member fails.

    Each member's stderr is captured to a temporary file; on failure the last meaningful
    line of the first failing member's stderr is reported. `feed(stdin)`, when given,
    writes the first member's standard input (an input error it raises stops the pipeline).
    """
    procs: list[subprocess.Popen] = []
    errs = []
    prev = None
    out_fh = open(stdout_path, "wb") if stdout_path else None
    try:
        for i, cmd in enumerate(cmds):
            err = tempfile.TemporaryFile()
            errs.append(err)
            last = i == len(cmds) - 1
            stdin = subprocess.PIPE if (i == 0 and feed is not None) else prev
            p = subprocess.Popen(cmd, stdin=stdin, stderr=err,
                                 stdout=(out_fh if last and out_fh else
                                         (None if last else subprocess.PIPE)))
            if prev is not None:
                prev.close()  # let the upstream process see SIGPIPE
            prev = p.stdout
            procs.append(p)
        if feed is not None:
            try:
                feed(procs[0].stdin)
                procs[0].stdin.close()
            except BrokenPipeError:
                pass
            except InputError:
                for p in procs:
                    p.kill()
                for p in procs:
                    p.wait()
                raise
        codes = [_wait_counting(p, cmd) for p, cmd in zip(procs, cmds)]
    finally:
        if out_fh:
            out_fh.close()
    for cmd, code, err in zip(cmds, codes, errs):
        if code != 0:
            err.seek(0)
            lines = [ln.strip() for ln in err.read().decode(errors="replace").splitlines()
                     if ln.strip() and not ln.startswith("[M::")]
            detail = error_detail(lines, code)
            raise InputError(what or None, Path(cmd[0]).name, detail)
    for err in errs:
        err.close()


def error_detail(lines: list[str], code: int) -> str:
    """The most telling line of a failed tool's stderr.

    htslib prints its diagnosis as ``[E::function] ...`` lines and a generic "failed
    to ..." summary last; prefer the diagnosis (its lines joined with "; ", without the
    ``[E::...]`` tags), then the last line, then the exit status.
    """
    diag = [ln.split("] ", 1)[-1] for ln in lines if ln.startswith("[E::")]
    if diag:
        return "; ".join(diag)
    return lines[-1] if lines else f"exit status {code}"


BASES = b"ACGTNacgtn"


def _read_name(header: bytes) -> bytes:
    """Read name without '@', comment, and /1 or /2 mate suffix."""
    parts = header[1:].split(None, 1)
    name = parts[0] if parts else b""
    return name[:-2] if name.endswith((b"/1", b"/2")) else name


class _FastqLines:
    """Complete lines of one FASTQ (gzip or plain), read in large blocks."""

    def __init__(self, path: str, block: int):
        self.path = path
        self.fh = open_bytes(path)
        self.block = block
        self.lines: list[bytes] = []
        self.pos = 0
        self.tail = b""
        self.eof = False
        self.has_cr = False  # a CR seen anywhere: strip CRs at line ends (CRLF files)

    def available(self) -> int:
        return len(self.lines) - self.pos

    def fill(self, want: int, record: int) -> None:
        """Buffer at least ``want`` lines unless the file ends first (``record``: the
        next record number, for the error message)."""
        while self.available() < want and not self.eof:
            try:
                data = self.fh.read(self.block)
            except READ_ERRORS as err:
                raise InputError(self.path, f"record {record}", f"truncated or corrupt gzip ({err})")
            if data:
                self.has_cr = self.has_cr or b"\r" in data
                parts = (self.tail + data).split(b"\n")
                self.tail = parts.pop()
            else:
                self.eof = True
                parts = [self.tail] if self.tail else []
            self.lines = self.lines[self.pos:] + parts
            self.pos = 0

    def take(self, n: int) -> list[bytes]:
        """The next ``n`` lines (fewer at the end of the file)."""
        out = self.lines[self.pos:self.pos + n]
        self.pos += len(out)
        return out

    def close(self) -> None:
        self.fh.close()


def _first(flags) -> int | None:
    """Index of the first true value, or None."""
    for i, f in enumerate(flags):
        if f:
            return i
    return None


def _record_problems(path: str, lines: list[bytes]) -> list[tuple[int, int, str, str]]:
    """(record index, check order, path, message) of the first failure of each check on
    k whole records (4k lines, CR already stripped) of one file."""
    h, s, p, q = lines[0::4], lines[1::4], lines[2::4], lines[3::4]
    out = []
    if not (all(map(bytes.startswith, h, repeat(b"@"))) and all(map(bytes.startswith, p, repeat(b"+")))
            and all(q)):
        i = _first(not (x.startswith(b"@") and y.startswith(b"+") and z) for x, y, z in zip(h, p, q))
        out.append((i, 0, path, "not a FASTQ record (expected 4 lines: @name, bases, +, qualities)"))
    if b"".join(s).translate(None, BASES):
        i = _first(x.translate(None, BASES) for x in s)
        bad = sorted(set(s[i].translate(None, BASES).decode(errors="replace")))
        out.append((i, 1, path, f"bases other than ACGTN: {''.join(bad)[:10]!r}"))
    ls, lq = list(map(len, s)), list(map(len, q))
    if ls != lq:
        i = _first(a != b for a, b in zip(ls, lq))
        out.append((i, 2, path, f"quality string length {lq[i]} differs from sequence length {ls[i]}"))
    return out


def interleave_checked(fq1: str, fq2: str, out, chunk_records: int = 16384,
                       block: int = 1 << 22) -> int:
    """Stream two mate FASTQs into `out` as interleaved FASTQ, checking every record.

    Rejects (InputError naming the file and record number): a truncated or corrupt gzip,
    a record that is not 4 lines starting with '@' and '+', bases outside ACGTN, a quality
    string whose length differs from the sequence, mates whose names differ, files
    with different numbers of reads, and a pair of files with no read at all. Windows
    (CRLF) line endings are accepted and written out as LF. Returns the number of pairs.

    Works on blocks of ``chunk_records`` records: each check is one C-level pass over a
    block (joins, maps, list comparisons); Python loops over records only to locate the
    first bad one.
    """
    n = 0
    f1, f2 = _FastqLines(fq1, block), _FastqLines(fq2, block)
    try:
        while True:
            f1.fill(4 * chunk_records, n + 1)
            f2.fill(4 * chunk_records, n + 1)
            a1, a2 = f1.available(), f2.available()
            k = min(a1, a2, 4 * chunk_records) // 4
            if k == 0:
                if a1 == 0 and a2 == 0:
                    if n == 0:
                        raise InputError(fq1, None, "no reads (both mate files hold no record)")
                    return n
                if a1 == 0 or a2 == 0:
                    raise InputError(fq1 if a1 == 0 else fq2, f"record {n + 1}",
                                     f"file ends after {n} reads but its mate file has more "
                                     "(mismatched mate counts)")
                # a final record with fewer than 4 lines: pad it so the checks name it
                r1 = (f1.take(4) + [b""] * 4)[:4]
                r2 = (f2.take(4) + [b""] * 4)[:4]
                k = 1
            else:
                r1, r2 = f1.take(4 * k), f2.take(4 * k)
            if f1.has_cr or f2.has_cr:
                r1 = [x.rstrip(b"\r") for x in r1]
                r2 = [x.rstrip(b"\r") for x in r2]
            problems = _record_problems(fq1, r1) + [(i, o + 3, p, m) for i, o, p, m in _record_problems(fq2, r2)]
            h1, h2 = r1[0::4], r2[0::4]
            if h1 != h2:
                n1, n2 = list(map(_read_name, h1)), list(map(_read_name, h2))
                if n1 != n2:
                    i = _first(a != b for a, b in zip(n1, n2))
                    problems.append((i, 6, fq2, f"mate name {n2[i].decode(errors='replace')!r} differs from "
                                               f"{n1[i].decode(errors='replace')!r} in {fq1}"))
            if problems:
                i, _o, path, msg = min(problems)
                raise InputError(path, f"record {n + i + 1}", msg)
            lines: list[bytes] = [b""] * (8 * k)
            for j in range(4):
                lines[j::8] = r1[j::4]
                lines[4 + j::8] = r2[j::4]
            out.write(b"\n".join(lines) + b"\n")
            n += k
    finally:
        f1.close()
        f2.close()


def check_fastq_pair(lane: Lane) -> None:
    """Cheap pre-flight checks of one lane's FASTQs (exist, not empty)."""
    for f in (lane.fastq_1, lane.fastq_2):
        if not os.path.isfile(f):
            raise InputError(f, f"lane {lane.name}", "file not found")
        if os.path.getsize(f) == 0:
            raise InputError(f, f"lane {lane.name}", "file is empty")


def resolve_index(index: str) -> str:
    """Accept a BWA index prefix, or a directory holding exactly one index."""
    if os.path.isdir(index):
        bwts = sorted(Path(index).glob("*.bwt"))
        if len(bwts) != 1:
            raise InputError(index, None, f"expected one BWA index (*.bwt) in the directory, "
                             f"found {len(bwts)}")
        index = str(bwts[0])[: -len(".bwt")]
    missing = [e for e in (".amb", ".ann", ".bwt", ".pac", ".sa") if not os.path.exists(index + e)]
    if missing:
        raise InputError(index, None, f"BWA index incomplete (missing {', '.join(missing)})")
    return index


def align_sample(sample: str, lanes: Sequence[Lane], index: str, out_bam: str,
                 threads: int = 1, sort_mem_mb: int = 768, library: str | None = None,
                 bwa_args: Sequence[str] = (), markdup_stats: str | None = None,
                 reference: str | None = None) -> None:
    """Align every lane of `sample`, merge, mark duplicates, and write an indexed BAM, or
    a CRAM against `reference` when `out_bam` ends in `.cram` (markdup writes it directly).

    The output is written to a temporary name and renamed only when complete.
    """
    fmt = output_format(out_bam)
    out_args = samtools_output_args(out_bam, reference)
    for lane in lanes:
        check_fastq_pair(lane)
    index = resolve_index(index)
    threads = max(1, threads)
    tmpdir = Path(tempfile.mkdtemp(prefix=f".{sample}.", dir=Path(out_bam).parent or "."))
    try:
        lane_bams = []
        for lane in lanes:
            lb = str(tmpdir / f"{lane.name}.bam")
            run_pipeline([
                ["bwa", "mem", "-p", "-K", str(BWA_CHUNK), "-Y", "-t", str(threads),
                 "-R", read_group(sample, lane.name, library), *bwa_args, index, "-"],
                ["samtools", "fixmate", "-m", "-u", "--no-PG", "-", "-"],
                ["samtools", "sort", "-u", "--no-PG", "-@", str(threads),
                 "-m", f"{sort_mem_mb}M", "-T", str(tmpdir / f"{lane.name}.sort"),
                 "-o", lb, "-"],
            ], what=f"{sample} lane {lane.name}",
               feed=lambda stdin, ln=lane: interleave_checked(ln.fastq_1, ln.fastq_2, stdin))
            lane_bams.append(lb)
        tmp_bam = str(tmpdir / f"markdup.{fmt}")
        markdup = ["samtools", "markdup", "--no-PG", "-@", str(threads), *out_args, "-T",
                   str(tmpdir / "md")]
        if markdup_stats:
            markdup += ["-s", "-f", markdup_stats]
        run_pipeline([
            ["samtools", "merge", "-u", "-p", "--no-PG", "-o", "-", *lane_bams],
            [*markdup, "-", tmp_bam],
        ], what=sample)
        if markdup_stats:
            scrub_tmpdir(markdup_stats, str(tmpdir))
        run_pipeline([["samtools", "index", "-@", str(threads), tmp_bam]], what=sample)
        os.replace(tmp_bam + index_suffix(fmt), out_bam + index_suffix(fmt))
        os.replace(tmp_bam, out_bam)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def check_bam_intact(path: str) -> None:
    """Reject a file that is not BAM/CRAM or is truncated (no BGZF end-of-file block)."""
    res = subprocess.run(["samtools", "quickcheck", "-u", "-v", path], capture_output=True, text=True)
    if res.returncode != 0:
        why = (res.stderr.strip().splitlines() or [""])[-1]
        if "EOF" in why:
            raise InputError(path, None, "BAM is truncated (no end-of-file block)")
        raise InputError(path, None, "not a readable BAM (samtools quickcheck failed: "
                         f"{why or 'bad header'})")


def scrub_tmpdir(path: str, tmpdir: str) -> None:
    """Replace the random temporary directory that samtools markdup writes into its
    statistics' COMMAND line by `tmp`, so reruns publish identical files."""
    p = Path(path)
    p.write_text(p.read_text().replace(tmpdir, "tmp"))


def bam_header(path: str, fasta: str | None = None) -> str:
    """The SAM header text of a BAM/CRAM (the FASTA given so a CRAM never looks elsewhere)."""
    ref = ["--input-fmt-option", f"reference={fasta}"] if fasta else []
    res = subprocess.run(["samtools", "view", "-H", *ref, path], capture_output=True, text=True)
    if res.returncode != 0:
        msg = (res.stderr.strip().splitlines() or ["cannot read BAM header"])[-1]
        raise InputError(path, None, f"not a readable BAM ({msg})")
    return res.stdout


def fai_contigs(fasta: str) -> dict[str, int]:
    fai = fasta + ".fai"
    if not os.path.exists(fai):
        run_pipeline([["samtools", "faidx", fasta]], what=fasta)
    with open(fai) as fh:
        return {f[0]: int(f[1]) for f in (ln.split("\t") for ln in fh if ln.strip())}


def check_bam_against_fasta(path: str, header: str, contigs: dict[str, int],
                            fasta: str | None = None) -> None:
    """A user BAM/CRAM must be coordinate-sorted and share contig names and lengths with
    the FASTA; with `fasta`, a CRAM's @SQ M5 checksums must match its sequences too (a CRAM
    stores bases as differences from the reference it was written against)."""
    sq = {}
    sq_tags = []
    unsorted = False
    for ln in header.splitlines():
        if ln.startswith("@HD") and "SO:coordinate" not in ln:
            unsorted = True
        if ln.startswith("@SQ"):
            tags = dict(t.split(":", 1) for t in ln.split("\t")[1:] if ":" in t)
            sq_tags.append(tags)
            try:
                sq[tags.get("SN", "")] = int(tags.get("LN", "0"))
            except ValueError:
                raise InputError(path, f"@SQ {tags.get('SN', '')}", "LN is not an integer")
    if not sq:
        raise InputError(path, "header", "no @SQ lines (unaligned BAM?)")
    if unsorted:
        raise InputError(path, "@HD", "BAM is not coordinate-sorted (samtools sort it)")
    for name, length in sq.items():
        if name not in contigs:
            raise InputError(path, f"@SQ {name}", "contig not in the reference FASTA "
                             "(was the BAM aligned to another reference?)")
        if contigs[name] != length:
            raise InputError(path, f"@SQ {name}", f"length {length} differs from the FASTA's "
                             f"{contigs[name]} (another reference build?)")
    if fasta and is_cram(path):
        bad = m5_mismatches(sq_tags, fasta)
        if bad:
            raise InputError(path, f"@SQ {bad[0]}", "M5 differs from the FASTA's sequence: the "
                             "CRAM was written against another reference (give that --fasta)")


def prepare_bam(sample: str, in_bam: str, fasta: str, out_bam: str, threads: int = 1) -> None:
    """Use an aligned BAM or CRAM from the samplesheet: check it, set SM to `sample`, write
    it in the output's format (`out_bam` ending `.cram`: CRAM against `fasta`, else BAM),
    index it.

    Rejected before anything is written: a file that is not BAM/CRAM or lacks its end-of-
    file block (truncated), a header without @SQ, not coordinate-sorted, contigs that
    differ from the FASTA, a CRAM written against another reference (@SQ M5); while
    indexing, records out of coordinate order. Only what must change is rewritten: the
    header alone (`samtools reheader`) when the format stays, one decode/encode pass when
    it changes; a file already right is taken as it is.
    """
    check_bam_intact(in_bam)
    header = bam_header(in_bam, fasta)
    check_bam_against_fasta(in_bam, header, fai_contigs(fasta), fasta)
    rgs = [ln for ln in header.splitlines() if ln.startswith("@RG")]
    sms = {dict(t.split(":", 1) for t in ln.split("\t")[1:] if ":" in t).get("SM") for ln in rgs}
    fmt = output_format(out_bam)
    same_fmt = is_cram(in_bam) == (fmt == "cram")
    ref_in = ["--input-fmt-option", f"reference={fasta}"]
    out_args = samtools_output_args(out_bam, fasta)
    tmp = out_bam + f".tmp.{fmt}"
    if not rgs:
        run_pipeline([["samtools", "addreplacerg", "--no-PG", *ref_in, *out_args, "-r",
                       f"@RG\tID:{sample}\tSM:{sample}\tLB:{sample}\tPL:ILLUMINA",
                       "-o", tmp, in_bam]], what=in_bam)
    elif sms != {sample}:
        new = re.sub(r"(^@RG.*?\tSM:)[^\t\n]*", lambda m: m.group(1) + sample, header,
                     flags=re.M)
        hdr = out_bam + ".hdr.sam"
        Path(hdr).write_text(new)
        cmds = [["samtools", "reheader", "--no-PG", hdr, in_bam]]
        if not same_fmt:  # the new header, then one pass into the output's format
            cmds.append(["samtools", "view", "--no-PG", *ref_in, *out_args, "-o", tmp, "-"])
        run_pipeline(cmds, stdout_path=tmp if same_fmt else None, what=in_bam)
        os.remove(hdr)
    elif not same_fmt:
        run_pipeline([["samtools", "view", "--no-PG", *ref_in, *out_args, "-o", tmp, in_bam]],
                     what=in_bam)
    else:
        shutil.copyfile(in_bam, tmp)
    try:
        # no `-@` for one thread: samtools 1.16 `index -@ N` can hang on a corrupt block
        run_pipeline([["samtools", "index", *(["-@", str(threads)] if threads > 1 else []),
                       tmp]], what=in_bam)
    except InputError as err:
        for f in (tmp, tmp + index_suffix(fmt)):
            if os.path.exists(f):
                os.remove(f)
        if "not continuous" in err.problem or "nsorted" in err.problem \
                or "cannot be indexed" in err.problem:
            raise InputError(in_bam, None, f"records are not coordinate-sorted "
                             f"({err.problem}); samtools sort it") from None
        raise
    os.replace(tmp + index_suffix(fmt), out_bam + index_suffix(fmt))
    os.replace(tmp, out_bam)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="escapeseq-align",
        description="Produce one analysis-ready BAM (+ .bai) or CRAM (+ .crai) per sample: "
                    "BWA-MEM with read groups, fixmate, coordinate sort, lane merge, samtools "
                    "markdup, index. The format follows --out's name (.cram: CRAM against "
                    "--fasta; else BAM).")
    add_version(p)
    sub = p.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("fastq", help="align paired FASTQs (one or more lanes)")
    f.add_argument("--sample", required=True, help="sample ID (read-group SM, output name)")
    f.add_argument("--lane", action="append", required=True, metavar="NAME:R1:R2",
                   help="a lane: name and its two FASTQ files; repeat for more lanes")
    f.add_argument("--index", required=True, help="BWA index prefix (e.g. genome.fa), or a directory holding one index")
    f.add_argument("--library", help="library name for read-group LB (default: the sample)")
    f.add_argument("--threads", type=int, default=1, help="threads for bwa and samtools")
    f.add_argument("--sort-mem-mb", type=int, default=768,
                   help="memory per samtools-sort thread in MB (default 768)")
    f.add_argument("--bwa-args", default="", help="extra bwa mem options, quoted")
    f.add_argument("--markdup-stats", help="write samtools markdup statistics here")
    f.add_argument("--cpu-log", help="write the CPU seconds of bwa, each samtools step and "
                   "escapeseq-align itself here (TSV tool, cpu_s)")
    f.add_argument("--fasta", help="reference FASTA (with .fai) that a CRAM output is "
                   "written against; required when --out ends in .cram")
    f.add_argument("--out", required=True, help="output BAM (.bai written beside it), or "
                   "<name>.cram for CRAM against --fasta (.crai beside it)")
    f.add_argument("--output-fmt", choices=("bam", "cram"), help="output format; must agree "
                   "with --out's name (default: told by it)")
    b = sub.add_parser("bam", help="use an aligned BAM given in the samplesheet")
    b.add_argument("--sample", required=True, help="sample ID (read-group SM is set to it)")
    b.add_argument("--bam", required=True, help="input BAM or CRAM (coordinate-sorted; a CRAM "
                   "must have been written against --fasta)")
    b.add_argument("--fasta", required=True, help="reference FASTA (contigs must match)")
    b.add_argument("--threads", type=int, default=1, help="threads for samtools index")
    b.add_argument("--out", required=True, help="output BAM (.bai written beside it), or "
                   "<name>.cram for CRAM against --fasta (.crai beside it)")
    b.add_argument("--output-fmt", choices=("bam", "cram"), help="output format; must agree "
                   "with --out's name (default: told by it)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if id_problem(args.sample):
        raise InputError(None, "--sample", id_problem(args.sample))
    if args.output_fmt and args.output_fmt != output_format(args.out):
        raise InputError(None, "--out", f"{args.out} is not named .{args.output_fmt} "
                         f"(--output-fmt {args.output_fmt})")
    if args.cmd == "fastq":
        lanes = [parse_lane(s) for s in args.lane]
        names = [ln.name for ln in lanes]
        if len(set(names)) != len(names):
            raise InputError(None, "--lane", "lane names must be unique")
        align_sample(args.sample, lanes, args.index, args.out, threads=args.threads,
                     sort_mem_mb=args.sort_mem_mb, library=args.library,
                     bwa_args=args.bwa_args.split(), markdup_stats=args.markdup_stats,
                     reference=args.fasta)
        if args.cpu_log:
            write_cpu_log(args.cpu_log)
    else:
        prepare_bam(args.sample, args.bam, args.fasta, args.out, threads=args.threads)
    return 0


def cli(argv: Sequence[str] | None = None) -> int:
    return run_cli("escapeseq-align", main, argv)
