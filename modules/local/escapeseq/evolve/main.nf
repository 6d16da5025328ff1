process EVOLVE {
    // Patient-level evolution: every mutation at every timepoint with purity-adjusted VAF,
    // clonal relatedness, and the ranked resistance candidates. loh / arms: [] when absent.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(vcf), path(tbi), path(annotation), path(cnv, stageAs: 'cnv/*'), path(loh)
    path samplesheet
    path panel
    path arms

    output:
    tuple val(meta), path("evolution/${meta.id}.mutations.tsv"), path("evolution/${meta.id}.candidates.tsv"), path("evolution/${meta.id}.summary.tsv"), emit: tables
    path "evolution/${meta.id}.evolution_mqc.tsv", emit: mqc, optional: true
    tuple val(meta), path("evolution/${meta.id}.maf"), emit: maf
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    def loh_arg = loh ? "--loh-changes ${loh}" : ''
    def arms_arg = arms ? "--arms ${arms}" : ''
    """
    escapeseq-evolve --patient ${meta.id} --samplesheet ${samplesheet} --vcf ${vcf} \\
        --annotation ${annotation} --cnv-dir cnv ${loh_arg} --panel ${panel} ${arms_arg} ${args} --outdir evolution
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-evolve --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p evolution
    touch evolution/${meta.id}.mutations.tsv evolution/${meta.id}.candidates.tsv evolution/${meta.id}.summary.tsv evolution/${meta.id}.maf
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
