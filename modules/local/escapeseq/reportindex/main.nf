process REPORT_INDEX {
    // The cohort index page: the cohort view (escape genes hit per patient and timepoint, the
    // clonal metrics) from every patient's EVOLVE tables, links to every patient's report, and
    // every tumour's identity decision (a patient stopped by a mismatch has no report, only its
    // evidence here); the cohort view as TSV for R.
    tag "cohort"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path reports, stageAs: 'reports/*'
    path identity, stageAs: 'identity/*'
    path tables, stageAs: 'tables/*'   // <patient>.mutations.tsv, .candidates.tsv, .summary.tsv of every patient
    path mafs, stageAs: 'maf/*'        // <patient>.maf of every patient

    output:
    path "index.html", emit: html
    path "cohort.escape.tsv", emit: escape
    path "cohort.summary.tsv", emit: summary
    path "cohort.maf", emit: maf, optional: true
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    def maf_arg = mafs ? "--mafs ${mafs}" : ''   // cohort.maf: every patient's MAF under one header
    """
    escapeseq-report index --outdir . ${args} --tables ${tables} --identity ${identity} ${maf_arg} -- ${reports}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-report --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    touch index.html cohort.escape.tsv cohort.summary.tsv cohort.maf
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
