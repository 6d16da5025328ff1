#!/usr/bin/env python3
"""How much of each escapeseq task's CPU is start-up (module imports) and how much is work.

Re-runs every completed task of our Python processes in a trace (as trace_table.py
classifies them) in a copy of its work directory: once plainly for the task's CPU seconds
(user + system of its children), once with ``PYTHONPROFILEIMPORTTIME=1`` to learn which
modules each Python interpreter of the task imports, in which order. Start-up = the CPU
of fresh interpreters that import only those modules (numpy, pandas, matplotlib, numba
with its CPU-target start in ``escapeseq.bamcols``, pysam, our own modules); work = CPU -
start-up. Writes a TSV (one row per task and a total row) and prints it.

usage: startup_share.py --trace TRACE --out TSV [--repo DIR] [--process NAME ...]
"""
from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from trace_table import PYTHON, read_trace  # noqa: E402


def interpreter_imports(stderr: str) -> list[tuple[list[str], set[str]]]:
    """Per Python interpreter in ``-X importtime`` output (each starts with the header
    line): its top-level imports in order (one space after the second bar) and every
    module it imported at any depth."""
    blocks: list[tuple[list[str], set[str]]] = []
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.split("|")
        if len(parts) != 3:
            continue
        if not parts[1].strip().isdigit():
            blocks.append(([], set()))  # header: a new interpreter
            continue
        if not blocks:
            blocks.append(([], set()))
        name = parts[2]
        blocks[-1][1].add(name.strip())
        if len(name) - len(name.lstrip(" ")) == 1:
            blocks[-1][0].append(name.strip())
    return blocks


IMPORT_ONLY = """
import sys
for m in {blocked!r}:
    sys.modules[m] = None
for m in {names!r}:
    try:
        __import__(m)
    except Exception:
        pass
"""


def import_cpu(blocks: list[tuple[list[str], set[str]]], env: dict[str, str]) -> float:
    """CPU seconds of fresh interpreters that only import what each of the task's
    interpreters imported, in the same order (interpreter start included): the fixed
    cost. pyarrow stays blocked where the task did not load it (the CLIs block it)."""
    total = 0.0
    for names, seen in blocks:
        code = IMPORT_ONLY.format(blocked=[] if "pyarrow" in seen else ["pyarrow"], names=names)
        before = children_cpu()
        subprocess.run([sys.executable, "-c", code], env=env, check=False,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        total += children_cpu() - before
    return total


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def task_env(repo: Path) -> dict[str, str]:
    env = {**os.environ, "PATH": f"{repo / '.venv' / 'bin'}:{repo / 'bin'}:{os.environ['PATH']}",
           "PYTHONPATH": str(repo / "bin"), "MPLBACKEND": "Agg"}
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def run_task(workdir: str, repo: Path, importtime: bool) -> tuple[float, str]:
    """CPU seconds and stderr of the task's .command.sh run in a fresh copy of ``workdir``."""
    tmp = Path(tempfile.mkdtemp(prefix="startup-share-"))
    try:
        shutil.copytree(workdir, tmp / "task", symlinks=True)
        env = task_env(repo)
        if importtime:
            env["PYTHONPROFILEIMPORTTIME"] = "1"
        before = children_cpu()
        p = subprocess.run(["bash", ".command.sh"], cwd=tmp / "task", env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        cpu = children_cpu() - before
        if p.returncode != 0:
            raise SystemExit(f"startup_share.py: error: {workdir}: .command.sh exited "
                             f"{p.returncode}: {p.stderr.strip().splitlines()[-1:]}")
        return cpu, p.stderr
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trace", required=True, help="a Nextflow trace with the workdir column")
    ap.add_argument("--out", required=True, type=Path, help="TSV to write")
    ap.add_argument("--repo", type=Path, default=HERE.parents[1],
                    help="checkout whose bin/ and .venv/ run the tasks (default: this one)")
    ap.add_argument("--process", nargs="*", default=None, help="only these processes")
    a = ap.parse_args(argv)
    rows = [r for r in read_trace(a.trace) if r["process"] in PYTHON and r["workdir"]
            and (a.process is None or r["process"] in a.process)]
    if not rows:
        raise SystemExit(f"startup_share.py: error: {a.trace}: no completed escapeseq task")
    out = [("process", "tag", "cpu_s", "import_s", "work_s", "import_share")]
    tot_cpu = tot_imp = 0.0
    for r in sorted(rows, key=lambda r: (r["process"], r["tag"])):
        if not Path(r["workdir"], ".command.sh").exists():
            raise SystemExit(f"startup_share.py: error: {r['workdir']}: no .command.sh "
                             "(work directory cleaned?)")
        _, err = run_task(r["workdir"], a.repo, importtime=True)
        cpu, _ = run_task(r["workdir"], a.repo, importtime=False)
        imp = min(import_cpu(interpreter_imports(err), task_env(a.repo)), cpu)
        tot_cpu += cpu
        tot_imp += imp
        out.append((r["process"], r["tag"], f"{cpu:.2f}", f"{imp:.2f}", f"{cpu - imp:.2f}",
                    f"{imp / cpu:.2f}" if cpu else ""))
    out.append(("total", f"{len(rows)} tasks", f"{tot_cpu:.2f}", f"{tot_imp:.2f}",
                f"{tot_cpu - tot_imp:.2f}", f"{tot_imp / tot_cpu:.2f}" if tot_cpu else ""))
    text = "".join("\t".join(row) + "\n" for row in out)
    a.out.write_text(text)
    print(text, end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
