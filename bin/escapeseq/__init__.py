"""escapeseq: acquired resistance to PD-1 blockade from paired longitudinal tumour exomes.

The library behind the `bin/escapeseq-*` command-line tools. It is imported from `bin/`
without installation so that Nextflow's staging of `bin/` works on every executor.
"""

__version__ = "0.1.0"
