"""Run every bad-input case of the catalogue through the entry point that must judge it.

For each case (table in make_catalogue.CASES): exit code 0 (accepted / warned) or 2
(rejected); a rejection is exactly one stderr line ``<tool>: error: <file>: <where>:
<message>`` naming the damaged file and the line/record/row; no traceback ever; an
accepted case prints no warning; a warned case prints ``warning:`` with the message.
A few cases also go through ``nextflow run`` to show the rejection comes before any
task is submitted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from make_catalogue import BIN, CASES, ROOT, Case, build_case  # noqa: E402

TOOLS = ("bwa", "samtools", "bgzip", "tabix")
pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason="bwa/samtools/htslib tools not installed")
PY = ROOT / ".venv" / "bin" / "python"
PYTHON = str(PY) if PY.exists() else sys.executable


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bad_inputs")


def _tree(d: Path) -> set[str]:
    return {str(p.relative_to(d)) for p in d.rglob("*")}


def run_case(case: Case, root: Path) -> tuple[subprocess.CompletedProcess, Path]:
    argv = build_case(case.id, root)
    before = _tree(root / case.id)
    tool = BIN / argv[0]
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    res = subprocess.run([PYTHON, str(tool), *argv[1:]], capture_output=True, text=True,
                         cwd=root / case.id, env=env, timeout=300)
    res.new_files = _tree(root / case.id) - before
    return res, root / case.id


def _param(c: Case):
    marks = [pytest.mark.xfail(reason=c.xfail, strict=True)] if c.xfail else []
    return pytest.param(c, id=c.id, marks=marks)


def test_case_ids_are_unique_and_complete():
    from make_catalogue import BUILDERS
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids))
    assert set(ids) == set(BUILDERS)
    assert all(c.expected in ("accepted", "warned", "rejected") for c in CASES)
    assert sum(c.expected != "accepted" for c in CASES) >= 30


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_catalogue(case: Case, root: Path):
    res, d = run_case(case, root)
    err = res.stderr
    assert "Traceback" not in err, err
    tool = (d / "command.txt").read_text().split()[0]
    if case.expected == "rejected":
        assert res.returncode == 2, f"exit {res.returncode}, stderr: {err}"
        lines = [ln for ln in err.splitlines() if ln.strip()]
        assert len(lines) == case.lines, f"expected {case.lines} line(s), got: {err}"
        line = "\n".join(lines)
        assert line.startswith(f"{tool}: error: "), line
        assert case.message in line, line
        assert case.bad_file and case.bad_file in line, line
        assert case.where in line, line
        # nothing is left behind: no output that looks complete, no temporary file
        assert not res.new_files, f"a rejected run left {sorted(res.new_files)}"
    else:
        assert res.returncode == 0, f"exit {res.returncode}, stderr: {err}"
        warnings = [ln for ln in err.splitlines() if "warning:" in ln]
        if case.expected == "warned":
            assert any(case.message in ln for ln in warnings), err
        else:
            assert not warnings, err


NEXTFLOW = ROOT / ".venv" / "bin" / "nextflow"
sys.path.insert(0, str(ROOT / "tests" / "environments"))
import stock_launcher  # noqa: E402


@pytest.mark.pipeline
@pytest.mark.slow
@pytest.mark.skipif(not NEXTFLOW.exists(), reason="nextflow not installed (make install)")
@pytest.mark.parametrize("case", [_param(c) for c in CASES if c.nextflow])
def test_catalogue_rejected_before_any_analysis(case: Case, root: Path, tmp_path: Path):
    """The same rejection through `nextflow run`, and nothing analysed.

    A samplesheet problem is found at launch by lib/SamplesheetValidator.groovy: launched
    with a stock launcher and no Python on PATH, no task is submitted. A content problem
    (FASTA, BED, GTF) is found by the VALIDATE task (it needs Python, so the project's
    launcher runs it here; under a container profile it runs in the image): VALIDATE is the
    only task submitted, and its one-line message is the run's error."""
    argv = build_case(case.id, root)
    opts = dict(zip(argv[1::2], argv[2::2]))
    base = root / "base"
    arms = base / "arms.bed"
    arms.write_text("chr1\t0\t3000\tchr1p\nchr1\t3000\t6000\tchr1q\n")
    args = ["run", str(ROOT), "-ansi-log", "false", "-profile", "test",
            "--input", opts["--input"], "--fasta", opts["--fasta"], "--targets", opts["--targets"],
            "--gtf", opts["--gtf"], "--arms", str(arms), "--outdir", str(tmp_path / "out"),
            "-w", str(tmp_path / "work")]
    structural = case.kind == "samplesheet"
    if structural:
        cmd, env = stock_launcher.command(args), stock_launcher.environment(tmp_path)
    else:
        cmd = [str(NEXTFLOW), *args]
        env = dict(os.environ, NXF_OFFLINE="true", NXF_ANSI_LOG="false",
                   NXF_HOME=str(tmp_path / ".nxf_home"))
    res = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out[-2000:]
    assert case.message in out, out[-2000:]
    assert case.bad_file in out
    assert "Traceback" not in out
    submitted = [ln for ln in out.splitlines() if "Submitted process" in ln]
    if structural:
        assert not submitted, submitted
    else:
        assert submitted and all("VALIDATE" in ln for ln in submitted), submitted
        # the message is the run's error, once, without the task's wrapper noise
        assert "Invalid input" in out and "Command executed" not in out
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.bam"))
