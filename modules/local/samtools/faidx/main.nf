process SAMTOOLS_FAIDX {
    // Index a FASTA (used when <fasta>.fai is not beside the reference).
    tag "${fasta.name}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path fasta

    output:
    path "${fasta}.fai", emit: fai
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    """
    samtools faidx ${args} ${fasta}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
    END_VERSIONS
    """

    stub:
    """
    grep '^>' ${fasta} | sed 's/^>//; s/ .*//' | awk '{print \$1"\\t1000\\t0\\t60\\t61"}' > ${fasta}.fai
    echo '"${task.process}": {samtools: stub}' > versions.yml
    """
}
