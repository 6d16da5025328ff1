process SAMTOOLS_FAIDX {
    tag "${fasta.name}"
    label 'process_single'

    input:
    path fasta

    output:
    path "${fasta}.fai", emit: fai
    path "versions.yml", emit: versions

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

process BWA_INDEX {
    tag "${fasta.name}"
    label 'process_single'
    label 'process_high_memory'

    input:
    path fasta

    output:
    path "bwa/*", emit: index
    path "versions.yml", emit: versions

    script:
    def args = task.ext.args ?: ''
    """
    mkdir -p bwa
    bwa index ${args} -p bwa/${fasta} ${fasta}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        bwa: \$(bwa 2>&1 | sed -n 's/^Version: //p')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p bwa
    for e in amb ann bwt pac sa; do touch bwa/${fasta}.\$e; done
    echo '"${task.process}": {bwa: stub}' > versions.yml
    """
}
