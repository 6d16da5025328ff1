process PREPARE_BAM {
    // An aligned input BAM: checked against the reference, read groups set to the sample, indexed.
    tag "${meta.id}"
    label 'process_low'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam, stageAs: 'input/*')
    path fasta
    path fai

    output:
    tuple val(meta), path("${prefix}.bam"), path("${prefix}.bam.bai"), emit: bam
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    escapeseq-align bam --sample ${meta.id} --bam ${bam} --fasta ${fasta} \\
        --threads ${task.cpus} ${args} --out ${prefix}.bam

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.bam ${prefix}.bam.bai
    echo '"${task.process}": {samtools: stub}' > versions.yml
    """
}
