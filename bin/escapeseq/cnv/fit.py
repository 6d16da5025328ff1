"""Purity and ploidy by grid search, with integer allele-specific copy numbers.

Model (ASCAT, Van Loo et al. 2010; PURPLE): a sample is a fraction ``p`` (purity) of
tumour cells and 1−p of normal cells. A segment where the tumour carries n_A copies of
one parental allele and n_B of the other (n_A ≥ n_B, n = n_A + n_B) and the normal
n0 copies (2 on autosomes; 1 on chrX/chrY in males) shows

    log2 ratio  = log2((p·n + (1−p)·n0) / n0) + log2(2 / (p·ψ + 2(1−p)))   (expected_log2)
    major BAF   = (p·n_A + (1−p)·n0/2) / (p·n + (1−p)·n0)                   (expected_baf)

where ψ is the tumour's mean copy number (the data's log2 ratios are normalised so the
mean linear ratio is 1, see :func:`escapeseq.cnv.depth.mean_normalise`). For each (p, ψ)
on a grid (purity 0.1–1.0, ploidy 1.5–5) every segment takes its closest integer state;
the fit score is the weighted mean squared, noise-scaled deviation, capped per segment
so a subclonal segment cannot drag the fit, plus a small parsimony penalty per copy-
number event away from the baseline — diploid (1, 1), or doubled (2, 2) plus one
genome-wide doubling penalty, whichever scores better. This breaks the exact tie
between a solution and its whole-genome-doubled twin at lower purity (p' = p/(2−p),
every state doubled) in favour of the simpler one. The best grid point wins; distinct local minima are the runner-ups.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class FitParams:
    """Fit knobs. Noise floors ``tau_log2`` (log2 units) and ``tau_baf`` (BAF fraction)
    are added in quadrature to each segment's standard error; ``cap`` bounds one
    segment's scaled squared deviation; ``event_penalty`` is the parsimony cost per
    copy-number event (in the same χ² units) and ``wgd_penalty`` the genome-wide cost of
    a whole-genome doubling, allowed only when states with an odd total copy number
    (well fitted) cover at least ``wgd_min_odd_fraction`` of the weight — otherwise the
    doubled solution is the twin of a diploid one and loses; ``max_cn`` the largest
    total copy number considered; a segment's weight is (targets + SNPs) raised to
    ``weight_power`` (0.5: a whole subclonal arm cannot outvote many smaller clonal
    segments); purity/ploidy grids are inclusive ranges with their steps; purity is
    estimable when segments covering ``min_aberrant_fraction`` of the weight are
    anchors (:func:`anchor_segments`, ``min_aberration_chi2``)."""

    purity_min: float = 0.10
    purity_max: float = 1.00
    purity_step: float = 0.01
    ploidy_min: float = 1.5
    ploidy_max: float = 5.0
    ploidy_step: float = 0.02
    max_cn: int = 8
    tau_log2: float = 0.06
    tau_baf: float = 0.02
    cap: float = 25.0
    event_penalty: float = 0.6
    wgd_penalty: float = 0.3
    homdel_penalty: float = 20.0
    wgd_min_odd_fraction: float = 0.1
    weight_power: float = 0.5
    min_het_snps: int = 50
    min_aberrant_fraction: float = 0.005
    min_aberration_chi2: float = 9.0
    min_anchor_snps: int = 20
    n_runner_ups: int = 3


@dataclass
class FitResult:
    """Outcome of :func:`fit_purity_ploidy`. ``purity`` is NaN when not estimable;
    ``n_major``/``n_minor`` are per segment (−1 when unknown); ``deviation`` the scaled
    squared deviation of each segment from its state (large = subclonal / poor fit)."""

    purity: float
    psi: float
    ploidy: float
    score: float
    goodness_of_fit: float
    n_major: np.ndarray
    n_minor: np.ndarray
    deviation: np.ndarray
    runner_ups: list[tuple[float, float, float]] = field(default_factory=list)
    estimable: bool = True
    note: str = ""
    purity_grid: np.ndarray | None = None
    purity_profile: np.ndarray | None = None
    n_fit_segments: int = 0

    def purity_loglik(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(purity grid, log-likelihood profile relative to its maximum) of the
        allelic-imbalance fit, or None when the fit made no estimate.

        The fit score is a weighted mean over segments of χ²-like deviations (each
        segment's squared, noise-scaled distance from its state); the sum over the
        S segments is ≈ S × score, and a χ² sum is −2 × log-likelihood, so
        log L(p) ≈ −½·S·(score(p) − min score), the score minimised over ploidy at each
        purity (a profile likelihood). Noise floors and caps make it conservative."""
        if not self.estimable or self.purity_profile is None:
            return None
        prof = np.asarray(self.purity_profile, dtype=float)
        return (np.asarray(self.purity_grid, dtype=float),
                -0.5 * self.n_fit_segments * (prof - np.nanmin(prof)))


def expected_log2(purity: np.ndarray, psi: np.ndarray, n_total: np.ndarray,
                  n0: np.ndarray) -> np.ndarray:
    """Expected log2 ratio of a segment with n_total tumour copies (see module doc).

    Derivation: depth ∝ copies per cell averaged over the mixture, p·n + (1−p)·n0; the
    normal's depth ∝ n0; after normalising the genome-mean ratio to 1 the denominator
    is the mixture's mean copies relative to a diploid normal, (p·ψ + 2(1−p))/2.
    A floor of 0.01 copies keeps a homozygous deletion at purity 1 finite.
    """
    num = np.maximum(purity * n_total + (1.0 - purity) * n0, 0.01) / n0
    den = (purity * psi + 2.0 * (1.0 - purity)) / 2.0
    return np.log2(num) - np.log2(den)


def expected_baf(purity: np.ndarray, n_major: np.ndarray, n_total: np.ndarray,
                 n0: np.ndarray) -> np.ndarray:
    """Expected major-allele fraction at heterozygous germline SNPs of a segment.

    Derivation: reads carrying the major allele come from n_A tumour copies (weight p)
    and one normal copy per parental allele (n0/2, weight 1−p); all reads come from
    p·n + (1−p)·n0 copies. A segment with no copies anywhere shows 0.5.
    """
    num = purity * n_major + (1.0 - purity) * n0 / 2.0
    den = purity * n_total + (1.0 - purity) * n0
    with np.errstate(divide="ignore", invalid="ignore"):
        b = num / den
    return np.where(den > 0, b, 0.5)


def candidate_states(max_cn: int) -> tuple[np.ndarray, np.ndarray]:
    """All (n_A, n_B) with n_A ≥ n_B ≥ 0 and n_A + n_B ≤ max_cn."""
    a, b = [], []
    for n in range(max_cn + 1):
        for nb in range(n // 2 + 1):
            a.append(n - nb)
            b.append(nb)
    return np.array(a), np.array(b)


def event_count(n_major: np.ndarray, n_minor: np.ndarray, wgd: bool = False
                ) -> np.ndarray:
    """Copy-number events needed to reach (n_A, n_B) from the genome's baseline:
    |n_A − 1| + |n_B − 1| from a diploid (1, 1), or |n_A − 2| + |n_B − 2| from a
    whole-genome-doubled (2, 2) baseline (the doubling itself is one genome-wide event,
    charged once by the fit, not per segment)."""
    b = 2 if wgd else 1
    return np.abs(n_major - b) + np.abs(n_minor - b)


def state_penalty(n_major: np.ndarray, n_minor: np.ndarray, wgd: bool,
                  params: "FitParams") -> np.ndarray:
    """Parsimony cost of each state: ``event_penalty`` per event (:func:`event_count`)
    plus ``homdel_penalty`` for no copies at all — a homozygous deletion of a whole
    segment is rare biology, yet it is what lets a doubled genome's single-copy
    segments masquerade as a diploid genome at lower purity."""
    return (params.event_penalty * event_count(n_major, n_minor, wgd)
            + params.homdel_penalty * ((n_major + n_minor) == 0))


def baf_overdispersion(alt: np.ndarray, depth: np.ndarray) -> float:
    """Beta-binomial over-dispersion ρ of allele counts at balanced heterozygous SNPs
    (the normal's), by the method of moments.

    Derivation: at a balanced SNP the alt fraction f = a/d has E f = ½ and
    Var f = ¼·(1 + (d−1)·ρ)/d, so 4·d·(f − ½)² − 1 has expectation (d−1)·ρ; summing
    over SNPs, ρ = Σ(4·d·(f−½)² − 1) / Σ(d−1), floored at 0. The top 1 % of
    4·d·(f−½)² (miscalled hets) is dropped first.
    """
    a = np.asarray(alt, dtype=float)
    d = np.asarray(depth, dtype=float)
    ok = d > 1
    a, d = a[ok], d[ok]
    if len(a) < 10:
        return 0.0
    z = 4.0 * d * (a / d - 0.5) ** 2
    keep = z <= np.quantile(z, 0.99)
    rho = (z[keep] - 1.0).sum() / (d[keep] - 1.0).sum()
    return float(min(max(rho, 0.0), 0.2))


def baf_mle(alt: np.ndarray, depth: np.ndarray, rho: float = 0.0,
            grid: np.ndarray | None = None) -> tuple[float, float]:
    """Maximum-likelihood major-allele fraction b ∈ [0.5, 0.99] of one segment, and its
    standard error, from alt counts and depths at its heterozygous SNPs.

    Derivation: the phase of each SNP is unknown, so its alt fraction f = a/d comes
    from the major copy (mean b) or the minor one (mean 1−b) with probability ½ each,
    with variance v = b(1−b)·(1 + (d−1)·ρ)/d (beta-binomial, over-dispersion ρ from
    :func:`baf_overdispersion`). With a normal approximation,
    L_i(b) = ½·N(f; b, v) + ½·N(f; 1−b, v). The mirrored BAF |f − ½| + ½ — and a plain
    binomial likelihood when counts are over-dispersed — is biased upward at balanced
    segments (folded noise); this likelihood is not. SE from the half-unit
    log-likelihood interval.
    """
    a = np.asarray(alt, dtype=float)
    d = np.asarray(depth, dtype=float)
    ok = d > 0
    a, d = a[ok], d[ok]
    if len(a) == 0:
        return float("nan"), float("nan")
    if grid is None:
        grid = np.linspace(0.5, 0.99, 99)
    f = (a / d)[:, None]
    v = grid[None, :] * (1 - grid[None, :]) * (1 + (d[:, None] - 1) * rho) / d[:, None]
    ll1 = -0.5 * (f - grid[None, :]) ** 2 / v
    ll2 = -0.5 * (f - 1 + grid[None, :]) ** 2 / v
    ll = (np.logaddexp(ll1, ll2) - 0.5 * np.log(v)).sum(axis=0)
    k = int(np.argmax(ll))
    inside = grid[ll >= ll[k] - 0.5]
    step = grid[1] - grid[0]
    se = max((inside.max() - inside.min()) / 2.0, step / 2.0)
    return float(grid[k]), float(se)


def _deviation(obs_log2: np.ndarray, se_log2: np.ndarray, obs_baf: np.ndarray,
               se_baf: np.ndarray, exp_log2: np.ndarray, exp_baf: np.ndarray,
               params: FitParams) -> np.ndarray:
    """Scaled squared deviation of observed segments from expected states (χ²-like):
    (Δlog2)²/(se² + τ_log2²) + (ΔBAF)²/(se² + τ_baf²); a missing BAF adds nothing."""
    vl = se_log2 ** 2 + params.tau_log2 ** 2
    vb = se_baf ** 2 + params.tau_baf ** 2
    dl = (obs_log2[..., None] - exp_log2) ** 2 / vl[..., None]
    db = (obs_baf[..., None] - exp_baf) ** 2 / vb[..., None]
    db = np.where(np.isfinite(db), db, 0.0)
    return dl + db


def _state_cost(dev: np.ndarray, pen: np.ndarray, allowed: np.ndarray,
                params: FitParams) -> np.ndarray:
    """Per (…, segment, state) cost: capped deviation + state penalty; disallowed = inf."""
    cost = np.minimum(dev, params.cap) + pen
    return np.where(allowed, cost, np.inf)


def _wgd_cost(odd_fraction: np.ndarray, params: FitParams) -> np.ndarray:
    """Genome-wide cost of a doubled baseline: ``wgd_penalty``, plus a prohibitive 100
    when odd-copy states cover less than ``wgd_min_odd_fraction`` of the weight.

    Why: doubling every state of a diploid solution and lowering purity to p/(2−p)
    reproduces every expected log2/BAF exactly, and its in-between odd states absorb
    subclonal segments, so the twin can fit *better*. Real doubled genomes carry odd
    states from losses/gains after the doubling; twins carry them only where a
    diploid solution has subclonal segments.
    """
    return params.wgd_penalty + np.where(odd_fraction < params.wgd_min_odd_fraction,
                                         100.0, 0.0)


def _allowed(n_major: np.ndarray, n_minor: np.ndarray, n0: np.ndarray) -> np.ndarray:
    """(segment, state) mask: constitutionally haploid segments (n0 = 1) have no
    second allele, so only n_B = 0 states are allowed there."""
    return (n0[:, None] >= 2) | (n_minor[None, :] == 0)


def score_grid(log2: np.ndarray, se_log2: np.ndarray, baf: np.ndarray,
               se_baf: np.ndarray, weight: np.ndarray, n0: np.ndarray,
               purities: np.ndarray, psis: np.ndarray, params: FitParams
               ) -> np.ndarray:
    """Fit score for every (purity, ψ) pair: Σ_s w_s·min_state cost / Σ_s w_s."""
    na, nb = candidate_states(params.max_cn)
    n = na + nb
    ev = {w: state_penalty(na, nb, w, params) for w in (False, True)}
    allowed = _allowed(na, nb, n0)
    wsum = weight.sum()
    out = np.empty((len(purities), len(psis)))
    for i, p in enumerate(purities):
        eb = expected_baf(p, na[None, :], n[None, :], n0[:, None])        # (S, K)
        el = expected_log2(p, psis[:, None, None], n[None, None, :],
                           n0[None, :, None])                               # (Ψ, S, K)
        dev = _deviation(log2[None, :], se_log2[None, :], baf[None, :], se_baf[None, :],
                         el, eb[None, :, :], params)
        best = None
        for wgd in (False, True):
            cost = _state_cost(dev, ev[wgd][None, None, :], allowed[None], params)
            sc = (cost.min(axis=2) * weight[None, :]).sum(axis=1) / wsum
            if wgd:
                k = cost.argmin(axis=2)
                good = np.take_along_axis(dev, k[..., None], axis=2)[..., 0] < params.cap
                odd = ((n[k] % 2) == 1) & good
                sc = sc + _wgd_cost((odd * weight[None, :]).sum(axis=1) / wsum, params)
            best = sc if best is None else np.minimum(best, sc)
        out[i] = best
    return out


def assign_states(log2: np.ndarray, se_log2: np.ndarray, baf: np.ndarray,
                  se_baf: np.ndarray, n0: np.ndarray, purity: float, psi: float,
                  params: FitParams, weight: np.ndarray | None = None
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Best integer (n_A, n_B) per segment at a given (purity, ψ), under the diploid or
    the doubled baseline, whichever scores better (as in :func:`score_grid`); also each
    segment's deviation from its state."""
    na, nb = candidate_states(params.max_cn)
    n = na + nb
    eb = expected_baf(purity, na[None, :], n[None, :], n0[:, None])
    el = expected_log2(purity, psi, n[None, :], n0[:, None])
    dev = _deviation(log2, se_log2, baf, se_baf, el, eb, params)
    w = np.ones(len(log2)) if weight is None else np.asarray(weight, dtype=float)
    best = None
    for wgd in (False, True):
        cost = _state_cost(dev, state_penalty(na, nb, wgd, params)[None, :],
                           _allowed(na, nb, n0), params)
        k = np.argmin(cost, axis=1)
        sc = (cost[np.arange(len(k)), k] * w).sum() / max(w.sum(), 1e-12)
        if wgd:
            good = dev[np.arange(len(k)), k] < params.cap
            odd = (((na + nb)[k] % 2) == 1) & good
            sc = sc + float(_wgd_cost(np.array((odd * w).sum() / max(w.sum(), 1e-12)),
                                      params))
        if best is None or sc < best[0]:
            best = (sc, k)
    k = best[1]
    rows = np.arange(len(log2))
    return na[k], nb[k], dev[rows, k]


def _local_minima(grid: np.ndarray) -> list[tuple[int, int]]:
    """(i, j) of grid cells no larger than any of their 8 neighbours, best first."""
    g = np.pad(grid, 1, constant_values=np.inf)
    centre = g[1:-1, 1:-1]
    ok = np.ones_like(centre, dtype=bool)
    for di in (-1, 0, 1):
        for dj in (-1, 0, 1):
            if di or dj:
                ok &= centre <= g[1 + di:g.shape[0] - 1 + di, 1 + dj:g.shape[1] - 1 + dj]
    idx = np.argwhere(ok)
    order = np.argsort(grid[ok], kind="stable")
    return [tuple(map(int, idx[o])) for o in order]


def weighted_ploidy(n_total: np.ndarray, length: np.ndarray) -> float:
    """Tumour ploidy: genome-length-weighted mean total copy number."""
    length = np.asarray(length, dtype=float)
    if length.sum() <= 0:
        return float("nan")
    return float((np.asarray(n_total, dtype=float) * length).sum() / length.sum())


def _grid(lo: float, hi: float, step: float) -> np.ndarray:
    return np.round(np.arange(lo, hi + step / 2, step), 6)


def purity_grid(params: FitParams = FitParams()) -> np.ndarray:
    """The purity grid (fractions) the fit searches."""
    return _grid(params.purity_min, params.purity_max, params.purity_step)


def fit_purity_ploidy(log2: np.ndarray, se_log2: np.ndarray, baf: np.ndarray,
                      se_baf: np.ndarray, weight: np.ndarray, length: np.ndarray,
                      n0: np.ndarray, use_for_fit: np.ndarray, n_het_snps: int,
                      params: FitParams = FitParams(),
                      fixed_purity: float | None = None,
                      n_snps: np.ndarray | None = None) -> FitResult:
    """Grid-search purity and ploidy over segments; assign integer states to all.

    Arrays are per segment: mean log2 ratio and its SE, ML major BAF and its SE (NaN
    without heterozygous SNPs), weight (points), length (bp), normal copies n0, and
    ``use_for_fit`` (autosomes). ``fixed_purity`` (e.g. the samplesheet's) pins p and
    searches only ψ; ``n_snps`` (heterozygous SNPs per segment) limits which BAFs may
    anchor purity (:func:`anchor_segments`). With fewer than ``min_het_snps``
    heterozygous SNPs, or no
    aberration to anchor purity, the estimate is not made (``estimable`` False, NaN
    purity, a reason in ``note``) unless a fixed purity is given.
    """
    arrs = [np.asarray(x, dtype=float) for x in (log2, se_log2, baf, se_baf, weight,
                                                  length, n0)]
    log2, se_log2, baf, se_baf, weight, length, n0 = arrs
    weight = np.maximum(weight, 0.0) ** params.weight_power
    use = np.asarray(use_for_fit, dtype=bool) & np.isfinite(log2) & (weight > 0)
    nseg = len(log2)
    if not use.any():
        res = _not_estimable(nseg, "no autosomal segment with depth to fit")
        if fixed_purity is not None:     # a given purity stays known; states do not
            res.purity = float(fixed_purity)
        return res
    if n_het_snps < params.min_het_snps and fixed_purity is None:
        return _not_estimable(nseg, f"only {n_het_snps} heterozygous SNPs "
                              f"(< {params.min_het_snps}) to fit")
    purities = (np.array([fixed_purity]) if fixed_purity is not None
                else _grid(params.purity_min, params.purity_max, params.purity_step))
    psis = _grid(params.ploidy_min, params.ploidy_max, params.ploidy_step)
    grid = score_grid(log2[use], se_log2[use], baf[use], se_baf[use], weight[use],
                      n0[use], purities, psis, params)
    minima = _local_minima(grid)
    i, j = minima[0]
    p, psi = float(purities[i]), float(psis[j])
    na, nb, dev = assign_states(np.where(np.isfinite(log2), log2, 0.0), se_log2, baf,
                                se_baf, n0, p, psi, params, np.where(use, weight, 0.0))
    ploidy = weighted_ploidy((na + nb)[use], length[use])
    tol = (dev < 9.0)
    good = float((weight[use] * tol[use]).sum() / weight[use].sum())
    runner = []
    seen = [(p, ploidy)]
    for (ii, jj) in minima[1:]:
        pp, ss = float(purities[ii]), float(psis[jj])
        a2, b2, _ = assign_states(log2[use], se_log2[use], baf[use], se_baf[use],
                                  n0[use], pp, ss, params, weight[use])
        pl = weighted_ploidy(a2 + b2, length[use])
        if any(abs(pp - q) < 0.03 and abs(pl - r) < 0.1 for q, r in seen):
            continue
        seen.append((pp, pl))
        runner.append((pp, round(pl, 3), float(grid[ii, jj])))
        if len(runner) >= params.n_runner_ups:
            break
    # identifiability: purity needs segments significantly away from the quiet state
    base = 2 * max(1, int(round(ploidy / 2)))
    anchor = np.zeros(nseg, dtype=bool)
    anchor[use] = anchor_segments(log2[use], se_log2[use], baf[use], se_baf[use],
                                  None if n_snps is None else np.asarray(n_snps)[use],
                                  na[use], nb[use], n0[use], p, psi, base == 4, params)
    frac = float(weight[anchor].sum() / weight[use].sum())
    note = ""
    estimable = True
    if fixed_purity is None and frac < params.min_aberrant_fraction:
        return _not_estimable(nseg, "no copy-number or allelic imbalance to anchor "
                              f"purity ({frac:.3f} of targets significantly aberrant)")
    return FitResult(purity=p, psi=psi, ploidy=ploidy, score=float(grid[i, j]),
                     goodness_of_fit=good, n_major=na, n_minor=nb, deviation=dev,
                     runner_ups=runner, estimable=estimable, note=note,
                     purity_grid=purities, purity_profile=grid.min(axis=1),
                     n_fit_segments=int(use.sum()))


def anchor_segments(log2: np.ndarray, se_log2: np.ndarray, baf: np.ndarray,
                    se_baf: np.ndarray, n_snps: np.ndarray | None, n_major: np.ndarray,
                    n_minor: np.ndarray, n0: np.ndarray, purity: float, psi: float,
                    wgd: bool, params: FitParams) -> np.ndarray:
    """Segments that anchor purity: in an aberrant state that explains them
    significantly better than the copy-number-quiet state does.

    Quiet state: the normal's copies — (1, 1), or (1, 0) where the normal is haploid —
    at ploidy ψ = 2, which predicts log2 ratio 0 and BAF ½ at *any* purity, so it
    carries no purity information. A segment anchors when its state differs from the
    baseline and dev_quiet − (dev_state + state penalty) ≥ ``min_aberration_chi2``
    (χ² units, deviations capped). Why: the ML BAF of a balanced segment is bounded at
    ½ and so sits a little above it (≈ 0.51–0.52 at exome depths), and a fit at the
    bottom of the purity grid can turn such wobbles into low-purity "events"
    everywhere; none of them passes this test, a real arm-level event (χ² up to
    ``cap``) does. The BAF of a segment with fewer than ``min_anchor_snps``
    heterozygous SNPs (``n_snps``) is not used here: with a handful of SNPs the folded
    BAF estimate can sit at 0.6 by chance with a deceptively small standard error.
    """
    if n_snps is not None:
        baf = np.where(np.asarray(n_snps) >= params.min_anchor_snps, baf, np.nan)
    n = n_major + n_minor
    quiet = _deviation(log2, se_log2, baf, se_baf, np.zeros((len(log2), 1)),
                       np.full((len(log2), 1), 0.5), params)[:, 0]
    el = expected_log2(purity, psi, n, n0)
    eb = expected_baf(purity, n_major, n, n0)
    dev = _deviation(log2, se_log2, baf, se_baf, el[:, None], eb[:, None], params)[:, 0]
    cost = np.minimum(dev, params.cap) + state_penalty(n_major, n_minor, wgd, params)
    base = 2 if wgd else 1
    baseline = np.where(n0 >= 2, (n_major == base) & (n_minor == base),
                        (n_major == base) & (n_minor == 0))
    return ~baseline & ((np.minimum(quiet, params.cap) - cost)
                        >= params.min_aberration_chi2)


def _not_estimable(nseg: int, reason: str) -> FitResult:
    """A result with no purity estimate and unknown (−1) states; the caller falls back
    to a samplesheet purity (``fixed_purity``) when it has one."""
    unknown = np.full(nseg, -1)
    return FitResult(purity=float("nan"), psi=float("nan"), ploidy=float("nan"),
                     score=float("nan"), goodness_of_fit=float("nan"),
                     n_major=unknown, n_minor=unknown.copy(),
                     deviation=np.full(nseg, np.nan), estimable=False, note=reason)
