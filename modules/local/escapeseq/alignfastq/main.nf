process ALIGN_FASTQ {
    // BWA-MEM alignment of every lane of one sample, merged, duplicate-marked and indexed.
    // BAM + .bai, or CRAM + .crai written by markdup against `fasta` when ext.args holds
    // `--output-fmt cram` (fasta/fai: [] for BAM).
    tag "${meta.id}"
    label 'process_high'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), val(lanes), path(reads, stageAs: 'fastq?/*')
    path index, stageAs: 'bwa/*'
    path fasta, stageAs: 'ref/*'
    path fai, stageAs: 'ref/*'

    output:
    tuple val(meta), path("${prefix}.${ext}"), path("${prefix}.${ext}.${idx}"), emit: bam
    tuple val(meta), path("${prefix}.markdup.txt"), emit: markdup
    tuple val(meta), path("${prefix}.align_cpu.tsv"), emit: cpu
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    ext = args.contains('--output-fmt cram') ? 'cram' : 'bam'
    idx = ext == 'cram' ? 'crai' : 'bai'
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
        --markdup-stats ${prefix}.markdup.txt \\
        --cpu-log ${prefix}.align_cpu.tsv \\
        ${fasta ? "--fasta ${fasta}" : ''} \\
        ${args} \\
        --out ${prefix}.${ext}

    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        bwa: \$(bwa 2>&1 | sed -n 's/^Version: //p')
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
        escapeseq: \$(escapeseq-align --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    ext = (task.ext.args ?: '').contains('--output-fmt cram') ? 'cram' : 'bam'
    idx = ext == 'cram' ? 'crai' : 'bai'
    """
    touch ${prefix}.${ext} ${prefix}.${ext}.${idx} ${prefix}.markdup.txt ${prefix}.align_cpu.tsv
    echo '"${task.process}": {bwa: stub}' > versions.yml
    """
}
