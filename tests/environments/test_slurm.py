"""-profile test,slurm on a real single-node Slurm (slurm_up.sh): every task goes through
sbatch, and the published results are identical to the local run's."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import HERE, assert_ok, assert_same_results, run_pipeline

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]

# Poll Slurm every second instead of the profile's 10 s, so the test stays short.
FAST_POLL = "executor { $slurm { pollInterval = '1 sec'; queueStatInterval = '5 sec' } }\n"


@pytest.fixture(scope="module")
def slurm_cluster():
    """Starts munged + slurmctld + slurmd on localhost; stops exactly those afterwards."""
    if os.geteuid() != 0:
        pytest.skip("starting slurmctld/slurmd/munged needs root (CI runs as root)")
    if shutil.which("apt-get") is None and shutil.which("slurmctld") is None:
        pytest.skip("Slurm is not installed and apt-get is not available to install it")
    # not under pytest's 0700 tmp dirs: munged runs as user munge and must reach its files
    state = Path(tempfile.mkdtemp(prefix="escapeseq-slurm-", dir="/var/tmp"))
    os.chmod(state, 0o755)
    up = subprocess.run([str(HERE / "slurm_up.sh"), str(state)], capture_output=True, text=True,
                        timeout=900)
    if up.returncode != 0:
        subprocess.run([str(HERE / "slurm_down.sh"), str(state)], capture_output=True)
        shutil.rmtree(state, ignore_errors=True)
        pytest.fail(f"slurm_up.sh failed:\n{up.stdout}\n{up.stderr}")
    try:
        yield {"SLURM_CONF": str(state / "slurm.conf"), "state": state}
    finally:
        subprocess.run([str(HERE / "slurm_down.sh"), str(state)], capture_output=True, timeout=120)
        shutil.rmtree(state, ignore_errors=True)


def jobcomp_ids(state: Path) -> set[str]:
    """Job IDs Slurm recorded as completed (jobcomp/filetxt; there is no accounting DB)."""
    text = (state / "log" / "jobcomp.txt").read_text()
    return set(re.findall(r"JobId=(\d+) .*?JobState=COMPLETED", text))


def test_slurm_run_matches_local(slurm_cluster, local_run, data_args, tmp_path):
    cfg = tmp_path / "fast_poll.config"
    cfg.write_text(FAST_POLL)
    run = run_pipeline(tmp_path / "slurm", "test,slurm", data_args, ["-c", str(cfg)],
                       env={"SLURM_CONF": slurm_cluster["SLURM_CONF"]})
    assert_ok(run, "-profile test,slurm run")

    rows = run.trace()
    assert rows, "no execution trace"
    assert all(r["status"] == "COMPLETED" for r in rows), [r["name"] for r in rows
                                                          if r["status"] != "COMPLETED"]
    # every task was a Slurm job: its native id is a job id Slurm ran to completion
    native = {r["native_id"] for r in rows}
    assert all(n.isdigit() for n in native), f"not Slurm job ids: {sorted(native)[:5]}"
    missing = native - jobcomp_ids(slurm_cluster["state"])
    assert not missing, f"tasks whose job id Slurm did not record as completed: {sorted(missing)}"
    # same tasks as the local run, and identical published results
    local_tasks = sorted(r["name"] for r in local_run.trace())
    assert sorted(r["name"] for r in rows) == local_tasks
    assert_same_results(local_run.outdir, run.outdir, "slurm vs local")
