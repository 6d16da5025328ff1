process SAMPLE_IDENTITY {
    // A tumour that does not match its patient's normal stops the run with a clear message:
    // a swapped sample would fabricate relapse-only mutations and LOH.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(normal_counts), val(tumour_ids), path(tumour_counts)

    output:
    tuple val(meta), path("${prefix}.identity.tsv"), emit: tsv
    path "${prefix}.identity_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    escapeseq-cnv identity --patient ${meta.id} --normal ${normal_counts} \\
        --normal-sample ${meta.normal} --tumour ${tumour_counts} --tumour-sample ${tumour_ids.join(' ')} \\
        ${args} --out ${prefix}.identity.tsv --mqc ${prefix}.identity_mqc.tsv
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-cnv --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.identity.tsv ${prefix}.identity_mqc.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
