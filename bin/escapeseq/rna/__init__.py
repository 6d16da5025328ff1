"""RNA evidence of escape (issue 16): HISAT2 alignment, gene counts, allele expression and
splicing at the candidates, escape-gene expression per timepoint."""
