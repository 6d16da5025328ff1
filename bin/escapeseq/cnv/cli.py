"""``escapeseq-cnv``: copy number, purity/ploidy, LOH and sample identity.

Subcommands (run ``escapeseq-cnv <cmd> --help`` for every option):

  pileup       one pass over a BAM → counts table (targets + SNPs); for the normal also
               germline SNP calls (--call-snps)
  fit          a patient's tumours vs its normal → per tumour purity.tsv, segments.tsv,
               .seg, .cnv.png, MultiQC custom content; purity from allelic imbalance
               and/or the clonal somatic VAF peak (--somatic-vcf); with
               --loh-changes also the LOH changes between the tumours
  pileup-patient  a patient's BAMs in one process: the normal's pileup and germline
               SNPs, every tumour counted at them, and the identity check (the
               pipeline's one CNV_PILEUP task per patient)
  identity     same person as the normal? LR per tumour (LOH-proof), decision
               match | mismatch | undecidable (exit 0; exit 2 only for bad input)
  loh-changes  a patient's segment tables in time order → loh_changes.tsv
"""

from __future__ import annotations

import argparse
import math
from dataclasses import replace
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Sequence

from ..errors import InputError, add_version, fraction, positive_fraction, run_cli
from ..fileio import write_atomic
if TYPE_CHECKING:
    import pandas as pd

# Every subcommand imports what it runs (numpy/pandas, the fit and
# segmenter, the compiled pileup kernels of escapeseq.cnv.snps.pileup) in its own
# function: `--help`, `--version` and the light subcommands start without them.

PROG = "escapeseq-cnv"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    add_version(p)
    sub = p.add_subparsers(dest="cmd", required=True)

    q = sub.add_parser("pileup", help="one pass over a BAM: target depths and SNP counts",
                       description="Count reads over targets (+flanks) in one pass: "
                       "mean depth, GC fraction and length per target, and ref/alt "
                       "counts at SNPs. For the normal, --call-snps also calls germline "
                       "SNPs (het/hom) from allele counts; for a tumour, --snps gives the "
                       "normal's SNP list to count at.")
    q.add_argument("--fasta", required=True, help="reference FASTA (indexed, .fai)")
    q.add_argument("--targets", required=True, help="capture targets BED (0-based)")
    q.add_argument("--bam", required=True, help="aligned, indexed BAM/CRAM")
    q.add_argument("--sample", required=True, help="sample name; must match the BAM's "
                   "@RG SM when the BAM has one")
    q.add_argument("--snps", help="SNP list (TSV with chrom pos ref alt; the normal's "
                   "--call-snps output) to count alleles at")
    q.add_argument("--call-snps", metavar="SNPS_TSV", help="write germline SNP calls "
                   "here (columns chrom pos ref alt depth ref_count alt_count vaf "
                   "genotype known); their counts also go into --out")
    q.add_argument("--population-vcf", help="with --call-snps: keep only SNPs at sites "
                   "(chrom, pos, alt) of this population VCF (e.g. gnomAD common SNPs)")
    q.add_argument("--population-ref-sites", metavar="MIN_AF", type=positive_fraction,
                   help="with --call-snps and --population-vcf: also list the population "
                   "SNPs of INFO/AF >= MIN_AF where the normal is homozygous reference "
                   "(genotype ref), so tumours are counted there too: the identity "
                   "test's strongest evidence (e.g. 0.05)")
    q.add_argument("--out", required=True, help="counts table to write (.tsv or .tsv.gz)")
    _pileup_options(q)

    pp = sub.add_parser("pileup-patient", help="a patient's BAMs: pileups, SNPs, identity",
                        description="One process for a patient: `pileup --call-snps` of "
                        "the normal, `pileup --snps` of every tumour at the normal's SNPs "
                        "(--threads tumours at a time) and `identity` of every tumour "
                        "against the normal. Writes <sample>.counts.tsv.gz per sample and "
                        "<normal>.snps.tsv in --outdir; the same files, byte for byte, as "
                        "the separate subcommands.")
    pp.add_argument("--fasta", required=True, help="reference FASTA (indexed, .fai)")
    pp.add_argument("--targets", required=True, help="capture targets BED (0-based)")
    pp.add_argument("--patient", required=True, help="patient id")
    pp.add_argument("--normal-bam", required=True, help="the normal's BAM/CRAM (indexed)")
    pp.add_argument("--normal-sample", required=True, help="the normal's sample name")
    pp.add_argument("--tumour-bam", required=True, nargs="+", help="tumour BAM/CRAMs")
    pp.add_argument("--tumour-sample", required=True, nargs="+", help="tumour sample "
                    "names, in the order of --tumour-bam")
    pp.add_argument("--outdir", required=True, help="directory for the counts and SNPs")
    pp.add_argument("--threads", type=int, default=1, help="tumours counted at once "
                    "(default 1)")
    _pileup_options(pp)
    pp.add_argument("--identity", required=True, metavar="TSV", help="identity --out")
    _identity_options(pp, "--identity-min-depth")

    f = sub.add_parser("fit", help="segments, purity/ploidy, allele-specific CN, LOH",
                       description="Log2 depth ratio (GC/size corrected) and BAF at the "
                       "normal's heterozygous SNPs; joint segmentation; purity/ploidy "
                       "grid search with integer major/minor copy numbers; LOH and "
                       "copy-neutral LOH per segment. Purity evidence: allelic "
                       "imbalance (copy-number fit) and, with --somatic-vcf, the clonal "
                       "somatic VAF peak; purity_source in <sample>.purity.tsv says "
                       "which decided: samplesheet (--purity), allelic_imbalance, "
                       "somatic_vaf, combined or not_estimable.")
    f.add_argument("--patient", required=True, help="patient id (for messages/MultiQC)")
    f.add_argument("--normal", required=True, help="normal counts table (pileup "
                   "--call-snps)")
    f.add_argument("--tumour", required=True, nargs="+", help="tumour counts table(s) "
                   "(pileup --snps), a patient's tumours in timepoint order")
    f.add_argument("--sample", required=True, nargs="+", help="tumour sample name(s), "
                   "in the order of --tumour")
    f.add_argument("--purity", type=purity_or_auto, nargs="+", help="purity fraction "
                   "per tumour from the samplesheet, in the order of --tumour ('auto': "
                   "estimate): overrides the estimate (which is still reported)")
    f.add_argument("--somatic-vcf", metavar="VCF", help="the patient's multi-sample "
                   "somatic VCF (escapeseq-call gather: FORMAT AD or DP/AF per sample, "
                   "sample names = sample IDs): PASS SNVs with enough depth in --sample "
                   "give a purity from the clonal VAF peak, used when allelic imbalance "
                   "gives no anchor and combined with it when both exist")
    f.add_argument("--min-somatic-depth", type=int, default=20, help="--somatic-vcf: "
                   "reads needed at an SNV in this sample (default 20)")
    f.add_argument("--sex", choices=["auto", "female", "male"], default="auto",
                   help="chrX/chrY are haploid in males; auto infers from the normal's "
                   "chrX depth (default auto)")
    f.add_argument("--outdir", required=True, help="directory for <sample>.purity.tsv, "
                   ".segments.tsv, .seg, .cnv.png, .cnv_mqc.tsv")
    f.add_argument("--min-het-snps", type=int, default=50, help="fewer heterozygous SNPs "
                   "than this: purity not estimable (default 50)")
    f.add_argument("--segment-penalty", type=float, default=6.0, help="segmentation "
                   "penalty × log(n): higher = fewer, longer segments (default 6)")
    f.add_argument("--min-segment-points", type=int, default=20, help="minimum targets + "
                   "SNPs per segment (default 20)")
    f.add_argument("--event-penalty", type=float, default=0.6, help="parsimony cost per "
                   "copy-number event in the fit (default 0.6)")
    f.add_argument("--max-cn", type=int, default=8, help="largest total copy number "
                   "fitted (default 8)")
    f.add_argument("--no-plot", action="store_true", help="skip the PNG")
    f.add_argument("--loh-changes", metavar="TSV", help="also write the LOH changes "
                   "between the tumours (first = baseline, the change is baseline vs the "
                   "last; as `loh-changes`) here; needs two or more tumours")
    f.add_argument("--loh-min-size", type=int, default=0, help="--loh-changes: "
                   "loh-changes --min-size (default 0)")
    f.add_argument("--loh-min-fraction", type=float, default=0.2, help="--loh-changes: "
                   "loh-changes --min-fraction (default 0.2)")

    i = sub.add_parser("identity", help="is each tumour the normal's person? (LOH-proof)",
                       description="Likelihood ratio 'same person vs unrelated person' "
                       "for each tumour against the patient's normal, from sites where "
                       "the normal is homozygous: another person's allele showing up in "
                       "the tumour at a germline-like fraction is evidence of a swap; a "
                       "heterozygous site going to one allele (LOH) is no evidence. "
                       "Decision per tumour: match, mismatch or undecidable. A mismatch "
                       "exits 0 (the pipeline stops only that patient, from --decision); "
                       "exit 2 only for bad input.")
    i.add_argument("--patient", required=True, help="patient id")
    i.add_argument("--normal", required=True, help="normal counts table (pileup "
                   "--call-snps)")
    i.add_argument("--normal-sample", required=True, help="normal sample name")
    i.add_argument("--tumour", required=True, nargs="+", help="tumour counts tables "
                   "(pileup --snps at the normal's SNPs)")
    i.add_argument("--tumour-sample", nargs="+", help="tumour sample names, in the "
                   "order of --tumour (default: file name up to the first '.')")
    i.add_argument("--out", required=True, help="<patient>.identity.tsv, one row per "
                   "tumour (columns patient normal tumour n_sites n_informative ... "
                   "log10_lr contamination concordance decision reason; docs/output.md)")
    _identity_options(i, "--min-depth")
    i.add_argument("--threshold", type=positive_fraction, default=None,
                   help="deprecated, ignored: genotype concordance no longer decides "
                   "identity (LOH lowers it in a true pair); kept so old arguments "
                   "parse. Concordance at the homozygous sites is still reported")

    l = sub.add_parser("loh-changes", help="LOH changes between a patient's timepoints",
                       description="Intersect the segment tables of the timepoints; per "
                       "interval the status (het, loh, cn_loh, unknown) at each; change "
                       "baseline → last relapse: acquired, lost, shared.")
    l.add_argument("--patient", required=True, help="patient id")
    l.add_argument("--baseline", required=True, help="baseline <sample>.segments.tsv")
    l.add_argument("--relapse", required=True, nargs="+", help="relapse segments "
                   "table(s), in time order; the change is baseline vs the last")
    l.add_argument("--out", required=True, help="<patient>.loh_changes.tsv")
    l.add_argument("--min-size", type=int, default=0, help="drop intervals shorter "
                   "than this many bp (default 0)")
    l.add_argument("--min-fraction", type=float, default=0.2, help="drop intervals "
                   "shorter than this fraction of the shortest segment covering them in "
                   "any timepoint: slivers from breakpoint jitter (default 0.2)")
    return p


def _pileup_options(p: argparse.ArgumentParser) -> None:
    """The read filters and SNP-calling depth of `pileup` (and `pileup-patient`)."""
    p.add_argument("--flank", type=int, default=150, help="bp added on each side of every "
                   "target when looking for SNPs (default 150)")
    p.add_argument("--min-mapq", type=int, default=20, help="minimum read mapping "
                   "quality (default 20)")
    p.add_argument("--min-baseq", type=int, default=20, help="minimum base quality "
                   "(default 20)")
    p.add_argument("--min-depth", type=int, default=15, help="SNP calling in the normal: "
                   "minimum depth at a SNP (default 15)")


def _identity_options(p: argparse.ArgumentParser, depth_flag: str) -> None:
    """The evidence, outputs and thresholds of `identity` (and `pileup-patient`, where the
    site depth is ``--identity-min-depth``: --min-depth is the pileup's)."""
    p.add_argument("--germline-resource", metavar="VCF", help="identity: population VCF "
                   "with INFO/AF (e.g. gnomAD), bgzipped and tabix-indexed: allele "
                   "frequencies for the 'unrelated person' model; without it (or at "
                   "sites it lacks) a flat prior updated by the normal's genotype")
    p.add_argument("--mqc", help="identity: also write MultiQC custom content (TSV) here")
    p.add_argument("--decision", metavar="FILE", help="identity: write one word for the "
                   "patient here: mismatch if any tumour mismatches, else undecidable if "
                   "any is undecidable, else match")
    p.add_argument(depth_flag, type=int, default=15, help="identity: minimum reads at a "
                   "site in the normal and in the tumour (default 15)")
    p.add_argument("--min-sites", type=int, default=10, help="identity: fewer "
                   "informative (normal-homozygous) sites: undecidable (default 10)")
    p.add_argument("--min-log10-lr", type=float, default=2.0, help="identity: |log10 "
                   "likelihood ratio| needed to decide match or mismatch (default 2: 100 "
                   "to 1)")
    p.add_argument("--error-rate", type=positive_fraction, default=0.01, help="identity: "
                   "per-read probability of the other allele at a homozygous site "
                   "(default 0.01)")
    p.add_argument("--max-contamination", type=fraction, default=0.1, help="identity: "
                   "largest fraction of another person's DNA in a tumour still called the "
                   "same person; the best fraction is fitted and reported (default 0.1)")


def _main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    return {"pileup": cmd_pileup, "pileup-patient": cmd_pileup_patient, "fit": cmd_fit,
            "identity": cmd_identity,
            "loh-changes": cmd_loh_changes}[args.cmd](args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``bin/escapeseq-cnv``: bad input → one line, exit 2."""
    return run_cli(PROG, _main, argv)


# --------------------------------------------------------------------------- pileup
def cmd_pileup(a: argparse.Namespace) -> int:
    from .snps import PileupParams, pileup, read_population_sites, read_snp_list, write_tsv
    if a.population_ref_sites is not None and not (a.call_snps and a.population_vcf):
        raise InputError(None, "--population-ref-sites", "needs --call-snps and "
                         "--population-vcf")
    params = PileupParams(flank=a.flank, min_mapq=a.min_mapq, min_baseq=a.min_baseq,
                          call_min_depth=a.min_depth,
                          ref_sites_min_af=a.population_ref_sites)
    snps = read_snp_list(a.snps) if a.snps else None
    pop = read_population_sites(a.population_vcf) if a.population_vcf else None
    counts, calls = pileup(a.bam, a.fasta, a.targets, a.sample, snps=snps,
                           call_snps=bool(a.call_snps), population=pop, params=params)
    if a.call_snps:
        write_tsv(calls, a.call_snps)
    write_tsv(counts, a.out)
    return 0


def cmd_pileup_patient(a: argparse.Namespace) -> int:
    """`pileup` of the normal and of every tumour, then `identity`, in one interpreter.

    Each step runs the same function on the same inputs as its own subcommand (the SNP list
    and the counts are read back from the files just written, as the separate tasks read
    them), so the files are the separate subcommands' byte for byte."""
    if len(a.tumour_sample) != len(a.tumour_bam):
        raise InputError(None, "--tumour-sample", f"{len(a.tumour_sample)} names for "
                         f"{len(a.tumour_bam)} --tumour-bam files")
    names = [a.normal_sample] + list(a.tumour_sample)
    if len(set(names)) != len(names):
        raise InputError(None, "--tumour-sample", "a sample name is given twice")
    if a.threads < 1:
        raise InputError(None, "--threads", "must be >= 1")
    out = Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    common = dict(fasta=a.fasta, targets=a.targets, flank=a.flank, min_mapq=a.min_mapq,
                  min_baseq=a.min_baseq, min_depth=a.min_depth, population_vcf=None,
                  population_ref_sites=None)
    snps = out / f"{a.normal_sample}.snps.tsv"
    cmd_pileup(argparse.Namespace(**common, bam=a.normal_bam, sample=a.normal_sample,
                                  snps=None, call_snps=str(snps),
                                  out=str(out / f"{a.normal_sample}.counts.tsv.gz")))
    jobs = [argparse.Namespace(**common, bam=bam, sample=name, snps=str(snps), call_snps=None,
                               out=str(out / f"{name}.counts.tsv.gz"))
            for bam, name in zip(a.tumour_bam, a.tumour_sample)]
    if a.threads > 1 and len(jobs) > 1:
        from concurrent.futures import ThreadPoolExecutor
        with ThreadPoolExecutor(max_workers=min(a.threads, len(jobs))) as pool:
            list(pool.map(cmd_pileup, jobs))
    else:
        for job in jobs:
            cmd_pileup(job)
    return cmd_identity(argparse.Namespace(
        patient=a.patient, normal=str(out / f"{a.normal_sample}.counts.tsv.gz"),
        normal_sample=a.normal_sample, tumour=[j.out for j in jobs],
        tumour_sample=list(a.tumour_sample), germline_resource=a.germline_resource,
        out=a.identity, mqc=a.mqc, decision=a.decision, min_depth=a.identity_min_depth,
        min_sites=a.min_sites, min_log10_lr=a.min_log10_lr, error_rate=a.error_rate,
        max_contamination=a.max_contamination, threshold=None))


# --------------------------------------------------------------------------- fit
def _r(x: float, nd: int = 4) -> object:
    return "" if x is None or (isinstance(x, float) and not math.isfinite(x)) \
        else round(float(x), nd)


def purity_or_auto(text: str) -> float | None:
    """argparse type: a purity fraction in (0, 1], or 'auto' (None: estimate it)."""
    return None if text.strip().lower() in ("auto", "na", "") else positive_fraction(text)


def cmd_fit(a: argparse.Namespace) -> int:
    """Fit every tumour of the patient (one interpreter for all), then the LOH changes."""
    from .snps import read_counts
    if len(a.sample) != len(a.tumour):
        raise InputError(None, "--sample", f"{len(a.sample)} names for {len(a.tumour)} "
                         "--tumour files")
    purities = a.purity if a.purity is not None else [None] * len(a.tumour)
    if len(purities) != len(a.tumour):
        raise InputError(None, "--purity", f"{len(purities)} values for {len(a.tumour)} "
                         "--tumour files (use 'auto' for a tumour without one)")
    if len(set(a.sample)) != len(a.sample):
        raise InputError(None, "--sample", "a sample name is given twice")
    if a.min_somatic_depth < 1:
        raise InputError(None, "--min-somatic-depth", "must be >= 1")
    if a.loh_changes and len(a.tumour) < 2:
        raise InputError(None, "--loh-changes", "needs two or more tumours")
    normal = read_counts(a.normal)
    out = Path(a.outdir)
    out.mkdir(parents=True, exist_ok=True)
    segment_files = [_fit_one(a, normal, path, sample, purity, out)
                     for path, sample, purity in zip(a.tumour, a.sample, purities)]
    if a.loh_changes:
        from .loh import loh_changes
        from .snps import write_tsv
        write_tsv(loh_changes([read_segments(str(f)) for f in segment_files], list(a.sample),
                              min_size=a.loh_min_size, min_fraction=a.loh_min_fraction),
                  a.loh_changes)
    return 0


def _fit_one(a: argparse.Namespace, normal: pd.DataFrame, tumour_path: str, sample: str,
             purity: float | None, out: Path) -> Path:
    """One tumour: <sample>.purity.tsv, .segments.tsv, .seg, .cnv_mqc.tsv, .cnv.png in
    ``out``; returns the segments file."""
    from .clonal import VafPurityParams, read_somatic_snvs
    from .fit import FitParams
    from .segment import SegmentParams
    from .tumour import SEGMENT_COLUMNS, AnalysisParams, analyse_tumour
    import numpy as np
    import pandas as pd
    from .loh import fraction_genome_loh
    from .snps import read_counts, write_tsv
    tumour = read_counts(tumour_path)
    params = AnalysisParams(
        segment=SegmentParams(penalty=a.segment_penalty,
                              min_points=a.min_segment_points),
        fit=FitParams(min_het_snps=a.min_het_snps, event_penalty=a.event_penalty,
                      max_cn=a.max_cn))
    somatic = read_somatic_snvs(a.somatic_vcf, sample) if a.somatic_vcf else None
    params = replace(params, vaf=VafPurityParams(min_depth=a.min_somatic_depth))
    res = analyse_tumour(normal, tumour, sample, sex=a.sex, purity=purity,
                         params=params, somatic=somatic)
    seg = res.segments
    known = seg["cn_total"] >= 0
    segs = seg.copy()
    for c in ("cn_total", "cn_major", "cn_minor"):
        segs[c] = np.where(known, segs[c].astype(int).astype(str), "")
    for c in ("loh", "cn_neutral_loh", "subclonal"):
        segs[c] = np.where(known, np.where(segs[c], "true", "false"), "")
    segs["log2_ratio"] = segs["log2_ratio"].round(4)
    segs["baf"] = segs["baf"].round(4)
    segs["fit_deviation"] = segs["fit_deviation"].round(3)
    write_tsv(segs[SEGMENT_COLUMNS], out / f"{sample}.segments.tsv")
    igv = pd.DataFrame({"ID": sample, "chrom": seg["chrom"], "loc.start": seg["start"],
                        "loc.end": seg["end"], "num.mark": seg["n_targets"] + seg["n_snps"],
                        "seg.mean": seg["log2_ratio"].round(4)})
    write_tsv(igv, out / f"{sample}.seg")
    fit = res.fit
    floh = fraction_genome_loh(segs) if known.any() else float("nan")
    row = {"sample": sample, "patient": a.patient, "purity": _r(fit.purity, 3),
           "ploidy": _r(fit.ploidy, 3), "purity_source": res.purity_source,
           "fit_score": _r(fit.score), "goodness_of_fit": _r(fit.goodness_of_fit)}
    for k in range(3):
        ru = fit.runner_ups[k] if k < len(fit.runner_ups) else (None, None, None)
        row[f"runner_up_{k + 1}_purity"] = _r(ru[0], 3)
        row[f"runner_up_{k + 1}_ploidy"] = _r(ru[1], 3)
        row[f"runner_up_{k + 1}_score"] = _r(ru[2])
    vp = res.vaf_purity
    row.update({"estimated_purity": _r(res.estimated_purity, 3),
                "purity_allelic_imbalance": _r(res.purity_allelic_imbalance, 3),
                "purity_somatic_vaf": _r(vp.purity, 3) if vp else "",
                "purity_somatic_vaf_se": _r(vp.se, 3) if vp else "",
                "n_somatic_snvs": vp.n_mutations if vp else "", "sex": res.sex,
                "n_het_snps": res.n_het_snps, "n_segments": len(seg),
                "fraction_genome_loh": _r(floh), "note": fit.note})
    write_tsv(pd.DataFrame([row]), out / f"{sample}.purity.tsv")
    mqc = ("# id: 'escapeseq_cnv'\n# section_name: 'Purity, ploidy and LOH'\n"
           "# description: 'escapeseq-cnv fit: tumour purity (fraction), ploidy and "
           "fraction of the genome with LOH'\n# plot_type: 'table'\n"
           "# pconfig:\n#     id: 'escapeseq_cnv_table'\n#     namespace: 'CNV'\n"
           "Sample\tpatient\tpurity\tploidy\tpurity_source\tfraction_genome_loh\t"
           "goodness_of_fit\n"
           f"{sample}\t{a.patient}\t{row['purity']}\t{row['ploidy']}\t"
           f"{res.purity_source}\t{row['fraction_genome_loh']}\t{row['goodness_of_fit']}\n")
    write_atomic(out / f"{sample}.cnv_mqc.tsv", mqc)
    if not a.no_plot:  # the report's copy-number panel (the pipeline draws it in REPORT)
        from escapeseq.evolution.inputs import read_segments
        from escapeseq.report.figures import chrom_lengths, cn_panel, cn_points
        drawn = read_segments(out / f"{sample}.segments.tsv")
        targets, snps = cn_points(tumour, normal)
        png = cn_panel(drawn, chrom_lengths(targets, {sample: drawn}), sample,
                       f"patient {a.patient}", fit.purity, targets, snps)
        write_atomic(out / f"{sample}.cnv.png", png)
    if not np.isfinite(fit.purity):
        print(f"{PROG}: warning: {sample}: purity not estimable: {fit.note}",
              file=sys.stderr)
    elif not known.any():
        print(f"{PROG}: warning: {sample}: copy number unknown: {fit.note}",
              file=sys.stderr)
    return out / f"{sample}.segments.tsv"


# --------------------------------------------------------------------------- identity
def cmd_identity(a: argparse.Namespace) -> int:
    import pandas as pd
    from .identity import IDENTITY_COLUMNS, IdentityParams, compare, patient_decision
    from .snps import read_counts, read_population_af, write_tsv
    names = a.tumour_sample or [Path(t).name.split(".")[0] for t in a.tumour]
    if len(names) != len(a.tumour):
        raise InputError(None, "--tumour-sample", f"{len(names)} names for "
                         f"{len(a.tumour)} --tumour files")
    for opt, val in (("--min-depth", a.min_depth), ("--min-sites", a.min_sites)):
        if val < 0:
            raise InputError(None, opt, "must be >= 0")
    if not math.isfinite(a.min_log10_lr) or a.min_log10_lr < 0:
        raise InputError(None, "--min-log10-lr", "must be a number >= 0")
    params = IdentityParams(min_depth=a.min_depth, min_sites=a.min_sites,
                            min_log10_lr=a.min_log10_lr, error=a.error_rate,
                            max_contamination=a.max_contamination)
    normal = read_counts(a.normal)
    tumours = [read_counts(path) for path in a.tumour]
    pop = None
    if a.germline_resource:
        snps = normal.loc[normal["type"] == "snp", ["chrom", "start", "alt"]]
        pop = read_population_af(a.germline_resource, snps)
    rows = []
    for tab, name in zip(tumours, names):
        r = compare(normal, tab, params, pop)
        rows.append({"patient": a.patient, "normal": a.normal_sample, "tumour": name,
                     **r, "log10_lr": _r(r["log10_lr"], 3),
                     "contamination": _r(r["contamination"], 3),
                     "concordance": _r(r["concordance"])})
    df = pd.DataFrame(rows, columns=IDENTITY_COLUMNS)
    write_tsv(df, a.out)
    verdict = patient_decision([r["decision"] for r in rows])
    if a.mqc:
        lines = ["# id: 'escapeseq_identity'",
                 "# section_name: 'Sample identity (normal vs tumour)'",
                 "# description: 'log10 likelihood ratio same person vs unrelated person "
                 "at the sites where the normal is homozygous (LOH cannot create an "
                 "allele the normal lacks). A mismatch stops that patient only.'",
                 "# plot_type: 'table'", "# pconfig:", "#     id: 'escapeseq_identity_table'",
                 "Sample\tpatient\tnormal\tdecision\tlog10_lr\tn_informative\t"
                 "n_foreign_allele\tcontamination\treason"]
        for r in rows:
            lines.append(f"{r['tumour']}\t{a.patient}\t{a.normal_sample}\t"
                         f"{r['decision']}\t{r['log10_lr']}\t{r['n_informative']}\t"
                         f"{r['n_foreign_allele']}\t{r['contamination']}\t{r['reason']}")
        write_atomic(Path(a.mqc), "\n".join(lines) + "\n")
    if a.decision:
        write_atomic(Path(a.decision), verdict + "\n")
    for r in rows:
        if r["decision"] != "match":
            what = ("does not match" if r["decision"] == "mismatch"
                    else "cannot be matched to")
            print(f"{PROG}: warning: patient {a.patient}: tumour {r['tumour']} {what} "
                  f"normal {a.normal_sample}: {r['reason']}", file=sys.stderr)
    return 0


# --------------------------------------------------------------------------- loh-changes
SEG_REQUIRED = ["sample", "chrom", "start", "end", "cn_total", "cn_minor", "loh",
                "cn_neutral_loh"]


def read_segments(path: str) -> pd.DataFrame:
    """Read a ``<sample>.segments.tsv`` (checks columns and integer start/end)."""
    import numpy as np
    import pandas as pd
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(path, None, "file not found")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as e:
        raise InputError(path, None, f"cannot parse as TSV ({type(e).__name__})")
    missing = [c for c in SEG_REQUIRED if c not in df.columns]
    if missing:
        raise InputError(path, "header", f"missing column(s) {', '.join(missing)}")
    for c in ("start", "end"):
        num = pd.to_numeric(df[c], errors="coerce")
        if num.isna().any():
            i = int(np.flatnonzero(num.isna().to_numpy())[0])
            raise InputError(path, f"row {i + 2}, column {c}", "not an integer")
        df[c] = num.astype(np.int64)
    bad = df["end"] < df["start"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + 2}", "end < start")
    return df


def cmd_loh_changes(a: argparse.Namespace) -> int:
    from .loh import loh_changes
    from .snps import write_tsv
    paths = [a.baseline] + list(a.relapse)
    tables = [read_segments(p) for p in paths]
    names = []
    for p, t in zip(paths, tables):
        s = t["sample"].unique()
        names.append(s[0] if len(s) else Path(p).name.split(".")[0])
    df = loh_changes(tables, names, min_size=a.min_size,
                     min_fraction=a.min_fraction)
    write_tsv(df, a.out)
    return 0
