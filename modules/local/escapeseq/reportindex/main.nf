process REPORT_INDEX {
    // The cohort index page linking every patient's report, with every tumour's identity
    // decision (a patient stopped by a mismatch has no report, only its evidence here).
    tag "cohort"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path reports, stageAs: 'reports/*'
    path identity, stageAs: 'identity/*'
    path mafs, stageAs: 'maf/*'

    output:
    path "index.html", emit: html
    path "cohort.maf", emit: maf, optional: true
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    def maf_arg = mafs ? "--mafs ${mafs}" : ''   // cohort.maf: every patient's MAF under one header
    """
    escapeseq-report index --outdir . ${args} --identity ${identity} ${maf_arg} -- ${reports}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-report --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    touch index.html cohort.maf
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
