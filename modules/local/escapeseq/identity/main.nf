process SAMPLE_IDENTITY {
    // Is every tumour from the same person as the normal? Scored on evidence LOH cannot
    // create (a likelihood ratio same person vs unrelated, population AFs from the germline
    // resource when given). The task always succeeds; `decision` (match | mismatch |
    // undecidable) lets the workflow stop only a mismatched patient.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(normal_counts), val(tumour_ids), path(tumour_counts)
    path germline       // population VCF with INFO/AF, or []
    path germline_tbi   // its index, or []

    output:
    tuple val(meta), path("${prefix}.identity.tsv"), emit: tsv
    tuple val(meta), env(DECISION), emit: decision
    path "${prefix}.identity_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def germ_arg = germline ? "--germline-resource ${germline}" : ''
    // an explicitly given index may be named otherwise: htslib looks for <vcf>.tbi / .csi
    def germ_idx = germline && germline_tbi && germline_tbi.name != "${germline.name}.${germline_tbi.extension}" ?
                   "ln -sf ${germline_tbi} ${germline}.${germline_tbi.extension}" : ''
    """
    ${germ_idx}
    escapeseq-cnv identity --patient ${meta.id} --normal ${normal_counts} \\
        --normal-sample ${meta.normal} --tumour ${tumour_counts} --tumour-sample ${tumour_ids.join(' ')} \\
        ${germ_arg} ${args} --out ${prefix}.identity.tsv --mqc ${prefix}.identity_mqc.tsv \\
        --decision ${prefix}.decision.txt
    DECISION=\$(cat ${prefix}.decision.txt)
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-cnv --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.identity.tsv ${prefix}.identity_mqc.tsv
    DECISION=match
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
