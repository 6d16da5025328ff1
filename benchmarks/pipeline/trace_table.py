#!/usr/bin/env python3
"""Turn Nextflow execution traces into per-process / per-step cost tables and the
issue-8 target ratios.

CPU time of a task = realtime x %cpu / 100 (Nextflow's %cpu is the task's CPU use
summed over its processes, as a percentage of one core, averaged over realtime), so
it is the CPU seconds the task consumed whatever the machine's load. Wall = realtime.
Peak memory = peak_rss (resident set of the task's process tree at its peak).

Usage:
  trace_table.py --run 0.1=T1.txt --run 0.2=T2.txt --run 0.4=T3.txt \
      [--scatter8 T8.txt] [--checker checker.tsv] --out-prefix OUT

Writes OUT.ratio.tsv (issue 15's panel-to-exome table: per size, bwa mem CPU, our CPU,
their ratio and our CPU per step), OUT.process.tsv, OUT.step.tsv, OUT.targets.tsv and
OUT.md (Markdown tables).

"BWA-MEM alignment" is the CPU of `bwa mem` alone: every ALIGN_FASTQ task writes
<sample>.align_cpu.tsv (escapeseq-align --cpu-log: CPU seconds of bwa mem, of each
samtools step and of escapeseq-align itself, i.e. the FASTQ checking), read from the
task's work directory. Our own share of ALIGN_FASTQ ("escapeseq") counts as Python;
samtools fixmate/sort/merge/markdup/index count as neither. Traces of runs made before
--cpu-log existed fall back to --checker (ALIGN_FASTQ minus the checker = "BWA").
Only COMPLETED/CACHED tasks with exit 0 are counted; a CACHED task keeps the
resources of the run that computed it.
"""
from __future__ import annotations

import argparse
import csv
import re
import sys
from collections import defaultdict
from pathlib import Path

# Process -> pipeline step ("other" for the rest of THIRD_PARTY / PYTHON). Every process of
# a trace must be in PYTHON or THIRD_PARTY: an unclassified (new or renamed) process is an
# error, so that no task's CPU silently drops out of "our steps".
STEP = {
    "BWA_INDEX": "alignment", "SAMTOOLS_FAIDX": "alignment", "ALIGN_FASTQ": "alignment",
    "PREPARE_BAM": "alignment",
    "SAMTOOLS_STATS": "qc", "MOSDEPTH": "qc", "COVERAGE_SUMMARY": "qc", "MULTIQC": "qc",
    "SPLIT_TARGETS": "calling", "SOMATIC_CALL": "calling", "SOMATIC_GATHER": "calling",
    "CNV_PILEUP": "copy_number", "CNV_FIT": "copy_number",
    # processes of earlier trees (one pileup per sample, identity and LOH changes apart)
    "CNV_PILEUP_NORMAL": "copy_number", "CNV_PILEUP_TUMOUR": "copy_number",
    "SAMPLE_IDENTITY": "copy_number", "LOH_CHANGES": "copy_number",
    "ANNOTATE": "annotation",
    "EVOLVE": "evolution",
    "REPORT": "report", "REPORT_INDEX": "report",
}
STEPS = ["alignment", "qc", "calling", "copy_number", "annotation", "evolution", "report",
         "other"]
# Processes whose whole cost is our own Python (escapeseq-* only, no third-party tool).
PYTHON = {"COVERAGE_SUMMARY", "SPLIT_TARGETS", "SOMATIC_CALL", "SOMATIC_GATHER",
          "CNV_PILEUP", "CNV_PILEUP_NORMAL", "CNV_PILEUP_TUMOUR", "SAMPLE_IDENTITY", "CNV_FIT",
          "LOH_CHANGES", "ANNOTATE", "EVOLVE", "REPORT", "REPORT_INDEX",
          "PUBLISH_SAMPLESHEET", "VALIDATE", "DUMP_VERSIONS", "PON_SITES", "PON_MERGE",
          "RNA_EVIDENCE"}
# Third-party tools (ALIGN_FASTQ: bwa mem + samtools, its escapeseq-align CPU is split out
# as fastq_check; PREPARE_BAM: samtools with escapeseq-align's checks).
THIRD_PARTY = {"BWA_INDEX", "SAMTOOLS_FAIDX", "ALIGN_FASTQ", "PREPARE_BAM", "SAMTOOLS_STATS",
               "MOSDEPTH", "MULTIQC", "SAMTOOLS_FLAGSTAT", "SAMTOOLS_SLICE", "HISAT2_BUILD",
               "HISAT2_ALIGN"}


_DUR = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)")
_DUR_UNIT = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}
_MEM_UNIT = {"B": 1, "KB": 1024, "MB": 1024 ** 2, "GB": 1024 ** 3, "TB": 1024 ** 4}


def parse_duration(text: str) -> float:
    """Nextflow duration ('1h 2m 3s', '950ms', '-') -> seconds (0 for missing)."""
    text = text.strip()
    if text in ("", "-"):
        return 0.0
    parts = _DUR.findall(text)
    if not parts:
        raise ValueError(f"not a duration: {text!r}")
    return sum(float(v) * _DUR_UNIT[u] for v, u in parts)


def parse_memory(text: str) -> float:
    """Nextflow memory ('106.1 MB', '0', '-') -> bytes (0 for missing)."""
    text = text.strip()
    if text in ("", "-", "0"):
        return 0.0
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([KMGT]?B)", text)
    if not m:
        raise ValueError(f"not a memory size: {text!r}")
    return float(m.group(1)) * _MEM_UNIT[m.group(2)]


def parse_percent(text: str) -> float:
    """'18.9%' -> 18.9 (0 for missing)."""
    text = text.strip().rstrip("%")
    return 0.0 if text in ("", "-") else float(text)


def read_trace(path: str) -> list[dict]:
    """Rows of a trace file as dicts with process, cpu_s, wall_s, rss_b (done tasks only)."""
    rows = []
    with open(path, newline="") as fh:
        for i, r in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            if r.get("status") not in ("COMPLETED", "CACHED") or r.get("exit") != "0":
                continue
            try:
                wall = parse_duration(r["realtime"])
                cpu = wall * parse_percent(r["%cpu"]) / 100.0
                rss = parse_memory(r["peak_rss"])
            except (KeyError, ValueError) as err:
                raise SystemExit(f"trace_table.py: error: {path}: row {i}: {err}")
            rows.append({"process": r["process"].split(":")[-1], "tag": r.get("tag", ""),
                         "cpu_s": cpu, "wall_s": wall, "rss_b": rss,
                         "start": r.get("start", ""), "complete": r.get("complete", ""),
                         "workdir": r.get("workdir", "")})
    if not rows:
        raise SystemExit(f"trace_table.py: error: {path}: no completed task")
    unknown = sorted({r["process"] for r in rows} - PYTHON - THIRD_PARTY)
    if unknown:
        raise SystemExit(f"trace_table.py: error: {path}: process {', '.join(unknown)} is "
                         "neither in PYTHON nor in THIRD_PARTY: classify it first")
    return rows


def per_process(rows: list[dict]) -> dict[str, dict]:
    """Sum CPU and wall, max peak RSS, count tasks, per process."""
    out: dict[str, dict] = defaultdict(lambda: {"n": 0, "cpu_s": 0.0, "wall_s": 0.0,
                                                 "max_rss_b": 0.0})
    for r in rows:
        p = out[r["process"]]
        p["n"] += 1
        p["cpu_s"] += r["cpu_s"]
        p["wall_s"] += r["wall_s"]
        p["max_rss_b"] = max(p["max_rss_b"], r["rss_b"])
    return dict(out)


def per_step(procs: dict[str, dict]) -> dict[str, dict]:
    """Sum the per-process figures into pipeline steps (max of peak RSS)."""
    out = {s: {"n": 0, "cpu_s": 0.0, "wall_s": 0.0, "max_rss_b": 0.0} for s in STEPS}
    for name, p in procs.items():
        s = out[STEP.get(name, "other")]
        s["n"] += p["n"]
        s["cpu_s"] += p["cpu_s"]
        s["wall_s"] += p["wall_s"]
        s["max_rss_b"] = max(s["max_rss_b"], p["max_rss_b"])
    return out


def read_checker(path: str | None) -> dict[str, float]:
    """checker.tsv (columns size cpu_s): CPU seconds of the FASTQ checker per size."""
    if not path:
        return {}
    with open(path, newline="") as fh:
        return {r["size"]: float(r["cpu_s"]) for r in csv.DictReader(fh, delimiter="\t")}


def align_tools(rows: list[dict]) -> dict[str, float] | None:
    """CPU seconds per tool summed over the ALIGN_FASTQ tasks' align_cpu.tsv files, or
    None when a task has none (a run made before --cpu-log)."""
    out: dict[str, float] = defaultdict(float)
    for r in rows:
        if r["process"] != "ALIGN_FASTQ":
            continue
        logs = sorted(Path(r["workdir"]).glob("*.align_cpu.tsv")) if r["workdir"] else []
        if not logs:
            return None
        with open(logs[0], newline="") as fh:
            for t in csv.DictReader(fh, delimiter="\t"):
                out[t["tool"]] += float(t["cpu_s"])
    return dict(out) if out else None


def split_alignment(rows: list[dict], procs: dict[str, dict], checker: float) -> tuple[float, float]:
    """(our CPU inside ALIGN_FASTQ, bwa mem CPU) of one run."""
    tools = align_tools(rows)
    if tools is not None:
        return tools.get("escapeseq", 0.0), tools.get("bwa mem", 0.0)
    align = procs.get("ALIGN_FASTQ", {"cpu_s": 0.0})["cpu_s"]
    return checker, align - checker


def calling_span(rows: list[dict]) -> float:
    """Wall seconds from the first SOMATIC_CALL start to the last SOMATIC_CALL end."""
    from datetime import datetime
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    calls = [r for r in rows if r["process"] == "SOMATIC_CALL" and r["start"] not in ("", "-")]
    if not calls:
        return 0.0
    t0 = min(datetime.strptime(r["start"], fmt) for r in calls)
    t1 = max(datetime.strptime(r["complete"], fmt) for r in calls)
    return (t1 - t0).total_seconds()


#: the per-step split of our CPU in the ratio table (issue 15)
OUR_SPLIT = ["fastq_check", "qc", "calling", "copy_number", "annotation", "evolution",
             "report", "other"]


def ratio_row(size: str, rows: list[dict], procs: dict[str, dict], checker: float) -> list:
    """One row of the panel-to-exome table: size, bwa mem CPU s, our CPU s, our / bwa,
    met (<= 0.25), our tasks, then our CPU s per step (OUR_SPLIT; fastq_check = escapeseq-
    align's own CPU inside ALIGN_FASTQ)."""
    chk, bwa = split_alignment(rows, procs, checker)
    split = dict.fromkeys(OUR_SPLIT, 0.0)
    split["fastq_check"] = chk
    n = 0
    for name, p in procs.items():
        if name in PYTHON:
            n += p["n"]
            split[STEP.get(name, "other")] += p["cpu_s"]
    ours = sum(split.values())
    ratio = ours / bwa if bwa > 0 else float("nan")
    return ([size, f"{bwa:.1f}", f"{ours:.1f}", f"{ratio:.3f}" if bwa > 0 else "NA",
             "true" if bwa > 0 and ratio <= 0.25 else "false", n]
            + [f"{split[s]:.1f}" for s in OUR_SPLIT])


def linear_fit(x: list[float], y: list[float]) -> tuple[float, float]:
    """Least-squares line y = slope * x + intercept; returns (slope, intercept).

    slope = cov(x, y) / var(x), intercept = mean(y) - slope * mean(x). Here x is the
    target size in Mb and y a cost of one benchmark cohort (CPU s or peak RSS MB), so
    the slope is the marginal cost per Mb of targets and the intercept the fixed cost
    (start-up, imports, reference handling).
    A negative slope (a cost that does not grow, plus measurement noise) is set to 0 and
    the intercept to the mean, so fixed costs are never projected below zero.
    """
    n = len(x)
    mx, my = sum(x) / n, sum(y) / n
    vx = sum((xi - mx) ** 2 for xi in x)
    slope = sum((xi - mx) * (yi - my) for xi, yi in zip(x, y)) / vx if vx else 0.0
    slope = max(slope, 0.0)
    return slope, my - slope * mx


def mb(b: float) -> str:
    return f"{b / 1024 ** 2:.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", action="append", required=True, metavar="SIZE=TRACE",
                    help="target size in Mb and the trace of the run at that size "
                         "(repeat; the first is the smallest, the last the largest)")
    ap.add_argument("--scatter8", metavar="TRACE",
                    help="trace of a run with --scatter_count 8 (calling wall vs CPU/2)")
    ap.add_argument("--checker", metavar="TSV",
                    help="size<TAB>cpu_s: CPU seconds of escapeseq.align.interleave_checked "
                         "over the same FASTQs (micro-benchmark), per size")
    ap.add_argument("--cores", type=int, default=2, help="cores available (default 2)")
    ap.add_argument("--project-mb", type=float, default=60.0,
                    help="projection: target size in Mb of the real cohort (60)")
    ap.add_argument("--project-patients", type=int, default=50,
                    help="projection: patients in the real cohort (50)")
    ap.add_argument("--cohort-patients", type=int, default=3,
                    help="patients in each benchmark cohort (3)")
    ap.add_argument("--out-prefix", required=True, help="output prefix for .tsv/.md files")
    a = ap.parse_args(argv)

    runs = []
    for spec in a.run:
        size, _, path = spec.partition("=")
        if not path:
            ap.error(f"--run {spec}: expected SIZE=TRACE")
        try:
            if not float(size) > 0:
                raise ValueError
        except ValueError:
            ap.error(f"--run {spec}: SIZE must be a target size in Mb > 0")
        runs.append((size, read_trace(path)))
    checker = read_checker(a.checker)

    proc_rows, step_rows, target_rows, md = [], [], [], []
    ratio_rows = []
    steps_by_size = {}
    for size, rows in runs:
        procs = per_process(rows)
        for name in sorted(procs, key=lambda n: (STEPS.index(STEP.get(n, "other")), n)):
            p = procs[name]
            proc_rows.append([size, name, STEP.get(name, "other"),
                              "true" if name in PYTHON else "false", p["n"],
                              f"{p['cpu_s']:.1f}", f"{p['wall_s']:.1f}", mb(p["max_rss_b"])])
        steps = per_step(procs)
        steps_by_size[size] = steps
        for s in STEPS:
            st = steps[s]
            if st["n"]:
                step_rows.append([size, s, st["n"], f"{st['cpu_s']:.1f}", f"{st['wall_s']:.1f}",
                                  mb(st["max_rss_b"])])
        align = procs.get("ALIGN_FASTQ", {"cpu_s": 0.0})["cpu_s"]
        ratio_rows.append(ratio_row(size, rows, procs, checker.get(size, 0.0)))
        chk, bwa = split_alignment(rows, procs, checker.get(size, 0.0))
        py_cpu = sum(p["cpu_s"] for n, p in procs.items() if n in PYTHON) + chk
        py_rss = max((r["rss_b"] for r in rows if r["process"] in PYTHON), default=0.0)
        target_rows.append([size, "python_cpu_s", f"{py_cpu:.1f}", ""])
        target_rows.append([size, "fastq_checker_cpu_s", f"{chk:.1f}", ""])
        target_rows.append([size, "align_fastq_cpu_s", f"{align:.1f}", ""])
        target_rows.append([size, "bwa_mem_cpu_s", f"{bwa:.1f}", ""])
        target_rows.append([size, "python_cpu_over_bwa_cpu",
                            f"{py_cpu / bwa:.3f}" if bwa > 0 else "NA",
                            "true" if bwa > 0 and py_cpu / bwa <= 0.25 else "false"])
        target_rows.append([size, "python_task_max_peak_rss_mb", mb(py_rss),
                            "true" if py_rss <= 2 * 1024 ** 3 else "false"])
    small, large = runs[0][0], runs[-1][0]
    scale = float(large) / float(small)
    for s in STEPS:
        c0 = steps_by_size[small][s]["cpu_s"]
        c1 = steps_by_size[large][s]["cpu_s"]
        if c0 > 0:
            ratio = c1 / c0
            limit = 4.4 * scale / 4.0
            target_rows.append([f"{large}/{small}", f"cpu_growth_{s}", f"{ratio:.2f}",
                                "true" if ratio <= limit else "false"])
    if a.scatter8:
        rows8 = read_trace(a.scatter8)
        calls = [r for r in rows8 if r["process"] == "SOMATIC_CALL"]
        cpu = sum(r["cpu_s"] for r in calls)
        span = calling_span(rows8)
        ratio = span / (cpu / a.cores) if cpu > 0 else float("nan")
        target_rows.append(["scatter8", "calling_cpu_s", f"{cpu:.1f}", ""])
        target_rows.append(["scatter8", "calling_wall_span_s", f"{span:.1f}", ""])
        target_rows.append(["scatter8", "calling_wall_over_cpu_per_core", f"{ratio:.2f}",
                            "true" if ratio <= 1.2 else "false"])
        busy = sum(r["wall_s"] for r in calls)
        target_rows.append(["scatter8", "calling_tasks", str(len(calls)), ""])
        target_rows.append(["scatter8", "calling_mean_concurrent_tasks",
                            f"{busy / span:.2f}" if span > 0 else "NA",
                            f"(of {a.cores} slots)"])
        target_rows.append(["scatter8", "calling_mean_task_cpu_percent",
                            f"{100 * cpu / busy:.1f}" if busy > 0 else "NA",
                            "(100 = a task had a whole core)"])

    proj_rows = []
    if len(runs) >= 2:
        sizes = [float(sz) for sz, _ in runs]
        k = a.project_patients / a.cohort_patients
        tot = 0.0
        for s in STEPS:
            ys = [steps_by_size[sz][s]["cpu_s"] for sz, _ in runs]
            if not any(ys):
                continue
            b, c = linear_fit(sizes, ys)
            cpu_h = k * (c + b * a.project_mb) / 3600.0
            tot += cpu_h
            proj_rows.append([s, f"{c:.1f}", f"{b:.1f}", f"{cpu_h:.1f}"])
        proj_rows.append(["total", "", "", f"{tot:.1f}"])
        procs_by = [per_process(rows) for _, rows in runs]
        splits = [split_alignment(rows, pr, checker.get(sz, 0.0))
                  for pr, (sz, rows) in zip(procs_by, runs)]
        py = [sum(v["cpu_s"] for n, v in pr.items() if n in PYTHON) + chk
              for pr, (chk, _b) in zip(procs_by, splits)]
        bwa = [b for _c, b in splits]
        bp, cp = linear_fit(sizes, py)
        bb, cb = linear_fit(sizes, bwa)
        for x in (2.0, 8.0, a.project_mb):
            r = (cp + bp * x) / (cb + bb * x) if cb + bb * x > 0 else float("nan")
            proj_rows.append([f"python_cpu_over_bwa_cpu_at_{x:g}_mb (extrapolated)", "", "",
                              f"{r:.3f}"])
        # Peak memory is not extrapolated: every task's working set is bounded by design
        # (a calling cluster spans <= 1 Mb, sort buffers are capped), see the doc.

    out = Path(a.out_prefix)
    out.parent.mkdir(parents=True, exist_ok=True)
    tables = {
        "ratio": (["size_mb", "bwa_mem_cpu_s", "our_cpu_s", "ratio", "met_0.25", "our_tasks"]
                  + [f"{s}_cpu_s" for s in OUR_SPLIT], ratio_rows),
        "process": (["size_mb", "process", "step", "python", "tasks", "cpu_s", "wall_s",
                     "max_peak_rss_mb"], proc_rows),
        "step": (["size_mb", "step", "tasks", "cpu_s", "wall_s", "max_peak_rss_mb"], step_rows),
        "targets": (["size", "measure", "value", "met"], target_rows),
        "projection": (["item", "intercept_cpu_s", "slope_cpu_s_per_mb",
                        f"projected ({a.project_patients} patients, {a.project_mb:g} Mb; "
                        "CPU h, or ratio)"], proj_rows),
    }
    for name, (header, body) in tables.items():
        tmp = out.with_name(out.name + f".{name}.tsv.tmp")
        with open(tmp, "w", newline="") as fh:
            w = csv.writer(fh, delimiter="\t", lineterminator="\n")
            w.writerow(header)
            w.writerows(body)
        tmp.replace(out.with_name(out.name + f".{name}.tsv"))
        md.append(f"### {name}\n")
        md.append("| " + " | ".join(header) + " |")
        md.append("|" + "---|" * len(header))
        md.extend("| " + " | ".join(str(c) for c in row) + " |" for row in body)
        md.append("")
    tmp = out.with_name(out.name + ".md.tmp")
    tmp.write_text("\n".join(md) + "\n")
    tmp.replace(out.with_name(out.name + ".md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
