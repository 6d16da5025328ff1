process LOH_CHANGES {
    // LOH gained or lost between a patient's baseline and each later tumour.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(segments, stageAs: 'segments/*')

    output:
    tuple val(meta), path("${prefix}.loh_changes.tsv"), emit: tsv
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    // segments arrive ordered by timepoint: the first is the baseline
    def segs = (segments instanceof List ? segments : [segments])
    """
    escapeseq-cnv loh-changes --patient ${meta.id} --baseline ${segs[0]} \\
        --relapse ${segs.drop(1).join(' ')} ${args} --out ${prefix}.loh_changes.tsv
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-cnv --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.loh_changes.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
