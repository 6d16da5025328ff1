"""Opening inputs that may be gzip-compressed, and reading their lines safely.

One opener for every plain-or-gzip input (FASTQ, BED, GTF, VCF): the gzip magic decides,
not the file name, and gzip is inflated by ISA-L (~3x zlib). ``READ_ERRORS`` is what
reading such a handle can raise on a truncated or corrupt file.
"""
from __future__ import annotations

import os
import zlib
from typing import BinaryIO, Iterator

from isal import igzip, isal_zlib

from escapeseq.errors import InputError

GZIP_MAGIC = b"\x1f\x8b"
READ_ERRORS = (OSError, EOFError, zlib.error, isal_zlib.error)


def is_gzip(path: str | os.PathLike) -> bool:
    """True if the file starts with the gzip magic bytes."""
    with open(path, "rb") as fh:
        return fh.read(2) == GZIP_MAGIC


def open_bytes(path: str | os.PathLike) -> BinaryIO:
    """Open for binary reading, decompressing when the content is gzip (or BGZF)."""
    return igzip.open(path, "rb") if is_gzip(path) else open(path, "rb")


def checked_lines(fh: BinaryIO, path: str | os.PathLike) -> Iterator[str]:
    """Yield the decoded lines of a binary handle; a non-UTF-8 line or a truncated gzip
    becomes an InputError naming the file and the line."""
    n = 0
    while True:
        try:
            raw = fh.readline()
        except READ_ERRORS as err:
            raise InputError(path, f"line {n + 1}", f"truncated or corrupt gzip ({err})") from None
        if not raw:
            return
        n += 1
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InputError(path, f"line {n}", "not UTF-8 text") from None
