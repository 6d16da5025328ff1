"""Named site filters (each one a VCF FILTER defined in the header); their names,
descriptions and thresholds are in :mod:`escapeseq.somatic.defaults`.

Every filter is a small predicate on per-site summaries; ``apply_filters`` returns the
FILTER names that fire, in header order ([] means PASS).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from escapeseq.distributions import binom_sf, expit
from escapeseq.somatic.defaults import FILTERS, FilterParams  # noqa: F401  (the filters' names and thresholds)

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


def binom_upper_tail(k: int, n: int, prob: float) -> float:
    """P(X >= k) for X ~ Binomial(n, prob)."""
    if k <= 0:
        return 1.0
    if k > n:
        return 0.0
    return binom_sf(k - 1, n, min(max(prob, 0.0), 1.0))


def is_normal_artifact(normal_alt: int, normal_depth: int, tumour_vaf: float, p: FilterParams) -> bool:
    """Alternate reads in the normal that tumour-in-normal contamination cannot explain.

    A normal contaminated by a fraction c of tumour cells (c <= --max-tumour-in-normal)
    shows a somatic allele at VAF c x f_T, f_T the (highest) tumour VAF. The normal's alt
    count is then Binomial(DP_N, c f_T); the site is an artifact when at least
    ``normal_artifact_alt_reads`` alt reads are seen and their upper tail under the
    largest tolerated contamination is below ``normal_artifact_pvalue``.
    """
    if normal_alt < p.normal_artifact_alt_reads:
        return False
    expected = p.max_tumour_in_normal * max(tumour_vaf, 0.0)
    return binom_upper_tail(normal_alt, normal_depth, expected) < p.normal_artifact_pvalue


ARTIFACT_SUBSTITUTIONS = {("G", "T"), ("C", "A"), ("C", "T"), ("G", "A")}


def orientation_artifact_posterior(alt_f1r2: int, alt_f2r1: int, ref_f1r2: int, ref_f2r1: int,
                                   depth: int, prior: float, max_af: float, leak: float = 0.02) -> float:
    """Posterior probability that a site's alternate reads are a read-orientation artifact.

    Damage on one strand of the library fragment (8-oxoG, deamination) puts the alternate
    base in reads of one orientation only (all F1R2 or all F2R1) at a low allele fraction.
    Two likelihood ratios, artifact vs real:

    - orientation: real alt reads are F1R2 with the reference reads' fraction
      p = (r1 + 1) / (r1 + r2 + 2), so P = p^a1 (1 - p)^a2; artifact reads take one
      orientation (either, prob 1/2) up to a leak fraction, P = 1/2 [(1-l)^a1 l^a2 + l^a1 (1-l)^a2].
    - allele fraction: an artifact fraction uniform on [0, m] against a real one uniform on
      [0, 1]. With a alt of d reads, int_0^m Bin(a; d, f) df = P(Bin(d+1, m) >= a+1) / (d+1)
      and int_0^1 Bin(a; d, f) df = 1 / (d+1), so LR_af = P(Bin(d+1, m) >= a+1) / m.

    posterior = prior LR / (prior LR + 1 - prior).
    """
    a = alt_f1r2 + alt_f2r1
    if a == 0 or prior <= 0.0:
        return 0.0
    pf = (ref_f1r2 + 1.0) / (ref_f1r2 + ref_f2r1 + 2.0)
    log_real = alt_f1r2 * np.log(pf) + alt_f2r1 * np.log(1.0 - pf)
    l1 = alt_f1r2 * np.log(1 - leak) + alt_f2r1 * np.log(leak)
    l2 = alt_f1r2 * np.log(leak) + alt_f2r1 * np.log(1 - leak)
    log_art = np.log(0.5) + np.logaddexp(l1, l2)
    tail = binom_upper_tail(a + 1, max(depth, a) + 1, max_af)
    log_lr = log_art - log_real + np.log(max(tail, 1e-300) / max_af)
    log_odds = log_lr + np.log(prior) - np.log1p(-prior) if prior < 1 else np.inf
    return expit(float(log_odds))


def is_orientation_artifact(posterior: float) -> bool:
    """Orientation artifact more likely than not."""
    return posterior >= 0.5


def is_clustered(n_events: int, p: FilterParams) -> bool:
    """Too many candidate events in one window of the tumour (see caller.flag_clustered)."""
    return n_events > p.max_events_in_region


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
    tumour_vaf: float = 0.0
    orientation_posterior: float = 0.0


def apply_filters(s: SiteSummary, p: FilterParams) -> list[str]:
    """Names of the filters that fire, in header order; [] means PASS."""
    germ = is_germline(s.nlod, s.normal_alt, s.normal_depth, s.pop_af, p)
    fired = {
        "weak_evidence": is_weak_evidence(s.tlods, p),
        "germline": germ,
        "normal_artifact": (not germ) and is_normal_artifact(s.normal_alt, s.normal_depth, s.tumour_vaf, p),
        "strand_bias": is_strand_biased(s.strand_phred, s.tumour_alt, p),
        "orientation": is_orientation_artifact(s.orientation_posterior),
        "position": is_position_artifact(s.alt_dist, p),
        "base_qual": is_low_base_qual(s.alt_bq, p),
        "map_qual": is_low_map_qual(s.alt_mq, p),
        "near_germline_indel": is_near_germline_indel(s.normal_near_indel_frac, p),
        "clustered_events": False,  # set across the sites of a window: caller.flag_clustered
        "multiallelic": False,  # set across the alleles of a position: caller.flag_multiallelic
        "panel_of_normals": s.in_pon,
        "min_depth": is_low_depth(s.normal_depth, s.tumour_depths, p),
    }
    return [name for name in FILTERS if fired[name]]
