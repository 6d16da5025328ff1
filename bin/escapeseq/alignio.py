"""Alignment files as the pipeline reads and writes them: BAM or CRAM, one mechanism.

Every step that reads alignments takes either format: the format is told by the file's
magic bytes (``CRAM`` vs BGZF), never by its name, and a CRAM is decoded against the
reference FASTA the run was given (``reference``), so htslib never falls back to the
@SQ UR path or a network reference cache. Writers choose the format from the output's
extension (``.cram`` -> CRAM written against the FASTA, anything else -> BAM); the index
sits beside the file (``.crai`` for CRAM, ``.bai`` for BAM).
"""

from __future__ import annotations

import functools
import hashlib
import os
from typing import TYPE_CHECKING, Iterable

from escapeseq.errors import InputError

if TYPE_CHECKING:  # pysam is imported where it is used: a CLI that never opens a BAM starts faster
    import pysam

CRAM_MAGIC = b"CRAM"


def is_cram(path: str | os.PathLike) -> bool:
    """True if ``path`` starts with the CRAM magic bytes (False for BAM, SAM, a missing file)."""
    try:
        with open(path, "rb") as fh:
            return fh.read(4) == CRAM_MAGIC
    except OSError:
        return False


def output_format(path: str | os.PathLike) -> str:
    """``cram`` for an output named ``*.cram``, else ``bam``."""
    return "cram" if str(path).endswith(".cram") else "bam"


def index_suffix(fmt: str) -> str:
    """The index extension samtools index writes for a format: ``.crai`` or ``.bai``."""
    return ".crai" if fmt == "cram" else ".bai"


CRAM_OUTPUT_FMT = "cram,store_md=1,store_nm=1"


def samtools_output_args(path: str | os.PathLike, reference: str | None) -> list[str]:
    """samtools options that write ``path`` in its format (``--output-fmt cram,... --reference
    FASTA`` for a CRAM; raises InputError if a CRAM is asked for without a FASTA).

    A CRAM keeps the aligner's MD and NM tags (``store_md``, ``store_nm``): htslib would
    otherwise drop them and regenerate them on reading, which htsjdk (Picard, GATK) does not
    do, so Picard ValidateSamFile would warn MISSING_TAG_NM on every read. Stored, the
    decoded records are the BAM's byte for byte, for about 6 % more space."""
    if output_format(path) == "bam":
        return ["--output-fmt", "bam"]
    if not reference:
        raise InputError(str(path), None, "a CRAM output needs the reference FASTA (--fasta)")
    return ["--output-fmt", CRAM_OUTPUT_FMT, "--reference", reference]


def open_alignment(path: str | os.PathLike, reference: str | None = None, threads: int = 1,
                   **kwargs) -> "pysam.AlignmentFile":
    """Open a BAM or CRAM for reading; a CRAM is decoded against ``reference`` (a FASTA
    path with its .fai). Raises InputError for a CRAM without a reference."""
    import pysam
    path = str(path)
    if is_cram(path):
        if not reference:
            raise InputError(path, None, "a CRAM needs the reference FASTA it was written "
                             "against (--fasta)")
        return pysam.AlignmentFile(path, "rc", reference_filename=str(reference),
                                   threads=threads, **kwargs)
    return pysam.AlignmentFile(path, "rb", threads=threads, **kwargs)


def sequence_md5(seq: str) -> str:
    """The @SQ M5 of a contig sequence (SAM spec 1.3.2): MD5 of the upper-cased bases with
    every character outside '!'..'~' (whitespace) removed, as lower-case hex."""
    s = "".join(seq.split()).upper()
    return hashlib.md5(s.encode("ascii", errors="replace")).hexdigest()


@functools.lru_cache(maxsize=None)
def fasta_md5(fasta: str, contig: str) -> str:
    """M5 of one FASTA contig, computed once per process (VALIDATE checks every CRAM of a
    cohort against the same FASTA)."""
    import pysam
    with pysam.FastaFile(fasta) as fa:
        return sequence_md5(fa.fetch(contig))


def m5_mismatches(header_sq: Iterable[dict], fasta: str) -> list[str]:
    """Names of the header's @SQ contigs whose M5 differs from the FASTA's sequence
    (contigs without M5, or absent from the FASTA, are not judged here)."""
    import pysam
    with pysam.FastaFile(fasta) as fa:
        names = set(fa.references)
    return [sq["SN"] for sq in header_sq
            if sq.get("M5") and sq.get("SN") in names
            and fasta_md5(str(fasta), sq["SN"]) != str(sq["M5"]).lower()]
