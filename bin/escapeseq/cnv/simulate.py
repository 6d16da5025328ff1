"""Count tables drawn from the copy-number model (for unit tests and benchmarks).

Produces the same tables ``escapeseq-cnv pileup`` writes — per-target mean depth, GC,
length and per-SNP ref/alt counts — for a normal and for tumours of known purity, ploidy
and allele-specific copy-number segments (clonal or subclonal), with realistic exome
noise: per-target capture efficiency shared by all libraries, a GC bias that differs
between libraries, over-dispersed depths and beta-binomial allele counts. Seeded: the
same arguments give the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .fit import expected_baf

#: GRCh38 chromosome lengths in Mb (1-22, X), scaled by ``Genome.scale``.
HUMAN_MB = [248, 242, 198, 190, 181, 171, 159, 145, 138, 134, 135, 133, 114, 107, 102,
            90, 83, 80, 59, 64, 47, 51, 156]
#: p-arm lengths in Mb (approximate centromere positions) for arm-level events.
HUMAN_P_MB = [123, 93, 91, 50, 48, 59, 60, 45, 43, 40, 53, 35, 17, 17, 19, 36, 25, 18,
              26, 28, 12, 15, 60]


@dataclass(frozen=True)
class Event:
    """One tumour copy-number state on chrom:start-end (1-based inclusive, bp):
    ``n_major``/``n_minor`` copies in a fraction ``clonal_fraction`` of tumour cells
    (the rest keep the background state)."""

    chrom: str
    start: int
    end: int
    n_major: int
    n_minor: int
    clonal_fraction: float = 1.0


@dataclass(frozen=True)
class Genome:
    """Synthetic exome layout: chromosomes, targets and germline SNP positions."""

    chroms: list[str]
    lengths: list[int]
    p_arm: list[int]
    targets: pd.DataFrame        # chrom start end length gc eff
    snps: pd.DataFrame           # chrom pos genotype(het|hom) ref alt


def make_genome(rng: np.random.Generator, n_targets: int = 20000, n_snps: int = 5000,
                scale: float = 1.0, with_x: bool = True, hom_fraction: float = 0.3
                ) -> Genome:
    """Random targets (length 80–400 bp, GC fraction ~ Beta) spread over chr1–22(+X) in
    proportion to length, and germline SNPs inside targets (a ``hom_fraction`` of them
    homozygous alt, the rest heterozygous)."""
    n = 23 if with_x else 22
    chroms = [f"chr{i}" for i in range(1, 23)] + (["chrX"] if with_x else [])
    lengths = [int(m * 1e6 * scale) for m in HUMAN_MB[:n]]
    p_arm = [int(m * 1e6 * scale) for m in HUMAN_P_MB[:n]]
    share = np.array(lengths, dtype=float) / sum(lengths)
    per = rng.multinomial(n_targets, share)
    rows = []
    for c, L, k in zip(chroms, lengths, per):
        st = np.sort(rng.integers(1, L - 1000, size=k))
        ln = rng.integers(80, 400, size=k)
        rows.append(pd.DataFrame({"chrom": c, "start": st, "end": st + ln - 1,
                                  "length": ln}))
    t = pd.concat(rows, ignore_index=True)
    t["gc"] = rng.beta(8, 8, size=len(t))
    t["eff"] = rng.lognormal(0.0, 0.35, size=len(t))
    pick = rng.integers(0, len(t), size=n_snps)
    pos = t["start"].to_numpy()[pick] + (rng.random(n_snps) * t["length"].to_numpy()[pick]
                                         ).astype(int)
    s = pd.DataFrame({"chrom": t["chrom"].to_numpy()[pick], "pos": pos,
                      "eff": t["eff"].to_numpy()[pick]})
    s = s.drop_duplicates(["chrom", "pos"])
    s["genotype"] = np.where(rng.random(len(s)) < hom_fraction, "hom", "het")  # or "ref"
    s["ref"] = "A"
    s["alt"] = "G"
    order = {c: i for i, c in enumerate(chroms)}
    s = s.sort_values(["chrom", "pos"], key=lambda x: x.map(order) if x.name == "chrom"
                      else x).reset_index(drop=True)
    return Genome(chroms, lengths, p_arm, t, s)


def _state_at(genome_chrom: np.ndarray, pos: np.ndarray, events: list[Event],
              background: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Mean tumour copies (total, major) per position: events override the background,
    a subclonal event mixes its state with the background by its clonal fraction."""
    tot = np.full(len(pos), float(sum(background)))
    maj = np.full(len(pos), float(background[0]))
    for e in events:
        sel = (genome_chrom == e.chrom) & (pos >= e.start) & (pos <= e.end)
        f = e.clonal_fraction
        tot[sel] = f * (e.n_major + e.n_minor) + (1 - f) * sum(background)
        maj[sel] = f * e.n_major + (1 - f) * background[0]
    return tot, maj


def _depths(rng: np.random.Generator, mean: np.ndarray, length: np.ndarray,
            read_len: int = 150, overdispersion: float = 0.02) -> np.ndarray:
    """Mean depth per target: negative-binomial read counts → reads·read_len/length."""
    lam = np.maximum(mean * length / read_len, 1e-6)
    shape = 1.0 / overdispersion
    reads = rng.poisson(rng.gamma(shape, lam / shape))
    return reads * read_len / length


def _gc_bias(gc: np.ndarray, a: float, b: float) -> np.ndarray:
    """Smooth multiplicative GC bias exp(a·(gc−0.5) + b·(gc−0.5)²)."""
    x = gc - 0.5
    return np.exp(a * x + b * x * x)


def simulate_normal(rng: np.random.Generator, genome: Genome, depth: float = 100.0,
                    sex: str = "female") -> pd.DataFrame:
    """Counts table of a normal sample (sex decides chrX copies: 2 or 1)."""
    t = genome.targets
    n0 = np.where((t["chrom"] == "chrX") & (sex == "male"), 1.0, 2.0)
    mean = depth * t["eff"].to_numpy() * _gc_bias(t["gc"].to_numpy(), 0.8, -3.0) * n0 / 2
    return _table(rng, genome, mean, None, None, n0, 1.0)


def simulate_tumour(rng: np.random.Generator, genome: Genome, purity: float,
                    events: list[Event], background: tuple[int, int] = (1, 1),
                    depth: float = 100.0, sex: str = "female") -> pd.DataFrame:
    """Counts table of a tumour of the given purity and copy-number events."""
    t = genome.targets
    chrom = t["chrom"].to_numpy()
    mid = ((t["start"] + t["end"]) // 2).to_numpy()
    n0 = np.where((chrom == "chrX") & (sex == "male"), 1.0, 2.0)
    tot, maj = _state_at(chrom, mid, events, background)
    if sex == "male":
        x = chrom == "chrX"
        tot[x] = np.maximum(tot[x] / 2, 0)  # haploid background on X
        maj[x] = tot[x]
    psi = tumour_ploidy(genome, events, background)
    mix = purity * tot + (1 - purity) * n0
    norm = purity * psi + 2 * (1 - purity)
    mean = depth * t["eff"].to_numpy() * _gc_bias(t["gc"].to_numpy(), -0.5, 2.0) * mix / norm
    s = genome.snps
    stot, smaj = _state_at(s["chrom"].to_numpy(), s["pos"].to_numpy(), events, background)
    sn0 = np.where((s["chrom"].to_numpy() == "chrX") & (sex == "male"), 1.0, 2.0)
    if sex == "male":
        x = s["chrom"].to_numpy() == "chrX"
        stot[x] = stot[x] / 2
        smaj[x] = stot[x]
    b = expected_baf(purity, smaj, stot, sn0)
    smix = (purity * stot + (1 - purity) * sn0) / norm
    return _table(rng, genome, mean, b, smix, n0, None)


def tumour_ploidy(genome: Genome, events: list[Event], background: tuple[int, int]
                  ) -> float:
    """Target-weighted mean tumour copy number over autosomes (the ψ of the model)."""
    t = genome.targets
    auto = t["chrom"] != "chrX"
    mid = ((t["start"] + t["end"]) // 2).to_numpy()
    tot, _ = _state_at(t["chrom"].to_numpy(), mid, events, background)
    return float(tot[auto.to_numpy()].mean())


def _table(rng: np.random.Generator, genome: Genome, target_mean: np.ndarray,
           major_baf: np.ndarray | None, snp_mix: np.ndarray | None, n0: np.ndarray,
           normal_flag: float | None) -> pd.DataFrame:
    t = genome.targets
    d = _depths(rng, target_mean, t["length"].to_numpy())
    tg = pd.DataFrame({"type": "target", "chrom": t["chrom"], "start": t["start"],
                       "end": t["end"], "length": t["length"], "gc": t["gc"].round(4),
                       "depth": np.round(d, 3), "ref": ".", "alt": ".",
                       "ref_count": 0, "alt_count": 0})
    s = genome.snps
    ns = len(s)
    base_depth = np.median(target_mean)
    if major_baf is None:          # normal
        chrom = s["chrom"].to_numpy()
        # normal: het 0.5, hom 1.0, ref 0.0; male X has no het
        mean = base_depth * s["eff"].to_numpy()
        xm = np.isin(chrom, ["chrX"]) & (n0.min() < 2)
        af = np.select([s["genotype"].to_numpy() == "hom",
                        s["genotype"].to_numpy() == "ref"], [1.0, 0.0], 0.5)
        af = np.where(xm & (af == 0.5), 0.0, af)
        mean = np.where(xm, mean / 2, mean)
    else:
        mean = base_depth * s["eff"].to_numpy() * snp_mix
        phase = rng.random(ns) < 0.5
        af = np.where(phase, major_baf, 1 - major_baf)
        af = np.where(s["genotype"].to_numpy() == "hom", 1.0, af)
        af = np.where(s["genotype"].to_numpy() == "ref", 0.0, af)
    dep = rng.poisson(rng.gamma(50.0, np.maximum(mean, 1e-6) / 50.0))
    rho = 0.003
    a_ = np.clip(af, 0.002, 0.998) * (1 / rho - 1)
    b_ = np.clip(1 - af, 0.002, 0.998) * (1 / rho - 1)
    alt = rng.binomial(dep, rng.beta(a_, b_))
    sp = pd.DataFrame({"type": "snp", "chrom": s["chrom"], "start": s["pos"],
                       "end": s["pos"], "length": 1, "gc": np.nan, "depth": dep.astype(float),
                       "ref": s["ref"], "alt": s["alt"], "ref_count": dep - alt,
                       "alt_count": alt})
    out = pd.concat([tg, sp], ignore_index=True)
    order = {c: i for i, c in enumerate(genome.chroms)}
    out["_o"] = out["chrom"].map(order)
    out = out.sort_values(["_o", "start", "type"], kind="stable").drop(columns="_o")
    return out.reset_index(drop=True)


def truth_segments(genome: Genome, sample: str, events: list[Event],
                   background: tuple[int, int], sex: str = "female") -> pd.DataFrame:
    """Truth table (sample chrom start end cn_total cn_major cn_minor loh cn_neutral_loh
    clonal_fraction) covering every chromosome: events plus background in between."""
    rows = []
    base = sum(background)
    for c, L in zip(genome.chroms, genome.lengths):
        bg = background
        if c == "chrX" and sex == "male":
            bg = (max(1, background[0] // 1) if base == 2 else 2, 0)
            bg = (1, 0) if base == 2 else (2, 0)
        evs = sorted([e for e in events if e.chrom == c], key=lambda e: e.start)
        cur = 1
        for e in evs:
            if e.start > cur:
                rows.append((c, cur, e.start - 1, bg[0], bg[1], 1.0))
            rows.append((c, e.start, e.end, e.n_major, e.n_minor, e.clonal_fraction))
            cur = e.end + 1
        if cur <= L:
            rows.append((c, cur, L, bg[0], bg[1], 1.0))
    df = pd.DataFrame(rows, columns=["chrom", "start", "end", "cn_major", "cn_minor",
                                     "clonal_fraction"])
    df.insert(0, "sample", sample)
    df["cn_total"] = df["cn_major"] + df["cn_minor"]
    hap = (df["chrom"] == "chrX") & (sex == "male")
    df["loh"] = (df["cn_minor"] == 0) & (df["cn_total"] > 0) & ~hap
    df["cn_neutral_loh"] = df["loh"] & (df["cn_total"] == base)
    return df[["sample", "chrom", "start", "end", "cn_total", "cn_major", "cn_minor",
               "loh", "cn_neutral_loh", "clonal_fraction"]]


def arm(genome: Genome, chrom: str, which: str) -> tuple[int, int]:
    """1-based inclusive span of a chromosome arm ('p', 'q') or the whole ('all')."""
    i = genome.chroms.index(chrom)
    if which == "p":
        return 1, genome.p_arm[i]
    if which == "q":
        return genome.p_arm[i] + 1, genome.lengths[i]
    return 1, genome.lengths[i]


def random_events(rng: np.random.Generator, genome: Genome, wgd: bool,
                  n_events: int = 10, subclonal: int = 1) -> tuple[list[Event], tuple[int, int]]:
    """Random arm-level and partial-arm events on distinct autosome arms: gains,
    losses, copy-neutral LOH, amplification; ``subclonal`` of them at clonal fraction
    0.5. WGD tumours have a (2, 2) background and states around 4 copies."""
    bg = (2, 2) if wgd else (1, 1)
    if wgd:
        states = [(2, 1), (2, 0), (3, 2), (4, 0), (3, 1), (1, 1), (3, 3), (2, 1), (2, 0)]
    else:
        states = [(1, 0), (2, 1), (2, 0), (1, 0), (2, 0), (3, 1), (2, 2), (2, 1)]
    arms = [(c, w) for c in genome.chroms if c != "chrX" for w in ("p", "q")]
    pick = rng.choice(len(arms), size=n_events, replace=False)
    events = []
    for k, a in enumerate(pick):
        c, w = arms[a]
        s, e = arm(genome, c, w)
        if rng.random() < 0.3:        # partial arm
            L = e - s + 1
            s2 = s + int(rng.uniform(0, 0.4) * L)
            e2 = s2 + int(rng.uniform(0.4, 0.6) * L)
            s, e = s2, min(e2, e)
        st = states[int(rng.integers(len(states)))]
        f = 0.5 if k < subclonal else 1.0
        events.append(Event(c, s, e, st[0], st[1], f))
    return events, bg


def simulate_somatic(rng: np.random.Generator, genome: Genome, purity: float,
                     events: list[Event], background: tuple[int, int] = (1, 1),
                     n: int = 300, depth: float = 100.0, subclonal: float = 0.2,
                     early: float = 0.5, sex: str = "female",
                     rho: float = 0.005) -> pd.DataFrame:
    """One sample's reads at ``n`` somatic SNVs inside targets (columns chrom pos
    alt_count depth, as :func:`escapeseq.cnv.clonal.read_somatic_snvs` returns).

    A clonal SNV sits on one copy, or — with probability ``early``, where the tumour
    carries more than one copy of the major allele — on all of them (mutated before the
    gain / copy-neutral LOH). A fraction ``subclonal`` of SNVs is in a share
    f ~ U(0.1, 0.6) of tumour cells. The VAF is p·m / (p·n + n0·(1 − p)); reads are
    Poisson depth and beta-binomial alt counts (over-dispersion ``rho``)."""
    from .clonal import expected_vaf
    t = genome.targets
    t = t[t["chrom"] != "chrX"] if sex == "male" else t
    pick = rng.integers(0, len(t), size=n)
    chrom = t["chrom"].to_numpy()[pick]
    pos = t["start"].to_numpy()[pick] + (rng.random(n) * t["length"].to_numpy()[pick]
                                         ).astype(int)
    tot, maj = _state_at(chrom, pos, events, background)
    tot = np.round(tot)
    maj = np.maximum(np.round(maj), 1)
    m = np.where((maj > 1) & (rng.random(n) < early), maj, 1.0)
    f = np.where(rng.random(n) < subclonal, rng.uniform(0.1, 0.6, n), 1.0)
    m = np.where(f < 1, 1.0, m) * f
    v = np.clip(expected_vaf(purity, m, tot, 2.0), 1e-3, 1 - 1e-3)
    d = rng.poisson(depth, n)
    k = 1.0 / rho - 1.0
    alt = rng.binomial(d, rng.beta(v * k, (1 - v) * k))
    return pd.DataFrame({"chrom": chrom, "pos": pos, "alt_count": alt, "depth": d})
