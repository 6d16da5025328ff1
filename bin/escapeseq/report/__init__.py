"""Per-patient HTML report: figures (Circos, lollipops, BAF/CN panels), offline IGV views,
the self-contained page and the cohort index (``escapeseq-report``)."""
