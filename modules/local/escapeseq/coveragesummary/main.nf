process COVERAGE_SUMMARY {
    // Cohort table of target coverage (MultiQC custom content) from mosdepth's thresholds.
    tag "cohort"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path thresholds, stageAs: 'thresholds/*'

    output:
    path "coverage_summary_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    """
    escapeseq-qc coverage ${args} --out coverage_summary_mqc.tsv thresholds/*.thresholds.bed.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-qc --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    touch coverage_summary_mqc.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
