process HISAT2_ALIGN {
    // RNA reads of one tumour sample -> HISAT2 -> coordinate-sorted, indexed BAM + HISAT2
    // summary for MultiQC (issue 16). reads: [R1, R2] (or one file for single-end).
    // ext.args: escapeseq-rna align options, e.g. '--args=<hisat2 options>'.
    tag "${meta.id}"
    label 'process_high'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(reads, stageAs: 'rna_fastq/*')
    path index, stageAs: 'hisat2/*'

    output:
    tuple val(meta), path("${prefix}.rna.bam"), path("${prefix}.rna.bam.bai"), emit: bam
    tuple val(meta), path("${prefix}.rna.hisat2.summary.txt"), emit: summary
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def files = reads instanceof List ? reads : [reads]
    def mates = files.size() > 1 ? "--fastq-1 ${files[0]} --fastq-2 ${files[1]}" : "--fastq-1 ${files[0]}"
    """
    escapeseq-rna align --sample ${prefix} ${mates} --index hisat2 --outdir . \\
        --threads ${task.cpus} ${args}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        hisat2: \$(hisat2 --version | sed -n '1s/.*version //p')
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
        escapeseq: \$(escapeseq-rna --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.rna.bam ${prefix}.rna.bam.bai ${prefix}.rna.hisat2.summary.txt
    echo '"${task.process}": {hisat2: stub}' > versions.yml
    """
}
