process PREPARE_BAM {
    // An aligned input BAM or CRAM: checked against the reference (a CRAM's @SQ M5 too), read
    // groups set to the sample, written as BAM + .bai, or CRAM + .crai against `fasta` when
    // ext.args holds `--output-fmt cram`, and indexed.
    tag "${meta.id}"
    label 'process_low'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam, stageAs: 'input/*')
    path fasta
    path fai

    output:
    tuple val(meta), path("${prefix}.${ext}"), path("${prefix}.${ext}.${idx}"), emit: bam
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    ext = args.contains('--output-fmt cram') ? 'cram' : 'bam'
    idx = ext == 'cram' ? 'crai' : 'bai'
    """
    escapeseq-align bam --sample ${meta.id} --bam ${bam} --fasta ${fasta} \\
        --threads ${task.cpus} ${args} --out ${prefix}.${ext}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    ext = (task.ext.args ?: '').contains('--output-fmt cram') ? 'cram' : 'bam'
    idx = ext == 'cram' ? 'crai' : 'bai'
    """
    touch ${prefix}.${ext} ${prefix}.${ext}.${idx}
    echo '"${task.process}": {samtools: stub}' > versions.yml
    """
}
