"""Nothing but Java + Nextflow on the launch host (issue 14): a stock launcher
(`java -cp <jars> nextflow.cli.Launcher`) with no Python anywhere on PATH runs
`-stub-run -profile test` to the end without a container, and `-profile test,podman` to
the end with every task in the image, the VALIDATE content checks first."""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest

import compare
import stock_launcher
from conftest import IMAGE, ROOT, assert_same_results, read_trace

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]
TRACE_TIME = "%Y-%m-%d %H:%M:%S.%f"

if not (stock_launcher.JARS / "nextflow-24.10.0.jar").exists():
    pytest.skip("Nextflow jars not installed (make install)", allow_module_level=True)


def stock_run(tmp: Path, profile: str, data: list[str], extra: list[str] = (),
              env: dict[str, str] | None = None, timeout: int = 1800):
    launch = tmp / "launch"
    launch.mkdir(parents=True, exist_ok=True)
    args = ["run", str(ROOT), "-ansi-log", "false", "-profile", profile,
            "--outdir", str(tmp / "results"), "-w", str(tmp / "work"), *data, *extra]
    res = subprocess.run(stock_launcher.command(args), cwd=launch,
                         env=stock_launcher.environment(tmp, env), capture_output=True,
                         text=True, timeout=timeout)
    (tmp / "nextflow.out").write_text(res.stdout + res.stderr)
    return res


def test_host_path_has_no_python(tmp_path):
    env = stock_launcher.environment(tmp_path)
    res = subprocess.run(["bash", "-c", "command -v python3 || command -v python || echo none"],
                         env=env, capture_output=True, text=True)
    assert res.stdout.strip() == "none"
    res = subprocess.run(["bash", "-c", f"{ROOT}/bin/escapeseq-validate --help"], env=env,
                         capture_output=True, text=True)
    assert res.returncode != 0  # a host-side Python call would fail like this


def test_stub_run_without_container(tmp_path, data_args):
    res = stock_run(tmp_path, "test", data_args, ["-stub-run"])
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert "Traceback" not in out
    rows = read_trace(tmp_path / "results")
    assert rows and all(r["status"] == "COMPLETED" for r in rows)
    assert any(r["process"].endswith("VALIDATE") for r in rows)
    assert (tmp_path / "results" / "pipeline_info" / "run_manifest.tsv").is_file()


def test_podman_run_to_the_end(tmp_path, data_args, image, local_run):
    """The one containerised run of the suite: stock launcher, no Python on the host, every
    task in the image, and the same published results as the local run."""
    res = stock_run(tmp_path, "test,podman", data_args, env=image, timeout=3600)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert "Traceback" not in out
    rows = read_trace(tmp_path / "results")
    assert rows and all(r["status"] == "COMPLETED" for r in rows)
    for r in rows:
        text = (Path(r["workdir"]) / ".command.run").read_text()
        assert "podman run" in text and IMAGE in text, f"{r['name']} did not run in {IMAGE}"
    # every task waits for the content checks (trace times: 'YYYY-MM-DD HH:MM:SS.mmm')
    (validate,) = [r for r in rows if r["process"].endswith("VALIDATE")]
    done = datetime.strptime(validate["complete"], TRACE_TIME)
    for r in rows:
        if r is not validate:
            assert datetime.strptime(r["submit"], TRACE_TIME) >= done, \
                f"{r['name']} was submitted before VALIDATE ended"
    for p in ("multiqc/multiqc_report.html", "pipeline_info/run_manifest.tsv"):
        assert (tmp_path / "results" / p).is_file(), p
    # the reports list the Python patch release, which is the image's own (provenance)
    assert_same_results(local_run.outdir, tmp_path / "results", "podman (stock launcher) vs local",
                        scrub=[compare.PYTHON_VERSION_CELL])
