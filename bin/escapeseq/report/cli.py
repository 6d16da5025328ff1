"""escapeseq-report: one self-contained HTML report per patient, and a cohort index.

  escapeseq-report --patient P --evolution-dir evolution/ --samplesheet valid.csv
                   [--cnv-dir DIR] [--bam-dir DIR --fasta ref.fa --igv-js igv.min.js]
                   --outdir report/
      → report/P.report.html (self-contained) + report/figures/ (PNGs, IGV page)
  escapeseq-report index --outdir DIR [--identity *.identity.tsv] [--tables <evolve tables>]
                         [--mafs P1.maf ...] P1.report.html [P2.report.html ...]
      → DIR/index.html (links relative to DIR); with --tables also the cohort view and
        DIR/cohort.escape.tsv + DIR/cohort.summary.tsv; with --mafs DIR/cohort.maf
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from escapeseq import __version__
from escapeseq.errors import InputError, add_version, run_cli
from escapeseq.fileio import read_tsv, write_atomic
from escapeseq.report import html as render, igv

if TYPE_CHECKING:  # pandas and the evolution inputs: the patient report only, not `index`
    import pandas as pd

PROG = "escapeseq-report"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description=(
        "Write a patient's self-contained HTML report (summary, ranked candidates, Circos, "
        "copy-number panels, protein diagrams, offline IGV read views, methods). Use "
        f"'{PROG} index --help' for the cohort index page."))
    p.add_argument("--patient", required=True, help="patient id (as in the samplesheet)")
    p.add_argument("--evolution-dir", required=True, type=Path,
                   help="directory with <patient>.mutations.tsv, .candidates.tsv and .summary.tsv "
                        "(escapeseq-evolve)")
    p.add_argument("--samplesheet", required=True, type=Path, help="validated samplesheet CSV")
    p.add_argument("--cnv-dir", type=Path, default=None,
                   help="directory with <sample>.segments.tsv and <sample>.purity.tsv per tumour "
                        "(copy-number figures); <sample>.counts.tsv.gz pileups of the tumours and "
                        "the normal, there or in counts/, add per-target log2 and per-SNP BAF "
                        "points; optional")
    p.add_argument("--bam-dir", type=Path, default=None,
                   help="directory with <sample>.bam + .bai (or <sample>.cram + .crai, read "
                        "against --fasta) of the normal and every tumour (for the IGV views); "
                        "optional")
    p.add_argument("--fasta", type=Path, default=None,
                   help="reference FASTA with .fai (IGV views; contig lengths for the Circos plot)")
    p.add_argument("--igv-js", type=Path, default=None,
                   help="igv.min.js from the npm package igv (tools/install_igv.sh prints its path); "
                        "inlined into the report so the IGV views work offline")
    p.add_argument("--panel", type=Path, default=None,
                   help="escape panel TSV with protein domains (default assets/escape_panel.tsv)")
    p.add_argument("--max-igv", type=int, default=5,
                   help="IGV views for at most this many top candidates (high and medium "
                        "confidence, else the rank-1 candidate; default 5)")
    p.add_argument("--flank", type=int, default=100,
                   help="bp shown either side of a candidate in the IGV views (default 100)")
    p.add_argument("--outdir", required=True, type=Path,
                   help="output directory: <patient>.report.html and figures/")
    # RNA (issue 16): optional; without it the report is unchanged
    p.add_argument("--cnv-png-dir", type=Path, default=None,
                   help="also write each tumour's copy-number figure (the report's panel: "
                   "per-target log2 ratio, BAF and integer copy number) here as "
                   "<sample>.cnv.png (the pipeline publishes it under <patient>/cnv/, "
                   "so the figure is drawn once per run, by this task)")
    p.add_argument("--rna-evidence", type=Path, default=None,
                   help="<patient>.rna_evidence.tsv (escapeseq-rna evidence): adds an RNA panel per "
                        "candidate (allele fraction DNA vs RNA, junction / retention reads per "
                        "timepoint), an escape-gene expression panel, and the RNA sentence to each "
                        "candidate's explanation; optional")
    add_version(p)
    return p


def build_index_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=f"{PROG} index", description=(
        "Write index.html: one row per patient report (baseline mutations retained, candidate "
        "counts, high-confidence candidates, purity), linking to each report."))
    p.add_argument("--outdir", required=True, type=Path, help="directory for index.html")
    p.add_argument("reports", nargs="*", type=Path, help="<patient>.report.html files")
    p.add_argument("--identity", nargs="*", type=Path, default=[],
                   help="<patient>.identity.tsv files (escapeseq-cnv identity): every tumour's "
                        "identity decision and evidence is listed, and a patient stopped by a "
                        "mismatch is shown with its evidence although it has no report")
    p.add_argument("--tables", nargs="*", type=Path, default=None,
                   help="every patient's escapeseq-evolve tables (<patient>.mutations.tsv, "
                        ".candidates.tsv, .summary.tsv): adds the cohort view to index.html (escape "
                        "genes x patient timepoints: mutation class, homozygous, acquired LOH, "
                        "candidate confidence; retained fraction and new mutations per patient) and "
                        "writes cohort.escape.tsv (one row per patient x tumour sample x escape-gene "
                        "event) and cohort.summary.tsv (one row per patient, stopped ones included); "
                        "given with no file (every patient stopped), the view lists the stopped ones")
    p.add_argument("--href-template", default=None,
                   help="link to each report as this path relative to index.html, with {patient} "
                        "replaced (the pipeline uses '{patient}/report/{patient}.report.html'); "
                        "default: the report file's path relative to --outdir")
    p.add_argument("--mafs", nargs="*", type=Path, default=None,
                   help="<patient>.maf files (escapeseq-evolve): also write DIR/cohort.maf, "
                        "one header and every patient's rows, patients in name order")
    return p


def _tsv(path: Path) -> pd.DataFrame:
    return read_tsv(path, missing="missing (run escapeseq-evolve first)")


def _need(df: pd.DataFrame, cols: Sequence[str], path: Path) -> None:
    miss = [c for c in cols if c not in df.columns]
    if miss:
        raise InputError(path, "header", f"missing column(s) {', '.join(miss)}")


def _contigs(fasta: Path | None) -> dict[str, int]:
    if fasta is None:
        return {}
    fai = Path(str(fasta) + ".fai")
    if not fai.exists():
        raise InputError(fasta, None, "no .fai index beside the FASTA (samtools faidx)")
    out = {}
    for i, ln in enumerate(fai.read_text().splitlines(), 1):
        f = ln.split("\t")
        if len(f) < 2 or not f[1].isdigit():
            raise InputError(fai, f"line {i}", "not a FASTA index line")
        out[f[0]] = int(f[1])
    return out


def _version(pkg: str) -> str:
    from importlib import metadata  # the patient report's methods table only

    try:
        return metadata.version(pkg)
    except metadata.PackageNotFoundError:
        return "not installed"


def igv_version(igv_js: Path) -> str:
    """igv.js version: from the first line tools/install_igv.sh writes ("/*! igv.js
    <version> (npm igv) */"), else from the npm package.json beside the build (or one
    level up)."""
    try:
        with open(igv_js, "rb") as fh:
            m = re.match(rb"/\*! igv\.js (\S+) ", fh.readline())
        if m:
            return m.group(1).decode(errors="replace")
    except OSError:
        pass
    real = igv_js.resolve()
    for pj in (real.parent / "package.json", real.parent.parent / "package.json"):
        try:
            data = json.loads(pj.read_text())
        except (OSError, ValueError):
            continue
        if data.get("name") == "igv":
            return str(data.get("version", "unknown"))
    return "unknown"


def _float(x: str) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return math.nan


def read_counts(cnv_dir: Path | None, sample: str) -> pd.DataFrame | None:
    """escapeseq-cnv pileup counts of a sample (<sample>.counts.tsv[.gz] in --cnv-dir or its
    counts/ subdirectory); None when absent (the panels then show segments only)."""
    if cnv_dir is None:
        return None
    import pandas as pd

    for d in (cnv_dir, cnv_dir / "counts"):
        for name in (f"{sample}.counts.tsv.gz", f"{sample}.counts.tsv"):
            p = d / name
            if p.exists():
                try:
                    df = pd.read_csv(p, sep="\t", dtype={"chrom": str}, keep_default_na=False,
                                     na_values=[""])
                except (OSError, ValueError, pd.errors.ParserError) as err:
                    raise InputError(p, None, f"cannot read counts: {str(err).splitlines()[0]}") from None
                need = ["type", "chrom", "start", "end", "depth", "ref_count", "alt_count"]
                _need(df, need, p)
                return df
    return None


def choose_igv(cands: pd.DataFrame, n: int) -> pd.DataFrame:
    """High and medium candidates (best first), else the rank-1 row; at most ``n``."""
    if cands.empty or n <= 0:
        return cands.iloc[0:0]
    top = cands[cands["confidence"].isin(["high", "medium"])]
    if top.empty:
        top = cands.iloc[:1]
    return top.iloc[:n]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "index":
        return main_index(argv[1:])
    a = build_parser().parse_args(argv)
    import pandas as pd

    from escapeseq.evolution import inputs
    from escapeseq.report import figures  # matplotlib: the patient report only, not `index`
    P = a.patient
    patient = inputs.read_samplesheet(a.samplesheet, P)
    ev = a.evolution_dir
    mut_path, cand_path, sum_path = (ev / f"{P}.mutations.tsv", ev / f"{P}.candidates.tsv",
                                     ev / f"{P}.summary.tsv")
    muts, cands, summ = _tsv(mut_path), _tsv(cand_path), _tsv(sum_path)
    _need(muts, ["chrom", "pos", "ref", "alt", "gene", "class"], mut_path)
    _need(cands, ["rank", "gene", "chrom", "pos", "ref", "alt", "hgvs_c", "hgvs_p", "consequence",
                  "confidence", "score", "explanation"], cand_path)
    _need(summ, ["metric", "value"], sum_path)
    bad = ~muts["pos"].str.fullmatch(r"\d+")
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(mut_path, f"row {i + 2}: pos", f"not an integer: {muts['pos'].iloc[i]!r}")
    muts["pos"] = muts["pos"].astype(int)
    summary = dict(zip(summ["metric"], summ["value"]))
    panel = inputs.load_panel(a.panel)
    contigs = _contigs(a.fasta)

    # copy number
    segments, samples_rows = {}, []
    for s, tp in zip(patient.tumours, patient.timepoints):
        seg = a.cnv_dir / f"{s}.segments.tsv" if a.cnv_dir else None
        segments[s] = inputs.read_segments(seg) if seg is not None and seg.exists() else None
        pur = {"purity": summary.get(f"purity_{tp}", ""), "ploidy": "", "purity_source": ""}
        pf = a.cnv_dir / f"{s}.purity.tsv" if a.cnv_dir else None
        if pf is not None and pf.exists():
            row = _tsv(pf).iloc[0].to_dict() if len(_tsv(pf)) else {}
            pur.update({k: row.get(k, pur[k]) for k in ("purity", "ploidy", "purity_source")})
        samples_rows.append({"sample": s, "timepoint": tp, **pur})
    if patient.normal:
        samples_rows.insert(0, {"sample": patient.normal, "timepoint": "normal", "purity": "",
                                "ploidy": "", "purity_source": ""})

    out = a.outdir
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    data = render.ReportData(patient=P, samples=pd.DataFrame(samples_rows), summary=summary,
                             candidates=cands, mutations=muts, tumours=patient.tumours,
                             timepoints=patient.timepoints)
    # figures
    lengths = figures.chrom_lengths(muts, segments, contigs)
    if lengths:
        data.circos = figures.circos_plot(muts, patient.tumours, patient.timepoints, segments,
                                          lengths, f"{P}: mutations and copy number")
        write_atomic(figdir / f"{P}.circos.png", data.circos)
    normal_counts = read_counts(a.cnv_dir, patient.normal) if patient.normal else None
    for s, tp in zip(patient.tumours, patient.timepoints):
        if segments[s] is not None and len(segments[s]):
            tc = read_counts(a.cnv_dir, s)
            targets, snps = (figures.cn_points(tc, normal_counts)
                             if tc is not None and normal_counts is not None else (None, None))
            png = figures.cn_panel(segments[s], lengths, s, tp, _float(summary.get(f"purity_{tp}")),
                                   targets, snps)
            data.cn_panels.append((s, png))
            write_atomic(figdir / f"{P}.{s}.cn.png", png)
            if a.cnv_png_dir is not None:
                a.cnv_png_dir.mkdir(parents=True, exist_ok=True)
                write_atomic(a.cnv_png_dir / f"{s}.cnv.png", png)
    genes = [g for g in dict.fromkeys(cands["gene"]) if g in panel]
    for g in genes:
        rows = muts[muts["gene"] == g]
        ranked = set(cands.loc[cands["gene"] == g, "pos"].astype(int))
        lm = [{"aa": figures.protein_position(r.get("hgvs_p", ""), r.get("hgvs_c", "")),
               "label": (r.get("hgvs_p_short") or r.get("hgvs_p") or r.get("hgvs_c") or "").removeprefix("p."),
               "class": r["class"], "highlight": int(r["pos"]) in ranked} for _, r in rows.iterrows()]
        png = figures.lollipop_plot(g, panel[g]["domains"], lm)
        data.lollipops.append((g, png))
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", g)
        write_atomic(figdir / f"{P}.{safe}.lollipop.png", png)
    # IGV
    top = choose_igv(cands, a.max_igv)
    if top.empty:
        data.igv_note = "No candidate to show."
    elif a.igv_js is None or not a.igv_js.exists():
        data.igv_note = ("IGV views not made: igv.js not given (--igv-js; tools/install_igv.sh "
                         "fetches it from npm).")
    elif a.fasta is None or a.bam_dir is None:
        data.igv_note = "IGV views not made: --bam-dir and --fasta are needed."
    else:
        tracks = []
        for s, tp in ([(patient.normal, "normal")] if patient.normal else []) + \
                list(zip(patient.tumours, patient.timepoints)):
            bam = next((p for p in (a.bam_dir / f"{s}.bam", a.bam_dir / f"{s}.cram") if p.exists()),
                       a.bam_dir / f"{s}.bam")
            if not bam.exists():
                raise InputError(bam, None, f"missing BAM/CRAM of sample {s} in --bam-dir")
            tracks.append(igv.Track(f"{s} ({tp})", bam))
        for k, (_, r) in enumerate(top.iterrows()):
            cfg = igv.browser_config(r["chrom"], int(r["pos"]), a.fasta, tracks, a.flank)
            head = (f"#{r['rank']} {r['gene']} {r['hgvs_p'] or r['hgvs_c']} at "
                    f"{r['chrom']}:{int(r['pos']):,} ({r['confidence']})")
            data.igv_blocks.append((head, igv.igv_block(f"igv-{k + 1}", cfg)))
        data.igv_library = igv.igv_library(a.igv_js)
        write_atomic(figdir / f"{P}.igv.html",
                     igv.standalone_page(f"{P}: reads at the top candidates", a.igv_js, data.igv_blocks))
    th = {k.removeprefix("param_"): v for k, v in summary.items() if k.startswith("param_")}
    data.methods = [("escapeseq", __version__), ("Python", platform.python_version())] + [
        (pkg, _version(pkg)) for pkg in ("numpy", "pandas", "pysam", "matplotlib", "pycirclize")]
    if a.igv_js is not None and a.igv_js.exists():
        data.methods.append(("igv.js (npm igv, inlined)", igv_version(a.igv_js)))
    data.methods += [(f"threshold: {k}", v) for k, v in sorted(th.items())]
    data.methods += [("homozygous", "purity-adjusted VAF > homozygous_vaf (Zaretsky et al. 2016: 85 %)"),
                     ("became homozygous", "also a rise of more than homozygous_gain (35 percentage points)"),
                     ("IGV window", f"±{a.flank} bp; at most 400 reads per sample")]
    if a.rna_evidence is not None:
        _add_rna(data, a.rna_evidence, figdir, P)
    page = render.render_report(data)
    report = out / f"{P}.report.html"
    write_atomic(report, page)
    print(report)
    return 0


def _add_rna(data: "render.ReportData", path: Path, figdir: Path, patient: str) -> None:
    """RNA panels + RNA sentences in the candidates' explanations (issue 16)."""
    from escapeseq.evolution.rank import add_rna_explanations
    from escapeseq.report import rna
    df = rna.read_rna_evidence(path)
    data.candidates = add_rna_explanations(data.candidates, df)
    panels, expr = rna.rna_figures(df)
    for k, (label, png) in enumerate(panels, 1):
        write_atomic(figdir / f"{patient}.rna.{k}.png", png)
    if expr is not None:
        write_atomic(figdir / f"{patient}.rna_expression.png", expr)
    data.rna_html = render.rna_section(panels, expr, df)


IDENTITY_NEEDED = ("patient", "normal", "tumour", "n_informative", "log10_lr", "decision")


def read_identity(path: Path) -> list[dict[str, str]]:
    """Rows of one ``<patient>.identity.tsv`` (escapeseq-cnv identity) as dicts of strings."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(path, None, "not UTF-8 text") from None
    if not lines:
        return []
    head = lines[0].split("\t")
    missing = [c for c in IDENTITY_NEEDED if c not in head]
    if missing:
        raise InputError(path, "line 1", f"not an identity table: no column {', '.join(missing)}")
    rows = []
    for n, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        f = line.split("\t")
        if len(f) != len(head):
            raise InputError(path, f"line {n}", f"{len(f)} fields, header has {len(head)}")
        rows.append(dict(zip(head, f)))
    return rows


def main_index(argv: Sequence[str]) -> int:
    a = build_index_parser().parse_args(argv)
    entries = []
    for r in a.reports:
        try:
            blob = render.read_summary_blob(r)
        except OSError as err:
            raise InputError(r, None, f"cannot read: {err.strerror}") from None
        except ValueError as err:
            raise InputError(r, None, f"not an escapeseq report: {err}") from None
        if a.href_template:
            href = a.href_template.format(patient=blob.get("patient", r.stem.split(".")[0]))
        else:
            href = os.path.relpath(r.absolute(), a.outdir.absolute())
        entries.append((Path(href).as_posix(), blob))
    entries.sort(key=lambda e: str(e[1].get("patient")))
    identity = [row for path in a.identity for row in read_identity(path)]
    cohort_maf = None
    if a.mafs is not None:     # read (and check) every MAF before writing anything
        from escapeseq.evolution.maf import merge_mafs
        cohort_maf = merge_mafs(a.mafs)
    a.outdir.mkdir(parents=True, exist_ok=True)
    cohort_html = ""
    if a.tables is not None:
        from escapeseq.report import cohort
        hrefs = {str(blob.get("patient")): href for href, blob in entries}
        view = cohort.build_cohort(a.tables, identity, hrefs)
        write_atomic(a.outdir / "cohort.escape.tsv", cohort.tsv_text(cohort.ESCAPE_COLUMNS, view.events))
        write_atomic(a.outdir / "cohort.summary.tsv", cohort.tsv_text(cohort.SUMMARY_COLUMNS, view.patients))
        cohort_html = cohort.render_cohort(view)
    out = a.outdir / "index.html"
    write_atomic(out, render.render_index(entries, identity, cohort_html))
    print(out)
    if cohort_maf is not None:
        write_atomic(a.outdir / "cohort.maf", cohort_maf)
        print(a.outdir / "cohort.maf")
    return 0


def cli(argv: Sequence[str] | None = None) -> int:
    return run_cli(PROG, main, argv)
