#!/usr/bin/env python3
"""Micro-benchmark of the FASTQ checker inside ALIGN_FASTQ.

ALIGN_FASTQ's CPU time is bwa mem + samtools fixmate/sort/merge/markdup/index + our
Python `escapeseq.align.interleave_checked` (gzip decompression, record checks,
interleaving). This runs `interleave_checked` alone over every FASTQ pair of a
samplesheet, writing into a discarding sink, and reports the CPU seconds of this
process (time.process_time: user + system of the calling process, i.e. the checker
including its gzip decompression), so the checker's share can be subtracted from the
trace's ALIGN_FASTQ CPU time.

Usage: checker_bench.py --samplesheet S.csv --size 0.4 --out checker.tsv [--append]
Output: TSV with columns size, pairs, cpu_s, wall_s.
"""
from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bin"))
from escapeseq.align import interleave_checked  # noqa: E402


class Sink:
    """File-like object that discards what is written (counts bytes)."""

    def __init__(self) -> None:
        self.n = 0

    def write(self, data: bytes) -> int:
        self.n += len(data)
        return len(data)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--samplesheet", required=True, help="samplesheet.csv (fastq_1, fastq_2 "
                    "relative to its directory)")
    ap.add_argument("--size", required=True, help="label for the size column (target Mb)")
    ap.add_argument("--out", required=True, help="output TSV")
    ap.add_argument("--append", action="store_true", help="append a row to an existing TSV")
    a = ap.parse_args(argv)
    base = Path(a.samplesheet).parent
    pairs = 0
    c0, w0 = time.process_time(), time.perf_counter()
    with open(a.samplesheet, newline="") as fh:
        for r in csv.DictReader(fh):
            pairs += interleave_checked(str(base / r["fastq_1"]), str(base / r["fastq_2"]),
                                        Sink())
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    out = Path(a.out)
    new = not (a.append and out.exists())
    with open(out, "w" if new else "a", newline="") as fh:
        if new:
            fh.write("size\tpairs\tcpu_s\twall_s\n")
        fh.write(f"{a.size}\t{pairs}\t{cpu:.2f}\t{wall:.2f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
