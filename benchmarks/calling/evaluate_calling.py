#!/usr/bin/env python3
"""Issue-13 calling benchmark tables: indel recall by length, precision by artifact type.

usage: evaluate_calling.py --data DIR --tool NAME=KIND:SPEC [--tool ...] [--markdown]
  DIR   a dataset of make_calling_data.sh (ref.fa, targets.bed, truth.tsv, artifacts.tsv)
  KIND  escapeseq (SPEC = one multi-sample VCF; PASS and the tumour's TLOD >= --min-tlod)
        mutect2   (SPEC = T1=vcf,T2=vcf; PASS in that tumour's FilterMutectCalls VCF)
Truth and calls are left-normalised and restricted to targets.bed. A truth somatic
variant counts in tumour T where its expected VAF in T > 0; recall is pooled over the
tumours. A call in T that is not T's somatic truth is false; it is attributed to an
artifact kind when (chrom, pos, alt) matches an artifacts.tsv row of that sample (or of
any sample for paralog) and "germline" when it matches a germline truth row, else
"other". Indel length = |len(alt) - len(ref)|, bins 1-5, 6-19, 20-60 bp.
"""
from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

import pysam

sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaluate import calls_from_vcf, norm_key  # noqa: E402

LEN_BINS = ((1, 5), (6, 19), (20, 60))


def length_bin(ref: str, alt: str) -> str:
    n = abs(len(alt) - len(ref))
    for lo, hi in LEN_BINS:
        if lo <= n <= hi:
            return f"{lo}-{hi}"
    return ">60"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, type=Path)
    ap.add_argument("--tool", action="append", required=True, help="NAME=KIND:SPEC")
    ap.add_argument("--tumours", nargs="+", default=["T1", "T2"])
    ap.add_argument("--min-tlod", type=float, default=6.3)
    a = ap.parse_args()
    d = a.data
    fa = pysam.FastaFile(str(d / "ref.fa"))
    regions: dict[str, list[tuple[int, int]]] = {}
    for line in open(d / "targets.bed"):
        c, s0, e0 = line.split()[:3]
        regions.setdefault(c, []).append((int(s0), int(e0)))

    def inside(k: tuple) -> bool:
        return any(s0 < k[1] <= e0 for s0, e0 in regions.get(k[0], []))

    truth: dict[str, dict[tuple, float]] = {t: {} for t in a.tumours}
    germ: set[tuple] = set()
    for r in csv.DictReader(open(d / "truth.tsv"), delimiter="\t"):
        k = norm_key(fa, r["chrom"], int(r["pos"]), r["ref"], r["alt"])
        if not inside(k):
            continue
        if r["sample"] == "germline":
            germ.add(k)
        elif r["sample"] in truth:
            truth[r["sample"]][k] = float(r["vaf"])
    art: dict[str, dict[tuple, str]] = {t: {} for t in a.tumours}
    tin: set[tuple] = set()
    apath = d / "artifacts.tsv"
    if apath.exists():
        for r in csv.DictReader(open(apath), delimiter="\t"):
            k = (r["chrom"], int(r["pos"]), r["ref"], r["alt"])
            if r["kind"] == "tumour_in_normal":
                tin.add(norm_key(fa, *k))
                continue
            for t in a.tumours:
                if r["sample"] == t or r["kind"] == "paralog":
                    art[t].setdefault(k[:2] + k[3:], r["kind"])
    tools: dict[str, dict[str, set]] = {}
    for spec in a.tool:
        name, rest = spec.split("=", 1)
        kind, path = rest.split(":", 1)
        if kind == "escapeseq":
            calls = calls_from_vcf(path, "escapeseq", fa, "N", a.tumours, a.min_tlod)
        else:
            calls = {t: set() for t in a.tumours}
            for item in path.split(","):
                t, p = item.split("=", 1)
                calls[t] |= calls_from_vcf(p, "mutect2", fa, "N", a.tumours, a.min_tlod, t)[t]
        tools[name] = {t: {k for k in v if inside(k)} for t, v in calls.items()}
    names = list(tools)

    def frac(x: int, n: int) -> str:
        return f"{x / n:.4f} ({x}/{n})" if n else "NA"

    print(f"### {d.name}\n")
    print("| indel recall by length | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for lo, hi in LEN_BINS + ((1, 60),):
        row = []
        for nm in names:
            n = tp = 0
            for t in a.tumours:
                for k in truth[t]:
                    if len(k[2]) != len(k[3]) and lo <= abs(len(k[3]) - len(k[2])) <= hi:
                        n += 1
                        tp += k in tools[nm][t]
            row.append(frac(tp, n))
        label = f"{lo}-{hi} bp" if (lo, hi) != (1, 60) else "all indels"
        print(f"| {label} | " + " | ".join(row) + " |")
    for typ in ("snv", "all"):
        row = []
        for nm in names:
            n = tp = 0
            for t in a.tumours:
                for k in truth[t]:
                    if typ == "all" or len(k[2]) == len(k[3]):
                        n += 1
                        tp += k in tools[nm][t]
            row.append(frac(tp, n))
        print(f"| recall, {'SNVs' if typ == 'snv' else 'all somatic'} | " + " | ".join(row) + " |")
    if tin:
        row = []
        for nm in names:
            n = tp = 0
            for t in a.tumours:
                for k in truth[t]:
                    if k in tin:
                        n += 1
                        tp += k in tools[nm][t]
            row.append(frac(tp, n))
        print("| recall, variants also in the normal (tumour in normal) | " + " | ".join(row) + " |")
    # precision and false calls by cause
    causes: dict[str, dict[str, int]] = {}
    tps: dict[str, int] = {}
    prec = []
    for nm in names:
        nc = fp = 0
        c: dict[str, int] = {}
        for t in a.tumours:
            for k in tools[nm][t]:
                nc += 1
                if k in truth[t]:
                    continue
                fp += 1
                why = art[t].get((k[0], k[1], k[3])) if len(k[2]) == 1 == len(k[3]) else None
                why = why or ("germline" if k in germ else "other")
                c[why] = c.get(why, 0) + 1
        causes[nm] = c
        tps[nm] = nc - fp
        prec.append(frac(nc - fp, nc))
    print("| precision (all calls) | " + " | ".join(prec) + " |")
    kinds = sorted({k for c in causes.values() for k in c}
                   | {v for t in a.tumours for v in art[t].values()})
    for k in kinds:
        print(f"| false calls: {k} | " + " | ".join(str(causes[nm].get(k, 0)) for nm in names) + " |")
    if apath.exists() and len(kinds) > 1:
        for k in kinds:   # precision if this were the only cause of false calls
            print(f"| precision vs {k} only | " + " | ".join(
                frac(tps[nm], tps[nm] + causes[nm].get(k, 0)) for nm in names) + " |")
    if apath.exists():
        n_sites: dict[str, int] = {}
        for t in a.tumours:
            for key, kind in art[t].items():
                if inside((key[0], key[1])):
                    n_sites[kind] = n_sites.get(kind, 0) + 1
        if n_sites:
            print("\nArtifact sites in the targets (summed over tumours): "
                  + ", ".join(f"{k} {v}" for k, v in sorted(n_sites.items())))
    print()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
