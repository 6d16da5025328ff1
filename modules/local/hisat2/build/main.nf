process HISAT2_BUILD {
    // HISAT2 index of the reference with the GTF's splice sites and exons (issue 16); run once,
    // only when a patient has RNA FASTQs and --hisat2_index is not given. gtf: [] builds without hints.
    // ext.args: escapeseq-rna index options, e.g. '--hints align' (plain index + known splice
    // sites at alignment: ~8 GB for a human genome instead of ~200 GB), '--args=<hisat2-build options>'.
    tag "${fasta.name}"
    label 'process_medium'
    label 'process_high_memory'
    conda "${moduleDir}/environment.yml"

    input:
    path fasta
    path gtf

    output:
    path "hisat2/*", emit: index
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    def gtf_arg = gtf ? "--gtf ${gtf}" : ''
    """
    escapeseq-rna index --fasta ${fasta} ${gtf_arg} --outdir hisat2 --prefix genome \\
        --threads ${task.cpus} ${args}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        hisat2: \$(hisat2 --version | sed -n '1s/.*version //p')
        escapeseq: \$(escapeseq-rna --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p hisat2
    for i in 1 2 3 4 5 6 7 8; do touch hisat2/genome.\$i.ht2; done
    echo '"${task.process}": {hisat2: stub}' > versions.yml
    """
}
