process SPLIT_TARGETS {
    tag "${targets.name}"
    label 'process_single'

    input:
    path targets
    path fai

    output:
    path "chunks/chunk_*.bed", emit: chunks
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    """
    escapeseq-call split --targets ${targets} --fasta-fai ${fai} --count ${params.scatter_count} \\
        --padding ${params.call_padding} ${args} --outdir chunks
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    mkdir chunks
    for i in \$(seq -f '%03g' 1 ${params.scatter_count}); do cp ${targets} chunks/chunk_\$i.bed; done
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}

process SOMATIC_CALL {
    // One task per (patient, interval chunk): call every tumour against the normal, then
    // genotype the union of candidate sites in every sample of the patient.
    tag "${meta.id}:${chunk.baseName}"
    label 'process_single'

    input:
    tuple val(meta), path(normal), path(normal_bai), path(tumours), path(tumour_bais), path(chunk)
    path fasta
    path fai
    path pon
    path germline

    output:
    tuple val(meta), path("${meta.id}.${chunk.baseName}.vcf.gz"), path("${meta.id}.${chunk.baseName}.vcf.gz.tbi"), emit: vcf
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    def tumour_args = (tumours instanceof List ? tumours : [tumours]).collect { "--tumour ${it}" }.join(' ')
    def pon_arg = pon.name != 'NO_PON' ? "--pon ${pon}" : ''
    def germ_arg = germline.name != 'NO_GERMLINE' ? "--germline-resource ${germline}" : ''
    """
    escapeseq-call call --fasta ${fasta} --normal ${normal} ${tumour_args} \\
        --regions ${chunk} ${pon_arg} ${germ_arg} ${args} \\
        --out ${meta.id}.${chunk.baseName}.vcf.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
        pysam: \$(python3 -c 'import pysam; print(pysam.__version__)')
    END_VERSIONS
    """

    stub:
    """
    echo | bgzip > ${meta.id}.${chunk.baseName}.vcf.gz
    touch ${meta.id}.${chunk.baseName}.vcf.gz.tbi
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}

process SOMATIC_GATHER {
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(vcfs, stageAs: 'chunks/*'), path(tbis, stageAs: 'chunks/*')

    output:
    tuple val(meta), path("${meta.id}.somatic.vcf.gz"), path("${meta.id}.somatic.vcf.gz.tbi"), emit: vcf
    path "versions.yml", emit: versions

    script:
    def ordered = (vcfs instanceof List ? vcfs : [vcfs]).collect { it.toString() }.sort().join(' ')
    """
    escapeseq-call gather --out ${meta.id}.somatic.vcf.gz ${ordered}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    echo | bgzip > ${meta.id}.somatic.vcf.gz
    touch ${meta.id}.somatic.vcf.gz.tbi
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
