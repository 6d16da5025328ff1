"""Cell-population mixture model: chromosome copies, copy-number events and expected VAFs.

A sample is a mixture of populations (normal cells and tumour clones) with cell
fractions summing to 1. Each population carries, at every position, a list of
chromosome copies; a copy is (haplotype, set of somatic mutation ids). Clones get
their copies by replaying an ordered event history from the germline state, so a
mutation acquired before a copy-number event follows the copies the event
duplicates or removes.

Units: VAFs and fractions are fractions in [0, 1]; copy numbers are per cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Copy = tuple[str, frozenset]


@dataclass(frozen=True)
class Event:
    """One step in a clone's history.

    kind: ``mut`` (acquire somatic mutation ``vid`` on one copy of ``hap``),
    ``gain`` (duplicate one copy of ``hap``, ``count`` times), ``loss`` (remove
    ``count`` copies of ``hap``; 0 = all), ``cnloh`` (remove every copy of the other
    haplotype and duplicate copies of ``hap`` until the copy number is unchanged),
    ``wgd`` (duplicate every copy). ``chrom``/``start``/``end`` (1-based inclusive)
    give the region; ``chrom == '*'`` means genome-wide (used by ``wgd``).
    """

    kind: str
    chrom: str
    start: int
    end: int
    hap: str = "A"
    count: int = 1
    vid: int = -1

    def covers(self, chrom: str, pos: int) -> bool:
        """True if the event affects ``chrom``:``pos``."""
        return self.chrom == "*" or (self.chrom == chrom and self.start <= pos <= self.end)


def germline_copies(chrom: str, male: bool) -> list[Copy]:
    """Copies of a normal cell: haplotypes A and B; a male's chrX has only A."""
    if male and chrom == "chrX":
        return [("A", frozenset())]
    return [("A", frozenset()), ("B", frozenset())]


def apply_event(copies: list[Copy], ev: Event) -> list[Copy]:
    """Return the copies after event ``ev`` (the input list is not modified)."""
    cur = list(copies)
    if ev.kind == "mut":
        for i, (h, muts) in enumerate(cur):
            if h == ev.hap:
                cur[i] = (h, muts | {ev.vid})
                return cur
        raise ValueError(f"mutation {ev.vid}: no copy of haplotype {ev.hap} left")
    if ev.kind == "gain":
        src = [c for c in cur if c[0] == ev.hap]
        if not src:
            raise ValueError(f"gain: no copy of haplotype {ev.hap}")
        return cur + [src[0]] * ev.count
    if ev.kind == "loss":
        idx = [i for i, c in enumerate(cur) if c[0] == ev.hap]
        drop = set(idx if ev.count == 0 else idx[::-1][:ev.count])
        return [c for i, c in enumerate(cur) if i not in drop]
    if ev.kind == "cnloh":
        keep = [c for c in cur if c[0] == ev.hap]
        if not keep:
            raise ValueError(f"cnloh: no copy of haplotype {ev.hap}")
        return [keep[i % len(keep)] for i in range(len(cur))]
    if ev.kind == "wgd":
        return cur + cur
    raise ValueError(f"unknown event kind {ev.kind}")


def copies_at(history: list[Event], chrom: str, pos: int, male: bool) -> list[Copy]:
    """Copies carried at ``chrom``:``pos`` by a clone with the given event history."""
    cur = germline_copies(chrom, male)
    for ev in history:
        if ev.covers(chrom, pos):
            cur = apply_event(cur, ev)
    return cur


def copies_over(history: list[Event], chrom: str, start: int, end: int, male: bool) -> list[Copy]:
    """Copies over a window [start, end] carrying every mutation that lies inside it.

    Copy-number events are evaluated at ``start``; a copy-number breakpoint inside
    the window is an error (the copies would differ along it).
    """
    cur = germline_copies(chrom, male)
    for ev in history:
        if ev.kind == "mut":
            if ev.chrom == chrom and start <= ev.start <= end:
                cur = apply_event(cur, ev)
            continue
        if ev.chrom == chrom and (start < ev.start <= end or start <= ev.end < end):
            raise ValueError(f"copy-number breakpoint inside window {chrom}:{start}-{end}")
        if ev.covers(chrom, start):
            cur = apply_event(cur, ev)
    return cur


def expected_vaf(frac: np.ndarray, mut_copies: np.ndarray, total_copies: np.ndarray) -> float:
    """Expected variant allele fraction of a mixture.

    Reads are drawn in proportion to DNA molecules, so with population cell
    fractions f_i, mutated copies m_i and total copies c_i at the site:
    VAF = sum_i f_i m_i / sum_i f_i c_i. Example: clonal mutation on both copies of
    a copy-neutral LOH (m = c = 2) at purity 0.6: 0.6*2 / (0.6*2 + 0.4*2) = 0.6.
    Returns 0 where no copy is present.
    """
    den = float(np.dot(frac, total_copies))
    return float(np.dot(frac, mut_copies)) / den if den > 0 else 0.0


def depth_factor(frac: np.ndarray, total_copies: np.ndarray, ploidy: np.ndarray) -> float:
    """Expected depth at a site relative to the sample's mean depth.

    Each population contributes DNA in proportion to f_i c_i; the sample's mean DNA
    per cell over the genome is D = sum_i f_i P_i (P_i = population's mean copy
    number, length-weighted). Reads are simulated at depth x f_i c_i / D per site,
    so the factor is sum_i f_i c_i / D (1.0 for a diploid site in a diploid sample).
    """
    return float(np.dot(frac, total_copies)) / float(np.dot(frac, ploidy))


def cancer_cell_fraction(tumour_frac: np.ndarray, mut_copies: np.ndarray) -> float:
    """Fraction of tumour cells that carry >= 1 mutated copy.

    ``tumour_frac`` are the clones' shares of tumour cells (summing to 1).
    """
    return float(np.sum(tumour_frac[mut_copies > 0]))


def purity_adjusted_vaf(vaf: float, purity: float, cn_tumour: float, cn_normal: float = 2.0
                        ) -> float:
    """Mutated fraction of tumour copies implied by an observed VAF.

    From VAF = p m / (p C + (1 - p) N) (m mutated copies per tumour cell, C total
    tumour copies, N normal copies) the mutated share of tumour copies is
    m / C = VAF (p C + (1 - p) N) / (p C).
    """
    return vaf * (purity * cn_tumour + (1 - purity) * cn_normal) / (purity * cn_tumour)
