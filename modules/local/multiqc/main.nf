process MULTIQC {
    // One MultiQC report over the QC files, the custom-content tables and the software versions.
    // Its own versions.yml is not in the `versions` topic: the report it writes is made after
    // every other version is known.
    tag "multiqc"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path inputs, stageAs: 'inputs/?/*'
    path config

    output:
    path "multiqc_report.html", emit: report
    path "multiqc_report_data", emit: data
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    """
    multiqc --force --no-ai --config ${config} ${args} --filename multiqc_report.html inputs
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        multiqc: \$(multiqc --version | sed 's/.*version //')
    END_VERSIONS
    """

    stub:
    """
    touch multiqc_report.html
    mkdir multiqc_report_data
    echo '"${task.process}": {multiqc: stub}' > versions.yml
    """
}
