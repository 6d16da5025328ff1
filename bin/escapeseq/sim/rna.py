"""RNA-seq reads for the simulator's tumour timepoints, with expression truth.

Model (everything per tumour sample; see docs/test-data.md, "RNA reads"):

* Every gene of the synthetic genome has one canonical transcript. A gene copy (one
  chromosome copy of one cell population, as :mod:`escapeseq.sim.mixture` replays it)
  makes ``level`` mRNA molecules per cell: expression follows copy number (dosage).
  Panel genes have fixed levels (:data:`PANEL_LEVELS`), background genes a log-normal
  draw from the seed.
* A copy's molecule carries the germline variants of its haplotype and the somatic
  mutations of that copy that fall in its exons (and in any retained intron).
* Splicing: a copy whose variant changes an intron's donor (first two bases, GT) or
  acceptor dinucleotide (last two, AG) retains that intron (the JAK2 c.1641+1G>T of
  patient P2, as in Zaretsky et al. 2016). Retained-intron molecules are nuclear-
  detained and escape nonsense-mediated decay here, so the retention stays visible.
* NMD: a spliced molecule whose first in-frame stop is premature (before the stop of the
  same haplotype's germline mRNA: a somatic stop-gain or frameshift) and ends more than
  :data:`NMD_DISTANCE` nt upstream of the last exon-exon junction keeps only
  :data:`NMD_RESIDUAL` of its molecules (JAK1 p.Gln503Ter). Germline variants set the
  patient's normal mRNA (the DNA simulator's germline SNVs are not screened for stops, so
  a germline stop is treated as the normal state, expressed at the gene's level).
* Silencing: a clone may silence genes (:func:`rna_design`); its copies keep
  :data:`SILENCED_RESIDUAL` of their molecules.
* Reads: fragments are drawn from molecules in proportion to molecules x length,
  fragment length Normal(250, 30) clipped to the molecule, 2 x 100 bp, unstranded (read 1
  from either end), substitution errors rising from 0.1 % to 1 % along the read with
  Phred qualities that state them. Read names ``<sample>:<n>``; gzip mtime 0.

ART is not used here: it places reads at one fold coverage per run and rounds the
read count per record, while expression needs a multinomial draw over thousands of
molecules with very different abundances.

Units: levels are molecules per gene copy per cell (arbitrary scale); TPM is the
molecule share x 10^6; allele fractions are fractions in [0, 1].
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from escapeseq.sim.design import Patient, Sample, Variant
from escapeseq.sim.genome import Gene, Genome
from escapeseq.sim.mixture import copies_at, copies_over
from escapeseq.sim.reads import VariantIndex, apply_variants, derived_seed
from escapeseq.sim.seqs import STOP_CODONS, revcomp

READ_LEN = 100
FRAG_MEAN, FRAG_SD = 250.0, 30.0
#: share of a premature-stop mRNA surviving nonsense-mediated decay
NMD_RESIDUAL = 0.25
#: a stop more than this many nt upstream of the last exon-exon junction triggers NMD
NMD_DISTANCE = 50
#: share of molecules a silenced copy still makes
SILENCED_RESIDUAL = 0.02
#: molecules per gene copy per cell of the escape-panel genes
PANEL_LEVELS = {"JAK1": 30.0, "JAK2": 30.0, "B2M": 100.0, "HLA-A": 80.0, "STAT1": 40.0,
                "IRF1": 20.0, "TAP1": 30.0, "TAP2": 20.0, "TAPBP": 30.0, "IFNGR1": 20.0,
                "IFNGR2": 15.0}
#: read pairs per tumour sample by preset
PRESET_PAIRS = {"mini": 6000, "test": 12000, "bench": 200000}


@dataclass
class RnaDesign:
    """Expression of one patient: level per gene and genes each clone silences."""

    levels: dict[str, float]
    silenced: dict[str, tuple[str, ...]] = field(default_factory=dict)   # clone -> genes

    def silenced_in(self, history_clones: list[str]) -> set[str]:
        """Genes silenced in a clone with these ancestors (silencing is inherited)."""
        out: set[str] = set()
        for c in history_clones:
            out.update(self.silenced.get(c, ()))
        return out


def rna_design(genome: Genome, patient: Patient, seed: int) -> RnaDesign:
    """Levels for every gene; the test patient P3 silences HLA-A in its relapse clone.

    Background levels: exp(Normal(ln 8, 0.8)) molecules per copy, drawn per gene from a
    seed derived from ``seed`` only (the same in every patient, as a tissue would be).
    Bench patients silence the first panel background gene in their relapse clone ``R``.
    """
    rng = np.random.default_rng(derived_seed(seed, "rna", "levels"))
    levels = {}
    for g in genome.genes:
        draw = float(np.exp(rng.normal(np.log(8.0), 0.8)))
        levels[g.name] = PANEL_LEVELS.get(g.name, draw)
    silenced: dict[str, tuple[str, ...]] = {}
    if patient.name == "P3":
        silenced = {"RL": ("HLA-A",)}
    elif "R" in patient.clones:
        silenced = {"R": ("HLA-A",)}
    return RnaDesign(levels, silenced)


# ---------------------------------------------------------------------------------------
# molecules
# ---------------------------------------------------------------------------------------

@dataclass
class Isoform:
    """One distinct molecule type: sequence and how many molecules per sample cell."""

    gene: str
    seq: str                          # mRNA, 5'->3'
    molecules: float                  # per cell of the sample (fraction-weighted)
    variants: frozenset[int]          # vids of variants carried in the molecule
    retained: tuple[int, ...] = ()    # retained intron numbers (intron k follows exon k)
    nmd: bool = False


def _segments(gene: Gene, retained: set[int]) -> list[tuple[int, int]]:
    """Genomic pieces (1-based inclusive, transcript order) making the mRNA; a retained
    intron k joins exons k and k+1 with the intron between them."""
    ex = list(gene.exons)
    out: list[tuple[int, int]] = []
    for k, (s, e) in enumerate(ex, start=1):
        if out and (k - 1) in retained:
            ps, pe = out[-1]
            out[-1] = (min(ps, s), max(pe, e))
        else:
            out.append((s, e))
    return out


def splice_disrupted(gene: Gene, variants: list[Variant]) -> set[int]:
    """Introns whose donor (first two intron bases) or acceptor (last two) a variant changes.

    Intron k (1-based, transcript order) lies between exons k and k+1. On the minus strand
    the donor is the intron's highest two genomic bases.
    """
    out = set()
    for k in range(1, len(gene.exons)):
        a, b = gene.exons[k - 1], gene.exons[k]
        lo = min(a[1], b[1]) + 1 if gene.strand == "+" else b[1] + 1
        hi = b[0] - 1 if gene.strand == "+" else a[0] - 1
        sites = [(lo, lo + 1), (hi - 1, hi)]
        for v in variants:
            vs, ve = v.pos + (1 if len(v.ref) != len(v.alt) else 0), v.pos + len(v.ref) - 1
            ve = max(ve, vs)
            if any(vs <= s2 and s1 <= ve for s1, s2 in sites):
                out.add(k)
    return out


def build_mrna(genome: Genome, gene: Gene, variants: list[Variant], retained: set[int]
               ) -> tuple[str, int, list[int]]:
    """mRNA of one gene copy: (sequence, 0-based offset of c.1, exon-junction offsets).

    Each piece is the genomic interval with the copy's variants inside it applied
    (variants crossing a piece boundary are left out); the minus strand is reverse-
    complemented. Junction offsets are mRNA positions where a piece starts (after the
    first). The c.1 offset accounts for indels upstream of the start codon.
    """
    contig = genome.contigs[gene.chrom]
    pieces = _segments(gene, retained)
    seqs, starts = [], []
    cds0 = -1
    c1 = int(gene.cds_pos[0])
    off = 0
    for s, e in pieces:
        vs = [v for v in variants if s <= v.pos and v.pos + len(v.ref) - 1 <= e]
        seq = apply_variants(contig[s - 1:e], s, vs)
        if gene.strand == "-":
            seq = revcomp(seq)
        if s <= c1 <= e:
            if gene.strand == "+":
                shift = sum(len(v.alt) - len(v.ref) for v in vs if v.pos + len(v.ref) - 1 < c1)
                cds0 = off + (c1 - s) + shift
            else:
                shift = sum(len(v.alt) - len(v.ref) for v in vs if v.pos > c1)
                cds0 = off + (e - c1) + shift
        starts.append(off)
        seqs.append(seq)
        off += len(seq)
    return "".join(seqs), cds0, starts[1:]


def first_stop(mrna: str, cds0: int) -> int:
    """0-based mRNA offset of the first in-frame stop codon from ``cds0`` (-1 if none)."""
    for i in range(cds0, len(mrna) - 2, 3):
        if mrna[i:i + 3] in STOP_CODONS:
            return i
    return -1


def nmd_target(mrna: str, cds0: int, junctions: list[int], ref_cds_len: int) -> bool:
    """True when the first in-frame stop is premature (fewer coding nt before it than the
    reference's ``ref_cds_len``) and its last base lies more than :data:`NMD_DISTANCE` nt
    upstream of the last exon-exon junction (the 50-55 nt rule)."""
    if cds0 < 0 or not junctions:
        return False
    stop = first_stop(mrna, cds0)
    if stop < 0 or stop - cds0 >= ref_cds_len:
        return False
    return junctions[-1] - (stop + 3) > NMD_DISTANCE


def sample_isoforms(genome: Genome, patient: Patient, sample: Sample, design: RnaDesign,
                    vindex: VariantIndex) -> list[Isoform]:
    """Every distinct molecule of a sample with its abundance (molecules per cell).

    A population with cell fraction f and a copy of a gene contributes f x level x
    (NMD_RESIDUAL if NMD) x (SILENCED_RESIDUAL if its clone silences the gene); identical
    molecules from different populations are merged.
    """
    by_key: dict[tuple, Isoform] = {}
    pops = patient.populations(sample)
    for g in genome.genes:
        level = design.levels[g.name]
        vs_gene = vindex.within(g.chrom, g.start, g.end)
        germ_len: dict[str, int] = {}     # haplotype -> CDS length of its germline mRNA
        for name, f, hist in pops:
            chain = [] if name == "normal" else _ancestors(patient, name)
            silent = g.name in design.silenced_in(chain)
            for hap, muts in copies_over(hist, g.chrom, g.start, g.end, patient.male):
                mine = [v for v in vs_gene if (v.origin == "germline" and hap in v.hap)
                        or (v.origin == "somatic" and v.vid in muts)]
                if hap not in germ_len:
                    germ = [v for v in mine if v.origin == "germline"]
                    gseq, gc1, _ = build_mrna(genome, g, germ, splice_disrupted(g, germ))
                    stop = first_stop(gseq, gc1)
                    germ_len[hap] = stop - gc1 if stop >= 0 else len(gseq)
                ret = splice_disrupted(g, mine)
                seq, c1, junc = build_mrna(genome, g, mine, ret)
                nmd = not ret and nmd_target(seq, c1, junc, germ_len[hap])
                m = f * level * (NMD_RESIDUAL if nmd else 1.0) * (SILENCED_RESIDUAL if silent else 1.0)
                carried = frozenset(v.vid for v in mine if _in_pieces(v, _segments(g, ret)))
                key = (g.name, seq)
                if key in by_key:
                    by_key[key].molecules += m
                else:
                    by_key[key] = Isoform(g.name, seq, m, carried, tuple(sorted(ret)), nmd)
    return list(by_key.values())


def _ancestors(patient: Patient, clone: str) -> list[str]:
    out = []
    c = clone
    while c:
        out.append(c)
        c = patient.clones[c].parent
    return out


def _in_pieces(v: Variant, pieces: list[tuple[int, int]]) -> bool:
    return any(s <= v.pos and v.pos + len(v.ref) - 1 <= e for s, e in pieces)


# ---------------------------------------------------------------------------------------
# reads
# ---------------------------------------------------------------------------------------

_BASES = np.frombuffer(b"ACGT", dtype=np.uint8)
_COMP = np.zeros(256, dtype=np.uint8)
for _a, _b in zip(b"ACGTN", b"TGCAN"):
    _COMP[_a] = _b


def error_profile(read_len: int = READ_LEN) -> np.ndarray:
    """Substitution probability per read cycle: 0.001 + 0.009 (i / (L - 1))^2."""
    x = np.arange(read_len) / max(read_len - 1, 1)
    return 0.001 + 0.009 * x ** 2


def draw_fragments(rng: np.random.Generator, lengths: np.ndarray, weights: np.ndarray,
                   n_pairs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(isoform index, start, fragment length) of ``n_pairs`` fragments.

    An isoform is drawn with probability proportional to molecules x length (fragments
    come from every part of every molecule); the fragment length is Normal(250, 30)
    rounded and clipped to [READ_LEN, isoform length]; the start is uniform.
    """
    p = weights * lengths
    p = p / p.sum()
    iso = rng.choice(len(lengths), size=n_pairs, p=p)
    flen = np.rint(rng.normal(FRAG_MEAN, FRAG_SD, size=n_pairs)).astype(np.int64)
    flen = np.clip(flen, READ_LEN, lengths[iso])
    start = (rng.random(n_pairs) * (lengths[iso] - flen + 1)).astype(np.int64)
    return iso, start, flen


def write_rna_reads(rng: np.random.Generator, isoforms: list[Isoform], n_pairs: int,
                    sample: str, out1: Path, out2: Path, level: int = 6) -> np.ndarray:
    """Simulate and write ``n_pairs`` read pairs; return read pairs per isoform."""
    ok = [i for i, iso in enumerate(isoforms) if len(iso.seq) >= READ_LEN and iso.molecules > 0]
    lengths = np.array([len(isoforms[i].seq) for i in ok], dtype=np.int64)
    weights = np.array([isoforms[i].molecules for i in ok])
    iso, start, flen = draw_fragments(rng, lengths, weights, n_pairs)
    perr = error_profile()
    qual = (np.clip(np.rint(-10 * np.log10(perr)), 2, 41) + 33).astype(np.uint8).tobytes().decode()
    seqs = [np.frombuffer(isoforms[i].seq.encode(), dtype=np.uint8) for i in ok]
    flip = rng.random(n_pairs) < 0.5
    counts = np.bincount(iso, minlength=len(ok))
    tmp1, tmp2 = out1.with_name(out1.name + ".tmp"), out2.with_name(out2.name + ".tmp")
    out1.parent.mkdir(parents=True, exist_ok=True)
    with open(tmp1, "wb") as r1, open(tmp2, "wb") as r2, \
            gzip.GzipFile(filename="", mode="wb", fileobj=r1, mtime=0, compresslevel=level) as g1, \
            gzip.GzipFile(filename="", mode="wb", fileobj=r2, mtime=0, compresslevel=level) as g2:
        b1, b2 = [], []
        for n in range(n_pairs):
            s = seqs[iso[n]]
            frag = s[start[n]:start[n] + flen[n]]
            fwd = frag[:READ_LEN].copy()
            rev = _COMP[frag[::-1][:READ_LEN]]
            a, b = (rev, fwd) if flip[n] else (fwd, rev)
            a, b = _errors(rng, a, perr), _errors(rng, b, perr)
            b1.append(f"@{sample}:{n + 1}\n{a.tobytes().decode()}\n+\n{qual}\n")
            b2.append(f"@{sample}:{n + 1}\n{b.tobytes().decode()}\n+\n{qual}\n")
            if len(b1) >= 20000:
                g1.write("".join(b1).encode())
                g2.write("".join(b2).encode())
                b1, b2 = [], []
        g1.write("".join(b1).encode())
        g2.write("".join(b2).encode())
    os.replace(tmp1, out1)
    os.replace(tmp2, out2)
    full = np.zeros(len(isoforms), dtype=np.int64)
    full[ok] = counts
    return full


def _errors(rng: np.random.Generator, read: np.ndarray, perr: np.ndarray) -> np.ndarray:
    hit = rng.random(len(read)) < perr[:len(read)]
    if hit.any():
        read = read.copy()
        for i in np.flatnonzero(hit):
            choices = _BASES[_BASES != read[i]]
            read[i] = choices[int(rng.integers(len(choices)))]
    return read


# ---------------------------------------------------------------------------------------
# truth
# ---------------------------------------------------------------------------------------

def gene_truth(genome: Genome, sample: Sample, isoforms: list[Isoform], pairs: np.ndarray,
               design: RnaDesign, patient: Patient) -> list[list[str]]:
    """Rows of <patient>.rna_genes.tsv for one sample (see :data:`GENE_COLS`)."""
    tot = sum(i.molecules for i in isoforms)
    rows = []
    silenced_here = set()
    for cl in sample.clones:
        silenced_here |= design.silenced_in(_ancestors(patient, cl))
    for g in genome.genes:
        mine = [k for k, i in enumerate(isoforms) if i.gene == g.name]
        mol = sum(isoforms[k].molecules for k in mine)
        ret = sum(isoforms[k].molecules for k in mine if isoforms[k].retained)
        nmd = sum(isoforms[k].molecules for k in mine if isoforms[k].nmd)
        rows.append([sample.name, g.name, g.gene_id, _f(1e6 * mol / tot), str(int(pairs[mine].sum())),
                     _f(ret / mol if mol else 0.0), _f(nmd / mol if mol else 0.0),
                     "true" if g.name in silenced_here else "false"])
    return rows


GENE_COLS = ["sample", "gene", "gene_id", "expected_tpm", "simulated_pairs",
             "retained_intron_fraction", "nmd_fraction", "silenced"]
VARIANT_COLS = ["sample", "chrom", "pos", "ref", "alt", "gene", "origin", "dna_vaf",
                "rna_vaf", "covering_molecules", "retained_introns", "nmd"]


def variant_truth(genome: Genome, patient: Patient, sample: Sample, isoforms: list[Isoform],
                  dna_vaf: dict[int, float]) -> list[list[str]]:
    """Expected RNA allele fraction of each somatic variant inside a transcribed piece.

    rna_vaf = molecules carrying the variant / molecules whose mRNA contains the site
    (spliced molecules do not contain an intronic site; retained ones do). Read coverage
    at a site is proportional to the molecules containing it, so this is what the reads
    estimate.
    """
    rows = []
    genes = {g.name: g for g in genome.genes}
    for v in patient.variants:
        if v.origin != "somatic" or v.gene not in genes:
            continue
        g = genes[v.gene]
        cover = carry = 0.0
        nmd = False
        introns: set[int] = set()
        for iso in isoforms:
            if iso.gene != g.name:
                continue
            if _in_pieces(v, _segments(g, set(iso.retained))):
                cover += iso.molecules
                if v.vid in iso.variants:
                    carry += iso.molecules
                    nmd |= iso.nmd
                    introns.update(iso.retained)
        if cover == 0:
            continue
        rows.append([sample.name, v.chrom, str(v.pos), v.ref, v.alt, v.gene, v.origin,
                     _f(dna_vaf.get(v.vid, 0.0)), _f(carry / cover), _f(cover),
                     ",".join(map(str, sorted(introns))), "true" if nmd else "false"])
    return rows


def _f(x: float) -> str:
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def dna_vafs(patient: Patient, sample: Sample) -> dict[int, float]:
    """Expected DNA VAF of every somatic variant in a sample (mixture formula)."""
    from escapeseq.sim.mixture import expected_vaf
    out = {}
    pops = patient.populations(sample)
    for v in patient.variants:
        if v.origin != "somatic":
            continue
        fr, mc, tc = [], [], []
        for _, f, hist in pops:
            cps = copies_at(hist, v.chrom, v.pos, patient.male)
            fr.append(f)
            mc.append(sum(1 for _, m in cps if v.vid in m))
            tc.append(len(cps))
        out[v.vid] = expected_vaf(np.array(fr), np.array(mc), np.array(tc))
    return out


def simulate_patient_rna(genome: Genome, patient: Patient, seed: int, n_pairs: int,
                         outdir: Path, gzip_level: int = 6) -> dict[str, tuple[str, str]]:
    """RNA reads of every tumour sample of a patient + truth files; returns
    sample -> (R1, R2) paths relative to ``outdir``.

    Writes rna/<sample>_R1.fastq.gz, _R2, truth/<patient>.rna_genes.tsv and
    truth/<patient>.rna_variants.tsv.
    """
    design = rna_design(genome, patient, seed)
    vindex = VariantIndex(patient.variants)
    genes_rows, var_rows, paths = [], [], {}
    for s in patient.samples:
        if not s.is_tumour:
            continue
        iso = sample_isoforms(genome, patient, s, design, vindex)
        r1, r2 = f"rna/{s.name}_R1.fastq.gz", f"rna/{s.name}_R2.fastq.gz"
        rng = np.random.default_rng(derived_seed(seed, s.name, "rna"))
        if n_pairs > 0:
            pairs = write_rna_reads(rng, iso, n_pairs, s.name, outdir / r1, outdir / r2, gzip_level)
        else:
            pairs = np.zeros(len(iso), dtype=np.int64)
        genes_rows += gene_truth(genome, s, iso, pairs, design, patient)
        var_rows += variant_truth(genome, patient, s, iso, dna_vafs(patient, s))
        paths[s.name] = (r1, r2)
    _write(outdir / "truth" / f"{patient.name}.rna_genes.tsv", GENE_COLS, genes_rows)
    _write(outdir / "truth" / f"{patient.name}.rna_variants.tsv", VARIANT_COLS, var_rows)
    return paths


def _write(path: Path, cols: list[str], rows: list[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", newline="\n") as fh:
        fh.write("\n".join("\t".join(r) for r in [cols] + rows) + "\n")
    os.replace(tmp, path)


RNA_TRUTH_README = """# RNA truth (escapeseq-simulate --rna)

Reads: rna/<sample>_R1.fastq.gz, _R2 for every tumour sample (2 x 100 bp, unstranded).
Model: bin/escapeseq/sim/rna.py and docs/test-data.md ("RNA reads"). Fractions in [0, 1].

## <patient>.rna_genes.tsv - one row per tumour sample and gene
- sample, gene, gene_id (as in reference/genes.gtf).
- expected_tpm: the gene's share of mRNA molecules x 10^6.
- simulated_pairs: read pairs drawn from the gene's molecules.
- retained_intron_fraction: share of the gene's molecules that retain an intron.
- nmd_fraction: share of the gene's molecules (after decay) that carry a premature stop.
- silenced: true when a clone of the sample silences the gene.

## <patient>.rna_variants.tsv - somatic variants inside a transcribed piece
- sample, chrom, pos, ref, alt, gene, origin.
- dna_vaf: expected DNA VAF (as in <patient>.variants.tsv).
- rna_vaf: molecules carrying the variant / molecules whose mRNA contains the site.
- covering_molecules: molecules per cell containing the site (relative scale).
- retained_introns: introns retained in the carrying molecules (intron k follows exon k).
- nmd: true when the carrying molecules are reduced by nonsense-mediated decay.
"""
