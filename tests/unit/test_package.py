"""escapeseq as an installable package: one version everywhere, a console command for every
bin/ tool (each through run_cli: --help exits 0, a bad option exits 2, no traceback), and a
wheel that carries the library and those commands."""

from __future__ import annotations

import configparser
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import escapeseq
from escapeseq.entrypoints import TOOLS

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
BIN_TOOLS = sorted(p.name for p in (ROOT / "bin").glob("escapeseq-*"))


def test_version_is_written_once_and_repeated_by_the_manifest():
    assert PYPROJECT["project"]["dynamic"] == ["version"]
    assert "version" not in PYPROJECT["project"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "escapeseq.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", escapeseq.__version__)
    config = (ROOT / "nextflow.config").read_text()
    manifest = re.search(r"manifest\s*\{(.*?)\n\}", config, re.S).group(1)
    assert re.search(r"version\s*=\s*'([^']+)'", manifest).group(1) == escapeseq.__version__
    # the container image tag is derived from the same line
    res = subprocess.run(["bash", "-c", "sed -n 's/^__version__ = \"\\(.*\\)\"/\\1/p' "
                          "bin/escapeseq/__init__.py"], cwd=ROOT, capture_output=True, text=True)
    assert res.stdout.strip() == escapeseq.__version__
    assert "bin/escapeseq/__init__.py" in (ROOT / "containers" / "build.sh").read_text()


def test_every_bin_tool_is_a_console_script():
    scripts = PYPROJECT["project"]["scripts"]
    assert sorted(scripts) == BIN_TOOLS == sorted(TOOLS)
    for name, target in scripts.items():
        module, func = target.split(":")
        assert module == "escapeseq.entrypoints" and TOOLS[name].__name__ == func
        text = (ROOT / "bin" / name).read_text()
        assert f"from escapeseq.entrypoints import {func}\n" in text, name


@pytest.mark.parametrize("tool", BIN_TOOLS)
def test_tool_help_and_bad_option_through_run_cli(tool):
    env = {**os.environ, "PYTHONPATH": str(ROOT / "bin")}
    ok = subprocess.run([sys.executable, str(ROOT / "bin" / tool), "--help"],
                        capture_output=True, text=True, env=env, timeout=120)
    assert ok.returncode == 0 and "usage:" in ok.stdout, ok.stderr
    bad = subprocess.run([sys.executable, str(ROOT / "bin" / tool), "--no-such-option"],
                         capture_output=True, text=True, env=env, timeout=120)
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and "error:" in bad.stderr


def test_run_cli_turns_input_errors_into_one_line(capsys):
    from escapeseq.entrypoints import validate
    assert validate(["--content-only", "/nonexistent/checks.csv"]) == 2
    err = capsys.readouterr().err
    assert err == "escapeseq-validate: error: /nonexistent/checks.csv: file not found\n"


def test_sdist_has_the_library_and_the_commands(tmp_path):
    """setuptools builds the package from pyproject.toml (offline: the venv's setuptools,
    on a copy of pyproject.toml + bin/ so the tree gets no egg-info)."""
    import shutil
    import tarfile
    src = tmp_path / "src"
    src.mkdir()
    shutil.copy(ROOT / "pyproject.toml", src)
    shutil.copytree(ROOT / "bin", src / "bin", ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "dist"
    res = subprocess.run([sys.executable, "-c", "import sys; from setuptools import build_meta; "
                          "print(build_meta.build_sdist(sys.argv[1]))", str(out)],
                         cwd=src, capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stderr[-3000:]
    name = res.stdout.strip().splitlines()[-1]
    assert name == f"escapeseq-{escapeseq.__version__}.tar.gz"
    top = f"escapeseq-{escapeseq.__version__}"
    with tarfile.open(out / name) as tf:
        names = set(tf.getnames())
        eps = configparser.ConfigParser()
        eps.read_string(tf.extractfile(f"{top}/bin/escapeseq.egg-info/entry_points.txt")
                        .read().decode())
        pkg_info = tf.extractfile(f"{top}/PKG-INFO").read().decode()
    assert dict(eps["console_scripts"]) == PYPROJECT["project"]["scripts"]
    assert f"\nVersion: {escapeseq.__version__}\n" in pkg_info
    for mod in ("__init__.py", "entrypoints.py", "samplesheet.py", "somatic/intervals.py",
                "report/report.css"):
        assert f"{top}/bin/escapeseq/{mod}" in names, mod
