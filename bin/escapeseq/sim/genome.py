"""Synthetic reference genome with gene models shaped like JAK1, JAK2 and B2M.

Coordinates: every position held in these objects is 1-based and inclusive
(GTF/VCF style); only :func:`write_bed`-style output is 0-based half-open.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from escapeseq.annotate.gtf import merge_intervals
from escapeseq.sim.seqs import background_dna, random_codons, random_dna, revcomp

#: Genes of the interferon-gamma / antigen-presentation escape panel that the
#: simulator places (JAK1, JAK2 and B2M carry the planted events; the others are
#: background genes with random structure).
PANEL_GENES = ("JAK1", "JAK2", "B2M", "IFNGR1", "IFNGR2", "STAT1", "IRF1", "HLA-A", "TAP1",
               "TAP2", "TAPBP")

CONTIG_NAMES = ("chr1", "chr6", "chr9", "chr15", "chr17", "chrX")
#: (length in bp for the test preset, centromere as a fraction of the length)
CONTIG_SHAPE = {
    "chr1": (1_400_000, 0.45), "chr6": (1_200_000, 0.40), "chr9": (1_100_000, 0.40),
    "chr15": (1_000_000, 0.30), "chr17": (1_000_000, 0.35), "chrX": (600_000, 0.42),
}
#: panel background genes: name -> (chrom, arm, strand)
PANEL_BACKGROUND = {
    "HLA-A": ("chr6", "p", "+"), "TAP1": ("chr6", "p", "-"), "TAP2": ("chr6", "p", "-"),
    "TAPBP": ("chr6", "p", "-"), "IFNGR1": ("chr6", "q", "-"), "STAT1": ("chr17", "q", "-"),
    "IRF1": ("chr15", "q", "-"), "IFNGR2": ("chr17", "p", "+"),
}
ARM_MARGIN = 20_000  # bp kept free of genes at contig ends and either side of a centromere
TARGET_PAD = 20      # bp of padding added to each coding exon to make a capture target
WINDOW_FLANK = 250   # bp either side of a target from which reads are simulated


@dataclass(frozen=True)
class GeneSpec:
    """Shape of one gene, in transcript orientation (exon numbers are 1-based).

    ``fixed_codons`` maps a 1-based codon number to its codon; ``fixed_ends`` maps an
    exon number to the c. position (1-based CDS nucleotide, stop codon included) of
    that exon's last coding base; ``keep_codons`` lists codons no exon boundary may
    split; ``intron_prefix`` maps an intron number (intron k follows exon k) to its
    first bases.
    """

    name: str
    chrom: str
    arm: str
    strand: str
    n_aa: int
    n_exons: int
    first_coding: int = 1
    last_coding: int = 0  # 0 -> n_exons
    fixed_codons: dict[int, str] = field(default_factory=dict)
    fixed_ends: dict[int, int] = field(default_factory=dict)
    keep_codons: tuple[int, ...] = ()
    intron_prefix: dict[int, str] = field(default_factory=dict)
    intron_len: tuple[int, int] = (120, 400)
    utr5: tuple[int, int] = (40, 120)
    utr3: tuple[int, int] = (60, 200)
    homopolymer: bool = False
    panel: bool = False


@dataclass
class Gene:
    """A placed gene with one canonical transcript; genomic 1-based inclusive coordinates."""

    name: str
    chrom: str
    strand: str
    start: int
    end: int
    exons: list[tuple[int, int]]               # transcript order
    coding: list[tuple[int, int] | None]       # coding part of each exon (stop codon included)
    cds_pos: np.ndarray                        # genomic position of c.1 .. c.N (stop included)
    panel: bool = False
    gene_id: str = ""
    transcript_id: str = ""

    @property
    def n_aa(self) -> int:
        """Protein length in amino acids (stop codon excluded)."""
        return len(self.cds_pos) // 3 - 1


@dataclass
class Genome:
    """The synthetic reference: contig sequences, arms and genes."""

    contigs: dict[str, str]                    # name -> sequence (upper case)
    centromeres: dict[str, int]                # name -> last base of the p arm
    genes: list[Gene]

    def order(self) -> dict[str, int]:
        """Contig name -> rank in the FASTA (for sorting)."""
        return {c: i for i, c in enumerate(self.contigs)}

    def arms(self) -> list[tuple[str, str, int, int]]:
        """(chrom, arm, start, end) with 1-based inclusive coordinates."""
        out = []
        for c, s in self.contigs.items():
            out.append((c, "p", 1, self.centromeres[c]))
            out.append((c, "q", self.centromeres[c] + 1, len(s)))
        return out

    def gene(self, name: str) -> Gene:
        """The gene called ``name`` (KeyError if absent)."""
        for g in self.genes:
            if g.name == name:
                return g
        raise KeyError(name)


# ---------------------------------------------------------------------------------------
# gene construction
# ---------------------------------------------------------------------------------------

def partition_cds(rng: np.random.Generator, cds_len: int, n: int, fixed_ends: dict[int, int],
                  keep_codons: tuple[int, ...], min_len: int = 36) -> list[int]:
    """Split a CDS of ``cds_len`` nt into ``n`` coding pieces; return their c. end positions.

    ``fixed_ends`` maps the 1-based coding-piece ordinal to a forced end. Free ends are
    spread with random weights between the fixed anchors; an end that would split a
    codon listed in ``keep_codons`` (codon k spans c.3k-2..c.3k) is moved to the codon's
    end. The first and last pieces keep >= ``min_len`` nt so that start and stop codons
    are never split.
    """
    anchors = {0: 0, n: cds_len}
    anchors.update(fixed_ends)
    keys = sorted(anchors)
    ends = dict(anchors)
    for a, b in zip(keys, keys[1:]):
        k = b - a
        if k <= 1:
            continue
        w = rng.uniform(0.6, 1.4, size=k)
        cum = np.cumsum(w)[:-1] / w.sum()
        span = anchors[b] - anchors[a]
        for j, f in enumerate(cum, start=1):
            ends[a + j] = anchors[a] + int(round(f * span))
    keep = set()
    for c in keep_codons:
        keep.update({3 * c - 2, 3 * c - 1})
    out = []
    for i in range(1, n):
        e = ends[i]
        if i not in fixed_ends:
            while e in keep:
                e += 1
        out.append(e)
    out.append(cds_len)
    prev = 0
    for i, e in enumerate(out):
        lo = min_len if i in (0, n - 1) else 3
        if e - prev < lo:
            raise ValueError(f"coding piece {i + 1} too short ({e - prev} nt)")
        prev = e
    return out


def build_gene_seq(rng: np.random.Generator, spec: GeneSpec, gc: float = 0.5
                   ) -> tuple[str, list[tuple[int, int]], list[tuple[int, int] | None]]:
    """Build a gene in transcript orientation.

    Returns (sequence, exons, coding) where exons/coding are 0-based half-open
    intervals on the returned sequence (coding = coding part of each exon, stop
    codon included, ``None`` for UTR-only exons). Introns are GT...AG.
    """
    last = spec.last_coding or spec.n_exons
    n_coding = last - spec.first_coding + 1
    n_codons = spec.n_aa + 1
    rc = random_codons(rng, n_codons, gc)
    cds = [rc[i:i + 3] for i in range(0, 3 * n_codons, 3)]
    cds[0] = "ATG"
    cds[-1] = ("TAA", "TAG", "TGA")[int(rng.integers(3))]
    if spec.homopolymer and spec.n_aa > 30:
        i = int(rng.integers(5, spec.n_aa - 10))
        cds[i:i + 3] = (["AAA", "AAA", "AGC"] if rng.random() < 0.5 else ["CCC", "CCC", "CAG"])
    for k, codon in spec.fixed_codons.items():
        cds[k - 1] = codon
    cds_seq = "".join(cds)
    fixed = {e - spec.first_coding + 1: c for e, c in spec.fixed_ends.items()}
    ends = partition_cds(rng, len(cds_seq), n_coding, fixed, spec.keep_codons)
    pieces = []
    prev = 0
    for e in ends:
        pieces.append(cds_seq[prev:e])
        prev = e
    seq: list[str] = []
    pos = 0
    exons: list[tuple[int, int]] = []
    coding: list[tuple[int, int] | None] = []
    for ex in range(1, spec.n_exons + 1):
        parts = []
        cod = None
        if ex < spec.first_coding:
            parts.append(random_dna(rng, int(rng.integers(*spec.utr5)), gc))
        elif ex <= last:
            if ex == spec.first_coding:
                parts.append(random_dna(rng, int(rng.integers(*spec.utr5)) // 2 + 10, gc))
            a = pos + sum(map(len, parts))
            piece = pieces[ex - spec.first_coding]
            parts.append(piece)
            cod = (a, a + len(piece))
            if ex == last:
                parts.append(random_dna(rng, int(rng.integers(*spec.utr3)) // 2 + 10, gc))
        else:
            parts.append(random_dna(rng, int(rng.integers(*spec.utr3)), gc))
        s = "".join(parts)
        exons.append((pos, pos + len(s)))
        coding.append(cod)
        seq.append(s)
        pos += len(s)
        if ex < spec.n_exons:
            ln = int(rng.integers(*spec.intron_len))
            pre = spec.intron_prefix.get(ex, "GT")
            body = random_dna(rng, max(ln - len(pre) - 2, 20), gc - 0.04)
            intr = pre + body + "AG"
            seq.append(intr)
            pos += len(intr)
    return "".join(seq), exons, coding


def place_gene(spec: GeneSpec, seq: str, exons: list[tuple[int, int]],
               coding: list[tuple[int, int] | None], start: int) -> tuple[str, Gene]:
    """Place a transcript-orientation gene at genomic ``start`` (1-based, lowest coordinate).

    Returns the genomic-strand sequence and the :class:`Gene` with genomic coordinates.
    On the minus strand transcript offset i maps to genomic ``start + len - 1 - i``.
    """
    n = len(seq)
    if spec.strand == "+":
        gseq = seq

        def g(i: int) -> int:
            return start + i
    else:
        gseq = revcomp(seq)

        def g(i: int) -> int:
            return start + n - 1 - i

    def iv(a: int, b: int) -> tuple[int, int]:
        x, y = g(a), g(b - 1)
        return (min(x, y), max(x, y))

    gex = [iv(a, b) for a, b in exons]
    gcod = [None if c is None else iv(*c) for c in coding]
    cpos = np.concatenate([np.array([g(i) for i in range(c[0], c[1])], dtype=np.int64)
                           for c in coding if c is not None])
    gene = Gene(spec.name, spec.chrom, spec.strand, start, start + n - 1, gex, gcod, cpos,
                panel=spec.panel)
    return gseq, gene


# ---------------------------------------------------------------------------------------
# specs of the genes carrying the planted events
# ---------------------------------------------------------------------------------------

#: JAK1: 25 exons (exon 1 = 5'UTR only), 1154 aa, codon 503 = CAG (Gln) kept inside
#: one exon; c.1507C>T -> p.Gln503Ter.
JAK1_Q503 = 503
#: JAK2: 25 exons (exon 1 = 5'UTR only), 1132 aa; exon 12 (transcript numbering) ends
#: exactly after codon 547 (Phe, TTC). Intron 12 starts GTAAGT, then one sense codon and a
#: TGA stop: read in frame from the exon end, the stop starts at intron base +10.
JAK2_F547 = 547
JAK2_EXON = 12
#: B2M: 4 exons (exons 1-3 coding, exon 4 = 3'UTR), 119 aa; codons 13-15 = CTG TCC AGC.
B2M_S14 = 14


def special_specs() -> list[GeneSpec]:
    """Gene specs of JAK1, JAK2 and B2M (structure described in docs/test-data.md)."""
    jak1 = GeneSpec("JAK1", "chr1", "p", "-", 1154, 25, first_coding=2,
                    fixed_codons={JAK1_Q503: "CAG"}, keep_codons=(JAK1_Q503,),
                    fixed_ends={}, intron_len=(60, 170), panel=True)
    jak2 = GeneSpec("JAK2", "chr9", "p", "+", 1132, 25, first_coding=2,
                    fixed_codons={JAK2_F547: "TTC"}, fixed_ends={JAK2_EXON: 3 * JAK2_F547},
                    intron_prefix={JAK2_EXON: "GTAAGTCCA" + "TGA"}, intron_len=(60, 170),
                    panel=True)
    b2m = GeneSpec("B2M", "chr15", "q", "+", 119, 4, first_coding=1, last_coding=3,
                   fixed_codons={13: "CTG", 14: "TCC", 15: "AGC"}, fixed_ends={1: 66},
                   intron_len=(150, 400), panel=True)
    return [jak1, jak2, b2m]


def background_spec(rng: np.random.Generator, name: str, chrom: str, arm: str,
                    big: bool, panel: bool = False, strand: str | None = None) -> GeneSpec:
    """Random multi-exon protein-coding gene; ``big`` selects bench-sized genes."""
    if strand is None:
        strand = "+" if rng.random() < 0.5 else "-"
    if big:
        n_ex = int(rng.integers(4, 16))
        n_aa = int(rng.integers(max(60, 45 * n_ex), 110 * n_ex))
        il = (300, 2500)
    else:
        n_ex = int(rng.integers(3, 7))
        n_aa = int(rng.integers(max(45, 20 * n_ex), 32 * n_ex))
        il = (60, 160)
    return GeneSpec(name, chrom, arm, strand, n_aa, n_ex, intron_len=il,
                    utr5=(20, 80), utr3=(40, 140), homopolymer=rng.random() < 0.4, panel=panel)


def coding_target_bp(coding: list[tuple[int, int] | None]) -> int:
    """Approximate target bp of a gene: coding part of each exon + 2 x padding."""
    return sum(c[1] - c[0] + 2 * TARGET_PAD for c in coding if c is not None)


def build_genome(rng: np.random.Generator, target_bp: int, big_genes: bool,
                 length_scale: float = 1.0, min_bg_per_arm: int = 2) -> Genome:
    """Build contigs, place genes on every arm until coding targets reach ``target_bp``.

    Special genes (JAK1, JAK2, B2M) and the panel background genes are always placed;
    further random genes are added to the arm with the fewest target bp so far (every
    arm first gets ``min_bg_per_arm`` non-panel genes), so every arm has targets,
    het SNPs and room for background mutations. A contig is
    lengthened when its genes would fill more than a third of an arm.
    """
    arms = [(c, a) for c in CONTIG_NAMES for a in ("p", "q")]
    built: dict[tuple[str, str], list[tuple[GeneSpec, tuple]]] = {k: [] for k in arms}
    tbp = {k: 0 for k in arms}

    def add(spec: GeneSpec) -> None:
        res = build_gene_seq(rng, spec)
        built[(spec.chrom, spec.arm)].append((spec, res))
        tbp[(spec.chrom, spec.arm)] += coding_target_bp(res[2])

    for spec in special_specs():
        add(spec)
    for name, (c, a, s) in PANEL_BACKGROUND.items():
        add(background_spec(rng, name, c, a, big_genes, panel=True, strand=s))
    counter = 0
    n_bg = {k: 0 for k in arms}
    while sum(tbp.values()) < target_bp or min(n_bg.values()) < min_bg_per_arm:
        short = [k for k in arms if n_bg[k] < min_bg_per_arm]
        c, a = min(short or arms, key=lambda k: (tbp[k], arms.index(k)))
        counter += 1
        n_bg[(c, a)] += 1
        add(background_spec(rng, f"_bg{counter}", c, a, big_genes))

    contigs: dict[str, str] = {}
    cents: dict[str, int] = {}
    genes: list[Gene] = []
    for c in CONTIG_NAMES:
        base_len, frac = CONTIG_SHAPE[c]
        base_len = int(base_len * length_scale)
        arm_lens = {"p": int(base_len * frac), "q": base_len - int(base_len * frac)}
        for a in ("p", "q"):
            need = sum(len(r[0]) for _, r in built[(c, a)])
            arm_lens[a] = max(arm_lens[a], 3 * need + 2 * ARM_MARGIN)
        total = arm_lens["p"] + arm_lens["q"]
        seq = list(background_dna(rng, total))
        cents[c] = arm_lens["p"]
        for a in ("p", "q"):
            lo = 1 if a == "p" else arm_lens["p"] + 1
            items = built[(c, a)]
            order = rng.permutation(len(items))
            items = [items[i] for i in order]
            glen = sum(len(r[0]) for _, r in items)
            free = arm_lens[a] - 2 * ARM_MARGIN - glen
            gaps = rng.dirichlet(np.ones(len(items) + 1)) * free
            pos = lo + ARM_MARGIN + int(gaps[0])
            for (spec, (gs, ex, cod)), gap in zip(items, gaps[1:]):
                gseq, gene = place_gene(spec, gs, ex, cod, pos)
                seq[pos - 1:pos - 1 + len(gseq)] = list(gseq)
                genes.append(gene)
                pos += len(gseq) + int(gap)
        contigs[c] = "".join(seq)
    rank = {c: i for i, c in enumerate(CONTIG_NAMES)}
    genes.sort(key=lambda g: (rank[g.chrom], g.start))
    per_chrom: dict[str, int] = {}
    for i, g in enumerate(genes, start=1):
        if g.name.startswith("_bg"):
            per_chrom[g.chrom] = per_chrom.get(g.chrom, 0) + 1
            g.name = f"GENE_{g.chrom}_{per_chrom[g.chrom]}"
        g.gene_id = f"ESQG{i:06d}.1"
        g.transcript_id = f"ESQT{i:06d}.1"
    return Genome(contigs, cents, genes)


# ---------------------------------------------------------------------------------------
# derived annotation: GTF, targets, read windows
# ---------------------------------------------------------------------------------------

def gtf_lines(genome: Genome) -> list[str]:
    """GENCODE-style GTF lines (no header), sorted by contig order then start.

    CDS features exclude the stop codon (GTF2.2 / GENCODE convention); the frame
    column is the number of bases to skip from the feature's 5' end to the first
    complete codon: (3 - (coding bases before this feature mod 3)) mod 3.
    """
    rank = genome.order()
    rows: list[tuple[tuple, str]] = []
    feat_rank = {"gene": 0, "transcript": 1, "exon": 2, "CDS": 3, "start_codon": 4,
                 "stop_codon": 5, "UTR": 6}
    for g in genome.genes:
        tname = f"{g.name}-201"
        base = (f'gene_id "{g.gene_id}"; transcript_id "{g.transcript_id}"; '
                f'gene_type "protein_coding"; gene_name "{g.name}"; '
                f'transcript_type "protein_coding"; transcript_name "{tname}";')
        tag = ' level 2; tag "basic"; tag "Ensembl_canonical";'

        def row(feat: str, s: int, e: int, frame: str = ".", extra: str = "") -> None:
            attrs = base + extra + tag if feat != "gene" else (
                f'gene_id "{g.gene_id}"; gene_type "protein_coding"; gene_name "{g.name}"; level 2;')
            line = "\t".join([g.chrom, "ESCAPESEQ", feat, str(s), str(e), ".", g.strand, frame, attrs])
            rows.append(((rank[g.chrom], s, g.start, feat_rank[feat], e), line))

        row("gene", g.start, g.end)
        row("transcript", g.start, g.end)
        cds = g.cds_pos
        stop = cds[-3:]
        cds_nostop = set(cds[:-3].tolist())
        done = 0
        for k, (ex, cod) in enumerate(zip(g.exons, g.coding), start=1):
            extra = f' exon_number {k}; exon_id "{g.transcript_id.split(".")[0]}E{k:02d}";'
            row("exon", ex[0], ex[1], ".", extra)
            if cod is not None:
                cs = [p for p in range(cod[0], cod[1] + 1) if p in cds_nostop]
                if cs:
                    frame = (3 - done % 3) % 3
                    row("CDS", min(cs), max(cs), str(frame), extra)
                    done += len(cs)
                # UTR parts of this exon
                if ex[0] < cod[0]:
                    row("UTR", ex[0], cod[0] - 1, ".", extra)
                if cod[1] < ex[1]:
                    row("UTR", cod[1] + 1, ex[1], ".", extra)
            else:
                row("UTR", ex[0], ex[1], ".", extra)
        k_start = next(i for i, c in enumerate(g.coding, start=1) if c is not None)
        k_stop = max(i for i, c in enumerate(g.coding, start=1) if c is not None)
        row("start_codon", int(min(cds[:3])), int(max(cds[:3])), "0",
            f' exon_number {k_start}; exon_id "{g.transcript_id.split(".")[0]}E{k_start:02d}";')
        row("stop_codon", int(min(stop)), int(max(stop)), "0",
            f' exon_number {k_stop}; exon_id "{g.transcript_id.split(".")[0]}E{k_stop:02d}";')
    rows.sort(key=lambda r: r[0])
    return [r[1] for r in rows]


def targets(genome: Genome) -> list[tuple[str, int, int, str]]:
    """Capture targets: coding part of each exon +- ``TARGET_PAD`` bp, merged per gene.

    Returned as (chrom, start, end, gene) 1-based inclusive, sorted by contig order
    then start.
    """
    rank = genome.order()
    out = []
    for g in genome.genes:
        iv = [(c[0] - TARGET_PAD, c[1] + TARGET_PAD) for c in g.coding if c is not None]
        out += [(g.chrom, s, e, g.name) for s, e in merge_intervals(iv)]
    out.sort(key=lambda t: (rank[t[0]], t[1], t[2]))
    return out


def windows(genome: Genome, flank: int = WINDOW_FLANK) -> list[tuple[str, int, int]]:
    """Read-simulation windows: targets +- ``flank`` bp, merged, sorted, 1-based inclusive."""
    by: dict[str, list[tuple[int, int]]] = {}
    for c, s, e, _ in targets(genome):
        by.setdefault(c, []).append((max(1, s - flank), min(len(genome.contigs[c]), e + flank)))
    out = []
    for c in genome.contigs:
        out += [(c, s, e) for s, e in merge_intervals(by.get(c, []))]
    return out
