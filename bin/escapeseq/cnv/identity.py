"""Sample identity: genotype concordance between a normal and a tumour at the normal's
germline SNPs (NGSCheckMate-style, Lee et al. 2017).

A tumour's genotypes can differ from its normal only through copy-number changes
(LOH can make a heterozygous site look homozygous) — never by *gaining* an allele the
normal lacks. So at sites the normal calls homozygous-alt the tumour must show almost
only alt reads; at sites the normal calls heterozygous the tumour must show *both*
alleles unless the region has LOH in a very pure tumour. A site is informative when the
tumour has ≥ ``min_depth`` reads; it is discordant when

    normal hom:  tumour alt fraction < hom_min_vaf           (ref reads: foreign allele)
    normal het:  tumour alt fraction < het_edge or > 1 − het_edge  (one allele missing)

Concordance = 1 − discordant/informative. An unrelated sample is discordant at most
hom sites (population allele frequencies) and many het sites; a matched tumour only at
het sites in LOH of a nearly pure tumour. Also reported: the Pearson correlation of
alt fractions (NGSCheckMate's statistic).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

IDENTITY_COLUMNS = ["patient", "normal", "tumour", "n_sites", "n_discordant",
                    "concordance", "vaf_correlation", "match", "threshold"]


@dataclass(frozen=True)
class IdentityParams:
    """Depth and allele-fraction rules (fractions) and the match threshold."""

    min_depth: int = 15
    hom_min_vaf: float = 0.7
    het_edge: float = 0.02
    threshold: float = 0.8
    min_sites: int = 20


def concordance(normal_gt: np.ndarray, tumour_alt: np.ndarray, tumour_depth: np.ndarray,
                params: IdentityParams = IdentityParams()
                ) -> tuple[int, int, float]:
    """(informative sites, discordant sites, concordance in [0, 1] or NaN) for normal
    genotypes ('het'/'hom') against tumour alt counts and depths at the same sites."""
    gt = np.asarray(normal_gt).astype(str)
    a = np.asarray(tumour_alt, dtype=float)
    d = np.asarray(tumour_depth, dtype=float)
    inf = (d >= params.min_depth) & np.isin(gt, ["het", "hom"])
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(d > 0, a / d, np.nan)
    disc = inf & (((gt == "hom") & (f < params.hom_min_vaf))
                  | ((gt == "het") & ((f < params.het_edge) | (f > 1 - params.het_edge))))
    n = int(inf.sum())
    k = int(disc.sum())
    return n, k, (1.0 - k / n) if n else float("nan")


def vaf_correlation(normal_vaf: np.ndarray, tumour_vaf: np.ndarray) -> float:
    """Pearson correlation of alt fractions over sites present in both (NaN if < 3)."""
    x = np.asarray(normal_vaf, dtype=float)
    y = np.asarray(tumour_vaf, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.sum() < 3 or np.std(x[ok]) == 0 or np.std(y[ok]) == 0:
        return float("nan")
    return float(np.corrcoef(x[ok], y[ok])[0, 1])


def compare(normal_counts: pd.DataFrame, tumour_counts: pd.DataFrame,
            params: IdentityParams = IdentityParams()) -> dict:
    """Identity statistics of one tumour against its normal from two counts tables
    (snp rows). Normal genotypes: het if 0.2 ≤ VAF ≤ 0.8, hom if ≥ 0.9, depth ≥
    ``min_depth``. ``match`` is None when there are fewer than ``min_sites``
    informative sites (cannot decide)."""
    key = ["chrom", "start"]
    n = normal_counts[normal_counts["type"] == "snp"]
    t = tumour_counts[tumour_counts["type"] == "snp"]
    s = n.merge(t, on=key, suffixes=("_n", "_t"))
    nd = (s["ref_count_n"] + s["alt_count_n"]).to_numpy(dtype=float)
    td = (s["ref_count_t"] + s["alt_count_t"]).to_numpy(dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        nv = s["alt_count_n"].to_numpy() / nd
        tv = s["alt_count_t"].to_numpy() / td
    gt = np.where(nd < params.min_depth, "",
                  np.where((nv >= 0.2) & (nv <= 0.8), "het",
                           np.where(nv >= 0.9, "hom", "")))
    nsites, ndisc, conc = concordance(gt, s["alt_count_t"].to_numpy(), td, params)
    ok = (gt != "") & (td >= params.min_depth)
    corr = vaf_correlation(nv[ok], tv[ok])
    match = None if nsites < params.min_sites else bool(conc >= params.threshold)
    return {"n_sites": nsites, "n_discordant": ndisc, "concordance": conc,
            "vaf_correlation": corr, "match": match, "threshold": params.threshold}
