"""escapeseq-simulate: synthetic longitudinal tumour exomes with documented truth.

Builds a synthetic reference (contigs named like human ones, gene models shaped
like JAK1/JAK2/B2M), patients made of cell populations (normal + tumour clones
with copy-number states and somatic mutations on haplotypes A/B), simulates
paired reads with ART per population and chromosome copy, and writes the truth:
every variant's expected VAF per sample (computed from the mixture, not from the
reads), copy-number segments and purity/ploidy. See docs/test-data.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from escapeseq.fileio import write_atomic
from escapeseq.sim.artifacts import (PARALOG_CONTIG, ArtifactOptions, Paralog, damage_sites,
                                     decoy_contig, make_paralogs)
from escapeseq.sim.design import (Patient, Sample, Variant, design_bench, design_calling,
                                  design_quiet, design_test)
from escapeseq.sim.genome import PANEL_GENES, Genome, build_genome, gtf_lines, targets, windows
from escapeseq.sim.mixture import (cancer_cell_fraction, copies_at, depth_factor, expected_vaf,
                                   germline_copies)
from escapeseq.sim.reads import VariantIndex, derived_seed, simulate_sample, target_depth_gain

PROG = "escapeseq-simulate"

#: preset -> defaults (target bp, depths, SNP spacing, contig length scale, bg gene size)
PRESETS = {
    "mini": dict(target_mb=0.0, tumour_depth=30.0, normal_depth=20.0, snp_spacing=150,
                 length_scale=0.3, big_genes=False),
    "test": dict(target_mb=0.025, tumour_depth=100.0, normal_depth=60.0, snp_spacing=150,
                 length_scale=1.0, big_genes=False),
    "quiet": dict(target_mb=0.025, tumour_depth=100.0, normal_depth=60.0, snp_spacing=150,
                  length_scale=1.0, big_genes=False),
    "calling": dict(target_mb=0.4, tumour_depth=120.0, normal_depth=70.0, snp_spacing=400,
                    length_scale=1.0, big_genes=True),
    "bench": dict(target_mb=2.0, tumour_depth=150.0, normal_depth=100.0, snp_spacing=400,
                  length_scale=1.0, big_genes=True),
}


class InputError(Exception):
    """Bad command-line input; reported as one line and exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        sys.stderr.write(f"{PROG}: error: {message}\n")
        raise SystemExit(2)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Command-line options."""
    ap = _Parser(prog=PROG, description=(
        "Simulate a synthetic reference, longitudinal tumour/normal exome reads (ART HS25, "
        "2x100 bp, fragments 250+-30 bp) and the truth files. Same seed and options give "
        "byte-identical outputs."))
    ap.add_argument("--preset", choices=sorted(PRESETS), required=True,
                    help="test: 3 curated patients (P1 JAK1 Q503* + 1p CN-LOH, P2 JAK2 splice + "
                         "B2M frameshift + chr9 CN-LOH, P3 negative control); mini: the same "
                         "patients on short contigs at low depth (for unit tests); bench: random "
                         "patients (one per purity) with subclones, indels up to 50 bp, gains, "
                         "losses, CN-LOH and acquired relapse CN-LOH; quiet: one "
                         "copy-number-quiet patient Q1 (flat baseline, truncal het JAK1 "
                         "Q503*, relapse chr1p CN-LOH making it homozygous; purities 0.6/0.7); "
                         "calling: one diploid patient C1 with a normal and one tumour per "
                         "purity (default 0.9 0.6), ~1,200 truncal mutations per Mb of "
                         "targets, 72 %% indels (calling benchmarks)")
    ap.add_argument("--seed", type=int, required=True, help="random seed (integer >= 0)")
    ap.add_argument("--outdir", required=True, type=Path, help="output directory (created)")
    ap.add_argument("--target-mb", type=float, default=None,
                    help="minimum total coding capture targets in Mb (default: test 0.025, "
                         "bench 2, mini 0). Small values give the minimal layout: JAK1, JAK2, "
                         "B2M, 8 panel genes and 2 background genes per arm (~27 kb)")
    ap.add_argument("--purities", type=float, nargs="+", default=None,
                    help="tumour purities (fractions). bench: one patient per value (default "
                         "0.4 0.6 0.9); test/mini: six values = P1_B P1_R P2_B P2_R P3_B P3_R "
                         "(default 0.7 0.6 0.8 0.75 0.6 0.65); quiet: two values = Q1_B Q1_R "
                         "(default 0.6 0.7); calling: one tumour per value (default 0.9 0.6)")
    ap.add_argument("--tumour-depth", type=float, default=None,
                    help="mean tumour depth over targets, x (default: test 100, bench 150, mini 30)")
    ap.add_argument("--normal-depth", type=float, default=None,
                    help="mean normal depth over targets, x (default: test 60, bench 100, mini 20)")
    ap.add_argument("--patients", type=int, default=None,
                    help="bench only: number of patients (purities are recycled)")
    ap.add_argument("--timepoints", type=int, default=2,
                    help="bench only: tumour timepoints per patient (default 2 = baseline, "
                         "relapse; more gives integer timepoints 1..N, normal = 0)")
    ap.add_argument("--wgd", type=int, default=1,
                    help="bench only: how many patients (the last ones) are whole-genome doubled "
                         "(ploidy ~3.5; default 1)")
    ap.add_argument("--males", type=int, default=1,
                    help="bench only: how many patients (the first ones) are male (default 1); "
                         "test/mini patients are female")
    ap.add_argument("--snp-spacing", type=int, default=None,
                    help="one germline SNP per this many bp of targets + 100 bp flanks "
                         "(default: test/mini 150, bench 400); at least 35 het SNPs per arm")
    ap.add_argument("--indel-lengths", choices=("exome", "binned"), default="binned",
                    help="calling only: somatic indel length model; exome = deletions 1-60 bp, "
                         "insertions 1-30 bp, ~1/3 >= 6 bp, 60 %% deletions; binned (default) = "
                         "equal shares of 1-5, 6-19 and 20-60 bp (insertions <= 30 bp), so each "
                         "reported length bin holds hundreds of indels")
    ap.add_argument("--mutations-per-mb", type=float, default=1200.0,
                    help="calling only: truncal somatic mutations per Mb of targets (default "
                         "1200; each tumour's private clone adds 1/4, its subclone 1/12 of that)")
    art = ap.add_argument_group("artifacts (all off by default; listed in truth/artifacts.tsv)")
    art.add_argument("--oxog", type=float, default=0.0, metavar="PER_MB",
                     help="8-oxoG damage sites per Mb of targets per sample: G>T on read 1 "
                          "only (F1R2 G>T / F2R1 C>A), VAF 1-3 %%")
    art.add_argument("--ffpe", type=float, default=0.0, metavar="PER_MB",
                     help="FFPE deamination sites per Mb of targets per sample: C>T on read 1 "
                          "only (F1R2 C>T / F2R1 G>A), VAF 2-5 %%")
    art.add_argument("--paralogs", type=float, default=0.0, metavar="PER_MB",
                     help="paralogous target regions per Mb of targets: the sample carries a "
                          "copy 1.2 %% divergent from the region, the reference a decoy copy "
                          "(contig chrUn_esqpara); paralog reads mismap with low MAPQ")
    art.add_argument("--paralog-eff", type=float, default=0.3, metavar="F",
                     help="paralog reads per paralog relative to one target copy (default 0.3)")
    art.add_argument("--tumour-in-normal", type=float, default=0.0, metavar="F",
                     help="fraction of tumour cells (first tumour's clones) in every normal, "
                          "e.g. 0.03")
    art.add_argument("--duplicates", type=float, default=0.0, metavar="F",
                     help="fraction of read pairs given 1-3 PCR copies (same positions); half "
                          "of the families share one PCR base error")
    ap.add_argument("--threads", type=int, default=2, help="parallel ART/compression jobs (default 2)")
    # --- RNA (issue 16): off unless asked; see escapeseq/sim/rna.py -----------------------
    ap.add_argument("--rna", action="store_true",
                    help="also write RNA-seq reads for every tumour sample (rna/<sample>_R1/_R2"
                         ".fastq.gz, samplesheet columns rna_fastq_1,rna_fastq_2) and RNA truth "
                         "(truth/<patient>.rna_genes.tsv, .rna_variants.tsv)")
    ap.add_argument("--rna-pairs", type=int, default=None,
                    help="RNA read pairs per tumour sample (default: test 12000, mini 6000, "
                         "bench 200000)")
    # ---------------------------------------------------------------------------------------
    ap.add_argument("--no-reads", action="store_true",
                    help="write reference and truth only (no FASTQ, samplesheet paths still listed)")
    args = ap.parse_args(argv)
    pre = PRESETS[args.preset]
    for k in ("target_mb", "tumour_depth", "normal_depth", "snp_spacing"):
        if getattr(args, k) is None:
            setattr(args, k, pre[k])
    if args.seed < 0:
        ap.error(f"--seed: must be >= 0, got {args.seed}")
    if args.target_mb < 0 or args.target_mb > 50:
        ap.error(f"--target-mb: must be in [0, 50], got {args.target_mb}")
    if args.tumour_depth <= 0 or args.normal_depth <= 0:
        ap.error("--tumour-depth/--normal-depth: must be > 0")
    if args.snp_spacing < 20:
        ap.error(f"--snp-spacing: must be >= 20, got {args.snp_spacing}")
    if args.rna_pairs is not None and args.rna_pairs < 1:
        ap.error(f"--rna-pairs: must be >= 1, got {args.rna_pairs}")
    if args.threads < 1:
        ap.error(f"--threads: must be >= 1, got {args.threads}")
    if args.purities is not None:
        bad = [p for p in args.purities if not 0 < p <= 1]
        if bad:
            ap.error(f"--purities: values must be in (0, 1], got {bad[0]}")
        need = {"quiet": 2}.get(args.preset, 6)
        if args.preset not in ("bench", "calling") and len(args.purities) != need:
            ap.error(f"--purities: preset {args.preset} needs {need} values, "
                     f"got {len(args.purities)}")
    for k in ("oxog", "ffpe", "paralogs"):
        if not 0 <= getattr(args, k) <= 10000:
            ap.error(f"--{k}: must be in [0, 10000], got {getattr(args, k)}")
    if not 0 <= args.tumour_in_normal < 0.5:
        ap.error(f"--tumour-in-normal: must be in [0, 0.5), got {args.tumour_in_normal}")
    if not 0 <= args.duplicates <= 0.9:
        ap.error(f"--duplicates: must be in [0, 0.9], got {args.duplicates}")
    if not 0 < args.mutations_per_mb <= 5000:
        ap.error(f"--mutations-per-mb: must be in (0, 5000], got {args.mutations_per_mb}")
    if not 0 < args.paralog_eff <= 4:
        ap.error(f"--paralog-eff: must be in (0, 4], got {args.paralog_eff}")
    if args.preset == "calling":
        args.purities = args.purities or [0.9, 0.6]
    if args.preset == "bench":
        args.purities = args.purities or [0.4, 0.6, 0.9]
        if args.patients is not None:
            if args.patients < 1:
                ap.error(f"--patients: must be >= 1, got {args.patients}")
            args.purities = [args.purities[i % len(args.purities)] for i in range(args.patients)]
        if args.timepoints < 2:
            ap.error(f"--timepoints: must be >= 2, got {args.timepoints}")
    return args


# ---------------------------------------------------------------------------------------
# writers
# ---------------------------------------------------------------------------------------



def fmt(x: float) -> str:
    """Number formatting for truth files: up to 4 decimals, no trailing zeros."""
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def write_reference(genome: Genome, outdir: Path, extra: dict[str, str] | None = None) -> None:
    """genome.fa (+ .fai), genes.gtf, targets.bed, arms.bed.

    ``extra`` contigs (the paralog decoy) are appended to genome.fa only (no genes,
    targets or arms).
    """
    ref = outdir / "reference"
    lines = []
    fai = []
    offset = 0
    for c, s in {**genome.contigs, **(extra or {})}.items():
        head = f">{c}\n"
        offset += len(head)
        fai.append(f"{c}\t{len(s)}\t{offset}\t60\t61\n")
        body = "".join(s[i:i + 60] + "\n" for i in range(0, len(s), 60))
        lines.append(head + body)
        offset += len(body)
    write_atomic(ref / "genome.fa", "".join(lines))
    write_atomic(ref / "genome.fa.fai", "".join(fai))
    write_atomic(ref / "genes.gtf", "".join(x + "\n" for x in gtf_lines(genome)))
    write_atomic(ref / "targets.bed", "".join(f"{c}\t{s - 1}\t{e}\t{g}\n"
                                               for c, s, e, g in targets(genome)))
    write_atomic(ref / "arms.bed", "".join(f"{c}\t{s - 1}\t{e}\t{c}{a}\n"
                                            for c, a, s, e in genome.arms()))


def elementary_segments(genome: Genome, patient: Patient) -> list[tuple[str, int, int]]:
    """Pieces of the genome between any two copy-number breakpoints of the patient."""
    out = []
    evs = patient.cn_events()
    for c, s in genome.contigs.items():
        bps = {1, len(s) + 1}
        for ev in evs:
            if ev.chrom == c:
                bps.update({ev.start, ev.end + 1})
        bps = sorted(b for b in bps if 1 <= b <= len(s) + 1)
        out += [(c, a, b - 1) for a, b in zip(bps, bps[1:])]
    return out


def population_ploidy(genome: Genome, patient: Patient, history: list, segs) -> float:
    """Length-weighted mean copy number of one population over the genome."""
    tot = sum(len(s) for s in genome.contigs.values())
    acc = sum((e - s + 1) * len(copies_at(history, c, s, patient.male)) for c, s, e in segs)
    return acc / tot


def base_copies(history: list) -> int:
    """Copies of a typical autosome before focal events: 2 x 2^(number of WGDs)."""
    return 2 * 2 ** sum(1 for ev in history if ev.kind == "wgd")


def segment_rows(genome: Genome, patient: Patient, sample: Sample, segs) -> list[list[str]]:
    """Truth segments of a tumour sample (adjacent identical states merged).

    Per piece, tumour cells are grouped by (copies of A, copies of B); the reported
    state is the one carried by the largest share of tumour cells (ties: the one
    that is not the clone's base state), ``clonal_fraction`` is that share.
    """
    rows: list[list] = []
    for c, s, e in segs:
        states: dict[tuple[int, int], float] = {}
        base: dict[tuple[int, int], int] = {}
        mean_cn = 0.0
        for cl, q in sorted(sample.clones.items()):
            hist = patient.history(cl)
            cps = copies_at(hist, c, s, patient.male)
            st = (sum(1 for h, _ in cps if h == "A"), sum(1 for h, _ in cps if h == "B"))
            states[st] = states.get(st, 0.0) + q
            base[st] = base_copies(hist)
            mean_cn += q * len(cps)
        germ = germline_copies(c, patient.male)
        st = max(states, key=lambda k: (round(states[k], 9), k != (1, 1)))
        a, b = st
        tot, mn = a + b, min(a, b)
        hemi = len(germ) == 1
        loh = (not hemi) and tot > 0 and mn == 0
        cnn = loh and tot == base[st]
        row = [sample.name, c, s, e, tot, max(a, b), mn, "true" if loh else "false",
               "true" if cnn else "false", fmt(states[st]), a, b, fmt(mean_cn)]
        if rows and rows[-1][1] == c and rows[-1][4:] == row[4:] and rows[-1][3] + 1 == s:
            rows[-1][3] = e
        else:
            rows.append(row)
    return [[str(x) for x in r] for r in rows]


SEG_COLS = ["sample", "chrom", "start", "end", "cn_total", "cn_major", "cn_minor", "loh",
            "cn_neutral_loh", "clonal_fraction", "cn_a", "cn_b", "mean_cn_total"]


def region_of(genome: Genome, coding_mask: dict, v: Variant) -> str:
    """coding | splice | utr | intron | intergenic for the variant's REF span."""
    span = range(v.pos, v.pos + len(v.ref))
    if any(coding_mask[v.chrom][p] for p in span if p < len(coding_mask[v.chrom])):
        return "coding"
    for g in genome.genes:
        if g.chrom != v.chrom or not (g.start <= v.pos <= g.end):
            continue
        ex_sorted = sorted(g.exons)
        for (s1, e1), (s2, e2) in zip(ex_sorted, ex_sorted[1:]):
            if any(e1 < p <= e1 + 2 or s2 - 2 <= p < s2 for p in span):
                return "splice"
        if any(s <= p <= e for s, e in g.exons for p in span):
            return "utr"
        return "intron"
    return "intergenic"


def variant_table(genome: Genome, patient: Patient, ploidies: dict[str, float]) -> tuple[list[str], list[list[str]]]:
    """Header and rows of truth/<patient>.variants.tsv (sorted by contig order, pos)."""
    tum = [s for s in patient.samples if s.is_tumour]
    cols = ["chrom", "pos", "ref", "alt", "type", "origin", "class", "gene", "haplotype"]
    for s in patient.samples:
        if s.is_tumour:
            cols += [f"{s.name}_vaf", f"{s.name}_ccf", f"{s.name}_mut_copies",
                     f"{s.name}_cn_total", f"{s.name}_depth_factor"]
        else:
            cols += [f"{s.name}_vaf", f"{s.name}_depth_factor"]
    cols += ["escape_event", "note", "clone", "lost_by_cn", "region"]
    coding_mask: dict[str, bytearray] = {c: bytearray(len(s) + 2) for c, s in genome.contigs.items()}
    for g in genome.genes:
        for p in g.cds_pos.tolist():
            coding_mask[g.chrom][p] = 1
    ancestors = {cl: set() for cl in patient.clones}
    for cl in patient.clones:
        x = cl
        while x:
            ancestors[cl].add(x)
            x = patient.clones[x].parent
    rank = genome.order()
    rows = []
    for v in sorted(patient.variants, key=lambda v: (rank[v.chrom], v.pos, v.ref, v.alt)):
        vals = []
        present = {}
        lost = False
        for s in patient.samples:
            pops = patient.populations(s)
            fr, mc, tc, pl = [], [], [], []
            for name, f, hist in pops:
                cps = copies_at(hist, v.chrom, v.pos, patient.male)
                if v.origin == "germline":
                    m = sum(1 for h, _ in cps if h in v.hap)
                else:
                    m = sum(1 for _, muts in cps if v.vid in muts)
                    if name != "normal" and v.clone in ancestors[name] and m == 0:
                        lost = True
                fr.append(f)
                mc.append(m)
                tc.append(len(cps))
                pl.append(ploidies[name])
            fr_a, mc_a, tc_a, pl_a = map(np.array, (fr, mc, tc, pl))
            vaf = expected_vaf(fr_a, mc_a, tc_a)
            present[s.name] = vaf > 0
            dfac = depth_factor(fr_a, tc_a, pl_a)
            if s.is_tumour:
                tmask = np.array([n != "normal" for n, _, _ in pops])
                q = fr_a[tmask] / fr_a[tmask].sum()
                m_t, c_t = mc_a[tmask], tc_a[tmask]
                ccf = cancer_cell_fraction(q, m_t)
                carry = m_t > 0
                mcop = float(np.dot(q[carry], m_t[carry]) / q[carry].sum()) if carry.any() else 0.0
                vals += [fmt(vaf), fmt(ccf), fmt(mcop), fmt(float(np.dot(q, c_t))), fmt(dfac)]
            else:
                vals += [fmt(vaf), fmt(dfac)]
        if v.origin == "germline":
            cls = "germline"
        else:
            b, r = present[tum[0].name], present[tum[-1].name]
            cls = "shared" if b and r else "baseline_only" if b else "relapse_only" if r else "other"
        hap = v.hap
        rows.append([v.chrom, str(v.pos), v.ref, v.alt, v.vtype, v.origin, cls, v.gene, hap]
                    + vals + ["true" if v.escape else "false", v.note, v.clone,
                              "true" if lost else "false", region_of(genome, coding_mask, v)])
    return cols, rows


def tsv(cols: list[str], rows: list[list[str]]) -> str:
    """Tab-separated text with a header row."""
    return "\n".join("\t".join(r) for r in [cols] + rows) + "\n"


TRUTH_README = """# Truth files of an escapeseq-simulate run

All files are tab-separated with a header row, sorted by contig order of
reference/genome.fa then position. Positions are 1-based (VCF style); segment
start/end are 1-based inclusive. Booleans are `true`/`false`. VAFs, purities,
fractions are fractions in [0, 1], not percentages. Expected values are computed
analytically from the cell mixture, not counted from reads.

Patients: {patients}

## <patient>.variants.tsv — every germline and somatic variant
- chrom, pos, ref, alt: VCF-style; indels carry the anchor base and are left-aligned.
- type: snv | ins | del.  origin: germline | somatic.
- class: germline, or for somatic variants the class an ideal caller sees from the
  expected VAFs at the first (baseline) and last (relapse) tumour sample:
  shared | baseline_only | relapse_only (a truncal mutation whose copies were lost by
  a copy-number event at relapse is baseline_only with lost_by_cn = true).
- gene: gene whose span contains pos (empty if intergenic).
- haplotype: A or B (parental haplotype carrying the variant); AB = germline homozygous.
- <sample>_vaf: expected VAF = sum_i f_i m_i / sum_i f_i c_i over populations i
  (cell fraction f, mutated copies m, total copies c at the site).
- <tumour>_ccf: cancer cell fraction (share of tumour cells carrying >= 1 mutated copy).
- <tumour>_mut_copies: mean mutated copies per carrying tumour cell.
- <tumour>_cn_total: mean total copy number of the tumour cells at the site.
- <sample>_depth_factor: expected depth at the site / the sample's nominal depth
  (sum_i f_i c_i / sum_i f_i P_i, P_i = population's genome-wide mean copy number).
- escape_event: true for the planted JAK1 / JAK2 / B2M escape events.
- note: description of planted events (HGVS-like).
- clone: tumour clone where the somatic mutation arose (T = trunk, BL/BS baseline
  branch, RL/R/RS relapse branch); empty for germline.
- lost_by_cn: true if a sample contains a descendant clone that lost every mutated copy.
- region: coding | splice (intron +-1..2) | utr | intron | intergenic.

## <patient>.segments.tsv — copy number of every tumour sample, covering every contig
- sample, chrom, start, end (1-based inclusive).
- cn_total, cn_major, cn_minor: integer copies of the state carried by the largest
  share of tumour cells; cn_a / cn_b: copies of haplotype A / B in that state.
- loh: cn_minor == 0 and cn_total > 0 (never on a male chrX, which is hemizygous).
- cn_neutral_loh: loh and cn_total equals the clone's base copy number (2, or 4 after
  a whole-genome doubling).
- clonal_fraction: share of tumour cells in the reported state.
- mean_cn_total: tumour cells' mean total copy number.

## purity.tsv — tumour samples
- sample, patient, timepoint, purity (tumour cell fraction), ploidy (tumour cells' mean
  copy number over the whole genome, length-weighted, averaged over clones).

## patients.tsv
- patient, sex (female|male), wgd (true|false).

## artifacts.tsv (only when an artifact option was given)
- sample, chrom, pos, ref, alt: a site where reads of that sample show an allele that
  is not a variant of the sample (or, for tumour_in_normal, a true somatic variant
  seen in the normal).
- kind: oxog (G>T on read 1: F1R2 G>T, F2R1 C>A) | ffpe (C>T on read 1: F1R2 C>T,
  F2R1 G>A) | paralog (a base where the sample's paralogous copy differs; its reads
  align here with low MAPQ) | pcr_dup_error (a PCR error shared by one duplicate
  family) | tumour_in_normal.
- orientation: F1R2 or F2R1 for oxog/ffpe (the pair orientation that carries the alt).
- vaf: expected VAF (damage: per-site draw; tumour_in_normal: the normal's VAF);
  '.' where it depends on the aligner (paralog) or is one family (pcr_dup_error).

## Reference
reference/arms.bed (0-based half-open): p and q arm of every contig;
the centromere is the boundary between them.
"""


ART_COLS = ["sample", "chrom", "pos", "ref", "alt", "kind", "orientation", "vaf", "note"]


def artifact_rows(genome: Genome, pats: list[Patient], opts: ArtifactOptions,
                  paralogs: list[Paralog], seed: int) -> list[list]:
    """Truth rows of every artifact except PCR errors (those come from the reads).

    Damage sites (oxog, ffpe) are drawn per sample inside targets, >= 5 bp from any
    variant of the patient; the Site object rides along as the last element. Paralog
    rows: every D position inside a target, for every sample (vaf '.': it depends on
    the aligner). Tumour-in-normal rows: each somatic variant with a normal VAF > 0.
    """
    tg = targets(genome)
    regions = [(c, s, e) for c, s, e, _ in tg]
    target_mb = sum(e - s + 1 for _, s, e in regions) / 1e6
    rows: list[list] = []
    for p in pats:
        near = {(v.chrom, v.pos + d) for v in p.variants for d in range(-5, len(v.ref) + 6)}
        para = {(q.chrom, x) for q in paralogs for x in range(q.start, q.end + 1)}

        def free(c: str, pos: int, near: set = near, para: set = para) -> bool:
            return (c, pos) not in near and (c, pos) not in para
        for s in p.samples:
            for kind, per_mb in (("oxog", opts.oxog_per_mb), ("ffpe", opts.ffpe_per_mb)):
                n = int(round(per_mb * target_mb))
                rng = np.random.default_rng(derived_seed(seed, "damage", kind, s.name))
                for t in damage_sites(rng, kind, genome.contigs, regions, n, free):
                    rows.append([s.name, t.chrom, t.pos, t.ref, t.alt, kind, t.orientation,
                                 fmt(t.vaf), "read-1 strand damage", t])
            for q in paralogs:
                for pos, b in sorted(q.diff.items()):
                    if any(c == q.chrom and st <= pos <= en for c, st, en in regions):
                        rows.append([s.name, q.chrom, pos, genome.contigs[q.chrom][pos - 1], b,
                                     "paralog", ".", ".",
                                     f"paralog of {q.chrom}:{q.start}-{q.end}", None])
            if s.tin:
                pops = p.populations(s)
                for v in p.variants:
                    if v.origin != "somatic":
                        continue
                    fr, mc, tc = [], [], []
                    for _, f, hist in pops:
                        cps = copies_at(hist, v.chrom, v.pos, p.male)
                        fr.append(f)
                        mc.append(sum(1 for _, muts in cps if v.vid in muts))
                        tc.append(len(cps))
                    vaf = expected_vaf(np.array(fr), np.array(mc), np.array(tc))
                    if vaf > 0:
                        rows.append([s.name, v.chrom, v.pos, v.ref, v.alt, "tumour_in_normal",
                                     ".", fmt(vaf), "true somatic variant seen in the normal",
                                     None])
    return rows


def main(argv: list[str] | None = None) -> int:
    """Entry point of escapeseq-simulate (exit 0 ok, 2 bad input, 1 tool failure)."""
    args = parse_args(argv)
    try:
        return run(args)
    except ValueError as e:
        sys.stderr.write(f"{PROG}: error: {args.outdir}: design: {e}\n")
        return 2
    except (RuntimeError, OSError) as e:
        msg = str(e).replace("\n", " ").strip()
        sys.stderr.write(f"{PROG}: error: {args.outdir}: {msg}\n")
        return 1


def run(args: argparse.Namespace) -> int:
    """Build everything for parsed ``args`` (see :func:`main`)."""
    if not args.no_reads and shutil.which("art_illumina") is None:
        sys.stderr.write(f"{PROG}: error: art_illumina: not found on PATH\n")
        return 2
    pre = PRESETS[args.preset]
    out: Path = args.outdir
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        sys.stderr.write(f"{PROG}: error: {out}: cannot create directory: {e.strerror}\n")
        return 2
    seed = args.seed
    rng_g = np.random.default_rng(derived_seed(seed, "genome"))
    genome = build_genome(rng_g, int(args.target_mb * 1e6), pre["big_genes"], pre["length_scale"])
    opts = ArtifactOptions(oxog_per_mb=args.oxog, ffpe_per_mb=args.ffpe,
                           paralog_per_mb=args.paralogs, paralog_eff=args.paralog_eff,
                           tumour_in_normal=args.tumour_in_normal, duplicates=args.duplicates)
    tgts = targets(genome)
    target_mb = sum(e - s + 1 for _, s, e, _ in tgts) / 1e6
    paralogs: list[Paralog] = []
    extra: dict[str, str] = {}
    if opts.paralog_per_mb > 0:
        rng_p = np.random.default_rng(derived_seed(seed, "paralogs"))
        cands = [(c, s, e) for c, s, e, g in tgts if g not in PANEL_GENES]
        paralogs = make_paralogs(rng_p, genome.contigs, cands,
                                 max(1, int(round(opts.paralog_per_mb * target_mb))))
        extra[PARALOG_CONTIG] = decoy_contig(rng_p, genome.contigs, paralogs)
    write_reference(genome, out, extra)

    if args.preset == "calling":
        pats = design_calling(genome, np.random.default_rng(derived_seed(seed, "patient", 0)),
                              args.purities, args.tumour_depth, args.normal_depth,
                              args.snp_spacing, args.indel_lengths,
                              reserved=[(p.chrom, p.start, p.end) for p in paralogs],
                              per_mb=args.mutations_per_mb)
    elif args.preset == "bench":
        rngs = [np.random.default_rng(derived_seed(seed, "patient", k))
                for k in range(len(args.purities))]
        pats = design_bench(genome, rngs, args.purities, args.tumour_depth, args.normal_depth,
                            args.snp_spacing, min(args.wgd, len(args.purities)), args.timepoints,
                            males=args.males)
    elif args.preset == "quiet":
        pats = design_quiet(genome, np.random.default_rng(derived_seed(seed, "patient", 0)),
                            args.tumour_depth, args.normal_depth, args.snp_spacing,
                            args.purities)
    else:
        rngs = [np.random.default_rng(derived_seed(seed, "patient", k)) for k in range(3)]
        pats = design_test(genome, rngs, args.tumour_depth, args.normal_depth, args.snp_spacing,
                           args.purities)

    if opts.tumour_in_normal > 0:
        for p in pats:
            first = next(s for s in p.samples if s.is_tumour)
            for s in p.samples:
                if not s.is_tumour:
                    s.tin = {cl: opts.tumour_in_normal * q for cl, q in first.clones.items()}

    wins = windows(genome)
    truth = out / "truth"
    purity_rows = []
    sheet = ["patient,sample,timepoint,fastq_1,fastq_2"]
    jobs = []
    for p in pats:
        segs = elementary_segments(genome, p)
        ploidies = {"normal": population_ploidy(genome, p, [], segs)}
        for cl in p.clones:
            ploidies[cl] = population_ploidy(genome, p, p.history(cl), segs)
        cols, rows = variant_table(genome, p, ploidies)
        write_atomic(truth / f"{p.name}.variants.tsv", tsv(cols, rows))
        seg_rows = []
        for s in p.samples:
            if s.is_tumour:
                seg_rows += segment_rows(genome, p, s, segs)
                ploidy = sum(q * ploidies[cl] for cl, q in s.clones.items())
                purity_rows.append([s.name, p.name, s.timepoint, fmt(s.purity), fmt(ploidy)])
        write_atomic(truth / f"{p.name}.segments.tsv", tsv(SEG_COLS, seg_rows))
        vindex = VariantIndex(p.variants)
        for s in p.samples:
            r1 = f"reads/{s.name}_R1.fastq.gz"
            r2 = f"reads/{s.name}_R2.fastq.gz"
            sheet.append(f"{p.name},{s.name},{s.timepoint},{r1},{r2}")
            jobs.append((p, s, vindex, dict(ploidies), out / r1, out / r2))
    art_rows = artifact_rows(genome, pats, opts, paralogs, seed) if opts.any else []
    write_atomic(truth / "purity.tsv", tsv(["sample", "patient", "timepoint", "purity", "ploidy"],
                                            purity_rows))
    write_atomic(truth / "patients.tsv", tsv(
        ["patient", "sex", "wgd"],
        [[p.name, "male" if p.male else "female",
          "true" if any(base_copies(p.history(c)) > 2 for c in p.clones) else "false"]
         for p in pats]))
    write_atomic(truth / "README.md", TRUTH_README.format(
        patients=", ".join(p.name for p in pats)))

    if not args.no_reads:
        (out / "reads").mkdir(exist_ok=True)
        gain = target_depth_gain(wins, targets(genome))
        work = Path(tempfile.mkdtemp(prefix=".sim-", dir=out))
        try:
            damage = {}
            for r in art_rows:
                if r[5] in ("oxog", "ffpe"):
                    damage.setdefault(r[0], []).append(r[-1])

            def run(job):
                p, s, vindex, ploidies, o1, o2 = job
                _, pcr = simulate_sample(genome, p, s, wins, vindex, ploidies, seed, work, o1, o2,
                                         gzip_level=6, gain=gain, artifacts=opts,
                                         sites=damage.get(s.name), paralogs=paralogs)
                return [[s.name, c, str(pos), ref, alt, "pcr_dup_error", ".", ".",
                         f"family of {k} identical pairs sharing the PCR error"]
                        for c, pos, ref, alt, k in pcr]

            with ThreadPoolExecutor(max_workers=args.threads) as ex:
                for rows in ex.map(run, jobs):
                    art_rows += rows
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if opts.any:
        rank = genome.order()
        rows = sorted(([str(x) for x in r[:9]] for r in art_rows),
                      key=lambda r: (r[0], rank.get(r[1], 99), int(r[2]), r[5], r[3], r[4]))
        write_atomic(truth / "artifacts.tsv", tsv(ART_COLS, rows))
    if args.rna:
        sheet = _add_rna(args, genome, pats, out, sheet)
    write_atomic(out / "samplesheet.csv", "\n".join(sheet) + "\n")
    return 0


def _add_rna(args: argparse.Namespace, genome: Genome, pats: list, out: Path,
             sheet: list[str]) -> list[str]:
    """RNA reads + truth of every tumour sample (issue 16); the samplesheet gains
    rna_fastq_1,rna_fastq_2 (empty on normal rows)."""
    from escapeseq.sim.rna import PRESET_PAIRS, RNA_TRUTH_README, simulate_patient_rna
    n = args.rna_pairs or PRESET_PAIRS[args.preset]
    write_atomic(out / "truth" / "RNA_README.md", RNA_TRUTH_README)
    paths: dict[str, tuple[str, str]] = {}
    for p in pats:
        paths.update(simulate_patient_rna(genome, p, args.seed, 0 if args.no_reads else n, out))
    rows = [sheet[0] + ",rna_fastq_1,rna_fastq_2"]
    for line in sheet[1:]:
        r1, r2 = paths.get(line.split(",")[1], ("", ""))
        rows.append(f"{line},{r1},{r2}")
    return rows


if __name__ == "__main__":
    raise SystemExit(main())
