process PUBLISH_SAMPLESHEET {
    // Publishes the samplesheet that validation (run before any task) produced.
    tag "samplesheet"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path sheet, stageAs: 'input/*'

    output:
    path "samplesheet.valid.csv", emit: csv

    script:
    """
    cp ${sheet} samplesheet.valid.csv.tmp && mv samplesheet.valid.csv.tmp samplesheet.valid.csv
    """

    stub:
    """
    cp ${sheet} samplesheet.valid.csv
    """
}
