process PON_MERGE {
    // The panel of normals: sites seen in at least --min-samples normals (ext.args), bgzipped
    // and indexed, for `--pon` (like Mutect2's CreateSomaticPanelOfNormals).
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(sites, stageAs: 'sites/*'), path(tbis, stageAs: 'sites/*')

    output:
    tuple val(meta), path("${prefix}.pon.vcf.gz"), path("${prefix}.pon.vcf.gz.tbi"), emit: vcf
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def inputs = (sites instanceof List ? sites : [sites]).collect { it.toString() }.sort().join(' ')
    """
    escapeseq-call pon-merge ${args} --out ${prefix}.pon.vcf.gz ${inputs}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-call --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo | bgzip > ${prefix}.pon.vcf.gz
    touch ${prefix}.pon.vcf.gz.tbi
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
