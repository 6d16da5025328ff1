#!/usr/bin/env python3
"""Benchmark escapeseq-cnv on count tables simulated from the copy-number model.

For every purity in --purities and both genome states (diploid; whole-genome doubled,
ploidy ~3.5), --reps patients are drawn (seeded): a normal, a baseline tumour with ~10
random arm/partial-arm events (gains, losses, CN-LOH, amplification; one subclonal at
clonal fraction 0.5) and a relapse tumour (purity − 0.1, floor 0.3) that keeps the
baseline events and acquires copy-neutral LOH of one more arm. The fit and loh-changes
run through the library (same code as the CLI); results go to a TSV and a summary.

    .venv/bin/python benchmarks/cnv/bench_model.py --out /tmp/cnv/bench_model.tsv
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE / "bin"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from escapeseq.cnv import simulate as sim  # noqa: E402
from escapeseq.cnv.loh import loh_changes  # noqa: E402
from escapeseq.cnv.tumour import analyse_tumour  # noqa: E402
from evaluate import acquired_found, loh_scores  # noqa: E402


def run_case(seed: int, purity: float, wgd: bool, n_targets: int, n_snps: int,
             depth: float) -> list[dict]:
    rng = np.random.default_rng(seed)
    g = sim.make_genome(rng, n_targets=n_targets, n_snps=n_snps)
    sex = "male" if seed % 2 else "female"
    normal = sim.simulate_normal(rng, g, depth=depth, sex=sex)
    ev, bg = sim.random_events(rng, g, wgd)
    used = {(e.chrom) for e in ev}
    free = [c for c in g.chroms if c != "chrX" and c not in used]
    c = free[int(rng.integers(len(free)))]
    s, e = sim.arm(g, c, "p" if rng.random() < 0.5 else "q")
    cnloh = (4, 0) if wgd else (2, 0)
    ev_r = ev + [sim.Event(c, s, e, *cnloh)]
    p_r = max(0.3, round(purity - 0.1, 2))
    rows, segs = [], []
    for name, p, events in (("B", purity, ev), ("R", p_r, ev_r)):
        tum = sim.simulate_tumour(rng, g, p, events, bg, depth=depth, sex=sex)
        t0 = time.time()
        res = analyse_tumour(normal, tum, name, sex="auto")
        dt = time.time() - t0
        truth = sim.truth_segments(g, name, events, bg, sex=sex)
        true_ploidy = sim.tumour_ploidy(g, events, bg)
        sc = loh_scores(truth[truth["chrom"] != "chrX"] if sex == "male" else truth,
                        res.segments, targets=g.targets)
        rows.append({"seed": seed, "wgd": wgd, "sex": sex, "sample": name,
                     "true_purity": p, "purity": res.fit.purity,
                     "purity_error": abs(res.fit.purity - p),
                     "true_ploidy": round(true_ploidy, 3),
                     "ploidy": round(res.fit.ploidy, 3),
                     "ploidy_correct": abs(res.fit.ploidy - true_ploidy) < 0.5,
                     "sex_called": res.sex, **sc, "seconds": round(dt, 2)})
        segs.append(res.segments)
    ch = loh_changes(segs, ["B", "R"])
    ok = acquired_found((c, s, e), ch, targets=g.targets)
    for r in rows:
        r["acquired_cnloh_found"] = ok
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="per-sample results TSV")
    ap.add_argument("--purities", type=float, nargs="+",
                    default=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    ap.add_argument("--reps", type=int, default=3, help="patients per purity and state")
    ap.add_argument("--targets", type=int, default=20000)
    ap.add_argument("--snps", type=int, default=6000)
    ap.add_argument("--depth", type=float, default=100.0)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rows = []
    k = 0
    for wgd in (False, True):
        for p in a.purities:
            for _ in range(a.reps):
                k += 1
                rows.extend(run_case(a.seed * 1000 + k, p, wgd, a.targets, a.snps,
                                     a.depth))
    df = pd.DataFrame(rows)
    df.to_csv(a.out, sep="\t", index=False)
    print(summarise(df).to_string(index=False))
    return 0


def summarise(df: pd.DataFrame) -> pd.DataFrame:
    """One row per (genome state, purity bin): purity MAE / max error, ploidy correct,
    LOH recall, false LOH per sample, acquired CN-LOH detection."""
    out = []
    df = df.assign(state=np.where(df["wgd"], "WGD", "diploid"))
    for (st, p), d in df.groupby(["state", "true_purity"]):
        out.append({"state": st, "purity": p, "samples": len(d),
                    "purity_mae": round(d["purity_error"].mean(), 3),
                    "purity_max_err": round(d["purity_error"].max(), 3),
                    "ploidy_correct": f"{d['ploidy_correct'].sum()}/{len(d)}",
                    "loh_recall": round(d["found_loh"].sum() / max(1, d["truth_loh"].sum()), 3),
                    "false_loh_per_sample": round(d["false_loh"].mean(), 2),
                    "acquired_found": f"{d.loc[d['sample'] == 'R', 'acquired_cnloh_found'].sum()}"
                                      f"/{(d['sample'] == 'R').sum()}"})
    tot = {"state": "all", "purity": "", "samples": len(df),
           "purity_mae": round(df["purity_error"].mean(), 3),
           "purity_max_err": round(df["purity_error"].max(), 3),
           "ploidy_correct": f"{df['ploidy_correct'].sum()}/{len(df)}",
           "loh_recall": round(df["found_loh"].sum() / max(1, df["truth_loh"].sum()), 3),
           "false_loh_per_sample": round(df["false_loh"].mean(), 2),
           "acquired_found": f"{df.loc[df['sample'] == 'R', 'acquired_cnloh_found'].sum()}"
                             f"/{(df['sample'] == 'R').sum()}"}
    return pd.concat([pd.DataFrame(out), pd.DataFrame([tot])], ignore_index=True)


if __name__ == "__main__":
    raise SystemExit(main())
