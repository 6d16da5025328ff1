"""Copy number, purity/ploidy, LOH and purity-adjusted VAF (issue 4).

Modules (maths on numpy arrays; I/O only in :mod:`.io` and :mod:`.cli`):

- :mod:`.snps`      one pass over a BAM: per-target depth/GC/length, allele counts,
                    germline SNP calls in the normal.
- :mod:`.depth`     log2 depth ratio tumour vs normal, GC and target-size correction.
- :mod:`.segment`   joint segmentation on log2 ratio and mirrored B-allele frequency.
- :mod:`.fit`       purity/ploidy grid search with integer allele-specific copy numbers.
- :mod:`.loh`       LOH calls and between-timepoint changes.
- :mod:`.vaf`       purity-adjusted VAF, multiplicity, cancer cell fraction.
- :mod:`.tumour`    one tumour vs its normal: ratios, BAF, segments, fit, LOH flags.
- :mod:`.identity`  NGSCheckMate-style genotype concordance normal vs tumour.
- :mod:`.simulate`  count tables drawn from the same model (tests and benchmarks).
- :mod:`.plot`      genome-wide log2 ratio / BAF / copy-number figure.
- :mod:`.cli`       the ``escapeseq-cnv`` command line.
"""
