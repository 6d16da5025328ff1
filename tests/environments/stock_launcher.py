"""Launch Nextflow the way a user with a stock install does: `java -cp <nextflow jars>
nextflow.cli.Launcher` with the official launcher's JVM options (tools/nextflow/nextflow.sh),
a PATH that holds no Python at all (every executable of /usr/bin and /bin except python*,
pip*) and nothing of the project's .venv. A launch that needs Python on the host fails."""

from __future__ import annotations

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JARS = ROOT / ".venv" / "share" / "nextflow" / "lib"
NO_PYTHON = re.compile(r"^(python|pypy|pip|pydoc|py3|pytest|ruff|escapeseq-)")


def jvm_options() -> list[str]:
    """The --add-opens list and -D options of tools/nextflow/nextflow.sh (run/node commands)."""
    text = (ROOT / "tools" / "nextflow" / "nextflow.sh").read_text()
    opts = re.search(r"^opts=\((.*?)\)", text, re.M).group(1).split()
    mods = re.search(r"for m in (.*?); do", text, re.S).group(1).replace("\\", " ").split()
    return opts + [f"--add-opens=java.base/{m}=ALL-UNNAMED" for m in mods]


def host_bin(tmp: Path) -> Path:
    """A directory of links to the system's executables minus any Python (the host PATH)."""
    d = tmp / "host-bin"
    if d.exists():
        return d
    d.mkdir(parents=True)
    for src in (Path("/usr/bin"), Path("/bin"), Path("/usr/sbin"), Path("/sbin")):
        if not src.is_dir():
            continue
        for exe in src.iterdir():
            if NO_PYTHON.match(exe.name) or (d / exe.name).exists():
                continue
            if exe.is_file() and os.access(exe, os.X_OK):
                (d / exe.name).symlink_to(exe)
    return d


def command(args: list[str]) -> list[str]:
    return ["java", *jvm_options(), "-cp", f"{JARS}/*", "nextflow.cli.Launcher", *args]


def environment(tmp: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """A clean environment: no PYTHONPATH, VIRTUAL_ENV, or .venv on PATH."""
    env = {"PATH": str(host_bin(tmp)), "HOME": str(tmp / "home"), "LANG": "C.UTF-8",
           "NXF_OFFLINE": "true", "NXF_ANSI_LOG": "false", "NXF_HOME": str(tmp / "nxf-home"),
           "TMPDIR": os.environ.get("TMPDIR", "/tmp")}
    for k in ("JAVA_HOME", "CONTAINERS_CONF", "XDG_RUNTIME_DIR"):
        if k in os.environ:
            env[k] = os.environ[k]
    (tmp / "home").mkdir(parents=True, exist_ok=True)
    env.update(extra or {})
    return env
