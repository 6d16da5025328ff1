"""escapeseq.somatic.intervals.read_bed: plain, gzip and bgzip BEDs read alike (a gzipped
--targets passes validation, so SPLIT_TARGETS must read it too), bad lines named."""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from escapeseq.errors import InputError
from escapeseq.somatic.intervals import Interval, read_bed

ROOT = Path(__file__).resolve().parents[2]
BED = "track name=t\nchr1\t10\t20\r\n# c\nchr2\t0\t5\tname\n"
CONTIGS = {"chr1": 100, "chr2": 50}
WANT = [Interval("chr1", 10, 20), Interval("chr2", 0, 5)]


@pytest.mark.parametrize("kind", ["plain", "gzip"])
def test_plain_and_gzip_bed_read_alike(tmp_path, kind):
    p = tmp_path / ("t.bed" if kind == "plain" else "t.bed.gz")
    if kind == "plain":
        p.write_text(BED, newline="")
    else:
        with gzip.open(p, "wt", newline="") as fh:
            fh.write(BED)
    assert read_bed(str(p), CONTIGS) == WANT


def test_truncated_gzip_bed_is_one_line_error(tmp_path):
    data = gzip.compress(("chr1\t10\t20\n" * 5000).encode())
    p = tmp_path / "t.bed.gz"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated or corrupt gzip"):
        read_bed(str(p), CONTIGS)


def test_split_subcommand_reads_a_gzipped_targets_bed(tmp_path):
    """The SPLIT_TARGETS command on a gzipped BED: chunks, exit 0, no traceback."""
    bed = tmp_path / "targets.bed.gz"
    with gzip.open(bed, "wt") as fh:
        fh.write("chr1\t10\t20\nchr1\t50\t60\nchr2\t0\t5\n")
    fai = tmp_path / "g.fa.fai"
    fai.write_text("chr1\t100\t6\t60\t61\nchr2\t50\t200\t60\t61\n")
    res = subprocess.run([sys.executable, str(ROOT / "bin" / "escapeseq-call"), "split",
                          "--targets", str(bed), "--fasta-fai", str(fai), "--count", "2",
                          "--outdir", str(tmp_path / "chunks")],
                         capture_output=True, text=True, env={"PYTHONPATH": str(ROOT / "bin"),
                                                              "PATH": "/usr/bin:/bin"})
    assert res.returncode == 0, res.stderr
    chunks = sorted((tmp_path / "chunks").glob("chunk_*.bed"))
    assert len(chunks) == 2
    assert "".join(c.read_text() for c in chunks).count("\n") == 3
