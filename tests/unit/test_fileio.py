"""Plain-or-gzip inputs: the content decides, and bad bytes become one-line InputErrors."""
import gzip

import pytest

from escapeseq.errors import InputError
from escapeseq.fileio import checked_lines, is_gzip, open_bytes


def test_gzip_is_detected_by_content_not_name(tmp_path):
    plain, packed = tmp_path / "a.gz", tmp_path / "b.txt"
    plain.write_bytes(b"x\ty\n")
    packed.write_bytes(gzip.compress(b"x\ty\nz\n"))
    assert not is_gzip(plain) and is_gzip(packed)
    with open_bytes(plain) as fh:
        assert list(checked_lines(fh, plain)) == ["x\ty\n"]
    with open_bytes(packed) as fh:
        assert list(checked_lines(fh, packed)) == ["x\ty\n", "z\n"]


def test_non_utf8_and_truncated_gzip_name_the_line(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(b"ok\n\xff\xfe\n")
    with open_bytes(bad) as fh, pytest.raises(InputError, match=r"bad.tsv: line 2: not UTF-8 text"):
        list(checked_lines(fh, bad))
    cut = tmp_path / "cut.tsv.gz"
    packed = gzip.compress(b"".join(b"%d\t%d\n" % (i, i * 7919 % 104729) for i in range(50000)))
    cut.write_bytes(packed[: len(packed) // 2])
    with open_bytes(cut) as fh, pytest.raises(InputError, match=r"cut.tsv.gz: line \d+: truncated or corrupt gzip"):
        list(checked_lines(fh, cut))
