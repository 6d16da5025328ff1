process SAMTOOLS_FLAGSTAT {
    // samtools flagstat (MultiQC input).
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam)

    output:
    tuple val(meta), path("${prefix}.flagstat"), emit: flagstat
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    samtools flagstat ${args} ${bam} > ${prefix}.flagstat
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
