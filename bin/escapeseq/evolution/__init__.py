"""Patient-level evolution: mutation classes across timepoints, clonal relatedness and
ranked immune-escape resistance candidates (``escapeseq-evolve``)."""
