process SAMTOOLS_STATS {
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(bam), path(bai)
    path fasta
    path targets

    output:
    tuple val(meta), path("${meta.id}.stats"), emit: stats
    tuple val(meta), path("${meta.id}.flagstat"), emit: flagstat
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    """
    samtools stats ${args} --reference ${fasta} -t ${targets} ${bam} > ${meta.id}.stats
    samtools flagstat ${bam} > ${meta.id}.flagstat
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
    END_VERSIONS
    """

    stub:
    """
    touch ${meta.id}.stats ${meta.id}.flagstat
    echo '"${task.process}": {samtools: stub}' > versions.yml
    """
}

process MOSDEPTH {
    tag "${meta.id}"
    label 'process_low'

    input:
    tuple val(meta), path(bam), path(bai)
    path targets

    output:
    tuple val(meta), path("${meta.id}.mosdepth.summary.txt"), emit: summary
    tuple val(meta), path("${meta.id}.mosdepth.region.dist.txt"), emit: region_dist
    tuple val(meta), path("${meta.id}.mosdepth.global.dist.txt"), emit: global_dist
    tuple val(meta), path("${meta.id}.regions.bed.gz"), emit: regions
    tuple val(meta), path("${meta.id}.thresholds.bed.gz"), emit: thresholds
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: '--thresholds 20,50,100'
    """
    mosdepth ${args} --no-per-base --by ${targets} -t ${task.cpus} ${meta.id} ${bam}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        mosdepth: \$(mosdepth --version | sed 's/mosdepth //')
    END_VERSIONS
    """

    stub:
    """
    touch ${meta.id}.mosdepth.summary.txt ${meta.id}.mosdepth.region.dist.txt ${meta.id}.mosdepth.global.dist.txt
    echo | gzip > ${meta.id}.regions.bed.gz
    echo | gzip > ${meta.id}.thresholds.bed.gz
    echo '"${task.process}": {mosdepth: stub}' > versions.yml
    """
}

process COVERAGE_SUMMARY {
    tag "cohort"
    label 'process_single'

    input:
    path thresholds, stageAs: 'thresholds/*'

    output:
    path "coverage_summary_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions

    script:
    """
    escapeseq-qc coverage --out coverage_summary_mqc.tsv thresholds/*.thresholds.bed.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    touch coverage_summary_mqc.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}

process DUMP_VERSIONS {
    tag "versions"
    label 'process_single'

    input:
    path collated, stageAs: 'collated_versions.yml'

    output:
    path "versions.yml", emit: yml
    path "software_versions_mqc.yml", emit: mqc

    script:
    """
    escapeseq-qc versions --nextflow ${workflow.nextflow.version} --pipeline ${workflow.manifest.version} \\
        --out versions.yml --mqc software_versions_mqc.yml collated_versions.yml
    """

    stub:
    """
    cp collated_versions.yml versions.yml
    touch software_versions_mqc.yml
    """
}

process MULTIQC {
    tag "multiqc"
    label 'process_single'

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
