#!/usr/bin/env python3
"""Recall/precision of an escapeseq-call VCF against `escapeseq-simulate` truth.

usage: evaluate_sim.py VCF TRUTH_VARIANTS_TSV [--min-tlod 6.3] [--min-vaf 0.0]
A somatic truth variant counts for tumour sample S when its S_vaf > --min-vaf; it is
found when a PASS record with the same (left-aligned) alleles has TLOD(S) >= --min-tlod.
Precision per tumour: such calls that are not somatic truth with S_vaf > 0.
"""
from __future__ import annotations

import argparse
import csv

import pysam


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("vcf")
    ap.add_argument("truth")
    ap.add_argument("--min-tlod", type=float, default=6.3)
    ap.add_argument("--min-vaf", type=float, default=0.0)
    a = ap.parse_args()
    vf = pysam.VariantFile(a.vcf)
    tumours = list(vf.header.samples)[1:]
    truth: dict[str, dict[tuple, float]] = {t: {} for t in tumours}
    with open(a.truth) as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["origin"] != "somatic":
                continue
            for t in tumours:
                v = float(row.get(f"{t}_vaf") or 0)
                if v > 0:
                    truth[t][(row["chrom"], int(row["pos"]), row["ref"], row["alt"])] = v
    calls: dict[str, set] = {t: set() for t in tumours}
    for rec in vf:
        if list(rec.filter.keys()) != ["PASS"]:
            continue
        for t, tl in zip(tumours, rec.info["TLOD"]):
            if tl >= a.min_tlod:
                calls[t].add((rec.chrom, rec.pos, rec.ref, rec.alts[0]))
    print("sample\tn_truth\tfound\trecall\tn_calls\tfalse\tprecision")
    for t in tumours:
        want = {k for k, v in truth[t].items() if v > a.min_vaf}
        found = len(want & calls[t])
        false = len(calls[t] - set(truth[t]))
        rec_ = found / len(want) if want else float("nan")
        prec = (len(calls[t]) - false) / len(calls[t]) if calls[t] else float("nan")
        print(f"{t}\t{len(want)}\t{found}\t{rec_:.4f}\t{len(calls[t])}\t{false}\t{prec:.4f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
