"""Opening inputs that may be gzip-compressed, and reading their lines safely.

One opener for every plain-or-gzip input (FASTQ, BED, GTF, VCF): the gzip magic decides,
not the file name, and gzip is inflated by ISA-L (~3x zlib). ``READ_ERRORS`` is what
reading such a handle can raise on a truncated or corrupt file.
"""
from __future__ import annotations

import os
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Iterator, Sequence

from isal import igzip, isal_zlib

from escapeseq.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

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


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``data`` (text as UTF-8 with \\n newlines, or bytes) to ``path`` through a
    temporary name and a rename: a reader never sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    if isinstance(data, bytes):
        tmp.write_bytes(data)
    else:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(data)
    os.replace(tmp, path)


def read_tsv(path: Path, need: Sequence[str] = (), missing: str = "not found") -> "pd.DataFrame":
    """A tab-separated table with a header, every cell a string ('' for empty); an
    InputError naming the file when it is absent (``missing`` says why), unreadable, or
    lacks a column of ``need``."""
    import pandas as pd
    if not path.exists():
        raise InputError(path, None, missing)
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(path, None, f"cannot read TSV: {str(err).splitlines()[0]}") from None
    miss = [c for c in need if c not in df.columns]
    if miss:
        raise InputError(path, "header", f"missing column(s) {', '.join(miss)}")
    return df
