"""Variant annotation from a FASTA and a GTF: consequences, HGVS, LoF, immune-escape panel.

Modules: :mod:`~escapeseq.annotate.gtf` (transcript models, interval index),
:mod:`~escapeseq.annotate.consequence` (SO terms, HGVS c./p.),
:mod:`~escapeseq.annotate.lof` (LoF confidence rules), :mod:`~escapeseq.annotate.panel`
(the escape gene panel) and :mod:`~escapeseq.annotate.cli` (the VCF tool).
"""

from escapeseq.annotate.panel import load_panel


def main(argv=None) -> int:
    """Entry point of ``escapeseq-annotate`` (see :mod:`escapeseq.annotate.cli`)."""
    from escapeseq.annotate.cli import main as _main
    return _main(argv)


__all__ = ["load_panel", "main"]
