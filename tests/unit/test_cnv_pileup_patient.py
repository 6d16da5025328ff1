"""`escapeseq-cnv pileup-patient` (the pipeline's one CNV_PILEUP task per patient) writes
the same files, byte for byte, as `pileup` of the normal, `pileup` of each tumour and
`identity`, run as separate commands; bad argument lists are one-line errors."""

import gzip
import subprocess
import sys
from pathlib import Path

import pytest

from escapeseq.cnv.cli import main

ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "data" / "tiny"
REF = TINY / "reference"
BAM = TINY / "bam"


def _content(path: Path) -> bytes:
    """A gzip member's bytes can differ by its header time: compare what it holds."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


@pytest.mark.parametrize("threads", ["1", "2"])
def test_pileup_patient_equals_the_separate_commands(tmp_path, threads):
    one, each = tmp_path / "one", tmp_path / "each"
    base = ["--fasta", str(REF / "genome.fa"), "--targets", str(REF / "targets.bed")]
    assert main(["pileup-patient", *base, "--patient", "P1", "--normal-bam",
                 str(BAM / "P1_N.bam"), "--normal-sample", "P1_N", "--tumour-bam",
                 str(BAM / "P1_B.bam"), str(BAM / "P1_R.bam"), "--tumour-sample", "P1_B",
                 "P1_R", "--threads", threads, "--outdir", str(one),
                 "--identity", str(one / "P1.identity.tsv"), "--mqc",
                 str(one / "P1.identity_mqc.tsv"), "--decision", str(one / "P1.decision.txt")]) == 0
    each.mkdir()
    assert main(["pileup", *base, "--bam", str(BAM / "P1_N.bam"), "--sample", "P1_N",
                 "--call-snps", str(each / "P1_N.snps.tsv"),
                 "--out", str(each / "P1_N.counts.tsv.gz")]) == 0
    for s in ("P1_B", "P1_R"):
        assert main(["pileup", *base, "--bam", str(BAM / f"{s}.bam"), "--sample", s,
                     "--snps", str(each / "P1_N.snps.tsv"),
                     "--out", str(each / f"{s}.counts.tsv.gz")]) == 0
    assert main(["identity", "--patient", "P1", "--normal", str(each / "P1_N.counts.tsv.gz"),
                 "--normal-sample", "P1_N", "--tumour", str(each / "P1_B.counts.tsv.gz"),
                 str(each / "P1_R.counts.tsv.gz"), "--tumour-sample", "P1_B", "P1_R",
                 "--out", str(each / "P1.identity.tsv"), "--mqc",
                 str(each / "P1.identity_mqc.tsv"), "--decision", str(each / "P1.decision.txt")]) == 0
    names = sorted(f.name for f in each.iterdir())
    assert names == sorted(f.name for f in one.iterdir())
    assert {"P1_N.snps.tsv", "P1_R.counts.tsv.gz", "P1.identity.tsv"} <= set(names)
    for n in names:
        assert _content(one / n) == _content(each / n), n
    assert len(_content(one / "P1_R.counts.tsv.gz").splitlines()) > 50


@pytest.mark.parametrize("args,msg", [
    (["--tumour-sample", "P1_B"], "--tumour-sample: 1 names for 2 --tumour-bam files"),
    (["--tumour-sample", "P1_B", "P1_N"], "--tumour-sample: a sample name is given twice"),
    (["--tumour-sample", "P1_B", "P1_R", "--threads", "0"], "--threads: must be >= 1"),
])
def test_pileup_patient_refuses_bad_lists_before_reading_a_bam(tmp_path, args, msg):
    r = subprocess.run([sys.executable, str(ROOT / "bin" / "escapeseq-cnv"), "pileup-patient",
                        "--fasta", str(REF / "genome.fa"), "--targets", str(REF / "targets.bed"),
                        "--patient", "P1", "--normal-bam", str(BAM / "P1_N.bam"),
                        "--normal-sample", "P1_N", "--tumour-bam", str(BAM / "P1_B.bam"),
                        str(BAM / "P1_R.bam"), *args, "--outdir", str(tmp_path / "o"),
                        "--identity", str(tmp_path / "o" / "P1.identity.tsv")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1 and msg in r.stderr, r.stderr
    assert not (tmp_path / "o").exists()


def test_pileup_patient_names_a_tumour_bam_of_another_sample(tmp_path):
    r = subprocess.run([sys.executable, str(ROOT / "bin" / "escapeseq-cnv"), "pileup-patient",
                        "--fasta", str(REF / "genome.fa"), "--targets", str(REF / "targets.bed"),
                        "--patient", "P1", "--normal-bam", str(BAM / "P1_N.bam"),
                        "--normal-sample", "P1_N", "--tumour-bam", str(BAM / "P1_R.bam"),
                        "--tumour-sample", "P1_B", "--outdir", str(tmp_path / "o"),
                        "--identity", str(tmp_path / "o" / "P1.identity.tsv")],
                       capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.count("\n") == 1, r.stderr
    assert "P1_R.bam" in r.stderr and "expected P1_B" in r.stderr
