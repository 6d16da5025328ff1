"""Sample identity that LOH cannot fool: a likelihood ratio "same person vs unrelated
person" for a tumour against its patient's normal, at the normal's germline SNPs.

Why not genotype concordance. A tumour differs from its normal by copy-number changes:
LOH turns a heterozygous SNP into an apparently homozygous one, and in a near-pure
tumour with LOH over half its genome a concordance test (NGSCheckMate-style) fails a
true pair. What LOH can never do is *create* an allele the normal lacks. So the test
uses only sites where the normal is confidently homozygous (ref/ref or alt/alt):

* same person: the tumour shows the normal's allele only — whatever its purity, LOH or
  copy number, because tumour and stroma carry the same homozygous genotype — apart
  from sequencing error ε and a little contamination c by another person's DNA;
* unrelated person: the sample's genotype is drawn afresh from the population
  (Hardy–Weinberg with allele frequency q), so at a normal hom-alt site it carries the
  ref allele with probability 1 − q², and then shows it at a germline-like fraction
  (½ for a heterozygote, any fraction if that person's tumour has allelic imbalance).

Normal heterozygous sites are left out: whether the tumour shows both alleles or one
(LOH) is no evidence either way.

Per site, with tumour alt reads a of depth d, Bin = binomial pmf:

    P(a | RR) = Bin(a; d, ε)        P(a | AA) = Bin(a; d, 1 − ε)
    P(a | RA) = w·Bin(a; d, ½) + (1 − w)/(d + 1)        (balanced, or any fraction:
                                                         ∫ Bin(a; d, f) df = 1/(d+1))
    same(c)   = Σ_x P(x) · Bin(a; d, (1 − c)·f_N + c·f_x)   (x: contaminant genotype)
    unrelated = Σ_g P(g) · P(a | g)

where f_N is the normal genotype's expected alt fraction (ε or 1 − ε), P(g) the
population genotype probabilities and f_x ∈ {ε, ½, 1 − ε}. Both hypotheses get an
outlier component η/(d + 1) (a mapping artifact at one site cannot decide the test).
The contamination c is shared by all sites of a tumour: it is fitted by maximum
likelihood on a grid [0, max_contamination] under "same" (a profile likelihood), and
reported. The score is

    log10 LR = Σ_sites log10 same(ĉ) − log10 unrelated.

Population allele frequency q: from a germline resource (INFO/AF) when given; else
(or where the site is not in the resource) the normal's own genotype with a flat prior
q ~ Beta(1, 1) — after seeing the normal hom-alt, q ~ Beta(3, 1), so an unrelated
person is AA with probability E[q⁴]/E[q²] = 0.6, RA with 2·(E[q³] − E[q⁴])/E[q²] = 0.3,
RR with 0.1 (mirror image at a normal hom-ref site).

Decision: ``undecidable`` with fewer than ``min_sites`` informative (normal-homozygous,
deep enough) sites or when |log10 LR| < ``min_log10_lr``; else ``match`` (LR > 0) or
``mismatch``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from escapeseq.distributions import binom_logpmf, binom_pmf

IDENTITY_COLUMNS = ["patient", "normal", "tumour", "n_sites", "n_informative",
                    "n_hom_alt", "n_hom_ref", "n_foreign_allele", "n_population_af",
                    "log10_lr", "contamination", "concordance", "decision", "reason"]
DECISIONS = ("match", "mismatch", "undecidable")


@dataclass(frozen=True)
class IdentityParams:
    """Depth (reads), error/contamination fractions and decision thresholds.

    ``min_depth``: reads needed at a site in the normal and in the tumour;
    ``error``: per-read probability of showing the other allele at a homozygous site;
    ``hom_lod``: log10 likelihood ratio hom vs het of the normal's counts needed to call
    it homozygous; ``balanced_weight``: w, the share of a heterozygote's reads model
    that is balanced (½) rather than any fraction; ``outlier``: η;
    ``max_contamination``: upper end of the contamination grid (fraction);
    ``min_sites``: informative sites needed to decide; ``min_log10_lr``: |log10 LR|
    needed to decide; ``foreign_lod``: a site with per-site log10 LR below −this counts
    in ``n_foreign_allele`` (reported evidence, not used by the decision)."""

    min_depth: int = 15
    error: float = 0.01
    hom_lod: float = 3.0
    balanced_weight: float = 0.5
    outlier: float = 0.01
    max_contamination: float = 0.1
    contamination_step: float = 0.005
    min_sites: int = 10
    min_log10_lr: float = 2.0
    foreign_lod: float = 1.0


# --------------------------------------------------------------------------- maths
def normal_genotype(alt: np.ndarray, depth: np.ndarray, params: IdentityParams
                    = IdentityParams()) -> np.ndarray:
    """'AA' | 'RR' | 'het' | '' per site from the normal's alt reads and depth.

    Homozygous when the counts favour it over a heterozygote by ``hom_lod`` (log10
    binomial likelihood ratio with error ε), and the alt fraction is ≥ 0.9 (AA) or ≤ 0.1
    (RR); 'het' for alt fraction 0.2–0.8; '' otherwise or when depth < ``min_depth``.
    """
    a = np.asarray(alt, dtype=float)
    d = np.asarray(depth, dtype=float)
    e = params.error
    ll_het = binom_logpmf(a, d, 0.5)
    lod_aa = (binom_logpmf(a, d, 1 - e) - ll_het) / np.log(10)
    lod_rr = (binom_logpmf(a, d, e) - ll_het) / np.log(10)
    with np.errstate(invalid="ignore", divide="ignore"):
        f = np.where(d > 0, a / np.maximum(d, 1), np.nan)
    deep = d >= params.min_depth
    out = np.full(len(a), "", dtype=object)
    out[deep & (f >= 0.2) & (f <= 0.8)] = "het"
    out[deep & (f >= 0.9) & (lod_aa >= params.hom_lod)] = "AA"
    out[deep & (f <= 0.1) & (lod_rr >= params.hom_lod)] = "RR"
    return out


def population_genotypes(normal_gt: np.ndarray, af: np.ndarray) -> np.ndarray:
    """(n, 3) probabilities of an unrelated person's genotype (RR, RA, AA) per site.

    With a population alt-allele frequency q (fraction, NaN = unknown): Hardy–Weinberg
    ((1−q)², 2q(1−q), q²), q clamped to [0.001, 0.999]. Unknown q: the posterior
    predictive after the normal's own genotype under q ~ Beta(1, 1) (module doc):
    (0.1, 0.3, 0.6) at a normal AA site, (0.6, 0.3, 0.1) at a normal RR site.
    """
    gt = np.asarray(normal_gt).astype(str)
    q = np.clip(np.asarray(af, dtype=float), 0.001, 0.999)
    hwe = np.column_stack([(1 - q) ** 2, 2 * q * (1 - q), q ** 2])
    flat = np.where((gt == "AA")[:, None], [[0.1, 0.3, 0.6]], [[0.6, 0.3, 0.1]])
    return np.where(np.isfinite(q)[:, None], hwe, flat)


def _het_lik(a: np.ndarray, d: np.ndarray, w: float) -> np.ndarray:
    """P(a | heterozygous sample): balanced with weight w, else any alt fraction."""
    return w * binom_pmf(a, d, 0.5) + (1 - w) / (d + 1)


def site_likelihoods(normal_gt: np.ndarray, alt: np.ndarray, depth: np.ndarray,
                     pop: np.ndarray, contamination: float,
                     params: IdentityParams = IdentityParams()
                     ) -> tuple[np.ndarray, np.ndarray]:
    """(same, unrelated) likelihoods of the tumour's alt reads at normal-homozygous
    sites (``normal_gt`` 'AA' or 'RR'), for a contamination fraction c (module doc)."""
    a = np.asarray(alt, dtype=float)
    d = np.asarray(depth, dtype=float)
    e, w, eta = params.error, params.balanced_weight, params.outlier
    fn = np.where(np.asarray(normal_gt).astype(str) == "AA", 1 - e, e)
    outl = eta / (d + 1)
    fx = np.array([e, 0.5, 1 - e])
    same = sum(pop[:, k] * binom_pmf(a, d, (1 - contamination) * fn + contamination * fx[k])
               for k in range(3))
    unrel = (pop[:, 0] * binom_pmf(a, d, e) + pop[:, 1] * _het_lik(a, d, w)
             + pop[:, 2] * binom_pmf(a, d, 1 - e))
    return (1 - eta) * same + outl, (1 - eta) * unrel + outl


def identity_lr(normal_gt: np.ndarray, alt: np.ndarray, depth: np.ndarray,
                pop: np.ndarray, params: IdentityParams = IdentityParams()
                ) -> tuple[float, float, np.ndarray]:
    """(total log10 LR same vs unrelated, ML contamination fraction, per-site log10 LR)
    over the given normal-homozygous sites; (0, NaN, []) without sites."""
    if len(alt) == 0:
        return 0.0, float("nan"), np.zeros(0)
    grid = np.arange(0.0, params.max_contamination + params.contamination_step / 2,
                     params.contamination_step)
    best = None
    for c in grid:
        s, u = site_likelihoods(normal_gt, alt, depth, pop, float(c), params)
        ll = np.log10(s).sum()
        if best is None or ll > best[0]:
            best = (ll, float(c), np.log10(s) - np.log10(u))
    return float(best[2].sum()), best[1], best[2]


def decide(n_informative: int, log10_lr: float, params: IdentityParams = IdentityParams()
           ) -> tuple[str, str]:
    """(decision, reason): ``undecidable`` with too few sites or |log10 LR| too small,
    else ``match`` / ``mismatch`` by the sign of the log10 LR."""
    if n_informative < params.min_sites:
        return "undecidable", (f"only {n_informative} informative "
                               f"site{'' if n_informative == 1 else 's'} "
                               f"(< {params.min_sites})")
    if abs(log10_lr) < params.min_log10_lr:
        return "undecidable", (f"|log10 LR| {abs(log10_lr):.2f} < {params.min_log10_lr:g} "
                               f"over {n_informative} sites")
    if log10_lr > 0:
        return "match", (f"log10 LR {log10_lr:.2f} for the same person over "
                         f"{n_informative} sites")
    return "mismatch", (f"log10 LR {log10_lr:.2f}: another person's alleles in the "
                        f"tumour over {n_informative} sites")


def concordance(normal_gt: np.ndarray, alt: np.ndarray, depth: np.ndarray) -> float:
    """Share of normal-homozygous sites where the tumour's alt fraction is on the
    normal's side of ½ (reported for comparison, never decides); NaN without sites."""
    a = np.asarray(alt, dtype=float)
    d = np.asarray(depth, dtype=float)
    if len(a) == 0:
        return float("nan")
    f = a / np.maximum(d, 1)
    ok = np.where(np.asarray(normal_gt).astype(str) == "AA", f > 0.5, f < 0.5)
    return float(ok.mean())


# --------------------------------------------------------------------------- tables
def paired_sites(normal_counts: pd.DataFrame, tumour_counts: pd.DataFrame,
                 params: IdentityParams = IdentityParams()) -> pd.DataFrame:
    """SNP rows of both counts tables joined on (chrom, start), with the normal's
    genotype (:func:`normal_genotype`), restricted to sites deep enough in both."""
    key = ["chrom", "start"]
    cols = key + ["ref", "alt", "ref_count", "alt_count"]
    n = normal_counts.loc[normal_counts["type"] == "snp", cols]
    t = tumour_counts.loc[tumour_counts["type"] == "snp", key + ["ref_count", "alt_count"]]
    s = n.merge(t, on=key, suffixes=("_n", "_t"))
    s["depth_n"] = s["ref_count_n"] + s["alt_count_n"]
    s["depth_t"] = s["ref_count_t"] + s["alt_count_t"]
    s = s[(s["depth_n"] >= params.min_depth) & (s["depth_t"] >= params.min_depth)]
    s = s.reset_index(drop=True)
    s["gt"] = normal_genotype(s["alt_count_n"].to_numpy(), s["depth_n"].to_numpy(), params)
    return s


def compare(normal_counts: pd.DataFrame, tumour_counts: pd.DataFrame,
            params: IdentityParams = IdentityParams(),
            population_af: dict[tuple[str, int, str], float] | None = None) -> dict:
    """Identity evidence of one tumour against its normal from two counts tables.

    ``population_af`` maps (chrom, pos, alt) to the population alt-allele frequency
    (fraction). Returns the :data:`IDENTITY_COLUMNS` values except the names.
    """
    s = paired_sites(normal_counts, tumour_counts, params)
    hom = s[s["gt"].isin(["AA", "RR"])].reset_index(drop=True)
    af = np.full(len(hom), np.nan)
    if population_af:
        af = np.array([population_af.get((c, int(p), str(a).upper()), np.nan)
                       for c, p, a in zip(hom["chrom"], hom["start"], hom["alt"])],
                      dtype=float)
    gt = hom["gt"].to_numpy()
    alt = hom["alt_count_t"].to_numpy()
    dep = hom["depth_t"].to_numpy()
    pop = population_genotypes(gt, af)
    lr, cont, per = identity_lr(gt, alt, dep, pop, params)
    decision, reason = decide(len(hom), lr, params)
    return {"n_sites": int(len(s)), "n_informative": int(len(hom)),
            "n_hom_alt": int((gt == "AA").sum()), "n_hom_ref": int((gt == "RR").sum()),
            "n_foreign_allele": int((per < -params.foreign_lod).sum()),
            "n_population_af": int(np.isfinite(af).sum()),
            "log10_lr": lr, "contamination": cont,
            "concordance": concordance(gt, alt, dep),
            "decision": decision, "reason": reason}


def patient_decision(decisions: list[str]) -> str:
    """One word for the patient: ``mismatch`` if any tumour mismatches, else
    ``undecidable`` if any is undecidable, else ``match`` (``undecidable`` for none)."""
    if "mismatch" in decisions:
        return "mismatch"
    if "undecidable" in decisions or not decisions:
        return "undecidable"
    return "match"
