process BWA_INDEX {
    // BWA index of the reference (used when --bwa_index is not given and a sample has FASTQ).
    tag "${fasta.name}"
    label 'process_single'
    label 'process_high_memory'
    conda "${moduleDir}/environment.yml"

    input:
    path fasta

    output:
    path "bwa/*", emit: index
    path "versions.yml", emit: versions, topic: versions

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
