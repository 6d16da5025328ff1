"""RNA simulator (escapeseq.sim.rna) and the whole RNA path on simulated patients:
simulate --rna -> escapeseq-rna index / align -> evidence. Proves, against the truth, that
the splice-site candidate shows its retained intron at relapse and not at baseline, the
nonsense candidate its low RNA allele fraction and the silenced gene its loss."""

from __future__ import annotations

import csv
import gzip
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from escapeseq.rna.cli import cli as rna_cli
from escapeseq.sim.design import Variant
from escapeseq.sim.genome import Gene, Genome
from escapeseq.sim.rna import (NMD_RESIDUAL, build_mrna, error_profile, nmd_target,
                               splice_disrupted, first_stop)
from escapeseq.simulate import main as simulate

SEED = "11"
HAVE_TOOLS = all(shutil.which(t) for t in ("hisat2", "hisat2-build", "samtools", "art_illumina"))


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


# ----------------------------------------------------------------------------- toy gene

def toy(strand: str) -> tuple[Genome, Gene]:
    """Exons 11-40 (ATG + 9 codons), intron 41-60 (GT...AG), exon 61-90 (stop + UTR)."""
    ex1 = "ATG" + "GCC" * 9                       # 30 nt
    intron = "GTAAGT" + "C" * 12 + "AG"          # 20 nt
    ex2 = "TGGTAA" + "C" * 24                    # W, stop, UTR
    gene_seq = ex1 + intron + ex2
    from escapeseq.sim.seqs import revcomp
    body = gene_seq if strand == "+" else revcomp(gene_seq)
    contig = "A" * 10 + body + "A" * 10
    if strand == "+":
        exons, cds = [(11, 40), (61, 90)], list(range(11, 41)) + list(range(61, 67))
    else:
        exons, cds = [(61, 90), (11, 40)], list(range(90, 60, -1)) + list(range(40, 34, -1))
    g = Gene("T", "c1", strand, 11, 90, exons, [None, None], np.array(cds))
    return Genome({"c1": contig}, {"c1": 50}, [g]), g


@pytest.mark.parametrize("strand", ["+", "-"])
def test_build_mrna_and_retention(strand):
    genome, g = toy(strand)
    seq, c1, junc = build_mrna(genome, g, [], set())
    assert seq.startswith("ATG") and len(seq) == 60 and junc == [30] and c1 == 0
    seq2, _, junc2 = build_mrna(genome, g, [], {1})
    assert len(seq2) == 80 and junc2 == [] and seq2[30:36] == "GTAAGT"
    donor = 41 if strand == "+" else 60           # first intron base in transcript order
    ref = genome.contigs["c1"][donor - 1]
    v = Variant(1, "c1", donor, ref, "A" if ref != "A" else "C", "somatic", "A")
    assert splice_disrupted(g, [v]) == {1}
    deep = Variant(2, "c1", 50, genome.contigs["c1"][49], "T", "somatic", "A")
    assert splice_disrupted(g, [deep]) == set()


def test_nmd_rule():
    # 4 exons of 100 nt, CDS from 0; stop at 30 is premature and > 50 nt before junction 300
    mrna = "ATG" + "GCC" * 9 + "TAA" + "C" * 366
    assert first_stop(mrna, 0) == 30
    assert nmd_target(mrna, 0, [100, 200, 300], ref_cds_len=297)
    assert not nmd_target(mrna, 0, [100, 200, 60], ref_cds_len=297)     # within 50 nt of last junction
    assert not nmd_target(mrna, 0, [100, 200, 300], ref_cds_len=30)     # not premature
    assert not nmd_target(mrna, 0, [], ref_cds_len=297)                  # single exon


def test_error_profile_rises():
    p = error_profile(100)
    assert p[0] == pytest.approx(0.001) and p[-1] == pytest.approx(0.01) and np.all(np.diff(p) >= 0)


# ----------------------------------------------------------------------------- simulated data

@pytest.fixture(scope="module")
def sim(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("rnasim") / "a"
    assert simulate(["--preset", "mini", "--seed", SEED, "--outdir", str(out), "--rna",
                     "--threads", "1"]) == 0
    return out


def test_rna_off_changes_nothing(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert simulate(["--preset", "mini", "--seed", SEED, "--outdir", str(a), "--no-reads"]) == 0
    assert simulate(["--preset", "mini", "--seed", SEED, "--outdir", str(b), "--no-reads", "--rna"]) == 0
    assert (a / "samplesheet.csv").read_text().splitlines()[0] == "patient,sample,timepoint,fastq_1,fastq_2"
    assert not (a / "rna").exists() and not (a / "truth/P1.rna_genes.tsv").exists()
    assert not (a / "truth/RNA_README.md").exists() and (b / "truth/RNA_README.md").exists()
    for f in ("reference/genome.fa", "reference/genes.gtf", "truth/P1.variants.tsv", "truth/P2.segments.tsv"):
        assert (a / f).read_bytes() == (b / f).read_bytes()
    head = (b / "samplesheet.csv").read_text().splitlines()
    assert head[0].endswith(",rna_fastq_1,rna_fastq_2")
    assert head[1].endswith(",,") and head[2].endswith("rna/P1_B_R1.fastq.gz,rna/P1_B_R2.fastq.gz")


def test_rna_reads_deterministic_and_paired(sim, tmp_path):
    again = tmp_path / "b"
    assert simulate(["--preset", "mini", "--seed", SEED, "--outdir", str(again), "--rna",
                     "--threads", "1", "--rna-pairs", "6000"]) == 0
    for s in ("P1_R", "P2_B"):
        for r in ("R1", "R2"):
            assert (sim / f"rna/{s}_{r}.fastq.gz").read_bytes() == (again / f"rna/{s}_{r}.fastq.gz").read_bytes()
    with gzip.open(sim / "rna/P1_R_R1.fastq.gz", "rt") as f1, gzip.open(sim / "rna/P1_R_R2.fastq.gz", "rt") as f2:
        l1, l2 = f1.read().splitlines(), f2.read().splitlines()
    assert len(l1) == len(l2) == 4 * 6000
    assert l1[0::4] == l2[0::4] and l1[0] == "@P1_R:1"
    assert all(len(s) == 100 for s in l1[1::4][:100])


def test_rna_truth(sim):
    genes = {(r["sample"], r["gene"]): r for p in ("P1", "P2", "P3")
             for r in read_tsv(sim / f"truth/{p}.rna_genes.tsv")}
    assert genes[("P3_R", "HLA-A")]["silenced"] == "true"
    assert genes[("P3_B", "HLA-A")]["silenced"] == "false"
    assert float(genes[("P3_R", "HLA-A")]["expected_tpm"]) < 0.5 * float(genes[("P3_B", "HLA-A")]["expected_tpm"])
    assert float(genes[("P2_R", "JAK2")]["retained_intron_fraction"]) == pytest.approx(0.75)
    assert float(genes[("P2_B", "JAK2")]["retained_intron_fraction"]) == 0
    var = {(r["sample"], r["gene"]): r for p in ("P1", "P2")
           for r in read_tsv(sim / f"truth/{p}.rna_variants.tsv") if r["gene"] in ("JAK1", "JAK2", "B2M")}
    j1 = var[("P1_R", "JAK1")]
    # JAK1 Q503*: tumour (purity 0.6, both copies mutant) keeps NMD_RESIDUAL of its mRNA
    exp = 0.6 * 2 * NMD_RESIDUAL / (0.6 * 2 * NMD_RESIDUAL + 0.4 * 2)
    assert j1["nmd"] == "true" and float(j1["rna_vaf"]) == pytest.approx(exp, abs=1e-3)
    assert float(j1["dna_vaf"]) == pytest.approx(0.6)
    assert var[("P2_R", "JAK2")]["retained_introns"] == "12"


@pytest.mark.skipif(not HAVE_TOOLS, reason="hisat2 / samtools / art_illumina not installed")
def test_rna_evidence_on_simulated_patients(sim, tmp_path):
    ref = sim / "reference"
    idx = tmp_path / "hisat2"
    assert rna_cli(["index", "--fasta", str(ref / "genome.fa"), "--gtf", str(ref / "genes.gtf"),
                    "--outdir", str(idx), "--threads", "2"]) == 0
    assert (idx / "genome.1.ht2").exists() and (idx / "genome.ss").stat().st_size > 0
    bams = tmp_path / "bams"
    for s in ("P1_B", "P1_R", "P2_B", "P2_R", "P3_B", "P3_R"):
        assert rna_cli(["align", "--sample", s, "--fastq-1", str(sim / f"rna/{s}_R1.fastq.gz"),
                        "--fastq-2", str(sim / f"rna/{s}_R2.fastq.gz"), "--index", str(idx),
                        "--outdir", str(bams), "--threads", "2"]) == 0
        summ = (bams / f"{s}.rna.hisat2.summary.txt").read_text()
        assert "HISAT2 summary stats" in summ and "Overall alignment rate" in summ
        assert (bams / f"{s}.rna.bam.bai").exists()
    truth = {p: pd.read_csv(sim / f"truth/{p}.variants.tsv", sep="\t", dtype=str, keep_default_na=False)
             for p in ("P1", "P2", "P3")}
    out = {}
    for p in ("P1", "P2", "P3"):
        t = truth[p]
        esc = t[t["escape_event"] == "true"]
        cand = esc[["gene", "chrom", "pos", "ref", "alt"]].copy()
        cand.insert(0, "rank", range(1, len(cand) + 1))
        cand["consequence"] = ""
        cand.to_csv(tmp_path / f"{p}.candidates.tsv", sep="\t", index=False)
        muts = esc[["chrom", "pos", "ref", "alt"]].copy()
        for s in (f"{p}_B", f"{p}_R"):           # DNA counts at depth 100 from the truth VAF
            muts[f"{s}_depth"] = 100
            muts[f"{s}_alt_reads"] = (esc[f"{s}_vaf"].astype(float) * 100).round().astype(int)
            muts[f"{s}_vaf"] = esc[f"{s}_vaf"]
        muts.to_csv(tmp_path / f"{p}.mutations.tsv", sep="\t", index=False)
        args = ["evidence", "--patient", p, "--samplesheet", str(sim / "samplesheet.csv"),
                "--gtf", str(ref / "genes.gtf"), "--fasta", str(ref / "genome.fa"),
                "--bam", f"{p}_B={bams / f'{p}_B.rna.bam'}", "--bam", f"{p}_R={bams / f'{p}_R.rna.bam'}",
                "--mutations", str(tmp_path / f"{p}.mutations.tsv"),
                "--outdir", str(tmp_path / p)]
        if len(cand):
            args += ["--candidates", str(tmp_path / f"{p}.candidates.tsv")]
        assert rna_cli(args) == 0
        out[p] = pd.read_csv(tmp_path / p / f"{p}.rna_evidence.tsv", sep="\t", dtype=str,
                             keep_default_na=False)

    def cand_row(p, gene, tp):
        d = out[p]
        return d[(d["kind"] == "candidate") & (d["gene"] == gene) & (d["timepoint"] == tp)].iloc[0]

    def expr_row(p, gene, tp):
        d = out[p]
        return d[(d["kind"] == "expression") & (d["gene"] == gene) & (d["timepoint"] == tp)].iloc[0]

    # splice-site candidate: intron 12 retained at relapse, not at baseline
    b, r = cand_row("P2", "JAK2", "baseline"), cand_row("P2", "JAK2", "relapse")
    assert b["intron"] == r["intron"] == "12"
    assert int(b["retention_reads"]) == 0 and int(b["junction_reads"]) >= 10
    assert int(r["retention_reads"]) >= 10 and float(r["retained_fraction"]) > 0.5
    assert "intron 12 retained in" in r["explanation"]
    # nonsense candidate: RNA allele fraction well below the DNA's (truth ~0.27 vs 0.6)
    j = cand_row("P1", "JAK1", "relapse")
    assert j["allele_call"] == "under_expressed"
    assert float(j["rna_vaf"]) < float(j["dna_vaf"]) - 0.15
    assert abs(float(j["rna_vaf"]) - 0.2727) < 0.15
    assert int(cand_row("P1", "JAK1", "baseline")["rna_alt_reads"]) == 0
    # silenced gene: HLA-A lost at P3's relapse, unchanged elsewhere
    h = expr_row("P3", "HLA-A", "relapse")
    assert h["expression_change"] == "lost" and float(h["fold_change"]) < 0.5
    for p in ("P1", "P2"):
        assert expr_row(p, "HLA-A", "relapse")["expression_change"] == "unchanged"
