"""Hostile names and paths: IDs that would reach a shell, a path or HTML are rejected up
front, and the validation/alignment CLIs write nothing outside their output locations.

Patient, sample and lane IDs become directory and file names (``<outdir>/<patient>/...``),
read-group fields, command-line arguments and report HTML; the samplesheet restricts
them to ``[A-Za-z0-9._-]`` starting with a letter, digit or ``_``.
"""

from __future__ import annotations

import gzip
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from escapeseq.align import main as align_main, read_group
from escapeseq.errors import InputError, run_cli
from escapeseq.samplesheet import id_problem

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "bin"

HOSTILE = [
    "P1;touch pwned", "$(touch pwned)", "`touch pwned`", "P1|cat", "P1&", "P1>x", "P1<x",
    "P 1", "P1'", 'P1"', "P1\\x", "../x", "..", ".", ".hidden", "-rf", "--help", "/etc/x",
    "a/b", "P1\tT", "P1*", "P1?", "~root", "<img src=x onerror=alert(1)>", "é", "P1\u200b",
    "{P1}", "P1#", "P1%", "P1!", "P1,",
]
SAFE = ["P1", "P1_N", "p1.relapse-2", "_x", "0", "A.B_C-D"]


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_ids_rejected(value):
    assert id_problem(value) is not None
    with pytest.raises(InputError):
        read_group(value, "L1")
    with pytest.raises(InputError):
        read_group("S1", value)


@pytest.mark.parametrize("value", SAFE)
def test_safe_ids_accepted(value):
    assert id_problem(value) is None
    assert f"SM:{value}" in read_group(value, "L1")


def _tree(d: Path) -> set[str]:
    return {str(p.relative_to(d)) for p in d.rglob("*")}


def _fastqs(d: Path, n: int = 20) -> tuple[Path, Path]:
    rng = random.Random(1)
    r1, r2 = d / "R1.fq.gz", d / "R2.fq.gz"
    with gzip.open(r1, "wt") as a, gzip.open(r2, "wt") as b:
        for i in range(n):
            s = "".join(rng.choice("ACGT") for _ in range(50))
            a.write(f"@r{i}\n{s}\n+\n{'I' * 50}\n")
            b.write(f"@r{i}\n{s}\n+\n{'I' * 50}\n")
    return r1, r2


@pytest.mark.parametrize("col,value", [("sample", "../x"), ("patient", ".."),
                                       ("sample", "x;touch ../pwned"), ("patient", "-x"),
                                       ("sample", "/tmp/x"), ("lane", "../L1")])
def test_samplesheet_rejects_path_and_shell_ids_and_writes_nothing(tmp_path, col, value):
    inputs = tmp_path / "in"
    inputs.mkdir()
    r1, r2 = _fastqs(inputs)
    rows = {"patient": "P1", "sample": "P1_T", "lane": "L1"}
    rows[col] = value
    sheet = inputs / "sheet.csv"
    fa = inputs / "g.fa"
    fa.write_text(">c1\nACGTACGTAC\n")
    (inputs / "t.bed").write_text("c1\t0\t10\n")
    sheet.write_text("patient,sample,timepoint,lane,fastq_1,fastq_2\n"
                     f"{rows['patient']},P1_N,normal,L1,{r1},{r2}\n"
                     f"{rows['patient']},{rows['sample']},relapse,{rows['lane']},{r1},{r2}\n")
    before = _tree(tmp_path)
    out = tmp_path / "out" / "valid.csv"
    out.parent.mkdir()
    res = subprocess.run([sys.executable, str(BIN / "escapeseq-validate"), "--input", str(sheet),
                          "--fasta", str(fa), "--targets", str(inputs / "t.bed"),
                          "--out", str(out)], capture_output=True, text=True, cwd=inputs,
                         env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert res.returncode == 2
    assert "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    assert lines[0].startswith("escapeseq-validate: error: ")
    assert f"column {col}: {value!r}" in res.stderr
    assert len(lines) == 1 or (lines[0].endswith("problems:") and
                               all(str(sheet) in ln for ln in lines[1:]))
    assert _tree(tmp_path) == before | {"out"}  # nothing written, not even the output
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("sample", ["../x", "-x", "a b"])
def test_align_rejects_hostile_sample_before_writing(tmp_path, sample, capsys):
    r1, r2 = _fastqs(tmp_path)
    before = _tree(tmp_path)
    for argv in (["fastq", f"--sample={sample}", "--lane", f"L1:{r1}:{r2}", "--index",
                  str(tmp_path / "none.fa"), "--out", str(tmp_path / "o.bam")],
                 ["bam", f"--sample={sample}", "--bam", str(tmp_path / "x.bam"), "--fasta",
                  str(tmp_path / "none.fa"), "--out", str(tmp_path / "o.bam")]):
        assert run_cli("escapeseq-align", align_main, argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("escapeseq-align: error: --sample: ") and err.count("\n") == 1
    assert _tree(tmp_path) == before


@pytest.mark.skipif(shutil.which("bwa") is None, reason="bwa not installed")
def test_alignment_writes_only_its_output(tmp_path):
    """A full `escapeseq-align fastq` run, read-only inputs: new files appear only beside
    --out (the BAM and its index); temporary files are gone; the cwd stays clean."""
    ref, inputs, out, cwd = (tmp_path / n for n in ("ref", "in", "out", "cwd"))
    for d in (ref, inputs, out, cwd):
        d.mkdir()
    rng = random.Random(2)
    seq = "".join(rng.choice("ACGT") for _ in range(2000))
    (ref / "g.fa").write_text(f">c1\n{seq}\n")
    subprocess.run(["bwa", "index", str(ref / "g.fa")], check=True, capture_output=True)
    r1, r2 = inputs / "R1.fq", inputs / "R2.fq"
    comp = str.maketrans("ACGT", "TGCA")
    with open(r1, "w") as a, open(r2, "w") as b:
        for i in range(50):
            s = rng.randrange(0, 1700)
            a.write(f"@r{i}\n{seq[s:s + 60]}\n+\n{'I' * 60}\n")
            b.write(f"@r{i}\n{seq[s + 240:s + 300].translate(comp)[::-1]}\n+\n{'I' * 60}\n")
    for d in (ref, inputs):
        for p in d.iterdir():
            p.chmod(0o444)
        d.chmod(0o555)
    before = _tree(tmp_path)
    try:
        res = subprocess.run([sys.executable, str(BIN / "escapeseq-align"), "fastq", "--sample",
                              "S1", "--lane", f"L1:{r1}:{r2}", "--index", str(ref / "g.fa"),
                              "--out", str(out / "S1.bam")], capture_output=True, text=True,
                             cwd=cwd, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1",
                                           "TMPDIR": str(out)})
    finally:
        for d in (ref, inputs):
            d.chmod(0o755)
    assert res.returncode == 0, res.stderr
    assert _tree(tmp_path) - before == {"out/S1.bam", "out/S1.bam.bai"}
