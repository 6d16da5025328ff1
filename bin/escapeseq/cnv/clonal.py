"""Tumour purity from the somatic VAF distribution: the clonal peak, with the mutation
multiplicity allowed by the local copy number.

Why. Purity from copy number needs an anchor: a segment whose copy number or allelic
balance differs from the genome's baseline. A copy-number-quiet tumour has none, yet
its clonal somatic mutations still sit at a VAF set by purity.

Expected VAF. In a sample of purity p (fraction of tumour cells), at a locus with n
copies in tumour cells, of which m carry the mutation, and n0 copies in normal cells
(2 on autosomes, 1 on chrX/chrY in males), a read comes from a mutant copy with
probability

    mutant copies per cell averaged over the mixture   p·m
    ------------------------------------------------ = --------------------- = v(p, m, n)
    all copies per cell averaged over the mixture       p·n + n0·(1 − p)

(for n0 = 2 this is p·m / (p·CN + 2(1 − p))). A diploid clonal heterozygous mutation
(n = 2, m = 1) shows p/2: VAF 0.3 means p = 0.6. A clonal mutation may sit on 1 to
n_major copies (gained before the gain, or on the minor allele); a subclonal one in a
fraction f of tumour cells shows v(p, f·1, n) — one mutant copy in those cells.

Likelihood. For mutation i with a alt reads of depth d, a beta-binomial BB (small
over-dispersion ρ, for capture and mapping noise) and a mixture

    L_i(p, π) = π · (1/n_major) Σ_{m=1..n_major} BB(a; d, v(p, m, n))     clonal
              + (1 − π) · (1/K) Σ_k BB(a; d, v(p, f_k, n))                 subclonal,
                                                     f_k = (k − ½)/K, k = 1..K
              + η/(d + 1)                                                  outlier

the clonal share π is maximised at each p (grid), giving a profile log-likelihood of
p; the estimate is its maximum and the standard error the half-width of the region
within ½ log-likelihood unit of it. A p too low cannot reach the clonal VAFs (only the
outlier term explains them); a p too high leaves them to the diffuse subclonal term,
which a sharp clonal peak at the right p beats.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..distributions import betaln
from ..errors import InputError


@dataclass(frozen=True)
class VafPurityParams:
    """Which SNVs count and the model's knobs: ``min_depth`` reads in the sample,
    ``min_alt_reads`` to call it present there, ``min_mutations`` to estimate at all,
    ``max_se`` the largest standard error (fraction) still reported as an estimate,
    ``rho`` beta-binomial over-dispersion, ``n_subclonal`` K, ``outlier`` η, and
    ``max_mutations`` (an evenly spaced subset is used above it)."""

    min_depth: int = 20
    min_alt_reads: int = 3
    min_mutations: int = 10
    max_se: float = 0.1
    rho: float = 0.005
    n_subclonal: int = 20
    outlier: float = 0.01
    max_mutations: int = 3000


@dataclass
class VafPurity:
    """Outcome of :func:`estimate_purity_from_vaf`: purity (NaN if not estimable), its
    standard error, the number of SNVs used, the log-likelihood profile over
    ``grid`` (relative to its maximum) and a note."""

    purity: float
    se: float
    n_mutations: int
    grid: np.ndarray
    loglik: np.ndarray
    note: str = ""
    loglik_max: float = 0.0

    def absolute_loglik(self) -> np.ndarray:
        """The profile as absolute log-likelihoods (comparable between copy-number
        readings of the same mutations)."""
        return self.loglik + self.loglik_max

    @property
    def estimable(self) -> bool:
        return bool(np.isfinite(self.purity))


def expected_vaf(purity: np.ndarray, m: np.ndarray, n_total: np.ndarray,
                 n0: np.ndarray) -> np.ndarray:
    """v(p, m, n) = p·m / (p·n + n0·(1 − p)) (module doc), a fraction; 0 where the
    locus has no copies at all."""
    num = purity * m
    den = purity * n_total + n0 * (1.0 - purity)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = num / den
    return np.where(den > 0, v, 0.0)


def _bb(a: np.ndarray, d: np.ndarray, v: np.ndarray, rho: float) -> np.ndarray:
    """Beta-binomial pmf with mean v and over-dispersion ρ (v clamped to (0, 1)), for
    integer 0 <= a <= d.

    With α = v·k, β = (1 − v)·k, k = 1/ρ − 1:
    BB(a; d, α, β) = C(d, a) · B(a + α, d − a + β) / B(α, β), and
    log C(d, a) = −log(d + 1) − log B(d − a + 1, a + 1), the expression of
    scipy.stats.betabinom, with escapeseq.distributions.betaln (no scipy import: it costs
    0.4-1 s of CPU in every CNV_FIT task).
    """
    v = np.clip(v, 1e-4, 1 - 1e-4)
    k = 1.0 / rho - 1.0
    al, be = v * k, (1 - v) * k
    a = np.floor(np.asarray(a, dtype=float))
    d = np.asarray(d, dtype=float)
    return np.exp(-np.log(d + 1.0) - betaln(d - a + 1.0, a + 1.0)
                  + betaln(a + al, d - a + be) - betaln(al, be))


def vaf_loglik(alt: np.ndarray, depth: np.ndarray, n_total: np.ndarray,
               n_major: np.ndarray, n0: np.ndarray, grid: np.ndarray,
               params: VafPurityParams = VafPurityParams()) -> np.ndarray:
    """Profile log-likelihood (natural log, maximised over the clonal share π) of
    purity at each ``grid`` value for mutations with the given alt reads, depths,
    local total / major copy numbers and normal copies (module doc)."""
    a = np.asarray(alt, dtype=float)[:, None]
    d = np.asarray(depth, dtype=float)[:, None]
    n = np.asarray(n_total, dtype=float)[:, None]
    nA = np.maximum(np.asarray(n_major, dtype=int), 1)
    nn0 = np.asarray(n0, dtype=float)[:, None]
    p = np.asarray(grid, dtype=float)[None, :]
    clonal = np.zeros((len(a), len(grid)))
    for m in range(1, int(nA.max()) + 1):
        ok = (m <= nA)[:, None]
        clonal += np.where(ok, _bb(a, d, expected_vaf(p, m, n, nn0), params.rho), 0.0)
    clonal /= nA[:, None]
    K = params.n_subclonal
    sub = np.zeros_like(clonal)
    for k in range(K):
        f = (k + 0.5) / K
        sub += _bb(a, d, expected_vaf(p, f, n, nn0), params.rho)
    sub /= K
    outl = params.outlier / (d + 1)
    best = np.full(len(grid), -np.inf)
    for pi in np.linspace(0.05, 1.0, 20):
        ll = np.log((1 - params.outlier) * (pi * clonal + (1 - pi) * sub) + outl).sum(axis=0)
        best = np.maximum(best, ll)
    return best


def estimate_purity_from_vaf(alt: np.ndarray, depth: np.ndarray, n_total: np.ndarray,
                             n_major: np.ndarray, n0: np.ndarray, grid: np.ndarray,
                             params: VafPurityParams = VafPurityParams()) -> VafPurity:
    """Purity (fraction) at the maximum of :func:`vaf_loglik`, with its standard error
    (half-width of the ½-unit interval, at least half a grid step). Not estimable (NaN)
    with fewer than ``min_mutations`` usable SNVs (present, deep enough, on a locus with
    copies) or a standard error above ``max_se``."""
    a = np.asarray(alt, dtype=float)
    d = np.asarray(depth, dtype=float)
    n = np.asarray(n_total, dtype=float)
    ok = (d >= params.min_depth) & (a >= params.min_alt_reads) & (n > 0) & np.isfinite(n)
    idx = np.flatnonzero(ok)
    grid = np.asarray(grid, dtype=float)
    if len(idx) > params.max_mutations:
        idx = idx[np.linspace(0, len(idx) - 1, params.max_mutations).astype(int)]
    if len(idx) < params.min_mutations:
        return VafPurity(float("nan"), float("nan"), len(idx), grid,
                         np.zeros(len(grid)),
                         f"only {len(idx)} usable somatic SNVs (< {params.min_mutations})")
    ll = vaf_loglik(a[idx], d[idx], n[idx], np.asarray(n_major)[idx],
                    np.asarray(n0, dtype=float)[idx], grid, params)
    top = float(ll.max())
    ll = ll - top
    k = int(np.argmax(ll))
    inside = grid[ll >= -0.5]
    step = float(grid[1] - grid[0]) if len(grid) > 1 else 0.01
    se = max((inside.max() - inside.min()) / 2.0, step / 2.0)
    if se > params.max_se:
        return VafPurity(float("nan"), se, len(idx), grid, ll,
                         f"somatic VAFs give no clear clonal peak (SE {se:.2f})", top)
    return VafPurity(float(grid[k]), float(se), len(idx), grid, ll,
                     f"clonal peak of {len(idx)} somatic SNVs", top)


def combine_purity(grid: np.ndarray, ll_ai: np.ndarray,
                   ll_vaf: list[np.ndarray], centres: list[float],
                   basin: float = 0.1) -> tuple[float, int]:
    """Combine the allelic-imbalance purity profile with the somatic-VAF profiles of
    one or more copy-number readings (the fit's best solution and its runner-ups).

    The two are independent evidence, so log-likelihoods add. Each reading k has its
    own states, hence its own VAF profile ``ll_vaf[k]`` (absolute log-likelihoods, so
    readings compare), meaningful near its purity ``centres[k]``: the sum is maximised
    within ±``basin`` of it. The best (purity, reading) over all wins. Why readings:
    a whole-genome-doubled twin (purity p/(2 − p), every state doubled) explains the
    copy number as well as the true diploid reading, but its clonal mutations must all
    be doubled to reach the same VAFs, which the mutations' likelihood penalises
    (half of each mutation's clonal mass sits on the single-copy peak).

    Returns (purity, index of the reading)."""
    best = (-np.inf, float("nan"), -1)
    g = np.asarray(grid, dtype=float)
    for k, (ll, c) in enumerate(zip(ll_vaf, centres)):
        tot = np.asarray(ll_ai, dtype=float) + np.asarray(ll, dtype=float)
        tot = np.where(np.abs(g - c) <= basin + 1e-9, tot, -np.inf)
        i = int(np.argmax(tot))
        if tot[i] > best[0]:
            best = (float(tot[i]), float(g[i]), k)
    return best[1], best[2]


def read_somatic_snvs(path: str, sample: str) -> pd.DataFrame:
    """PASS single-nucleotide variants of a multi-sample somatic VCF (escapeseq-call
    gather: FORMAT AD, or DP and AF, per sample) with ``sample``'s read counts:
    columns chrom pos alt_count depth (depth = ref + alt reads from AD; DP·AF rounded
    when there is no AD). Multi-allelic records give one row per ALT."""
    import pysam
    try:
        vf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as e:
        raise InputError(path, None, f"cannot open as VCF ({e})")
    rows = []
    with vf:
        if sample not in vf.header.samples:
            raise InputError(path, "header", f"sample {sample} is not a column of the VCF "
                             f"(samples: {', '.join(vf.header.samples)})")
        has_ad = "AD" in vf.header.formats
        if not has_ad and not {"DP", "AF"} <= set(vf.header.formats):
            raise InputError(path, "header", "no FORMAT/AD (or DP and AF) to read VAFs")
        n = 0
        try:
            for n, rec in enumerate(vf, 1):
                filt = list(rec.filter.keys())
                if (filt and filt != ["PASS"]) or len(rec.ref) != 1 or not rec.alts:
                    continue
                call = rec.samples[sample]
                ad = call.get("AD") if has_ad else None
                for k, alt in enumerate(rec.alts, 1):
                    if len(alt) != 1 or alt in ".*":
                        continue
                    if ad is not None and len(ad) > k and ad[0] is not None \
                            and ad[k] is not None:
                        ac, dp = int(ad[k]), int(ad[0]) + int(ad[k])
                    else:
                        dp_v, af = call.get("DP"), call.get("AF")
                        af = af[k - 1] if isinstance(af, tuple) and len(af) >= k else af
                        if dp_v is None or af is None:
                            continue
                        dp, ac = int(dp_v), int(round(float(af) * int(dp_v)))
                    rows.append((rec.chrom, rec.pos, ac, dp))
        except (OSError, ValueError) as e:
            raise InputError(path, f"record {n + 1}", f"unreadable ({e})")
    return pd.DataFrame(rows, columns=["chrom", "pos", "alt_count", "depth"])
