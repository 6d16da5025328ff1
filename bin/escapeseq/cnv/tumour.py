"""Analyse one tumour against its normal: ratios, BAF, segments, fit, copy numbers.

Input are two counts tables (as written by ``escapeseq-cnv pileup``, see
:mod:`escapeseq.cnv.snps`): rows of ``type`` ``target`` (chrom start end length gc
depth) and ``snp`` (chrom start=end=pos ref alt ref_count alt_count depth). Output is
the segments table and a purity/ploidy summary.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from .depth import correct_gc_and_size, log2_ratio, mean_normalise
from .clonal import VafPurity, VafPurityParams, combine_purity, estimate_purity_from_vaf
from .fit import (FitParams, FitResult, baf_mle, baf_overdispersion, fit_purity_ploidy,
                  purity_grid)
from .vaf import segments_at
from .segment import SegmentParams, segment_points, standardise_channels

SEX_CHROMS = {"chrX": "X", "X": "X", "chrY": "Y", "Y": "Y"}

SEGMENT_COLUMNS = ["sample", "chrom", "start", "end", "n_snps", "n_targets",
                   "log2_ratio", "baf", "cn_total", "cn_major", "cn_minor", "loh",
                   "cn_neutral_loh", "subclonal", "fit_deviation"]


@dataclass(frozen=True)
class AnalysisParams:
    """Het-SNP selection (normal VAF band, minimum depths), depth filter and the
    segmentation/fit parameter sets."""

    het_low: float = 0.25
    het_high: float = 0.75
    min_snp_depth_normal: int = 15
    min_snp_depth_tumour: int = 10
    min_normal_depth: float = 10.0
    segment: SegmentParams = field(default_factory=SegmentParams)
    fit: FitParams = field(default_factory=FitParams)
    vaf: VafPurityParams = field(default_factory=VafPurityParams)
    subclonal_deviation: float = 9.0


@dataclass
class TumourResult:
    """Segments (columns :data:`SEGMENT_COLUMNS`), the fit, the sex used, het SNP count,
    and the per-target / per-SNP data for plotting."""

    segments: pd.DataFrame
    fit: FitResult
    purity_source: str
    sex: str
    n_het_snps: int
    targets: pd.DataFrame
    snps: pd.DataFrame
    estimated_purity: float = float("nan")
    purity_allelic_imbalance: float = float("nan")
    vaf_purity: VafPurity | None = None


def infer_sex(normal: pd.DataFrame) -> str:
    """'male' when the normal's chrX target depth is below 0.75× the autosomal median
    (one X copy against two of each autosome), else 'female'; 'female' when no chrX
    targets exist (nothing haploid to handle)."""
    t = normal[normal["type"] == "target"]
    kind = t["chrom"].map(SEX_CHROMS)
    x = t.loc[kind == "X", "depth"]
    auto = t.loc[kind.isna(), "depth"]
    if len(x) < 10 or len(auto) < 10 or np.median(auto) <= 0:
        return "female"
    return "male" if np.median(x) / np.median(auto) < 0.75 else "female"


def normal_copies(chrom: np.ndarray, sex: str) -> np.ndarray:
    """Copies of each chromosome in the normal: 2, or 1 for X and Y in males; 0 for Y
    in females (those rows are dropped)."""
    kind = pd.Series(chrom).map(SEX_CHROMS).to_numpy()
    n0 = np.full(len(chrom), 2.0)
    if sex == "male":
        n0[(kind == "X") | (kind == "Y")] = 1.0
    else:
        n0[kind == "Y"] = 0.0
    return n0


def _targets(normal: pd.DataFrame, tumour: pd.DataFrame, sex: str,
             params: AnalysisParams) -> pd.DataFrame:
    key = ["chrom", "start", "end"]
    nt = normal.loc[normal["type"] == "target", key + ["length", "gc", "depth"]]
    tt = tumour.loc[tumour["type"] == "target", key + ["depth"]]
    t = nt.merge(tt, on=key, suffixes=("_normal", "_tumour"), sort=False)
    t["n0"] = normal_copies(t["chrom"].to_numpy(), sex)
    t = t[t["n0"] > 0].reset_index(drop=True)
    lr = log2_ratio(t["depth_tumour"].to_numpy(), t["depth_normal"].to_numpy(),
                    params.min_normal_depth, t["n0"].to_numpy())
    lr = correct_gc_and_size(lr, t["gc"].to_numpy(), t["length"].to_numpy())
    auto = pd.isna(t["chrom"].map(SEX_CHROMS)).to_numpy()
    t["log2"] = mean_normalise(lr, auto)
    return t


def _het_snps(normal: pd.DataFrame, tumour: pd.DataFrame, sex: str,
              params: AnalysisParams) -> pd.DataFrame:
    key = ["chrom", "start"]
    ns = normal.loc[normal["type"] == "snp", key + ["ref_count", "alt_count"]]
    ts = tumour.loc[tumour["type"] == "snp", key + ["ref_count", "alt_count"]]
    s = ns.merge(ts, on=key, suffixes=("_normal", "_tumour"), sort=False)
    nd = s["ref_count_normal"] + s["alt_count_normal"]
    td = s["ref_count_tumour"] + s["alt_count_tumour"]
    with np.errstate(invalid="ignore", divide="ignore"):
        nv = s["alt_count_normal"] / nd
    het = ((nd >= params.min_snp_depth_normal) & (nv >= params.het_low)
           & (nv <= params.het_high) & (td >= params.min_snp_depth_tumour))
    s = s[het].copy()
    s["n0"] = normal_copies(s["chrom"].to_numpy(), sex)
    s = s[s["n0"] >= 2].reset_index(drop=True)   # no het SNPs on haploid X
    s["depth"] = (s["ref_count_tumour"] + s["alt_count_tumour"]).astype(float)
    s["depth_normal"] = (s["ref_count_normal"] + s["alt_count_normal"]).astype(float)
    s["baf"] = s["alt_count_tumour"] / s["depth"]
    return s


def _no_overlap(seg: pd.DataFrame) -> pd.DataFrame:
    """A target that spans a SNP of the next segment would make neighbours overlap:
    end each segment before the next one of its chromosome starts."""
    seg = seg.copy()
    same = seg["chrom"].to_numpy()[:-1] == seg["chrom"].to_numpy()[1:]
    nxt = seg["start"].to_numpy()[1:] - 1
    end = seg["end"].to_numpy()
    fix = same & (end[:-1] > nxt)
    end[:-1][fix] = nxt[fix]
    seg["end"] = np.maximum(end, seg["start"].to_numpy())
    return seg


def mutation_copy_numbers(somatic: pd.DataFrame, seg: pd.DataFrame,
                          fit: FitResult | None, sex: str
                          ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(total, major, normal) copies at each somatic SNV from the segment covering it.

    Where no segment covers it, or its state is unknown (``fit`` None or −1 states),
    the tumour is taken to carry the normal's copies: (1, 1) on autosomes, (1, 0) on a
    male's X/Y — what a copy-number-quiet genome has."""
    chrom = somatic["chrom"].astype(str).to_numpy()
    n0 = normal_copies(chrom, sex)
    n = n0.copy()
    major = np.ceil(n0 / 2.0)
    if fit is not None and len(seg):
        idx = segments_at(seg, chrom, somatic["pos"].to_numpy())
        hit = idx >= 0
        na = np.asarray(fit.n_major)[np.where(hit, idx, 0)]
        nb = np.asarray(fit.n_minor)[np.where(hit, idx, 0)]
        known = hit & (na >= 0)
        n = np.where(known, na + nb, n)
        major = np.where(known, na, major)
    return n, major, n0


def _best_estimate(est: FitResult, fit_at: Callable[[float | None], FitResult],
                   seg: pd.DataFrame, somatic: pd.DataFrame | None, sex: str,
                   params: AnalysisParams
                   ) -> tuple[FitResult, str, VafPurity | None]:
    """The best purity estimate and which evidence decided it.

    * allelic imbalance only (no somatic SNVs, or no clear clonal peak): the
      copy-number fit ``est``, ``allelic_imbalance``;
    * somatic VAFs only (copy-number quiet, or too few het SNPs): the clonal-VAF
      purity, first with the normal's copy numbers, then once more with the states a
      fit at that purity assigns; ``somatic_vaf``;
    * both: the copy-number fit's readings (best and runner-ups) each give states and
      so a VAF profile; the summed profiles' maximum over readings
      (:func:`~escapeseq.cnv.clonal.combine_purity`), ``combined``;
    * neither: ``not_estimable``.

    ``fit_at(p)`` fits at a fixed purity p (None: estimate). Whenever the purity is not
    the copy-number fit's own, states come from a fit at that purity. Returns (fit,
    source, VAF purity result of the chosen reading or None)."""
    grid = (est.purity_grid if est.purity_grid is not None
            else purity_grid(params.fit))
    if somatic is None or not len(somatic):
        return est, ("allelic_imbalance" if est.estimable else "not_estimable"), None

    def vaf_at(f: FitResult | None) -> VafPurity:
        n, major, n0 = mutation_copy_numbers(somatic, seg, f, sex)
        return estimate_purity_from_vaf(somatic["alt_count"].to_numpy(),
                                        somatic["depth"].to_numpy(), n, major, n0,
                                        grid, params.vaf)

    ai = est.purity_loglik()
    if ai is not None:
        readings = [est] + [fit_at(rp) for rp, _, _ in est.runner_ups]
        vafs = [vaf_at(r) for r in readings]
        ok = [k for k, v in enumerate(vafs) if v.estimable]
        if not ok:
            note = "; ".join(x for x in (est.note, vafs[0].note) if x)
            est.note = note
            return est, "allelic_imbalance", vafs[0]
        p, k = combine_purity(grid, ai[1], [vafs[k].absolute_loglik() for k in ok],
                              [readings[k].purity for k in ok])
        vafp = vafs[ok[k]]
        fit = fit_at(p)
        fit.note = (f"allelic imbalance {est.purity:.2f} and somatic VAF "
                    f"{vafp.purity:.2f} combined; {vafp.note}")
        return fit, "combined", vafp
    vafp = vaf_at(None)
    if vafp.estimable:
        again = vaf_at(fit_at(vafp.purity))
        vafp = again if again.estimable else vafp
    if not vafp.estimable:
        est.note = "; ".join(x for x in (est.note, vafp.note) if x)
        return est, "not_estimable", vafp
    fit = fit_at(vafp.purity)
    fit.note = f"no copy-number anchor: {est.note}; {vafp.note}"
    return fit, "somatic_vaf", vafp


#: column dtypes of the per-segment frame built by :func:`analyse_tumour`
_SEG_DTYPES = {"chrom": object, "start": np.int64, "end": np.int64, "n_snps": np.int64,
               "n_targets": np.int64, "log2_ratio": float, "se_log2": float,
               "baf": float, "se_baf": float, "n0": float}


def _segment_frame(rows: list[dict]) -> pd.DataFrame:
    """Segment rows as a typed frame. A degenerate sample (no target with enough
    normal depth, so no segment at all) gives an empty frame with the same numeric
    dtypes, so everything downstream (rounding, writing, the fit) treats it like any
    other sample: no segment to fit → purity not estimable."""
    seg = pd.DataFrame(rows, columns=list(_SEG_DTYPES))
    return seg.astype(_SEG_DTYPES)


def analyse_tumour(normal: pd.DataFrame, tumour: pd.DataFrame, sample: str,
                   sex: str = "auto", purity: float | None = None,
                   params: AnalysisParams = AnalysisParams(),
                   somatic: pd.DataFrame | None = None) -> TumourResult:
    """Segments with allele-specific copy numbers, LOH flags and the purity fit.

    ``somatic`` (columns chrom pos alt_count depth: this sample's reads at the
    patient's somatic SNVs) adds the clonal-VAF purity evidence
    (:mod:`escapeseq.cnv.clonal`); see :func:`_best_estimate` for how the two sources
    decide. ``purity`` (a fraction, e.g. from the samplesheet) overrides the estimate;
    the estimate is still made and kept in ``estimated_purity`` for comparison.
    Whenever a purity is known (from any source) the copy-number states and LOH flags
    are assigned at it, so LOH status is decidable.
    """
    if sex == "auto":
        sex = infer_sex(normal)
    chrom_order = list(dict.fromkeys(normal["chrom"].astype(str)))
    t = _targets(normal, tumour, sex, params)
    s = _het_snps(normal, tumour, sex, params)
    # one ordered point sequence: targets (log2 channel) + SNPs (mirrored BAF channel)
    pts = pd.concat([
        pd.DataFrame({"chrom": t["chrom"], "start": t["start"], "end": t["end"],
                      "log2": t["log2"], "mbaf": np.nan, "idx": np.arange(len(t)),
                      "kind": 0}),
        pd.DataFrame({"chrom": s["chrom"], "start": s["start"], "end": s["start"],
                      "log2": np.nan, "mbaf": np.abs(s["baf"] - 0.5),
                      "idx": np.arange(len(s)), "kind": 1}),
    ], ignore_index=True)
    pts = pts[np.isfinite(pts["log2"]) | np.isfinite(pts["mbaf"])]
    order = {c: i for i, c in enumerate(chrom_order)}
    pts["_o"] = pts["chrom"].map(order)
    pts = pts.sort_values(["_o", "start", "kind"], kind="stable").reset_index(drop=True)
    vals, sd_l, _ = standardise_channels(pts["log2"].to_numpy(), pts["mbaf"].to_numpy(),
                                         params.segment)
    wins_log2 = vals[:, 0] * sd_l
    rho = baf_overdispersion(s["alt_count_normal"].to_numpy(), s["depth_normal"].to_numpy())
    rows = []
    for c in chrom_order:
        sel = np.flatnonzero(pts["chrom"].to_numpy() == c)
        if len(sel) == 0 or not (pts["kind"].to_numpy()[sel] == 0).any():
            continue    # contigs without targets get no segment
        starts = segment_points(vals[sel], params.segment)
        bounds = list(starts) + [len(sel)]
        for a, b in zip(bounds[:-1], bounds[1:]):
            ix = sel[a:b]
            kinds = pts["kind"].to_numpy()[ix]
            tix = pts["idx"].to_numpy()[ix][kinds == 0]
            six = pts["idx"].to_numpy()[ix][kinds == 1]
            l2 = wins_log2[ix][kinds == 0]
            l2 = l2[np.isfinite(l2)]
            baf, se_b = baf_mle(s["alt_count_tumour"].to_numpy()[six],
                                s["depth"].to_numpy()[six], rho)
            rows.append({
                "chrom": c, "start": int(pts["start"].to_numpy()[ix].min()),
                "end": int(pts["end"].to_numpy()[ix].max()),
                "n_snps": len(six), "n_targets": len(tix),
                "log2_ratio": float(l2.mean()) if len(l2) else np.nan,
                "se_log2": sd_l / np.sqrt(len(l2)) if len(l2) else np.nan,
                "baf": baf, "se_baf": se_b,
                "n0": normal_copies(np.array([c]), sex)[0],
            })
    seg = _segment_frame(rows)
    seg = _no_overlap(seg)
    auto = pd.isna(seg["chrom"].map(SEX_CHROMS)).to_numpy()
    length = (seg["end"] - seg["start"] + 1).to_numpy()
    weight = (seg["n_targets"] + seg["n_snps"]).to_numpy()
    args = (seg["log2_ratio"].to_numpy(), seg["se_log2"].to_numpy(),
            seg["baf"].to_numpy(), seg["se_baf"].to_numpy(), weight, length,
            seg["n0"].to_numpy(), auto, len(s))
    def fit_at(fixed: float | None) -> FitResult:
        return fit_purity_ploidy(*args, params=params.fit, fixed_purity=fixed,
                                 n_snps=seg["n_snps"].to_numpy())

    est = fit_at(None)
    best, source, vafp = _best_estimate(est, fit_at, seg, somatic, sex, params)
    fit = best
    if purity is not None:
        fit = fit_at(purity)
        source = "samplesheet"
        if not np.isfinite(best.purity):
            fit.note = f"estimate not made: {best.note}"
    seg.insert(0, "sample", sample)
    known = fit.n_major >= 0
    seg["cn_major"] = np.where(known, fit.n_major, -1)
    seg["cn_minor"] = np.where(known, fit.n_minor, -1)
    seg["cn_total"] = np.where(known, fit.n_major + fit.n_minor, -1)
    haploid = seg["n0"].to_numpy() < 2
    base = 2 * max(1, int(round(fit.ploidy / 2))) if np.isfinite(fit.ploidy) else 2
    loh = known & (seg["cn_minor"].to_numpy() == 0) & (seg["cn_total"].to_numpy() > 0) \
        & ~haploid
    seg["loh"] = loh
    seg["cn_neutral_loh"] = loh & (seg["cn_total"].to_numpy() == base)
    seg["fit_deviation"] = fit.deviation
    seg["subclonal"] = known & (np.nan_to_num(fit.deviation) > params.subclonal_deviation)
    return TumourResult(segments=seg, fit=fit, purity_source=source, sex=sex,
                        n_het_snps=len(s), targets=t, snps=s,
                        estimated_purity=best.purity,
                        purity_allelic_imbalance=est.purity if est.estimable
                        else float("nan"), vaf_purity=vafp)
