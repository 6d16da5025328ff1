process SOMATIC_CALL {
    // One task per (patient, interval chunk): call every tumour against the normal, then
    // genotype the union of candidate sites in every sample of the patient.
    // pon / germline and their indexes: [] when not given (the index is staged with its VCF).
    tag "${meta.id}:${chunk.baseName}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(normal), path(normal_bai), path(tumours), path(tumour_bais), path(chunk)
    path fasta
    path fai
    path pon
    path pon_tbi
    path germline
    path germline_tbi

    output:
    tuple val(meta), path("${prefix}.vcf.gz"), path("${prefix}.vcf.gz.tbi"), emit: vcf
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: (meta.num_intervals == 1 ? "${meta.id}.somatic" : "${meta.id}.${chunk.baseName}")
    def tumour_args = (tumours instanceof List ? tumours : [tumours]).collect { "--tumour ${it}" }.join(' ')
    def pon_arg = pon ? "--pon ${pon}" + (pon_tbi ? " --pon-index ${pon_tbi}" : '') : ''
    def germ_arg = germline ? "--germline-resource ${germline}" +
                              (germline_tbi ? " --germline-resource-index ${germline_tbi}" : '') : ''
    """
    escapeseq-call call --fasta ${fasta} --normal ${normal} ${tumour_args} \\
        --regions ${chunk} ${pon_arg} ${germ_arg} ${args} \\
        --out ${prefix}.vcf.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-call --version | sed 's/.* //')
        pysam: \$(python3 -c 'import pysam; print(pysam.__version__)')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: (meta.num_intervals == 1 ? "${meta.id}.somatic" : "${meta.id}.${chunk.baseName}")
    """
    echo | bgzip > ${prefix}.vcf.gz
    touch ${prefix}.vcf.gz.tbi
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
