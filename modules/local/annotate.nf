process ANNOTATE {
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(vcf), path(tbi)
    path fasta
    path fai
    path gtf
    path panel

    output:
    tuple val(meta), path("${meta.id}.annotated.vcf.gz"), path("${meta.id}.annotated.vcf.gz.tbi"), emit: vcf
    tuple val(meta), path("${meta.id}.annotation.tsv"), emit: tsv
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    """
    escapeseq-annotate --fasta ${fasta} --gtf ${gtf} --vcf ${vcf} --escape-panel ${panel} ${args} \\
        --tsv ${meta.id}.annotation.tsv --out ${meta.id}.annotated.vcf.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    echo | bgzip > ${meta.id}.annotated.vcf.gz
    touch ${meta.id}.annotated.vcf.gz.tbi ${meta.id}.annotation.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
