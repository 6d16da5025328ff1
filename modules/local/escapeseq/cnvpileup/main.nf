process CNV_PILEUP {
    // One pass over a BAM: depth per target, allele counts at the patient's germline SNPs
    // (tumours: `snps` is the normal's SNP table), or germline SNP discovery (the normal:
    // `snps` is []).
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam), path(bai), path(snps)
    path fasta
    path fai
    path targets

    output:
    tuple val(meta), path("${prefix}.counts.tsv.gz"), emit: counts
    tuple val(meta), path("${prefix}.snps.tsv"), emit: snps, optional: true
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    escapeseq-cnv pileup --fasta ${fasta} --targets ${targets} --bam ${bam} --sample ${meta.id} \\
        ${snps ? '--snps ' + snps : '--call-snps ' + prefix + '.snps.tsv'} ${args} --out ${prefix}.counts.tsv.gz
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-cnv --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    echo | gzip > ${prefix}.counts.tsv.gz
    ${snps ? '' : 'touch ' + prefix + '.snps.tsv'}
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
