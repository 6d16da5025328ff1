#!/usr/bin/env python3
"""Recall/precision of somatic calls against the simulation truth, by VAF bin.

Truth: truth.tsv (chrom pos ref alt type sample vaf clone) from simulate_bench.py; germline
rows are not somatic truth. Calls: one tool's VCF; a call "in tumour T" is decided per tool:
  escapeseq  FILTER PASS and that tumour's TLOD (INFO/TLOD, tumour order) >= --min-tlod
  bcftools   tumour genotype carries ALT and the normal genotype does not (tumour-only)
  mutect2    FILTER PASS in the VCF of that tumour (one VCF per tumour: --vcf T=path)
Alleles are left-normalised (and multiallelic records split) before matching.
Prints a TSV: tool sample type bin n_truth tp recall (per VAF bin) and overall precision.
"""
from __future__ import annotations

import argparse
import sys

import pysam

sys.path.insert(0, __file__.rsplit("/benchmarks/", 1)[0] + "/bin")
from escapeseq.somatic.normalize import left_normalize  # noqa: E402

BINS = [(0.0, 0.05), (0.05, 0.10), (0.10, 0.20), (0.20, 0.35), (0.35, 1.01)]


def norm_key(fa: pysam.FastaFile, chrom: str, pos1: int, ref: str, alt: str) -> tuple:
    def at(i: int) -> str:
        return fa.fetch(chrom, i, i + 1).upper()
    p, r, a = left_normalize(pos1 - 1, ref, alt, at)
    return (chrom, p + 1, r, a)


def vtype(ref: str, alt: str) -> str:
    return "snv" if len(ref) == len(alt) else "indel"


def calls_from_vcf(path: str, tool: str, fa, normal: str, tumours: list[str], min_tlod: float,
                   sample_for_m2: str | None = None) -> dict[str, set]:
    out: dict[str, set] = {t: set() for t in tumours}
    vf = pysam.VariantFile(path)
    for rec in vf:
        for i, alt in enumerate(rec.alts or ()):
            if alt.startswith("<") or alt == "*":
                continue
            key = norm_key(fa, rec.chrom, rec.pos, rec.ref, alt)
            if tool == "escapeseq":
                if list(rec.filter.keys()) != ["PASS"]:
                    continue
                tl = rec.info["TLOD"]
                for t, v in zip(tumours, tl):
                    if v >= min_tlod:
                        out[t].add(key)
            elif tool == "bcftools":
                gn = rec.samples[normal]["GT"]
                if gn is not None and (i + 1) in gn:
                    continue
                for t in tumours:
                    gt = rec.samples[t]["GT"]
                    if gt is not None and (i + 1) in gt:
                        out[t].add(key)
            else:
                if list(rec.filter.keys()) == ["PASS"]:
                    out[sample_for_m2].add(key)
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--truth", required=True)
    ap.add_argument("--fasta", required=True)
    ap.add_argument("--normal", default="N")
    ap.add_argument("--tumours", nargs="+", default=["T1", "T2", "T3"])
    ap.add_argument("--escapeseq")
    ap.add_argument("--bcftools")
    ap.add_argument("--mutect2", nargs="*", default=[], help="T=path.vcf.gz per tumour")
    ap.add_argument("--min-tlod", type=float, default=6.3)
    ap.add_argument("--regions", help="BED: restrict truth and calls to these intervals")
    a = ap.parse_args()
    fa = pysam.FastaFile(a.fasta)
    regions = None
    if a.regions:
        regions = {}
        for line in open(a.regions):
            c, s0, e0 = line.split()[:3]
            regions.setdefault(c, []).append((int(s0), int(e0)))

    def inside(k: tuple) -> bool:
        return regions is None or any(s0 < k[1] <= e0 for s0, e0 in regions.get(k[0], []))
    truth: dict[str, dict[tuple, float]] = {t: {} for t in a.tumours}
    with open(a.truth) as fh:
        next(fh)
        for line in fh:
            c, p, r, al, _typ, s, vaf, _cl = line.rstrip("\n").split("\t")
            if s in truth:
                k = norm_key(fa, c, int(p), r, al)
                if inside(k):
                    truth[s][k] = float(vaf)
    tools: dict[str, dict[str, set]] = {}
    if a.escapeseq:
        tools["escapeseq"] = calls_from_vcf(a.escapeseq, "escapeseq", fa, a.normal, a.tumours, a.min_tlod)
    if a.bcftools:
        tools["bcftools"] = calls_from_vcf(a.bcftools, "bcftools", fa, a.normal, a.tumours, a.min_tlod)
    if a.mutect2:
        m2: dict[str, set] = {t: set() for t in a.tumours}
        for spec in a.mutect2:
            t, path = spec.split("=", 1)
            m2[t] |= calls_from_vcf(path, "mutect2", fa, a.normal, a.tumours, a.min_tlod, t)[t]
        tools["mutect2"] = m2
    for calls in tools.values():
        for t in calls:
            calls[t] = {k for k in calls[t] if inside(k)}
    print("tool\tsample\ttype\tvaf_bin\tn_truth\ttp\trecall\tn_calls\tfp\tprecision")
    for tool, calls in tools.items():
        for typ in ("snv", "indel"):
            for t in a.tumours + ["all"]:
                ts = a.tumours if t == "all" else [t]
                for lo, hi in BINS:
                    n = tp = 0
                    for s in ts:
                        for k, v in truth[s].items():
                            if vtype(k[2], k[3]) == typ and lo <= v < hi:
                                n += 1
                                tp += k in calls[s]
                    rec = f"{tp / n:.4f}" if n else "NA"
                    print(f"{tool}\t{t}\t{typ}\t{lo:.2f}-{min(hi, 1.0):.2f}\t{n}\t{tp}\t{rec}\t\t\t")
                nc = fp = 0
                for s in ts:
                    cs = [k for k in calls[s] if vtype(k[2], k[3]) == typ]
                    nc += len(cs)
                    fp += sum(k not in truth[s] for k in cs)
                prec = f"{(nc - fp) / nc:.4f}" if nc else "NA"
                print(f"{tool}\t{t}\t{typ}\tall\t\t\t\t{nc}\t{fp}\t{prec}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
