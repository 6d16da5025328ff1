process SPLIT_TARGETS {
    // The targets cut into balanced interval chunks for scattered calling.
    // ext.args: --count N --padding BP (conf/modules.config sets them from params).
    tag "${targets.name}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    path targets
    path fai

    output:
    path "chunks/chunk_*.bed", emit: chunks
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    """
    escapeseq-call split --targets ${targets} --fasta-fai ${fai} ${args} --outdir chunks
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-call --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    def args = task.ext.args ?: ''
    def m = args =~ /--count[ =](\d+)/
    def n = m.find() ? m.group(1) as int : 1
    """
    mkdir chunks
    for i in \$(seq -f '%03g' 1 ${n}); do cp ${targets} chunks/chunk_\$i.bed; done
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
