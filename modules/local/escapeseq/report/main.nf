process REPORT {
    // One self-contained HTML report per patient (figures and igv.js inlined; no network).
    // bams: <sample>.bam + .bai of the normal and every tumour, sliced around the candidates
    // (SAMTOOLS_SLICE); igv_js: [] when not given (the report then says so); rna_evidence:
    // <patient>.rna_evidence.tsv (RNA_EVIDENCE), or [] for a patient without RNA.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(tables, stageAs: 'evolution/*'), path(cnv, stageAs: 'cnv/*'), path(bams, stageAs: 'bams/*'), path(rna_evidence, stageAs: 'rna/*')
    path samplesheet
    path fasta
    path fai
    path panel
    path igv_js

    output:
    tuple val(meta), path("report/${meta.id}.report.html"), emit: html
    path "report/figures", emit: figures, optional: true
    tuple val(meta), path("cnvfig/*.cnv.png"), emit: cnv_png, optional: true
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    def igv = igv_js ? "--igv-js ${igv_js}" : ''
    def rna = rna_evidence ? "--rna-evidence ${rna_evidence}" : ''
    """
    escapeseq-report --patient ${meta.id} --evolution-dir evolution --cnv-dir cnv \\
        --samplesheet ${samplesheet} --bam-dir bams --fasta ${fasta} --panel ${panel} ${igv} ${rna} \\
        --cnv-png-dir cnvfig ${args} --outdir report
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-report --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    mkdir -p report
    touch report/${meta.id}.report.html
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
