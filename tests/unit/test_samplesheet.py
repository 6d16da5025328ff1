"""Samplesheet and reference validation: each malformed input gets its one-line message."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from escapeseq.errors import InputError
from escapeseq.samplesheet import (collect_rows, main, parse_rows, parse_timepoint,
                                   validate_bed, validate_references, Problems)


@pytest.fixture()
def reads(tmp_path: Path) -> Path:
    """Six tiny gzipped FASTQs (a, b, c pairs) next to where the sheets are written."""
    rec = b"@r1\nACGT\n+\nIIII\n"
    for name in ("n1", "n2", "t1", "t2", "r1", "r2"):
        with gzip.open(tmp_path / f"{name}.fq.gz", "wb") as fh:
            fh.write(rec)
    return tmp_path


def write(tmp: Path, text: str, name: str = "sheet.csv", raw: bytes | None = None) -> Path:
    p = tmp / name
    if raw is not None:
        p.write_bytes(raw)
    else:
        p.write_text(text)
    return p


GOOD = ("patient,sample,timepoint,fastq_1,fastq_2\n"
        "P1,P1_N,normal,n1.fq.gz,n2.fq.gz\n"
        "P1,P1_B,baseline,t1.fq.gz,t2.fq.gz\n"
        "P1,P1_R,relapse,r1.fq.gz,r2.fq.gz\n")


def errors_of(path: Path) -> list[str]:
    probs = Problems(str(path))
    collect_rows(path, probs)
    return probs.items


def test_good_sheet_resolves_paths_and_orders(reads):
    rows = parse_rows(write(reads, GOOD))
    assert [(r.sample, r.order, r.status) for r in rows] == [
        ("P1_N", 0, "normal"), ("P1_B", 1, "tumour"), ("P1_R", 2, "tumour")]
    assert Path(rows[0].fastq_1).is_absolute() and Path(rows[0].fastq_1).exists()


def test_bom_crlf_and_trailing_commas_are_accepted(reads):
    text = GOOD.replace("\n", ",\r\n")
    rows = parse_rows(write(reads, "", raw=b"\xef\xbb\xbf" + text.encode()))
    assert len(rows) == 3


def test_integer_timepoints(reads):
    text = GOOD.replace("normal", "0").replace("baseline", "1").replace("relapse", "3")
    rows = parse_rows(write(reads, text))
    assert [r.order for r in rows] == [0, 1, 3]
    assert parse_timepoint("relapse") == 2 and parse_timepoint("later") is None


@pytest.mark.parametrize("text, expected", [
    ("", "samplesheet is empty"),
    ("patient,sample,timepoint,fastq_1,fastq_2\n", "header but no samples"),
    ("patient,sample,fastq_1,fastq_2\nP1,P1_N,n1.fq.gz,n2.fq.gz\n", "missing column(s): timepoint"),
    (GOOD.replace("fastq_2\n", "fastq_2,colour\n", 1), "unknown column(s) 'colour'"),
    (GOOD.replace("P1_B", "P1_N"), "duplicate sample ID 'P1_N'"),
    (GOOD.replace("P1,P1_N,normal", "P1,P1_X,baseline"), "patient P1: has no normal"),
    (GOOD.replace("P1,P1_B,baseline", "P1,P1_B,normal"), "has 2 normal samples"),
    ("patient,sample,timepoint,fastq_1,fastq_2\nP1,P1_N,normal,n1.fq.gz,n2.fq.gz\n",
     "patient P1: has no tumour"),
    (GOOD.replace("r1.fq.gz,r2.fq.gz", "r1.fq.gz,"), "row 4, column fastq_2: empty: the FASTQ pair is given half"),
    (GOOD.replace("r1.fq.gz", "missing.fq.gz"), "row 4, column fastq_1: missing.fq.gz: file not found"),
    (GOOD.replace("P1_R", "P1 R;rm -rf"), "row 4, column sample: 'P1 R;rm -rf' has characters outside"),
    (GOOD.replace("P1,P1_R", "P/1,P1_R"), "row 4, column patient: 'P/1' has characters outside"),
    (GOOD.replace("relapse", "later"), "row 4, column timepoint: 'later' is not normal"),
    (GOOD.replace("baseline", "relapse"), "has 2 tumour samples at timepoint order 2"),
    ("patient,sample,timepoint,fastq_1,fastq_2,purity\nP1,P1_N,normal,n1.fq.gz,n2.fq.gz,\n"
     "P1,P1_B,baseline,t1.fq.gz,t2.fq.gz,60\n", "column purity: '60' is not a fraction"),
    ("patient,sample,timepoint,fastq_1,fastq_2,bam\nP1,P1_N,normal,n1.fq.gz,n2.fq.gz,x.bam\n"
     "P1,P1_B,baseline,t1.fq.gz,t2.fq.gz,\n", "either fastq_1/fastq_2 or bam, not both"),
    (GOOD.replace("P1,P1_R,relapse,r1.fq.gz,r2.fq.gz", "P1,P1_R,relapse,r1.fq.gz,r2.fq.gz,extra"),
     "row 4: has 6 fields, header has 5"),
])
def test_each_problem_has_its_message(reads, text, expected):
    errs = errors_of(write(reads, text))
    assert any(expected in e for e in errs), errs
    assert all(e.startswith(str(reads / "sheet.csv")) for e in errs)


def test_lanes_are_merged_not_duplicates(reads):
    text = ("patient,sample,timepoint,lane,fastq_1,fastq_2\n"
            "P1,P1_N,normal,L1,n1.fq.gz,n2.fq.gz\n"
            "P1,P1_N,normal,L2,t1.fq.gz,t2.fq.gz\n"
            "P1,P1_R,relapse,L1,r1.fq.gz,r2.fq.gz\n")
    rows = parse_rows(write(reads, text))
    assert [r.lane for r in rows if r.sample == "P1_N"] == ["L1", "L2"]
    errs = errors_of(write(reads, text.replace("L2", "L1")))
    assert any("repeats a lane" in e for e in errs)


def test_not_a_fastq_and_empty_fastq(reads):
    (reads / "bad.fq").write_text("this is not a fastq\n")
    (reads / "empty.fq").write_text("")
    errs = errors_of(write(reads, GOOD.replace("t1.fq.gz", "bad.fq").replace("r1.fq.gz", "empty.fq")))
    assert any("row 3, column fastq_1: bad.fq: not a FASTQ" in e for e in errs)
    assert any("row 4, column fastq_1: empty.fq: file is empty" in e for e in errs)


def test_all_problems_reported_together(reads):
    text = GOOD.replace("P1_B", "P1 B").replace("r1.fq.gz", "nope.fq.gz")
    with pytest.raises(InputError) as ei:
        parse_rows(write(reads, text))
    msg = str(ei.value)
    assert "2 problems" in msg and "P1 B" in msg and "nope.fq.gz" in msg


def test_references(tmp_path):
    fa = tmp_path / "g.fa"
    fa.write_text(">chr1\nACGT\n>chr2\nACGT\n")
    bed = tmp_path / "t.bed"
    bed.write_text("chr1\t0\t4\nchr2\t1\t3\n")
    assert validate_references(str(fa), str(bed), None) == []
    bed.write_text("1\t0\t4\n")
    (msg,) = validate_bed(bed, {"chr1", "chr2"})
    assert "line 1: contig(s) not in the FASTA: 1 (chr prefix mismatch" in msg
    bed.write_text("chr1\t5\t4\n")
    assert "end (4) must be greater than start (5)" in validate_bed(bed, {"chr1"})[0]
    fa.write_text(">chr1\nACGT\n>chr1\nACGT\n")
    assert "duplicate contig name(s): chr1" in validate_references(str(fa), None, None)[0]
    assert "BWA index incomplete" in validate_references(
        str(fa), None, None, bwa_index=str(tmp_path / "nope"))[-1]
    fa.write_text("ACGT\n")
    assert "not a FASTA" in validate_references(str(fa), None, None)[0]
    assert "not a FASTA" in validate_references(
        str(tmp_path / "g.fa"), None, None, bwa_index=str(tmp_path / "nope"))[-1]


def test_cli_writes_validated_sheet_and_exits_2_on_error(reads, capsys):
    fa = reads / "g.fa"
    fa.write_text(">chr1\nACGT\n")
    bed = reads / "t.bed"
    bed.write_text("chr1\t0\t4\n")
    out = reads / "valid.csv"
    assert main(["--input", str(write(reads, GOOD)), "--fasta", str(fa), "--targets", str(bed),
                 "--out", str(out)]) == 0
    lines = out.read_text().splitlines()
    assert lines[0].startswith("patient,sample,timepoint,order,status")
    assert len(lines) == 4
    from escapeseq.samplesheet import cli
    assert cli(["--input", str(reads / "none.csv"), "--fasta", str(fa)]) == 2
    err = capsys.readouterr().err
    assert "none.csv: file not found" in err and "Traceback" not in err


# ---------------------------------------------------------------- issue 9 additions

def test_id_rules():
    from escapeseq.samplesheet import id_problem
    assert id_problem("P1_N.2-a") is None and id_problem("_x") is None
    for bad, why in (("..", "starts with '.'"), (".x", "starts with '.'"),
                     ("-rf", "starts with '-'"), ("a/b", "characters outside"),
                     ("P1\n", "characters outside"), ("", "characters outside")):
        assert why in id_problem(bad)


def test_outdir_manifest_refuses_another_samplesheet(reads):
    from escapeseq.samplesheet import check_outdir, read_manifest, write_manifest
    rows = parse_rows(write(reads, GOOD))
    out = reads / "results"
    assert check_outdir(out, rows, overwrite=False) == []          # missing: fine
    write_manifest(out, rows, str(reads / "sheet.csv"))
    man = read_manifest(out / "pipeline_info" / "run_manifest.tsv")
    assert man["patients"] == "P1" and man["samplesheet"] == "sheet.csv"
    assert str(reads) not in (out / "pipeline_info" / "run_manifest.tsv").read_text()
    assert check_outdir(out, rows, overwrite=False) == []          # same sheet: rerun
    other = parse_rows(write(reads, GOOD.replace("P1", "P2"), name="other.csv"))
    with pytest.raises(InputError, match="holds results of another samplesheet"):
        check_outdir(out, other, overwrite=False)
    warns = check_outdir(out, other, overwrite=True)
    assert any("no longer in the samplesheet remain: P1" in w for w in warns)
    foreign = reads / "foreign"
    (foreign / "pipeline_info").mkdir(parents=True)
    (foreign / "pipeline_info" / "execution_trace_2026.txt").write_text("")  # Nextflow opens it first
    assert check_outdir(foreign, rows, overwrite=False) == []
    (foreign / "x").mkdir(parents=True)
    (foreign / "x" / "old.tsv").write_text("x")
    with pytest.raises(InputError, match="has no pipeline_info/run_manifest.tsv"):
        check_outdir(foreign, rows, overwrite=False)


def test_gtf_line_check(tmp_path):
    from escapeseq.samplesheet import validate_gtf
    ok = 'chr1\tt\texon\t10\t20\t.\t+\t.\tgene_id "G"; transcript_id "T1";\n'
    g = tmp_path / "g.gtf"
    g.write_text(ok)
    assert validate_gtf(g, {"chr1"}) == []
    g.write_text(ok.replace('transcript_id "T1";', 'transcript_id "";'))
    assert "line 1: exon without a transcript_id" in validate_gtf(g, {"chr1"})[0]
    g.write_text(ok.replace("chr1", "1"))
    assert "chr prefix mismatch" in validate_gtf(g, {"chr1"})[0]
    g.write_bytes(gzip.compress(ok.encode() * 100)[:40])
    assert "truncated or corrupt gzip" in validate_gtf(g, {"chr1"})[0]


# ------------------------------------------------------------------ --content-only (VALIDATE)

def _bam(path: Path, contigs: list[tuple[str, int]]) -> Path:
    import pysam
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": c, "LN": n} for c, n in contigs]}
    with pysam.AlignmentFile(str(path), "wb", header=header):
        pass
    return path


def _checks(tmp: Path, lines: list[tuple[str, ...]]) -> Path:
    import csv as _csv
    p = tmp / "checks.csv"
    with open(p, "w", newline="") as fh:
        w = _csv.writer(fh, lineterminator="\n")
        w.writerow(["kind", "row", "column", "value", "staged"])
        w.writerows(lines)
    return p


@pytest.fixture()
def staged(tmp_path: Path) -> Path:
    """A VALIDATE work directory: staged reads, BAMs and references."""
    for sub in ("reads/1", "reads/2", "reads/3", "reads/4", "ref", "targets"):
        (tmp_path / sub).mkdir(parents=True)
    rec = b"@r1\nACGT\n+\nIIII\n"
    with gzip.open(tmp_path / "reads/1/n1.fq.gz", "wb") as fh:
        fh.write(rec)
    (tmp_path / "reads/2/n2.fq").write_text(">chr1\nACGT\n")
    _bam(tmp_path / "reads/3/t.bam", [("chr1", 100)])
    _bam(tmp_path / "reads/4/r.bam", [("1", 100)])
    (tmp_path / "ref/genome.fa").write_text(">chr1\n" + "A" * 100 + "\n")
    (tmp_path / "targets/t.bed").write_text("chr1\t10\t20\n")
    return tmp_path


def test_content_only_names_rows_and_user_paths(staged, monkeypatch, capsys):
    monkeypatch.chdir(staged)
    checks = _checks(staged, [
        ("samplesheet", "", "", "/data/sheet.csv", ""),
        ("fastq", "2", "fastq_1", "/data/n1.fq.gz", "reads/1/n1.fq.gz"),
        ("fastq", "2", "fastq_2", "/data/n2.fq", "reads/2/n2.fq"),
        ("bam", "3", "bam", "/data/t.bam", "reads/3/t.bam"),
        ("bam", "4", "bam", "/data/r.bam", "reads/4/r.bam"),
        ("fasta", "", "", "/refs/genome.fa", "ref/genome.fa"),
        ("targets", "", "", "/refs/t.bed", "targets/t.bed")])
    assert main(["--content-only", str(checks), "--problems-out", "problems.txt"]) == 0
    lines = (staged / "problems.txt").read_text().splitlines()
    assert lines == [
        "/data/sheet.csv: row 2, column fastq_2: /data/n2.fq: not a FASTQ file "
        "(first record does not start with '@')",
        "/data/sheet.csv: row 4, column bam: /data/r.bam: header: no contig in common with "
        "the FASTA (e.g. '1') (chr prefix mismatch between BAM and FASTA?)"]
    # without --problems-out: the same problems, one InputError (exit 2 through run_cli)
    from escapeseq.samplesheet import cli
    assert cli(["--content-only", str(checks)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("escapeseq-validate: error: 2 problems:")
    assert "Traceback" not in err


def test_content_only_reference_problem_names_the_original(staged, monkeypatch):
    monkeypatch.chdir(staged)
    (staged / "targets/t.bed").write_text("1\t10\t20\n")
    (staged / "reads/3/t.bam").write_bytes(b"not a bam at all")
    checks = _checks(staged, [
        ("samplesheet", "", "", "/data/sheet.csv", ""),
        ("bam", "3", "bam", "/data/t.bam", "reads/3/t.bam"),
        ("fasta", "", "", "/refs/genome.fa", "ref/genome.fa"),
        ("targets", "", "", "/refs/t.bed", "targets/t.bed")])
    assert main(["--content-only", str(checks), "--problems-out", "p.txt"]) == 0
    lines = (staged / "p.txt").read_text().splitlines()
    assert lines[0].startswith("/refs/t.bed: line 1: contig(s) not in the FASTA: 1")
    assert lines[1].startswith("/data/sheet.csv: row 3, column bam: /data/t.bam: not a BAM/CRAM file")
    assert len(lines) == 2


def test_content_only_all_good_writes_empty_problems(staged, monkeypatch):
    monkeypatch.chdir(staged)
    checks = _checks(staged, [
        ("samplesheet", "", "", "/data/sheet.csv", ""),
        ("fastq", "2", "fastq_1", "/data/n1.fq.gz", "reads/1/n1.fq.gz"),
        ("bam", "3", "bam", "/data/t.bam", "reads/3/t.bam"),
        ("fasta", "", "", "/refs/genome.fa", "ref/genome.fa"),
        ("targets", "", "", "/refs/t.bed", "targets/t.bed")])
    assert main(["--content-only", str(checks), "--problems-out", "p.txt"]) == 0
    assert (staged / "p.txt").read_text() == ""


def test_content_only_rejects_a_bad_work_list(tmp_path, capsys):
    bad = tmp_path / "checks.csv"
    bad.write_text("a,b\n1,2\n")
    from escapeseq.samplesheet import cli
    assert cli(["--content-only", str(bad)]) == 2
    assert "not a content-check list" in capsys.readouterr().err


def _cram(path: Path, fasta: Path, contigs: list[tuple[str, int, str]]) -> Path:
    """A header-only CRAM whose @SQ lines carry the given M5 checksums."""
    import pysam
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": c, "LN": n, "M5": m5} for c, n, m5 in contigs]}
    with pysam.AlignmentFile(str(path), "wc", header=header, reference_filename=str(fasta)):
        pass
    return path


def test_content_only_checks_a_cram_against_the_fasta_by_m5(staged, monkeypatch):
    """A CRAM input is read like a BAM; one written against another reference (same names
    and lengths, other bases: the @SQ M5 differs) is a one-line problem before any task."""
    import hashlib
    monkeypatch.chdir(staged)
    fa = staged / "ref/genome.fa"
    good = hashlib.md5(b"A" * 100).hexdigest()
    other = hashlib.md5(b"C" * 100).hexdigest()
    _cram(staged / "reads/3/t.cram", fa, [("chr1", 100, good)])
    _cram(staged / "reads/4/r.cram", fa, [("chr1", 100, other)])
    checks = _checks(staged, [
        ("samplesheet", "", "", "/data/sheet.csv", ""),
        ("bam", "3", "bam", "/data/t.cram", "reads/3/t.cram"),
        ("bam", "4", "bam", "/data/r.cram", "reads/4/r.cram"),
        ("fasta", "", "", "/refs/genome.fa", "ref/genome.fa"),
        ("targets", "", "", "/refs/t.bed", "targets/t.bed")])
    assert main(["--content-only", str(checks), "--problems-out", "p.txt"]) == 0
    assert (staged / "p.txt").read_text().splitlines() == [
        "/data/sheet.csv: row 4, column bam: /data/r.cram: CRAM header @SQ chr1: M5 differs "
        "from the FASTA's sequence (the CRAM was written against another reference; give "
        "that one as --fasta)"]


def test_sequence_md5_follows_the_sam_spec():
    """M5: MD5 of the upper-cased sequence without whitespace (soft-masking does not count)."""
    import hashlib
    from escapeseq.alignio import sequence_md5
    assert sequence_md5("acgT\nNN") == hashlib.md5(b"ACGTNN").hexdigest()
