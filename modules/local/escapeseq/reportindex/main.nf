process REPORT_INDEX {
    // The cohort index page linking every patient's report, with every tumour's identity
    // decision (a patient stopped by a mismatch has no report, only its evidence here).
    tag "cohort"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path reports, stageAs: 'reports/*'
    path identity, stageAs: 'identity/*'

    output:
    path "index.html", emit: html
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    """
    escapeseq-report index --outdir . ${args} --identity ${identity} -- ${reports}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-report --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    touch index.html
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
