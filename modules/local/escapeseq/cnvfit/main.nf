process CNV_FIT {
    // Purity, ploidy and allele-specific copy-number segments of every tumour of one patient
    // against its normal, and the LOH changes between the timepoints (patients with more than
    // one tumour): one interpreter per patient, not one per tumour plus one for the changes.
    // A tumour's meta.purity (samplesheet) overrides its estimate; meta.sex sets the expected
    // X/Y copies. The patient's somatic VCF gives a second purity anchor (the clonal VAF
    // peak), which is the only one in a copy-number-quiet tumour.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    // meta: the patient (id, sex); tumours: the tumour metas in timepoint order (id, purity),
    // tumour_counts in the same order
    tuple val(meta), val(tumours), path(tumour_counts), path(normal_counts), path(somatic_vcf), path(somatic_tbi)

    output:
    tuple val(meta), path("cnv/*.purity.tsv"), path("cnv/*.segments.tsv"), emit: cnv
    tuple val(meta), path("cnv/*.seg"), emit: seg
    tuple val(meta), path("cnv/*.cnv.png"), emit: png, optional: true
    tuple val(meta), path("${prefix}.loh_changes.tsv"), emit: loh, optional: true
    path "cnv/*.cnv_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def counts = tumour_counts instanceof List ? tumour_counts : [tumour_counts]
    def purity = tumours.any { it.purity } ? "--purity ${tumours.collect { it.purity ?: 'auto' }.join(' ')}" : ''
    def sex = meta.sex in ['female', 'male'] ? "--sex ${meta.sex}" : ''
    def several = tumours.size() > 1
    """
    escapeseq-cnv fit --patient ${meta.id} --normal ${normal_counts} --tumour ${counts.join(' ')} \\
        --sample ${tumours.collect { it.id }.join(' ')} ${purity} ${sex} \\
        --somatic-vcf ${somatic_vcf} ${several ? "--loh-changes ${prefix}.loh_changes.tsv" : ''} ${args} --outdir cnv
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-cnv --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    def several = tumours.size() > 1
    """
    mkdir -p cnv
    for s in ${tumours.collect { it.id }.join(' ')}; do
        touch cnv/\$s.purity.tsv cnv/\$s.segments.tsv cnv/\$s.seg cnv/\$s.cnv_mqc.tsv
    done
    ${several ? "touch ${prefix}.loh_changes.tsv" : ''}
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
