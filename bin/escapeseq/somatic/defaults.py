"""Default thresholds of the read realignment (:mod:`escapeseq.somatic.realign`) and the
named site filters (:mod:`escapeseq.somatic.filters`), kept in a module without
numpy/numba imports so that ``escapeseq-call --help`` and its light subcommands (split,
gather, pon-merge) can show them without loading numpy or the compiled kernels.
"""
from dataclasses import dataclass

#: soft clips of at least this many bases are matched against the reference for
#: candidate indels (realign.clip_indels); 0 disables
MIN_CLIP = 6
#: log10 likelihood margin by which a read's best haplotype must beat the others for the
#: read to count as informative at an indel (realign.realign_evidence)
MIN_SEP = 2.0

FILTERS: dict[str, str] = {
    "weak_evidence": "Tumour evidence too weak: highest TLOD over tumours below --min-tlod",
    "germline": "Evidence the variant is germline: NLOD below --min-nlod, normal VAF at or above --max-normal-vaf, or population AF at or above --max-population-af",
    "normal_artifact": "Alternate reads in the normal (at least --normal-artifact-alt-reads) beyond what --max-tumour-in-normal contamination by the tumour explains (binomial upper tail below --normal-artifact-pvalue), although the normal is not germline-like",
    "strand_bias": "Alternate reads on one strand: Fisher strand phred score above --max-strand-bias",
    "orientation": "Read-orientation artifact (8-oxoG G>T/C>A, deamination C>T/G>A): posterior probability at least 0.5 that the alternate reads come from one read orientation (F1R2 or F2R1) at an artifact-like allele fraction (INFO/ROQ)",
    "position": "Alternate allele clustered at read ends: median distance to the read end below --min-read-position",
    "base_qual": "Median base quality of alternate reads below --min-median-base-qual",
    "map_qual": "Median mapping quality of alternate reads below --min-median-map-qual",
    "near_germline_indel": "Within 15 bp of another indel carried by at least --max-normal-vaf of the normal reads overlapping the site (misalignment risk)",
    "clustered_events": "The alternate reads carry more than --max-events-in-region events within --cluster-window bp (INFO/NEVENTS; mismapped reads, e.g. from a paralogous copy)",
    "multiallelic": "More than --max-alt-alleles alternate alleles at this position pass every other filter",
    "panel_of_normals": "Site present in the panel of normals (--pon)",
    "min_depth": "Informative normal depth below --min-depth (too few normal reads to rule out a germline or normal-artifact origin; tumour evidence is judged by TLOD)",
}


@dataclass(frozen=True)
class FilterParams:
    """Thresholds of the named filters (LODs in log10 units, qualities Phred, VAF fraction)."""

    min_tlod: float = 6.3
    min_nlod: float = 2.2
    max_normal_vaf: float = 0.2
    max_population_af: float = 0.01
    normal_artifact_alt_reads: int = 2
    max_strand_bias: float = 60.0
    min_strand_bias_alt: int = 6
    min_read_position: float = 5.0
    min_median_base_qual: float = 20.0
    min_median_map_qual: float = 30.0
    max_alt_alleles: int = 1
    min_depth: int = 10
    max_tumour_in_normal: float = 0.05
    normal_artifact_pvalue: float = 0.01
    orientation_prior: float = 0.1
    orientation_max_artifact_af: float = 0.05
    max_events_in_region: int = 3
    cluster_window: int = 150
