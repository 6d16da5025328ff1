"""The runtime image: containers/build.sh builds it with podman from a Debian base made
locally (debootstrap -> podman import -> podman build), and -profile test,podman run in it
publishes the same results as the local run."""

from __future__ import annotations

import subprocess

import pytest

from conftest import IMAGE, ROOT

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


# The containerised pipeline run (every task in the image, results equal to the local run's)
# is test_stock_launcher.test_podman_run_to_the_end: one podman run for the whole suite.
