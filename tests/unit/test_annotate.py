"""Annotator tests on hand-built transcripts with known answers, on both strands.

The test gene (built below) has a 6-nt 5' UTR, a 60-codon CDS and a 3' UTR, in three
exons; codon 5 (TGG, Trp) is split across exons 1 and 2 (c.13-14 | c.15). The same mRNA is
placed once on the plus strand and once (reverse-complemented) on the minus strand, so
every case is checked on both strands with the same c./p. answer.
"""

from __future__ import annotations

import gzip
import subprocess
import sys
from pathlib import Path

import pysam
import pytest

from escapeseq.annotate.consequence import Annotator, Genome, trim
from escapeseq.annotate.gtf import TranscriptIndex, read_gtf
from escapeseq.annotate.lof import nmd_escapes, retention_stop
from escapeseq.annotate.panel import load_panel, parse_domains
from escapeseq.annotate.seq import aa3, revcomp, translate
from escapeseq.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "bin"

UTR5 = "GCCACC"
FILLER = "GCTGCAGAGCTCCGT" * 9  # 45 codons, no stop, no ATG in frame issues
CDS = ("ATG" "GCT" "CAG" "AAA" "TGG" "CTG" "TTC" "GGA" "CCT" "GAA" "ACT" "TAC" "GAT" "CAC"
       + FILLER + "TAA")
UTR3 = "GCGTGAGCAATAAAGCCGCT"
MRNA = UTR5 + CDS + UTR3
EX_CUTS = (20, 150)  # exon 1 = mRNA[0:20], exon 2 = [20:150], exon 3 = [150:]
INTRON1 = "GTAAGCATTCGTACCTTTCAG"
INTRON2 = "GTCAGTTACGCATCTTGCAG"
FLANK_L = "CTGACTTGCA" * 10
FLANK_M = "TTGCACTGAC" * 30
PLUS_START = len(FLANK_L) + 1


def _gene_genomic() -> str:
    e1, e2, e3 = MRNA[:EX_CUTS[0]], MRNA[EX_CUTS[0]:EX_CUTS[1]], MRNA[EX_CUTS[1]:]
    return e1 + INTRON1 + e2 + INTRON2 + e3


GENE = _gene_genomic()
MINUS_START = PLUS_START + len(GENE) + len(FLANK_M)
CONTIG = FLANK_L + GENE + FLANK_M + revcomp(GENE) + FLANK_L


def tx_to_genomic(t: int, strand: str) -> int:
    """Genomic position of 1-based mRNA position ``t`` (exonic) on the given gene copy."""
    e1, e2 = EX_CUTS
    off = t - 1
    if t > e1:
        off += len(INTRON1)
    if t > e2:
        off += len(INTRON2)
    if strand == "+":
        return PLUS_START + off
    return MINUS_START + len(GENE) - 1 - off


def c_to_genomic(c: int, strand: str) -> int:
    return tx_to_genomic(len(UTR5) + c, strand)


def intron_to_genomic(intron: int, offset: int, strand: str) -> int:
    """Genomic position of intron base ``offset`` (+k from donor, -k from acceptor)."""
    e1, e2 = EX_CUTS
    gene_off = (e1 if intron == 1 else e1 + len(INTRON1) + (e2 - e1))
    ilen = len(INTRON1) if intron == 1 else len(INTRON2)
    i = offset - 1 if offset > 0 else ilen + offset
    off = gene_off + i
    return PLUS_START + off if strand == "+" else MINUS_START + len(GENE) - 1 - off


def base(strand: str, t_base: str) -> str:
    """A transcript-orientation base as it reads on the genome's forward strand."""
    return t_base if strand == "+" else revcomp(t_base)


def exon_coords(strand: str) -> list[tuple[int, int]]:
    e1, e2 = EX_CUTS
    bounds = [(1, e1), (e1 + 1, e2), (e2 + 1, len(MRNA))]
    out = []
    for a, b in bounds:
        x, y = tx_to_genomic(a, strand), tx_to_genomic(b, strand)
        out.append((min(x, y), max(x, y)))
    return out


def write_gtf(path: Path, extra: str = "") -> None:
    lines = []
    for strand, tid, name in (("+", "TXP", "GENEP"), ("-", "TXM", "GENEM")):
        cds_lo = c_to_genomic(1, strand)
        cds_hi = c_to_genomic(len(CDS) - 3, strand)   # CDS feature excludes the stop codon
        stop_lo, stop_hi = sorted((c_to_genomic(len(CDS) - 2, strand), c_to_genomic(len(CDS), strand)))
        lo_c, hi_c = sorted((cds_lo, cds_hi))
        attrs = f'gene_id "{name}"; transcript_id "{tid}"; gene_name "{name}"; transcript_type "protein_coding";'
        for a, b in exon_coords(strand):
            lines.append(f"chrT\tt\texon\t{a}\t{b}\t.\t{strand}\t.\t{attrs}")
            lo, hi = max(a, lo_c), min(b, hi_c)
            if lo <= hi:
                lines.append(f"chrT\tt\tCDS\t{lo}\t{hi}\t.\t{strand}\t0\t{attrs}")
        lines.append(f"chrT\tt\tstop_codon\t{stop_lo}\t{stop_hi}\t.\t{strand}\t0\t{attrs}")
    path.write_text("\n".join(lines) + "\n" + extra)


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    d = tmp_path_factory.mktemp("annref")
    fa = d / "genome.fa"
    fa.write_text(">chrT\n" + "\n".join(CONTIG[i:i + 60] for i in range(0, len(CONTIG), 60)) + "\n")
    pysam.faidx(str(fa))
    gtf = d / "genes.gtf"
    write_gtf(gtf)
    return d


@pytest.fixture(scope="module")
def annot(ref):
    txs = read_gtf(ref / "genes.gtf")
    return Annotator(TranscriptIndex(txs), Genome(pysam.FastaFile(str(ref / "genome.fa"))))


def ann_for(annot, pos, ref_, alt, tid):
    anns = [a for a in annot.annotate("chrT", pos, ref_, alt) if a.tx.tx_id == tid]
    assert len(anns) == 1
    return anns[0]


TX = {"+": "TXP", "-": "TXM"}
STRANDS = ("+", "-")


def snv(annot, strand, g, t_alt):
    r = CONTIG[g - 1]
    return ann_for(annot, g, r, base(strand, t_alt), TX[strand])


def test_model_sanity(annot):
    assert translate(CDS).endswith("*") and "*" not in translate(CDS)[:-1]
    for tx in annot.index.txs:
        assert tx.cds_ok and tx.cds_length == len(CDS)
        assert annot.seqs.mrna(tx) == MRNA


def test_trim_removes_anchor_and_suffix():
    assert trim(100, "CAGAG", "CAG") == (101, "AG", "")
    assert trim(5, "A", "AT") == (6, "", "T")
    assert trim(5, "AC", "GC") == (5, "A", "G")


@pytest.mark.parametrize("strand", STRANDS)
def test_stop_gained_high_confidence(annot, strand):
    a = snv(annot, strand, c_to_genomic(7, strand), "T")   # CAG -> TAG, codon 3
    assert a.terms == ["stop_gained"]
    assert (a.hgvs_c, a.hgvs_p, a.hgvs_p_short) == ("c.7C>T", "p.Gln3Ter", "Q3*")
    assert a.exon == "1/3" and a.lof == "HC" and a.lof_flags == []


@pytest.mark.parametrize("strand", STRANDS)
def test_stop_gained_in_last_exon_escapes_nmd(annot, strand):
    # codon 50 (in exon 3? no: exon 2 ends at c.144) -> use codon 52 = c.154-156 (GCT..)
    c = 3 * 51 + 1                      # first base of codon 52
    cod = CDS[c - 1:c + 2]
    assert cod in ("GAG", "CAG", "AAA", "GAA", "CGT", "GCA", "GCT", "TCC", "CTC")
    # make a stop: change to T at position 1 if codon is xAG/xAA/xGA
    a = snv(annot, strand, c_to_genomic(c, strand), "T") if cod[1:] in ("AG", "AA", "GA") else None
    if a is None:
        pytest.skip("codon cannot become a stop with one change")
    assert a.terms[0] == "stop_gained" and a.lof == "LC" and "NMD_ESCAPE" in a.lof_flags


@pytest.mark.parametrize("strand", STRANDS)
def test_missense_synonymous_start_lost(annot, strand):
    a = snv(annot, strand, c_to_genomic(4, strand), "C")   # GCT -> CCT
    assert a.terms == ["missense_variant"] and a.hgvs_p == "p.Ala2Pro" and a.hgvs_p_short == "A2P"
    a = snv(annot, strand, c_to_genomic(6, strand), "C")   # GCT -> GCC
    assert a.terms == ["synonymous_variant"] and a.hgvs_p == "p.Ala2="
    a = snv(annot, strand, c_to_genomic(2, strand), "C")   # ATG -> ACG
    assert a.terms == ["start_lost"] and a.hgvs_p == "p.Met1?" and a.hgvs_c == "c.2T>C"


@pytest.mark.parametrize("strand", STRANDS)
def test_stop_lost_extension(annot, strand):
    n = len(CDS)
    a = snv(annot, strand, c_to_genomic(n - 2, strand), "C")   # TAA -> CAA (Gln)
    assert a.terms[0] == "stop_lost"
    assert a.hgvs_p == f"p.Ter{n // 3}GlnextTer2"
    a = snv(annot, strand, c_to_genomic(n, strand), "G")       # TAA -> TAG
    assert a.terms == ["stop_retained_variant"]


@pytest.mark.parametrize("strand", STRANDS)
def test_codon_split_across_exons(annot, strand):
    # codon 5 = TGG: c.13 T, c.14 G (exon 1) | c.15 G (first base of exon 2)
    a = snv(annot, strand, c_to_genomic(15, strand), "A")      # TGG -> TGA
    assert a.terms == ["stop_gained", "splice_region_variant"]
    assert a.hgvs_p == "p.Trp5Ter" and a.exon == "2/3" and a.codons == "tgG/tgA"
    a = snv(annot, strand, c_to_genomic(13, strand), "C")      # TGG -> CGG (Arg)
    assert a.hgvs_p == "p.Trp5Arg" and a.exon == "1/3"


@pytest.mark.parametrize("strand", STRANDS)
def test_splice_sites_and_introns(annot, strand):
    g = intron_to_genomic(1, 1, strand)                       # donor +1 (G)
    a = snv(annot, strand, g, "A")
    assert a.terms == ["splice_donor_variant"] and a.hgvs_c == "c.14+1G>A" and a.intron == "1/2"
    assert a.lof == "HC"
    assert any(i.startswith("exon 1 skipping") for i in a.lof_info)
    assert any(i.startswith("intron 1 retention") for i in a.lof_info)
    g = intron_to_genomic(1, -1, strand)                      # acceptor -1 (G)
    a = snv(annot, strand, g, "C")
    assert a.terms == ["splice_acceptor_variant"] and a.hgvs_c == "c.15-1G>C"
    g = intron_to_genomic(1, 5, strand)                       # +5 -> splice region
    t = INTRON1[4]
    a = snv(annot, strand, g, "A" if t != "A" else "C")
    assert a.terms == ["splice_region_variant", "intron_variant"] and a.hgvs_c.startswith("c.14+5")
    g = intron_to_genomic(1, 10, strand)                      # deep (intron 1 is 21 bp)
    a = snv(annot, strand, g, "A" if INTRON1[9] != "A" else "C")
    assert a.terms == ["intron_variant"] and a.hgvs_c.startswith("c.14+10")


@pytest.mark.parametrize("strand", STRANDS)
def test_utr_and_flanks(annot, strand):
    a = snv(annot, strand, tx_to_genomic(2, strand), "T")     # 5' UTR c.-5
    assert a.terms == ["5_prime_UTR_variant"] and a.hgvs_c == "c.-5C>T"
    a = snv(annot, strand, tx_to_genomic(len(MRNA) - 1, strand), "A")
    assert a.terms == ["3_prime_UTR_variant"] and a.hgvs_c.startswith(f"c.*{len(UTR3) - 1}")
    up = tx_to_genomic(1, strand) + (-50 if strand == "+" else 50)
    a = snv(annot, strand, up, "A" if base(strand, "A") != CONTIG[up - 1] else "C")
    assert a.terms == ["upstream_gene_variant"] and a.distance == "50"


@pytest.mark.parametrize("strand", STRANDS)
def test_frameshift_and_inframe_indels(annot, strand):
    # delete c.8 (A of CAG, codon 3) -> frameshift; VCF anchor = the base 5' on the genome
    if strand == "+":
        g = c_to_genomic(7, strand)
        a = ann_for(annot, g, CONTIG[g - 1:g + 1], CONTIG[g - 1], TX[strand])
    else:
        g = c_to_genomic(8, strand)              # on minus, c.8 is left of c.7
        a = ann_for(annot, g - 1, CONTIG[g - 2:g], CONTIG[g - 2], TX[strand])
    assert a.terms[0] == "frameshift_variant"
    assert a.hgvs_p.startswith("p.Gln3") and "fsTer" in a.hgvs_p
    # the new frame first meets a stop in the 3' UTR (last exon): escapes NMD
    assert a.lof == "LC" and "NMD_ESCAPE" in a.lof_flags
    # delete codon 4 (AAA): trimmed deletion AAA, 3' rule -> p.Lys4del
    lo, hi = sorted((c_to_genomic(10, strand), c_to_genomic(12, strand)))
    a = ann_for(annot, lo - 1, CONTIG[lo - 2:hi], CONTIG[lo - 2], TX[strand])
    assert a.terms == ["inframe_deletion", "splice_region_variant"]  # c.12 is 3 nt from exon end
    assert a.hgvs_p == "p.Lys4del"
    # insert GCT after codon 2 (duplicates Ala2) -> p.Ala2dup
    if strand == "+":
        g = c_to_genomic(6, strand)
        a = ann_for(annot, g, CONTIG[g - 1], CONTIG[g - 1] + "GCT", TX[strand])
    else:
        g = c_to_genomic(7, strand)              # base right of c.6 on the genome is c.7-? use left
        a = ann_for(annot, g, CONTIG[g - 1], CONTIG[g - 1] + revcomp("GCT"), TX[strand])
    assert a.terms == ["inframe_insertion"] and a.hgvs_p == "p.Ala2dup" and a.hgvs_c == "c.4_6dup"


@pytest.mark.parametrize("strand", STRANDS)
def test_deletion_across_donor(annot, strand):
    # delete the last exon-1 base (c.14) and intron +1/+2: the donor is destroyed
    if strand == "+":
        g = c_to_genomic(14, strand)
        a = ann_for(annot, g - 1, CONTIG[g - 2:g + 2], CONTIG[g - 2], TX[strand])
    else:
        g = intron_to_genomic(1, 2, strand)      # leftmost deleted base on the genome
        a = ann_for(annot, g - 1, CONTIG[g - 2:g + 2], CONTIG[g - 2], TX[strand])
    assert "splice_donor_variant" in a.terms and a.hgvs_p == "p.?"


def test_lof_helpers():
    assert nmd_escapes(100, 200) is False      # 101 nt upstream of the last junction
    assert nmd_escapes(160, 200) is True       # 41 nt upstream
    assert nmd_escapes(10, 0) is True          # no junction at all
    # exon ends after 1 base of a codon: codon = A + GT -> no stop; then TAA in frame
    assert retention_stop("ATGA", "GTTAAG") == 5
    assert retention_stop("ATG", "GGGCCC") == 0


def test_gtf_bad_cds_length_warns_and_annotates_safely(tmp_path, ref):
    gtf = tmp_path / "bad.gtf"
    write_gtf(gtf)
    text = gtf.read_text().replace("\tstop_codon\t", "\tskip\t")   # drop the stop: fine
    # shorten the first CDS piece of TXP by one base -> length not a multiple of 3
    lines = text.splitlines()
    for i, l in enumerate(lines):
        if "\tCDS\t" in l and '"TXP"' in l:
            f = l.split("\t")
            f[3] = str(int(f[3]) + 1)
            lines[i] = "\t".join(f)
            break
    gtf.write_text("\n".join(lines) + "\n")
    warnings = []
    txs = read_gtf(gtf, warn=warnings.append)
    assert len(warnings) == 1 and "TXP" in warnings[0] and "multiple of 3" in warnings[0]
    an = Annotator(TranscriptIndex(txs), Genome(pysam.FastaFile(str(ref / "genome.fa"))))
    g = c_to_genomic(20, "+")
    a = ann_for(an, g, CONTIG[g - 1], "A" if CONTIG[g - 1] != "A" else "C", "TXP")
    assert a.terms == ["coding_sequence_variant"] and a.hgvs_p == "p.?"


def test_gtf_without_features(tmp_path):
    gtf = tmp_path / "empty.gtf"
    gtf.write_text('chrT\tt\tgene\t1\t100\t.\t+\t.\tgene_id "G";\n')
    with pytest.raises(InputError, match="no exon or CDS"):
        read_gtf(gtf)


def test_panel(tmp_path):
    panel = load_panel()
    for g in ("JAK1", "JAK2", "IFNGR1", "IFNGR2", "STAT1", "IRF1", "B2M", "HLA-A", "HLA-B",
              "HLA-C", "TAP1", "TAP2", "TAPBP", "NLRC5", "CALR", "PSMB8", "PSMB9"):
        assert g in panel
    assert panel["JAK1"]["pathway"] == "interferon-gamma signalling"
    assert ("FERM", 34, 420) in panel["JAK1"]["domains"]
    assert panel["B2M"]["pathway"] == "antigen presentation"
    assert parse_domains("A:1-5;B c:7-9") == [("A", 1, 5), ("B c", 7, 9)]
    bad = tmp_path / "p.tsv"
    bad.write_text("gene\tpathway\trole\tdomains\nX\tnonsense\tr\t\n")
    with pytest.raises(InputError, match="line 2: pathway"):
        load_panel(bad)
    bad.write_text("gene\tpathway\trole\tdomains\nX\tantigen presentation\tr\tK:9-3\n")
    with pytest.raises(InputError, match="domains"):
        load_panel(bad)


# ------------------------------------------------------------------------------ CLI

def run_cli(*args):
    return subprocess.run([sys.executable, str(BIN / "escapeseq-annotate"), *map(str, args)],
                          capture_output=True, text=True)


def write_vcf(path: Path, rows: list[str], contig: str = "chrT") -> None:
    head = ["##fileformat=VCFv4.2", f"##contig=<ID={contig},length={len(CONTIG)}>",
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
            '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN\tT"]
    path.write_text("\n".join(head + rows) + "\n")


def test_cli_end_to_end(tmp_path, ref):
    gq = c_to_genomic(7, "+")
    gs = c_to_genomic(40, "+")
    vcf = tmp_path / "in.vcf"
    write_vcf(vcf, [
        f"chrT\t20\t.\t{CONTIG[19]}\t{'A' if CONTIG[19] != 'A' else 'C'}\t.\tPASS\tDP=9\tGT\t0/0\t0/1",
        f"chrT\t{gq}\tq\t{CONTIG[gq - 1]}\tT,<DEL>\t.\tPASS\tDP=10\tGT\t0/0\t1/2",
        f"chrT\t{gs}\t.\t{CONTIG[gs - 1]}\tA,G\t.\tPASS\t.\tGT\t0/0\t1/2",
    ])
    out = tmp_path / "out.vcf.gz"
    tsv = tmp_path / "out.tsv"
    r = run_cli("--fasta", ref / "genome.fa", "--gtf", ref / "genes.gtf", "--vcf", vcf,
                "--out", out, "--tsv", tsv)
    assert r.returncode == 0, r.stderr
    assert "skipped 1 symbolic" in r.stderr
    assert out.exists() and Path(f"{out}.tbi").exists()
    with gzip.open(out, "rt") as fh:
        lines = fh.read().splitlines()
    assert any(l.startswith("##INFO=<ID=CSQ") and "Allele|Consequence|IMPACT" in l for l in lines)
    recs = [l.split("\t") for l in lines if not l.startswith("#")]
    assert [r[8:] for r in recs] == [["GT", "0/0", "0/1"], ["GT", "0/0", "1/2"], ["GT", "0/0", "1/2"]]
    info = dict(kv.split("=", 1) for kv in recs[1][7].split(";"))
    assert info["DP"] == "10"
    assert info["CONSEQUENCE"] == "stop_gained,." and info["HGVS_P"] == "p.Gln3Ter,."
    assert info["LOF_CONFIDENCE"] == "high,." and info["GENE"] == "GENEP,."
    info0 = dict(kv.split("=", 1) for kv in recs[0][7].split(";"))
    assert info0["CONSEQUENCE"] == "upstream_gene_variant" and info0["LOF_CONFIDENCE"] == "none"
    rows = [l.split("\t") for l in tsv.read_text().splitlines()]
    assert rows[0][:10] == ["chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c",
                            "hgvs_p", "hgvs_p_short", "lof_confidence"]
    assert len(rows) == 1 + 1 + 1 + 2           # header + intergenic + stop (symbolic skipped) + 2 ALTs
    assert rows[2][5:10] == ["stop_gained", "c.7C>T", "p.Gln3Ter", "Q3*", "high"]
    # deterministic output
    out2 = tmp_path / "out2.vcf.gz"
    assert run_cli("--fasta", ref / "genome.fa", "--gtf", ref / "genes.gtf", "--vcf", vcf,
                   "--out", out2, "--quiet").returncode == 0
    assert gzip.open(out2).read() == gzip.open(out).read()


def test_cli_contig_naming_mismatch(tmp_path, ref):
    vcf = tmp_path / "in.vcf"
    write_vcf(vcf, ["T\t20\t.\tA\tC\t.\tPASS\t.\tGT\t0/0\t0/1"], contig="T")
    fa = tmp_path / "g.fa"
    fa.write_text(">chrT\n" + CONTIG + "\n")
    # FASTA says chrT, VCF says T -> not a toggle of chr-prefix for "T"? it is: chrT <-> T
    r = run_cli("--fasta", fa, "--gtf", ref / "genes.gtf", "--vcf", vcf, "--out", tmp_path / "o.vcf.gz")
    assert r.returncode == 2
    err = r.stderr.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("escapeseq-annotate: error: ")
    assert "chrT" in err[0] and "'T'" in err[0]
    assert not (tmp_path / "o.vcf.gz").exists()


def test_cli_bad_allele(tmp_path, ref):
    vcf = tmp_path / "in.vcf"
    write_vcf(vcf, ["chrT\t20\t.\tA\tQ\t.\tPASS\t.\tGT\t0/0\t0/1"])
    r = run_cli("--fasta", ref / "genome.fa", "--gtf", ref / "genes.gtf", "--vcf", vcf,
                "--out", tmp_path / "o.vcf.gz")
    assert r.returncode == 2 and "line 6: ALT" in r.stderr and "Traceback" not in r.stderr


# ------------------------------------------------------------------ bundled test data

GEN = ROOT / ".testdata"    # `make testdata` (escapeseq-simulate --preset test)


@pytest.fixture(scope="module")
def mini_data(tmp_path_factory):
    """The simulator's `mini` preset (same curated escape events, short contigs), no reads."""
    sim = BIN / "escapeseq-simulate"
    if not sim.exists():
        pytest.skip("escapeseq-simulate not available")
    d = tmp_path_factory.mktemp("mini")
    r = subprocess.run([sys.executable, str(sim), "--preset", "mini", "--seed", "7", "--outdir",
                        str(d / "gen"), "--no-reads"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"simulator failed: {r.stderr.strip()[-200:]}")
    return d / "gen"


@pytest.mark.skipif(not (GEN / "reference" / "genes.gtf").exists(), reason="generated test data missing")
def test_bundled_escape_events(tmp_path):
    check_escape_events(GEN, tmp_path)


def test_mini_escape_events(mini_data, tmp_path):
    check_escape_events(mini_data, tmp_path)


def check_escape_events(gen: Path, tmp_path: Path) -> None:
    """JAK1 Q503* stop_gained/high/p.Gln503Ter; JAK2 splice site; B2M exon-1 frameshift."""
    import csv
    GEN = gen
    truth = sorted((GEN / "truth").glob("*.variants.tsv"))
    assert truth
    rows = []
    for t in truth:
        with open(t) as fh:
            rows += list(csv.DictReader((l for l in fh if not l.startswith("##")), delimiter="\t"))
    events = [r for r in rows if r.get("escape_event") == "true"]
    assert {r["gene"] for r in events} >= {"JAK1", "JAK2", "B2M"}
    vcf = tmp_path / "ev.vcf"
    recs = sorted({(r["chrom"], int(r["pos"]), r["ref"], r["alt"], r["gene"]) for r in events})
    vcf.write_text("##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n" + "".join(
        f"{c}\t{p}\t{g}\t{rf}\t{a}\t.\tPASS\t.\n" for c, p, rf, a, g in recs))
    tsv = tmp_path / "ev.tsv"
    r = run_cli("--fasta", GEN / "reference" / "genome.fa", "--gtf", GEN / "reference" / "genes.gtf",
                "--vcf", vcf, "--out", tmp_path / "ev.vcf.gz", "--tsv", tsv)
    assert r.returncode == 0, r.stderr
    out = list(csv.DictReader(tsv.open(), delimiter="\t"))
    by_gene = {o["gene"]: o for o in out}
    jak1 = by_gene["JAK1"]
    assert (jak1["consequence"], jak1["lof_confidence"], jak1["hgvs_p"]) == ("stop_gained", "high", "p.Gln503Ter")
    jak2 = by_gene["JAK2"]
    assert jak2["consequence"] in ("splice_donor_variant", "splice_acceptor_variant")
    assert jak2["lof_confidence"] == "high" and "retention" in jak2["note"]
    b2m = by_gene["B2M"]
    assert b2m["consequence"] == "frameshift_variant" and b2m["exon"].startswith("1/")
    assert b2m["hgvs_p"].startswith("p.Ser14") and b2m["lof_confidence"] == "high"
    assert all(o["escape_gene"] == "true" for o in out)


@pytest.mark.parametrize("strand", STRANDS)
def test_every_cds_snv_matches_full_translation(annot, strand):
    """Each possible SNV in the CDS: p. from the annotator == comparing full translations."""
    ref_prot = translate(CDS)
    for c in range(1, len(CDS) + 1):
        for b in "ACGT":
            if b == CDS[c - 1]:
                continue
            mut = CDS[:c - 1] + b + CDS[c:]
            i = (c - 1) // 3
            r_aa, a_aa = ref_prot[i], translate(mut)[i]
            a = snv(annot, strand, c_to_genomic(c, strand), b)
            if i == 0:
                want = "p.Met1=" if a_aa == "M" else "p.Met1?"
            elif r_aa == "*":
                want = f"p.Ter{i + 1}=" if a_aa == "*" else f"p.Ter{i + 1}"
            elif a_aa == r_aa:
                want = f"p.{aa3(r_aa)}{i + 1}="
            else:
                want = f"p.{aa3(r_aa)}{i + 1}{aa3(a_aa)}"
            assert a.hgvs_p.startswith(want), (c, b, a.hgvs_p, want)
            assert a.hgvs_c == f"c.{c}{CDS[c - 1]}>{b}"


def test_cli_unsorted_and_gtf_contig_mismatch(tmp_path, ref):
    vcf = tmp_path / "in.vcf"
    write_vcf(vcf, ["chrT\t300\t.\tA\tC\t.\tPASS\t.\tGT\t0/0\t0/1",
                    "chrT\t100\t.\tA\tC\t.\tPASS\t.\tGT\t0/0\t0/1"])
    r = run_cli("--fasta", ref / "genome.fa", "--gtf", ref / "genes.gtf", "--vcf", vcf,
                "--out", tmp_path / "o.vcf.gz")
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "not sorted" in r.stderr
    assert list(tmp_path.iterdir()) == [vcf]          # no partial or temporary output left
    gtf = tmp_path / "g.gtf"
    gtf.write_text((ref / "genes.gtf").read_text().replace("chrT\t", "T\t"))
    write_vcf(vcf, [])
    r = run_cli("--fasta", ref / "genome.fa", "--gtf", gtf, "--vcf", vcf, "--out", tmp_path / "o.vcf.gz")
    assert r.returncode == 2 and "the GTF uses 'T'" in r.stderr and "'chrT'" in r.stderr


def insert_after_c(annot, strand, c, seq_t):
    """Annotate the insertion of ``seq_t`` (transcript orientation) right after c.``c``."""
    if strand == "+":
        g = c_to_genomic(c, strand)
        return ann_for(annot, g, CONTIG[g - 1], CONTIG[g - 1] + seq_t, TX[strand])
    g = c_to_genomic(c + 1, strand)          # genomic base left of the insertion point
    return ann_for(annot, g, CONTIG[g - 1], CONTIG[g - 1] + revcomp(seq_t), TX[strand])


@pytest.mark.parametrize("strand", STRANDS)
def test_insertions_at_the_stop_codon(annot, strand):
    n = len(CDS)
    # T|AGC|AA -> TAG CAA: the stop is still the first codon read: nothing changes
    a = insert_after_c(annot, strand, n - 2, "AGC")
    assert a.terms == ["stop_retained_variant"] and a.hgvs_p == f"p.Ter{n // 3}="
    # a Glu codon between the last sense codon (Arg) and the stop: one residue longer
    a = insert_after_c(annot, strand, n - 3, "GAG")
    assert a.terms == ["inframe_insertion"]
    assert a.hgvs_p == f"p.Arg{n // 3 - 1}_Ter{n // 3}insGlu"
    # the same codon plus a stop: premature stop? no - the protein still ends after Arg59
    a = insert_after_c(annot, strand, n - 3, "TAG")
    assert a.terms == ["stop_retained_variant"]
    # inside the CDS: an in-frame stop insertion is stop_gained (p. stops at Ter)
    a = insert_after_c(annot, strand, 6, "TAA")
    assert a.terms[0] == "stop_gained" and a.hgvs_p == "p.Gln3Ter"


def test_long_deletion_over_the_last_exon(annot):
    # from intron 2 (-10) to 150 bp past the transcript end: > 200 bp, sampled positions
    s = intron_to_genomic(2, -10, "+")
    e = tx_to_genomic(len(MRNA), "+") + 150
    assert e - s + 1 > 200
    a = ann_for(annot, s - 1, CONTIG[s - 2:e], CONTIG[s - 2], "TXP")
    assert {"splice_acceptor_variant", "stop_lost", "3_prime_UTR_variant"} <= set(a.terms)
    assert a.terms[0] == "splice_acceptor_variant" and a.exon == "3/3" and a.intron == "2/2"


def test_cli_custom_escape_panel(tmp_path, ref):
    panel = tmp_path / "panel.tsv"
    panel.write_text("gene\tpathway\trole\tdomains\nGENEM\tother immune evasion\ttest role\tD:1-10\n")
    g = c_to_genomic(7, "-")
    vcf = tmp_path / "in.vcf"
    write_vcf(vcf, [f"chrT\t{g}\t.\t{CONTIG[g - 1]}\tA\t.\tPASS\t.\tGT\t0/0\t0/1"])
    tsv = tmp_path / "o.tsv"
    r = run_cli("--fasta", ref / "genome.fa", "--gtf", ref / "genes.gtf", "--vcf", vcf,
                "--out", tmp_path / "o.vcf.gz", "--tsv", tsv, "--escape_panel", panel)
    assert r.returncode == 0, r.stderr
    row = dict(zip(*[l.split("\t") for l in tsv.read_text().splitlines()]))
    assert (row["gene"], row["escape_gene"], row["pathway"], row["role"]) == \
        ("GENEM", "true", "other immune evasion", "test role")
    bad = tmp_path / "bad.tsv"
    bad.write_text("gene\tpathway\n")
    r = run_cli("--fasta", ref / "genome.fa", "--gtf", ref / "genes.gtf", "--vcf", vcf,
                "--out", tmp_path / "o2.vcf.gz", "--escape-panel", bad)
    assert r.returncode == 2 and "missing column" in r.stderr
