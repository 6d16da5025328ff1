"""escapeseq-rna: RNA evidence of escape (issue 16).

  escapeseq-rna index    --fasta genome.fa --gtf genes.gtf --outdir hisat2/
        -> hisat2/genome.{1..8}.ht2 (+ genome.ss, genome.exon)           (once per run)
  escapeseq-rna align    --sample S --fastq-1 R1 --fastq-2 R2 --index hisat2/ --outdir .
        -> S.rna.bam, S.rna.bam.bai, S.rna.hisat2.summary.txt (MultiQC)      (one per sample)
  escapeseq-rna counts   --sample S --bam S.rna.bam --gtf genes.gtf --outdir .
        -> S.gene_counts.tsv, S.gene_counts.summary                       (featureCounts-like)
  escapeseq-rna evidence --patient P --samplesheet valid.csv --gtf genes.gtf --fasta genome.fa
                         --bam S1=S1.rna.bam --bam S2=S2.rna.bam
                         --candidates P.candidates.tsv --mutations P.mutations.tsv --outdir rna/
        -> rna/P.rna_evidence.tsv, rna/<sample>.gene_counts.tsv per timepoint,
           rna/P.candidates.rna.tsv (candidates.tsv with each RNA sentence appended)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Sequence

import pandas as pd
import pysam

from escapeseq.errors import InputError, add_version, run_cli
from escapeseq.fileio import read_tsv, write_atomic

PROG = "escapeseq-rna"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, description=(
        "RNA evidence of escape: HISAT2 index and alignment, gene counts, and per candidate "
        "and escape-panel gene the allele expression, splicing and expression at every tumour "
        "timepoint. Fractions are in [0, 1]."))
    add_version(p)
    sub = p.add_subparsers(dest="cmd", required=True, parser_class=_Parser)

    ix = sub.add_parser("index", help="build the HISAT2 index once (splice sites + exons from the GTF)",
                        description="Build a HISAT2 index; with --gtf the annotated splice sites and "
                                    "exons go into it (hisat2-build --ss --exon).")
    ix.add_argument("--fasta", required=True, type=Path, help="reference FASTA")
    ix.add_argument("--gtf", type=Path, default=None,
                    help="GTF (plain or gzipped) whose splice sites and exons to build in; optional")
    ix.add_argument("--outdir", required=True, type=Path, help="directory for the index files")
    ix.add_argument("--prefix", default="genome", help="index base name (default genome)")
    ix.add_argument("--hints", choices=("index", "align"), default="index",
                    help="where the GTF's splice sites go: 'index' (default) builds them and the "
                         "exons into the index (hisat2-build --ss --exon; HISAT2's manual: about "
                         "200 GB of memory for a human genome); 'align' builds a plain index "
                         "(about 8 GB for human) and writes <prefix>.align.ss, which 'align' "
                         "passes to hisat2 --known-splicesite-infile")
    ix.add_argument("--threads", type=int, default=1, help="hisat2-build threads (default 1)")
    ix.add_argument("--args", default="", help="extra hisat2-build options, one string (ext.args)")

    al = sub.add_parser("align", help="align one sample with HISAT2 -> sorted, indexed BAM",
                        description="Align one sample's RNA reads with HISAT2 and write "
                                    "<sample>.rna.bam (+ .bai) and <sample>.rna.hisat2.summary.txt.")
    al.add_argument("--sample", required=True, help="sample ID (read group SM)")
    al.add_argument("--fastq-1", required=True, type=Path, help="read 1 FASTQ (.gz)")
    al.add_argument("--fastq-2", type=Path, default=None, help="read 2 FASTQ (.gz); omit for single-end")
    al.add_argument("--index", required=True,
                    help="HISAT2 index prefix, or a directory holding one index (*.1.ht2); a "
                         "<prefix>.align.ss beside it (index --hints align) is passed to hisat2 "
                         "as --known-splicesite-infile")
    al.add_argument("--outdir", required=True, type=Path, help="output directory")
    al.add_argument("--threads", type=int, default=1, help="threads for hisat2 and samtools sort")
    al.add_argument("--args", default="", help="extra hisat2 options, one string (ext.args)")

    ct = sub.add_parser("counts", help="gene counts and TPM of one BAM (featureCounts rules)",
                        description="Fragments per gene (featureCounts -p --countReadPairs rules: "
                                    "pairs once, unique mappers, exon union per gene, ambiguous "
                                    "fragments unassigned) and TPM.")
    ct.add_argument("--sample", required=True, help="sample ID (output file names)")
    ct.add_argument("--bam", required=True, type=Path, help="RNA BAM")
    ct.add_argument("--gtf", required=True, type=Path, help="GTF with exon features")
    ct.add_argument("--strand", type=int, choices=(0, 1, 2), default=0,
                    help="library strandedness as featureCounts -s: 0 unstranded (default), "
                         "1 stranded, 2 reversely stranded")
    ct.add_argument("--outdir", required=True, type=Path, help="output directory")

    evp = sub.add_parser("evidence", help="RNA evidence table of one patient",
                         description="Per candidate and per escape-panel gene, at every tumour "
                                     "timepoint with RNA: allele expression next to the DNA VAF, "
                                     "splicing at splice-region candidates (normal junction, "
                                     "intron retention, new junctions) and expression (counts, "
                                     "TPM, fold change vs the first timepoint). Writes "
                                     "<patient>.rna_evidence.tsv, <sample>.gene_counts.tsv per "
                                     "timepoint and, with --candidates, <patient>.candidates.rna.tsv "
                                     "(the candidates with their RNA sentence appended to the "
                                     "explanation).")
    evp.add_argument("--patient", required=True, help="patient ID")
    evp.add_argument("--samplesheet", type=Path, default=None,
                     help="validated samplesheet (timepoint order of the patient's tumours); "
                          "without it the --bam order is the time order")
    evp.add_argument("--bam", action="append", required=True, metavar="SAMPLE=BAM",
                     help="RNA BAM of one tumour sample (repeat per timepoint; coordinate-sorted; "
                          "indexed in a temporary directory when no .bai is beside it)")
    evp.add_argument("--gtf", required=True, type=Path, help="GTF with exon features")
    evp.add_argument("--fasta", required=True, type=Path, help="reference FASTA (+ .fai)")
    evp.add_argument("--candidates", type=Path, default=None,
                     help="<patient>.candidates.tsv (escapeseq-evolve): rank gene chrom pos ref alt "
                          "consequence ...; without it only expression rows are written")
    evp.add_argument("--mutations", type=Path, default=None,
                     help="<patient>.mutations.tsv (escapeseq-evolve) for the DNA alt reads, depth "
                          "and VAF per timepoint; optional")
    evp.add_argument("--panel", type=Path, default=None,
                     help="escape panel TSV (gene pathway ...); default assets/escape_panel.tsv")
    evp.add_argument("--strand", type=int, choices=(0, 1, 2), default=0,
                     help="library strandedness for gene counts (as featureCounts -s; default 0)")
    evp.add_argument("--outdir", required=True, type=Path, help="output directory")
    return p


def _tsv(path: Path, need: Sequence[str]) -> pd.DataFrame:
    df = read_tsv(path, need)
    bad = ~df["pos"].str.fullmatch(r"\d+") if "pos" in df.columns else pd.Series([], dtype=bool)
    if bad.any():
        i = int(bad.to_numpy().nonzero()[0][0])
        raise InputError(path, f"row {i + 2}: pos", f"not an integer: {df['pos'].iloc[i]!r}")
    return df


def parse_bams(specs: list[str]) -> dict[str, Path]:
    """SAMPLE=PATH pairs, in the order given."""
    out: dict[str, Path] = {}
    for s in specs:
        name, sep, path = s.partition("=")
        if not sep or not name or not path:
            raise InputError(None, "--bam", f"expected SAMPLE=BAM, got {s!r}")
        if name in out:
            raise InputError(None, "--bam", f"sample {name} given twice")
        if not Path(path).exists():
            raise InputError(path, None, f"RNA BAM of sample {name} not found")
        out[name] = Path(path)
    return out


def open_indexed(path: Path, tmpdir: Path) -> pysam.AlignmentFile:
    """Open a coordinate-sorted BAM, indexing it into ``tmpdir`` when no index is beside it."""
    from escapeseq.rna.counts import open_bam
    bam = open_bam(path)
    if bam.has_index():
        return bam
    so = bam.header.to_dict().get("HD", {}).get("SO")
    bam.close()
    if so != "coordinate":
        raise InputError(path, "header", "RNA BAM is not coordinate-sorted (samtools sort)")
    idx = tmpdir / (path.name + ".bai")
    pysam.index(str(path), str(idx))
    return pysam.AlignmentFile(str(path), "rb", index_filename=str(idx))


def cmd_evidence(a: argparse.Namespace) -> int:
    import tempfile

    from escapeseq.evolution import inputs
    from escapeseq.rna import table
    from escapeseq.rna.counts import count_genes, counts_table
    from escapeseq.rna.models import annotated_junctions, load_genes

    bams = parse_bams(a.bam)
    if a.samplesheet is not None:
        pat = inputs.read_samplesheet(a.samplesheet, a.patient)
        order = [(s, tp) for s, tp in zip(pat.tumours, pat.timepoints) if s in bams]
        extra = [s for s in bams if s not in pat.tumours]
        if extra:
            raise InputError(a.samplesheet, None,
                             f"--bam sample {extra[0]} is not a tumour of patient {a.patient}")
    else:
        order = [(s, s) for s in bams]
    if not order:
        raise InputError(None, "--bam", "no RNA BAM for a tumour of this patient")
    try:
        fasta = pysam.FastaFile(str(a.fasta))
    except (OSError, ValueError) as err:
        raise InputError(a.fasta, None, f"cannot read FASTA: {err}") from None
    txs, genes = load_genes(a.gtf)
    annotated = annotated_junctions(txs)
    panel = list(inputs.load_panel(a.panel))
    cands = muts = None
    if a.candidates is not None:
        cands = _tsv(a.candidates, ["chrom", "pos", "ref", "alt", "gene"])
    if a.mutations is not None:
        muts = _tsv(a.mutations, ["chrom", "pos", "ref", "alt"])
    a.outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".rna-", dir=a.outdir) as td:
        tps = []
        for s, tp in order:
            bam = open_indexed(bams[s], Path(td))
            res = count_genes(bams[s], genes, a.strand)
            write_atomic(a.outdir / f"{s}.gene_counts.tsv", counts_table(genes, res))
            tps.append(table.Timepoint(s, tp, bam, res))
        gene_tpm = {t.sample: table.sample_tpm(genes, t.counts) for t in tps}
        rows = []
        if cands is not None:
            dna = {}
            if muts is not None:
                for _, m in muts.iterrows():
                    dna[(m["chrom"], m["pos"], m["ref"], m["alt"])] = m
            for _, c in cands.iterrows():
                key = (c["chrom"], c["pos"], c["ref"], c["alt"])
                rows += table.candidate_rows(a.patient, c, dna.get(key, c), tps, genes, gene_tpm,
                                             annotated, fasta, set(panel))
        rows += table.expression_rows(a.patient, genes, panel, tps, gene_tpm)
        for t in tps:
            t.bam.close()
    df = table.evidence_frame(rows)
    out = a.outdir / f"{a.patient}.rna_evidence.tsv"
    write_atomic(out, df.to_csv(sep="\t", index=False, lineterminator="\n"))
    if cands is not None:
        from escapeseq.evolution.rank import add_rna_explanations
        ext = add_rna_explanations(cands, df.astype(str))
        write_atomic(a.outdir / f"{a.patient}.candidates.rna.tsv",
                     ext.to_csv(sep="\t", index=False, lineterminator="\n"))
    print(out)
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    a = build_parser().parse_args(argv)
    if getattr(a, "threads", 1) < 1:
        raise InputError(None, "--threads", "must be >= 1")
    if a.cmd == "index":
        from escapeseq.rna.align import build_index
        print(build_index(a.fasta, a.gtf, a.outdir, a.prefix, a.threads, a.args, a.hints))
        return 0
    if a.cmd == "align":
        from escapeseq.rna.align import align_sample
        bam, summ = align_sample(a.sample, a.fastq_1, a.fastq_2, a.index, a.outdir, a.threads, a.args)
        print(bam)
        return 0
    if a.cmd == "counts":
        from escapeseq.rna.counts import count_genes, counts_table
        from escapeseq.rna.models import load_genes
        _, genes = load_genes(a.gtf)
        if not a.bam.exists():
            raise InputError(a.bam, None, "BAM not found")
        res = count_genes(a.bam, genes, a.strand)
        a.outdir.mkdir(parents=True, exist_ok=True)
        write_atomic(a.outdir / f"{a.sample}.gene_counts.tsv", counts_table(genes, res))
        write_atomic(a.outdir / f"{a.sample}.gene_counts.summary",
                     "status\tfragments\n" + "".join(f"{k}\t{v}\n" for k, v in res.summary.items()))
        return 0
    return cmd_evidence(a)


def cli(argv: Sequence[str] | None = None) -> int:
    return run_cli(PROG, main, argv if argv is not None else sys.argv[1:])
