"""Alignment CLI: read groups, lane merge, duplicate marking, determinism, bad input."""

from __future__ import annotations

import gzip
import random
import shutil
import subprocess
from pathlib import Path

import pysam
import pytest

from escapeseq.align import Lane, align_sample, parse_lane, prepare_bam, read_group
from escapeseq.errors import InputError

pytestmark = pytest.mark.skipif(shutil.which("bwa") is None, reason="bwa not installed")

COMP = str.maketrans("ACGT", "TGCA")


def revcomp(s: str) -> str:
    return s.translate(COMP)[::-1]


@pytest.fixture(scope="module")
def ref(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("ref")
    rng = random.Random(5)
    fa = d / "g.fa"
    with open(fa, "w") as fh:
        for c in ("chrA", "chrB"):
            seq = "".join(rng.choice("ACGT") for _ in range(30000))
            fh.write(f">{c}\n{seq}\n")
    subprocess.run(["bwa", "index", str(fa)], check=True, capture_output=True)
    pysam.faidx(str(fa))
    return fa


def make_pairs(fa: Path, out: Path, n: int, seed: int, names_ok: bool = True) -> tuple[str, str]:
    """Error-free read pairs (100 bp, insert 300) from the reference."""
    seqs = {r.name: r.sequence for r in pysam.FastxFile(str(fa))}
    rng = random.Random(seed)
    r1, r2 = out.with_suffix(".R1.fq.gz"), out.with_suffix(".R2.fq.gz")
    with gzip.open(r1, "wt") as f1, gzip.open(r2, "wt") as f2:
        for i in range(n):
            c = rng.choice(sorted(seqs))
            s = rng.randrange(0, len(seqs[c]) - 300)
            frag = seqs[c][s:s + 300]
            q = "I" * 100
            f1.write(f"@{out.name}_{i}/1\n{frag[:100]}\n+\n{q}\n")
            name2 = f"{out.name}_{i}" if names_ok else f"other_{i}"
            f2.write(f"@{name2}/2\n{revcomp(frag[-100:])}\n+\n{q}\n")
    return str(r1), str(r2)


def test_read_group_and_lane_parsing():
    assert read_group("P1_N", "L1") == \
        "@RG\\tID:P1_N.L1\\tSM:P1_N\\tLB:P1_N\\tPL:ILLUMINA\\tPU:L1"
    assert parse_lane("L2:a.fq:b.fq") == Lane("L2", "a.fq", "b.fq")
    with pytest.raises(InputError):
        parse_lane("a.fq:b.fq")
    with pytest.raises(InputError):
        read_group("P1 N", "L1")


def test_two_lanes_merged_sorted_indexed_and_counted(ref, tmp_path):
    l1 = make_pairs(ref, tmp_path / "l1", 400, 1)
    l2 = make_pairs(ref, tmp_path / "l2", 300, 2)
    out = tmp_path / "S.bam"
    align_sample("S", [Lane("L1", *l1), Lane("L2", *l2)], str(ref), str(out), threads=2,
                 markdup_stats=str(tmp_path / "md.txt"))
    assert Path(str(out) + ".bai").exists()
    assert not list(tmp_path.glob(".S.*")), "temporary directory left behind"
    with pysam.AlignmentFile(str(out)) as bam:
        assert bam.header["HD"]["SO"] == "coordinate"
        rgs = {rg["ID"]: rg for rg in bam.header["RG"]}
        assert set(rgs) == {"S.L1", "S.L2"} and {rg["SM"] for rg in rgs.values()} == {"S"}
        reads = list(bam.fetch(until_eof=True))
    assert len(reads) == 2 * (400 + 300)  # every input read is in the BAM
    assert sum(r.is_mapped for r in reads) >= 0.99 * len(reads)
    assert {r.get_tag("RG") for r in reads} == {"S.L1", "S.L2"}
    assert all(r.has_tag("MC") for r in reads if r.is_paired and not r.mate_is_unmapped)
    subprocess.run(["samtools", "quickcheck", str(out)], check=True)


def test_duplicates_marked_and_output_independent_of_threads(ref, tmp_path):
    l1 = make_pairs(ref, tmp_path / "d", 200, 3)
    outs = []
    for t in (1, 2):
        out = tmp_path / f"t{t}.bam"
        # the same lane twice: every pair of the second copy is a duplicate
        align_sample("S", [Lane("L1", *l1), Lane("L2", *l1)], str(ref), str(out), threads=t)
        outs.append(out)
    recs = [pysam.view(str(o)) for o in outs]
    assert recs[0] == recs[1]
    with pysam.AlignmentFile(str(outs[0])) as bam:
        dups = sum(r.is_duplicate for r in bam.fetch(until_eof=True))
    assert 400 <= dups <= 420  # the 400 copies, plus any chance duplicates among the originals


def test_bad_fastq_inputs_raise_one_line_errors(ref, tmp_path):
    with pytest.raises(InputError, match="file not found"):
        align_sample("S", [Lane("L1", str(tmp_path / "x.fq"), str(tmp_path / "y.fq"))],
                     str(ref), str(tmp_path / "o.bam"))
    bad = make_pairs(ref, tmp_path / "bad", 50, 4, names_ok=False)
    with pytest.raises(InputError, match=r"bad.R2.fq.gz: record 1: mate name 'other_0' differs"):
        align_sample("S", [Lane("L1", *bad)], str(ref), str(tmp_path / "o.bam"))
    assert not (tmp_path / "o.bam").exists()  # nothing half-written under the final name
    with pytest.raises(InputError, match="BWA index incomplete"):
        align_sample("S", [Lane("L1", *bad)], str(tmp_path / "noindex"), str(tmp_path / "o.bam"))


def test_prepare_bam_renames_sample_and_rejects_other_reference(ref, tmp_path):
    l1 = make_pairs(ref, tmp_path / "p", 100, 6)
    src = tmp_path / "src.bam"
    align_sample("OLD", [Lane("L1", *l1)], str(ref), str(src))
    out = tmp_path / "NEW.bam"
    prepare_bam("NEW", str(src), str(ref), str(out))
    with pysam.AlignmentFile(str(out)) as bam:
        assert {rg["SM"] for rg in bam.header["RG"]} == {"NEW"}
    other = tmp_path / "other.fa"
    other.write_text(">chrA\nACGT\n")
    with pytest.raises(InputError, match="@SQ chrA: length"):
        prepare_bam("NEW", str(src), str(other), str(tmp_path / "x.bam"))
    trunc = tmp_path / "trunc.bam"
    trunc.write_bytes(src.read_bytes()[:100])
    with pytest.raises(InputError):
        prepare_bam("NEW", str(trunc), str(ref), str(tmp_path / "y.bam"))


def test_cli_exit_code(ref, tmp_path, capsys):
    from escapeseq.align import cli
    rc = cli(["fastq", "--sample", "S", "--lane", f"L1:{tmp_path}/a.fq:{tmp_path}/b.fq",
              "--index", str(ref), "--out", str(tmp_path / "o.bam")])
    assert rc == 2
    err = capsys.readouterr().err
    assert err.startswith("escapeseq-align: error: ") and "a.fq" in err and "\n" == err[-1]
    assert err.count("\n") == 1


def _fq(path: Path, records: list[str], gz: bool = True) -> str:
    data = "".join(records).encode()
    if gz:
        with gzip.open(path, "wb") as fh:
            fh.write(data)
    else:
        path.write_bytes(data)
    return str(path)


@pytest.mark.parametrize("r1, r2, expected", [
    (["@a/1\nACGT\n+\nIIII\n"] * 2, ["@a/2\nACGT\n+\nIIII\n"], "R1.fq.gz: record 2: file ends|"
     "R2.fq.gz: record 2: file ends after 1 reads but its mate file has more"),
    (["@a\nACGX\n+\nIIII\n"], ["@a\nACGT\n+\nIIII\n"], "R1.fq.gz: record 1: bases other than ACGTN: 'X'"),
    (["@a\nACGT\n+\nIII\n"], ["@a\nACGT\n+\nIIII\n"], "R1.fq.gz: record 1: quality string length 3"),
    (["a\nACGT\n+\nIIII\n"], ["@a\nACGT\n+\nIIII\n"], "R1.fq.gz: record 1: not a FASTQ record"),
])
def test_fastq_record_checks(tmp_path, r1, r2, expected):
    from escapeseq.align import interleave_checked
    import io
    f1, f2 = _fq(tmp_path / "R1.fq.gz", r1), _fq(tmp_path / "R2.fq.gz", r2)
    with pytest.raises(InputError) as ei:
        interleave_checked(f1, f2, io.BytesIO())
    assert any(e in str(ei.value) for e in expected.split("|")), str(ei.value)


def test_truncated_gzip_and_good_interleave(tmp_path):
    from escapeseq.align import interleave_checked
    import io
    recs1 = [f"@r{i}/1 x\nACGTN\n+\nIIIII\n" for i in range(3000)]
    recs2 = [f"@r{i}/2 y\nacgtn\n+\nIIIII\n" for i in range(3000)]
    f1, f2 = _fq(tmp_path / "a.fq.gz", recs1), _fq(tmp_path / "b.fq", recs2, gz=False)
    out = io.BytesIO()
    assert interleave_checked(f1, f2, out) == 3000
    assert out.getvalue().count(b"\n") == 8 * 3000
    data = (tmp_path / "a.fq.gz").read_bytes()
    (tmp_path / "t.fq.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="t.fq.gz: record .*: truncated or corrupt gzip"):
        interleave_checked(str(tmp_path / "t.fq.gz"), f2, io.BytesIO())


def test_cpu_log_splits_the_alignment_by_tool(ref, tmp_path):
    from escapeseq import align
    l1 = make_pairs(ref, tmp_path / "l1", 300, 3)
    align.TOOL_CPU.clear()
    log = tmp_path / "cpu.tsv"
    assert align.cli(["fastq", "--sample", "S", "--lane", f"L1:{l1[0]}:{l1[1]}", "--index", str(ref),
                      "--cpu-log", str(log), "--out", str(tmp_path / "S.bam")]) == 0
    rows = dict(line.split("\t") for line in log.read_text().splitlines()[1:])
    assert {"escapeseq", "bwa mem", "samtools fixmate", "samtools sort", "samtools merge",
            "samtools markdup", "samtools index"} == set(rows)
    assert all(float(v) >= 0 for v in rows.values()) and float(rows["bwa mem"]) > 0


def _records(path: Path, ref: Path) -> list[str]:
    """SAM body lines of a BAM/CRAM, decoded against `ref`, optional tags sorted (a CRAM
    decoder regenerates MD/NM and appends them last)."""
    out = []
    for ln in pysam.view("-T", str(ref), str(path)).splitlines():
        f = ln.split("\t")
        out.append("\t".join(f[:11] + sorted(f[11:])))
    return out


def test_cram_output_written_directly_with_the_same_records(ref, tmp_path):
    """--out x.cram: markdup writes CRAM against the FASTA (+ .crai); the records are those
    of the BAM output, bit for bit once decoded."""
    l1 = make_pairs(ref, tmp_path / "c", 200, 8)
    bam, cram = tmp_path / "S.bam", tmp_path / "S.cram"
    align_sample("S", [Lane("L1", *l1)], str(ref), str(bam))
    align_sample("S", [Lane("L1", *l1)], str(ref), str(cram), reference=str(ref))
    assert cram.read_bytes()[:4] == b"CRAM"
    assert Path(str(cram) + ".crai").exists() and not Path(str(cram) + ".bai").exists()
    subprocess.run(["samtools", "quickcheck", str(cram)], check=True)
    assert _records(cram, ref) == _records(bam, ref)
    with pysam.AlignmentFile(str(cram), "rc", reference_filename=str(ref)) as af:
        assert all("M5" in sq for sq in af.header["SQ"])  # written against this FASTA
    # MD/NM stored, not left to the reader to regenerate: the records are the BAM's exactly
    raw = pysam.view("-T", str(ref), str(cram)).splitlines()
    assert raw == pysam.view(str(bam)).splitlines()
    with pytest.raises(InputError, match="CRAM output needs the reference"):
        align_sample("S", [Lane("L1", *l1)], str(ref), str(tmp_path / "T.cram"))


@pytest.mark.parametrize("src_fmt,out_fmt,sample", [
    ("bam", "cram", "S"), ("cram", "bam", "S"), ("cram", "cram", "S"), ("cram", "cram", "NEW"),
    ("cram", "bam", "NEW"), ("bam", "cram", "NEW")])
def test_prepare_bam_reads_and_writes_both_formats(ref, tmp_path, src_fmt, out_fmt, sample):
    l1 = make_pairs(ref, tmp_path / "q", 150, 9)
    src = tmp_path / f"src.{src_fmt}"
    align_sample("S", [Lane("L1", *l1)], str(ref), str(src), reference=str(ref))
    out = tmp_path / f"{sample}.{out_fmt}"
    prepare_bam(sample, str(src), str(ref), str(out))
    assert (out.read_bytes()[:4] == b"CRAM") == (out_fmt == "cram")
    assert Path(str(out) + (".crai" if out_fmt == "cram" else ".bai")).exists()
    assert not list(tmp_path.glob("*.tmp.*"))
    assert _records(out, ref) == _records(src, ref)
    with pysam.AlignmentFile(str(out), reference_filename=str(ref)) as af:
        assert {rg["SM"] for rg in af.header["RG"]} == {sample}


def test_prepare_bam_rejects_a_cram_of_another_reference(ref, tmp_path):
    """Same contig names and lengths, other bases: the @SQ M5 tells, before any decoding."""
    l1 = make_pairs(ref, tmp_path / "m", 100, 10)
    src = tmp_path / "src.cram"
    align_sample("S", [Lane("L1", *l1)], str(ref), str(src), reference=str(ref))
    other = tmp_path / "other.fa"
    seqs = [(r.name, r.sequence) for r in pysam.FastxFile(str(ref))]
    other.write_text("".join(f">{n}\n{s[::-1]}\n" for n, s in seqs))
    pysam.faidx(str(other))
    with pytest.raises(InputError, match=r"@SQ chrA: M5 differs from the FASTA"):
        prepare_bam("S", str(src), str(other), str(tmp_path / "o.bam"))


def test_cli_output_fmt_must_agree_with_the_name(ref, tmp_path, capsys):
    from escapeseq.align import cli
    l1 = make_pairs(ref, tmp_path / "f", 50, 11)
    assert cli(["fastq", "--sample", "S", "--lane", f"L1:{l1[0]}:{l1[1]}", "--index", str(ref),
                "--output-fmt", "cram", "--out", str(tmp_path / "S.bam")]) == 2
    assert "is not named .cram" in capsys.readouterr().err
    assert cli(["fastq", "--sample", "S", "--lane", f"L1:{l1[0]}:{l1[1]}", "--index", str(ref),
                "--fasta", str(ref), "--output-fmt", "cram", "--out", str(tmp_path / "S.cram")]) == 0
    assert (tmp_path / "S.cram.crai").exists()
