"""Pipeline tests: real `nextflow run` on the bundled (generated) test data.

The full `-profile test` run happens once per session (fixture `test_run`); every test
reads its outputs. Set ESCAPESEQ_TEST_RESULTS=<dir> to reuse a finished run's outdir.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / ".testdata"
NEXTFLOW = ROOT / ".venv" / "bin" / "nextflow"


@dataclass
class Run:
    outdir: Path
    workdir: Path
    returncode: int
    stdout: str
    seconds: float


def nextflow(args: list[str], cwd: Path, timeout: int = 3000) -> subprocess.CompletedProcess:
    """Run the pipeline with the project's Nextflow, in `cwd` (its own .nextflow cache)."""
    if not NEXTFLOW.exists():
        pytest.fail(f"{NEXTFLOW} missing: run `make install`")
    env = dict(os.environ, NXF_OFFLINE="true", NXF_ANSI_LOG="false")
    env.setdefault("NXF_HOME", str(cwd / ".nxf_home"))
    return subprocess.run([str(NEXTFLOW), "run", str(ROOT), "-ansi-log", "false", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def require_data() -> None:
    if not (DATA / ".complete").exists():
        pytest.fail("bundled test data missing: run `make testdata`")


@pytest.fixture(scope="session")
def test_run(tmp_path_factory) -> Run:
    """One real `nextflow run . -profile test` for the whole session."""
    require_data()
    reuse = os.environ.get("ESCAPESEQ_TEST_RESULTS")
    if reuse:
        return Run(Path(reuse), Path(reuse) / "work", 0, "", 0.0)
    base = tmp_path_factory.mktemp("pipeline")
    t0 = time.time()
    res = nextflow(["-profile", "test", "--outdir", str(base / "results"),
                    "-w", str(base / "work")], cwd=base)
    run = Run(base / "results", base / "work", res.returncode, res.stdout + res.stderr,
              time.time() - t0)
    (base / "nextflow.out").write_text(run.stdout)
    if run.returncode != 0:
        pytest.fail(f"nextflow run -profile test failed ({run.returncode}):\n{run.stdout[-4000:]}")
    return run


@pytest.fixture(scope="session")
def samplesheet_rows():
    import csv
    require_data()
    with open(DATA / "samplesheet.csv") as fh:
        return list(csv.DictReader(fh))


def have(tool: str) -> bool:
    return shutil.which(tool) is not None
