#!/usr/bin/env python3
"""Whole-pipeline benchmark driver (issue 8).

For every target size: generate a bench cohort with bin/escapeseq-simulate (skipped if
DATA/mb<size>/cohort/samplesheet.csv exists), run the pipeline on it with a fixed trace
file (with the `checker` step, also micro-benchmark the FASTQ checker alone over the
same reads; every alignment task already logs the CPU of bwa mem, samtools and the
checker itself, which trace_table.py reads). Then, at one size,
re-run with `-resume --scatter_count 8` (only calling and what depends on it re-run)
for the calling-parallelism target. Finally trace_table.py turns the traces into the
per-process / per-step tables and the target ratios.

Layout (DATA defaults to benchmarks/data, which is gitignored):
  DATA/mb<size>/cohort/        simulator output (reference/, reads/, samplesheet.csv)
  DATA/mb<size>/work/          Nextflow work dir; launch dir is DATA/mb<size>
  DATA/mb<size>/out/           --outdir; trace at DATA/mb<size>/trace.txt
  DATA/mb<size>/out8/          --scatter_count 8 re-run (trace DATA/mb<size>/trace8.txt)
  DATA/checker.tsv             FASTQ checker micro-benchmark (optional `checker` step)
  DATA/summary.{md,*.tsv}      the tables

Defaults are the issue's full scale (2, 4, 8 Mb; tumour 150x, normal 100x; 3 patients).

Panel sizes (issue 15): a size listed in --panel-sizes is generated with the panel
layout instead: one patient (simulator preset `quiet`, patient Q1), normal 60x, baseline
and relapse 100x, seed --panel-seed. E.g. the panel-to-exome table:
  run.py --data /work/bench-data/panel --sizes 0.07 0.5 2 --panel-sizes 0.07 \
      --steps generate pipeline table --scatter8-size none

Every Nextflow run gets PYTHONPATH=<this checkout>/bin, so its tasks run this checkout's
escapeseq library even when an installed copy's console scripts come first on PATH (the
venv's nextflow launcher puts the venv's bin/ first).
"""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PY = REPO / ".venv" / "bin" / "python"
NEXTFLOW = REPO / ".venv" / "bin" / "nextflow"
HERE = Path(__file__).resolve().parent
# tasks import this checkout's escapeseq (see the module docstring)
NF_ENV = {"PYTHONPATH": str(REPO / "bin"), "NXF_OFFLINE": "true"}


def run(cmd: list[str], cwd: Path | None = None, log: Path | None = None,
        env: dict[str, str] | None = None) -> None:
    """Run a command (echoed, with its extra environment), stop the driver if it fails."""
    print("+", " ".join(f"{k}={shlex.quote(v)}" for k, v in (env or {}).items()),
          shlex.join(cmd), flush=True)
    full = {**os.environ, **env} if env else None
    if log:
        with open(log, "w") as fh:
            rc = subprocess.call(cmd, cwd=cwd, stdout=fh, stderr=subprocess.STDOUT, env=full)
    else:
        rc = subprocess.call(cmd, cwd=cwd, env=full)
    if rc:
        raise SystemExit(f"run.py: error: command failed (exit {rc}): {shlex.join(cmd)}"
                         + (f" (log: {log})" if log else ""))


def nextflow_cmd(cohort: Path, outdir: Path, work: Path, trace: Path,
                 args: argparse.Namespace, scatter: int, resume: bool) -> list[str]:
    """The exact `nextflow run` command line of one benchmark run."""
    ref = cohort / "reference"
    cmd = [str(NEXTFLOW), "run", str(REPO), "-w", str(work),
           "-with-trace", str(trace),
           "--input", str(cohort / "samplesheet.csv"), "--fasta", str(ref / "genome.fa"),
           "--gtf", str(ref / "genes.gtf"), "--targets", str(ref / "targets.bed"),
           "--arms", str(ref / "arms.bed"), "--outdir", str(outdir),
           "--max_cpus", str(args.max_cpus), "--max_memory", args.max_memory,
           "--scatter_count", str(scatter)]
    return cmd + (["-resume"] if resume else [])


def trace_path(d: Path, scatter8: bool) -> Path:
    """Trace file of a run (outside --outdir: the pipeline refuses a non-empty new outdir)."""
    old = d / ("out8" if scatter8 else "out") / "pipeline_info" / "bench_trace.txt"
    if old.exists():  # runs made before the trace moved
        return old
    return d / ("trace8.txt" if scatter8 else "trace.txt")


def target_mb(bed: Path) -> str:
    """Total length of the capture targets in a BED file, in Mb (4 decimals).

    The simulator's --target-mb is a minimum (small values give the ~27 kb minimal
    layout), so the tables use the real size.
    """
    total = 0
    with open(bed) as fh:
        for line in fh:
            f = line.split("\t")
            if len(f) >= 3 and not line.startswith(("#", "track", "browser")):
                total += int(f[2]) - int(f[1])
    return f"{total / 1e6:.4f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=["2", "4", "8"],
                    help="target sizes in Mb, smallest first (default 2 4 8)")
    ap.add_argument("--tumour-depth", type=float, default=150, help="tumour depth x (150)")
    ap.add_argument("--normal-depth", type=float, default=100, help="normal depth x (100)")
    ap.add_argument("--patients", type=int, default=3, help="patients per cohort (3)")
    ap.add_argument("--seed", type=int, default=1, help="simulator seed (1)")
    ap.add_argument("--panel-sizes", nargs="*", default=[], metavar="SIZE",
                    help="sizes (as given to --sizes) generated with the panel layout: one "
                         "patient, normal 60x, baseline and relapse 100x (preset quiet)")
    ap.add_argument("--panel-seed", type=int, default=2,
                    help="simulator seed of the panel sizes (2; seed 1's gene layout does "
                         "not fit 0.07 Mb)")
    ap.add_argument("--threads", type=int, default=2, help="simulator threads (2)")
    ap.add_argument("--data", default=str(REPO / "benchmarks" / "data"),
                    help="data/run directory (default benchmarks/data, gitignored)")
    ap.add_argument("--max-cpus", type=int, default=2, help="pipeline --max_cpus (2)")
    ap.add_argument("--max-memory", default="8.GB", help="pipeline --max_memory (8.GB)")
    ap.add_argument("--scatter-count", type=int, default=4, help="--scatter_count of the "
                    "main runs (4, the pipeline default)")
    ap.add_argument("--scatter8-size", default=None, help="size at which to re-run with "
                    "--scatter_count 8 (default: the smallest; 'none' to skip)")
    ap.add_argument("--steps", nargs="+", default=["generate", "pipeline", "scatter8", "table"],
                    choices=["generate", "pipeline", "checker", "scatter8", "table"],
                    help="which stages to run (default all but checker: the FASTQ checker's "
                         "CPU now comes from each alignment task's --cpu-log)")
    a = ap.parse_args(argv)
    data = Path(a.data).resolve()
    data.mkdir(parents=True, exist_ok=True)
    s8 = a.sizes[0] if a.scatter8_size is None else a.scatter8_size
    checker = data / "checker.tsv"

    for i, size in enumerate(a.sizes):
        d = data / f"mb{size}"
        cohort = d / "cohort"
        d.mkdir(exist_ok=True)
        if "generate" in a.steps and not (cohort / "samplesheet.csv").exists():
            if size in a.panel_sizes:
                layout = ["--preset", "quiet", "--seed", str(a.panel_seed),
                          "--tumour-depth", "100", "--normal-depth", "60"]
            else:
                layout = ["--preset", "bench", "--seed", str(a.seed),
                          "--patients", str(a.patients), "--tumour-depth", str(a.tumour_depth),
                          "--normal-depth", str(a.normal_depth)]
            run([str(PY), str(REPO / "bin" / "escapeseq-simulate")] + layout
                + ["--outdir", str(cohort), "--target-mb", size, "--threads", str(a.threads)],
                log=d / "simulate.log")
        if "pipeline" in a.steps:
            # a re-run measures a whole new run: no old trace (Nextflow refuses to overwrite
            # it), no cached tasks, no results (the pipeline refuses a non-empty --outdir)
            trace_path(d, False).unlink(missing_ok=True)
            for old in (d / "out", d / "work"):
                shutil.rmtree(old, ignore_errors=True)
            run(nextflow_cmd(cohort, d / "out", d / "work", trace_path(d, False), a,
                             a.scatter_count, False),
                cwd=d, log=d / "nextflow.log.txt", env=NF_ENV)
        if "checker" in a.steps:
            run([str(PY), str(HERE / "checker_bench.py"), "--samplesheet",
                 str(cohort / "samplesheet.csv"), "--size",
                 target_mb(cohort / "reference" / "targets.bed"), "--out", str(checker)]
                + (["--append"] if i or checker.exists() else []))
    if "scatter8" in a.steps and s8 != "none":
        d = data / f"mb{s8}"
        run(nextflow_cmd(d / "cohort", d / "out8", d / "work", trace_path(d, True), a, 8,
                         True), cwd=d,
            log=d / "nextflow8.log.txt", env=NF_ENV)
    if "table" in a.steps:
        cmd = [str(PY), str(HERE / "trace_table.py"), "--cores", str(a.max_cpus),
               "--out-prefix", str(data / "summary")]
        for size in a.sizes:
            d = data / f"mb{size}"
            cmd += ["--run", f"{target_mb(d / 'cohort/reference/targets.bed')}="
                    f"{trace_path(d, False)}"]
        t8 = trace_path(data / f"mb{s8}", True)
        if t8.exists():
            cmd += ["--scatter8", str(t8)]
        if checker.exists():
            cmd += ["--checker", str(checker)]
        run(cmd)
        print((data / "summary.md").read_text())
    return 0


if __name__ == "__main__":
    os.environ.setdefault("NXF_OFFLINE", "true")
    sys.exit(main())
