"""Tests of escapeseq-simulate on a mini instance (short contigs, low depth)."""

from __future__ import annotations

import csv
import gzip
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pysam
import pytest

from escapeseq.sim.design import left_align_del, left_align_ins
from escapeseq.sim.genome import merge_intervals, partition_cds
from escapeseq.sim.mixture import Event, copies_at, expected_vaf, purity_adjusted_vaf
from escapeseq.sim.seqs import revcomp, translate
from escapeseq.simulate import main

SEED = "11"


@pytest.fixture(scope="module")
def mini(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("mini") / "a"
    assert main(["--preset", "mini", "--seed", SEED, "--outdir", str(out)]) == 0
    return out


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def gtf_records(path: Path) -> list[dict]:
    out = []
    for line in open(path):
        f = line.rstrip("\n").split("\t")
        attrs = dict(re.findall(r'(\w+) "([^"]*)"', f[8]))
        m = re.search(r"exon_number (\d+)", f[8])
        out.append(dict(chrom=f[0], feature=f[2], start=int(f[3]), end=int(f[4]), strand=f[6],
                        frame=f[7], attrs=attrs, raw=f[8],
                        exon_number=int(m.group(1)) if m else None))
    return out


def cds_of(mini: Path, gene: str) -> tuple[str, list[dict]]:
    fa = pysam.FastaFile(str(mini / "reference/genome.fa"))
    recs = [r for r in gtf_records(mini / "reference/genes.gtf") if r["attrs"].get("gene_name") == gene]
    cds = sorted((r for r in recs if r["feature"] == "CDS"), key=lambda r: r["start"])
    seq = "".join(fa.fetch(r["chrom"], r["start"] - 1, r["end"]) for r in cds)
    if cds[0]["strand"] == "-":
        seq = revcomp(seq)
    return seq, recs


# ------------------------------------------------------------------ determinism / files

def test_deterministic_byte_identical(tmp_path):
    low = ["--preset", "mini", "--seed", SEED, "--tumour-depth", "4", "--normal-depth", "3"]
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(low + ["--outdir", str(a)]) == 0
    assert main(low + ["--outdir", str(b), "--threads", "1"]) == 0
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 20
    for rel in files_a:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_mini_reference_and_truth_identical_to_fixture(mini, tmp_path):
    """Depth does not change the reference or the truth variants/segments."""
    c = tmp_path / "c"
    assert main(["--preset", "mini", "--seed", SEED, "--outdir", str(c), "--no-reads"]) == 0
    for rel in ("reference/genome.fa", "reference/genes.gtf", "reference/targets.bed",
                "truth/P1.variants.tsv", "truth/P2.segments.tsv", "truth/purity.tsv",
                "samplesheet.csv"):
        assert (mini / rel).read_bytes() == (c / rel).read_bytes(), rel


def test_different_seed_differs(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    main(["--preset", "mini", "--seed", "1", "--outdir", str(a), "--no-reads"])
    main(["--preset", "mini", "--seed", "2", "--outdir", str(b), "--no-reads"])
    assert (a / "reference/genome.fa").read_bytes() != (b / "reference/genome.fa").read_bytes()


def test_layout_and_samplesheet(mini):
    for rel in ("reference/genome.fa", "reference/genome.fa.fai", "reference/genes.gtf",
                "reference/targets.bed", "reference/arms.bed", "truth/purity.tsv",
                "truth/README.md", "samplesheet.csv"):
        assert (mini / rel).is_file(), rel
    rows = list(csv.DictReader(open(mini / "samplesheet.csv")))
    assert list(rows[0]) == ["patient", "sample", "timepoint", "fastq_1", "fastq_2"]
    assert [r["sample"] for r in rows[:3]] == ["P1_N", "P1_B", "P1_R"]
    assert [r["timepoint"] for r in rows[:3]] == ["normal", "baseline", "relapse"]
    for r in rows:
        assert not r["fastq_1"].startswith("/")
        assert (mini / r["fastq_1"]).is_file() and (mini / r["fastq_2"]).is_file()
    assert not list(mini.glob(".sim-*")) and not list(mini.rglob("*.tmp"))


def test_fastq_pairs_match(mini):
    for r1 in sorted((mini / "reads").glob("*_R1.fastq.gz")):
        r2 = Path(str(r1).replace("_R1.", "_R2."))
        with gzip.open(r1, "rt") as a, gzip.open(r2, "rt") as b:
            la, lb = a.read().split("\n"), b.read().split("\n")
        assert len(la) == len(lb) and len(la) > 4000
        names_a, names_b = la[0::4][:-1], lb[0::4][:-1]
        assert names_a == names_b
        assert len(set(names_a)) == len(names_a)
        sample = r1.name.split("_R1")[0]
        assert names_a[0].startswith(f"@{sample}:")
        assert all(len(s) == 100 for s in la[1::4][:200])


def test_fai_matches_fasta(mini):
    fa = pysam.FastaFile(str(mini / "reference/genome.fa"))
    fai = [line.split("\t") for line in open(mini / "reference/genome.fa.fai")]
    assert [f[0] for f in fai] == ["chr1", "chr6", "chr9", "chr15", "chr17", "chrX"]
    for f in fai:
        assert fa.get_reference_length(f[0]) == int(f[1])
        seq = fa.fetch(f[0])
        gc = (seq.count("G") + seq.count("C")) / len(seq)
        assert 0.36 < gc < 0.47


def test_targets_sorted_inside_contigs(mini):
    lens = {f.split("\t")[0]: int(f.split("\t")[1]) for f in open(mini / "reference/genome.fa.fai")}
    order = list(lens)
    rows = [line.rstrip("\n").split("\t") for line in open(mini / "reference/targets.bed")]
    keys = [(order.index(r[0]), int(r[1])) for r in rows]
    assert keys == sorted(keys)
    prev = None
    for r in rows:
        s, e = int(r[1]), int(r[2])
        assert 0 <= s < e <= lens[r[0]] and r[3]
        if prev and prev[0] == r[0]:
            assert s >= prev[1]
        prev = (r[0], e)
    # every arm has targets
    arms = [line.split("\t") for line in open(mini / "reference/arms.bed")]
    for c, s, e, _ in arms:
        assert any(r[0] == c and int(s) <= int(r[1]) < int(e) for r in rows), (c, s)


def test_gtf_sorted_and_attributes(mini):
    recs = gtf_records(mini / "reference/genes.gtf")
    order = ["chr1", "chr6", "chr9", "chr15", "chr17", "chrX"]
    keys = [(order.index(r["chrom"]), r["start"]) for r in recs]
    assert keys == sorted(keys)
    feats = {r["feature"] for r in recs}
    assert feats == {"gene", "transcript", "exon", "CDS", "start_codon", "stop_codon", "UTR"}
    for r in recs:
        if r["feature"] != "gene":
            assert 'tag "Ensembl_canonical"' in r["raw"]
            assert {"gene_id", "transcript_id", "gene_name", "transcript_name",
                    "gene_type", "transcript_type"} <= set(r["attrs"])
    fa = pysam.FastaFile(str(mini / "reference/genome.fa"))
    # every intron is GT..AG and every protein is stop-free with ATG start
    by_tx: dict[str, list[dict]] = {}
    for r in recs:
        if r["feature"] == "exon":
            by_tx.setdefault(r["attrs"]["transcript_id"], []).append(r)
    for exons in by_tx.values():
        exons.sort(key=lambda r: r["start"])
        for a, b in zip(exons, exons[1:]):
            intron = fa.fetch(a["chrom"], a["end"], b["start"] - 1)
            if a["strand"] == "-":
                intron = revcomp(intron)
            assert intron[:2] == "GT" and intron[-2:] == "AG"
    names = {r["attrs"]["gene_name"] for r in recs}
    for g in sorted(names)[:20]:
        seq, _ = cds_of(mini, g)
        prot = translate(seq)
        assert prot[0] == "M" and "*" not in prot


# ------------------------------------------------------------------ gene models

def test_jak1_model(mini):
    seq, recs = cds_of(mini, "JAK1")
    prot = translate(seq)
    assert len(prot) == 1154 and "*" not in prot
    assert prot[502] == "Q" and seq[1506:1509] == "CAG"
    exons = sorted((r for r in recs if r["feature"] == "exon"), key=lambda r: r["exon_number"])
    assert len(exons) == 25 and exons[0]["strand"] == "-"
    cds_recs = sorted((r for r in recs if r["feature"] == "CDS"), key=lambda r: r["exon_number"])
    assert len(cds_recs) == 24 and cds_recs[0]["exon_number"] == 2
    # codon 503 lies inside one CDS piece, > 55 nt upstream of the last exon-exon junction
    done = 0
    last_junction_c = None
    for r in cds_recs:
        ln = r["end"] - r["start"] + 1
        if done < 1507 <= done + ln:
            assert 1509 <= done + ln
        done += ln
        if r["exon_number"] == 24:
            last_junction_c = done
    assert last_junction_c - 1509 > 55
    assert 'gene_name "JAK1"' in next(r["raw"] for r in recs if r["feature"] == "gene")
    # the planted variant is a G>A on the genome at c.1507
    v = [r for r in read_tsv(mini / "truth/P1.variants.tsv") if r["escape_event"] == "true"]
    assert len(v) == 1 and v[0]["gene"] == "JAK1" and (v[0]["ref"], v[0]["alt"]) == ("G", "A")


def test_jak2_model_intron12_stop(mini):
    seq, recs = cds_of(mini, "JAK2")
    prot = translate(seq)
    assert len(prot) == 1132 and prot[546] == "F"
    cds_recs = sorted((r for r in recs if r["feature"] == "CDS"), key=lambda r: r["exon_number"])
    assert len(cds_recs) == 24
    upto12 = sum(r["end"] - r["start"] + 1 for r in cds_recs if r["exon_number"] <= 12)
    assert upto12 == 3 * 547  # exon 12 ends right after codon 547 (Phe)
    ex12 = next(r for r in recs if r["feature"] == "exon" and r["exon_number"] == 12)
    fa = pysam.FastaFile(str(mini / "reference/genome.fa"))
    intron = fa.fetch("chr9", ex12["end"], ex12["end"] + 12)
    codons = [intron[i:i + 3] for i in range(0, 12, 3)]
    assert intron[:2] == "GT"
    assert [translate(c) for c in codons[:3]].count("*") == 0
    assert translate(codons[3]) == "*"  # stop starts at intron +10
    v = [r for r in read_tsv(mini / "truth/P2.variants.tsv") if r["gene"] == "JAK2"
         and r["escape_event"] == "true"]
    assert len(v) == 1 and int(v[0]["pos"]) == ex12["end"] + 1 and v[0]["alt"] == "T"
    assert v[0]["region"] == "splice"


def test_b2m_model_and_deletion(mini):
    seq, recs = cds_of(mini, "B2M")
    prot = translate(seq)
    assert len(prot) == 119 and prot[13] == "S"
    assert len([r for r in recs if r["feature"] == "exon"]) == 4
    assert {r["exon_number"] for r in recs if r["feature"] == "CDS"} == {1, 2, 3}
    v = [r for r in read_tsv(mini / "truth/P2.variants.tsv") if r["gene"] == "B2M"
         and r["escape_event"] == "true"]
    assert len(v) == 1 and v[0]["type"] == "del" and len(v[0]["ref"]) == 5 and len(v[0]["alt"]) == 1
    fa = pysam.FastaFile(str(mini / "reference/genome.fa"))
    pos = int(v[0]["pos"])
    assert fa.fetch("chr15", pos - 1, pos + 4) == v[0]["ref"]
    mutated = seq[:39] + seq[43:]
    p2 = translate(mutated[: len(mutated) // 3 * 3])
    assert p2[:13] == prot[:13] and p2[13:30] != prot[13:30]


# ------------------------------------------------------------------ truth maths

def test_expected_vaf_formula():
    # clonal het mutation on a CN-LOH-duplicated haplotype at purity 0.6 -> 0.6
    assert expected_vaf(np.array([0.4, 0.6]), np.array([0, 2]), np.array([2, 2])) == pytest.approx(0.6)
    # het clonal diploid at purity 0.8 -> 0.4
    assert expected_vaf(np.array([0.2, 0.8]), np.array([0, 1]), np.array([2, 2])) == pytest.approx(0.4)
    # single-copy LOH (1 copy, mutated) at purity 0.5: 0.5 / (0.5 + 1.0)
    assert expected_vaf(np.array([0.5, 0.5]), np.array([0, 1]), np.array([2, 1])) == pytest.approx(1 / 3)
    assert purity_adjusted_vaf(0.6, 0.6, 2.0) == pytest.approx(1.0)


def test_copy_events_follow_mutations():
    h = [Event("mut", "chr1", 100, 100, "A", vid=1), Event("cnloh", "chr1", 1, 500, "A")]
    cps = copies_at(h, "chr1", 100, male=False)
    assert [c[0] for c in cps] == ["A", "A"] and all(1 in c[1] for c in cps)
    h2 = [Event("mut", "chr1", 100, 100, "B", vid=2), Event("cnloh", "chr1", 1, 500, "A")]
    assert all(2 not in c[1] for c in copies_at(h2, "chr1", 100, male=False))
    h3 = [Event("mut", "chr1", 100, 100, "A", vid=3), Event("wgd", "*", 1, 1 << 40),
          Event("loss", "chr1", 1, 500, "B", count=0)]
    cps = copies_at(h3, "chr1", 100, male=False)
    assert len(cps) == 2 and sum(3 in c[1] for c in cps) == 2
    assert len(copies_at([], "chrX", 5, male=True)) == 1
    assert copies_at(h, "chr1", 600, male=False) == [("A", frozenset()), ("B", frozenset())]


def test_truth_p1_jak1_and_loh(mini):
    rows = read_tsv(mini / "truth/P1.variants.tsv")
    jak1 = next(r for r in rows if r["escape_event"] == "true")
    assert float(jak1["P1_R_vaf"]) == pytest.approx(0.6)
    assert float(jak1["P1_B_vaf"]) == 0 and float(jak1["P1_N_vaf"]) == 0
    assert jak1["class"] == "relapse_only" and jak1["P1_R_mut_copies"] == "2"
    assert jak1["P1_R_cn_total"] == "2" and jak1["haplotype"] == "A"
    assert "Gln503Ter" in jak1["note"]
    arms = {line.split("\t")[3].strip(): int(line.split("\t")[2])
            for line in open(mini / "reference/arms.bed")}
    p_end = arms["chr1p"]
    truncal_1p = [r for r in rows if r["origin"] == "somatic" and r["clone"] == "T"
                  and r["chrom"] == "chr1" and int(r["pos"]) <= p_end]
    lost = [r for r in truncal_1p if r["haplotype"] == "B"]
    homo = [r for r in truncal_1p if r["haplotype"] == "A"]
    assert lost and homo
    for r in lost:
        assert float(r["P1_R_vaf"]) == 0 and r["lost_by_cn"] == "true" and r["class"] == "baseline_only"
        assert float(r["P1_B_vaf"]) == pytest.approx(0.35)
    for r in homo:
        assert float(r["P1_R_vaf"]) == pytest.approx(0.6) and r["class"] == "shared"
    # germline het SNPs on 1p: relapse VAF is 0.2 (B) or 0.8 (A); baseline 0.5
    het = [r for r in rows if r["origin"] == "germline" and r["chrom"] == "chr1"
           and int(r["pos"]) <= p_end and r["haplotype"] in ("A", "B") and r["type"] == "snv"]
    assert len(het) >= 30
    assert {r["P1_R_vaf"] for r in het} == {"0.2", "0.8"}
    assert {r["P1_N_vaf"] for r in het} == {"0.5"}
    # chr17q gain A,A,B at both timepoints
    segs = read_tsv(mini / "truth/P1.segments.tsv")
    s17 = [s for s in segs if s["chrom"] == "chr17" and s["cn_total"] == "3"]
    assert {s["sample"] for s in s17} == {"P1_B", "P1_R"}
    cnl = [s for s in segs if s["cn_neutral_loh"] == "true"]
    assert [(s["sample"], s["chrom"], s["start"], int(s["end"])) for s in cnl] == [
        ("P1_R", "chr1", "1", p_end)]


def test_truth_p2_p3(mini):
    rows = read_tsv(mini / "truth/P2.variants.tsv")
    esc = {r["gene"]: r for r in rows if r["escape_event"] == "true"}
    assert set(esc) == {"JAK2", "B2M"}
    assert float(esc["JAK2"]["P2_R_vaf"]) == pytest.approx(0.75)
    assert float(esc["B2M"]["P2_R_vaf"]) == pytest.approx(0.375)
    assert float(esc["JAK2"]["P2_B_vaf"]) == 0 == float(esc["B2M"]["P2_B_vaf"])
    segs = read_tsv(mini / "truth/P2.segments.tsv")
    chr9 = [s for s in segs if s["chrom"] == "chr9" and s["sample"] == "P2_R"]
    assert len(chr9) == 1 and chr9[0]["cn_neutral_loh"] == "true"
    l6 = [s for s in segs if s["chrom"] == "chr6" and s["loh"] == "true"]
    assert {s["sample"] for s in l6} == {"P2_B", "P2_R"}
    assert all(s["cn_total"] == "1" and s["cn_neutral_loh"] == "false" for s in l6)
    p3 = read_tsv(mini / "truth/P3.variants.tsv")
    panel = {"JAK1", "JAK2", "B2M", "IFNGR1", "IFNGR2", "STAT1", "IRF1", "HLA-A", "TAP1",
             "TAP2", "TAPBP"}
    assert not [r for r in p3 if r["origin"] == "somatic" and r["gene"] in panel]
    assert not [r for r in p3 if r["escape_event"] == "true"]
    assert not [s for s in read_tsv(mini / "truth/P3.segments.tsv") if s["loh"] == "true"]
    classes = {r["class"] for r in p3 if r["origin"] == "somatic"}
    assert classes == {"shared", "baseline_only", "relapse_only"}


def test_segments_cover_contigs(mini):
    lens = {f.split("\t")[0]: int(f.split("\t")[1]) for f in open(mini / "reference/genome.fa.fai")}
    for p in ("P1", "P2", "P3"):
        segs = read_tsv(mini / f"truth/{p}.segments.tsv")
        for sample in {s["sample"] for s in segs}:
            for c, ln in lens.items():
                mine = [s for s in segs if s["sample"] == sample and s["chrom"] == c]
                assert int(mine[0]["start"]) == 1 and int(mine[-1]["end"]) == ln
                for a, b in zip(mine, mine[1:]):
                    assert int(a["end"]) + 1 == int(b["start"])
    pur = read_tsv(mini / "truth/purity.tsv")
    assert [(r["sample"], r["purity"]) for r in pur] == [
        ("P1_B", "0.7"), ("P1_R", "0.6"), ("P2_B", "0.8"), ("P2_R", "0.75"), ("P3_B", "0.6"),
        ("P3_R", "0.65")]
    assert float(next(r for r in pur if r["sample"] == "P2_B")["ploidy"]) < 2


def test_truth_variants_sorted_and_match_reference(mini):
    fa = pysam.FastaFile(str(mini / "reference/genome.fa"))
    order = list(fa.references)
    for p in ("P1", "P2", "P3"):
        rows = read_tsv(mini / f"truth/{p}.variants.tsv")
        keys = [(order.index(r["chrom"]), int(r["pos"])) for r in rows]
        assert keys == sorted(keys)
        for r in rows:
            pos = int(r["pos"])
            assert fa.fetch(r["chrom"], pos - 1, pos - 1 + len(r["ref"])) == r["ref"]
            if r["type"] != "snv":
                assert r["ref"][0] == r["alt"][0]
                # left-aligned: the base before cannot be shifted into
                ln = abs(len(r["ref"]) - len(r["alt"]))
                indel = r["ref"][1:] if r["type"] == "del" else r["alt"][1:]
                assert fa.fetch(r["chrom"], pos - 1, pos) != indel[-1] or ln == 0
        het = [r for r in rows if r["origin"] == "germline" and r["haplotype"] in ("A", "B")]
        for arm_c in order:
            assert sum(r["chrom"] == arm_c for r in het) >= 30


# ------------------------------------------------------------------ pure helpers

def test_left_alignment():
    seq = "GCAAAAAT"  # A-run at 3..7
    assert left_align_del(seq, 6, 1) == (2, "CA", "C")
    assert left_align_ins(seq, 7, "A") == (2, "C", "CA")
    assert left_align_del("ACGTACGTT", 5, 4) == (1, "ACGTA", "A")
    assert merge_intervals([(5, 9), (1, 3), (4, 4), (20, 30)]) == [(1, 9), (20, 30)]


def test_partition_keeps_codon():
    rng = np.random.default_rng(0)
    for _ in range(20):
        ends = partition_cds(rng, 3465, 24, {}, (503,))
        assert ends[-1] == 3465 and ends == sorted(ends)
        assert not any(e in (1507, 1508) for e in ends)
    assert partition_cds(rng, 3399, 24, {11: 1641}, ())[10] == 1641


def test_bad_input_one_line(capsys, tmp_path):
    with pytest.raises(SystemExit) as e:
        main(["--preset", "test", "--seed", "1", "--outdir", str(tmp_path), "--purities", "1.5"])
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("escapeseq-simulate: error: --purities")


# ------------------------------------------------------------------ reads show the truth

@pytest.mark.skipif(shutil.which("bwa") is None, reason="bwa not installed")
def test_reads_show_planted_vafs(mini, tmp_path):
    ref = tmp_path / "genome.fa"
    shutil.copy(mini / "reference/genome.fa", ref)
    subprocess.run(["bwa", "index", str(ref)], check=True, capture_output=True)

    def align(sample: str) -> Path:
        sam = tmp_path / f"{sample}.sam"
        with open(sam, "w") as fh:
            subprocess.run(["bwa", "mem", "-t", "2", "-v", "1", str(ref),
                            str(mini / f"reads/{sample}_R1.fastq.gz"),
                            str(mini / f"reads/{sample}_R2.fastq.gz")], check=True, stdout=fh,
                           stderr=subprocess.DEVNULL)
        bam = tmp_path / f"{sample}.bam"
        pysam.sort("-o", str(bam), str(sam))
        pysam.index(str(bam))
        return bam

    def alt_frac(bam: Path, chrom: str, pos: int, alt: str) -> tuple[int, int]:
        with pysam.AlignmentFile(str(bam)) as af:
            cov = af.count_coverage(chrom, pos - 1, pos, quality_threshold=0)
        counts = dict(zip("ACGT", (int(c[0]) for c in cov)))
        return counts[alt], sum(counts.values())

    rows = read_tsv(mini / "truth/P1.variants.tsv")
    jak1 = next(r for r in rows if r["escape_event"] == "true")
    b_r, b_b = align("P1_R"), align("P1_B")
    a, d = alt_frac(b_r, jak1["chrom"], int(jak1["pos"]), jak1["alt"])
    assert d >= 15 and abs(a / d - 0.6) < 0.25
    a, d = alt_frac(b_b, jak1["chrom"], int(jak1["pos"]), jak1["alt"])
    assert d >= 15 and a <= 1
    # germline het SNPs: mean observed VAF tracks the truth at relapse (0.2 / 0.5 / 0.8)
    snps = [r for r in rows if r["origin"] == "germline" and r["type"] == "snv"][:400]
    obs, exp = [], []
    for r in snps:
        a, d = alt_frac(b_r, r["chrom"], int(r["pos"]), r["alt"])
        if d >= 10:
            obs.append(a / d)
            exp.append(float(r["P1_R_vaf"]))
    obs_a, exp_a = np.array(obs), np.array(exp)
    assert len(obs_a) > 100
    assert abs(np.mean(obs_a - exp_a)) < 0.03
    assert np.corrcoef(obs_a, exp_a)[0, 1] > 0.85


def test_copies_over_window_carries_all_mutations():
    from escapeseq.sim.mixture import copies_over
    h = [Event("mut", "chr1", 150, 150, "A", vid=1), Event("mut", "chr1", 170, 170, "B", vid=2),
         Event("cnloh", "chr1", 1, 500, "A")]
    cps = copies_over(h, "chr1", 100, 200, male=False)
    assert cps == [("A", frozenset({1})), ("A", frozenset({1}))]
    with pytest.raises(ValueError):
        copies_over(h, "chr1", 450, 550, male=False)


def test_bench_design_truth(tmp_path):
    out = tmp_path / "bench"
    assert main(["--preset", "bench", "--seed", "4", "--outdir", str(out), "--target-mb", "0.05",
                 "--purities", "0.4", "0.9", "--no-reads"]) == 0
    pats = read_tsv(out / "truth/patients.tsv")
    assert [(p["patient"], p["sex"], p["wgd"]) for p in pats] == [
        ("B1", "male", "false"), ("B2", "female", "true")]
    pur = {r["sample"]: r for r in read_tsv(out / "truth/purity.tsv")}
    assert 3.2 < float(pur["B2_B"]["ploidy"]) < 3.8 and 1.7 < float(pur["B1_B"]["ploidy"]) < 2.4
    b1 = read_tsv(out / "truth/B1.variants.tsv")
    x = [r for r in b1 if r["chrom"] == "chrX" and r["origin"] == "germline" and r["type"] == "snv"]
    assert x and all(r["B1_N_vaf"] == "1" for r in x)
    for p in ("B1", "B2"):
        rows = read_tsv(out / f"truth/{p}.variants.tsv")
        som = [r for r in rows if r["origin"] == "somatic"]
        assert {r["class"] for r in som} == {"shared", "baseline_only", "relapse_only"}
        vafs = np.array([max(float(r[f"{p}_B_vaf"]), float(r[f"{p}_R_vaf"])) for r in som])
        assert vafs.min() < 0.1 and vafs.max() >= 0.35
        sizes = [abs(len(r["ref"]) - len(r["alt"])) for r in som if r["type"] != "snv"]
        assert sizes and max(sizes) <= 50
        segs = read_tsv(out / f"truth/{p}.segments.tsv")
        acquired = [s for s in segs if s["sample"] == f"{p}_R" and s["cn_neutral_loh"] == "true"]
        base = {(s["chrom"], s["start"]) for s in segs if s["sample"] == f"{p}_B"
                and s["cn_neutral_loh"] == "true"}
        assert [s for s in acquired if (s["chrom"], s["start"]) not in base]
    segs = read_tsv(out / "truth/B1.segments.tsv")
    assert all(s["loh"] == "false" for s in segs if s["chrom"] == "chrX")


def test_external_shuffle_with_many_buckets(tmp_path):
    from escapeseq.sim.reads import shuffle_to_fastq

    def write_fq(n: int, tag: str) -> tuple[Path, Path]:
        p1, p2 = tmp_path / f"{tag}1.fq", tmp_path / f"{tag}2.fq"
        with open(p1, "w") as a, open(p2, "w") as b:
            for i in range(n):
                a.write(f"@x{i}/1\n{'ACGT'[i % 4] * 10}\n+\n{'I' * 10}\n")
                b.write(f"@x{i}/2\n{'TGCA'[i % 4] * 9}{tag}\n+\n{'#' * 10}\n")
        return p1, p2

    outs = []
    for run in ("a", "b"):
        pairs = [write_fq(300, "C"), write_fq(200, "G")]
        o1, o2 = tmp_path / f"{run}_R1.fq.gz", tmp_path / f"{run}_R2.fq.gz"
        n = shuffle_to_fastq("S1", pairs, o1, o2, np.random.default_rng(5), tmp_path, 500,
                             bucket_pairs=40)
        assert n == 500
        outs.append((o1.read_bytes(), o2.read_bytes()))
        l1 = gzip.decompress(o1.read_bytes()).decode().split("\n")
        l2 = gzip.decompress(o2.read_bytes()).decode().split("\n")
        assert l1[0::4][:-1] == l2[0::4][:-1] == [f"@S1:{i}" for i in range(1, 501)]
        # pairs stay together and every input pair appears once
        got = sorted(zip(l1[1::4], l2[1::4]))
        want = sorted([("ACGT"[i % 4] * 10, "TGCA"[i % 4] * 9 + "C") for i in range(300)]
                      + [("ACGT"[i % 4] * 10, "TGCA"[i % 4] * 9 + "G") for i in range(200)])
        assert got == want
        # shuffled: the two inputs are interleaved in the first 100 records
        assert {s[-1] for s in l2[1::4][:100]} == {"C", "G"}
        assert not list(tmp_path.glob("*.bucket*"))
    assert outs[0] == outs[1]


def test_target_depth_gain():
    from escapeseq.sim.reads import target_depth_gain
    wins = [("chr1", 1, 1000), ("chr1", 2001, 2500)]
    tg = [("chr1", 300, 700, "G1"), ("chr1", 2251, 2260, "G2")]
    g = target_depth_gain(wins, tg)
    want = (401 * 1000 / 751 + 10 * 500 / 251) / 411
    assert g == pytest.approx(want)
    assert target_depth_gain([], []) == 1.0


def test_quiet_design_truth(tmp_path):
    """quiet preset: flat baseline, truncal het JAK1 Q503* made homozygous by relapse CN-LOH."""
    out = tmp_path / "quiet"
    assert main(["--preset", "quiet", "--seed", "5", "--outdir", str(out), "--no-reads"]) == 0
    pur = {r["sample"]: float(r["purity"]) for r in read_tsv(out / "truth/purity.tsv")}
    assert pur == {"Q1_B": 0.6, "Q1_R": 0.7}
    assert [ln.split(",")[1] for ln in (out / "samplesheet.csv").read_text().split()[1:]] == [
        "Q1_N", "Q1_B", "Q1_R"]
    segs = read_tsv(out / "truth/Q1.segments.tsv")
    base = [s for s in segs if s["sample"] == "Q1_B"]
    assert all(s["cn_a"] == "1" and s["cn_b"] == "1" for s in base)  # flat, balanced
    arms = {ln.split("\t")[3].strip(): int(ln.split("\t")[2])
            for ln in open(out / "reference/arms.bed")}
    rel_loh = [(s["chrom"], s["start"], int(s["end"]), s["cn_neutral_loh"])
               for s in segs if s["sample"] == "Q1_R" and s["loh"] == "true"]
    assert rel_loh == [("chr1", "1", arms["chr1p"], "true")]
    rows = read_tsv(out / "truth/Q1.variants.tsv")
    esc = [r for r in rows if r["escape_event"] == "true"]
    assert len(esc) == 1 and esc[0]["gene"] == "JAK1" and "Gln503Ter" in esc[0]["note"]
    j = esc[0]
    assert j["clone"] == "T" and j["class"] == "shared" and j["haplotype"] == "A"
    assert float(j["Q1_B_vaf"]) == pytest.approx(0.3) and j["Q1_B_mut_copies"] == "1"
    assert float(j["Q1_R_vaf"]) == pytest.approx(0.7) and j["Q1_R_mut_copies"] == "2"
    # enough truncal clonal heterozygous mutations for a VAF-based purity: VAF = purity / 2
    trunc = [r for r in rows if r["origin"] == "somatic" and r["clone"] == "T"]
    assert len(trunc) >= 50
    assert all(float(r["Q1_B_vaf"]) == pytest.approx(0.3) for r in trunc)
    off_1p = [r for r in trunc if not (r["chrom"] == "chr1" and int(r["pos"]) <= arms["chr1p"])]
    assert len(off_1p) >= 40 and all(float(r["Q1_R_vaf"]) == pytest.approx(0.35) for r in off_1p)
    # relapse-private mutations on chr1p sit on the kept haplotype A (none lost)
    assert not [r for r in rows if r["origin"] == "somatic" and r["class"] == "other"]
    # baseline germline het SNPs are balanced everywhere (no allelic imbalance)
    het = [r for r in rows if r["origin"] == "germline" and r["haplotype"] in ("A", "B")
           and r["type"] == "snv"]
    assert het and {r["Q1_B_vaf"] for r in het} == {"0.5"}


def test_indel_length_model():
    """Exome-like indel lengths: del 1-60, ins 1-30, ~1/3 >= 6 bp, deletions > insertions."""
    from escapeseq.sim.design import draw_indel
    rng = np.random.default_rng(1)
    draws = [draw_indel(rng) for _ in range(20000)]
    dels = np.array([n for ins, n in draws if not ins])
    inss = np.array([n for ins, n in draws if ins])
    assert dels.min() == 1 and dels.max() == 60 and inss.min() == 1 and inss.max() == 30
    assert 0.57 < len(dels) / len(draws) < 0.63
    long_share = np.mean([n >= 6 for _, n in draws])
    assert 0.30 < long_share < 0.36
    assert 0.08 < np.mean(dels >= 20) < 0.16
    binned = np.array([n for _, n in (draw_indel(rng, "binned") for _ in range(9000))])
    shares = [np.mean((binned >= lo) & (binned <= hi)) for lo, hi in ((1, 5), (6, 19), (20, 60))]
    assert all(0.30 < x < 0.37 for x in shares)
    capped = [n for _, n in (draw_indel(rng, "exome", 4) for _ in range(2000))]
    assert max(capped) == 4 and min(capped) == 1
    with pytest.raises(ValueError):
        draw_indel(rng, "nope")


def test_bench_indels_long_and_at_target_edges(tmp_path):
    out = tmp_path / "b"
    assert main(["--preset", "bench", "--seed", "3", "--outdir", str(out), "--target-mb", "0.3",
                 "--no-reads"]) == 0
    tg = [ln.split("\t") for ln in open(out / "reference/targets.bed")]
    edges: dict[str, list[int]] = {}
    for c, s0, e0, _ in tg:
        edges.setdefault(c, []).extend([int(s0) + 1, int(e0)])
    indels = []
    for f in sorted((out / "truth").glob("B*.variants.tsv")):
        indels += [r for r in read_tsv(f) if r["origin"] == "somatic" and r["type"] != "snv"]
    sizes = np.array([abs(len(r["ref"]) - len(r["alt"])) for r in indels])
    assert len(indels) >= 40 and sizes.max() > 20 and np.mean(sizes >= 6) > 0.2
    assert sum(r["type"] == "del" for r in indels) > sum(r["type"] == "ins" for r in indels)
    near = [r for r in indels if min(abs(int(r["pos"]) - x) for x in edges[r["chrom"]]) <= 13]
    assert len(near) >= 0.1 * len(indels)
