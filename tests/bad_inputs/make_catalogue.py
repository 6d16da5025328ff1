#!/usr/bin/env python3
"""Generate the bad-input catalogue: every case's files, and the command that reads them.

    make_catalogue.py OUTDIR [CASE_ID ...]     # writes OUTDIR/<case>/ and OUTDIR/base/

Nothing here is a committed blob: a small, seeded reference (two contigs), a read pair set,
a coordinate-sorted BAM, a gene model GTF, a targets BED and a VCF are built in
``OUTDIR/base``; each case copies or damages one of them in ``OUTDIR/<case>`` and returns
the argv of the entry point that must judge it (``escapeseq-validate``, ``escapeseq-align``,
``escapeseq-annotate``, ``escapeseq-call``). The table of cases (id, file kind, what is
wrong, expected outcome, expected message fragment, where the message must point) is
:data:`CASES`; ``tests/bad_inputs/test_catalogue.py`` runs them all and
``docs/bad-inputs.md`` lists them.

Expected outcomes: ``accepted`` (exit 0, no warning), ``warned`` (exit 0, a
``warning:`` line on stderr containing the message), ``rejected`` (exit 2, exactly one
stderr line ``<tool>: error: <file>: <where>: <message>``, no traceback). A case with a
non-empty ``xfail`` documents a bug in a module owned by someone else: the test is marked
``xfail(strict=True)`` and flips when the bug is fixed.
"""

from __future__ import annotations

import gzip
import os
import random
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "bin"
SEED = 9
CONTIGS = {"chr1": 6000, "chr2": 4000}
READ_LEN = 76
N_PAIRS = 300


@dataclass(frozen=True)
class Case:
    """One catalogue entry (see the module docstring for the outcome rules)."""

    id: str
    kind: str       # samplesheet | fastq | bam | fasta | gtf | bed | vcf | report
    problem: str    # what is wrong with the input, in words
    expected: str   # accepted | warned | rejected
    message: str    # fragment the stderr line must contain ("" for accepted)
    where: str = ""  # fragment naming the line/record/row/column ("" = file-level)
    bad_file: str = ""  # name of the file the message must name (relative to the case dir)
    xfail: str = ""  # reason, when a known bug in another module makes the case fail
    nextflow: bool = False  # also run through `nextflow run` (rejection before any task)
    lines: int = 1  # stderr lines of a rejection (validate lists several problems at once)


# ------------------------------------------------------------------ base fixtures

COMP = str.maketrans("ACGTacgt", "TGCAtgca")


def revcomp(s: str) -> str:
    return s.translate(COMP)[::-1]


def _genome() -> dict[str, str]:
    rng = random.Random(SEED)
    return {c: "".join(rng.choice("ACGT") for _ in range(n)) for c, n in CONTIGS.items()}


def write_fasta(path: Path, seqs: dict[str, str], width: int = 60, eol: str = "\n") -> None:
    with open(path, "w", newline="") as fh:
        for name, s in seqs.items():
            fh.write(f">{name}{eol}")
            for i in range(0, len(s), width):
                fh.write(s[i:i + width] + eol)


def write_pairs(seqs: dict[str, str], r1: Path, r2: Path, n: int = N_PAIRS,
                gz: bool = True) -> None:
    """Error-free pairs (76 bp, fragment 250 bp), seeded."""
    rng = random.Random(SEED + 1)
    op = (lambda p: gzip.open(p, "wt", compresslevel=1)) if gz else (lambda p: open(p, "w"))
    q = "I" * READ_LEN
    with op(r1) as f1, op(r2) as f2:
        for i in range(n):
            c = sorted(seqs)[i % len(seqs)]
            s = rng.randrange(0, len(seqs[c]) - 250)
            frag = seqs[c][s:s + 250]
            f1.write(f"@pair{i}/1\n{frag[:READ_LEN]}\n+\n{q}\n")
            f2.write(f"@pair{i}/2\n{revcomp(frag[-READ_LEN:])}\n+\n{q}\n")


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, capture_output=True, **kw)


# One gene on chr1 (+ strand), 3 exons, CDS of 90 codons; coordinates 1-based inclusive.
GENE_EXONS = [(1001, 1100), (1301, 1420), (1601, 1800)]


def gtf_lines(gene: str = "GENEA", chrom: str = "chr1", tid: str = "TX1",
              attrs_extra: str = "") -> list[str]:
    a = (f'gene_id "G_{gene}"; transcript_id "{tid}"; gene_name "{gene}"; '
         f'transcript_type "protein_coding";{attrs_extra}')
    out = [f"{chrom}\ttest\ttranscript\t{GENE_EXONS[0][0]}\t{GENE_EXONS[-1][1]}\t.\t+\t.\t{a}"]
    for s, e in GENE_EXONS:
        out.append(f"{chrom}\ttest\texon\t{s}\t{e}\t.\t+\t.\t{a}")
    # CDS from 1021 (exon 1) to 1742 (exon 3): 80 + 120 + 142 = 342 nt = 114 codons
    cds = [(1021, 1100), (1301, 1420), (1601, 1742)]
    phase = 0
    for s, e in cds:
        out.append(f"{chrom}\ttest\tCDS\t{s}\t{e}\t.\t+\t{phase}\t{a}")
        phase = (3 - ((e - s + 1 - phase) % 3)) % 3
    return out


def make_base(base: Path) -> Path:
    """Build the shared good inputs once (idempotent: a `.complete` marker)."""
    if (base / ".complete").exists():
        return base
    base.mkdir(parents=True, exist_ok=True)
    seqs = _genome()
    write_fasta(base / "ref.fa", seqs)
    run(["samtools", "faidx", str(base / "ref.fa")])
    run(["bwa", "index", str(base / "ref.fa")])
    write_pairs(seqs, base / "N_R1.fq.gz", base / "N_R2.fq.gz")
    write_pairs(seqs, base / "T_R1.fq.gz", base / "T_R2.fq.gz")
    # a coordinate-sorted BAM with read group SM:T
    sam = subprocess.run(["bwa", "mem", "-v", "0", "-R", r"@RG\tID:T\tSM:T", str(base / "ref.fa"),
                          str(base / "T_R1.fq.gz"), str(base / "T_R2.fq.gz")],
                         check=True, capture_output=True).stdout
    run(["samtools", "sort", "--no-PG", "-o", str(base / "T.bam"), "-"], input=sam)
    run(["samtools", "index", str(base / "T.bam")])
    sam_n = sam.replace(b"SM:T", b"SM:N").replace(b"ID:T", b"ID:N").replace(b"RG:Z:T", b"RG:Z:N")
    run(["samtools", "sort", "--no-PG", "-o", str(base / "N.bam"), "-"], input=sam_n)
    run(["samtools", "index", str(base / "N.bam")])
    (base / "targets.bed").write_text("chr1\t1000\t1800\nchr2\t500\t1500\n")
    (base / "genes.gtf").write_text("\n".join(gtf_lines()) + "\n")
    pos = 1030  # in the CDS of GENEA
    ref_base = seqs["chr1"][pos - 1]
    alt = "A" if ref_base != "A" else "C"
    (base / "calls.vcf").write_text(vcf_text([("chr1", pos, ref_base, alt)]))
    (base / "sheet.csv").write_text(sheet_text(base))
    (base / ".complete").write_text("")
    return base


def vcf_text(records: list[tuple[str, int, str, str]], contigs: dict[str, int] = CONTIGS) -> str:
    head = ["##fileformat=VCFv4.2"]
    head += [f"##contig=<ID={c},length={n}>" for c, n in contigs.items()]
    head += ['##INFO=<ID=AF,Number=A,Type=Float,Description="Allele frequency">',
             "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    body = [f"{c}\t{p}\t.\t{r}\t{a}\t.\tPASS\tAF=0.01" for c, p, r, a in records]
    return "\n".join(head + body) + "\n"


def sheet_text(base: Path, rows: list[list[str]] | None = None,
               header: str = "patient,sample,timepoint,fastq_1,fastq_2") -> str:
    if rows is None:
        rows = [["P1", "P1_N", "normal", f"{base}/N_R1.fq.gz", f"{base}/N_R2.fq.gz"],
                ["P1", "P1_T", "relapse", f"{base}/T_R1.fq.gz", f"{base}/T_R2.fq.gz"]]
    return header + "\n" + "".join(",".join(r) + "\n" for r in rows)


# ------------------------------------------------------------------ case builders
# Each builder: (base dir, case dir) -> argv (argv[0] is the tool name under bin/).

Builder = Callable[[Path, Path], list[str]]
BUILDERS: dict[str, Builder] = {}


def validate_argv(base: Path, d: Path, sheet: Path | None = None, fasta: Path | None = None,
                  targets: Path | None = None, gtf: Path | None = None,
                  extra: list[str] = ()) -> list[str]:
    return ["escapeseq-validate", "--input", str(sheet or base / "sheet.csv"),
            "--fasta", str(fasta or base / "ref.fa"),
            "--targets", str(targets or base / "targets.bed"),
            "--gtf", str(gtf or base / "genes.gtf"), "--out", str(d / "valid.csv"), *extra]


def sheet_case(text: str | bytes) -> Builder:
    def build(base: Path, d: Path) -> list[str]:
        p = d / "sheet.csv"
        data = text.replace("@BASE@", str(base)) if isinstance(text, str) else \
            text.replace(b"@BASE@", str(base).encode())
        (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
        return validate_argv(base, d, sheet=p)
    return build


def good_rows(base: str = "@BASE@") -> list[list[str]]:
    return [["P1", "P1_N", "normal", f"{base}/N_R1.fq.gz", f"{base}/N_R2.fq.gz"],
            ["P1", "P1_T", "relapse", f"{base}/T_R1.fq.gz", f"{base}/T_R2.fq.gz"]]


def csv_of(rows: list[list[str]], header: str = "patient,sample,timepoint,fastq_1,fastq_2",
           eol: str = "\n") -> str:
    return header + eol + "".join(",".join(r) + eol for r in rows)


def with_row(i: int, col: int, value: str) -> str:
    rows = good_rows()
    rows[i][col] = value
    return csv_of(rows)


GOOD = csv_of(good_rows())

# samplesheet ---------------------------------------------------------------------------
BUILDERS.update({
    "ss_good": sheet_case(GOOD),
    "ss_bom": sheet_case("\ufeff" + GOOD),
    "ss_crlf": sheet_case(csv_of(good_rows(), eol="\r\n")),
    "ss_quoted": sheet_case('"patient","sample","timepoint","fastq_1","fastq_2"\n' + "".join(
        ",".join(f'"{c}"' for c in r) + "\n" for r in good_rows())),
    "ss_trailing_commas": sheet_case("patient,sample,timepoint,fastq_1,fastq_2,\n" + "".join(
        ",".join(r) + ",,\n" for r in good_rows())),
    "ss_blank_lines": sheet_case(GOOD.replace("\n", "\n\n", 1) + "\n\n"),
    "ss_empty": sheet_case(""),
    "ss_whitespace_only": sheet_case("\n  \n"),
    "ss_header_only": sheet_case("patient,sample,timepoint,fastq_1,fastq_2\n"),
    "ss_not_utf8": sheet_case(GOOD.encode().replace(b"P1_N", b"P1_\xe9")),
    "ss_missing_column": sheet_case(GOOD.replace("timepoint,", "", 1).replace(",normal", "")
                                    .replace(",relapse", "")),
    "ss_unknown_column": sheet_case(GOOD.replace("fastq_2\n", "fastq_2,colour\n", 1)
                                    .replace(".fq.gz\n", ".fq.gz,red\n")),
    "ss_duplicate_column": sheet_case(GOOD.replace("fastq_2\n", "fastq_2,sample\n", 1)
                                      .replace(".fq.gz\n", ".fq.gz,X\n")),
    "ss_extra_field": sheet_case(with_row(1, 4, "@BASE@/T_R2.fq.gz,surplus")),
    "ss_unbalanced_quote": sheet_case(with_row(1, 1, '"P1_T')),
    "ss_duplicate_sample": sheet_case(with_row(1, 1, "P1_N")),
    "ss_no_normal": sheet_case(with_row(0, 2, "baseline")),
    "ss_two_normals": sheet_case(GOOD + "P1,P1_N2,normal,@BASE@/N_R1.fq.gz,@BASE@/T_R2.fq.gz\n"),
    "ss_shell_metachar_id": sheet_case(with_row(1, 1, "P1_T;touch pwned")),
    "ss_path_traversal_id": sheet_case(with_row(1, 1, "../x")),
    "ss_html_sample_id": sheet_case(with_row(1, 1, "<img src=x onerror=alert(1)>")),
    "ss_many_problems": sheet_case(csv_of([["P1", "P1_N", "normal", "@BASE@/N_R1.fq.gz",
                                            "@BASE@/N_R2.fq.gz", "0.5"],
                                           ["P1", "P1 T", "later", "@BASE@/T_R1.fq.gz",
                                            "@BASE@/T_R2.fq.gz", "60"]],
                                          "patient,sample,timepoint,fastq_1,fastq_2,purity")),
    "ss_space_in_id": sheet_case(with_row(1, 1, "P1 T")),
    "ss_bad_timepoint": sheet_case(with_row(1, 2, "later")),
    "ss_purity_percent": sheet_case(csv_of([r + ["0.6" if i else ""] for i, r in
                                            enumerate(good_rows())],
                                           "patient,sample,timepoint,fastq_1,fastq_2,purity")
                                    .replace(",0.6", ",60")),
    "ss_bad_sex": sheet_case(csv_of([r + ["robot" if i else "female"]
                                     for i, r in enumerate(good_rows())],
                                    "patient,sample,timepoint,fastq_1,fastq_2,sex")),
    "ss_fastq_missing": sheet_case(with_row(1, 3, "@BASE@/absent_R1.fq.gz")),
    "ss_half_pair": sheet_case(with_row(1, 4, "")),
    "ss_same_fastq_twice": sheet_case(with_row(1, 4, "@BASE@/T_R1.fq.gz")),
    "ss_relative_paths": sheet_case(GOOD),  # rewritten in build_case: relative to the sheet
})


def _ss_empty_fastq(base: Path, d: Path) -> list[str]:
    (d / "empty_R1.fq.gz").write_bytes(b"")
    return sheet_case(with_row(1, 3, f"{d}/empty_R1.fq.gz"))(base, d)


def _ss_fastq_not_fastq(base: Path, d: Path) -> list[str]:
    (d / "notfq_R1.fq").write_text(">chr1\nACGT\n")
    return sheet_case(with_row(1, 3, f"{d}/notfq_R1.fq"))(base, d)


def _ss_relative(base: Path, d: Path) -> list[str]:
    for f in ("N_R1.fq.gz", "N_R2.fq.gz", "T_R1.fq.gz", "T_R2.fq.gz"):
        os.symlink(base / f, d / f)
    (d / "sheet.csv").write_text(csv_of(good_rows(".")))
    return validate_argv(base, d, sheet=d / "sheet.csv")


BUILDERS["ss_empty_fastq"] = _ss_empty_fastq
BUILDERS["ss_fastq_not_fastq"] = _ss_fastq_not_fastq
BUILDERS["ss_relative_paths"] = _ss_relative

# FASTQ -----------------------------------------------------------------------------


def fastq_argv(base: Path, d: Path, r1: Path, r2: Path) -> list[str]:
    return ["escapeseq-align", "fastq", "--sample", "P1_T", "--lane", f"L1:{r1}:{r2}",
            "--index", str(base / "ref.fa"), "--out", str(d / "P1_T.bam")]


def _records(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt") as fh:
        lines = fh.read().splitlines()
    return [lines[i:i + 4] for i in range(0, len(lines), 4)]


def fastq_case(edit: Callable[[list[list[str]], list[list[str]]], None], gz: bool = True,
               eol: str = "\n") -> Builder:
    """Copy the tumour pair, let `edit` change the record lists, write them back."""
    def build(base: Path, d: Path) -> list[str]:
        a, b = _records(base / "T_R1.fq.gz"), _records(base / "T_R2.fq.gz")
        edit(a, b)
        paths = []
        for name, recs in (("R1", a), ("R2", b)):
            p = d / (f"T_{name}.fq.gz" if gz else f"T_{name}.fq")
            text = "".join(eol.join(r) + eol for r in recs)
            if gz:
                with gzip.open(p, "wt", newline="") as fh:
                    fh.write(text)
            else:
                p.write_text(text, newline="")
            paths.append(p)
        return fastq_argv(base, d, *paths)
    return build


def _set(recs, i, line, value):
    recs[i][line] = value


def _truncated_gzip(base: Path, d: Path) -> list[str]:
    data = (base / "T_R1.fq.gz").read_bytes()
    (d / "T_R1.fq.gz").write_bytes(data[: len(data) // 2])
    shutil.copy(base / "T_R2.fq.gz", d / "T_R2.fq.gz")
    return fastq_argv(base, d, d / "T_R1.fq.gz", d / "T_R2.fq.gz")


def _empty_fastq(base: Path, d: Path) -> list[str]:
    (d / "T_R1.fq.gz").write_bytes(b"")
    shutil.copy(base / "T_R2.fq.gz", d / "T_R2.fq.gz")
    return fastq_argv(base, d, d / "T_R1.fq.gz", d / "T_R2.fq.gz")


def _empty_gzip_both(base: Path, d: Path) -> list[str]:
    for n in ("R1", "R2"):
        with gzip.open(d / f"T_{n}.fq.gz", "wb"):
            pass
    return fastq_argv(base, d, d / "T_R1.fq.gz", d / "T_R2.fq.gz")


BUILDERS.update({
    "fq_good": fastq_case(lambda a, b: None),
    "fq_plain_text": fastq_case(lambda a, b: None, gz=False),
    "fq_lowercase_bases": fastq_case(lambda a, b: _set(a, 4, 1, a[4][1].lower())),
    "fq_casava_comment": fastq_case(lambda a, b: [(_set(a, i, 0, f"@pair{i} 1:N:0:1"),
                                                   _set(b, i, 0, f"@pair{i} 2:N:0:1"))
                                                  for i in range(len(a))]),
    "fq_crlf": fastq_case(lambda a, b: None, eol="\r\n"),
    "fq_truncated_gzip": _truncated_gzip,
    "fq_empty_file": _empty_fastq,
    "fq_empty_gzip_both": _empty_gzip_both,
    "fq_mate_count_mismatch": fastq_case(lambda a, b: b.pop()),
    "fq_mate_name_mismatch": fastq_case(lambda a, b: _set(b, 6, 0, "@stranger/2")),
    "fq_non_acgtn_bases": fastq_case(lambda a, b: _set(a, 9, 1, "R" + a[9][1][1:])),
    "fq_quality_length": fastq_case(lambda a, b: _set(b, 11, 3, b[11][3][:-1])),
    "fq_missing_plus_line": fastq_case(lambda a, b: _set(a, 2, 2, "ACGT")),
    "fq_record_cut_short": fastq_case(lambda a, b: a[-1].pop()),
})

# BAM ---------------------------------------------------------------------------------


def bam_argv(base: Path, d: Path, bam: Path, fasta: Path | None = None) -> list[str]:
    return ["escapeseq-align", "bam", "--sample", "P1_T", "--bam", str(bam),
            "--fasta", str(fasta or base / "ref.fa"), "--out", str(d / "P1_T.bam")]


def _sam(base: Path, name: str = "T.bam") -> str:
    return subprocess.run(["samtools", "view", "-h", "--no-PG", str(base / name)],
                          check=True, capture_output=True, text=True).stdout


def _bam_from_sam(d: Path, sam: str, name: str = "in.bam", sort: bool = False,
                  index: bool = False) -> Path:
    out = d / name
    cmd = ["samtools", "sort", "--no-PG", "-o", str(out), "-"] if sort else \
        ["samtools", "view", "--no-PG", "-b", "-o", str(out), "-"]
    run(cmd, input=sam.encode())
    if index:
        run(["samtools", "index", str(out)])
    return out


def _bam_good_no_index(base: Path, d: Path) -> list[str]:
    shutil.copy(base / "T.bam", d / "in.bam")
    return bam_argv(base, d, d / "in.bam")


def _bam_truncated(base: Path, d: Path) -> list[str]:
    data = (base / "T.bam").read_bytes()
    (d / "in.bam").write_bytes(data[: int(len(data) * 0.6)])
    return bam_argv(base, d, d / "in.bam")


def _bam_not_bam(base: Path, d: Path) -> list[str]:
    (d / "in.bam").write_text("this is not a BAM\n")
    return bam_argv(base, d, d / "in.bam")


def _bam_queryname(base: Path, d: Path) -> list[str]:
    run(["samtools", "sort", "-n", "--no-PG", "-o", str(d / "in.bam"), str(base / "T.bam")])
    return bam_argv(base, d, d / "in.bam")


def _bam_unsorted_no_hd(base: Path, d: Path) -> list[str]:
    lines = _sam(base).splitlines()
    head = [ln for ln in lines if ln.startswith("@") and not ln.startswith("@HD")]
    body = [ln for ln in lines if not ln.startswith("@")]
    random.Random(SEED).shuffle(body)
    return bam_argv(base, d, _bam_from_sam(d, "\n".join(head + body) + "\n"))


def _bam_unsorted_claims_sorted(base: Path, d: Path) -> list[str]:
    lines = _sam(base).splitlines()
    head = [ln for ln in lines if ln.startswith("@")]
    body = [ln for ln in lines if not ln.startswith("@")]
    random.Random(SEED).shuffle(body)
    return bam_argv(base, d, _bam_from_sam(d, "\n".join(head + body) + "\n"))


def _bam_no_rg(base: Path, d: Path) -> list[str]:
    lines = [ln for ln in _sam(base).splitlines() if not ln.startswith("@RG")]
    lines = [ln.replace("\tRG:Z:T", "") for ln in lines]
    return bam_argv(base, d, _bam_from_sam(d, "\n".join(lines) + "\n"))


def _bam_other_sm(base: Path, d: Path) -> list[str]:
    sam = _sam(base).replace("SM:T", "SM:someone_else")
    return bam_argv(base, d, _bam_from_sam(d, sam))


def _bam_foreign_contig(base: Path, d: Path) -> list[str]:
    sam = _sam(base).replace("@SQ\tSN:chr2\tLN:4000", "@SQ\tSN:chr2\tLN:4000\n@SQ\tSN:chrUn_x\tLN:500")
    return bam_argv(base, d, _bam_from_sam(d, sam))


def _bam_wrong_length(base: Path, d: Path) -> list[str]:
    sam = _sam(base).replace("SN:chr2\tLN:4000", "SN:chr2\tLN:4100")
    return bam_argv(base, d, _bam_from_sam(d, sam))


def _bam_unaligned(base: Path, d: Path) -> list[str]:
    run(["samtools", "import", "--no-PG", "-1", str(base / "T_R1.fq.gz"), "-2",
         str(base / "T_R2.fq.gz"), "-o", str(d / "in.bam")])
    return bam_argv(base, d, d / "in.bam")


BUILDERS.update({
    "bam_no_index": _bam_good_no_index,
    "bam_truncated": _bam_truncated,
    "bam_not_a_bam": _bam_not_bam,
    "bam_queryname_sorted": _bam_queryname,
    "bam_unsorted_no_hd": _bam_unsorted_no_hd,
    "bam_unsorted_claims_sorted": _bam_unsorted_claims_sorted,
    "bam_no_read_groups": _bam_no_rg,
    "bam_other_sample_name": _bam_other_sm,
    "bam_contig_not_in_fasta": _bam_foreign_contig,
    "bam_contig_length_differs": _bam_wrong_length,
    "bam_unaligned": _bam_unaligned,
})

# BAM into the caller ---------------------------------------------------------------------


def call_argv(base: Path, d: Path, normal: Path | None = None, tumour: Path | None = None,
              extra: list[str] = ()) -> list[str]:
    return ["escapeseq-call", "call", "--fasta", str(base / "ref.fa"),
            "--normal", str(normal or base / "N.bam"), "--tumour", str(tumour or base / "T.bam"),
            "--regions", str(base / "targets.bed"), "--out", str(d / "calls.vcf.gz"), *extra]


def _call_good(base: Path, d: Path) -> list[str]:
    return call_argv(base, d)


def _call_no_index(base: Path, d: Path) -> list[str]:
    shutil.copy(base / "T.bam", d / "T.bam")
    return call_argv(base, d, tumour=d / "T.bam")


def _call_truncated(base: Path, d: Path) -> list[str]:
    data = (base / "T.bam").read_bytes()
    (d / "T.bam").write_bytes(data[: int(len(data) * 0.6)])
    shutil.copy(base / "T.bam.bai", d / "T.bam.bai")
    return call_argv(base, d, tumour=d / "T.bam")


def _call_foreign_contigs(base: Path, d: Path) -> list[str]:
    sam = _sam(base).replace("chr1", "1").replace("chr2", "2")
    return call_argv(base, d, tumour=_bam_from_sam(d, sam, "T.bam", sort=True, index=True))


def _call_same_sm(base: Path, d: Path) -> list[str]:
    sam = _sam(base, "N.bam").replace("SM:N", "SM:T")
    return call_argv(base, d, normal=_bam_from_sam(d, sam, "N.bam", sort=True, index=True))


def _vcf_resource(base: Path, d: Path, text: str, index: bool = True) -> Path:
    plain = d / "resource.vcf"
    plain.write_text(text)
    run(["bgzip", "-f", str(plain)])
    out = d / "resource.vcf.gz"
    if index:
        run(["tabix", "-p", "vcf", str(out)])
    return out


def _call_resource_unindexed(base: Path, d: Path) -> list[str]:
    res = _vcf_resource(base, d, vcf_text([("chr1", 1030, "A", "C")]), index=False)
    return call_argv(base, d, extra=["--germline-resource", str(res)])


def _call_resource_wrong_build(base: Path, d: Path) -> list[str]:
    text = vcf_text([("1", 1030, "A", "C")], contigs={"1": 248956422, "2": 242193529})
    res = _vcf_resource(base, d, text)
    return call_argv(base, d, extra=["--germline-resource", str(res)])


def _call_pon_plain_text(base: Path, d: Path) -> list[str]:
    (d / "pon.vcf").write_text(vcf_text([("chr1", 1030, "A", "C")]))
    return call_argv(base, d, extra=["--pon", str(d / "pon.vcf")])


BUILDERS.update({
    "call_good": _call_good,
    "call_bam_no_index": _call_no_index,
    "call_bam_truncated": _call_truncated,
    "call_bam_contigs_not_in_fasta": _call_foreign_contigs,
    "call_normal_and_tumour_same_sm": _call_same_sm,
    "call_resource_unindexed": _call_resource_unindexed,
    "call_resource_wrong_build": _call_resource_wrong_build,
    "call_pon_not_bgzipped": _call_pon_plain_text,
})

# VCF resources through escapeseq-validate (--pon / --germline_resource) -----------------


def resource_case(text: Callable[[], str], mode: str = "bgzip+tabix",
                  option: str = "--germline_resource") -> Builder:
    def build(base: Path, d: Path) -> list[str]:
        if mode == "plain":
            res = d / "resource.vcf"
            res.write_text(text())
        elif mode == "gzip":
            res = d / "resource.vcf.gz"
            with gzip.open(res, "wt") as fh:
                fh.write(text())
        else:
            res = _vcf_resource(base, d, text(), index=mode == "bgzip+tabix")
        return validate_argv(base, d, extra=[option, str(res)])
    return build


BUILDERS.update({
    "vcf_resource_good": resource_case(lambda: vcf_text([("chr1", 1030, "A", "C")])),
    "vcf_resource_unindexed": resource_case(lambda: vcf_text([("chr1", 1030, "A", "C")]),
                                            mode="bgzip"),
    "vcf_resource_wrong_build": resource_case(lambda: vcf_text(
        [("1", 1030, "A", "C")], contigs={"1": 248956422, "2": 242193529})),
    "vcf_resource_length_differs": resource_case(lambda: vcf_text(
        [("chr1", 1030, "A", "C")], contigs={"chr1": 248956422, "chr2": 4000})),
    "vcf_pon_plain_text": resource_case(lambda: vcf_text([("chr1", 1030, "A", "C")]),
                                        mode="plain", option="--pon"),
    "vcf_pon_plain_gzip": resource_case(lambda: vcf_text([("chr1", 1030, "A", "C")]),
                                        mode="gzip", option="--pon"),
})

# FASTA (escapeseq-validate --fasta) ------------------------------------------------------


def fasta_case(make: Callable[[dict[str, str], Path], None]) -> Builder:
    def build(base: Path, d: Path) -> list[str]:
        fa = d / "ref.fa"
        make(_genome(), fa)
        return validate_argv(base, d, fasta=fa)
    return build


def _dup(seqs, fa):
    write_fasta(fa, seqs)
    with open(fa, "a") as fh:
        fh.write(">chr1\nACGTACGT\n")


def _iupac(seqs, fa):
    s = dict(seqs)
    s["chr1"] = s["chr1"][:100] + "RYKMSWN" + s["chr1"][107:]
    write_fasta(fa, s)


def _gz_fasta_no_index(base: Path, d: Path) -> list[str]:
    write_fasta(d / "ref.fa", _genome())
    with open(d / "ref.fa", "rb") as src, gzip.open(d / "ref.fa.gz", "wb") as dst:
        dst.write(src.read())
    (d / "ref.fa").unlink()
    return validate_argv(base, d, fasta=d / "ref.fa.gz")


def _fasta_no_newline(seqs, fa):
    write_fasta(fa, seqs)
    fa.write_bytes(fa.read_bytes().rstrip(b"\n"))


BUILDERS.update({
    "fa_duplicate_contig": fasta_case(_dup),
    "fa_soft_masked": fasta_case(lambda s, fa: write_fasta(
        fa, {c: v[:500] + v[500:1500].lower() + v[1500:] for c, v in s.items()})),
    "fa_crlf": fasta_case(lambda s, fa: write_fasta(fa, s, eol="\r\n")),
    "fa_iupac_codes": fasta_case(_iupac),
    "fa_no_final_newline": fasta_case(_fasta_no_newline),
    "fa_not_fasta": fasta_case(lambda s, fa: fa.write_text("chr1\tACGT\n")),
    "fa_empty": fasta_case(lambda s, fa: fa.write_text("")),
    "fa_gzip_without_index": _gz_fasta_no_index,
    "fa_missing_targets_contig": fasta_case(lambda s, fa: write_fasta(fa, {"chr1": s["chr1"]})),
})

# BED (escapeseq-validate --targets) ------------------------------------------------------


def bed_case(text: str) -> Builder:
    def build(base: Path, d: Path) -> list[str]:
        (d / "targets.bed").write_text(text)
        return validate_argv(base, d, targets=d / "targets.bed")
    return build


BUILDERS.update({
    "bed_unsorted": bed_case("chr2\t500\t1500\nchr1\t1000\t1800\n"),
    "bed_overlapping": bed_case("chr1\t1000\t1800\nchr1\t1500\t2000\n"),
    "bed_header_lines": bed_case("track name=t\nbrowser position chr1:1-100\n# comment\n"
                                 "chr1\t1000\t1800\n"),
    "bed_crlf": bed_case("chr1\t1000\t1800\r\nchr2\t500\t1500\r\n"),
    "bed_end_before_start": bed_case("chr1\t1000\t1800\nchr2\t1500\t500\n"),
    "bed_zero_length": bed_case("chr1\t1000\t1000\n"),
    "bed_two_columns": bed_case("chr1\t1000\n"),
    "bed_not_integer": bed_case("chr1\t1,000\t1800\n"),
    "bed_space_separated": bed_case("chr1 1000 1800\n"),
    "bed_chr_prefix_mismatch": bed_case("1\t1000\t1800\n"),
    "bed_past_contig_end": bed_case("chr1\t5900\t7000\n"),
    "bed_empty": bed_case(""),
    "bed_only_comments": bed_case("# nothing\n"),
})

# GTF -------------------------------------------------------------------------------------


def gtf_validate_case(text: str) -> Builder:
    def build(base: Path, d: Path) -> list[str]:
        (d / "genes.gtf").write_text(text)
        return validate_argv(base, d, gtf=d / "genes.gtf")
    return build


def annotate_argv(base: Path, d: Path, gtf: Path | None = None, vcf: Path | None = None,
                  fasta: Path | None = None) -> list[str]:
    return ["escapeseq-annotate", "--fasta", str(fasta or base / "ref.fa"),
            "--gtf", str(gtf or base / "genes.gtf"), "--vcf", str(vcf or base / "calls.vcf"),
            "--out", str(d / "out.vcf.gz"), "--tsv", str(d / "out.tsv")]


def gtf_case(lines: Callable[[], list[str]]) -> Builder:
    def build(base: Path, d: Path) -> list[str]:
        (d / "genes.gtf").write_text("\n".join(lines()) + "\n")
        return annotate_argv(base, d, gtf=d / "genes.gtf")
    return build


def _drop_attr(attr: str) -> Callable[[], list[str]]:
    def f() -> list[str]:
        out = []
        for ln in gtf_lines():
            c = ln.split("\t")
            c[8] = "; ".join(a for a in c[8].split("; ") if not a.startswith(attr))
            out.append("\t".join(c))
        return out
    return f


def _cds_only() -> list[str]:
    return [ln for ln in gtf_lines() if "\texon\t" not in ln]


def _overlapping() -> list[str]:
    second = [ln.replace('"TX1"', '"TX2"') for ln in gtf_lines()
              if "\tCDS\t" not in ln][:3]
    return gtf_lines() + second


def _chr_mismatch() -> list[str]:
    return [ln.replace("chr1\t", "1\t", 1) for ln in gtf_lines()]


def _field(i: int, value: str, row: int = 2) -> Callable[[], list[str]]:
    def f() -> list[str]:
        lines = gtf_lines()
        c = lines[row].split("\t")
        c[i] = value
        lines[row] = "\t".join(c)
        return lines
    return f


def _xss_gene() -> list[str]:
    return gtf_lines(gene="<img src=x onerror=alert(1)>")


def _spaces_not_tabs() -> list[str]:
    return [ln.replace("\t", " ") for ln in gtf_lines()]


BUILDERS.update({
    "gtf_good": gtf_case(gtf_lines),
    "gtf_empty": gtf_validate_case(""),
    "gtf_missing_transcript_id": gtf_case(_drop_attr("transcript_id")),
    "gtf_missing_gene_name": gtf_case(_drop_attr("gene_name")),
    "gtf_cds_without_exon": gtf_case(_cds_only),
    "gtf_overlapping_transcripts": gtf_case(_overlapping),
    "gtf_chr_prefix_mismatch": gtf_case(_chr_mismatch),
    "gtf_eight_columns": gtf_case(lambda: [ln.rsplit("\t", 1)[0] if i == 2 else ln
                                           for i, ln in enumerate(gtf_lines())]),
    "gtf_spaces_not_tabs": gtf_case(_spaces_not_tabs),
    "gtf_bad_strand": gtf_case(_field(6, "*")),
    "gtf_end_before_start": gtf_case(_field(4, "900")),
    "gtf_non_integer_start": gtf_case(_field(3, "1e3")),
    "gtf_html_gene_name": gtf_case(_xss_gene),
    "gtf_not_multiple_of_three": gtf_case(_field(4, "1741", row=6)),
})

# VCF into the annotator ------------------------------------------------------------------


def vcf_annotate_case(text: Callable[[Path], str]) -> Builder:
    def build(base: Path, d: Path) -> list[str]:
        (d / "calls.vcf").write_text(text(base))
        return annotate_argv(base, d, vcf=d / "calls.vcf")
    return build


def _base_vcf(base: Path) -> str:
    return (base / "calls.vcf").read_text()


def _vcf_not_utf8(base: Path, d: Path) -> list[str]:
    (d / "calls.vcf").write_bytes(_base_vcf(base).encode().replace(b"PASS", b"P\xe9SS"))
    return annotate_argv(base, d, vcf=d / "calls.vcf")


def _vcf_truncated_gzip(base: Path, d: Path) -> list[str]:
    data = gzip.compress(_base_vcf(base).encode() * 20)
    (d / "calls.vcf.gz").write_bytes(data[: len(data) // 2])
    return annotate_argv(base, d, vcf=d / "calls.vcf.gz")


def _gtf_not_utf8(base: Path, d: Path) -> list[str]:
    (d / "genes.gtf").write_bytes(("\n".join(gtf_lines()) + "\n").encode()
                                  .replace(b"GENEA", b"GEN\xc9A"))
    return annotate_argv(base, d, gtf=d / "genes.gtf")


def _gtf_truncated_gzip(base: Path, d: Path) -> list[str]:
    data = gzip.compress(("\n".join(gtf_lines()) + "\n").encode() * 50)
    (d / "genes.gtf.gz").write_bytes(data[: len(data) // 2])
    return annotate_argv(base, d, gtf=d / "genes.gtf.gz")


def via_validate(builder: Builder) -> Builder:
    """The same damaged GTF, judged by escapeseq-validate before any task."""
    def build(base: Path, d: Path) -> list[str]:
        argv = builder(base, d)
        return validate_argv(base, d, gtf=Path(argv[argv.index("--gtf") + 1]))
    return build


BUILDERS.update({
    "pre_gtf_missing_transcript_id": via_validate(gtf_case(_drop_attr("transcript_id"))),
    "pre_gtf_chr_prefix_mismatch": via_validate(gtf_case(_chr_mismatch)),
    "pre_gtf_eight_columns": via_validate(gtf_case(lambda: [
        ln.rsplit("\t", 1)[0] if i == 2 else ln for i, ln in enumerate(gtf_lines())])),
    "pre_gtf_end_before_start": via_validate(gtf_case(_field(4, "900"))),
    "pre_gtf_bad_strand": via_validate(gtf_case(_field(6, "*"))),
    "pre_gtf_not_utf8": via_validate(_gtf_not_utf8),
    "pre_gtf_truncated_gzip": via_validate(_gtf_truncated_gzip),
    "pre_gtf_no_features": via_validate(gtf_case(lambda: [gtf_lines()[0]])),
    "pre_gtf_good": via_validate(gtf_case(gtf_lines)),
    "vcf_not_utf8": _vcf_not_utf8,
    "vcf_truncated_gzip": _vcf_truncated_gzip,
    "gtf_not_utf8": _gtf_not_utf8,
    "gtf_truncated_gzip": _gtf_truncated_gzip,
    "vcf_ref_mismatch": vcf_annotate_case(lambda b: vcf_text([("chr1", 1030, "N", "T")])),
    "vcf_unsorted": vcf_annotate_case(lambda b: vcf_text([("chr1", 1040, "A", "C"),
                                                          ("chr1", 1030, "A", "C")])
                                      .replace("\tA\tC", "\tN\tC")),
    "vcf_pos_not_integer": vcf_annotate_case(lambda b: _base_vcf(b).replace("\t1030\t", "\tx\t")),
    "vcf_no_header": vcf_annotate_case(lambda b: "\n".join(
        ln for ln in _base_vcf(b).splitlines() if not ln.startswith("#")) + "\n"),
    "vcf_too_few_columns": vcf_annotate_case(lambda b: _base_vcf(b).replace("\tPASS\tAF=0.01", "")),
    "vcf_contig_not_in_fasta": vcf_annotate_case(lambda b: vcf_text([("chrZ", 10, "A", "C")])),
})


# --outdir of an earlier run (escapeseq-validate --outdir) ---------------------------------


def outdir_case(manifest: str | None, same: bool = False, overwrite: bool = False) -> Builder:
    def build(base: Path, d: Path) -> list[str]:
        out = d / "outdir"
        (out / "P9" / "somatic").mkdir(parents=True)
        (out / "P9" / "somatic" / "P9.somatic.vcf.gz").write_bytes(b"old")
        if manifest is not None or same:
            (out / "pipeline_info").mkdir()
            text = manifest or ""
            if same:
                sys.path.insert(0, str(BIN))
                from escapeseq.samplesheet import parse_rows, samples_digest
                text = (f"samplesheet\tsheet.csv\tsamples_sha256\t"
                        f"{samples_digest(parse_rows(base / 'sheet.csv'))}\npatients\tP1\n")
                text = text.replace("sheet.csv\tsamples", "sheet.csv\nsamples")
            (out / "pipeline_info" / "run_manifest.tsv").write_text(text)
        return validate_argv(base, d, extra=["--outdir", str(out)] +
                             (["--overwrite"] if overwrite else []))
    return build


OLD_MANIFEST = "samplesheet\told.csv\nsamples_sha256\t0123abcd\npatients\tP1,P9\n"
BUILDERS.update({
    "outdir_same_samplesheet": outdir_case(None, same=True),
    "outdir_other_samplesheet": outdir_case(OLD_MANIFEST),
    "outdir_other_samplesheet_overwrite": outdir_case(OLD_MANIFEST, overwrite=True),
    "outdir_foreign_files": outdir_case(None),
    "ss_dotdot_patient": sheet_case(csv_of([[".."] + r[1:] for r in good_rows()])),
    "ss_dash_sample": sheet_case(with_row(1, 1, "-rf")),
})

# ------------------------------------------------------------------ the table

R, W, A = "rejected", "warned", "accepted"

CASES: list[Case] = [
    # samplesheet
    Case("ss_good", "samplesheet", "a valid two-sample sheet (control)", A, ""),
    Case("ss_bom", "samplesheet", "UTF-8 byte-order mark before the header", A, ""),
    Case("ss_crlf", "samplesheet", "Windows CRLF line endings", A, ""),
    Case("ss_quoted", "samplesheet", "every field in double quotes", A, ""),
    Case("ss_trailing_commas", "samplesheet", "trailing commas on every line", A, ""),
    Case("ss_blank_lines", "samplesheet", "blank lines between and after rows", A, ""),
    Case("ss_relative_paths", "samplesheet", "FASTQ paths relative to the sheet's directory",
         A, ""),
    Case("ss_empty", "samplesheet", "empty file (0 bytes)", R, "samplesheet is empty",
         bad_file="sheet.csv", nextflow=True),
    Case("ss_whitespace_only", "samplesheet", "only blank lines", R, "samplesheet is empty",
         bad_file="sheet.csv"),
    Case("ss_header_only", "samplesheet", "header but no rows", R,
         "samplesheet has a header but no samples", bad_file="sheet.csv"),
    Case("ss_not_utf8", "samplesheet", "Latin-1 byte in a sample ID", R,
         "not a UTF-8 text file", bad_file="sheet.csv"),
    Case("ss_missing_column", "samplesheet", "no timepoint column", R,
         "missing column(s): timepoint", "header", "sheet.csv"),
    Case("ss_unknown_column", "samplesheet", "an unknown column 'colour'", R,
         "unknown column(s) 'colour'", "header", "sheet.csv"),
    Case("ss_duplicate_column", "samplesheet", "the sample column twice", R,
         "duplicate column(s): sample", "header", "sheet.csv"),
    Case("ss_extra_field", "samplesheet", "a row with one field more than the header", R,
         "has 6 fields, header has 5", "row 3", "sheet.csv"),
    Case("ss_unbalanced_quote", "samplesheet", "an opening quote that never closes", R,
         "has 2 fields, header has 5", "row 3", "sheet.csv"),
    Case("ss_duplicate_sample", "samplesheet", "two rows with the same sample ID", R,
         "duplicate sample ID 'P1_N'", "rows 2, 3", "sheet.csv", nextflow=True),
    Case("ss_no_normal", "samplesheet", "patient without a normal", R,
         "has no normal sample", "patient P1", "sheet.csv"),
    Case("ss_two_normals", "samplesheet", "patient with two normals", R,
         "has 2 normal samples", "patient P1", "sheet.csv"),
    Case("ss_shell_metachar_id", "samplesheet", "sample ID 'P1_T;touch pwned'", R,
         "has characters outside [A-Za-z0-9._-]", "row 3, column sample", "sheet.csv",
         nextflow=True),
    Case("ss_path_traversal_id", "samplesheet", "sample ID '../x' (path traversal)", R,
         "'../x' has characters outside [A-Za-z0-9._-]", "row 3, column sample", "sheet.csv"),
    Case("ss_html_sample_id", "samplesheet", "sample ID '<img src=x onerror=alert(1)>'", R,
         "has characters outside [A-Za-z0-9._-]", "row 3, column sample", "sheet.csv"),
    Case("ss_many_problems", "samplesheet", "three problems in one row (all listed at once)",
         R, "3 problems:", "row 3, column", "sheet.csv", lines=4),
    Case("ss_dotdot_patient", "samplesheet", "patient '..' (would publish outside --outdir)",
         R, "'..' starts with '.'", "row 2, column patient", "sheet.csv", lines=3),
    Case("ss_dash_sample", "samplesheet", "sample '-rf' (reads as an option)", R,
         "'-rf' starts with '-'", "row 3, column sample", "sheet.csv"),
    Case("ss_space_in_id", "samplesheet", "sample ID with a space", R,
         "'P1 T' has characters outside", "row 3, column sample", "sheet.csv"),
    Case("ss_bad_timepoint", "samplesheet", "timepoint 'later'", R,
         "'later' is not normal, baseline, relapse or an integer order", "row 3, column timepoint",
         "sheet.csv"),
    Case("ss_purity_percent", "samplesheet", "purity given in % (60)", R,
         "'60' is not a fraction in (0, 1]", "row 3, column purity", "sheet.csv"),
    Case("ss_bad_sex", "samplesheet", "sex 'robot'", R, "'robot' is not female or male",
         "row 3, column sex", "sheet.csv"),
    Case("ss_fastq_missing", "samplesheet", "fastq_1 names a file that does not exist", R,
         "absent_R1.fq.gz: file not found", "row 3, column fastq_1", "sheet.csv", nextflow=True),
    Case("ss_half_pair", "samplesheet", "fastq_2 empty (single-end)", R,
         "the FASTQ pair is given half", "row 3, column fastq_2", "sheet.csv"),
    Case("ss_same_fastq_twice", "samplesheet", "fastq_1 and fastq_2 the same file", R,
         "fastq_1 and fastq_2 are the same file", "row 3", "sheet.csv"),
    Case("ss_empty_fastq", "samplesheet", "a 0-byte FASTQ named in the sheet", R,
         "empty_R1.fq.gz: file is empty", "row 3, column fastq_1", "sheet.csv"),
    Case("ss_fastq_not_fastq", "samplesheet", "a FASTA given as fastq_1", R,
         "not a FASTQ file", "row 3, column fastq_1", "sheet.csv"),
    # --outdir holding an earlier run (escapeseq-validate --outdir [--overwrite])
    Case("outdir_same_samplesheet", "outdir", "rerun of the same samplesheet", A, ""),
    Case("outdir_other_samplesheet", "outdir", "outdir holds another samplesheet's results",
         R, "holds results of another samplesheet (old.csv: patients P1,P9)",
         "pipeline_info/run_manifest.tsv", "outdir"),
    Case("outdir_other_samplesheet_overwrite", "outdir", "the same with --overwrite", W,
         "results of patient(s) no longer in the samplesheet remain: P9"),
    Case("outdir_foreign_files", "outdir", "non-empty outdir without a run manifest", R,
         "not empty and has no pipeline_info/run_manifest.tsv", "", "outdir"),
    # FASTQ through escapeseq-align fastq
    Case("fq_good", "fastq", "valid gzipped pair (control)", A, ""),
    Case("fq_plain_text", "fastq", "uncompressed FASTQ", A, ""),
    Case("fq_lowercase_bases", "fastq", "lower-case bases in one read", A, ""),
    Case("fq_casava_comment", "fastq", "Casava 1.8 names ('@x 1:N:0:1')", A, ""),
    Case("fq_crlf", "fastq", "Windows CRLF line endings (bwa gets LF-only lines)", A, ""),
    Case("fq_truncated_gzip", "fastq", "gzip cut in the middle", R,
         "truncated or corrupt gzip", "record ", "T_R1.fq.gz"),
    Case("fq_empty_file", "fastq", "0-byte R1", R, "file is empty", "lane L1", "T_R1.fq.gz"),
    Case("fq_empty_gzip_both", "fastq", "both mates valid gzip with no reads", R,
         "no reads (both mate files hold no record)", "", "T_R1.fq.gz"),
    Case("fq_mate_count_mismatch", "fastq", "R2 has one read fewer", R,
         "mismatched mate counts", f"record {N_PAIRS}", "T_R2.fq.gz"),
    Case("fq_mate_name_mismatch", "fastq", "R2 record 7 has another name", R,
         "mate name 'stranger' differs from 'pair6'", "record 7", "T_R2.fq.gz"),
    Case("fq_non_acgtn_bases", "fastq", "IUPAC 'R' in a read", R, "bases other than ACGTN: 'R'",
         "record 10", "T_R1.fq.gz"),
    Case("fq_quality_length", "fastq", "quality one shorter than the bases", R,
         "quality string length 75 differs from sequence length 76", "record 12", "T_R2.fq.gz"),
    Case("fq_missing_plus_line", "fastq", "third line of a record is not '+'", R,
         "not a FASTQ record", "record 3", "T_R1.fq.gz"),
    Case("fq_record_cut_short", "fastq", "last record has 3 lines", R,
         "not a FASTQ record", f"record {N_PAIRS}", "T_R1.fq.gz"),
    # BAM through escapeseq-align bam
    Case("bam_no_index", "bam", "coordinate-sorted BAM without .bai", A, ""),
    Case("bam_no_read_groups", "bam", "no @RG (one is added with SM = sample)", A, ""),
    Case("bam_other_sample_name", "bam", "@RG SM differs from the sample ID (rewritten)", A, ""),
    Case("bam_truncated", "bam", "BAM cut at 60 %", R,
         "BAM is truncated (no end-of-file block)", "", "in.bam"),
    Case("bam_not_a_bam", "bam", "a text file named .bam", R, "not a readable BAM", "",
         "in.bam"),
    Case("bam_queryname_sorted", "bam", "sorted by read name (SO:queryname)", R,
         "BAM is not coordinate-sorted", "@HD", "in.bam"),
    Case("bam_unsorted_no_hd", "bam", "unsorted records, no @HD line", R,
         "records are not coordinate-sorted", "Read 'pair", "in.bam"),
    Case("bam_unsorted_claims_sorted", "bam", "@HD says SO:coordinate but records are shuffled",
         R, "records are not coordinate-sorted", "Read 'pair", "in.bam"),
    Case("bam_contig_not_in_fasta", "bam", "an @SQ contig absent from the FASTA", R,
         "contig not in the reference FASTA", "@SQ chrUn_x", "in.bam"),
    Case("bam_contig_length_differs", "bam", "@SQ chr2 length differs from the FASTA", R,
         "length 4100 differs from the FASTA's 4000", "@SQ chr2", "in.bam"),
    Case("bam_unaligned", "bam", "unaligned BAM (no @SQ)", R, "no @SQ lines (unaligned BAM?)",
         "header",
         "in.bam"),
    # BAM/VCF resources through escapeseq-call call
    Case("call_good", "bam", "indexed normal and tumour BAMs (control)", A, ""),
    Case("call_bam_no_index", "bam", "tumour BAM without .bai (built beside it)", A, ""),
    Case("call_bam_truncated", "bam", "tumour BAM cut at 60 %", R, "truncated", "", "T.bam"),
    Case("call_bam_contigs_not_in_fasta", "bam", "tumour BAM aligned to '1','2' not 'chr1'",
         R, "no contig name in common with the FASTA", "header @SQ", "T.bam"),
    Case("call_normal_and_tumour_same_sm", "bam", "normal and tumour share one SM", R,
         "sample names must be distinct, got T, T", "header @RG SM", "T.bam"),
    Case("call_resource_unindexed", "vcf", "germline resource without .tbi (escapeseq-call)",
         R, "index", "", "resource.vcf.gz"),
    Case("call_resource_wrong_build", "vcf", "germline resource named '1','2' (escapeseq-call)",
         R, "no contig in common with the FASTA", "--germline-resource: header", "resource.vcf.gz"),
    Case("call_pon_not_bgzipped", "vcf", "plain-text panel of normals (escapeseq-call)", R,
         "bgzip", "", "pon.vcf"),
    # VCF resources through escapeseq-validate
    Case("vcf_resource_good", "vcf", "bgzipped + tabix-indexed germline resource (control)",
         A, ""),
    Case("vcf_resource_unindexed", "vcf", "germline resource bgzipped but no .tbi", R,
         "no index (.tbi or .csi) beside it", "--germline_resource", "resource.vcf.gz"),
    Case("vcf_resource_wrong_build", "vcf", "germline resource on '1','2' (other build)", R,
         "no contig in common with the FASTA", "--germline_resource: header",
         "resource.vcf.gz"),
    Case("vcf_resource_length_differs", "vcf", "##contig chr1 length of GRCh38 chr1", R,
         "length 248956422 differs from the FASTA's 6000", "header ##contig chr1",
         "resource.vcf.gz"),
    Case("vcf_pon_plain_text", "vcf", "panel of normals as plain-text VCF", R,
         "not bgzip-compressed", "--pon", "resource.vcf"),
    Case("vcf_pon_plain_gzip", "vcf", "panel of normals gzip (not bgzip)", R,
         "gzip but not bgzip-compressed", "--pon", "resource.vcf.gz"),
    # FASTA through escapeseq-validate --fasta
    Case("fa_soft_masked", "fasta", "lower-case (soft-masked) stretches", A, ""),
    Case("fa_iupac_codes", "fasta", "IUPAC codes R Y K M S W in the sequence", A, ""),
    Case("fa_no_final_newline", "fasta", "no newline at the end of the file", A, ""),
    Case("fa_crlf", "fasta", "Windows CRLF line endings (bwa, samtools read them)", A, ""),
    Case("fa_duplicate_contig", "fasta", "chr1 twice", R, "duplicate contig name(s): chr1",
         "", "ref.fa", nextflow=True),
    Case("fa_not_fasta", "fasta", "tab-separated text", R, "not a FASTA file", "", "ref.fa"),
    Case("fa_empty", "fasta", "0-byte FASTA", R, "file is empty", "", "ref.fa"),
    Case("fa_gzip_without_index", "fasta", "gzip FASTA without .fai/.gzi", R,
         "gzip-compressed FASTA without .fai/.gzi index", "", "ref.fa.gz"),
    Case("fa_missing_targets_contig", "fasta", "FASTA lacks chr2 used by the targets", R,
         "contig(s) not in the FASTA: chr2", "line 2", "targets.bed"),
    # BED through escapeseq-validate --targets
    Case("bed_unsorted", "bed", "chr2 before chr1", A, ""),
    Case("bed_overlapping", "bed", "two overlapping intervals", A, ""),
    Case("bed_header_lines", "bed", "track/browser/# header lines", A, ""),
    Case("bed_crlf", "bed", "Windows CRLF line endings", A, ""),
    Case("bed_end_before_start", "bed", "end < start", R,
         "end (500) must be greater than start (1500)", "line 2", "targets.bed"),
    Case("bed_zero_length", "bed", "start == end", R, "end (1000) must be greater than start",
         "line 1", "targets.bed"),
    Case("bed_two_columns", "bed", "only chrom and start", R,
         "expected at least 3 tab-separated columns", "line 1", "targets.bed"),
    Case("bed_not_integer", "bed", "start '1,000'", R, "start/end are not integers", "line 1",
         "targets.bed"),
    Case("bed_space_separated", "bed", "spaces instead of tabs", R,
         "expected at least 3 tab-separated columns", "line 1", "targets.bed"),
    Case("bed_chr_prefix_mismatch", "bed", "'1' in BED, 'chr1' in FASTA", R,
         "chr prefix mismatch", "line 1", "targets.bed", nextflow=True),
    Case("bed_past_contig_end", "bed", "interval ends past the contig end", R,
         "end (7000) is past the end of chr1 (6000 bp)", "line 1", "targets.bed"),
    Case("bed_empty", "bed", "0-byte BED", R, "file is empty", "", "targets.bed"),
    Case("bed_only_comments", "bed", "only a comment line", R, "no target intervals", "",
         "targets.bed"),
    # GTF
    Case("gtf_good", "gtf", "one 3-exon coding gene (control)", A, ""),
    Case("gtf_empty", "gtf", "0-byte GTF (escapeseq-validate)", R, "file is empty", "",
         "genes.gtf"),
    Case("gtf_overlapping_transcripts", "gtf", "two transcripts of one gene overlap", A, ""),
    Case("gtf_missing_gene_name", "gtf", "no gene_name (gene_id is used)", A, ""),
    Case("gtf_html_gene_name", "gtf", "gene_name '<img src=x onerror=alert(1)>'", A, ""),
    Case("gtf_cds_without_exon", "gtf", "CDS features but no exon features", W,
         "no exon features; exons taken from CDS"),
    Case("gtf_not_multiple_of_three", "gtf", "CDS length not a multiple of 3", W,
         "is not a multiple of 3"),
    Case("gtf_chr_prefix_mismatch", "gtf", "'1' in GTF, 'chr1' in FASTA", R,
         "contig names do not match the FASTA: the GTF uses '1'", "", "genes.gtf"),
    Case("gtf_missing_transcript_id", "gtf", "exon lines without transcript_id", R,
         "no transcript_id attribute", "line 2", "genes.gtf"),
    Case("gtf_eight_columns", "gtf", "a line with 8 columns", R,
         "expected 9 tab-separated columns, found 8", "line 3", "genes.gtf"),
    Case("gtf_spaces_not_tabs", "gtf", "spaces instead of tabs", R,
         "expected 9 tab-separated columns, found 1", "line 1", "genes.gtf"),
    Case("gtf_bad_strand", "gtf", "strand '*'", R, "strand must be + or -", "line 3",
         "genes.gtf"),
    Case("gtf_end_before_start", "gtf", "exon end < start", R, "bad interval 1301-900",
         "line 3", "genes.gtf"),
    Case("gtf_non_integer_start", "gtf", "start '1e3'", R, "start/end are not integers",
         "line 3", "genes.gtf"),
    # GTF through escapeseq-validate --gtf (before any task)
    Case("pre_gtf_good", "gtf", "one 3-exon coding gene (control)", A, ""),
    Case("pre_gtf_missing_transcript_id", "gtf", "exon lines without transcript_id", R,
         "exon without a transcript_id attribute", "line 2", "genes.gtf"),
    Case("pre_gtf_chr_prefix_mismatch", "gtf", "'1' in GTF, 'chr1' in FASTA", R,
         "no contig in common with the FASTA (e.g. '1') (chr prefix mismatch", "line 2",
         "genes.gtf", nextflow=True),
    Case("pre_gtf_eight_columns", "gtf", "a line with 8 columns", R,
         "expected 9 tab-separated columns, found 8", "line 3", "genes.gtf"),
    Case("pre_gtf_end_before_start", "gtf", "exon end < start", R, "bad interval 1301-900",
         "line 3", "genes.gtf"),
    Case("pre_gtf_bad_strand", "gtf", "strand '*'", R, "strand must be + or -", "line 3",
         "genes.gtf"),
    Case("pre_gtf_not_utf8", "gtf", "a Latin-1 byte in gene_name", R, "not UTF-8 text",
         "line 1", "genes.gtf"),
    Case("pre_gtf_truncated_gzip", "gtf", "gzip GTF cut in the middle", R,
         "truncated or corrupt gzip", "", "genes.gtf.gz"),
    Case("pre_gtf_no_features", "gtf", "only a transcript line", R,
         "no exon or CDS features", "", "genes.gtf"),
    # VCF into the annotator
    Case("vcf_ref_mismatch", "vcf", "REF differs from the FASTA", W, "whose REF differs"),
    Case("vcf_contig_not_in_fasta", "vcf", "record on a contig absent from the FASTA", W,
         "on contigs absent from"),
    Case("vcf_unsorted", "vcf", "records out of order", R,
         "records are not sorted: chr1:1030 after chr1:1040", "line 7", "calls.vcf"),
    Case("vcf_pos_not_integer", "vcf", "POS 'x'", R, "POS: not an integer: 'x'", "line 6",
         "calls.vcf"),
    Case("vcf_no_header", "vcf", "no #CHROM header line", R,
         "record before the #CHROM header line", "line 1", "calls.vcf"),
    Case("vcf_not_utf8", "vcf", "a Latin-1 byte in a record", R, "UTF-8", "line 6",
         "calls.vcf", ),
    Case("vcf_truncated_gzip", "vcf", "gzip VCF cut in the middle", R, "truncated", "",
         "calls.vcf.gz", ),
    Case("gtf_not_utf8", "gtf", "a Latin-1 byte in gene_name", R, "UTF-8", "line 1",
         "genes.gtf", ),
    Case("gtf_truncated_gzip", "gtf", "gzip GTF cut in the middle", R, "truncated", "",
         "genes.gtf.gz", ),
    Case("vcf_too_few_columns", "vcf", "records with 6 columns", R,
         "expected at least 8 tab-separated columns, found 6", "line 6", "calls.vcf"),
]


def case_by_id(case_id: str) -> Case:
    for c in CASES:
        if c.id == case_id:
            return c
    raise KeyError(case_id)


def build_case(case_id: str, root: Path) -> list[str]:
    """Create ``root/<case_id>/`` (fresh) and return the argv that runs the case."""
    base = make_base(root / "base")
    d = root / case_id
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    argv = BUILDERS[case_id](base, d)
    (d / "command.txt").write_text(" ".join(argv) + "\n")
    return argv


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help"):
        print(__doc__)
        return 0 if args else 2
    root = Path(args[0])
    ids = args[1:] or [c.id for c in CASES]
    for cid in ids:
        argv_ = build_case(cid, root)
        print(f"{cid}\t{' '.join(argv_)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
