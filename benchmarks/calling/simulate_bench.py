#!/usr/bin/env python3
"""Benchmark data for the somatic caller (stand-in until `escapeseq-simulate --preset bench`).

Writes a random genome with inserted homopolymers/tandem repeats, capture targets, germline
variants and somatic SNVs/indels with known VAF in one normal and several tumours of given
purities, plus haplotype window FASTAs and the coverage each must be sequenced at (ART).

Tumour cell populations (fractions of tumour cells): P1 0.50 trunk only, P2 0.25 +s1,
P3 0.10 +s1+s2, P4 0.15 +s1+s2+s3, so cancer cell fractions are trunk 1.0, s1 0.5,
s2 0.25, s3 0.15. Heterozygous VAF = purity * ccf / 2; "hom" trunk mutations sit on both
haplotypes (VAF = purity).

Outputs in OUTDIR: ref.fa, targets.bed, truth.tsv (chrom pos ref alt type sample vaf),
components.tsv (sample fasta coverage) and comp_*.fa.
"""
from __future__ import annotations

import argparse
import os

import numpy as np

BASES = np.frombuffer(b"ACGT", dtype=np.uint8)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--outdir", required=True)
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--target-mb", type=float, default=2.0)
    ap.add_argument("--purities", type=float, nargs="+", default=[0.4, 0.6, 0.9])
    ap.add_argument("--tumour-depth", type=float, default=150)
    ap.add_argument("--normal-depth", type=float, default=100)
    ap.add_argument("--flank", type=int, default=100, help="window flank around targets (bp)")
    a = ap.parse_args()
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.outdir, exist_ok=True)

    tlen, gap = 200, 600
    n_targets = int(a.target_mb * 1e6 / tlen)
    n_contigs = 4
    per = n_targets // n_contigs
    clen = 2000 + per * (tlen + gap) + 2000
    genome: dict[str, bytearray] = {}
    targets = []
    for c in range(n_contigs):
        name = f"chr{c + 1}"
        seq = bytearray(BASES[rng.integers(0, 4, clen)].tobytes())
        # insert low-complexity: homopolymers and di/tri-nucleotide repeats every ~1.5 kb
        for p in rng.integers(100, clen - 200, clen // 1500):
            kind = rng.integers(0, 3)
            if kind == 0:
                run = bytes([BASES[rng.integers(0, 4)]]) * int(rng.integers(6, 14))
            else:
                unit = BASES[rng.integers(0, 4, kind + 1)].tobytes()
                run = unit * int(rng.integers(3, 7))
            seq[p:p + len(run)] = run
        genome[name] = seq
        for i in range(per):
            s = 2000 + i * (tlen + gap)
            targets.append((name, s, s + tlen))
    with open(os.path.join(a.outdir, "ref.fa"), "w") as fh:
        for name, seq in genome.items():
            fh.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                fh.write(seq[i:i + 60].decode() + "\n")
    with open(os.path.join(a.outdir, "targets.bed"), "w") as fh:
        for t in targets:
            fh.write(f"{t[0]}\t{t[1]}\t{t[2]}\n")

    # variant positions: one pool, >= 30 bp apart, inside targets (10 bp from the edges)
    slots = [(c, s + off) for c, s, e in targets for off in range(10, tlen - 30, 45)]
    order = rng.permutation(len(slots))
    it = iter(order)

    def take(n):
        return [slots[next(it)] for _ in range(n)]

    def make_var(chrom, pos0, kind):
        seq = genome[chrom]
        ref_base = chr(seq[pos0])
        if kind == "snv":
            alt = chr(BASES[(int(np.where(BASES == seq[pos0])[0][0]) + rng.integers(1, 4)) % 4])
            return (chrom, pos0, ref_base, alt)
        ln = int(rng.choice([1, 1, 1, 2, 3, 4, 5, 8, 12, 20]))
        if kind == "del":
            return (chrom, pos0, seq[pos0:pos0 + ln + 1].decode(), ref_base)
        ins = BASES[rng.integers(0, 4, ln)].tobytes().decode()
        if rng.random() < 0.4:  # repeat the following bases: needs left-normalisation
            ins = seq[pos0 + 1:pos0 + 1 + ln].decode()
        return (chrom, pos0, ref_base, ref_base + ins)

    # germline: het on A or B or hom
    germ = []
    for (c, p) in take(int(n_targets * 0.5)):
        kind = rng.choice(["snv"] * 9 + ["del", "ins"])
        v = make_var(c, p, kind)
        germ.append((v, rng.choice(["A", "B", "AB"], p=[0.4, 0.4, 0.2])))
    samples = [f"T{i + 1}" for i in range(len(a.purities))]

    def somatic_set(n):
        out = []
        for (c, p) in take(n):
            kind = rng.choice(["snv"] * 8 + ["del", "ins"])
            v = make_var(c, p, kind)
            clone = rng.choice(["trunk", "s1", "s2", "s3", "hom"], p=[0.3, 0.2, 0.2, 0.2, 0.1])
            hap = "AB" if clone == "hom" else str(rng.choice(["A", "B"]))
            out.append((v, clone, hap))
        return out

    shared = somatic_set(int(n_targets * 0.12))
    private = {s: somatic_set(int(n_targets * 0.04)) for s in samples}
    ccf = {"trunk": 1.0, "s1": 0.5, "s2": 0.25, "s3": 0.15, "hom": 1.0}
    pops = [("P1", 0.50, {"trunk", "hom"}), ("P2", 0.25, {"trunk", "hom", "s1"}),
            ("P3", 0.10, {"trunk", "hom", "s1", "s2"}),
            ("P4", 0.15, {"trunk", "hom", "s1", "s2", "s3"})]

    with open(os.path.join(a.outdir, "truth.tsv"), "w") as fh:
        fh.write("chrom\tpos\tref\talt\ttype\tsample\tvaf\tclone\n")
        for s, pur in zip(samples, a.purities):
            for (v, clone, hap) in shared + private[s]:
                vaf = pur * ccf[clone] * (1.0 if hap == "AB" else 0.5)
                typ = "snv" if len(v[2]) == len(v[3]) else "indel"
                fh.write(f"{v[0]}\t{v[1] + 1}\t{v[2]}\t{v[3]}\t{typ}\t{s}\t{vaf:.4f}\t{clone}\n")
        for (v, hap) in germ:
            typ = "snv" if len(v[2]) == len(v[3]) else "indel"
            fh.write(f"{v[0]}\t{v[1] + 1}\t{v[2]}\t{v[3]}\t{typ}\tgermline\t"
                     f"{1.0 if hap == 'AB' else 0.5:.4f}\tgermline\n")

    windows = [(c, max(0, s - a.flank), e + a.flank) for c, s, e in targets]

    def write_hap(path, variants, tag):
        byc: dict[str, list] = {}
        for v in variants:
            byc.setdefault(v[0], []).append(v)
        for c in byc:
            byc[c].sort(key=lambda v: v[1])
        with open(path, "w") as fh:
            for wi, (c, ws, we) in enumerate(windows):
                seq = genome[c]
                vs = [v for v in byc.get(c, []) if ws <= v[1] < we - 25]
                parts, cur = [], ws
                for (_, p, r, alt) in vs:
                    parts.append(seq[cur:p].decode())
                    parts.append(alt)
                    cur = p + len(r)
                parts.append(seq[cur:we].decode())
                fh.write(f">{tag}w{wi}\n{''.join(parts)}\n")

    comps = []
    germA = [v for v, h in germ if "A" in h]
    germB = [v for v, h in germ if "B" in h]
    for hap, gv in (("A", germA), ("B", germB)):
        path = f"comp_N_{hap}.fa"
        write_hap(os.path.join(a.outdir, path), gv, f"N{hap}")
        comps.append(("N", path, a.normal_depth / 2))
    for s, pur in zip(samples, a.purities):
        for hap, gv in (("A", germA), ("B", germB)):
            comps.append((s, f"comp_N_{hap}.fa", a.tumour_depth * (1 - pur) / 2))
        for pname, frac, clones in pops:
            for hap, gv in (("A", germA), ("B", germB)):
                sv = [v for (v, clone, h) in shared + private[s] if clone in clones and hap in h]
                path = f"comp_{s}_{pname}_{hap}.fa"
                write_hap(os.path.join(a.outdir, path), gv + sv, f"{s}{pname}{hap}")
                comps.append((s, path, a.tumour_depth * pur * frac / 2))
    with open(os.path.join(a.outdir, "components.tsv"), "w") as fh:
        for s, p, cov in comps:
            fh.write(f"{s}\t{p}\t{cov:.3f}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
