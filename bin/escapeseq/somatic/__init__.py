"""Mutect-style paired somatic calling across every tumour timepoint of a patient.

Modules: ``likelihood`` (TLOD/NLOD maths), ``normalize`` (indel left-normalisation),
``pileup`` (streaming read evidence with pysam), ``realign`` (indels from soft-clipped
reads, read-vs-haplotype genotyping of indel sites), ``pon`` (panel of normals), ``filters`` (named VCF FILTERs),
``caller`` (one task: candidates, union genotyping, filters), ``vcf`` (writer/gather),
``intervals`` (BED parsing and scatter), ``synthetic`` (tiny hand-made BAMs for tests),
``cli`` (``escapeseq-call split|call|gather|pon-sites|pon-merge``).
"""
