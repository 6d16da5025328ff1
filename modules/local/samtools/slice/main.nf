process SAMTOOLS_SLICE {
    // The reads of one sample around a patient's candidates: a small indexed BAM that the
    // report's read views are cut from. Regions: each candidate's `chrom`/`pos` (candidates
    // table columns) +/- ext.flank bp. A patient without candidates gets a header-only BAM.
    // Reads a BAM or a CRAM (decoded against `fasta`); writes BAM either way (igv.js input).
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(bam, stageAs: 'input/*'), path(bai, stageAs: 'input/*'), path(candidates)
    path fasta  // the FASTA a CRAM input is decoded against, or [] (BAM input)
    path fai

    output:
    tuple val(meta), path("${prefix}.bam"), path("${prefix}.bam.bai"), emit: bam
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    def flank = task.ext.flank ?: 1000
    prefix = task.ext.prefix ?: "${meta.id}"
    def ref = fasta ? "--reference ${fasta}" : ''
    """
    awk -F '\\t' -v OFS='\\t' -v flank=${flank} '
        NR == 1 { for (i = 1; i <= NF; i++) { if (\$i == "chrom") c = i; if (\$i == "pos") p = i }; next }
        c && p && \$c != "" { s = \$p - 1 - flank; if (s < 0) s = 0; print \$c, s, \$p + flank }
    ' ${candidates} > regions.bed
    if [ -s regions.bed ]; then
        samtools view --no-PG -b ${ref} ${args} -M -L regions.bed -o ${prefix}.bam ${bam}
    else
        # no candidate: the header alone (samtools refuses an empty region list)
        samtools view --no-PG -b ${ref} -H -o ${prefix}.bam ${bam}
    fi
    samtools index ${prefix}.bam
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        samtools: \$(samtools --version | head -1 | sed 's/samtools //')
    END_VERSIONS
    """

    stub:
    prefix = task.ext.prefix ?: "${meta.id}"
    """
    touch ${prefix}.bam ${prefix}.bam.bai
    echo '"${task.process}": {samtools: stub}' > versions.yml
    """
}
