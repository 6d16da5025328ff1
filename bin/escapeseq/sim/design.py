"""Patients for the simulator: germline haplotypes, clones, somatic mutations, samples.

Two designs: :func:`design_test` (the three curated patients of the ``test`` preset)
and :func:`design_bench` (random patients for benchmarks). Every position is 1-based;
indels are VCF style (anchor base first) and left-aligned against the reference.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from escapeseq.sim.genome import (JAK1_Q503, JAK2_EXON, B2M_S14, PANEL_GENES, Genome,
                                  merge_intervals, targets)
from escapeseq.sim.mixture import Event, copies_at
from escapeseq.sim.seqs import random_dna

SNV_ALT = {"A": "CGT", "C": "AGT", "G": "ACT", "T": "ACG"}
TRANSITION = {"A": "G", "G": "A", "C": "T", "T": "C"}


@dataclass
class Variant:
    """A germline or somatic variant (VCF-style, 1-based ``pos``, left-aligned)."""

    vid: int
    chrom: str
    pos: int
    ref: str
    alt: str
    origin: str           # germline | somatic
    hap: str              # A | B | AB (germline homozygous)
    gene: str = ""
    clone: str = ""       # clone where a somatic mutation arose ("" for germline)
    escape: bool = False
    note: str = ""

    @property
    def vtype(self) -> str:
        """snv | ins | del."""
        if len(self.ref) == len(self.alt):
            return "snv"
        return "ins" if len(self.alt) > len(self.ref) else "del"


@dataclass
class Clone:
    """A tumour clone: parent clone name ('' for the trunk) and its own ordered events."""

    name: str
    parent: str
    events: list[Event] = field(default_factory=list)


@dataclass
class Sample:
    """A sequenced sample; ``clones`` maps clone name -> share of tumour cells (sum 1)."""

    name: str
    timepoint: str
    purity: float
    depth: float
    clones: dict[str, float] = field(default_factory=dict)
    #: normal samples only: tumour clones contaminating the normal, clone -> cell fraction
    tin: dict[str, float] = field(default_factory=dict)

    @property
    def is_tumour(self) -> bool:
        """True for tumour samples (purity > 0)."""
        return bool(self.clones)


@dataclass
class Patient:
    """One patient: sex, variants, clone tree and samples (normal first)."""

    name: str
    male: bool
    variants: list[Variant] = field(default_factory=list)
    clones: dict[str, Clone] = field(default_factory=dict)
    samples: list[Sample] = field(default_factory=list)

    def history(self, clone: str) -> list[Event]:
        """Ordered events from the germline state to ``clone`` (ancestors first)."""
        chain = []
        c: str = clone
        while c:
            chain.append(self.clones[c])
            c = self.clones[c].parent
        return [ev for cl in reversed(chain) for ev in cl.events]

    def populations(self, sample: Sample) -> list[tuple[str, float, list[Event]]]:
        """(population, cell fraction, event history) of a sample; normal cells first.

        A normal sample with ``tin`` (tumour in normal) holds those clones at their
        given cell fractions and normal cells for the rest.
        """
        if sample.is_tumour:
            out = [("normal", 1.0 - sample.purity, [])]
            out += [(cl, sample.purity * q, self.history(cl)) for cl, q in sorted(sample.clones.items())]
        else:
            out = [("normal", 1.0 - sum(sample.tin.values()), [])]
            out += [(cl, q, self.history(cl)) for cl, q in sorted(sample.tin.items())]
        return [p for p in out if p[1] > 0]

    def cn_events(self) -> list[Event]:
        """Every copy-number event of every clone."""
        return [ev for cl in self.clones.values() for ev in cl.events if ev.kind != "mut"]


# ---------------------------------------------------------------------------------------
# site selection
# ---------------------------------------------------------------------------------------

class Sites:
    """Picks free positions inside regions and keeps variants apart.

    ``occupied`` marks bases already used by a variant (+- ``margin``) so no two
    variants overlap or sit so close that their reads would be ambiguous.
    """

    def __init__(self, genome: Genome, margin: int = 12):
        self.genome = genome
        self.margin = margin
        self.occ = {c: bytearray(len(s) + 2) for c, s in genome.contigs.items()}
        tg = targets(genome)
        self.targets = tg
        self.coding = {c: bytearray(len(s) + 2) for c, s in genome.contigs.items()}
        for g in genome.genes:
            for p in g.cds_pos.tolist():
                self.coding[g.chrom][p] = 1
        self.gene_spans = {c: [] for c in genome.contigs}
        for g in genome.genes:
            self.gene_spans[g.chrom].append((g.start, g.end, g.name))

    def gene_at(self, chrom: str, pos: int) -> str:
        """Name of the gene whose span contains ``pos`` ('' if intergenic)."""
        for s, e, n in self.gene_spans[chrom]:
            if s <= pos <= e:
                return n
        return ""

    def regions(self, flank: int, exclude_genes: tuple[str, ...] = (),
                chrom: str | None = None, lo: int = 0, hi: int = 1 << 40
                ) -> list[tuple[str, int, int]]:
        """Targets +- ``flank`` (merged), optionally one contig / a range, minus genes."""
        by: dict[str, list[tuple[int, int]]] = {}
        for c, s, e, g in self.targets:
            if g in exclude_genes or (chrom and c != chrom):
                continue
            s2, e2 = max(s - flank, lo, 1), min(e + flank, hi, len(self.genome.contigs[c]))
            if s2 <= e2:
                by.setdefault(c, []).append((s2, e2))
        return [(c, s, e) for c in self.genome.contigs for s, e in merge_intervals(by.get(c, []))]

    def free(self, chrom: str, start: int, end: int) -> bool:
        """True if no variant occupies [start - margin, end + margin]."""
        a = max(0, start - self.margin)
        return not any(self.occ[chrom][a:end + self.margin + 1])

    def reserve(self, chrom: str, start: int, end: int) -> None:
        """Mark [start, end] (+ margin) as used."""
        a = max(0, start - self.margin)
        b = min(len(self.occ[chrom]), end + self.margin + 1)
        self.occ[chrom][a:b] = b"\x01" * (b - a)

    def pick(self, rng: np.random.Generator, regions: list[tuple[str, int, int]],
             need: int = 1, tries: int = 200, coding: bool | None = None) -> tuple[str, int] | None:
        """A random free position in ``regions`` (uniform over bp) with ``need`` bp free after it.

        ``coding`` True/False restricts to CDS / non-CDS bases. Returns None if none found.
        """
        if not regions:
            return None
        lens = np.array([e - s + 1 for _, s, e in regions], dtype=float)
        cum = np.cumsum(lens)
        for _ in range(tries):
            x = rng.uniform(0, cum[-1])
            i = int(np.searchsorted(cum, x, side="right"))
            i = min(i, len(regions) - 1)
            c, s, e = regions[i]
            pos = s + int(x - (cum[i] - lens[i]))
            pos = min(max(pos, s + 2), e - need - 1)
            if pos < s:
                continue
            if coding is not None and bool(self.coding[c][pos]) != coding:
                continue
            if self.free(c, pos, pos + need):
                return c, pos
        return None


def left_align_del(seq: str, start: int, length: int) -> tuple[int, str, str]:
    """VCF record of deleting ``length`` bases starting at 1-based ``start``, left-aligned.

    Deleting seq[s..s+L-1] equals deleting seq[s-1..s+L-2] whenever base s-1 equals
    base s+L-1, so shift left while that holds; the anchor is the base before.
    Returns (pos, ref, alt) with pos = anchor position.
    """
    s = start
    while s > 2 and seq[s - 2] == seq[s + length - 2]:
        s -= 1
    anchor = s - 1
    return anchor, seq[anchor - 1:anchor + length], seq[anchor - 1]


def left_align_ins(seq: str, anchor: int, ins: str) -> tuple[int, str, str]:
    """VCF record of inserting ``ins`` after 1-based ``anchor``, left-aligned.

    Inserting I after base a equals inserting (I[-1] + I[:-1]) after a-1 when base a
    equals I[-1]; shift while that holds.
    """
    a = anchor
    while a > 1 and seq[a - 1] == ins[-1]:
        ins = ins[-1] + ins[:-1]
        a -= 1
    return a, seq[a - 1], seq[a - 1] + ins


#: exome-like somatic indel model (fractions): deletions are 60 % of indels; length bins
#: (lo, hi, share) drawn uniformly inside a bin. Deletions: 35 % 1 bp, 31 % 2-5 bp,
#: 22 % 6-19 bp, 12 % 20-60 bp; insertions (<= 30 bp): 40 % 1 bp, 28 % 2-5 bp, 23 % 6-19 bp,
#: 9 % 20-30 bp. Share >= 6 bp = 0.6 x 0.34 + 0.4 x 0.32 = 0.33 (about a third).
DEL_FRAC = 0.6
DEL_BINS = ((1, 1, 0.35), (2, 5, 0.31), (6, 19, 0.22), (20, 60, 0.12))
INS_BINS = ((1, 1, 0.40), (2, 5, 0.28), (6, 19, 0.23), (20, 30, 0.09))
#: benchmark model: equal shares of the three reported length bins (insertions <= 30 bp)
BINNED_BINS = ((1, 5, 1 / 3), (6, 19, 1 / 3), (20, 60, 1 / 3))
MAX_DEL, MAX_INS = 60, 30


def draw_indel(rng: np.random.Generator, lengths: str = "exome", max_len: int = MAX_DEL
               ) -> tuple[bool, int]:
    """(is_insertion, length in bp) of one somatic indel.

    ``lengths`` "exome" draws from :data:`DEL_BINS` / :data:`INS_BINS` (deletions
    :data:`DEL_FRAC` of the time); "binned" draws a bin of :data:`BINNED_BINS` with equal
    probability, then the length uniformly inside it (insertions capped at 30 bp).
    Lengths above ``max_len`` are redrawn as ``1 + (length - 1) % max_len`` so a small
    cap keeps the short end of the distribution.
    """
    ins = bool(rng.random() >= DEL_FRAC)
    if lengths == "exome":
        bins = INS_BINS if ins else DEL_BINS
    elif lengths == "binned":
        bins = BINNED_BINS
    else:
        raise ValueError(f"unknown indel length model {lengths!r}")
    w = np.array([b[2] for b in bins])
    lo, hi, _ = bins[int(rng.choice(len(bins), p=w / w.sum()))]
    cap = min(max_len, MAX_INS if ins else MAX_DEL)
    size = int(rng.integers(lo, hi + 1))
    if ins and lengths == "binned" and size > MAX_INS:
        size = int(rng.integers(20, MAX_INS + 1))
    if size > cap:
        size = 1 + (size - 1) % cap
    return ins, size


# ---------------------------------------------------------------------------------------
# variant builders
# ---------------------------------------------------------------------------------------

class Builder:
    """Adds variants to a patient while keeping ids unique and sites apart."""

    def __init__(self, genome: Genome, patient: Patient, rng: np.random.Generator):
        self.g = genome
        self.p = patient
        self.rng = rng
        self.sites = Sites(genome)
        self.next_id = 0

    def _new(self, chrom: str, pos: int, ref: str, alt: str, origin: str, hap: str,
             clone: str = "", escape: bool = False, note: str = "") -> Variant:
        v = Variant(self.next_id, chrom, pos, ref, alt, origin, hap,
                    self.sites.gene_at(chrom, pos), clone, escape, note)
        self.next_id += 1
        self.sites.reserve(chrom, pos, pos + len(ref))
        self.p.variants.append(v)
        return v

    def snv_at(self, chrom: str, pos: int, alt: str | None = None, transition_bias: float = 0.0
               ) -> tuple[str, str]:
        """(ref, alt) of an SNV at ``pos``; alt random (transition with given probability)."""
        ref = self.g.contigs[chrom][pos - 1]
        if alt is None:
            if self.rng.random() < transition_bias:
                alt = TRANSITION[ref]
            else:
                alt = SNV_ALT[ref][int(self.rng.integers(3))]
        return ref, alt

    def indel_at(self, chrom: str, pos: int, size: int, insertion: bool,
                 homopolymer: bool = False) -> tuple[int, str, str]:
        """Left-aligned (pos, ref, alt) of an indel near ``pos``."""
        seq = self.g.contigs[chrom]
        if insertion:
            ins = seq[pos - 1] * size if homopolymer else random_dna(self.rng, size, 0.45)
            return left_align_ins(seq, pos, ins)
        return left_align_del(seq, pos + 1, size)

    def germline(self, snp_spacing: int, male: bool, hom_frac: float = 0.12,
                 indel_per_kb: float = 0.05, min_per_arm: int = 35) -> None:
        """Germline SNPs (het on A or B, some homozygous) and a few het indels.

        Density: one SNP per ``snp_spacing`` bp of targets + 100 bp flanks, at least
        ``min_per_arm`` heterozygous SNPs per arm (fewer if the arm has no room).
        A male's chrX carries only haplotype A (hemizygous, no het SNPs).
        """
        for chrom, arm, lo, hi in self.g.arms():
            reg = self.sites.regions(100, chrom=chrom, lo=lo, hi=hi)
            bp = sum(e - s + 1 for _, s, e in reg)
            n = min(max(min_per_arm, int(bp / snp_spacing)), int(bp / 42))
            n_hom = int(round(n * hom_frac))
            for i in range(n + n_hom):
                site = self.sites.pick(self.rng, reg)
                if site is None:
                    break
                c, pos = site
                ref, alt = self.snv_at(c, pos, transition_bias=0.66)
                if male and c == "chrX":
                    hap = "A"
                elif i >= n:
                    hap = "AB"
                else:
                    hap = "A" if self.rng.random() < 0.5 else "B"
                self._new(c, pos, ref, alt, "germline", hap)
            n_indel = max(1, int(round(bp / 1000 * indel_per_kb)))
            for _ in range(n_indel):
                site = self.sites.pick(self.rng, reg, need=8, coding=False)
                if site is None:
                    continue
                c, pos = site
                size = int(self.rng.integers(1, 5))
                ins = self.rng.random() < 0.5
                vp, ref, alt = self.indel_at(c, pos, size, ins)
                if not self.sites.free(c, vp, vp + len(ref)):
                    continue
                hap = "A" if (male and c == "chrX") or self.rng.random() < 0.5 else "B"
                self._new(c, vp, ref, alt, "germline", hap)

    def add_mutation(self, clone: str, v_args: tuple, hap: str | None = None,
                     escape: bool = False, note: str = "") -> Variant | None:
        """Acquire a somatic mutation in ``clone`` (appended to its event list).

        The haplotype is random unless given; if the clone has no copy of it at the
        site (lost earlier), the other haplotype is used; None if no copy at all.
        """
        chrom, pos, ref, alt = v_args
        hist = self.p.history(clone)
        present = {h for h, _ in copies_at(hist, chrom, pos, self.p.male)}
        if not present:
            return None
        if hap is None:
            hap = "A" if self.rng.random() < 0.5 else "B"
        if hap not in present:
            hap = sorted(present)[0]
        v = self._new(chrom, pos, ref, alt, "somatic", hap, clone, escape, note)
        self.p.clones[clone].events.append(Event("mut", chrom, pos, pos, hap, vid=v.vid))
        return v

    def random_somatic(self, clone: str, n: int, indel_frac: float, max_indel: int,
                       regions: list[tuple[str, int, int]], hap: str | None = None,
                       homopolymer_frac: float = 0.0, lengths: str = "exome",
                       edge_frac: float = 0.0) -> list[Variant]:
        """``n`` random somatic mutations (SNVs, some indels) in ``regions``.

        SNVs are C>T/G>A-biased (UV signature of melanoma). Indel type and size come
        from :func:`draw_indel` (``lengths`` "exome": deletions 1-60 bp, insertions
        1-30 bp, ~a third >= 6 bp; "binned": equal shares of 1-5, 6-19 and 20-60 bp),
        capped at ``max_indel``; a share ``homopolymer_frac`` of 1-2 bp indels goes
        into homopolymer runs of the reference, a share ``edge_frac`` of indels starts
        within 12 bp of a capture-target edge (exon edge).
        """
        out = []
        hp = self._homopolymers(regions) if homopolymer_frac > 0 else []
        edges = self._edge_regions(regions) if edge_frac > 0 else []
        guard = 0
        while len(out) < n and guard < 50 * n + 100:
            guard += 1
            if self.rng.random() < indel_frac:
                ins, size = draw_indel(self.rng, lengths, max_indel)
                if hp and size <= 2 and self.rng.random() < homopolymer_frac:
                    c, s, e = hp[int(self.rng.integers(len(hp)))]
                    vp, ref, alt = (left_align_ins(self.g.contigs[c], e, self.g.contigs[c][e - 1] * size)
                                    if ins else left_align_del(self.g.contigs[c], e - size + 1, size))
                else:
                    where = regions
                    if edges and self.rng.random() < edge_frac:
                        # start near an edge; the event itself may run past it
                        where = [(c, a, b + size + 3) for c, a, b in edges]
                    site = self.sites.pick(self.rng, where, need=size + 2)
                    if site is None:
                        continue
                    c, pos = site
                    vp, ref, alt = self.indel_at(c, pos, size, ins)
            else:
                site = self.sites.pick(self.rng, regions)
                if site is None:
                    continue
                c, vp = site
                ref, alt = self.snv_at(c, vp, transition_bias=0.6)
                if ref in "AT" and self.rng.random() < 0.5:
                    # re-draw once to enrich C/G sites (C>T signature)
                    site = self.sites.pick(self.rng, regions)
                    if site is None:
                        continue
                    c, vp = site
                    ref, alt = self.snv_at(c, vp, transition_bias=0.6)
            if not self.sites.free(c, vp, vp + len(ref)):
                continue
            v = self.add_mutation(clone, (c, vp, ref, alt), hap)
            if v is not None:
                out.append(v)
        return out

    def _edge_regions(self, regions: list[tuple[str, int, int]], half: int = 12
                      ) -> list[tuple[str, int, int]]:
        """Intervals of +- ``half`` bp around every capture-target edge inside ``regions``."""
        inside = {}
        for c, s, e in regions:
            inside.setdefault(c, []).append((s, e))
        out = []
        for c, s, e, _ in self.sites.targets:
            for x in (s, e):
                for rs, re_ in inside.get(c, []):
                    a, b = max(x - half, rs), min(x + half, re_)
                    if a <= b:
                        out.append((c, a, b))
        return out

    def _homopolymers(self, regions: list[tuple[str, int, int]], min_run: int = 6
                      ) -> list[tuple[str, int, int]]:
        """Homopolymer runs (>= ``min_run`` bp) inside ``regions``: (chrom, start, end)."""
        out = []
        for c, s, e in regions:
            seq = self.g.contigs[c][s - 1:e]
            i = 0
            while i < len(seq):
                j = i
                while j < len(seq) and seq[j] == seq[i]:
                    j += 1
                if j - i >= min_run and i > 0 and j < len(seq):
                    out.append((c, s + i, s + j - 1))
                i = j
        return out


# ---------------------------------------------------------------------------------------
# planted escape events
# ---------------------------------------------------------------------------------------

def jak1_q503_stop(genome: Genome) -> tuple[str, int, str, str]:
    """JAK1 c.1507C>T (p.Gln503Ter): on the minus strand a G>A at the genomic c.1507 base."""
    g = genome.gene("JAK1")
    pos = int(g.cds_pos[3 * JAK1_Q503 - 3])
    ref = genome.contigs[g.chrom][pos - 1]
    alt = {"G": "A", "C": "T"}[ref] if g.strand == "-" else "T"
    return g.chrom, pos, ref, alt


def jak2_splice_donor(genome: Genome) -> tuple[str, int, str, str]:
    """JAK2 intron 12 +1 G>T: the first intron base after exon 12 (plus strand)."""
    g = genome.gene("JAK2")
    pos = g.exons[JAK2_EXON - 1][1] + 1
    ref = genome.contigs[g.chrom][pos - 1]
    return g.chrom, pos, ref, "T"


def b2m_s14_fs(genome: Genome) -> tuple[str, int, str, str]:
    """B2M c.40_43del (p.Ser14fs): 4-bp deletion starting at codon 14, left-aligned."""
    g = genome.gene("B2M")
    c40 = int(g.cds_pos[3 * B2M_S14 - 3])
    pos, ref, alt = left_align_del(genome.contigs[g.chrom], c40, 4)
    return g.chrom, pos, ref, alt


# ---------------------------------------------------------------------------------------
# presets
# ---------------------------------------------------------------------------------------

def arm_region(genome: Genome, chrom: str, arm: str) -> tuple[int, int]:
    """1-based inclusive (start, end) of an arm."""
    for c, a, s, e in genome.arms():
        if c == chrom and a == arm:
            return s, e
    raise KeyError((chrom, arm))


def _arm_ev(genome: Genome, kind: str, chrom: str, arm: str | None, hap: str, count: int = 1
            ) -> Event:
    """A copy-number event over a whole arm (``arm`` p/q) or chromosome (``arm`` None)."""
    if arm is None:
        s, e = 1, len(genome.contigs[chrom])
    else:
        s, e = arm_region(genome, chrom, arm)
    return Event(kind, chrom, s, e, hap, count)


def design_test(genome: Genome, seed_rngs: list[np.random.Generator], depth_t: float,
                depth_n: float, snp_spacing: int, purities: list[float] | None = None
                ) -> list[Patient]:
    """The three curated patients of the ``test`` preset (see docs/test-data.md)."""
    pur = purities or [0.7, 0.6, 0.8, 0.75, 0.6, 0.65]
    pats = []
    bg_exclude = tuple(PANEL_GENES)
    for k, name in enumerate(("P1", "P2", "P3")):
        rng = seed_rngs[k]
        p = Patient(name, male=False)
        b = Builder(genome, p, rng)
        # reserve planted sites first so nothing else lands on them
        planted = {"P1": [jak1_q503_stop(genome)],
                   "P2": [jak2_splice_donor(genome), b2m_s14_fs(genome)], "P3": []}[name]
        for c, pos, ref, _ in planted:
            b.sites.reserve(c, pos, pos + len(ref))
        b.germline(snp_spacing, p.male)
        p.clones = {"T": Clone("T", ""), "BL": Clone("BL", "T"), "RL": Clone("RL", "T")}
        reg = b.sites.regions(0, exclude_genes=bg_exclude)
        pb, pr = pur[2 * k], pur[2 * k + 1]
        p.samples = [Sample(f"{name}_N", "normal", 0.0, depth_n),
                     Sample(f"{name}_B", "baseline", pb, depth_t, {"BL": 1.0}),
                     Sample(f"{name}_R", "relapse", pr, depth_t, {"RL": 1.0})]
        if name == "P1":
            # truncal: 8 on 1p (4 per haplotype) then 32 elsewhere; shared chr17q gain of A
            s1, e1 = arm_region(genome, "chr1", "p")
            reg1p = [r for r in reg if r[0] == "chr1" and r[2] <= e1]
            for hap in ("A", "B"):
                b.random_somatic("T", 4, 0.0, 1, reg1p, hap=hap)
            b.random_somatic("T", 32, 0.12, 60, reg, edge_frac=0.2)
            p.clones["T"].events.append(_arm_ev(genome, "gain", "chr17", "q", "A"))
            b.random_somatic("BL", 8, 0.12, 60, reg, edge_frac=0.2)
            b.add_mutation("RL", planted[0][:4], hap="A", escape=True,
                           note="JAK1 c.1507C>T p.Gln503Ter (nonsense)")
            b.random_somatic("RL", 4, 0.1, 60, reg, edge_frac=0.2)
            p.clones["RL"].events.append(_arm_ev(genome, "cnloh", "chr1", "p", "A"))
            b.random_somatic("RL", 5, 0.1, 60, reg, edge_frac=0.2)
        elif name == "P2":
            p.clones["T"].events.append(_arm_ev(genome, "loss", "chr6", "q", "B"))
            b.random_somatic("T", 40, 0.12, 60, reg, edge_frac=0.2)
            b.random_somatic("BL", 8, 0.12, 60, reg, edge_frac=0.2)
            b.add_mutation("RL", planted[0][:4], hap="A", escape=True,
                           note="JAK2 c.1641+1G>T splice donor after p.Phe547 (intron 12 "
                                "retained -> stop at intron +10)")
            b.random_somatic("RL", 4, 0.1, 60, reg, edge_frac=0.2)
            p.clones["RL"].events.append(_arm_ev(genome, "cnloh", "chr9", None, "A"))
            b.add_mutation("RL", planted[1][:4], hap="B", escape=True,
                           note="B2M c.40_43del p.Ser14fs (frameshift)")
            b.random_somatic("RL", 4, 0.1, 60, reg, edge_frac=0.2)
        else:
            b.random_somatic("T", 40, 0.12, 60, reg, edge_frac=0.2)
            p.clones["T"].events.append(_arm_ev(genome, "gain", "chr6", "p", "B"))
            b.random_somatic("BL", 8, 0.12, 60, reg, edge_frac=0.2)
            b.random_somatic("RL", 10, 0.1, 60, reg, edge_frac=0.2)
        pats.append(p)
    return pats


def _between_windows(genome: Genome, chrom: str, start: int, end: int) -> int:
    """A position near the middle of [start, end] that lies between two read windows."""
    from escapeseq.sim.genome import windows
    mid = (start + end) // 2
    wins = [(s, e) for c, s, e in windows(genome) if c == chrom and start <= s and e <= end]
    for (s1, e1), (s2, _) in zip(wins, wins[1:]):
        if e1 < mid <= s2 or s2 > mid:
            return (e1 + s2) // 2
    return mid if not wins else (wins[-1][1] + end) // 2


def design_bench(genome: Genome, seed_rngs: list[np.random.Generator], purities: list[float],
                 depth_t: float, depth_n: float, snp_spacing: int, wgd: int, n_timepoints: int,
                 males: int = 1) -> list[Patient]:
    """Random benchmark patients, one per purity (see docs/test-data.md)."""
    pats = []
    target_bp = sum(e - s + 1 for _, s, e, _ in targets(genome))
    scale = target_bp / 1e6
    arms = [(c, a) for c in genome.contigs for a in ("p", "q")]
    auto_arms = [x for x in arms if x[0] != "chrX"]
    for k, pur in enumerate(purities):
        rng = seed_rngs[k]
        name = f"B{k + 1}"
        male = k < males
        is_wgd = k >= len(purities) - wgd
        p = Patient(name, male=male)
        b = Builder(genome, p, rng)
        b.germline(snp_spacing, male)
        reg = b.sites.regions(0)
        p.clones = {"T": Clone("T", ""), "BS": Clone("BS", "T"), "R": Clone("R", "T"),
                    "RS": Clone("RS", "R")}
        order = [auto_arms[i] for i in rng.permutation(len(auto_arms))]
        n_trunk = int(150 * scale) + 20
        t = p.clones["T"]
        if is_wgd:
            # mutations before the doubling (2 copies after it), except on the arm that
            # later loses haplotype B entirely; then losses; then post-WGD mutations
            c6, a6 = order[5]
            s6, e6 = arm_region(genome, c6, a6)
            pre = [r for r in reg if not (r[0] == c6 and s6 <= r[1] <= e6)]
            b.random_somatic("T", n_trunk // 2, 0.15, 60, pre, homopolymer_frac=0.3, edge_frac=0.2)
            t.events.append(Event("wgd", "*", 1, 1 << 40))
            for c, a in order[:5]:
                t.events.append(_arm_ev(genome, "loss", c, a, "A" if rng.random() < 0.5 else "B"))
            t.events.append(_arm_ev(genome, "loss", c6, a6, "B", count=0))  # 2 copies of A only
            b.random_somatic("T", n_trunk - n_trunk // 2, 0.15, 60, reg, homopolymer_frac=0.3, edge_frac=0.2)
            used = 6
        else:
            # truncal copy-number events first, so no truncal mutation is lost in the trunk
            t.events.append(_arm_ev(genome, "gain", *order[0], "A"))
            t.events.append(_arm_ev(genome, "gain", *order[1], "B", count=2))
            t.events.append(_arm_ev(genome, "loss", *order[2], "B"))
            # partial-arm loss ending between two read windows
            c, a = order[3]
            s, e = arm_region(genome, c, a)
            t.events.append(Event("loss", c, s, _between_windows(genome, c, s, e), "A"))
            t.events.append(_arm_ev(genome, "cnloh", *order[4], "A"))
            b.random_somatic("T", n_trunk, 0.15, 60, reg, homopolymer_frac=0.3, edge_frac=0.2)
            used = 5
        # subclones: baseline-private subclone, relapse lineage + its subclone
        b.random_somatic("BS", int(40 * scale) + 8, 0.15, 60, reg, homopolymer_frac=0.3, edge_frac=0.2)
        c, a = order[used]
        sr, er = arm_region(genome, c, a)
        pre = [r for r in reg if not (r[0] == c and sr <= r[1] <= er)]
        b.random_somatic("R", int(30 * scale) + 8, 0.15, 60, pre, homopolymer_frac=0.3, edge_frac=0.2)
        p.clones["R"].events.append(_arm_ev(genome, "cnloh", c, a, "A" if rng.random() < 0.5 else "B"))
        b.random_somatic("R", int(30 * scale) + 8, 0.15, 60, reg, homopolymer_frac=0.3, edge_frac=0.2)
        c, a = order[used + 1]
        p.clones["RS"].events.append(_arm_ev(genome, "gain", c, a, "A"))
        b.random_somatic("RS", int(40 * scale) + 8, 0.15, 60, reg, homopolymer_frac=0.3, edge_frac=0.2)
        fb = float(rng.uniform(0.1, 0.5))
        fr = float(rng.uniform(0.1, 0.5))
        p.samples = [Sample(f"{name}_N", "0" if n_timepoints > 2 else "normal", 0.0, depth_n)]
        if n_timepoints <= 2:
            p.samples += [Sample(f"{name}_B", "baseline", pur, depth_t, {"T": 1 - fb, "BS": fb}),
                          Sample(f"{name}_R", "relapse", pur, depth_t, {"R": 1 - fr, "RS": fr})]
        else:
            # intermediate timepoints: the relapse lineage grows linearly from 0 to 1
            for i in range(n_timepoints):
                w = i / (n_timepoints - 1)
                mix = {"T": (1 - w) * (1 - fb), "BS": (1 - w) * fb, "R": w * (1 - fr), "RS": w * fr}
                mix = {kk: v for kk, v in mix.items() if v > 0}
                p.samples.append(Sample(f"{name}_T{i + 1}", str(i + 1), pur, depth_t, mix))
        pats.append(p)
    return pats


def design_quiet(genome: Genome, rng: np.random.Generator, depth_t: float, depth_n: float,
                 snp_spacing: int, purities: list[float] | None = None,
                 n_truncal: int = 60) -> list[Patient]:
    """One copy-number-quiet patient ``Q1`` (the ``quiet`` preset; see docs/test-data.md).

    The baseline tumour has no copy-number event at all (flat, no allelic imbalance),
    so purity can only come from the somatic VAF distribution: ``n_truncal`` truncal
    mutations (~90 % SNVs), heterozygous and clonal, each expected at VAF = purity / 2.
    JAK1 c.1507C>T p.Gln503Ter is truncal and heterozygous on haplotype A (baseline
    VAF = 0.6 / 2 = 0.3); the relapse clone gains a copy-neutral LOH of chr1p keeping
    A, so at relapse the nonsense mutation is on both copies (VAF = purity = 0.7) and
    the remaining JAK1 allele is gone. ``purities`` = [baseline, relapse]
    (default 0.6, 0.7).
    """
    pb, pr = purities or [0.6, 0.7]
    p = Patient("Q1", male=False)
    b = Builder(genome, p, rng)
    planted = jak1_q503_stop(genome)
    b.sites.reserve(planted[0], planted[1], planted[1] + len(planted[2]))
    b.germline(snp_spacing, p.male)
    p.clones = {"T": Clone("T", ""), "BL": Clone("BL", "T"), "RL": Clone("RL", "T")}
    reg = b.sites.regions(0, exclude_genes=tuple(PANEL_GENES))
    p.samples = [Sample("Q1_N", "normal", 0.0, depth_n),
                 Sample("Q1_B", "baseline", pb, depth_t, {"BL": 1.0}),
                 Sample("Q1_R", "relapse", pr, depth_t, {"RL": 1.0})]
    b.add_mutation("T", planted, hap="A", escape=True,
                   note="JAK1 c.1507C>T p.Gln503Ter (nonsense), truncal heterozygous; "
                        "homozygous at relapse by chr1p copy-neutral LOH")
    b.random_somatic("T", n_truncal, 0.1, 60, reg, edge_frac=0.2)
    b.random_somatic("BL", 6, 0.1, 60, reg, edge_frac=0.2)
    # the LOH first, so relapse-private mutations on chr1p land on the kept copies
    p.clones["RL"].events.append(_arm_ev(genome, "cnloh", "chr1", "p", "A"))
    b.random_somatic("RL", 6, 0.1, 60, reg, edge_frac=0.2)
    return [p]


def design_calling(genome: Genome, rng: np.random.Generator, purities: list[float],
                   depth_t: float, depth_n: float, snp_spacing: int, lengths: str = "binned",
                   reserved: list[tuple[str, int, int]] = (), per_mb: float = 1200.0,
                   indel_frac: float = 0.72) -> list[Patient]:
    """One diploid patient ``C1`` for calling benchmarks: a normal and one tumour per purity.

    Clones: trunk ``T``; per tumour i a private clone ``P<i>`` (child of T, every tumour
    cell of tumour i) and its subclone ``S<i>`` (half of them), so cancer-cell
    fractions are 1 (trunk, private) and 0.5 (subclone). Mutation counts per Mb of
    targets: trunk ``per_mb``, private per_mb / 4, subclone per_mb / 12, a share
    ``indel_frac`` of them indels with :func:`draw_indel` lengths (``lengths``), 20 %
    of indels at target edges and 20 % of 1-2 bp ones in homopolymers. No copy-number
    events. ``reserved`` regions (paralogs) get no variant. Samples: ``C1_N``
    (timepoint 0), ``C1_T<i>`` (timepoint i).
    """
    target_bp = sum(e - s + 1 for _, s, e, _ in targets(genome))
    scale = target_bp / 1e6
    p = Patient("C1", male=False)
    b = Builder(genome, p, rng)
    for c, s, e in reserved:
        b.sites.reserve(c, s, e)
    b.germline(snp_spacing, p.male)
    reg = b.sites.regions(0)
    p.clones = {"T": Clone("T", "")}
    kw = dict(homopolymer_frac=0.2, lengths=lengths, edge_frac=0.2)
    b.random_somatic("T", int(per_mb * scale), indel_frac, 60, reg, **kw)
    p.samples = [Sample("C1_N", "0", 0.0, depth_n)]
    for i, pur in enumerate(purities, start=1):
        p.clones[f"P{i}"] = Clone(f"P{i}", "T")
        p.clones[f"S{i}"] = Clone(f"S{i}", f"P{i}")
        b.random_somatic(f"P{i}", int(per_mb * scale / 4), indel_frac, 60, reg, **kw)
        b.random_somatic(f"S{i}", int(per_mb * scale / 12), indel_frac, 60, reg, **kw)
        p.samples.append(Sample(f"C1_T{i}", str(i), pur, depth_t, {f"P{i}": 0.5, f"S{i}": 0.5}))
    return [p]
