"""escapeseq-call: Mutect-style paired somatic calling over interval chunks.

Subcommands: ``split`` (targets -> balanced chunk BEDs), ``call`` (one chunk: every tumour
against the normal, union of sites genotyped in every sample), ``gather`` (chunk VCFs
-> one per-patient VCF), ``pon-sites`` (alternate-evidence sites of one normal) and
``pon-merge`` (per-normal sites -> panel-of-normals VCF for ``call --pon``). See ``escapeseq-call <subcommand> --help``.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from escapeseq.errors import InputError, add_version
from escapeseq.fileio import is_gzip
from escapeseq.samplesheet import validate_vcf_resource
from escapeseq.somatic.defaults import MIN_CLIP, MIN_SEP
from escapeseq.somatic.defaults import FilterParams
from escapeseq.somatic.intervals import (chunk_count, pad_merge, read_bed, read_fai,
                                         split_balanced, write_bed)

if TYPE_CHECKING:
    import pysam

# pysam and the compiled calling kernels (numba) are imported by the subcommands
# that use them: `--help`, `--version`, `split` and `gather` start without them.

PROG = "escapeseq-call"


def _bool(s: str) -> bool:
    if s.lower() in ("true", "yes", "1"):
        return True
    if s.lower() in ("false", "no", "0"):
        return False
    raise argparse.ArgumentTypeError(f"expected true/false, got {s!r}")


def build_parser() -> argparse.ArgumentParser:
    """Argument parser with the three subcommands."""
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__,
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    add_version(ap)
    sub = ap.add_subparsers(dest="cmd", required=True)

    sp = sub.add_parser("split", help="split targets into N balanced interval chunks",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                        description="Pad targets, merge overlaps, order by FASTA contig order and cut into "
                                    "at most N consecutive chunks of near-equal bp (targets never split). "
                                    "Writes chunk_001.bed ... : min(N, max(1, floor(padded target bp / "
                                    "--min-chunk-bp))) chunks, fewer when there are fewer intervals.")
    sp.add_argument("--targets", required=True, help="targets BED (0-based half-open)")
    sp.add_argument("--fasta-fai", required=True, help="FASTA index (.fai) giving contig order and lengths")
    sp.add_argument("--count", type=int, default=1, help="maximum number of chunks N")
    sp.add_argument("--min-chunk-bp", type=int, default=0,
                    help="smallest average chunk size in bp (padded, merged targets): fewer chunks "
                         "than --count when the targets are small, since every chunk is a task with "
                         "a fixed start-up cost; 0 = always --count chunks")
    sp.add_argument("--padding", type=int, default=0, help="bp added to both sides of every target")
    sp.add_argument("--outdir", required=True, help="directory for chunk_NNN.bed")

    cp = sub.add_parser("call", help="call one interval chunk of one patient",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                        description="Call every tumour against the normal, take the union of candidate "
                                    "sites and genotype the normal and every tumour at each, writing a "
                                    "bgzipped, tabix-indexed multi-sample VCF 4.2 (PASS and filtered "
                                    "records). Sample names come from each BAM's @RG SM.")
    cp.add_argument("--fasta", required=True, help="reference FASTA (indexed .fai)")
    cp.add_argument("--normal", required=True, help="normal BAM/CRAM")
    cp.add_argument("--tumour", action="append", required=True,
                    help="tumour BAM/CRAM; repeat for every timepoint (VCF column order = order given)")
    cp.add_argument("--regions", required=True, help="BED of the intervals of this chunk")
    cp.add_argument("--out", required=True, help="output .vcf.gz (a .tbi is written beside it)")
    cp.add_argument("--padding", type=int, default=0,
                    help="bp added around every region (pad in `split` instead when scattering, so "
                         "chunks cannot overlap)")
    cp.add_argument("--pon", help="panel of normals VCF (bgzipped + indexed, e.g. from pon-merge); matching "
                                   "sites (POS, REF, ALT) get panel_of_normals")
    cp.add_argument("--pon-index", help="index (.tbi/.csi) of --pon when it is not beside it "
                                         "(default: <pon>.tbi or <pon>.csi)")
    cp.add_argument("--germline-resource", help="population VCF with INFO/AF (bgzipped + indexed)")
    cp.add_argument("--germline-resource-index",
                    help="index (.tbi/.csi) of --germline-resource when it is not beside it")
    cp.add_argument("--threads", type=int, default=1, help="htslib decompression threads per BAM")
    g = cp.add_argument_group("read filters")
    g.add_argument("--min-mapq", type=int, default=20, help="minimum mapping quality (Phred)")
    g.add_argument("--min-baseq", type=int, default=20, help="minimum base quality (Phred)")
    g.add_argument("--keep-duplicates", action="store_true", help="count reads flagged duplicate")
    g.add_argument("--keep-secondary", action="store_true", help="count secondary alignments")
    g.add_argument("--keep-supplementary", action="store_true", help="count supplementary alignments")
    g.add_argument("--require-proper-pair", type=_bool, default=False,
                   help="drop paired reads not flagged proper pair (true/false)")
    g = cp.add_argument_group("candidates and emission")
    g.add_argument("--emit-tlod", type=float, default=3.0, help="emit a site if some tumour's TLOD reaches this")
    g.add_argument("--candidate-min-alt", type=int, default=2,
                   help="alternate reads in one tumour for a site to be evaluated")
    g.add_argument("--candidate-qual", type=float, default=30.0,
                   help="base quality assumed by the count-only TLOD screen of pass 1")
    g.add_argument("--indel-qual-cap", type=int, default=40,
                   help="cap (Phred) on an indel read's quality: its realignment margin between haplotypes, or "
                        "its anchor-base quality for MNVs")
    g.add_argument("--min-clip", type=int, default=MIN_CLIP,
                   help="soft clips of at least this many bases are matched against the reference for "
                        "candidate indels (deletions 1-60 bp, insertions 1-30 bp); 0 disables")
    g.add_argument("--realign-min-separation", type=float, default=MIN_SEP,
                   help="log10 likelihood margin by which a read's best haplotype must beat the others "
                        "for the read to count (informative read) at an indel")
    f = FilterParams()
    g = cp.add_argument_group("filters (FILTER names in brackets)")
    g.add_argument("--min-tlod", type=float, default=f.min_tlod, help="[weak_evidence] minimum best tumour TLOD")
    g.add_argument("--min-nlod", type=float, default=f.min_nlod, help="[germline] minimum NLOD")
    g.add_argument("--max-normal-vaf", type=float, default=f.max_normal_vaf,
                   help="[germline] normal VAF (fraction) at or above which the site is germline; [near_germline_indel] fraction of normal reads carrying an indel within 15 bp at or above which the site is flagged")
    g.add_argument("--max-population-af", type=float, default=f.max_population_af,
                   help="[germline] population AF (fraction) at or above which the site is germline")
    g.add_argument("--normal-artifact-alt-reads", type=int, default=f.normal_artifact_alt_reads,
                   help="[normal_artifact] alternate reads in the normal that flag an artifact")
    g.add_argument("--max-strand-bias", type=float, default=f.max_strand_bias,
                   help="[strand_bias] maximum Fisher strand phred score")
    g.add_argument("--min-strand-bias-alt", type=int, default=f.min_strand_bias_alt,
                   help="[strand_bias] alternate reads needed before the test applies")
    g.add_argument("--min-read-position", type=float, default=f.min_read_position,
                   help="[position] minimum median distance (bases) of alt alleles from the read end")
    g.add_argument("--min-median-base-qual", type=float, default=f.min_median_base_qual,
                   help="[base_qual] minimum median base quality of alternate reads")
    g.add_argument("--min-median-map-qual", type=float, default=f.min_median_map_qual,
                   help="[map_qual] minimum median mapping quality of alternate reads")
    g.add_argument("--max-alt-alleles", type=int, default=f.max_alt_alleles,
                   help="[multiallelic] alternate alleles at one position allowed to pass every other filter")
    g.add_argument("--min-depth", type=int, default=f.min_depth,
                   help="[min_depth] minimum informative normal depth (tumour evidence is judged by TLOD)")
    g.add_argument("--max-tumour-in-normal", type=float, default=f.max_tumour_in_normal,
                   help="[normal_artifact] largest fraction of tumour cells in the normal tolerated: normal "
                        "alt reads up to this fraction times the tumour VAF are not an artifact")
    g.add_argument("--normal-artifact-pvalue", type=float, default=f.normal_artifact_pvalue,
                   help="[normal_artifact] binomial upper-tail p-value of the normal alt reads under "
                        "--max-tumour-in-normal below which the site is an artifact")
    g.add_argument("--orientation-prior", type=float, default=f.orientation_prior,
                   help="[orientation] prior probability of a read-orientation artifact for G>T, C>A, C>T, "
                        "G>A SNVs (other SNVs: 1/100 of it)")
    g.add_argument("--orientation-max-artifact-af", type=float, default=f.orientation_max_artifact_af,
                   help="[orientation] highest allele fraction (fraction) an orientation artifact reaches")
    g.add_argument("--max-events-in-region", type=int, default=f.max_events_in_region,
                   help="[clustered_events] events (this one included) the alternate reads may carry within "
                        "--cluster-window bp")
    g.add_argument("--cluster-window", type=int, default=f.cluster_window,
                   help="[clustered_events] bp on either side of a site counted for --max-events-in-region")

    gp = sub.add_parser("gather", help="merge chunk VCFs into one per-patient VCF",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                        description="Concatenate chunk VCFs (identical headers) in genomic order, keeping "
                                    "identical records once; writes bgzipped VCF + .tbi.")
    gp.add_argument("--out", required=True, help="output .vcf.gz")
    gp.add_argument("chunks", nargs="+", help="chunk VCFs from `call`")

    ps = sub.add_parser("pon-sites", help="alternate-evidence sites of one normal (panel-of-normals input)",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                        description="Treat one normal BAM as a tumour (tumour-only model, loose thresholds) and "
                                    "write every site with alternate evidence as a bgzipped, indexed sites-only "
                                    "VCF (INFO TLOD, AD, DP), like Mutect2 run tumour-only on a normal.")
    ps.add_argument("--fasta", required=True, help="reference FASTA (indexed .fai)")
    ps.add_argument("--bam", required=True, help="normal BAM/CRAM (its @RG SM names the normal)")
    ps.add_argument("--regions", required=True, help="BED of the intervals to scan")
    ps.add_argument("--out", required=True, help="output .vcf.gz (a .tbi is written beside it)")
    ps.add_argument("--padding", type=int, default=0, help="bp added around every region")
    ps.add_argument("--min-tlod", type=float, default=3.0, help="minimum TLOD of the alternate allele in the normal")
    ps.add_argument("--min-alt-reads", type=int, default=2, help="minimum alternate reads")
    ps.add_argument("--min-mapq", type=int, default=20, help="minimum mapping quality (Phred)")
    ps.add_argument("--min-baseq", type=int, default=20, help="minimum base quality (Phred)")
    ps.add_argument("--threads", type=int, default=1, help="htslib decompression threads")

    pm = sub.add_parser("pon-merge", help="merge per-normal sites into a panel of normals",
                        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
                        description="Keep the sites seen in at least --min-samples distinct normals and write "
                                    "them as a bgzipped, tabix-indexed sites-only VCF with INFO/N_SAMPLES, like "
                                    "CreateSomaticPanelOfNormals; use it as `call --pon`.")
    pm.add_argument("--out", required=True, help="output panel .vcf.gz (a .tbi is written beside it)")
    pm.add_argument("--min-samples", type=int, default=2, help="normals a site must be seen in")
    pm.add_argument("sites", nargs="+", help="per-normal sites VCFs from pon-sites")
    return ap


def run_split(a: argparse.Namespace) -> int:
    """`split` subcommand."""
    if a.count < 1:
        raise InputError(None, "--count", "must be at least 1")
    if a.padding < 0:
        raise InputError(None, "--padding", "must be >= 0")
    if a.min_chunk_bp < 0:
        raise InputError(None, "--min-chunk-bp", "must be >= 0")
    contigs = read_fai(a.fasta_fai)
    ivs = pad_merge(read_bed(a.targets, contigs), contigs, a.padding)
    chunks = split_balanced(ivs, chunk_count(sum(iv.length for iv in ivs), a.count, a.min_chunk_bp))
    os.makedirs(a.outdir, exist_ok=True)
    width = max(3, len(str(len(chunks))))
    for i, chunk in enumerate(chunks, 1):
        path = os.path.join(a.outdir, f"chunk_{i:0{width}d}.bed")
        write_bed(path + ".part", chunk)
        os.replace(path + ".part", path)
    return 0


def check_resource(path: str, option: str, contigs: dict[str, int], index: str | None = None) -> None:
    """A --pon / --germline-resource VCF must be bgzipped and indexed and name the
    FASTA's contigs. Without an explicit index this is the pipeline's own check
    (``samplesheet.validate_vcf_resource``, index beside the VCF); with one, the VCF is
    opened through that index."""
    if index is None:
        problems = validate_vcf_resource(Path(path), option, set(contigs), contigs)
        if problems:
            raise InputError(None, None, problems[0])
        return
    import pysam
    for p in (path, index):
        if not os.path.exists(p):
            raise InputError(p, option, "file not found")
    if not is_gzip(path):
        raise InputError(path, option, f"not bgzip-compressed (run: bgzip {path} && tabix -p vcf {path}.gz)")
    try:
        with pysam.VariantFile(path, index_filename=index) as vf:
            if vf.index is None:
                raise InputError(index, option, "not a usable .tbi/.csi index")
            names = set(vf.index.keys()) | set(vf.header.contigs)
    except (OSError, ValueError) as e:
        raise InputError(path, option, f"cannot open with index {index} ({str(e).strip()})") from None
    if names and not names & set(contigs):
        raise InputError(path, f"{option}: header", "no contig in common with the FASTA (another genome build "
                         "or contig naming?)")


def open_fasta(path: str) -> pysam.FastaFile:
    """Indexed FASTA, or InputError."""
    import pysam
    if not os.path.exists(path):
        raise InputError(path, None, "file not found")
    try:
        return pysam.FastaFile(path)
    except (OSError, ValueError) as e:
        raise InputError(path, None, f"cannot open indexed FASTA ({str(e).strip()})") from None


def run_call(a: argparse.Namespace) -> int:
    """`call` subcommand."""
    from escapeseq.somatic.caller import CallParams, VcfResource, call_regions, open_bam
    from escapeseq.somatic.pileup import ReadFilter
    from escapeseq.somatic.vcf import header_lines, write_bgzip_indexed
    fasta = open_fasta(a.fasta)
    contigs = dict(zip(fasta.references, fasta.lengths))
    regions = pad_merge(read_bed(a.regions, contigs), contigs, a.padding)
    normal, nname = open_bam(a.normal, fasta, a.threads)
    tumours, tnames = [], []
    for t in a.tumour:
        b, n = open_bam(t, fasta, a.threads)
        tumours.append(b)
        tnames.append(n)
    names = [nname] + tnames
    if len(set(names)) != len(names):
        raise InputError(a.tumour[0], "header @RG SM", f"sample names must be distinct, got {', '.join(names)}")
    for bam, path in zip([normal] + tumours, [a.normal] + a.tumour):
        for iv in regions:
            if iv.contig not in bam.references:
                raise InputError(path, "header @SQ", f"contig '{iv.contig}' of the regions is not in the BAM")
    resources = {}
    for opt in ("pon", "germline_resource"):
        p, idx = getattr(a, opt), getattr(a, opt + "_index")
        if idx is not None and p is None:
            raise InputError(None, f"--{opt.replace('_', '-')}-index", f"given without --{opt.replace('_', '-')}")
        if p is not None:
            check_resource(p, "--" + opt.replace("_", "-"), contigs, idx)
            resources[opt] = VcfResource(p, idx)
    fp = FilterParams(min_tlod=a.min_tlod, min_nlod=a.min_nlod, max_normal_vaf=a.max_normal_vaf,
                      max_population_af=a.max_population_af,
                      normal_artifact_alt_reads=a.normal_artifact_alt_reads,
                      max_strand_bias=a.max_strand_bias, min_strand_bias_alt=a.min_strand_bias_alt,
                      min_read_position=a.min_read_position, min_median_base_qual=a.min_median_base_qual,
                      min_median_map_qual=a.min_median_map_qual, max_alt_alleles=a.max_alt_alleles,
                      min_depth=a.min_depth, max_tumour_in_normal=a.max_tumour_in_normal,
                      normal_artifact_pvalue=a.normal_artifact_pvalue, orientation_prior=a.orientation_prior,
                      orientation_max_artifact_af=a.orientation_max_artifact_af,
                      max_events_in_region=a.max_events_in_region, cluster_window=a.cluster_window)
    cpar = CallParams(emit_tlod=a.emit_tlod, candidate_min_alt=a.candidate_min_alt,
                      candidate_qual=a.candidate_qual, indel_qual_cap=a.indel_qual_cap,
                      min_clip=a.min_clip, realign_min_sep=a.realign_min_separation, filters=fp)
    rf = ReadFilter(min_mapq=a.min_mapq, min_baseq=a.min_baseq, drop_duplicates=not a.keep_duplicates,
                    drop_secondary=not a.keep_secondary, drop_supplementary=not a.keep_supplementary,
                    require_proper_pair=a.require_proper_pair)
    lines: list[str] = []
    for rec in call_regions(fasta, normal, tumours, regions, rf, cpar, resources.get("pon"),
                            resources.get("germline_resource"), a.threads):
        lines.append(rec.line())
    params = [("min_mapq", a.min_mapq), ("min_baseq", a.min_baseq),
              ("duplicates", "keep" if a.keep_duplicates else "drop"),
              ("secondary", "keep" if a.keep_secondary else "drop"),
              ("supplementary", "keep" if a.keep_supplementary else "drop"),
              ("require_proper_pair", str(a.require_proper_pair).lower()),
              ("emit_tlod", a.emit_tlod), ("candidate_min_alt", a.candidate_min_alt),
              ("candidate_qual", a.candidate_qual), ("indel_qual_cap", a.indel_qual_cap),
              ("min_clip", a.min_clip), ("realign_min_separation", a.realign_min_separation)]
    params += [(k, v) for k, v in vars(fp).items()]
    params += [("pon", "yes" if a.pon else "no"), ("germline_resource", "yes" if a.germline_resource else "no")]
    header = header_lines(contigs, names, os.path.basename(a.fasta), [(k, str(v)) for k, v in params])
    write_bgzip_indexed(a.out, header, lines)
    return 0


def run_gather(a: argparse.Namespace) -> int:
    """`gather` subcommand."""
    from escapeseq.somatic.vcf import gather
    for p in a.chunks:
        if not os.path.exists(p):
            raise InputError(p, None, "file not found")
    gather(a.chunks, a.out)
    return 0


def run_pon_sites(a: argparse.Namespace) -> int:
    """`pon-sites` subcommand."""
    from escapeseq.somatic.caller import CallParams, open_bam
    from escapeseq.somatic.pileup import ReadFilter
    from escapeseq.somatic.pon import pon_sites, write_pon_sites
    fasta = open_fasta(a.fasta)
    contigs = dict(zip(fasta.references, fasta.lengths))
    regions = pad_merge(read_bed(a.regions, contigs), contigs, a.padding)
    bam, name = open_bam(a.bam, fasta, a.threads)
    for iv in regions:
        if iv.contig not in bam.references:
            raise InputError(a.bam, "header @SQ", f"contig '{iv.contig}' of the regions is not in the BAM")
    rf = ReadFilter(min_mapq=a.min_mapq, min_baseq=a.min_baseq)
    sites = list(pon_sites(fasta, bam, regions, rf, CallParams(), a.min_tlod, a.min_alt_reads, a.threads))
    write_pon_sites(a.out, contigs, name, os.path.basename(a.fasta), sites)
    return 0


def run_pon_merge(a: argparse.Namespace) -> int:
    """`pon-merge` subcommand."""
    from escapeseq.somatic.pon import merge_pon
    if a.min_samples < 1:
        raise InputError(None, "--min-samples", "must be at least 1")
    merge_pon(a.sites, a.out, a.min_samples)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code (2 with one stderr line on bad input)."""
    a = build_parser().parse_args(argv)
    if a.cmd != "split":
        import pysam
        pysam.set_verbosity(0)
    try:
        return {"split": run_split, "call": run_call, "gather": run_gather, "pon-sites": run_pon_sites,
                "pon-merge": run_pon_merge}[a.cmd](a)
    except InputError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"{PROG}: error: {e.filename or '-'}: {e.strerror or e}", file=sys.stderr)
        return 2
