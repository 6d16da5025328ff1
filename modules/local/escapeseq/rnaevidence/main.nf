process RNA_EVIDENCE {
    // A patient's RNA evidence at every tumour timepoint with RNA (issue 16): allele expression
    // and splicing at each candidate, escape-gene expression. samples: tumour IDs in the order
    // of bams/bais. candidates / mutations: [] when absent (then expression rows only).
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), val(samples), path(bams, stageAs: 'bam/*'), path(bais, stageAs: 'bam/*'), path(candidates), path(mutations)
    path samplesheet
    path gtf
    path fasta
    path fai
    path panel

    output:
    tuple val(meta), path("rna/${meta.id}.rna_evidence.tsv"), emit: evidence
    tuple val(meta), path("rna/${meta.id}.candidates.rna.tsv"), emit: candidates, optional: true
    tuple val(meta), path("rna/*.gene_counts.tsv"), emit: counts
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    def files = bams instanceof List ? bams : [bams]
    def bam_args = [samples, files].transpose().collect { s, b -> "--bam ${s}=${b}" }.join(' ')
    def cand_arg = candidates ? "--candidates ${candidates}" : ''
    def mut_arg = mutations ? "--mutations ${mutations}" : ''
    """
    escapeseq-rna evidence --patient ${meta.id} --samplesheet ${samplesheet} \\
        --gtf ${gtf} --fasta ${fasta} --panel ${panel} ${bam_args} ${cand_arg} ${mut_arg} \\
        ${args} --outdir rna
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-rna --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p rna
    touch rna/${meta.id}.rna_evidence.tsv rna/${meta.id}.candidates.rna.tsv
    for s in ${samples.join(' ')}; do touch rna/\$s.gene_counts.tsv; done
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
