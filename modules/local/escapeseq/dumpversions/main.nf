process DUMP_VERSIONS {
    // Every process's versions.yml (the `versions` topic), merged: pipeline_info/versions.yml
    // and the MultiQC "Software versions" section. ext.args: --nextflow/--pipeline versions.
    tag "versions"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path collated, stageAs: 'collated_versions.yml'

    output:
    path "versions.yml", emit: yml
    path "software_versions_mqc.yml", emit: mqc

    script:
    def args = task.ext.args ?: ''
    """
    escapeseq-qc versions ${args} --out versions.yml --mqc software_versions_mqc.yml collated_versions.yml
    """

    stub:
    """
    cp collated_versions.yml versions.yml
    touch software_versions_mqc.yml
    """
}
