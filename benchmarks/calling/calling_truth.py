#!/usr/bin/env python3
"""Convert escapeseq-simulate truth (preset calling) into the benchmark's truth files.

Writes OUT/truth.tsv (chrom pos ref alt type sample vaf clone; one row per somatic
variant and tumour where its expected VAF > 0, plus germline rows with sample
'germline') and OUT/artifacts.tsv (the simulator's truth/artifacts.tsv with sample
names C1_N/C1_T<i> renamed N/T<i>; header only when no artifact was simulated).
"""
from __future__ import annotations

import argparse
import csv
from pathlib import Path


def short(sample: str) -> str:
    """C1_N -> N, C1_T2 -> T2."""
    return sample.split("_", 1)[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--sim", required=True, type=Path, help="escapeseq-simulate output dir")
    ap.add_argument("--out", required=True, type=Path)
    a = ap.parse_args()
    rows = list(csv.DictReader(open(a.sim / "truth/C1.variants.tsv"), delimiter="\t"))
    tumours = [c[:-4] for c in rows[0] if c.endswith("_vaf") and "_T" in c]
    with open(a.out / "truth.tsv", "w") as fh:
        fh.write("chrom\tpos\tref\talt\ttype\tsample\tvaf\tclone\n")
        for r in rows:
            typ = "snv" if r["type"] == "snv" else "indel"
            if r["origin"] == "germline":
                vaf = 1.0 if r["haplotype"] == "AB" else 0.5
                fh.write(f"{r['chrom']}\t{r['pos']}\t{r['ref']}\t{r['alt']}\t{typ}\tgermline\t"
                         f"{vaf:.4f}\tgermline\n")
                continue
            for t in tumours:
                v = float(r[f"{t}_vaf"])
                if v > 0:
                    fh.write(f"{r['chrom']}\t{r['pos']}\t{r['ref']}\t{r['alt']}\t{typ}\t"
                             f"{short(t)}\t{v:.4f}\t{r['clone']}\n")
    src = a.sim / "truth/artifacts.tsv"
    with open(a.out / "artifacts.tsv", "w") as fh:
        if not src.exists():
            fh.write("sample\tchrom\tpos\tref\talt\tkind\torientation\tvaf\tnote\n")
        else:
            for i, line in enumerate(open(src)):
                if i:
                    f = line.split("\t")
                    f[0] = short(f[0])
                    line = "\t".join(f)
                fh.write(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
