"""Default thresholds of the read realignment (:mod:`escapeseq.somatic.realign`), kept in
a module without numpy/numba imports so that ``escapeseq-call --help`` and its light
subcommands (split, gather, pon-merge) can show them without loading the compiled kernels.
"""

#: soft clips of at least this many bases are matched against the reference for
#: candidate indels (realign.clip_indels); 0 disables
MIN_CLIP = 6
#: log10 likelihood margin by which a read's best haplotype must beat the others for the
#: read to count as informative at an indel (realign.realign_evidence)
MIN_SEP = 2.0
