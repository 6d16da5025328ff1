#!/usr/bin/env python3
"""Benchmark of the LOH-proof identity test and of purity from somatic VAFs, on count
tables drawn from the copy-number model (escapeseq.cnv.simulate).

Identity: for each seed, a patient (normal) and an unrelated person share SNP sites
with population allele frequencies q ~ U(0.05, 0.95); genotypes are Hardy-Weinberg
draws. Scenarios: the patient's own tumour at purity 0.3 / 0.6 / 1.0 with LOH over
0 / 50 / 75 % of the genome, the same with 5 % contamination by another person, and
the unrelated person's tumour (a swap). The normal's SNP list keeps only het and
hom-alt sites (what `pileup --call-snps` writes) or also hom-ref sites (as at a
population-sites pileup). Reported: decisions of the likelihood-ratio test, with and
without population AFs, and of the former concordance rule (NGSCheckMate-style: het
site discordant when the tumour alt fraction is < 0.02 or > 0.98, hom-alt site when
< 0.7; match at concordance >= 0.8), at exome SNP density and at a sparse density
like the real pair of issue 13 (~70 SNPs).

Purity from VAFs: copy-number-quiet tumours (purity 0.2-1.0) with N somatic SNVs
(20 % subclonal), depth 60 or 150: purity absolute error of the clonal-peak estimate
through `analyse_tumour` (purity_source somatic_vaf), and tumours with copy-number
events (purity_source combined vs allelic_imbalance alone).

    .venv/bin/python benchmarks/cnv/bench_identity_purity.py --seeds 5
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bin"))

from escapeseq.cnv import simulate as sim  # noqa: E402
from escapeseq.cnv.identity import compare  # noqa: E402
from escapeseq.cnv.tumour import analyse_tumour  # noqa: E402


def _hwe(rng, q):
    u = rng.random(len(q))
    return np.where(u < (1 - q) ** 2, "ref", np.where(u < 1 - q ** 2, "het", "hom"))


def old_concordance(normal: pd.DataFrame, tumour: pd.DataFrame) -> str:
    """The former rule (escapeseq <= issue 12): match / mismatch / undecided."""
    n = normal[normal["type"] == "snp"]
    t = tumour[tumour["type"] == "snp"]
    s = n.merge(t, on=["chrom", "start"], suffixes=("_n", "_t"))
    nd = s["ref_count_n"] + s["alt_count_n"]
    td = s["ref_count_t"] + s["alt_count_t"]
    nv = s["alt_count_n"] / nd.clip(lower=1)
    tv = s["alt_count_t"] / td.clip(lower=1)
    gt = np.where(nd < 15, "", np.where((nv >= 0.2) & (nv <= 0.8), "het",
                                        np.where(nv >= 0.9, "hom", "")))
    inf = (td >= 15) & (gt != "")
    disc = inf & (((gt == "hom") & (tv < 0.7))
                  | ((gt == "het") & ((tv < 0.02) | (tv > 0.98))))
    if inf.sum() < 20:
        return "undecidable"
    return "match" if 1 - disc.sum() / inf.sum() >= 0.8 else "mismatch"


def identity_runs(seeds: list[int], n_snps: int, n_targets: int) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        g = sim.make_genome(rng, n_targets=n_targets, n_snps=n_snps)
        q = rng.uniform(0.05, 0.95, len(g.snps))
        me = g.snps.assign(genotype=_hwe(rng, q))
        other = g.snps.assign(genotype=_hwe(rng, q))
        gme = sim.Genome(g.chroms, g.lengths, g.p_arm, g.targets, me)
        goth = sim.Genome(g.chroms, g.lengths, g.p_arm, g.targets, other)
        af = {(c, int(p), "G"): float(x) for c, p, x in zip(g.snps["chrom"], g.snps["pos"], q)}
        normal = sim.simulate_normal(rng, gme)
        vaf = normal["alt_count"] / (normal["ref_count"] + normal["alt_count"]).clip(lower=1)
        no_ref = normal[(normal["type"] == "target") | (vaf > 0.1)]
        autos = [c for c in g.chroms if c != "chrX"]
        order = rng.permutation(autos)

        def loh_events(frac):
            ev, tot, total = [], 0, sum(L for c, L in zip(g.chroms, g.lengths) if c != "chrX")
            for c in order:
                if tot >= frac * total:
                    break
                s, e = sim.arm(g, c, "all")
                ev.append(sim.Event(c, s, e, 2, 0) if len(ev) % 2 == 0 else sim.Event(c, s, e, 1, 0))
                tot += e - s + 1
            return ev

        cases = []
        for p in (0.3, 0.6, 1.0):
            for frac in (0.0, 0.5, 0.75):
                cases.append((f"same p={p} LOH {int(frac * 100)}%", "match",
                              sim.simulate_tumour(rng, gme, p, loh_events(frac))))
        # 5 % contamination by another person: mix the count tables' allele fractions
        t_me = sim.simulate_tumour(rng, gme, 0.8, loh_events(0.5))
        t_ot = sim.simulate_tumour(rng, goth, 0.8, [])
        mix = t_me.copy()
        snp = mix["type"] == "snp"
        d = (t_me.loc[snp, "ref_count"] + t_me.loc[snp, "alt_count"]).to_numpy()
        f = 0.95 * t_me.loc[snp, "alt_count"].to_numpy() / np.maximum(d, 1) + \
            0.05 * t_ot.loc[snp, "alt_count"].to_numpy() / np.maximum(
                (t_ot.loc[snp, "ref_count"] + t_ot.loc[snp, "alt_count"]).to_numpy(), 1)
        alt = rng.binomial(d, np.clip(f, 0, 1))
        mix.loc[snp, "alt_count"] = alt
        mix.loc[snp, "ref_count"] = d - alt
        cases.append(("same p=0.8 LOH 50% + 5% contamination", "match", mix))
        for p in (0.3, 0.6, 1.0):
            cases.append((f"other person p={p}", "mismatch",
                          sim.simulate_tumour(rng, goth, p, loh_events(0.3))))
        for name, want, tum in cases:
            for sites, nt in (("het+hom-alt", no_ref), ("het+hom-alt+hom-ref", normal)):
                for use_af in (False, True):
                    r = compare(nt, tum, population_af=af if use_af else None)
                    rows.append({"seed": seed, "n_snps": n_snps, "case": name, "want": want,
                                 "sites": sites, "population_af": use_af,
                                 "decision": r["decision"], "log10_lr": r["log10_lr"],
                                 "n_informative": r["n_informative"],
                                 "old_rule": old_concordance(nt, tum)})
    return pd.DataFrame(rows)


def purity_runs(seeds: list[int]) -> pd.DataFrame:
    rows = []
    for seed in seeds:
        rng = np.random.default_rng(1000 + seed)
        g = sim.make_genome(rng, n_targets=4000, n_snps=1800)
        normal = sim.simulate_normal(rng, g)
        for p in (0.2, 0.3, 0.45, 0.6, 0.8, 1.0):
            for n_mut, depth in ((20, 150), (50, 60), (50, 150), (200, 150)):
                t = sim.simulate_tumour(rng, g, p, [], depth=depth)
                snv = sim.simulate_somatic(rng, g, p, [], n=n_mut, depth=depth)
                r = analyse_tumour(normal, t, "T", somatic=snv)
                rows.append({"seed": seed, "kind": "quiet", "purity": p, "n_snvs": n_mut,
                             "depth": depth, "source": r.purity_source,
                             "estimate": r.fit.purity})
            ev = [sim.Event("chr6", *sim.arm(g, "chr6", "q"), 1, 0),
                  sim.Event("chr3", *sim.arm(g, "chr3", "q"), 2, 1),
                  sim.Event("chr1", *sim.arm(g, "chr1", "p"), 2, 0)]
            t = sim.simulate_tumour(rng, g, p, ev)
            snv = sim.simulate_somatic(rng, g, p, ev, n=100)
            ai = analyse_tumour(normal, t, "T")
            both = analyse_tumour(normal, t, "T", somatic=snv)
            rows.append({"seed": seed, "kind": "events", "purity": p, "n_snvs": 100,
                         "depth": 100, "source": both.purity_source,
                         "estimate": both.fit.purity, "ai_only": ai.fit.purity})
    return pd.DataFrame(rows)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", type=int, default=5, help="seeds per setting (default 5)")
    ap.add_argument("--out", default=None, help="prefix for the per-run TSVs")
    a = ap.parse_args()
    seeds = list(range(1, a.seeds + 1))
    ids = pd.concat([identity_runs(seeds, 1500, 3000), identity_runs(seeds, 70, 600)])
    pur = purity_runs(seeds)
    if a.out:
        ids.to_csv(f"{a.out}.identity.tsv", sep="\t", index=False)
        pur.to_csv(f"{a.out}.purity.tsv", sep="\t", index=False)
    ids["kind"] = np.where(ids["want"] == "match", "same person", "other person")
    print("## identity: decisions (LR test; former concordance rule)")
    for keys, d in ids.groupby(["n_snps", "sites", "population_af", "kind"]):
        lr = d["decision"].value_counts().to_dict()
        old = d["old_rule"].value_counts().to_dict()
        print(f"snps={keys[0]:5d} sites={keys[1]:22s} af={str(keys[2]):5s} "
              f"{keys[3]:12s} n={len(d):3d}  LR: {lr}  former: {old}  "
              f"log10LR median {d['log10_lr'].median():.1f} "
              f"min {d['log10_lr'].min():.1f} max {d['log10_lr'].max():.1f}")
    loh = ids[(ids["want"] == "match") & ids["case"].str.contains("p=1.0 LOH 75")]
    print(f"pure tumour, LOH 75 %: LR match {(loh['decision'] == 'match').sum()}/{len(loh)}, "
          f"former rule match {(loh['old_rule'] == 'match').sum()}/{len(loh)}")
    print("\n## purity from somatic VAFs")
    pur["err"] = (pur["estimate"] - pur["purity"]).abs()
    for keys, d in pur.groupby(["kind", "n_snvs", "depth"]):
        print(f"{keys[0]:6s} snvs={keys[1]:3d} depth={keys[2]:3d} n={len(d):3d} "
              f"sources={d['source'].value_counts().to_dict()} MAE {d['err'].mean():.3f} "
              f"max {d['err'].max():.3f} within 0.05: {(d['err'] <= 0.05).sum()}/{len(d)}")
    ev = pur[pur["kind"] == "events"]
    print(f"events: allelic imbalance alone MAE "
          f"{(ev['ai_only'] - ev['purity']).abs().mean():.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
