process SOMATIC_GATHER {
    // The chunk VCFs of one patient concatenated in interval order into one indexed VCF.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(vcfs, stageAs: 'chunks/*'), path(tbis, stageAs: 'chunks/*')

    output:
    tuple val(meta), path("${prefix}.somatic.vcf.gz"), path("${prefix}.somatic.vcf.gz.tbi"), emit: vcf
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def ordered = (vcfs instanceof List ? vcfs : [vcfs]).collect { it.toString() }.sort().join(' ')
    """
    escapeseq-call gather ${args} --out ${prefix}.somatic.vcf.gz ${ordered}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-call --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo | bgzip > ${prefix}.somatic.vcf.gz
    touch ${prefix}.somatic.vcf.gz.tbi
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
