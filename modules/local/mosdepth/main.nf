process MOSDEPTH {
    // Depth over the targets: summaries for MultiQC, per-target depth and threshold counts.
    // A CRAM is decoded against `fasta` (+ `fai`); both [] for a BAM.
    tag "${meta.id}"
    label 'process_low'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam), path(bai)
    path targets
    path fasta
    path fai

    output:
    tuple val(meta), path("${prefix}.mosdepth.summary.txt"), emit: summary
    tuple val(meta), path("${prefix}.mosdepth.region.dist.txt"), emit: region_dist
    tuple val(meta), path("${prefix}.mosdepth.global.dist.txt"), emit: global_dist
    tuple val(meta), path("${prefix}.regions.bed.gz"), emit: regions
    tuple val(meta), path("${prefix}.thresholds.bed.gz"), emit: thresholds
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    mosdepth ${args} ${fasta ? "--fasta ${fasta}" : ''} --no-per-base --by ${targets} -t ${task.cpus} ${prefix} ${bam}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        mosdepth: \$(mosdepth --version | sed 's/mosdepth //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.mosdepth.summary.txt ${prefix}.mosdepth.region.dist.txt ${prefix}.mosdepth.global.dist.txt
    echo | gzip > ${prefix}.regions.bed.gz
    echo | gzip > ${prefix}.thresholds.bed.gz
    echo '"${task.process}": {mosdepth: stub}' > versions.yml
    """
}
