"""Profiles and the runtime definition: every profile resolves, every process has a
resource label, a stub and (through the profiles) a container, the conda environment and
the image carry the pyproject.toml pins, out-of-memory exits are retried with more memory
under the caps, and --scatter_count does not change the results."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from conftest import NEXTFLOW, ROOT, assert_ok, assert_same_results, nf_env, run_pipeline

CONTAINER_PROFILES = ("docker", "podman", "singularity", "apptainer")
ALL_PROFILES = CONTAINER_PROFILES + ("conda", "slurm", "awsbatch")


def pyproject_pins() -> list[str]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]


def process_blocks() -> dict[str, str]:
    """{process name: its source text} for every process the pipeline defines."""
    out: dict[str, str] = {}
    files = sorted(ROOT.glob("modules/**/*.nf")) + sorted(ROOT.glob("subworkflows/**/*.nf")) \
        + sorted(ROOT.glob("workflows/**/*.nf")) + [ROOT / "main.nf"]
    for f in files:
        text = f.read_text()
        starts = [(m.start(), m.group(1)) for m in re.finditer(r"^process\s+(\w+)\s*\{", text, re.M)]
        for i, (pos, name) in enumerate(starts):
            end = starts[i + 1][0] if i + 1 < len(starts) else len(text)
            out[name] = text[pos:end]
    return out


def base_labels() -> set[str]:
    return set(re.findall(r"withLabel:\s*'?(\w+)'?", (ROOT / "conf" / "base.config").read_text()))


# ---- static checks (fast)

def test_conda_environment_has_the_pyproject_pins():
    text = (ROOT / "containers" / "environment.yml").read_text()
    pip_pins = re.findall(r"^\s+-\s+([A-Za-z0-9_.-]+==[^\s#]+)", text, re.M)
    assert sorted(pip_pins) == sorted(pyproject_pins())
    for tool in ("bwa", "samtools", "bcftools", "htslib", "bedtools", "mosdepth"):
        assert re.search(rf"^\s+-\s+{tool}=\S+", text, re.M), f"{tool} is not pinned"


def test_image_definition_installs_the_pins_and_the_tools():
    cf = (ROOT / "containers" / "Containerfile").read_text()
    assert "FROM ${BASE}" in cf and "localhost/debian:bookworm-min" in cf
    assert "pyproject.toml" in cf and "tomllib" in cf, "pins must come from pyproject.toml"
    pkgs = {ln.strip() for ln in (ROOT / "containers" / "debian-packages.txt").read_text().splitlines()
            if ln.strip() and not ln.startswith("#")}
    for p in ("bwa", "samtools", "bcftools", "tabix", "bedtools", "mosdepth", "libhts-dev",
              "python3", "python3-venv", "procps"):
        assert p in pkgs
    build = (ROOT / "containers" / "build.sh").read_text()
    for step in ("debootstrap", "podman import", "podman build"):
        assert step in build


def test_every_process_has_a_resource_label_and_a_stub():
    procs = process_blocks()
    assert len(procs) >= 8, sorted(procs)
    labels = base_labels()
    for name, body in procs.items():
        used = set(re.findall(r"^\s*label\s+['\"](\w+)['\"]", body, re.M))
        assert used & labels, f"{name}: no resource label defined in conf/base.config ({used})"
        assert re.search(r"^\s*stub:", body, re.M), f"{name}: no stub: block"


# ---- nextflow config (a JVM start each)

def nf_config(profile: str, tmp_path: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    res = subprocess.run([str(NEXTFLOW), "config", "-flat", "-profile", profile, str(ROOT)],
                         cwd=tmp_path, env=nf_env(tmp_path, env), capture_output=True, text=True,
                         timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    flat = {}
    for ln in res.stdout.splitlines():
        k, sep, v = ln.partition(" = ")
        if sep:
            flat[k.strip()] = v.strip().strip("'")
    return flat


@pytest.mark.slow
@pytest.mark.parametrize("profile", ALL_PROFILES)
def test_profile_resolves(profile, tmp_path):
    cfg = nf_config(f"test,{profile}", tmp_path)
    container = next((v for k, v in cfg.items() if k.endswith(".container")), None)
    if profile in CONTAINER_PROFILES:
        assert cfg.get(f"{profile}.enabled") == "true"
        assert container, "no container for the processes"
        others = set(CONTAINER_PROFILES) - {profile}
        assert not any(cfg.get(f"{o}.enabled") == "true" for o in others)
    if profile == "conda":
        assert cfg.get("conda.enabled") == "true"
        assert any(k.endswith(".conda") and v.endswith("containers/environment.yml")
                   for k, v in cfg.items())
    if profile == "slurm":
        assert cfg.get("process.executor") == "slurm"
        assert "executor.$slurm.queueSize" in cfg
    # resource caps from the test profile reach every request
    assert cfg.get("params.max_memory") == "6.GB"


@pytest.mark.slow
def test_awsbatch_profile_is_complete(tmp_path):
    env = {"ESCAPESEQ_AWS_QUEUE": "q-escape", "ESCAPESEQ_AWS_REGION": "us-east-2",
           "ESCAPESEQ_AWS_WORKDIR": "s3://bucket/work",
           "ESCAPESEQ_CONTAINER": "123.dkr.ecr.us-east-2.amazonaws.com/escapeseq:0.1.0"}
    cfg = nf_config("awsbatch", tmp_path, env)
    assert cfg["process.executor"] == "awsbatch"
    assert cfg["process.queue"] == "q-escape"
    assert cfg["aws.region"] == "us-east-2"
    assert cfg["workDir"] == "s3://bucket/work"
    # a container for every process name ('.*'), as AWS Batch requires
    assert cfg["process.'withName:.*'.container"] == env["ESCAPESEQ_CONTAINER"]
    # placeholders keep the profile resolvable without any setting
    bare = nf_config("awsbatch", tmp_path)
    assert bare["workDir"].startswith("s3://") and bare["process.queue"]


# ---- real (tiny) Nextflow runs

OOM_SCRIPT = r"""
process OOM_ONCE {
    label 'process_low'
    input: val x
    output: stdout
    script:
    "echo attempt=${task.attempt} memory_gb=${task.memory.toGiga()} cpus=${task.cpus}; if [ ${task.attempt} -lt 3 ]; then exit ${x}; fi"
}
process BIG {
    label 'process_high'
    output: stdout
    script:
    "echo memory_gb=${task.memory.toGiga()} cpus=${task.cpus} hours=${task.time.toHours()}"
}
workflow {
    OOM_ONCE(Channel.of(137)).view { "OOM " + it.trim() }
    BIG().view { "BIG " + it.trim() }
}
"""


@pytest.mark.slow
def test_out_of_memory_is_retried_with_more_memory_under_the_caps(tmp_path):
    """conf/base.config: exit 137 retries with memory x attempt, capped at --max_memory."""
    (tmp_path / "main.nf").write_text(OOM_SCRIPT)
    (tmp_path / "nextflow.config").write_text(
        "params { max_cpus = 2; max_memory = '6.GB'; max_time = '1.h' }\n"
        f"includeConfig '{ROOT / 'conf' / 'base.config'}'\n")
    res = subprocess.run([str(NEXTFLOW), "run", "main.nf", "-ansi-log", "false",
                          "-with-trace", "trace.txt"], cwd=tmp_path, env=nf_env(tmp_path),
                         capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "OOM attempt=3 memory_gb=6 cpus=2" in res.stdout, res.stdout
    # process_high asks 12 CPUs / 36 GB / 16 h: resourceLimits cap it
    assert "BIG memory_gb=6 cpus=2 hours=1" in res.stdout, res.stdout
    rows = [ln.split("\t") for ln in (tmp_path / "trace.txt").read_text().splitlines()]
    head = rows[0]
    oom = [dict(zip(head, r)) for r in rows[1:] if "OOM_ONCE" in r[head.index("name")]]
    assert [(r["status"], r["exit"]) for r in oom] == [("FAILED", "137"), ("FAILED", "137"),
                                                       ("COMPLETED", "0")]


@pytest.mark.slow
@pytest.mark.pipeline
def test_scatter_count_does_not_change_results(local_run, data_args, tmp_path):
    run = run_pipeline(tmp_path / "scatter1", "test", data_args, ["--scatter_count", "1"])
    assert_ok(run, "--scatter_count 1 run")
    assert_same_results(local_run.outdir, run.outdir, "--scatter_count 1 vs default")
