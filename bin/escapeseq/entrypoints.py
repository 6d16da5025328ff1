"""The command-line tools, one function each: ``[project.scripts]`` in pyproject.toml and
the ``bin/escapeseq-*`` scripts the pipeline runs both call these.

Every tool goes through :func:`escapeseq.errors.run_cli`: bad input (an
:class:`~escapeseq.errors.InputError`) is one ``<tool>: error: ...`` line on stderr and exit
code 2, a closed pipe exit 1, never a traceback. Imports are inside the functions so one
tool's start-up does not load every other tool's dependencies.
"""

from __future__ import annotations

from typing import Sequence

from escapeseq.errors import run_cli

Argv = Sequence[str] | None


def align(argv: Argv = None) -> int:
    """``escapeseq-align``: reads to an analysis-ready BAM (escapeseq.align)."""
    from escapeseq.align import main
    return run_cli("escapeseq-align", main, argv)


def annotate(argv: Argv = None) -> int:
    """``escapeseq-annotate``: consequences, HGVS, LoF, escape panel (escapeseq.annotate)."""
    from escapeseq.annotate.cli import main
    return run_cli("escapeseq-annotate", main, argv)


def call(argv: Argv = None) -> int:
    """``escapeseq-call``: somatic calling split / call / gather (escapeseq.somatic.cli)."""
    from escapeseq.somatic.cli import main
    return run_cli("escapeseq-call", main, argv)


def cnv(argv: Argv = None) -> int:
    """``escapeseq-cnv``: copy number, purity/ploidy, LOH, identity (escapeseq.cnv.cli)."""
    from escapeseq.cnv.cli import main
    return run_cli("escapeseq-cnv", main, argv)


def evolve(argv: Argv = None) -> int:
    """``escapeseq-evolve``: evolution table and resistance candidates (escapeseq.evolution)."""
    from escapeseq.evolution.cli import main
    return run_cli("escapeseq-evolve", main, argv)


def qc(argv: Argv = None) -> int:
    """``escapeseq-qc``: coverage summaries and merged versions (escapeseq.qc)."""
    from escapeseq.qc import main
    return run_cli("escapeseq-qc", main, argv)


def report(argv: Argv = None) -> int:
    """``escapeseq-report``: per-patient HTML report and cohort index (escapeseq.report)."""
    from escapeseq.report.cli import main
    return run_cli("escapeseq-report", main, argv)


def rna(argv: Argv = None) -> int:
    """``escapeseq-rna``: HISAT2 index/align, gene counts, RNA evidence (escapeseq.rna.cli)."""
    from escapeseq.rna.cli import main
    return run_cli("escapeseq-rna", main, argv)


def simulate(argv: Argv = None) -> int:
    """``escapeseq-simulate``: seeded synthetic cohorts (escapeseq.simulate)."""
    from escapeseq.simulate import main
    return run_cli("escapeseq-simulate", main, argv)


def validate(argv: Argv = None) -> int:
    """``escapeseq-validate``: samplesheet and reference checks (escapeseq.samplesheet)."""
    from escapeseq.samplesheet import main
    return run_cli("escapeseq-validate", main, argv)


TOOLS = {f"escapeseq-{f.__name__}": f for f in
         (align, annotate, call, cnv, evolve, qc, report, rna, simulate, validate)}
