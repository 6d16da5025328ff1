"""The runtime image: containers/build.sh builds it with podman from a Debian base made
locally (debootstrap -> podman import -> podman build), and -profile test,podman run in it
publishes the same results as the local run."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import compare
from conftest import IMAGE, ROOT, assert_ok, assert_same_results, run_pipeline

pytestmark = [pytest.mark.slow, pytest.mark.pipeline]


def test_image_has_every_tool_and_the_pins(image):
    import tomllib
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = ",".join(f'"{p.split("==")[0]}"' for p in pins)
    script = ("set -e; for t in bwa samtools bcftools tabix bgzip bedtools mosdepth multiqc ps "
              "/opt/escapeseq/bin/escapeseq-align; do command -v $t >/dev/null "
              "|| { echo missing $t; exit 1; }; done; "
              "python3 -c 'import importlib.metadata as m; "
              f"print(\"\\n\".join(f\"{{d}}=={{m.version(d)}}\" for d in [{names}]))'")
    res = subprocess.run(["podman", "run", "--rm", "--network", "none", IMAGE, "bash", "-c", script],
                         env=image, capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout + res.stderr
    assert sorted(res.stdout.split()) == sorted(pins)


def test_podman_run_matches_local(image, local_run, data_args, tmp_path):
    run = run_pipeline(tmp_path / "podman", "test,podman", data_args, env=image)
    assert_ok(run, "-profile test,podman run")
    rows = run.trace()
    assert rows and all(r["status"] == "COMPLETED" for r in rows)
    # every task really ran inside the image
    for r in rows:
        wrapper = Path(r["workdir"]) / ".command.run"
        text = wrapper.read_text()
        assert "podman run" in text and IMAGE in text, f"{r['name']} did not run in {IMAGE}"
    # the reports list the Python patch release, which is the image's own (provenance)
    assert_same_results(local_run.outdir, run.outdir, "podman vs local",
                        scrub=[compare.PYTHON_VERSION_CELL])
