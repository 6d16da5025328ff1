process CNV_FIT {
    // Purity, ploidy and allele-specific copy-number segments of one tumour against its normal.
    // meta.purity (samplesheet) overrides the estimate; meta.sex sets the expected X/Y copies.
    // The patient's somatic VCF gives a second purity anchor (the clonal VAF peak), which is
    // the only one in a copy-number-quiet tumour.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(tumour_counts), path(normal_counts), path(somatic_vcf), path(somatic_tbi)

    output:
    tuple val(meta), path("cnv/${meta.id}.purity.tsv"), path("cnv/${meta.id}.segments.tsv"), emit: cnv
    tuple val(meta), path("cnv/${meta.id}.seg"), emit: seg
    tuple val(meta), path("cnv/${meta.id}.cnv.png"), emit: png, optional: true
    path "cnv/${meta.id}.cnv_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    def purity = meta.purity ? "--purity ${meta.purity}" : ''
    def sex = meta.sex in ['female', 'male'] ? "--sex ${meta.sex}" : ''
    """
    escapeseq-cnv fit --patient ${meta.patient} --normal ${normal_counts} --tumour ${tumour_counts} \\
        --sample ${meta.id} ${purity} ${sex} \\
        --somatic-vcf ${somatic_vcf} ${args} --outdir cnv
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-cnv --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p cnv
    touch cnv/${meta.id}.purity.tsv cnv/${meta.id}.segments.tsv cnv/${meta.id}.seg cnv/${meta.id}.cnv_mqc.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
