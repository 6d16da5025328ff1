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
- :mod:`.clonal`    purity from the clonal somatic VAF peak (copy-number-quiet tumours).
- :mod:`.identity`  same person as the normal? LOH-proof likelihood ratio at the
                    normal's homozygous SNPs.
- :mod:`.simulate`  count tables drawn from the same model (tests and benchmarks).
- the figure (`fit` without --no-plot) is the report's copy-number panel (:func:`escapeseq.report.figures.cn_panel`).
- :mod:`.cli`       the ``escapeseq-cnv`` command line.
"""
