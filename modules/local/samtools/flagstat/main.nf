process SAMTOOLS_FLAGSTAT {
    // samtools flagstat (MultiQC input). A CRAM is decoded against `fasta` ([] for a BAM).
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam)
    path fasta

    output:
    tuple val(meta), path("${prefix}.flagstat"), emit: flagstat
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    samtools flagstat ${args} ${fasta ? "--input-fmt-option reference=${fasta}" : ''} ${bam} > ${prefix}.flagstat
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.flagstat
    echo '"${task.process}": {samtools: stub}' > versions.yml
    """
}
