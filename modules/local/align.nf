process ALIGN_FASTQ {
    tag "${meta.id}"
    label 'process_high'

    input:
    tuple val(meta), val(lanes), path(reads, stageAs: 'fastq?/*')
    path index, stageAs: 'bwa/*'

    output:
    tuple val(meta), path("${meta.id}.bam"), path("${meta.id}.bam.bai"), emit: bam
    path "${meta.id}.markdup.txt", emit: markdup
    path "${meta.id}.align_cpu.tsv", emit: cpu
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    def files = reads instanceof List ? reads : [reads]
    def lane_args = lanes.withIndex().collect { lane, i ->
        "--lane ${lane}:${files[2 * i]}:${files[2 * i + 1]}"
    }.join(' ')
    def sort_mem = Math.max(256, (int) ((task.memory ? task.memory.toMega() : 2048) * 0.5 / task.cpus))
    """
    escapeseq-align fastq \\
        --sample ${meta.id} \\
        ${lane_args} \\
        --index bwa \\
        --threads ${task.cpus} \\
        --sort-mem-mb ${sort_mem} \\
        --markdup-stats ${meta.id}.markdup.txt \\
        --cpu-log ${meta.id}.align_cpu.tsv \\
        ${args} \\
        --out ${meta.id}.bam

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        bwa: \$(bwa 2>&1 | sed -n 's/^Version: //p')
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    touch ${meta.id}.bam ${meta.id}.bam.bai ${meta.id}.markdup.txt ${meta.id}.align_cpu.tsv
    echo '"${task.process}": {bwa: stub}' > versions.yml
    """
}

process PREPARE_BAM {
    tag "${meta.id}"
    label 'process_low'

    input:
    tuple val(meta), path(bam, stageAs: 'input/*')
    path fasta
    path fai

    output:
    tuple val(meta), path("${meta.id}.bam"), path("${meta.id}.bam.bai"), emit: bam
    path "versions.yml", emit: versions

    script:
    """
    escapeseq-align bam --sample ${meta.id} --bam ${bam} --fasta ${fasta} \\
        --threads ${task.cpus} --out ${meta.id}.bam

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
    END_VERSIONS
    """

    stub:
    """
    touch ${meta.id}.bam ${meta.id}.bam.bai
    echo '"${task.process}": {samtools: stub}' > versions.yml
    """
}
