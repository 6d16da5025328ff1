process ANNOTATE {
    // Consequence and loss-of-function annotation of a patient's somatic VCF (GTF + escape panel).
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(vcf), path(tbi)
    path fasta
    path fai
    path gtf
    path panel

    output:
    tuple val(meta), path("${prefix}.annotated.vcf.gz"), path("${prefix}.annotated.vcf.gz.tbi"), emit: vcf
    tuple val(meta), path("${prefix}.annotation.tsv"), emit: tsv
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    escapeseq-annotate --fasta ${fasta} --gtf ${gtf} --vcf ${vcf} --escape-panel ${panel} ${args} \\
        --tsv ${prefix}.annotation.tsv --out ${prefix}.annotated.vcf.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-annotate --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo | bgzip > ${prefix}.annotated.vcf.gz
    touch ${prefix}.annotated.vcf.gz.tbi ${prefix}.annotation.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
