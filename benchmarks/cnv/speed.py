#!/usr/bin/env python3
"""Speed/memory of `escapeseq-cnv fit` on a whole exome's worth of counts.

Writes synthetic counts tables (default 200,000 targets, 50,000 SNPs) with
escapeseq.cnv.simulate, then times `escapeseq-cnv fit` under /usr/bin/time -v.

    .venv/bin/python benchmarks/cnv/speed.py --workdir /tmp/cnv/speed
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE / "bin"))

import numpy as np  # noqa: E402

from escapeseq.cnv import simulate as sim  # noqa: E402
from escapeseq.cnv.snps import write_tsv  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--targets", type=int, default=200_000)
    ap.add_argument("--snps", type=int, default=50_000)
    ap.add_argument("--seed", type=int, default=11)
    a = ap.parse_args()
    w = Path(a.workdir)
    w.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(a.seed)
    g = sim.make_genome(rng, n_targets=a.targets, n_snps=int(a.snps / 0.7))
    write_tsv(sim.simulate_normal(rng, g), w / "N.counts.tsv.gz")
    ev, bg = sim.random_events(rng, g, False, n_events=12)
    write_tsv(sim.simulate_tumour(rng, g, 0.6, ev, bg), w / "T.counts.tsv.gz")
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}:{os.environ['PATH']}")
    cmd = ["/usr/bin/time", "-v", str(HERE / "bin" / "escapeseq-cnv"), "fit",
           "--patient", "P", "--normal", str(w / "N.counts.tsv.gz"), "--tumour",
           str(w / "T.counts.tsv.gz"), "--sample", "T", "--outdir", str(w / "out")]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True)
    for line in r.stderr.splitlines():
        if any(k in line for k in ("Elapsed", "Maximum resident", "Exit status", "User time",
                                   "System time", "Percent of CPU")):
            print(line.strip())
    print((w / "out" / "T.purity.tsv").read_text())
    return r.returncode


if __name__ == "__main__":
    raise SystemExit(main())
