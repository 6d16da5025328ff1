"""QC summaries: target coverage from mosdepth, and the pipeline's software versions.

`coverage` turns mosdepth's per-target threshold counts into one row per sample:
the mean depth over target bases and the percentage of target bases covered at
>= 20x, 50x and 100x (MultiQC custom content, also a plain TSV).

`versions` merges every process's versions.yml into one pipeline_info/versions.yml.
"""

from __future__ import annotations

import argparse
import gzip
import os
from pathlib import Path
from typing import Sequence

from escapeseq.errors import InputError, add_version, run_cli


def coverage_fractions(lengths: Sequence[int], at_threshold: Sequence[Sequence[int]],
                       n_thresholds: int) -> list[float]:
    """Fraction of all target bases covered at each of ``n_thresholds`` thresholds.

    `lengths` (per target) in bp; `at_threshold` (per target, one count per threshold):
    bases of each target with depth >= threshold (mosdepth's thresholds.bed.gz). The
    fraction for a threshold is sum over targets of at_threshold / sum of lengths (0 when
    no bases). Plain Python: the QC tasks import no numpy.
    """
    total = float(sum(lengths))
    if total <= 0:
        return [0.0] * n_thresholds
    sums = [0] * n_thresholds
    for row in at_threshold:
        for k, v in enumerate(row):
            sums[k] += v
    return [v / total for v in sums]


def read_thresholds(path: str) -> tuple[list[int], list[int], list[list[int]]]:
    """Parse a mosdepth thresholds.bed.gz: (thresholds, lengths, bases >= each threshold)."""
    thresholds: list[int] = []
    lengths, counts = [], []
    with gzip.open(path, "rt") as fh:
        for i, ln in enumerate(fh, 1):
            f = ln.rstrip("\n").split("\t")
            if ln.startswith("#"):
                thresholds = [int(x.rstrip("X")) for x in f[4:]]
                continue
            if len(f) < 5:
                raise InputError(path, f"line {i}", "not a mosdepth thresholds line")
            lengths.append(int(f[2]) - int(f[1]))
            counts.append([int(x) for x in f[4:]])
    if not thresholds:
        raise InputError(path, None, "no header line: not a mosdepth thresholds file")
    if any(len(c) != len(thresholds) for c in counts):
        raise InputError(path, None, "a line has another number of thresholds than the header")
    return thresholds, lengths, counts


def read_mean_depth(summary_or_regions: str) -> float | None:
    """Mean depth over targets from mosdepth's `<sample>.regions.bed.gz` beside the file."""
    regions = summary_or_regions.replace(".thresholds.bed.gz", ".regions.bed.gz")
    if not os.path.exists(regions):
        return None
    tot_len, tot = 0, 0.0
    with gzip.open(regions, "rt") as fh:
        for ln in fh:
            f = ln.rstrip("\n").split("\t")
            n = int(f[2]) - int(f[1])
            tot_len += n
            tot += n * float(f[-1])
    return tot / tot_len if tot_len else 0.0


def coverage_table(paths: Sequence[str]) -> list[dict[str, str]]:
    rows = []
    for path in sorted(paths, key=lambda p: Path(p).name):
        sample = Path(path).name.removesuffix(".thresholds.bed.gz")
        th, lengths, at = read_thresholds(path)
        frac = coverage_fractions(lengths, at, len(th))
        row = {"Sample": sample, "target_bp": str(sum(lengths))}
        mean = read_mean_depth(path)
        if mean is not None:
            row["mean_target_depth"] = f"{mean:.1f}"
        for t, f in zip(th, frac):
            row[f"pct_target_ge_{t}x"] = f"{100 * f:.2f}"
        rows.append(row)
    return rows


MQC_HEADER = """# id: 'escapeseq_target_coverage'
# section_name: 'Target coverage'
# description: 'Mean depth over the capture targets and the percentage of target bases covered at each depth (from mosdepth).'
# plot_type: 'table'
"""


def write_tsv(rows: list[dict[str, str]], out: str, header: str = "") -> None:
    cols: list[str] = []
    for r in rows:
        cols.extend(c for c in r if c not in cols)
    tmp = out + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(header)
        fh.write("\t".join(cols) + "\n")
        for r in rows:
            fh.write("\t".join(r.get(c, "") for c in cols) + "\n")
    os.replace(tmp, out)


def merge_versions(paths: Sequence[str]) -> dict[str, dict[str, str]]:
    """Merge nf-core style versions.yml snippets: {process: {tool: version}}.

    The snippets are tiny two-level YAML maps; they are parsed without a YAML library
    (`"PROC":` then indented `tool: version` lines, or a one-line `"PROC": {tool: v}`).
    Process names are shortened to their last component (ESCAPESEQ:ALIGN -> ALIGN).
    """
    merged: dict[str, dict[str, str]] = {}
    for path in paths:
        current = None
        with open(path) as fh:
            for ln in fh:
                if not ln.strip():
                    continue
                if not ln[0].isspace():
                    if ln.startswith('"'):
                        key, _, rest = ln[1:].partition('"')
                        rest = rest.lstrip().removeprefix(":")
                    else:
                        key, _, rest = ln.partition(":")
                    current = key.strip().split(":")[-1]
                    merged.setdefault(current, {})
                    rest = rest.strip()
                    if rest.startswith("{") and rest.endswith("}"):
                        for kv in rest[1:-1].split(","):
                            k, _, v = kv.partition(":")
                            if k.strip():
                                merged[current][k.strip()] = v.strip().strip('"')
                elif current is not None:
                    k, _, v = ln.strip().partition(":")
                    merged[current][k.strip()] = v.strip().strip('"')
    return dict(sorted(merged.items()))


def write_versions(merged: dict[str, dict[str, str]], out: str, mqc: str | None,
                   nextflow: str | None, pipeline: str | None) -> None:
    wf = {}
    if nextflow:
        wf["Nextflow"] = nextflow
    if pipeline:
        wf["escapeseq"] = pipeline
    allv = dict(merged)
    if wf:
        allv["Workflow"] = wf
    lines = []
    for proc, tools in allv.items():
        lines.append(f"{proc}:")
        lines.extend(f"    {k}: {v}" for k, v in sorted(tools.items()))
    Path(out).write_text("\n".join(lines) + "\n")
    if mqc:
        html = ["<dl class=\"dl-horizontal\">"]
        for proc, tools in allv.items():
            vs = ", ".join(f"{k} {v}" for k, v in sorted(tools.items()))
            html.append(f"<dt>{proc}</dt><dd><samp>{vs}</samp></dd>")
        html.append("</dl>")
        Path(mqc).write_text(
            "id: 'software_versions'\nsection_name: 'Software versions'\n"
            "section_href: 'https://example.invalid/escapeseq'\nplot_type: 'html'\n"
            "description: 'Versions of every tool each process ran.'\ndata: |\n"
            + "\n".join("    " + h for h in html) + "\n")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="escapeseq-qc",
                                description="QC summaries for the pipeline report.")
    add_version(p)
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("coverage", help="target coverage table from mosdepth thresholds files")
    c.add_argument("thresholds", nargs="+", help="<sample>.thresholds.bed.gz files (mosdepth "
                   "--thresholds); the matching <sample>.regions.bed.gz gives the mean depth")
    c.add_argument("--out", required=True, help="output TSV (MultiQC custom content)")
    v = sub.add_parser("versions", help="merge versions.yml snippets of every process")
    v.add_argument("snippets", nargs="+", help="versions.yml files (or their concatenation)")
    v.add_argument("--out", required=True, help="merged versions.yml")
    v.add_argument("--mqc", help="MultiQC custom-content YAML with the version table")
    v.add_argument("--nextflow", help="Nextflow version to record")
    v.add_argument("--pipeline", help="escapeseq version to record")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.cmd == "coverage":
        write_tsv(coverage_table(args.thresholds), args.out, MQC_HEADER)
    else:
        write_versions(merge_versions(args.snippets), args.out, args.mqc, args.nextflow,
                       args.pipeline)
    return 0


def cli(argv: Sequence[str] | None = None) -> int:
    return run_cli("escapeseq-qc", main, argv)
