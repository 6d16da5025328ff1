"""Named site filters (each one a VCF FILTER defined in the header) and their thresholds.

Every filter is a small predicate on per-site summaries; ``apply_filters`` returns the
FILTER names that fire, in header order ([] means PASS).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FILTERS: dict[str, str] = {
    "weak_evidence": "Tumour evidence too weak: highest TLOD over tumours below --min-tlod",
    "germline": "Evidence the variant is germline: NLOD below --min-nlod, normal VAF at or above --max-normal-vaf, or population AF at or above --max-population-af",
    "normal_artifact": "Alternate reads in the normal (at least --normal-artifact-alt-reads) although the normal is not germline-like",
    "strand_bias": "Alternate reads on one strand: Fisher strand phred score above --max-strand-bias",
    "position": "Alternate allele clustered at read ends: median distance to the read end below --min-read-position",
    "base_qual": "Median base quality of alternate reads below --min-median-base-qual",
    "map_qual": "Median mapping quality of alternate reads below --min-median-map-qual",
    "near_germline_indel": "Within 15 bp of another indel carried by at least --max-normal-vaf of the normal reads overlapping the site (misalignment risk)",
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


def is_weak_evidence(tlods: np.ndarray, p: FilterParams) -> bool:
    """Best tumour TLOD below the threshold (no tumour gives strong evidence)."""
    return bool(len(tlods) == 0 or float(np.max(tlods)) < p.min_tlod)


def is_germline(nlod: float, normal_alt: int, normal_depth: int, pop_af: float | None,
                p: FilterParams) -> bool:
    """The normal is not confidently reference, carries the allele, or it is common.

    NLOD < min_nlod covers both a visibly heterozygous normal and a normal too shallow to
    exclude one (Mutect's rule); the VAF rule catches deep normals with many alt reads.
    """
    if pop_af is not None and pop_af >= p.max_population_af:
        return True
    if nlod < p.min_nlod:
        return True
    return normal_depth > 0 and normal_alt / normal_depth >= p.max_normal_vaf


def is_normal_artifact(normal_alt: int, p: FilterParams) -> bool:
    """Recurrent alternate reads in the normal (artifact or tumour-in-normal)."""
    return normal_alt >= p.normal_artifact_alt_reads


def is_strand_biased(phred: float, alt_reads: int, p: FilterParams) -> bool:
    """Fisher strand score above the threshold, with enough alternate reads to judge."""
    return alt_reads >= p.min_strand_bias_alt and phred > p.max_strand_bias


def is_position_artifact(alt_dist: np.ndarray, p: FilterParams) -> bool:
    """Median distance (bases) of alternate alleles from the nearer read end too small."""
    return alt_dist.size > 0 and float(np.median(alt_dist)) < p.min_read_position


def is_low_base_qual(alt_bq: np.ndarray, p: FilterParams) -> bool:
    """Median base quality of the alternate reads below the threshold."""
    return alt_bq.size > 0 and float(np.median(alt_bq)) < p.min_median_base_qual


def is_low_map_qual(alt_mq: np.ndarray, p: FilterParams) -> bool:
    """Median mapping quality of the alternate reads below the threshold."""
    return alt_mq.size > 0 and float(np.median(alt_mq)) < p.min_median_map_qual


def is_near_germline_indel(normal_near_frac: float, p: FilterParams) -> bool:
    """Normal reads at the site carry another indel nearby at a germline-like fraction:
    reads with that indel aligned as mismatches or shifted indels mimic a variant here."""
    return normal_near_frac >= p.max_normal_vaf


def is_low_depth(normal_depth: int, tumour_depths: np.ndarray, p: FilterParams) -> bool:
    """Informative normal depth below the minimum.

    The normal's reads are the only evidence against a germline or normal-artifact
    origin, so its informative depth (reads that tell REF from ALT) must reach
    ``min_depth``. The tumours are not held to a depth: their evidence is weighed by
    TLOD (``weak_evidence``), so 8 of 8 informative tumour reads are enough.
    ``tumour_depths`` is accepted for the record and not used.
    """
    return normal_depth < p.min_depth


@dataclass
class SiteSummary:
    """What the filters look at for one site (tumour alt reads pooled over tumours)."""

    tlods: np.ndarray
    nlod: float
    normal_alt: int
    normal_depth: int
    tumour_depths: np.ndarray
    strand_phred: float
    tumour_alt: int
    alt_dist: np.ndarray
    alt_bq: np.ndarray
    alt_mq: np.ndarray
    pop_af: float | None = None
    normal_near_indel_frac: float = 0.0
    in_pon: bool = False


def apply_filters(s: SiteSummary, p: FilterParams) -> list[str]:
    """Names of the filters that fire, in header order; [] means PASS."""
    germ = is_germline(s.nlod, s.normal_alt, s.normal_depth, s.pop_af, p)
    fired = {
        "weak_evidence": is_weak_evidence(s.tlods, p),
        "germline": germ,
        "normal_artifact": (not germ) and is_normal_artifact(s.normal_alt, p),
        "strand_bias": is_strand_biased(s.strand_phred, s.tumour_alt, p),
        "position": is_position_artifact(s.alt_dist, p),
        "base_qual": is_low_base_qual(s.alt_bq, p),
        "map_qual": is_low_map_qual(s.alt_mq, p),
        "near_germline_indel": is_near_germline_indel(s.normal_near_indel_frac, p),
        "multiallelic": False,  # set across the alleles of a position: caller.flag_multiallelic
        "panel_of_normals": s.in_pon,
        "min_depth": is_low_depth(s.normal_depth, s.tumour_depths, p),
    }
    return [name for name in FILTERS if fired[name]]
