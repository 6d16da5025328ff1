"""Samplesheet and reference validation: every problem found before any task starts.

The samplesheet is a CSV with one row per sample (or per lane of a sample):

    patient,sample,timepoint,fastq_1,fastq_2     (or `bam` instead of the FASTQ pair)

optional columns `lane` (several rows of one sample are its lanes, merged after
alignment), `purity` (a fraction in (0, 1]: overrides the estimate), `sex` (female|male).
`timepoint` is `normal`, `baseline`, `relapse`, or an integer order (0 = normal, then
1, 2, ... for successive tumour biopsies). Relative paths are resolved against the
samplesheet's own directory.

:func:`validate` collects *every* problem (one line each, naming the file, the row and
the column) and raises one :class:`~escapeseq.errors.InputError` listing them, so a user
fixes a sheet in one round. The validated sheet written by the CLI has absolute paths and
a numeric `order` per timepoint, and is what the pipeline reads.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

from escapeseq.errors import InputError, add_version, run_cli
from escapeseq.fileio import READ_ERRORS, open_bytes

ID_RE = re.compile(r"^[A-Za-z0-9._-]+\Z")


def id_problem(value: str) -> str | None:
    """Why `value` cannot be a patient/sample/lane ID, or None when it can.

    IDs become file and directory names, read-group fields, shell arguments and HTML, so
    they are restricted to [A-Za-z0-9._-], and must start with a letter, digit or '_':
    a leading '.' would make '..' (a directory outside --outdir) or a hidden file, a
    leading '-' would read as an option to the tools it is passed to.
    """
    if not ID_RE.match(value):
        return f"{value!r} has characters outside [A-Za-z0-9._-]"
    if value[0] in ".-":
        return f"{value!r} starts with {value[0]!r} (an ID must start with a letter, digit or '_')"
    return None
REQUIRED = ("patient", "sample", "timepoint")
READ_COLUMNS = ("fastq_1", "fastq_2", "bam")
OPTIONAL = ("lane", "purity", "sex")
# optional RNA of a tumour row (issue 16): a FASTQ pair or an aligned BAM
RNA_COLUMNS = ("rna_fastq_1", "rna_fastq_2", "rna_bam")
KNOWN = REQUIRED + READ_COLUMNS + OPTIONAL + RNA_COLUMNS
NAMED_TIMEPOINTS = {"normal": 0, "baseline": 1, "relapse": 2}
SEXES = {"female": "female", "f": "female", "xx": "female",
         "male": "male", "m": "male", "xy": "male", "": "unknown", "unknown": "unknown"}
OUT_COLUMNS = ("patient", "sample", "timepoint", "order", "status", "lane", "fastq_1",
               "fastq_2", "bam", "purity", "sex")


@dataclass
class Row:
    """One validated samplesheet row (one lane of one sample)."""

    line: int
    patient: str
    sample: str
    timepoint: str
    order: int
    lane: str
    fastq_1: str = ""
    fastq_2: str = ""
    bam: str = ""
    purity: str = ""
    sex: str = "unknown"
    rna_fastq_1: str = ""
    rna_fastq_2: str = ""
    rna_bam: str = ""

    @property
    def has_rna(self) -> bool:
        return bool(self.rna_fastq_1 or self.rna_bam)

    @property
    def status(self) -> str:
        return "normal" if self.order == 0 else "tumour"

    def as_dict(self) -> dict[str, str]:
        d = {k: str(getattr(self, k)) for k in OUT_COLUMNS + RNA_COLUMNS if k != "status"}
        d["status"] = self.status
        return d


@dataclass
class Problems:
    """Accumulates one-line problems; raises them together."""

    path: str
    items: list[str] = field(default_factory=list)

    def add(self, where: str | None, what: str) -> None:
        self.items.append(": ".join(p for p in (self.path, where, what) if p))

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            head = self.items[0] if n == 1 else f"{n} problems:\n  " + "\n  ".join(self.items)
            raise InputError(None, None, head)


def read_text(path: Path) -> str:
    """Read a small text file, tolerating a UTF-8 BOM and CRLF line endings."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, None, "file not found")
    except (IsADirectoryError, PermissionError) as err:
        raise InputError(path, None, f"cannot read ({err.strerror.lower()})")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError(path, None, "not a UTF-8 text file")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def parse_timepoint(value: str) -> int | None:
    """Map a timepoint to its order: normal=0, baseline=1, relapse=2, or the integer given."""
    v = value.strip().lower()
    if v in NAMED_TIMEPOINTS:
        return NAMED_TIMEPOINTS[v]
    if re.fullmatch(r"\d+", v):
        return int(v)
    return None


def check_readable(path: Path) -> str | None:
    """Return why `path` cannot be read as an input file, or None if it can."""
    if not path.exists():
        return "file not found"
    if not path.is_file():
        return "not a regular file"
    if not os.access(path, os.R_OK):
        return "file not readable"
    if path.stat().st_size == 0:
        return "file is empty"
    return None


def check_fastq_head(path: Path) -> str | None:
    """Cheap content check of a FASTQ: gzip integrity of the first block, '@' record start."""
    try:
        with open_bytes(path) as fh:
            head = fh.read(4096)
    except READ_ERRORS as err:
        return f"cannot read FASTQ ({err})"
    if not head:
        return "FASTQ has no reads"
    if not head.startswith(b"@"):
        return "not a FASTQ file (first record does not start with '@')"
    return None


def resolve(value: str, base: Path) -> Path:
    p = Path(value).expanduser()
    return p if p.is_absolute() else (base / p)


def parse_rows(path: Path, check_files: bool = True) -> list[Row]:
    """Parse and validate a samplesheet; raise InputError listing every problem."""
    probs = Problems(str(path))
    rows = collect_rows(path, probs, check_files)
    probs.raise_if_any()
    return rows


def collect_rows(path: Path, probs: Problems, check_files: bool = True) -> list[Row]:
    """Parse a samplesheet, adding every problem to `probs`; return the valid rows."""
    try:
        text = read_text(path)
    except InputError as err:
        probs.add(None, err.problem)
        return []
    lines = [ln for ln in text.split("\n")]
    if not any(ln.strip() for ln in lines):
        probs.add(None, "samplesheet is empty")
        return []
    reader = csv.reader(io.StringIO(text))
    try:
        table = [r for r in reader]
    except csv.Error as err:
        probs.add(None, f"malformed CSV ({err})")
        return []
    header = [h.strip().lower() for h in table[0]]
    while header and header[-1] == "":
        header.pop()  # tolerate trailing commas
    body = [(i + 2, r) for i, r in enumerate(table[1:]) if any(c.strip() for c in r)]
    unknown = [h for h in header if h not in KNOWN]
    if unknown:
        probs.add("header", f"unknown column(s) {', '.join(repr(u) for u in unknown)} "
                            f"(allowed: {', '.join(KNOWN)})")
    missing = [h for h in REQUIRED if h not in header]
    if "bam" not in header and "fastq_1" not in header:
        missing.append("fastq_1/fastq_2 or bam")
    if missing:
        probs.add("header", f"missing column(s): {', '.join(missing)}")
    dup_cols = sorted({h for h in header if header.count(h) > 1})
    if dup_cols:
        probs.add("header", f"duplicate column(s): {', '.join(dup_cols)}")
    if probs.items:
        return []
    if not body:
        probs.add(None, "samplesheet has a header but no samples")
        return []

    base = path.resolve().parent
    rows: list[Row] = []
    skipped: set[str] = set()  # patients with a row too broken to check across rows
    for line, cells in body:
        while len(cells) > len(header) and cells[-1].strip() == "":
            cells = cells[:-1]
        where = f"row {line}"
        if len(cells) != len(header):
            probs.add(where, f"has {len(cells)} fields, header has {len(header)}")
            # its patient's normal/tumour counts would only echo this problem
            if "patient" in header and header.index("patient") < len(cells):
                skipped.add(cells[header.index("patient")].strip())
            else:
                skipped.add("*")
            continue
        rec = {h: c.strip() for h, c in zip(header, cells)}
        ok = True
        for col in ("patient", "sample"):
            v = rec.get(col, "")
            if not v:
                probs.add(f"{where}, column {col}", "empty")
                ok = False
            elif id_problem(v):
                probs.add(f"{where}, column {col}", id_problem(v))
                ok = False
        order = parse_timepoint(rec.get("timepoint", ""))
        if order is None:
            probs.add(f"{where}, column timepoint",
                      f"{rec.get('timepoint', '')!r} is not normal, baseline, relapse or an "
                      "integer order (0 = normal)")
            ok = False
        lane = rec.get("lane", "")
        if lane and id_problem(lane):
            probs.add(f"{where}, column lane", id_problem(lane))
            ok = False
        purity = rec.get("purity", "")
        if purity:
            try:
                pv = float(purity)
                if not (0.0 < pv <= 1.0):
                    raise ValueError
            except ValueError:
                probs.add(f"{where}, column purity",
                          f"{purity!r} is not a fraction in (0, 1] (e.g. 0.6, not 60)")
                ok = False
        sex = SEXES.get(rec.get("sex", "").lower())
        if sex is None:
            probs.add(f"{where}, column sex", f"{rec.get('sex')!r} is not female or male")
            ok = False
        f1, f2, bam = rec.get("fastq_1", ""), rec.get("fastq_2", ""), rec.get("bam", "")
        if bam and (f1 or f2):
            probs.add(where, "give either fastq_1/fastq_2 or bam, not both")
            ok = False
        elif not bam and not (f1 or f2):
            probs.add(where, "no reads: fastq_1 and fastq_2 (or bam) are empty")
            ok = False
        elif not bam and bool(f1) != bool(f2):
            half = "fastq_2" if f1 else "fastq_1"
            probs.add(f"{where}, column {half}", "empty: the FASTQ pair is given half "
                                                 "(paired-end reads are required)")
            ok = False
        elif f1 and f1 == f2:
            probs.add(where, "fastq_1 and fastq_2 are the same file")
            ok = False
        r1, r2, rbam = (rec.get(c, "") for c in RNA_COLUMNS)
        rna_col = next((c for c in RNA_COLUMNS if rec.get(c, "")), None)
        if rna_col and order == 0:
            probs.add(f"{where}, column {rna_col}", "RNA is for tumour rows only (the normal has none)")
            ok = False
        elif rbam and (r1 or r2):
            probs.add(where, "give either rna_fastq_1/rna_fastq_2 or rna_bam, not both")
            ok = False
        elif bool(r1) != bool(r2):
            half = "rna_fastq_2" if r1 else "rna_fastq_1"
            probs.add(f"{where}, column {half}", "empty: the RNA FASTQ pair is given half "
                                                 "(paired-end reads are required)")
            ok = False
        elif r1 and r1 == r2:
            probs.add(where, "rna_fastq_1 and rna_fastq_2 are the same file")
            ok = False
        paths = {}
        for col, v in (("fastq_1", f1), ("fastq_2", f2), ("bam", bam),
                       ("rna_fastq_1", r1), ("rna_fastq_2", r2), ("rna_bam", rbam)):
            if not v:
                continue
            p = resolve(v, base)
            paths[col] = str(p.resolve()) if p.exists() else str(p)
            if check_files:
                why = check_readable(p)
                if why is None and "fastq" in col:
                    why = check_fastq_head(p)
                if why:
                    probs.add(f"{where}, column {col}", f"{v}: {why}")
        if not ok:
            skipped.add(rec.get("patient", ""))
        else:
            rows.append(Row(line=line, patient=rec["patient"], sample=rec["sample"],
                            timepoint=rec["timepoint"].lower(), order=order, lane=lane,
                            fastq_1=paths.get("fastq_1", ""), fastq_2=paths.get("fastq_2", ""),
                            bam=paths.get("bam", ""), purity=purity, sex=sex,
                            **{c: paths.get(c, "") for c in RNA_COLUMNS}))
    check_consistency(rows, probs, skipped)
    return rows


def check_consistency(rows: list[Row], probs: Problems, skipped: set[str] = frozenset()) -> None:
    """Cross-row rules: unique sample/lane, one normal and >= 1 tumour per patient.

    Patients in `skipped` had a row rejected already; their normal/tumour counts are not
    checked (the count would only echo that row's problem).
    """
    by_sample: dict[str, list[Row]] = {}
    for r in rows:
        by_sample.setdefault(r.sample, []).append(r)
    for sample, rs in by_sample.items():
        if len(rs) == 1:
            continue
        first = rs[0]
        lines = ", ".join(str(r.line) for r in rs)
        if any(r.patient != first.patient or r.order != first.order for r in rs):
            probs.add(f"rows {lines}", f"duplicate sample ID {sample!r} "
                                       "(used for different patients or timepoints)")
        elif any(not r.lane for r in rs):
            probs.add(f"rows {lines}", f"duplicate sample ID {sample!r} (for several lanes of "
                                       "one sample add a 'lane' column)")
        elif len({r.lane for r in rs}) != len(rs):
            probs.add(f"rows {lines}", f"sample {sample!r} repeats a lane")
        elif any(bool(r.bam) for r in rs):
            probs.add(f"rows {lines}", f"sample {sample!r}: a BAM input cannot have lanes")
        for r in rs:
            if r.purity != first.purity or r.sex != first.sex:
                probs.add(f"rows {lines}", f"sample {sample!r}: lanes disagree on purity or sex")
                break
        if len({tuple(getattr(r, c) for c in RNA_COLUMNS) for r in rs if r.has_rna}) > 1:
            probs.add(f"rows {lines}", f"sample {sample!r}: lanes name different RNA files "
                                       "(give the sample's RNA once)")
    patients: dict[str, dict[int, set[str]]] = {}
    for r in rows:
        patients.setdefault(r.patient, {}).setdefault(r.order, set()).add(r.sample)
    for patient, orders in patients.items():
        if patient in skipped or "*" in skipped:
            continue
        normals = orders.get(0, set())
        if not normals:
            probs.add(f"patient {patient}", "has no normal sample (timepoint normal or 0)")
        elif len(normals) > 1:
            probs.add(f"patient {patient}",
                      f"has {len(normals)} normal samples ({', '.join(sorted(normals))}); "
                      "exactly one is required")
        tumours = {o: s for o, s in orders.items() if o > 0}
        if not tumours:
            probs.add(f"patient {patient}", "has no tumour sample (baseline/relapse or 1, 2, ...)")
        for o, s in sorted(tumours.items()):
            if len(s) > 1:
                probs.add(f"patient {patient}",
                          f"has {len(s)} tumour samples at timepoint order {o} "
                          f"({', '.join(sorted(s))}); give each biopsy its own timepoint")
    sexes: dict[str, set[str]] = {}
    for r in rows:
        if r.sex != "unknown":
            sexes.setdefault(r.patient, set()).add(r.sex)
    for patient, s in sexes.items():
        if len(s) > 1:
            probs.add(f"patient {patient}", "samples disagree on sex")


# ---------------------------------------------------------------- references

def fasta_contigs(fasta: Path) -> list[str]:
    """Contig names of a FASTA, from its .fai when present, else by scanning headers."""
    fai = Path(str(fasta) + ".fai")
    if fai.exists() and fai.stat().st_mtime >= fasta.stat().st_mtime:
        with open(fai) as fh:
            return [ln.split("\t", 1)[0] for ln in fh if ln.strip()]
    names = []
    with open(fasta, "rb") as fh:
        for ln in fh:
            if ln.startswith(b">"):
                names.append(ln[1:].split()[0].decode() if ln[1:].split() else "")
    return names


def fasta_lengths(fasta: Path) -> dict[str, int] | None:
    """Contig lengths from the FASTA's .fai when it exists and is not older; else None."""
    fai = Path(str(fasta) + ".fai")
    if not fai.exists() or fai.stat().st_mtime < fasta.stat().st_mtime:
        return None
    out: dict[str, int] = {}
    with open(fai) as fh:
        for ln in fh:
            f = ln.split("\t")
            if len(f) >= 2 and f[1].strip().isdigit():
                out[f[0]] = int(f[1])
    return out


def validate_vcf_resource(path: Path, option: str, contigs: set[str],
                          lengths: dict[str, int] | None) -> list[str]:
    """Check an optional VCF resource (--pon, --germline_resource) before any task.

    It must be bgzip-compressed with a tabix/CSI index beside it, and name the FASTA's
    contigs: a resource sharing no contig with the FASTA (another build or naming, e.g.
    '1' vs 'chr1') or declaring another length for a shared contig is rejected, because
    it would silently filter nothing.
    """
    why = check_readable(path)
    if why:
        return [f"{path}: {option}: {why}"]
    with open(path, "rb") as fh:
        head = fh.read(18)
    if head[:2] != b"\x1f\x8b":
        return [f"{path}: {option}: not bgzip-compressed (run: bgzip {path.name} && "
                f"tabix -p vcf {path.name}.gz)"]
    if len(head) < 18 or head[3] & 4 == 0 or head[12:14] != b"BC":
        return [f"{path}: {option}: gzip but not bgzip-compressed (recompress with bgzip, "
                "then tabix -p vcf)"]
    if not (Path(str(path) + ".tbi").exists() or Path(str(path) + ".csi").exists()):
        return [f"{path}: {option}: no index (.tbi or .csi) beside it (run: tabix -p vcf "
                f"{path.name})"]
    import pysam
    try:
        with pysam.VariantFile(str(path)) as vf:
            declared = {c: vf.header.contigs[c].length for c in vf.header.contigs}
        with pysam.TabixFile(str(path)) as tf:
            used = set(tf.contigs)
    except (OSError, ValueError) as err:
        return [f"{path}: {option}: cannot read as an indexed VCF ({str(err).strip()})"]
    names = used | set(declared)
    if names and not (names & contigs):
        eg = sorted(names)[0]
        return [f"{path}: {option}: header: no contig in common with the FASTA (e.g. {eg!r}; "
                "another genome build or contig naming?)"]
    if lengths:
        for c, n in sorted(declared.items()):
            if n is not None and c in lengths and lengths[c] != n:
                return [f"{path}: {option}: header ##contig {c}: length {n} differs from "
                        f"the FASTA's {lengths[c]} (another genome build?)"]
    return []


def validate_references(fasta: str | None, targets: str | None, gtf: str | None,
                        bwa_index: str | None = None, pon: str | None = None,
                        germline_resource: str | None = None) -> list[str]:
    """Check the reference files; return problems (one line each)."""
    out: list[str] = []
    if not fasta:
        return ["--fasta: parameter is required"]
    fa = Path(fasta)
    why = check_readable(fa)
    if why:
        return [f"{fasta}: {why}"]
    with open(fa, "rb") as fh:
        head = fh.read(2)
    if head == b"\x1f\x8b":
        gzi = Path(fasta + ".gzi")
        fai = Path(fasta + ".fai")
        if not (gzi.exists() and fai.exists()):
            out.append(f"{fasta}: gzip-compressed FASTA without .fai/.gzi index; "
                       "decompress it or compress with bgzip and run samtools faidx")
            return out
        contigs = [ln.split("\t", 1)[0] for ln in open(fai) if ln.strip()]
    else:
        if not head.startswith(b">"):
            return [f"{fasta}: not a FASTA file (does not start with '>')"]
        fai = Path(fasta + ".fai")
        if not fai.exists() and not os.access(fa.parent, os.W_OK):
            # the pipeline builds it in the work directory, which is fine
            pass
        contigs = fasta_contigs(fa)
    lengths = fasta_lengths(fa)
    dups = sorted({c for c in contigs if contigs.count(c) > 1})
    if dups:
        out.append(f"{fasta}: duplicate contig name(s): {', '.join(dups[:5])}")
    cset = set(contigs)
    if targets:
        tp = Path(targets)
        why = check_readable(tp)
        if why:
            out.append(f"{targets}: {why}")
        else:
            out.extend(validate_bed(tp, cset, lengths))
    for option, res in (("--pon", pon), ("--germline_resource", germline_resource)):
        if res:
            out.extend(validate_vcf_resource(Path(res), option, cset, lengths))
    if gtf:
        why = check_readable(Path(gtf))
        if why:
            out.append(f"{gtf}: {why}")
        else:
            out.extend(validate_gtf(Path(gtf), cset))
    if bwa_index:
        idx = Path(bwa_index)
        prefix = idx
        if idx.is_dir():
            cands = sorted(idx.glob("*.bwt"))
            prefix = cands[0].with_suffix("") if cands else idx / "missing"
        missing = [ext for ext in (".amb", ".ann", ".bwt", ".pac", ".sa")
                   if not Path(str(prefix) + ext).exists()]
        if missing:
            out.append(f"{bwa_index}: BWA index incomplete (missing {', '.join(missing)}); "
                       "omit --bwa_index to build it")
    return out


def validate_bed(path: Path, contigs: set[str],
                 lengths: dict[str, int] | None = None) -> list[str]:
    """Check a targets BED: 3+ columns, integer start < end, contigs present in the FASTA,
    and (when contig `lengths` are known) end within the contig."""
    out: list[str] = []
    unknown: dict[str, int] = {}
    n = 0
    try:
        with open_bytes(path) as fh:
            lines = fh.read().split(b"\n")
    except READ_ERRORS as err:
        return [f"{path}: cannot read ({err})"]
    for i, raw_ln in enumerate(lines, 1):
        try:
            ln = raw_ln.decode("utf-8")
        except UnicodeDecodeError:
            out.append(f"{path}: line {i}: not UTF-8 text (is this a BED file?)")
            break
        if not ln.strip() or ln.startswith(("#", "track", "browser")):
            continue
        f = ln.rstrip("\r\n").split("\t")
        if len(f) < 3:
            out.append(f"{path}: line {i}: expected at least 3 tab-separated columns")
            break
        if not (re.fullmatch(r"-?\d+", f[1].strip()) and re.fullmatch(r"-?\d+", f[2].strip())):
            out.append(f"{path}: line {i}: start/end are not integers")
            break
        s, e = int(f[1]), int(f[2])
        if s < 0:
            out.append(f"{path}: line {i}: start ({s}) is negative")
            break
        if e <= s:
            out.append(f"{path}: line {i}: end ({e}) must be greater than start ({s})")
            break
        if f[0] not in contigs:
            unknown.setdefault(f[0], i)
        elif lengths and f[0] in lengths and e > lengths[f[0]]:
            out.append(f"{path}: line {i}: end ({e}) is past the end of {f[0]} "
                       f"({lengths[f[0]]} bp)")
            break
        n += 1
    if unknown:
        names = sorted(unknown, key=unknown.get)
        hint = ""
        if any(("chr" + c) in contigs or c.removeprefix("chr") in contigs for c in names):
            hint = " (chr prefix mismatch between BED and FASTA?)"
        out.append(f"{path}: line {unknown[names[0]]}: contig(s) not in the FASTA: "
                   f"{', '.join(names[:5])}{hint}")
    if n == 0 and not out:
        out.append(f"{path}: no target intervals")
    return out


_TID_RE = re.compile(r'(?:^|;)\s*transcript_id\s+"?([^";]*)')


def validate_gtf(path: Path, contigs: set[str]) -> list[str]:
    """Line-level check of a GTF before any task (the annotator reads it hours later).

    Every non-comment line: 9 tab-separated columns, UTF-8, integer 1-based start <= end;
    exon/CDS/stop_codon lines: strand + or -, a transcript_id; at least one exon or CDS
    line; contigs shared with the FASTA (a 'chr' prefix mismatch is named). A gzip GTF
    is read to its end, so truncation is found too. Returns one-line problems (the first
    per kind is enough to fix the file).
    """
    n_feat = 0
    seen: dict[str, int] = {}
    try:
        with open_bytes(path) as fh:
            for i, raw_ln in enumerate(fh, 1):
                if raw_ln.startswith(b"#") or not raw_ln.strip():
                    continue
                try:
                    ln = raw_ln.decode("utf-8")
                except UnicodeDecodeError:
                    return [f"{path}: line {i}: not UTF-8 text"]
                f = ln.rstrip("\r\n").split("\t")
                if len(f) != 9:
                    return [f"{path}: line {i}: expected 9 tab-separated columns, found {len(f)}"]
                if not (f[3].isdigit() and f[4].isdigit()):
                    return [f"{path}: line {i}: start/end are not integers"]
                if int(f[3]) < 1 or int(f[4]) < int(f[3]):
                    return [f"{path}: line {i}: bad interval {f[3]}-{f[4]} (1-based, start <= end)"]
                if f[2] in ("exon", "CDS", "stop_codon"):
                    if f[6] not in ("+", "-"):
                        return [f"{path}: line {i}: strand must be + or -, found {f[6]!r}"]
                    m = _TID_RE.search(f[8])
                    if not m or not m.group(1).strip():
                        return [f"{path}: line {i}: {f[2]} without a transcript_id attribute"]
                    n_feat += 1
                    seen.setdefault(f[0], i)
    except READ_ERRORS as err:
        return [f"{path}: truncated or corrupt gzip ({err})"]
    if n_feat == 0:
        return [f"{path}: no exon or CDS features: not a usable gene annotation"]
    if contigs and not (set(seen) & contigs):
        names = sorted(seen, key=seen.get)
        hint = ""
        if any(("chr" + c) in contigs or c.removeprefix("chr") in contigs for c in names):
            hint = " (chr prefix mismatch between GTF and FASTA?)"
        return [f"{path}: line {seen[names[0]]}: no contig in common with the FASTA "
                f"(e.g. {names[0]!r}){hint}"]
    return []


def write_validated(rows: Iterable[Row], out: Path) -> None:
    """Write the validated sheet (absolute paths, numeric order), sorted for stability."""
    rows = sorted(rows, key=lambda r: (r.patient, r.order, r.sample, r.lane))
    # the RNA columns only when some row has RNA: a DNA-only sheet is written as before
    cols = OUT_COLUMNS + RNA_COLUMNS if any(r.has_rna for r in rows) else OUT_COLUMNS
    tmp = out.with_name(out.name + ".tmp")
    with open(tmp, "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=cols, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(r.as_dict())
    tmp.replace(out)


# ---------------------------------------------------------------- output directory

MANIFEST = Path("pipeline_info") / "run_manifest.tsv"


def samples_digest(rows: Iterable[Row]) -> str:
    """SHA-256 (hex) of what defines a run's results: every row's patient, sample, order,
    lane and input file names (not their directories: a moved data set is the same run)."""
    import hashlib
    h = hashlib.sha256()
    for r in sorted(rows, key=lambda r: (r.patient, r.order, r.sample, r.lane)):
        names = [Path(x).name if x else "" for x in (r.fastq_1, r.fastq_2, r.bam)]
        if r.has_rna:  # RNA names only when given: a DNA-only sheet keeps its digest
            names += [Path(x).name if x else "" for x in (r.rna_fastq_1, r.rna_fastq_2, r.rna_bam)]
        h.update("\t".join([r.patient, r.sample, str(r.order), r.lane, *names]).encode() + b"\n")
    return h.hexdigest()


def read_manifest(path: Path) -> dict[str, str]:
    """`key<TAB>value` lines of a run manifest (unknown or broken lines are ignored)."""
    out = {}
    for ln in path.read_text(errors="replace").splitlines():
        k, _, v = ln.partition("\t")
        if k and v:
            out[k] = v
    return out


def has_results(outdir: Path) -> bool:
    """True when `outdir` holds files other than Nextflow's own run records.

    Nextflow opens pipeline_info/execution_{trace,report,timeline}_* when the run starts,
    before validation, so those alone do not make an output directory "used".
    """
    if not outdir.is_dir():
        return False
    for p in outdir.rglob("*"):
        if p.is_dir():
            continue
        rel = p.relative_to(outdir).parts
        if len(rel) == 2 and rel[0] == "pipeline_info" and rel[1].startswith(
                ("execution_", "pipeline_dag")):
            continue
        return True
    return False


def check_outdir(outdir: Path, rows: list[Row], overwrite: bool) -> list[str]:
    """Refuse to mix two runs' results in one --outdir; return warnings to print.

    An empty or missing outdir, or one whose run manifest has the same samples digest
    (a rerun or -resume of the same samplesheet: outputs are replaced file by file), is
    fine. An outdir holding another samplesheet's results, or files without a manifest,
    is rejected unless `overwrite`; with it, the results of patients no longer in the
    sheet are named in a warning (they are never deleted).
    """
    if not has_results(outdir):
        return []
    man = outdir / MANIFEST
    patients = sorted({r.patient for r in rows})
    if not man.is_file():
        if not overwrite:
            raise InputError(outdir, None, f"not empty and has no {MANIFEST} (not an escapeseq "
                             "output directory?): choose a new --outdir, or pass --overwrite")
        return [f"{outdir}: not empty and has no {MANIFEST}: files this run does not "
                "rewrite remain beside its results"]
    old = read_manifest(man)
    if old.get("samples_sha256") == samples_digest(rows):
        return []
    if not overwrite:
        raise InputError(outdir, str(MANIFEST), f"holds results of another samplesheet "
                         f"({old.get('samplesheet', '?')}: patients {old.get('patients', '?')}); "
                         "choose a new --outdir, or pass --overwrite to replace them")
    stale = sorted(set(filter(None, old.get("patients", "").split(","))) - set(patients))
    warn = [f"{outdir}: replacing the results of {old.get('samplesheet', '?')} (--overwrite)"]
    if stale:
        warn.append(f"{outdir}: results of patient(s) no longer in the samplesheet remain: "
                    f"{', '.join(stale)} (delete {outdir}/<patient>/ to remove them)")
    return warn


def write_manifest(outdir: Path, rows: list[Row], samplesheet: str) -> None:
    """Write `<outdir>/pipeline_info/run_manifest.tsv` atomically (deterministic content)."""
    from escapeseq import __version__
    man = outdir / MANIFEST
    man.parent.mkdir(parents=True, exist_ok=True)
    lines = [("escapeseq_version", __version__), ("samplesheet", Path(samplesheet).name),
             ("samples_sha256", samples_digest(rows)),
             ("patients", ",".join(sorted({r.patient for r in rows}))),
             ("samples", ",".join(sorted({r.sample for r in rows})))]
    tmp = man.with_name(man.name + ".tmp")
    tmp.write_text("".join(f"{k}\t{v}\n" for k, v in lines))
    tmp.replace(man)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="escapeseq-validate",
        description="Validate a samplesheet and the reference files before any task starts. "
                    "Prints every problem (file, row, column, reason) and exits 2 if any.")
    add_version(p)
    p.add_argument("--input", help="samplesheet CSV (required unless --content-only)")
    p.add_argument("--fasta", help="reference FASTA (checked: readable, unique contigs)")
    p.add_argument("--targets", help="targets BED (checked: columns, start<end, contigs in FASTA)")
    p.add_argument("--gtf", help="gene annotation GTF, plain or gzip (checked line by line: "
                                 "9 columns, integer start <= end, strand and transcript_id "
                                 "on exon/CDS lines, contigs shared with the FASTA)")
    p.add_argument("--bwa_index", help="prebuilt BWA index prefix or directory (checked: complete)")
    p.add_argument("--pon", help="panel-of-normals VCF (checked: bgzipped, indexed, "
                                 "contigs and lengths match the FASTA)")
    p.add_argument("--germline_resource", "--germline-resource", dest="germline_resource",
                   help="population allele-frequency VCF (checked like --pon)")
    p.add_argument("--out", help="write the validated samplesheet CSV here")
    p.add_argument("--no-file-checks", action="store_true",
                   help="do not open the FASTQ/BAM files (e.g. remote object-store paths)")
    p.add_argument("--outdir", help="the pipeline's output directory: refuse it when it holds "
                   "another samplesheet's results (see --overwrite), then record this run in "
                   f"<outdir>/{MANIFEST}; skipped for remote (scheme://) paths")
    p.add_argument("--overwrite", action="store_true",
                   help="with --outdir: replace another samplesheet's results (files of "
                        "patients no longer in the sheet are named, never deleted)")
    p.add_argument("--content-only", metavar="CHECKS_CSV",
                   help="content checks only, for the pipeline's VALIDATE process (the "
                        "structure was checked at launch by lib/SamplesheetValidator.groovy): "
                        "CHECKS_CSV lists kind,row,column,value,staged per file (kind: "
                        "samplesheet, fastq, bam, fasta, targets, gtf, pon, "
                        "germline_resource); FASTQ heads, BAM headers and the references "
                        "are checked at their staged paths and named by their original "
                        "paths; every other option is ignored")
    p.add_argument("--problems-out", metavar="FILE",
                   help="with --content-only: write the problems (one per line) to FILE and "
                        "exit 0, so the pipeline can report them as the run's error; FILE "
                        "is empty when all is well")
    return p


# ---------------------------------------------------------------- content checks

CHECK_KINDS = ("samplesheet", "fastq", "bam", "fasta", "targets", "gtf", "pon",
               "germline_resource")


@dataclass(frozen=True)
class Check:
    """One file of the content checks: what it is, where the sheet names it, where it is."""

    kind: str
    row: str
    column: str
    value: str   # the path as the user gave it (absolute), used in messages
    staged: str  # where the process sees it


def read_checks(path: Path) -> list[Check]:
    """The VALIDATE work list written by lib/SamplesheetValidator.groovy (contentCsv)."""
    text = read_text(path)
    rows = list(csv.DictReader(io.StringIO(text)))
    want = {"kind", "row", "column", "value", "staged"}
    if not rows or not want <= set(rows[0]):
        raise InputError(path, None, f"not a content-check list (columns {', '.join(sorted(want))})")
    out = []
    for i, r in enumerate(rows, 2):
        if r["kind"] not in CHECK_KINDS:
            raise InputError(path, f"row {i}", f"unknown kind {r['kind']!r}")
        out.append(Check(r["kind"], r["row"], r["column"], r["value"], r["staged"]))
    return out


def check_bam_header(path: Path, contigs: set[str], fasta: str | None = None) -> str | None:
    """Why a BAM or CRAM cannot be the pipeline's input, or None: it must open as BAM/CRAM,
    have @SQ lines, and share contigs with the FASTA (another build or naming is named). A
    CRAM's @SQ M5 checksums must match the FASTA (`fasta`, when given): a CRAM stores bases
    as differences from the reference it was written against, so another reference with
    the same names and lengths would decode to wrong bases or fail hours later."""
    import pysam

    from escapeseq.alignio import is_cram, m5_mismatches
    try:
        with pysam.AlignmentFile(str(path), "rc" if is_cram(path) else "rb", check_sq=False) as af:
            names = list(af.references)
            sq = af.header.to_dict().get("SQ", [])
    except (OSError, ValueError) as err:
        return f"not a BAM/CRAM file ({str(err).strip() or type(err).__name__})"
    if not names:
        return "header has no @SQ lines (an unaligned BAM? give its FASTQ instead)"
    if contigs and not set(names) & contigs:
        hint = ""
        if any(("chr" + c) in contigs or c.removeprefix("chr") in contigs for c in names):
            hint = " (chr prefix mismatch between BAM and FASTA?)"
        return f"header: no contig in common with the FASTA (e.g. {names[0]!r}){hint}"
    if fasta and contigs and is_cram(path):
        try:
            bad = m5_mismatches(sq, fasta)
        except (OSError, ValueError):
            bad = []  # the FASTA's own problems are reported on its line
        if bad:
            return (f"CRAM header @SQ {bad[0]}: M5 differs from the FASTA's sequence (the CRAM "
                    "was written against another reference; give that one as --fasta)")
    return None


def content_problems(checks: list[Check]) -> list[str]:
    """Every content problem of the staged files, named by the user's paths."""
    one = {c.kind: c for c in checks if c.kind not in ("fastq", "bam")}
    sheet = one.get("samplesheet")
    sheet_name = sheet.value if sheet else "samplesheet"
    probs = Problems(sheet_name)
    ref = {k: (one[k].staged if k in one else None)
           for k in ("fasta", "targets", "gtf", "pon", "germline_resource")}
    contigs: set[str] = set()
    for line in validate_references(ref["fasta"], ref["targets"], ref["gtf"], None,
                                    ref["pon"], ref["germline_resource"]):
        for c in one.values():  # name the user's file, not its staged copy
            if c.kind != "samplesheet" and line.startswith(c.staged + ":"):
                line = c.value + line[len(c.staged):]
                break
        probs.items.append(line)
    if ref["fasta"] and not probs.items:
        try:
            contigs = set(fasta_contigs(Path(ref["fasta"])))
        except OSError:
            contigs = set()
    for c in checks:
        if c.kind not in ("fastq", "bam"):
            continue
        p = Path(c.staged)
        why = check_readable(p)
        if why is None:
            why = (check_fastq_head(p) if c.kind == "fastq"
                   else check_bam_header(p, contigs, ref["fasta"]))
        if why:
            probs.add(f"row {c.row}, column {c.column}", f"{c.value}: {why}")
    return probs.items


def content_main(args: argparse.Namespace) -> int:
    problems = content_problems(read_checks(Path(args.content_only)))
    if args.problems_out:
        tmp = Path(args.problems_out + ".tmp")
        tmp.write_text("".join(p + "\n" for p in problems))
        tmp.replace(args.problems_out)
        return 0
    Problems("", problems).raise_if_any()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.content_only:
        return content_main(args)
    if not args.input:
        build_parser().error("--input is required (unless --content-only)")
    probs = Problems(args.input)
    rows = collect_rows(Path(args.input), probs, check_files=not args.no_file_checks)
    probs.path = ""
    for line in validate_references(args.fasta, args.targets, args.gtf, args.bwa_index,
                                    args.pon, args.germline_resource):
        probs.add(None, line)
    probs.raise_if_any()
    local_outdir = args.outdir and "://" not in args.outdir
    if local_outdir:
        for w in check_outdir(Path(args.outdir), rows, args.overwrite):
            print(f"escapeseq-validate: warning: {w}", file=sys.stderr)
    if args.out:
        write_validated(rows, Path(args.out))
    if local_outdir:
        write_manifest(Path(args.outdir), rows, args.input)
    n_pat = len({r.patient for r in rows})
    n_smp = len({r.sample for r in rows})
    print(f"escapeseq-validate: {args.input}: {n_pat} patient(s), {n_smp} sample(s), "
          f"{len(rows)} row(s) valid", file=sys.stderr)
    return 0


def cli(argv: Sequence[str] | None = None) -> int:
    return run_cli("escapeseq-validate", main, argv)
