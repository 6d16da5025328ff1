process CNV_PILEUP {
    // One task per patient, one interpreter: a pass over the normal's BAM (depth per target,
    // germline SNP discovery), a pass over every tumour's BAM (depth per target, allele counts
    // at the normal's SNPs; task.cpus tumours at a time), then the identity check of every
    // tumour against the normal on evidence LOH cannot create (a likelihood ratio same person
    // vs unrelated, population AFs from the germline resource when given). The task always
    // succeeds on good input; `decision` (match | mismatch | undecidable) lets the workflow
    // stop only a mismatched patient.
    tag "${meta.id}"
    label 'process_low'
    conda "${moduleDir}/environment.yml"

    input:
    // meta: the patient (id, normal, tumours in timepoint order); BAM or CRAM files
    tuple val(meta), path(normal_bam), path(normal_bai), path(tumour_bams), path(tumour_bais)
    path fasta
    path fai
    path targets
    path germline       // population VCF with INFO/AF, or []
    path germline_tbi   // its index, or []

    output:
    tuple val(meta), path("counts/*.counts.tsv.gz"), emit: counts
    tuple val(meta), path("counts/${meta.normal}.snps.tsv"), emit: snps
    tuple val(meta), path("${prefix}.identity.tsv"), emit: identity
    tuple val(meta), env(DECISION), emit: decision
    path "${prefix}.identity_mqc.tsv", emit: mqc
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    prefix = task.ext.prefix ?: "${meta.id}"
    def tbams = tumour_bams instanceof List ? tumour_bams : [tumour_bams]
    def germ_arg = germline ? "--germline-resource ${germline}" : ''
    def germ_idx = germline && germline_tbi && germline_tbi.name != "${germline.name}.${germline_tbi.extension}" ?
                   "ln -sf ${germline_tbi} ${germline}.${germline_tbi.extension}" : ''
    """
    ${germ_idx}
    escapeseq-cnv pileup-patient --fasta ${fasta} --targets ${targets} --patient ${meta.id} \\
        --normal-bam ${normal_bam} --normal-sample ${meta.normal} \\
        --tumour-bam ${tbams.join(' ')} --tumour-sample ${meta.tumours.join(' ')} \\
        --threads ${task.cpus} ${germ_arg} ${args} --outdir counts \\
        --identity ${prefix}.identity.tsv --mqc ${prefix}.identity_mqc.tsv --decision ${prefix}.decision.txt
    DECISION=\$(cat ${prefix}.decision.txt)
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-cnv --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    mkdir -p counts
    for s in ${meta.normal} ${meta.tumours.join(' ')}; do echo | gzip > counts/\$s.counts.tsv.gz; done
    touch counts/${meta.normal}.snps.tsv ${prefix}.identity.tsv ${prefix}.identity_mqc.tsv
    DECISION=match
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
