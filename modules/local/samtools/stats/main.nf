process SAMTOOLS_STATS {
    // samtools stats over the targets (MultiQC input).
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam)
    path fasta
    path targets

    output:
    tuple val(meta), path("${prefix}.stats"), emit: stats
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    samtools stats ${args} --reference ${fasta} -t ${targets} ${bam} > ${prefix}.stats
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.stats
    echo '"${task.process}": {samtools: stub}' > versions.yml
    """
}
