process CNV_PILEUP {
    // One pass over a BAM: depth per target, allele counts at the patient's germline SNPs
    // (tumours), or germline SNP discovery (the normal).
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(bam), path(bai), path(snps)
    path fasta
    path fai
    path targets

    output:
    tuple val(meta), path("${meta.id}.counts.tsv.gz"), emit: counts
    tuple val(meta), path("${meta.id}.snps.tsv"), emit: snps, optional: true
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    def snp_arg = meta.status == 'normal' ? "--call-snps ${meta.id}.snps.tsv" : "--snps ${snps}"
    """
    escapeseq-cnv pileup --fasta ${fasta} --targets ${targets} --bam ${bam} --sample ${meta.id} \\
        ${snp_arg} ${args} --out ${meta.id}.counts.tsv.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    echo | gzip > ${meta.id}.counts.tsv.gz
    ${meta.status == 'normal' ? "touch ${meta.id}.snps.tsv" : ''}
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}

process SAMPLE_IDENTITY {
    // A tumour that does not match its patient's normal stops the run with a clear message:
    // a swapped sample would fabricate relapse-only mutations and LOH.
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(normal_counts), val(tumour_ids), path(tumour_counts)

    output:
    tuple val(meta), path("${meta.id}.identity.tsv"), emit: tsv
    path "${meta.id}.identity_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    """
    escapeseq-cnv identity --patient ${meta.id} --normal ${normal_counts} \\
        --normal-sample ${meta.normal} --tumour ${tumour_counts} --tumour-sample ${tumour_ids.join(' ')} \\
        ${args} --out ${meta.id}.identity.tsv --mqc ${meta.id}.identity_mqc.tsv
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    touch ${meta.id}.identity.tsv ${meta.id}.identity_mqc.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}

process CNV_FIT {
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(tumour_counts), path(normal_counts), path(identity)

    output:
    tuple val(meta), path("cnv/${meta.id}.purity.tsv"), path("cnv/${meta.id}.segments.tsv"), emit: cnv
    tuple val(meta), path("cnv/${meta.id}.seg"), emit: seg
    tuple val(meta), path("cnv/${meta.id}.cnv.png"), emit: png, optional: true
    path "cnv/${meta.id}.cnv_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    def purity = meta.purity ? "--purity ${meta.purity}" : ''
    def sex = meta.sex in ['female', 'male'] ? "--sex ${meta.sex}" : ''
    """
    escapeseq-cnv fit --patient ${meta.patient} --normal ${normal_counts} --tumour ${tumour_counts} \\
        --sample ${meta.id} ${purity} ${sex} ${args} --outdir cnv
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    mkdir -p cnv
    touch cnv/${meta.id}.purity.tsv cnv/${meta.id}.segments.tsv cnv/${meta.id}.seg cnv/${meta.id}.cnv_mqc.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}

process LOH_CHANGES {
    tag "${meta.id}"
    label 'process_single'

    input:
    tuple val(meta), path(segments, stageAs: 'segments/*')

    output:
    tuple val(meta), path("${meta.id}.loh_changes.tsv"), emit: tsv
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    // segments arrive ordered by timepoint: the first is the baseline
    def segs = (segments instanceof List ? segments : [segments])
    """
    escapeseq-cnv loh-changes --patient ${meta.id} --baseline ${segs[0]} \\
        --relapse ${segs.drop(1).join(' ')} ${args} --out ${meta.id}.loh_changes.tsv
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: ${workflow.manifest.version}
    END_VERSIONS
    """

    stub:
    """
    touch ${meta.id}.loh_changes.tsv
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
