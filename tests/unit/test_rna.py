"""Unit tests of escapeseq.rna: gene models, featureCounts-rule counts, allele / splicing /
expression evidence, the table and the CLI's one-line errors (synthetic BAMs built here)."""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pysam
import pytest

from escapeseq.annotate.gtf import read_gtf
from escapeseq.rna import evidence as ev
from escapeseq.rna.cli import cli, parse_bams
from escapeseq.rna.counts import ExonIndex, count_genes, tpm
from escapeseq.rna.models import (annotated_junctions, gene_models, hisat2_exons,
                                  hisat2_splice_sites, introns)
from escapeseq.errors import InputError

RNG = np.random.default_rng(5)
SEQ = "".join(RNG.choice(list("ACGT"), size=6000))

# gene G1 (+): exons 1001-1200, 1301-1500, 1601-1800 ; gene G2 (-): exons 3001-3200, 3401-3600
# gene G3 (+) overlaps G2's second exon: 3551-3700 (ambiguity)
GTF = """\
c1\tt\texon\t1001\t1200\t.\t+\t.\tgene_id "G1"; transcript_id "T1"; gene_name "JAK2"; tag "Ensembl_canonical";
c1\tt\texon\t1301\t1500\t.\t+\t.\tgene_id "G1"; transcript_id "T1"; gene_name "JAK2"; tag "Ensembl_canonical";
c1\tt\texon\t1601\t1800\t.\t+\t.\tgene_id "G1"; transcript_id "T1"; gene_name "JAK2"; tag "Ensembl_canonical";
c1\tt\texon\t3001\t3200\t.\t-\t.\tgene_id "G2"; transcript_id "T2"; gene_name "B2M";
c1\tt\texon\t3401\t3600\t.\t-\t.\tgene_id "G2"; transcript_id "T2"; gene_name "B2M";
c1\tt\texon\t3551\t3700\t.\t+\t.\tgene_id "G3"; transcript_id "T3"; gene_name "OTHER";
"""


@pytest.fixture()
def ref(tmp_path) -> dict:
    fa = tmp_path / "ref.fa"
    fa.write_text(">c1\n" + SEQ + "\n")
    pysam.faidx(str(fa))
    gtf = tmp_path / "g.gtf"
    gtf.write_text(GTF)
    txs = read_gtf(gtf)
    return {"fa": fa, "gtf": gtf, "txs": txs, "genes": gene_models(txs), "dir": tmp_path}


def seg(name: str, start0: int, cigar: str, *, read2: bool = False, reverse: bool = False,
        mate: int | None = None, nh: int = 1, seq: str | None = None, flag_extra: int = 0,
        paired: bool = True):
    """An aligned segment on c1; bases from the reference unless ``seq`` is given."""
    a = pysam.AlignedSegment()
    a.query_name = name
    a.reference_id = 0
    a.reference_start = start0
    a.cigarstring = cigar
    a.mapping_quality = 60
    flag = 0
    if paired:
        flag |= 1 | 2 | (128 if read2 else 64)
        if mate is None:
            flag |= 8
        else:
            a.next_reference_id = 0
            a.next_reference_start = mate
    if reverse:
        flag |= 16
    a.flag = flag | flag_extra
    if seq is None:
        parts, p = [], start0
        for op, ln in a.cigartuples:
            if op in (0, 7, 8):
                parts.append(SEQ[p:p + ln])
                p += ln
            elif op in (2, 3):
                p += ln
            elif op in (1, 4):
                parts.append("A" * ln)
        seq = "".join(parts)
    a.query_sequence = seq
    a.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
    a.set_tag("NH", nh)
    return a


def write_bam(path: Path, reads: list) -> Path:
    hdr = {"HD": {"VN": "1.6", "SO": "coordinate"}, "SQ": [{"SN": "c1", "LN": len(SEQ)}]}
    tmp = path.with_suffix(".unsorted.bam")
    with pysam.AlignmentFile(str(tmp), "wb", header=hdr) as out:
        for r in reads:
            out.write(r)
    pysam.sort("-o", str(path), str(tmp))
    pysam.index(str(path))
    return path


# ----------------------------------------------------------------------------- models

def test_introns_and_hisat2_hint_files(ref):
    t1 = next(t for t in ref["txs"] if t.tx_id == "T1")
    t2 = next(t for t in ref["txs"] if t.tx_id == "T2")
    assert introns(t1) == [(1201, 1300), (1501, 1600)]
    assert introns(t2) == [(3201, 3400)]           # minus strand: intron 1 follows exon 1
    ss = hisat2_splice_sites(ref["txs"])
    # 0-based last exon base, 0-based first base of the next exon
    assert "c1\t1199\t1300\t+" in ss and "c1\t3199\t3400\t-" in ss
    ex = hisat2_exons(ref["txs"])
    assert "c1\t1000\t1199\t+" in ex and "c1\t3000\t3199\t-" in ex
    assert ("c1", 1201, 1300) in annotated_junctions(ref["txs"])


def test_gene_models_union_length(ref):
    g = {m.gene_id: m for m in ref["genes"]}
    assert g["G1"].length == 600 and g["G1"].name == "JAK2"
    assert g["G2"].exons == [(3001, 3200), (3401, 3600)]


# ----------------------------------------------------------------------------- counts

def test_exon_index_overlaps(ref):
    idx = ExonIndex(ref["genes"])
    names = [g.gene_id for g in ref["genes"]]
    assert {names[i] for i in idx.genes_over("c1", 1195, 1205)} == {"G1"}
    assert idx.genes_over("c1", 1210, 1290) == set()
    assert {names[i] for i in idx.genes_over("c1", 3560, 3570)} == {"G2", "G3"}
    assert idx.genes_over("c9", 1, 10) == set()


def test_tpm_formula():
    t = tpm(np.array([100, 100, 0]), np.array([1000, 500, 200]))
    # rates 0.1, 0.2, 0 -> shares 1/3, 2/3
    assert t == pytest.approx([1e6 / 3, 2e6 / 3, 0])
    assert tpm(np.array([0, 0]), np.array([10, 10])).sum() == 0


def _count_fixture_reads() -> list:
    return [
        # pair inside G1 exon 1 and exon 2 (spliced mate): one fragment
        seg("p1", 1050, "50M", mate=1320), seg("p1", 1320, "50M", read2=True, reverse=True, mate=1050),
        # spliced read across intron 1 of G1, mate unmapped -> counted alone
        seg("s1", 1170, "30M100N30M"),
        # intronic pair: no feature
        seg("p2", 1210, "40M", mate=1240), seg("p2", 1240, "40M", read2=True, reverse=True, mate=1210),
        # ambiguous: G2 and G3 overlap
        seg("p3", 3555, "40M", paired=False),
        # multi-mapper
        seg("m1", 3050, "40M", paired=False, nh=2),
        # secondary alignment of p1: ignored
        seg("p1", 3050, "40M", flag_extra=256, mate=1320),
        # G2 single read
        seg("u1", 3100, "40M", paired=False),
    ]


def test_count_genes_rules(ref, tmp_path):
    bam = write_bam(tmp_path / "c.bam", _count_fixture_reads())
    res = count_genes(bam, ref["genes"])
    got = dict(zip([g.gene_id for g in ref["genes"]], res.counts.tolist()))
    assert got == {"G1": 2, "G2": 1, "G3": 0}
    assert res.summary["Assigned"] == 3
    assert res.summary["Unassigned_Ambiguity"] == 1
    assert res.summary["Unassigned_NoFeatures"] == 1
    assert res.summary["Unassigned_MultiMapping"] == 1


def test_count_genes_strand(ref, tmp_path):
    bam = write_bam(tmp_path / "s.bam", [seg("a", 1050, "40M", paired=False),
                                         seg("b", 1060, "40M", paired=False, reverse=True)])
    g = [x.gene_id for x in ref["genes"]]
    assert count_genes(bam, ref["genes"], 1).counts[g.index("G1")] == 1
    assert count_genes(bam, ref["genes"], 2).counts[g.index("G1")] == 1
    assert count_genes(bam, ref["genes"], 0).counts[g.index("G1")] == 2


@pytest.mark.skipif(shutil.which("featureCounts") is None, reason="featureCounts (subread) not installed")
def test_counts_equal_featurecounts(ref, tmp_path):
    rng = np.random.default_rng(3)
    reads = []
    for i in range(400):
        s = int(rng.integers(900, 3800))
        m = s + int(rng.integers(0, 150))
        reads += [seg(f"r{i}", s, "50M", mate=m), seg(f"r{i}", m, "50M", read2=True, reverse=True, mate=s)]
    for i in range(60):
        reads.append(seg(f"j{i}", 1150 + i % 40, "50M100N50M", paired=False))
    bam = write_bam(tmp_path / "r.bam", reads)
    res = count_genes(bam, ref["genes"])
    out = tmp_path / "fc.txt"
    subprocess.run(["featureCounts", "-p", "--countReadPairs", "-s", "0", "-a", str(ref["gtf"]),
                    "-o", str(out), str(bam)], check=True, capture_output=True)
    fc = {ln.split("\t")[0]: int(ln.rstrip().split("\t")[-1])
          for ln in out.read_text().splitlines()[2:]}
    assert {g.gene_id: int(c) for g, c in zip(ref["genes"], res.counts)} == fc


# ----------------------------------------------------------------------------- allele

def test_classify_haplotypes():
    assert ev.classify("ACGTA", "ACGTA", "ACCTA") == 0
    assert ev.classify("ACCTA", "ACGTA", "ACCTA") == 1
    assert ev.classify("ACTTA", "ACGTA", "ACCTA") == -1       # error at the site: neither
    assert ev.classify("ACGTT", "ACGTA", "ACCTA") == 0        # one error elsewhere
    assert ev.classify("AGTA", "ACGTA", "AGTA") == 1          # deletion haplotype


def test_count_allele_snv_and_deletion(ref, tmp_path):
    fasta = pysam.FastaFile(str(ref["fa"]))
    pos = 1101                                  # 1-based SNV site
    r0 = SEQ[pos - 1]
    alt = "A" if r0 != "A" else "C"
    mut = SEQ[1050:pos - 1] + alt + SEQ[pos:1130]
    reads = [seg(f"a{i}", 1050, "80M", seq=mut, paired=False) for i in range(3)]
    reads += [seg(f"r{i}", 1060, "80M", paired=False) for i in range(5)]
    # a pair whose mates both show alt counts once
    reads += [seg("pp", 1050, "80M", seq=mut, mate=1055),
              seg("pp", 1055, "75M", seq=mut[5:], read2=True, reverse=True, mate=1050)]
    # a spliced read with its gap over the window: uninformative
    reads.append(seg("sp", 1090, "8M100N40M", paired=False))
    bam = pysam.AlignmentFile(str(write_bam(tmp_path / "a.bam", reads)))
    c = ev.count_allele(bam, fasta, "c1", pos, r0, alt)
    assert (c.alt, c.ref) == (4, 5) and c.fraction == pytest.approx(4 / 9)
    # 3-bp deletion after anchor 1401
    dseq = SEQ[1350:1401] + SEQ[1404:1450]
    reads = [seg(f"d{i}", 1350, "51M3D46M", seq=dseq, paired=False) for i in range(2)]
    reads += [seg("w", 1350, "100M", paired=False)]
    bam = pysam.AlignmentFile(str(write_bam(tmp_path / "d.bam", reads)))
    c = ev.count_allele(bam, fasta, "c1", 1401, SEQ[1400:1404], SEQ[1400])
    assert (c.alt, c.ref) == (2, 1)
    with pytest.raises(ValueError):
        ev.count_allele(bam, fasta, "c1", 1401, "N" * 4, "N")


def test_allele_test_direction():
    assert ev.allele_test(10, 100, 60, 100) < 1e-6      # RNA 0.1 vs DNA 0.6: under-expressed
    assert ev.allele_test(60, 100, 60, 100) > 0.4
    assert math.isnan(ev.allele_test(0, 0, 5, 10))


# ----------------------------------------------------------------------------- splicing

def test_splice_site_of(ref):
    t1 = next(t for t in ref["txs"] if t.tx_id == "T1")
    s = ev.splice_site_of(t1, 1201, "G")          # donor +1 of intron 1
    assert (s.number, s.start, s.end, s.window) == (1, 1201, 1300, (1001, 1500))
    assert ev.splice_site_of(t1, 1599, "G").number == 2       # acceptor -2 of intron 2
    assert ev.splice_site_of(t1, 1198, "G").number == 1       # exonic -3
    assert ev.splice_site_of(t1, 1250, "G") is None           # deep intronic
    assert ev.splice_site_of(t1, 1100, "G") is None           # exon middle
    t2 = next(t for t in ref["txs"] if t.tx_id == "T2")
    assert ev.splice_site_of(t2, 3400, "G").number == 1       # minus strand donor +1


def test_count_splicing(ref, tmp_path):
    t1 = next(t for t in ref["txs"] if t.tx_id == "T1")
    site = ev.splice_site_of(t1, 1201, "G")
    reads = [seg(f"j{i}", 1150, "50M100N50M", paired=False) for i in range(4)]     # intron 1201-1300
    reads += [seg(f"r{i}", 1170, "60M", paired=False) for i in range(3)]            # crosses 1200|1201
    reads += [seg("a", 1270, "60M", paired=False)]                                  # crosses 1300|1301
    reads += [seg("short", 1195, "40M", paired=False)]                              # 6 bp exon overhang only
    # new junction 1192-1271; their second block runs 1272-1330 across 1300|1301: retention too
    reads += [seg(f"n{i}", 1150, "41M80N59M", paired=False) for i in range(2)]
    bam = pysam.AlignmentFile(str(write_bam(tmp_path / "s.bam", reads)))
    c = ev.count_splicing(bam, "c1", site, annotated_junctions(ref["txs"]))
    assert (c.junction, c.retention, c.new) == (4, 6, 2)
    assert c.new_junctions == {(1192, 1271): 2}
    assert c.retained_fraction == pytest.approx(0.6)


# ----------------------------------------------------------------------------- expression

def test_expression_change_calls():
    assert ev.fold_change(0.0, 0.0) == 1.0
    assert ev.fold_change(9.0, 99.0) == pytest.approx(0.1)
    p = ev.expression_test(30, 300, 10000, 10000)
    assert p < 1e-10 and ev.expression_call(ev.fold_change(30, 300), p) == "lost"
    p = ev.expression_test(300, 30, 10000, 10000)
    assert ev.expression_call(ev.fold_change(300, 30), p) == "gained"
    p = ev.expression_test(100, 110, 10000, 10000)
    assert p > 0.4 and ev.expression_call(0.9, p) == "unchanged"
    assert ev.expression_call(0.3, 0.5) == "unchanged"        # big change, too few reads


# ----------------------------------------------------------------------------- CLI

def test_parse_bams(tmp_path):
    b = tmp_path / "x.bam"
    b.write_bytes(b"")
    assert parse_bams([f"S1={b}"]) == {"S1": b}
    for bad in (["S1"], [f"=={b}"], [f"S1={tmp_path / 'no.bam'}"], [f"S1={b}", f"S1={b}"]):
        with pytest.raises(InputError):
            parse_bams(bad)


def test_cli_bad_input_one_line(ref, tmp_path, capsys):
    bam = write_bam(tmp_path / "e.bam", [seg("u1", 3100, "40M", paired=False)])
    code = cli(["evidence", "--patient", "P", "--bam", f"S={bam}", "--gtf", str(ref["gtf"]),
                "--fasta", str(ref["fa"]), "--candidates", str(tmp_path / "missing.tsv"),
                "--outdir", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "missing.tsv" in err
    bad = tmp_path / "c.tsv"
    bad.write_text("chrom\tpos\tref\talt\tgene\nc1\tx\tA\tC\tJAK2\n")
    code = cli(["evidence", "--patient", "P", "--bam", f"S={bam}", "--gtf", str(ref["gtf"]),
                "--fasta", str(ref["fa"]), "--candidates", str(bad), "--outdir", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "row 2: pos" in err
    assert cli(["align", "--sample", "S", "--fastq-1", str(tmp_path / "no.fq"), "--index",
                str(tmp_path), "--outdir", str(tmp_path)]) == 2
    assert "no.fq" in capsys.readouterr().err


def test_cli_evidence_table(ref, tmp_path):
    """Splice candidate in JAK2 (G1) and expression rows of panel genes, two timepoints."""
    t1 = [seg(f"j{i}", 1150, "50M100N50M", paired=False) for i in range(10)]
    t2 = ([seg(f"j{i}", 1150, "50M100N50M", paired=False) for i in range(2)]
          + [seg(f"r{i}", 1170, "60M", paired=False) for i in range(8)]
          + [seg(f"b{i}", 3100, "40M", paired=False) for i in range(3)])
    b1 = write_bam(tmp_path / "S_B.bam", t1 + [seg(f"b{i}", 3100, "40M", paired=False) for i in range(30)])
    b2 = write_bam(tmp_path / "S_R.bam", t2)
    cand = tmp_path / "P.candidates.tsv"
    cand.write_text("rank\tgene\tchrom\tpos\tref\talt\tconsequence\n"
                    f"1\tJAK2\tc1\t1201\t{SEQ[1200]}\tT\tsplice_donor_variant\n")
    out = tmp_path / "o"
    assert cli(["evidence", "--patient", "P", "--bam", f"S_B={b1}", "--bam", f"S_R={b2}",
                "--gtf", str(ref["gtf"]), "--fasta", str(ref["fa"]), "--candidates", str(cand),
                "--outdir", str(out)]) == 0
    import pandas as pd
    df = pd.read_csv(out / "P.rna_evidence.tsv", sep="\t", dtype=str, keep_default_na=False)
    c = df[df["kind"] == "candidate"]
    assert list(c["retention_reads"]) == ["0", "8"] and list(c["junction_reads"]) == ["10", "2"]
    assert c["explanation"].iloc[0].startswith(
        "RNA: intron 1 retained in 8 of 10 S_R reads, 0 of 10 at S_B")
    e = df[(df["kind"] == "expression") & (df["gene"] == "B2M")]
    assert list(e["gene_count"]) == ["30", "3"]
    assert (out / "S_B.gene_counts.tsv").exists()


def test_cli_candidate_on_unknown_contig(ref, tmp_path, capsys):
    bam = write_bam(tmp_path / "e.bam", [seg("u1", 3100, "40M", paired=False)])
    cand = tmp_path / "c.tsv"
    cand.write_text("rank\tgene\tchrom\tpos\tref\talt\nc1x\tJAK2\tchr99\t10\tA\tC\n".replace("c1x", "1"))
    code = cli(["evidence", "--patient", "P", "--bam", f"S={bam}", "--gtf", str(ref["gtf"]),
                "--fasta", str(ref["fa"]), "--candidates", str(cand), "--outdir", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and "chr99" in err and len(err.splitlines()) == 1


def test_new_junction_must_stay_inside_the_gene(ref, tmp_path):
    t1 = next(t for t in ref["txs"] if t.tx_id == "T1")
    site = ev.splice_site_of(t1, 1201, "G")
    reads = [seg("far", 500, "50M660N50M", paired=False),          # 551-1210 gap: starts outside G1
             seg("in", 1150, "41M80N59M", paired=False)]
    bam = pysam.AlignmentFile(str(write_bam(tmp_path / "n.bam", reads)))
    c = ev.count_splicing(bam, "c1", site, annotated_junctions(ref["txs"]))
    assert c.new_junctions == {(1192, 1271): 1}


@pytest.mark.skipif(shutil.which("hisat2-build") is None or shutil.which("samtools") is None,
                    reason="hisat2 / samtools not installed")
@pytest.mark.parametrize("hints", ["index", "align"])
def test_index_and_align_spliced_reads(ref, tmp_path, hints):
    """Pairs from the spliced JAK2 (T1) mRNA align across its introns with either hint mode."""
    import gzip
    mrna = SEQ[1000:1200] + SEQ[1300:1500] + SEQ[1600:1800]
    comp = str.maketrans("ACGT", "TGCA")
    r1, r2 = [], []
    for i in range(40):
        s = (i * 11) % (len(mrna) - 250)
        frag = mrna[s:s + 250]
        r1.append(f"@q{i}\n{frag[:100]}\n+\n{'I' * 100}\n")
        r2.append(f"@q{i}\n{frag[-100:].translate(comp)[::-1]}\n+\n{'I' * 100}\n")
    f1, f2 = tmp_path / "r1.fq.gz", tmp_path / "r2.fq.gz"
    f1.write_bytes(gzip.compress("".join(r1).encode()))
    f2.write_bytes(gzip.compress("".join(r2).encode()))
    idx = tmp_path / "idx"
    assert cli(["index", "--fasta", str(ref["fa"]), "--gtf", str(ref["gtf"]), "--outdir", str(idx),
                "--hints", hints]) == 0
    assert (idx / ("genome.align.ss" if hints == "align" else "genome.ss")).exists()
    assert cli(["align", "--sample", "S1", "--fastq-1", str(f1), "--fastq-2", str(f2),
                "--index", str(idx), "--outdir", str(tmp_path / "out")]) == 0
    bam = pysam.AlignmentFile(str(tmp_path / "out" / "S1.rna.bam"))
    assert bam.header.to_dict()["RG"][0]["SM"] == "S1"
    spliced = {(r.reference_start, r.cigarstring) for r in bam.fetch("c1") if "N" in (r.cigarstring or "")}
    introns_seen = set()
    for r in bam.fetch("c1"):
        p = r.reference_start
        for op, ln in r.cigartuples or ():
            if op == 3:
                introns_seen.add((p + 1, p + ln))
            if op in (0, 2, 3):
                p += ln
    assert spliced and introns_seen <= {(1201, 1300), (1501, 1600)}
    assert "Overall alignment rate" in (tmp_path / "out" / "S1.rna.hisat2.summary.txt").read_text()


def test_cli_evidence_three_timepoints_in_samplesheet_order(ref, tmp_path):
    """Timepoints follow the samplesheet's order (not the --bam order); fold changes are
    against the first timepoint; the sentence lists every earlier timepoint."""
    def sample(n_junction: int, n_retained: int, n_b2m: int) -> list:
        return ([seg(f"j{i}", 1150, "50M100N50M", paired=False) for i in range(n_junction)]
                + [seg(f"r{i}", 1170, "60M", paired=False) for i in range(n_retained)]
                + [seg(f"b{i}", 3100, "40M", paired=False) for i in range(n_b2m)])
    b = {s: write_bam(tmp_path / f"{s}.bam", sample(*k)) for s, k in
         (("P_1", (10, 0, 40)), ("P_2", (6, 3, 20)), ("P_3", (2, 9, 4)))}
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("patient,sample,timepoint,fastq_1,fastq_2\nP,P_N,0,a,b\nP,P_1,1,a,b\n"
                     "P,P_2,2,a,b\nP,P_3,3,a,b\n")
    cand = tmp_path / "c.tsv"
    cand.write_text(f"rank\tgene\tchrom\tpos\tref\talt\n1\tJAK2\tc1\t1201\t{SEQ[1200]}\tT\n")
    out = tmp_path / "o"
    assert cli(["evidence", "--patient", "P", "--samplesheet", str(sheet),
                "--bam", f"P_3={b['P_3']}", "--bam", f"P_1={b['P_1']}", "--bam", f"P_2={b['P_2']}",
                "--gtf", str(ref["gtf"]), "--fasta", str(ref["fa"]), "--candidates", str(cand),
                "--outdir", str(out)]) == 0
    import pandas as pd
    df = pd.read_csv(out / "P.rna_evidence.tsv", sep="\t", dtype=str, keep_default_na=False)
    c = df[df["kind"] == "candidate"]
    assert list(c["timepoint"]) == ["1", "2", "3"]
    assert c["explanation"].iloc[0].startswith(
        "RNA: intron 1 retained in 9 of 11 reads at timepoint 3, 0 of 10 at timepoint 1, 3 of 9 at timepoint 2")
    e = df[(df["kind"] == "expression") & (df["gene"] == "B2M")]
    assert list(e["gene_count"]) == ["40", "20", "4"] and e["fold_change"].iloc[0] == ""
    assert (out / "P.candidates.rna.tsv").exists()
