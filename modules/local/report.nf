process REPORT {
    // One self-contained HTML report per patient (figures and igv.js inlined; no network).
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(tables, stageAs: 'evolution/*'), path(cnv, stageAs: 'cnv/*'), path(bams, stageAs: 'bams/*')
    path samplesheet
    path fasta
    path fai
    path panel
    path igv_js

    output:
    tuple val(meta), path("report/${meta.id}.report.html"), emit: html
    path "report/figures", emit: figures, optional: true
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    def igv = igv_js.name != 'NO_IGV' ? "--igv-js ${igv_js}" : ''
    """
    escapeseq-report --patient ${meta.id} --evolution-dir evolution --cnv-dir cnv \\
        --samplesheet ${samplesheet} --bam-dir bams --fasta ${fasta} --panel ${panel} ${igv} \\
        ${args} --outdir report
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    mkdir -p report
    touch report/${meta.id}.report.html
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}

process REPORT_INDEX {
    tag "cohort"
    label 'process_single'

    input:
    path reports, stageAs: 'reports/*'

    output:
    path "index.html", emit: html
    path "versions.yml", emit: versions

    script:
    """
    escapeseq-report index --outdir . --href-template '{patient}/report/{patient}.report.html' ${reports}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    touch index.html
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
