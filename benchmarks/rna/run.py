"""Gene counts of escapeseq-rna against featureCounts (Debian subread) on the same BAMs,
and TPM against the simulator's truth (one command).

    .venv/bin/python benchmarks/rna/run.py --outdir benchmarks/out/rna [--pairs 200000]

Steps: simulate the test preset (seed 7, 12,000 RNA pairs per tumour sample) and a bench
patient (--target-mb 0.2, ``--pairs`` RNA pairs per tumour sample, low DNA depth since
only the RNA is used) with ``escapeseq-simulate --rna``; build one HISAT2 index per genome
and align every tumour sample (``escapeseq-rna index`` / ``align``); count genes with
``escapeseq-rna counts`` and with ``featureCounts -p --countReadPairs -s 0 -T 1`` on the
same BAM, timing each (CPU seconds of the child process); compare per gene. Writes
``results.json`` and ``results.md`` (the table in docs/benchmarks-rna.md) in ``--outdir``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable
BIN = ROOT / "bin"


def run(cmd: list[str]) -> tuple[float, float]:
    """Run a command; (wall s, child CPU s)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                   env={**os.environ, "PYTHONPATH": str(BIN)})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return time.time() - t, cpu


def read_ours(path: Path) -> dict[str, tuple[int, float]]:
    out = {}
    for ln in path.read_text().splitlines()[1:]:
        f = ln.split("\t")
        out[f[0]] = (int(f[5]), float(f[6]))
    return out


def read_fc(path: Path) -> dict[str, int]:
    return {ln.split("\t")[0]: int(ln.rstrip().split("\t")[-1])
            for ln in path.read_text().splitlines()[2:]}


def truth_tpm(sim: Path, sample: str) -> dict[str, float]:
    out = {}
    for f in (sim / "truth").glob("*.rna_genes.tsv"):
        for ln in f.read_text().splitlines()[1:]:
            c = ln.split("\t")
            if c[0] == sample:
                out[c[2]] = float(c[3])
    return out


def bench_dataset(name: str, sim: Path, work: Path) -> list[dict]:
    ref = sim / "reference"
    idx = work / f"{name}.hisat2"
    w, c = run([PY, str(BIN / "escapeseq-rna"), "index", "--fasta", str(ref / "genome.fa"),
                "--gtf", str(ref / "genes.gtf"), "--outdir", str(idx), "--threads", "2"])
    print(f"{name}: index {w:.1f} s wall", flush=True)
    rows = []
    samples = sorted(p.name[:-len("_R1.fastq.gz")] for p in (sim / "rna").glob("*_R1.fastq.gz"))
    for s in samples:
        bams = work / f"{name}.bams"
        run([PY, str(BIN / "escapeseq-rna"), "align", "--sample", s,
             "--fastq-1", str(sim / f"rna/{s}_R1.fastq.gz"), "--fastq-2", str(sim / f"rna/{s}_R2.fastq.gz"),
             "--index", str(idx), "--outdir", str(bams), "--threads", "2"])
        bam = bams / f"{s}.rna.bam"
        ours_dir = work / f"{name}.ours"
        w_o, c_o = run([PY, str(BIN / "escapeseq-rna"), "counts", "--sample", s, "--bam", str(bam),
                        "--gtf", str(ref / "genes.gtf"), "--outdir", str(ours_dir)])
        fc_out = work / f"{name}.{s}.featureCounts.txt"
        w_f, c_f = run(["featureCounts", "-p", "--countReadPairs", "-s", "0", "-T", "1",
                        "-a", str(ref / "genes.gtf"), "-o", str(fc_out), str(bam)])
        ours = read_ours(ours_dir / f"{s}.gene_counts.tsv")
        fc = read_fc(fc_out)
        genes = sorted(fc)
        a = np.array([ours[g][0] for g in genes])
        b = np.array([fc[g] for g in genes])
        tr = truth_tpm(sim, s)
        t_ours = np.array([ours[g][1] for g in genes])
        t_true = np.array([tr.get(g, np.nan) for g in genes])
        ok = np.isfinite(t_true) & (t_true > 0)
        fc_summary = dict(ln.split("\t") for ln in Path(str(fc_out) + ".summary").read_text().splitlines()[1:])
        rows.append({
            "dataset": name, "sample": s, "genes": len(genes),
            "genes_equal": int((a == b).sum()), "max_abs_diff": int(np.abs(a - b).max()),
            "assigned_ours": int(a.sum()), "assigned_featurecounts": int(b.sum()),
            "assigned_featurecounts_summary": int(fc_summary.get("Assigned", 0)),
            "pearson_counts": float(np.corrcoef(a, b)[0, 1]),
            "pearson_log_tpm_vs_truth": float(np.corrcoef(np.log10(t_ours[ok] + 1), np.log10(t_true[ok] + 1))[0, 1]),
            "median_tpm_ratio_vs_truth": float(np.median((t_ours[ok] + 1) / (t_true[ok] + 1))),
            "cpu_s_ours": round(c_o, 2), "cpu_s_featurecounts": round(c_f, 2),
            "wall_s_ours": round(w_o, 2), "wall_s_featurecounts": round(w_f, 2),
        })
        print(rows[-1], flush=True)
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--outdir", type=Path, required=True, help="results directory (created)")
    ap.add_argument("--pairs", type=int, default=200000, help="RNA pairs per bench tumour sample")
    ap.add_argument("--data", type=Path, default=None,
                    help="where to simulate (default <outdir>/data; reused when present)")
    a = ap.parse_args()
    a.outdir.mkdir(parents=True, exist_ok=True)
    data = a.data or a.outdir / "data"
    test, bench = data / "test", data / "bench"
    if not (test / "samplesheet.csv").exists():
        run([PY, str(BIN / "escapeseq-simulate"), "--preset", "test", "--seed", "7", "--rna",
             "--outdir", str(test)])
    if not (bench / "samplesheet.csv").exists():
        run([PY, str(BIN / "escapeseq-simulate"), "--preset", "bench", "--seed", "21", "--rna",
             "--target-mb", "0.2", "--patients", "1", "--wgd", "0", "--males", "0",
             "--purities", "0.6", "--tumour-depth", "2", "--normal-depth", "2",
             "--rna-pairs", str(a.pairs), "--outdir", str(bench)])
    work = a.outdir / "work"
    work.mkdir(exist_ok=True)
    rows = bench_dataset("test", test, work) + bench_dataset("bench", bench, work)
    (a.outdir / "results.json").write_text(json.dumps(rows, indent=1))
    head = ["dataset", "sample", "genes", "genes_equal", "max_abs_diff", "assigned_ours",
            "assigned_featurecounts", "pearson_log_tpm_vs_truth", "median_tpm_ratio_vs_truth",
            "cpu_s_ours", "cpu_s_featurecounts"]
    md = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        md.append("| " + " | ".join(f"{r[h]:.3f}" if isinstance(r[h], float) and "cpu" not in h
                                    else str(r[h]) for h in head) + " |")
    (a.outdir / "results.md").write_text("\n".join(md) + "\n")
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
