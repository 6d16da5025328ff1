"""escapeseq-evolve: a patient's mutations across timepoints → evolution table, clonal
relatedness summary, ranked resistance candidates and a MultiQC row.

Outputs (in --outdir, each written to a temporary name, then renamed):
  <patient>.mutations.tsv      one row per somatic mutation (DESIGN.md §3 columns, then extras)
  <patient>.candidates.tsv     ranked resistance candidates with a one-sentence explanation
  <patient>.summary.tsv        clonal relatedness: patient metric value description
  <patient>.evolution_mqc.tsv  MultiQC custom content (one row)
  <patient>.maf                MAF: one row per mutation of mutations.tsv per tumour where it
                               is present (escapeseq.evolution.maf)
"""

from __future__ import annotations

import argparse
import math
import os
from pathlib import Path
from typing import Sequence

import pandas as pd

from escapeseq.errors import InputError, add_version, fraction, run_cli
from escapeseq.evolution import inputs
from escapeseq.evolution.maf import build_maf, maf_text
from escapeseq.evolution.rank import CANDIDATE_COLUMNS, RankParams, attach_ranks, rank_candidates
from escapeseq.evolution.summary import mqc_text, summarise, summary_frame
from escapeseq.evolution.table import Thresholds, build_table, format_table

PROG = "escapeseq-evolve"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description=(
        "Classify a patient's somatic mutations as shared / baseline_only / relapse_only "
        "(absence must be powered, else 'unknown'), summarise clonal relatedness and rank "
        "immune-escape resistance candidates. VAFs and powers are fractions in [0, 1]."))
    p.add_argument("--patient", required=True, help="patient id (as in the samplesheet)")
    p.add_argument("--samplesheet", required=True, type=Path,
                   help="validated samplesheet CSV (patient,sample,timepoint,order,status,...,purity,sex); "
                        "order 0 = normal, 1.. = tumours in time order")
    p.add_argument("--vcf", required=True, type=Path,
                   help="<patient>.somatic.vcf.gz: multi-sample somatic VCF with FORMAT/AD for "
                        "the normal and every tumour")
    p.add_argument("--annotation", type=Path, default=None,
                   help="<patient>.annotation.tsv from escapeseq-annotate --tsv (gene, consequence, "
                        "HGVS, lof_confidence, escape_gene, pathway); without it genes are empty")
    p.add_argument("--cnv-dir", type=Path, default=None,
                   help="directory with <sample>.purity.tsv and <sample>.segments.tsv per tumour; "
                        "missing files mean unknown purity / diploid")
    p.add_argument("--loh-changes", type=Path, default=None,
                   help="<patient>.loh_changes.tsv (chrom start end baseline relapse change cn_neutral)")
    p.add_argument("--arms", type=Path, default=None,
                   help="chromosome arms BED (chrom start end name, e.g. chr1p) to name LOH "
                        "intervals by arm in the explanations; optional")
    p.add_argument("--panel", type=Path, default=None,
                   help="escape panel TSV (gene pathway role domains); default assets/escape_panel.tsv")
    p.add_argument("--outdir", required=True, type=Path, help="output directory (created)")
    p.add_argument("--min-alt-reads", type=int, default=2,
                   help="alternate reads needed to call a mutation present at a timepoint (default 2)")
    p.add_argument("--min-power", type=fraction, default=0.95,
                   help="absence counts only when the probability of seeing >= --min-alt-reads "
                        "alt reads, at the level seen elsewhere, is at least this (default 0.95); "
                        "otherwise the class is 'unknown'")
    p.add_argument("--homozygous-vaf", type=fraction, default=0.85,
                   help="purity-adjusted VAF above which a mutation is homozygous (default 0.85)")
    p.add_argument("--homozygous-gain", type=fraction, default=0.35,
                   help="rise of the adjusted VAF from baseline needed for 'became homozygous' "
                        "(fraction: 0.35 = 35 percentage points; default 0.35)")
    p.add_argument("--min-ccf", type=fraction, default=0.5,
                   help="cancer cell fraction at relapse needed for a high-confidence candidate "
                        "(default 0.5)")
    p.add_argument("--keep-filtered", action="store_true",
                   help="also list records failing the caller's filters in mutations.tsv "
                        "(they never count in the summary or the candidates)")
    p.add_argument("--maf-center", default=".",
                   help="MAF Center column (sequencing centre; default '.')")
    p.add_argument("--ncbi-build", default="GRCh38",
                   help="MAF NCBI_Build column, the reference build's name (default GRCh38)")
    add_version(p)
    return p


def write_text_atomic(path: Path, text: str) -> None:
    """Write to <path>.tmp, then rename: no partial file under the final name."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def write_tsv(df: pd.DataFrame, path: Path) -> None:
    write_text_atomic(path, df.to_csv(sep="\t", index=False, lineterminator="\n"))


def load_cnv(cnv_dir: Path | None, patient: inputs.Patient) -> tuple[dict, dict]:
    """Purity (samplesheet value when the CNV fit has none) and segments per tumour."""
    purity, segments = {}, {}
    for s in patient.tumours:
        p = math.nan
        if cnv_dir is not None and (cnv_dir / f"{s}.purity.tsv").exists():
            p = inputs.read_purity(cnv_dir / f"{s}.purity.tsv")
            if not patient.sex:     # the CNV fit's sex call when the samplesheet has none
                sx = pd.read_csv(cnv_dir / f"{s}.purity.tsv", sep="\t", dtype=str,
                                 keep_default_na=False).get("sex")
                patient.sex = str(sx.iloc[0]).lower() if sx is not None and len(sx) else ""
        if math.isnan(p):
            p = patient.sheet_purity.get(s, math.nan)
        purity[s] = p
        seg = cnv_dir / f"{s}.segments.tsv" if cnv_dir is not None else None
        segments[s] = inputs.read_segments(seg) if seg is not None and seg.exists() else None
    return purity, segments


def main(argv: Sequence[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    if a.min_alt_reads < 1:
        raise InputError(None, "--min-alt-reads", "must be >= 1")
    if a.cnv_dir is not None and not a.cnv_dir.is_dir():
        raise InputError(a.cnv_dir, None, "--cnv-dir is not a directory")
    patient = inputs.read_samplesheet(a.samplesheet, a.patient)
    samples = ([patient.normal] if patient.normal else []) + patient.tumours
    calls = inputs.read_vcf(a.vcf, samples)
    if not a.keep_filtered:
        keep = (calls.sites["filter"] == "PASS").to_numpy()
        calls = calls.subset(keep)
    annotation = inputs.read_annotation(a.annotation)
    panel = inputs.load_panel(a.panel)
    loh = inputs.read_loh_changes(a.loh_changes)
    purity, segments = load_cnv(a.cnv_dir, patient)
    th = Thresholds(a.min_alt_reads, a.min_power, a.homozygous_vaf, a.homozygous_gain)
    table = build_table(patient, calls, annotation, purity, segments, loh, panel, th)
    cands = rank_candidates(table, patient, loh, panel, RankParams(a.min_ccf),
                            inputs.read_arms(a.arms))
    table = attach_ranks(table, cands)
    rows = summarise(patient, table, cands, loh, purity)
    rows += [(f"param_{k}", v, "escapeseq-evolve threshold") for k, v in (
        ("min_alt_reads", a.min_alt_reads), ("min_power", a.min_power),
        ("homozygous_vaf", a.homozygous_vaf), ("homozygous_gain", a.homozygous_gain),
        ("min_ccf", a.min_ccf), ("keep_filtered", str(a.keep_filtered).lower()))]
    a.outdir.mkdir(parents=True, exist_ok=True)
    P = a.patient
    write_tsv(format_table(table), a.outdir / f"{P}.mutations.tsv")
    write_tsv(format_table(cands[CANDIDATE_COLUMNS]), a.outdir / f"{P}.candidates.tsv")
    write_tsv(summary_frame(patient, rows), a.outdir / f"{P}.summary.tsv")
    write_text_atomic(a.outdir / f"{P}.evolution_mqc.tsv", mqc_text(patient, rows))
    maf = build_maf(table, calls, patient, annotation, cands, a.min_alt_reads,
                    a.homozygous_vaf, center=a.maf_center, ncbi_build=a.ncbi_build)
    write_text_atomic(a.outdir / f"{P}.maf", maf_text(maf))
    return 0


def cli(argv: Sequence[str] | None = None) -> int:
    return run_cli(PROG, main, argv)
