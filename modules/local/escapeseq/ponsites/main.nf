process PON_SITES {
    // One normal read as a tumour (tumour-only model, loose thresholds): every site with
    // alternate evidence, as a sites-only VCF. Step 1 of building a panel of normals.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam), path(bai)
    path fasta
    path fai
    path targets

    output:
    tuple val(meta), path("${prefix}.sites.vcf.gz"), path("${prefix}.sites.vcf.gz.tbi"), emit: vcf
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    escapeseq-call pon-sites --fasta ${fasta} --bam ${bam} --regions ${targets} ${args} \\
        --out ${prefix}.sites.vcf.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-call --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo | bgzip > ${prefix}.sites.vcf.gz
    touch ${prefix}.sites.vcf.gz.tbi
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
