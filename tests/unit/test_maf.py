"""Tests of escapeseq.evolution.maf: alleles and coordinates, vcf2maf's classification, the
rows (presence rule shared with mutations.tsv, AD/DP counts) and the cohort merge."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from escapeseq.errors import InputError
from escapeseq.evolution import inputs
from escapeseq.evolution.cli import cli
from escapeseq.evolution.maf import (
    COLUMNS, ESCAPESEQ_COLUMNS, GDC_COLUMNS, VERSION_LINE, build_maf, hgvsp_short, maf_alleles,
    maf_text, merge_mafs, read_maf, variant_classification, variant_type, write_maf)

from escapeseq.evolution.table import Thresholds, build_table

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


# ---------------------------------------------------------------- alleles and coordinates

@pytest.mark.parametrize("pos, ref, alt, expected", [
    (100, "C", "T", (100, 100, "C", "T")),                 # SNV
    (100, "CA", "TG", (100, 101, "CA", "TG")),             # DNP
    (100, "GTCCA", "G", (101, 104, "TCCA", "-")),          # 4-bp deletion (B2M-like)
    (100, "C", "CTCCTTGT", (100, 101, "-", "TCCTTGT")),    # insertion: anchor, anchor + 1
    (100, "ACGT", "AC", (102, 103, "GT", "-")),            # deletion after 2 shared bases
    (100, "AT", "GCC", (100, 101, "AT", "GCC")),           # complex, nothing shared
])
def test_maf_alleles(pos, ref, alt, expected):
    assert maf_alleles(pos, ref, alt) == expected


def test_long_deletion_spans_every_deleted_base():
    ref = "A" + "CGTTCAGGTACACTCCATAAGAATGCCTGCGCTTACCGGTTAACCGGTTAACCGGTTAC"  # 1 + 59 bases
    start, end, r, a = maf_alleles(1000, ref, "A")
    assert (start, end, a) == (1001, 1059, "-") and len(r) == end - start + 1 == 59


def test_same_allele_is_an_error():
    with pytest.raises(ValueError):
        maf_alleles(5, "A", "A")


@pytest.mark.parametrize("ref, alt, vt", [("C", "T", "SNP"), ("CA", "TG", "DNP"), ("CAT", "TGA", "TNP"),
                                          ("CATG", "TGAC", "ONP"), ("-", "TT", "INS"), ("TCCA", "-", "DEL"),
                                          ("AT", "GCC", "INS"), ("ATG", "C", "DEL")])
def test_variant_type(ref, alt, vt):
    assert variant_type(ref, alt) == vt


@pytest.mark.parametrize("so, vt, inframe, cls", [
    ("stop_gained", "SNP", False, "Nonsense_Mutation"),
    ("frameshift_variant", "DEL", False, "Frame_Shift_Del"),
    ("frameshift_variant", "INS", False, "Frame_Shift_Ins"),
    ("splice_donor_variant", "SNP", False, "Splice_Site"),
    ("splice_acceptor_variant", "DEL", False, "Splice_Site"),
    ("splice_region_variant", "SNP", False, "Splice_Region"),
    ("missense_variant", "SNP", False, "Missense_Mutation"),
    ("synonymous_variant", "SNP", False, "Silent"),
    ("stop_retained_variant", "SNP", False, "Silent"),
    ("stop_lost", "SNP", False, "Nonstop_Mutation"),
    ("start_lost", "SNP", False, "Translation_Start_Site"),
    ("inframe_deletion", "DEL", True, "In_Frame_Del"),
    ("inframe_insertion", "INS", True, "In_Frame_Ins"),
    ("protein_altering_variant", "DEL", True, "In_Frame_Del"),
    ("protein_altering_variant", "INS", False, "Frame_Shift_Ins"),
    ("intron_variant", "SNP", False, "Intron"),
    ("5_prime_UTR_variant", "SNP", False, "5'UTR"),
    ("3_prime_UTR_variant", "SNP", False, "3'UTR"),
    ("upstream_gene_variant", "SNP", False, "5'Flank"),
    ("downstream_gene_variant", "SNP", False, "3'Flank"),
    ("intergenic_variant", "SNP", False, "IGR"),
    ("", "SNP", False, "IGR"),
    ("non_coding_transcript_exon_variant", "SNP", False, "RNA"),
    ("splice_region_variant&intron_variant", "SNP", False, "Splice_Region"),
    ("something_new", "SNP", False, "Targeted_Region"),
])
def test_variant_classification_vcf2maf_table(so, vt, inframe, cls):
    assert variant_classification(so, vt, inframe) == cls


def test_hgvsp_short_prefix():
    assert hgvsp_short("Q503*") == "p.Q503*"
    assert hgvsp_short("p.S14fs") == "p.S14fs"
    assert hgvsp_short("") == ""


# ---------------------------------------------------------------- rows

def _case():
    """Two tumours; mutation 1 only at relapse (homozygous), 2 at both, 3 below the alt-read
    threshold everywhere (1 read), 4 a 4-bp deletion at baseline only."""
    patient = inputs.Patient("X", "N", ["B", "R"], ["baseline", "relapse"],
                             sheet_purity={"B": 1.0, "R": 1.0})
    sites = pd.DataFrame([("chr1", 100, "G", "A", "PASS"), ("chr1", 200, "C", "T", "PASS"),
                          ("chr1", 300, "A", "C", "PASS"), ("chr2", 50, "GTCCA", "G", "PASS")],
                         columns=["chrom", "pos", "ref", "alt", "filter"])
    alt = np.array([[0, 0, 40], [0, 30, 25], [0, 1, 1], [0, 30, 0]])
    depth = np.array([[50, 100, 42], [60, 100, 100], [60, 100, 100], [55, 90, 150]])
    dp = depth + 3          # DP counts reads AD leaves out: t_depth must come from DP
    calls = inputs.Calls(sites, ["N", "B", "R"], alt, depth, {}, dp)
    ann = pd.DataFrame([("chr1", 100, "G", "A", "JAK1", "stop_gained", "c.1507C>T", "p.Gln503Ter",
                         "Q503*", "high", "12/25", "", "T1", "true", "IFN", "HIGH",
                         "stop_gained"),
                        ("chr2", 50, "GTCCA", "G", "B2M", "frameshift_variant", "c.40_43del",
                         "p.Ser14fs", "S14fs", "high", "1/3", "", "T2", "true", "MHC", "HIGH",
                         "frameshift_variant")],
                       columns=["chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "hgvs_p",
                                "hgvs_p_short", "lof_confidence", "exon", "intron", "transcript",
                                "escape_gene", "pathway", "impact", "consequences"])
    ann["lof_confidence"] = ann["lof_confidence"].astype(str)
    table = build_table(patient, calls, ann, {"B": 1.0, "R": 1.0}, {"B": None, "R": None},
                        pd.DataFrame(), {}, Thresholds(min_alt_reads=2))
    table["rank"] = ["1", "", "", ""]
    cands = pd.DataFrame({"chrom": ["chr1"], "pos": [100], "ref": ["G"], "alt": ["A"],
                          "confidence": ["high"]})
    return patient, calls, ann, table, cands


def test_rows_follow_the_presence_rule_and_counts():
    patient, calls, ann, table, cands = _case()
    maf = build_maf(table, calls, patient, ann, cands, min_alt_reads=2, homozygous_vaf=0.85)
    assert list(maf.columns) == COLUMNS
    got = list(zip(maf["Start_Position"], maf["Tumor_Sample_Barcode"]))
    # mutation 3 (1 alt read) has no row; others one row per tumour where >= 2 alt reads
    assert got == [("100", "R"), ("200", "B"), ("200", "R"), ("51", "B")]
    jak = maf.iloc[0]
    assert (jak["Hugo_Symbol"], jak["Variant_Classification"], jak["Variant_Type"]) == \
        ("JAK1", "Nonsense_Mutation", "SNP")
    assert (jak["t_alt_count"], jak["t_ref_count"], jak["t_depth"]) == ("40", "2", "45")
    assert (jak["n_alt_count"], jak["n_ref_count"], jak["n_depth"]) == ("0", "50", "53")
    assert (jak["timepoint"], jak["class"], jak["homozygous"], jak["homozygous_acquired"]) == \
        ("relapse", "relapse_only", "true", "true")
    assert jak["Tumor_Seq_Allele1"] == "A" and jak["Tumor_Seq_Allele2"] == "A"   # homozygous
    assert (jak["candidate_rank"], jak["candidate_confidence"], jak["escape_gene"]) == ("1", "high", "true")
    assert jak["HGVSp_Short"] == "p.Q503*" and jak["Transcript_ID"] == "T1" and jak["Exon_Number"] == "12/25"
    het = maf.iloc[1]
    assert het["Tumor_Seq_Allele1"] == "C" and het["Hugo_Symbol"] == "Unknown"
    assert het["Variant_Classification"] == "IGR"
    b2m = maf.iloc[3]
    assert (b2m["Variant_Classification"], b2m["Variant_Type"], b2m["Reference_Allele"],
            b2m["Tumor_Seq_Allele2"], b2m["End_Position"]) == ("Frame_Shift_Del", "DEL", "TCCA", "-", "54")
    assert b2m["class"] == "baseline_only" and b2m["Matched_Norm_Sample_Barcode"] == "N"
    for c in ("homozygous", "homozygous_acquired", "loh_acquired", "escape_gene"):
        assert set(maf[c]) <= {"true", "false"}


def test_min_alt_reads_changes_rows_like_the_table():
    patient, calls, ann, table, cands = _case()
    maf = build_maf(table, calls, patient, ann, cands, min_alt_reads=1, homozygous_vaf=0.85)
    assert ("300", "B") in set(zip(maf["Start_Position"], maf["Tumor_Sample_Barcode"]))


def test_table_and_calls_must_agree():
    patient, calls, ann, table, cands = _case()
    with pytest.raises(ValueError):
        build_maf(table.iloc[:2], calls, patient, ann, cands, 2, 0.85)


def test_text_round_trip_and_merge(tmp_path):
    patient, calls, ann, table, cands = _case()
    maf = build_maf(table, calls, patient, ann, cands, 2, 0.85)
    text = maf_text(maf)
    assert text.startswith(VERSION_LINE + "\nHugo_Symbol\tEntrez_Gene_Id\tCenter\tNCBI_Build\t")
    write_maf(maf, tmp_path / "X.maf")
    assert read_maf(tmp_path / "X.maf").equals(maf)
    other = maf.copy()
    other["patient"] = "A"
    write_maf(other, tmp_path / "A.maf")
    text = merge_mafs([tmp_path / "X.maf", tmp_path / "A.maf"])
    assert text == merge_mafs([tmp_path / "A.maf", tmp_path / "X.maf"])
    (tmp_path / "cohort.maf").write_text(text)
    merged = read_maf(tmp_path / "cohort.maf")
    assert list(merged["patient"]) == ["A"] * len(maf) + ["X"] * len(maf)   # by patient
    assert merged.equals(pd.concat([read_maf(tmp_path / "A.maf"), maf], ignore_index=True))
    # each row as its file has it; an empty cohort is the version line and the header
    assert text == maf_text(pd.concat([other, maf], ignore_index=True))
    assert merge_mafs([]) == maf_text(maf.iloc[:0])


def test_bad_maf_is_a_one_line_input_error(tmp_path):
    p = tmp_path / "bad.maf"
    p.write_text("#version 2.4\nfoo\tbar\n1\t2\n")
    with pytest.raises(InputError, match="missing column"):
        read_maf(p)
    p.write_text(VERSION_LINE + "\n" + "\t".join(COLUMNS) + "\nJAK1\t0\n")
    with pytest.raises(InputError, match="data line 1"):
        read_maf(p)
    other = tmp_path / "other.maf"
    other.write_text("Hugo_Symbol\tChromosome\tStart_Position\tTumor_Sample_Barcode\nA\tchr1\t1\tS\n")
    with pytest.raises(InputError, match="columns differ"):
        merge_mafs([other])


def test_column_order_is_vcf2maf_then_escapeseq():
    assert GDC_COLUMNS[:4] == ["Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build"]
    i = GDC_COLUMNS.index
    assert i("Tumor_Sample_Barcode") < i("HGVSc") < i("HGVSp_Short") < i("t_depth") < i("n_alt_count") < i("FILTER")
    assert COLUMNS[-len(ESCAPESEQ_COLUMNS):] == ESCAPESEQ_COLUMNS


# ---------------------------------------------------------------- on the simulator's truth

@pytest.fixture(scope="module")
def evolved(tmp_path_factory):
    from escapeseq.annotate.panel import load_panel
    from escapeseq.evolution.synthetic import write_inputs
    sim = tmp_path_factory.mktemp("sim")
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-simulate"), "--preset", "test", "--seed", "7",
                        "--outdir", str(sim), "--no-reads"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"escapeseq-simulate --no-reads failed: {r.stderr.strip()[-200:]}")
    out = tmp_path_factory.mktemp("evo")
    panel = load_panel(None)
    for p in ("P1", "P2", "P3"):
        d = write_inputs(sim, p, out / p, panel=panel)
        assert cli(["--patient", p, "--samplesheet", str(d["samplesheet"]), "--vcf", str(d["vcf"]),
                    "--annotation", str(d["annotation"]), "--cnv-dir", str(d["cnv_dir"]),
                    "--loh-changes", str(d["loh_changes"]), "--outdir", str(out / "evolution")]) == 0
    return sim, out / "evolution"


def _tsv(path):
    return pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("patient", ["P1", "P2", "P3"])
def test_maf_agrees_with_mutations_tsv(evolved, patient):
    """Same mutations, a row exactly where >= 2 alt reads (the classification's rule), same
    counts and class."""
    _, evo = evolved
    m = _tsv(evo / f"{patient}.mutations.tsv")
    maf = read_maf(evo / f"{patient}.maf")
    tumours = [c.removesuffix("_alt_reads") for c in m.columns if c.endswith("_alt_reads")
               and not c.startswith("normal")]
    expect = set()
    for rd in m.to_dict("records"):
        for s in tumours:
            if int(rd[f"{s}_alt_reads"]) >= 2:
                expect.add((rd["chrom"], rd["pos"], s, rd[f"{s}_alt_reads"], rd["class"]))
    # VCF pos from the MAF: a deletion starts after the VCF anchor base, an insertion at it
    got = {(r["Chromosome"], str(int(r["Start_Position"]) - (r["Variant_Type"] == "DEL")),
            r["Tumor_Sample_Barcode"], r["t_alt_count"], r["class"]) for r in maf.to_dict("records")}
    assert got == expect and len(maf) == len(expect)


@pytest.mark.parametrize("patient", ["P1", "P2", "P3"])
def test_reference_allele_matches_the_fasta(evolved, patient):
    """Every row's Reference_Allele is the genome at Start..End (insertions: End = Start + 1),
    which catches off-by-one coordinates, including the simulator's long deletions."""
    import pysam
    sim, evo = evolved
    maf = read_maf(evo / f"{patient}.maf")
    longest = 0
    with pysam.FastaFile(str(sim / "reference" / "genome.fa")) as fa:
        for r in maf.itertuples(index=False):
            s, e = int(r.Start_Position), int(r.End_Position)
            if r.Reference_Allele == "-":
                assert e == s + 1 and r.Variant_Type == "INS"
                continue
            assert fa.fetch(r.Chromosome, s - 1, e).upper() == r.Reference_Allele, (r.Chromosome, s)
            longest = max(longest, e - s + 1)
    assert longest > 1


def test_long_deletion_present(evolved):
    _, evo = evolved
    maf = pd.concat([read_maf(evo / f"P{i}.maf") for i in (1, 2, 3)])
    dels = maf[maf["Variant_Type"] == "DEL"]
    assert dels["Reference_Allele"].str.len().max() >= 40


def test_escape_events_classified(evolved):
    _, evo = evolved
    maf = pd.concat([read_maf(evo / f"P{i}.maf") for i in (1, 2, 3)], ignore_index=True)
    jak1 = maf[(maf["Hugo_Symbol"] == "JAK1") & (maf["Variant_Classification"] == "Nonsense_Mutation")]
    assert list(jak1["timepoint"]) == ["relapse"]
    assert jak1.iloc[0]["homozygous_acquired"] == "true" and jak1.iloc[0]["candidate_rank"] == "1"
    b2m = maf[(maf["Hugo_Symbol"] == "B2M") & (maf["Variant_Type"] == "DEL")]
    assert set(b2m["Variant_Classification"]) == {"Frame_Shift_Del"} and len(b2m)
    jak2 = maf[(maf["Hugo_Symbol"] == "JAK2") & (maf["Variant_Classification"] == "Splice_Site")]
    assert "relapse" in set(jak2["timepoint"])


# ---------------------------------------------------------------- cohort.maf (escapeseq-report index)

def test_report_index_writes_cohort_maf(evolved, tmp_path):
    from escapeseq.report.cli import cli as report_cli
    _, evo = evolved
    mafs = [evo / f"P{i}.maf" for i in (3, 1, 2)]
    assert report_cli(["index", "--outdir", str(tmp_path), "--mafs", *map(str, mafs), "--"]) == 0
    text = (tmp_path / "cohort.maf").read_text()
    assert text.count(VERSION_LINE) == 1 and text.count("Hugo_Symbol\t") == 1
    cohort = read_maf(tmp_path / "cohort.maf")
    parts = [read_maf(evo / f"P{i}.maf") for i in (1, 2, 3)]
    assert cohort.equals(pd.concat(parts, ignore_index=True))          # patients in name order
    assert (tmp_path / "index.html").exists()


def test_report_index_loads_no_pandas_or_matplotlib(evolved, tmp_path):
    """The cohort index (reports, tables, MAFs) is text in, text out: its task pays for
    no pandas, matplotlib, numba or scipy import (issue 15's fixed per-task cost)."""
    from test_startup import probe
    _, evo = evolved
    tables = [str(evo / f"P{i}.{t}.tsv") for i in (1, 2, 3) for t in ("mutations", "candidates", "summary")]
    r = probe("escapeseq-report", ["index", "--outdir", str(tmp_path), "--tables", *tables,
                                   "--mafs", *(str(evo / f"P{i}.maf") for i in (1, 2, 3)), "--"])
    assert r == {"rc": 0, "mods": []}
    assert (tmp_path / "cohort.maf").exists() and (tmp_path / "cohort.escape.tsv").exists()


def test_report_index_bad_maf_exits_2_before_writing(evolved, tmp_path):
    bad = tmp_path / "bad.maf"
    bad.write_text("not\ta\tmaf\n")
    out = tmp_path / "o"
    r = subprocess.run([PY, str(ROOT / "bin" / "escapeseq-report"), "index", "--outdir", str(out),
                        "--mafs", str(bad), "--"], capture_output=True, text=True)
    assert r.returncode == 2 and "bad.maf" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not (out / "index.html").exists()


def test_read_vcf_depth_from_dp_else_ad_sum(tmp_path):
    head = ["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=1000>",
            '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="ref,alt">',
            '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="depth">',
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tN\tT"]
    with_dp = tmp_path / "dp.vcf"
    with_dp.write_text("\n".join(head + ["chr1\t10\t.\tA\tG\t.\tPASS\t.\tAD:DP\t20,0:23\t10,8:19"]) + "\n")
    c = inputs.read_vcf(with_dp, ["N", "T"])
    assert c.dp.tolist() == [[23, 19]] and c.depth.tolist() == [[20, 18]]
    no_dp = tmp_path / "nodp.vcf"
    no_dp.write_text("\n".join([h for h in head if "ID=DP" not in h][:-1] + [head[-1]] +
                               ["chr1\t10\t.\tA\tG\t.\tPASS\t.\tAD\t20,0\t10,8"]) + "\n")
    c = inputs.read_vcf(no_dp, ["N", "T"])
    assert c.dp.tolist() == [[20, 18]]
    assert c.subset(np.array([False])).dp.shape == (0, 2)
