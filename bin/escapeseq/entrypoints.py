"""The command-line tools, one function each: ``[project.scripts]`` in pyproject.toml and
the ``bin/escapeseq-*`` scripts the pipeline runs both call these.

Every tool goes through :func:`escapeseq.errors.run_cli`: bad input (an
:class:`~escapeseq.errors.InputError`) is one ``<tool>: error: ...`` line on stderr and exit
code 2, a closed pipe exit 1, never a traceback. Imports are inside the functions so one
tool's start-up does not load every other tool's dependencies, and ``--version`` (which
every pipeline task runs to write its versions.yml) is answered here, before the tool's
module and its numpy/pandas/numba/matplotlib imports are loaded at all.
"""

from __future__ import annotations

import sys
from typing import Sequence

from escapeseq import __version__
from escapeseq.errors import run_cli

Argv = Sequence[str] | None


def version_only(prog: str, argv: Argv) -> bool:
    """Print ``<prog> <version>`` and return True when the arguments are just
    ``--version`` (the same line as argparse's ``--version``), else return False.

    Otherwise the tool is about to run: pandas is kept from importing pyarrow (installed
    as multiqc's dependency; escapeseq never uses Arrow), which costs ~0.15 CPU s in every
    task that imports pandas.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if args != ["--version"]:
        if "pyarrow" not in sys.modules:
            sys.modules["pyarrow"] = None  # type: ignore[assignment]  # import -> ImportError
        return False
    print(f"{prog} {__version__}")
    return True


def align(argv: Argv = None) -> int:
    """``escapeseq-align``: reads to an analysis-ready BAM (escapeseq.align)."""
    if version_only("escapeseq-align", argv):
        return 0
    from escapeseq.align import main
    return run_cli("escapeseq-align", main, argv)


def annotate(argv: Argv = None) -> int:
    """``escapeseq-annotate``: consequences, HGVS, LoF, escape panel (escapeseq.annotate)."""
    if version_only("escapeseq-annotate", argv):
        return 0
    from escapeseq.annotate.cli import main
    return run_cli("escapeseq-annotate", main, argv)


def call(argv: Argv = None) -> int:
    """``escapeseq-call``: somatic calling split / call / gather (escapeseq.somatic.cli)."""
    if version_only("escapeseq-call", argv):
        return 0
    from escapeseq.somatic.cli import main
    return run_cli("escapeseq-call", main, argv)


def cnv(argv: Argv = None) -> int:
    """``escapeseq-cnv``: copy number, purity/ploidy, LOH, identity (escapeseq.cnv.cli)."""
    if version_only("escapeseq-cnv", argv):
        return 0
    from escapeseq.cnv.cli import main
    return run_cli("escapeseq-cnv", main, argv)


def evolve(argv: Argv = None) -> int:
    """``escapeseq-evolve``: evolution table and resistance candidates (escapeseq.evolution)."""
    if version_only("escapeseq-evolve", argv):
        return 0
    from escapeseq.evolution.cli import main
    return run_cli("escapeseq-evolve", main, argv)


def qc(argv: Argv = None) -> int:
    """``escapeseq-qc``: coverage summaries and merged versions (escapeseq.qc)."""
    if version_only("escapeseq-qc", argv):
        return 0
    from escapeseq.qc import main
    return run_cli("escapeseq-qc", main, argv)


def report(argv: Argv = None) -> int:
    """``escapeseq-report``: per-patient HTML report and cohort index (escapeseq.report)."""
    if version_only("escapeseq-report", argv):
        return 0
    from escapeseq.report.cli import main
    return run_cli("escapeseq-report", main, argv)


def rna(argv: Argv = None) -> int:
    """``escapeseq-rna``: HISAT2 index/align, gene counts, RNA evidence (escapeseq.rna.cli)."""
    if version_only("escapeseq-rna", argv):
        return 0
    from escapeseq.rna.cli import main
    return run_cli("escapeseq-rna", main, argv)


def simulate(argv: Argv = None) -> int:
    """``escapeseq-simulate``: seeded synthetic cohorts (escapeseq.simulate)."""
    from escapeseq.simulate import main
    return run_cli("escapeseq-simulate", main, argv)


def validate(argv: Argv = None) -> int:
    """``escapeseq-validate``: samplesheet and reference checks (escapeseq.samplesheet)."""
    if version_only("escapeseq-validate", argv):
        return 0
    from escapeseq.samplesheet import main
    return run_cli("escapeseq-validate", main, argv)


TOOLS = {f"escapeseq-{f.__name__}": f for f in
         (align, annotate, call, cnv, evolve, qc, report, rna, simulate, validate)}
