"""Environment tests: the same pipeline run locally, under a real Slurm, in the container,
killed and resumed, and with different --scatter_count values, must publish identical
results.

Data: the bundled `-profile test` data when .testdata/.complete exists, else a
tiny dataset made here in seconds (tinydata.py). ESCAPESEQ_ENV_DATA=tiny|bundled forces
one. The local reference run is made once per session and shared by every test file.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
NEXTFLOW = ROOT / ".venv" / "bin" / "nextflow"
BUNDLED = ROOT / ".testdata"
sys.path.insert(0, str(HERE))

import compare  # noqa: E402
from escapeseq import __version__  # noqa: E402
import tinydata  # noqa: E402


@dataclass
class Run:
    outdir: Path
    workdir: Path
    launchdir: Path
    returncode: int
    log: str
    seconds: float

    def trace(self) -> list[dict[str, str]]:
        return read_trace(self.outdir)


def read_trace(outdir: Path) -> list[dict[str, str]]:
    """Rows of the run's execution trace (the newest one when several exist)."""
    files = sorted((outdir / "pipeline_info").glob("execution_trace_*.txt"))
    if not files:
        return []
    with open(files[-1]) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def nf_env(launchdir: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ, NXF_OFFLINE="true", NXF_ANSI_LOG="false")
    env.setdefault("NXF_HOME", str(launchdir / ".nxf_home"))
    env.update(extra or {})
    return env


def nextflow_cmd(profile: str, outdir: Path, workdir: Path, data: list[str],
                 extra: list[str] | None = None) -> list[str]:
    """The `nextflow run` command line; ESCAPESEQ_ENV_EXTRA_ARGS (split on spaces) is
    appended to every run, e.g. to point at a local file a parameter needs."""
    user = os.environ.get("ESCAPESEQ_ENV_EXTRA_ARGS", "").split()
    return [str(NEXTFLOW), "run", str(ROOT), "-ansi-log", "false", "-profile", profile,
            "--outdir", str(outdir), "-w", str(workdir), *data, *(extra or []), *user]


def run_pipeline(base: Path, profile: str, data: list[str], extra: list[str] | None = None,
                 env: dict[str, str] | None = None, timeout: int = 1800) -> Run:
    """One `nextflow run` launched in `base` (its own .nextflow cache); outputs in base/results."""
    if not NEXTFLOW.exists():
        pytest.fail(f"{NEXTFLOW} missing: run `make install`")
    base.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    res = subprocess.run(nextflow_cmd(profile, base / "results", base / "work", data, extra),
                         cwd=base, env=nf_env(base, env), capture_output=True, text=True,
                         timeout=timeout)
    run = Run(base / "results", base / "work", base, res.returncode,
              res.stdout + res.stderr, time.time() - t0)
    (base / "nextflow.out").write_text(run.log)
    return run


def assert_ok(run: Run, what: str) -> None:
    if run.returncode != 0:
        tail = run.log[-4000:]
        log = run.launchdir / ".nextflow.log"
        if log.exists():
            tail += "\n--- .nextflow.log (tail) ---\n" + "\n".join(log.read_text().splitlines()[-40:])
        pytest.fail(f"{what} failed ({run.returncode}):\n{tail}")


def assert_same_results(a: Path, b: Path, what: str, scrub: compare.Scrub = ()) -> None:
    diffs = compare.differences(a, b, scrub)
    assert not diffs, f"{what}: published results differ:\n  " + "\n  ".join(diffs[:30])
    assert compare.published(a), f"{what}: nothing was published in {a}"


@pytest.fixture(scope="session")
def data_args(tmp_path_factory) -> list[str]:
    """Pipeline arguments that select the test data (after `-profile test`)."""
    choice = os.environ.get("ESCAPESEQ_ENV_DATA", "")
    if choice == "bundled" or (not choice and (BUNDLED / ".complete").exists()):
        if not (BUNDLED / ".complete").exists():
            pytest.fail("ESCAPESEQ_ENV_DATA=bundled but the bundled data is missing: run `make testdata`")
        return []
    d = tmp_path_factory.mktemp("tinydata")
    tinydata.make(d)
    return tiny_overrides(d)


def tiny_overrides(datadir: Path) -> list[str]:
    """`--param path` for every parameter conf/test.config points into the bundled data,
    pointed at the same relative path under `datadir` instead (new parameters are
    covered without changing this file)."""
    text = (ROOT / "conf" / "test.config").read_text()
    args = []
    for name, rel in re.findall(
            r'^\s*(\w+)\s*=\s*"\$\{projectDir\}/\.testdata/([^"]+)"', text, re.M):
        target = datadir / rel
        if not target.exists():
            pytest.fail(f"tinydata.py makes no {rel} (conf/test.config --{name}): add it")
        args += [f"--{name}", str(target)]
    return args


@pytest.fixture(scope="session")
def local_run(tmp_path_factory, data_args) -> Run:
    """The uninterrupted local reference run (-profile test) every other run is compared with."""
    reuse = os.environ.get("ESCAPESEQ_ENV_LOCAL_RESULTS")
    if reuse:
        return Run(Path(reuse), Path(reuse).parent / "work", Path(reuse).parent, 0, "", 0.0)
    run = run_pipeline(tmp_path_factory.mktemp("local"), "test", data_args)
    assert_ok(run, "local -profile test run")
    return run


# ---------------------------------------------------------------- the podman runtime image

BUILD = ROOT / "containers" / "build.sh"
IMAGE = f"localhost/escapeseq:{__version__}"  # containers/build.sh tags it so


def podman_env() -> dict[str, str]:
    """Environment with the podman settings build.sh writes (runc, host-capped ulimits)."""
    conf = subprocess.run([str(BUILD), "--print-conf"], capture_output=True, text=True,
                          check=True).stdout.strip()
    return dict(os.environ, CONTAINERS_CONF=conf)


@pytest.fixture(scope="session")
def image() -> dict[str, str]:
    """Build the image once (containers/build.sh; cached layers make a rebuild quick) and
    return the environment podman needs to run it."""
    import shutil
    if os.geteuid() != 0 and shutil.which("podman") is None:
        pytest.skip("podman is not installed and installing it (apt-get) needs root")
    if os.geteuid() != 0 and shutil.which("debootstrap") is None:
        pytest.skip("debootstrap (base image from the Debian mirror) needs root")
    res = subprocess.run([str(BUILD), "--tag", IMAGE], capture_output=True, text=True,
                         timeout=2400)
    if res.returncode != 0:
        pytest.fail(f"containers/build.sh failed ({res.returncode}):\n{res.stderr[-4000:]}")
    env = podman_env()
    probe = subprocess.run(["podman", "run", "--rm", IMAGE, "true"], env=env,
                           capture_output=True, text=True, timeout=300)
    if probe.returncode != 0:
        pytest.skip(f"podman cannot run containers on this machine: {probe.stderr.strip()}")
    return env
