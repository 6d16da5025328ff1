/*
 * RNA of the tumour timepoints (issue 16), up to the per-patient BAM sets: the HISAT2 index
 * (built once from the FASTA and the GTF's splice sites/exons, only when some sample has RNA
 * FASTQs and --hisat2_index is not given), one HISAT2 alignment per sample with RNA FASTQs,
 * and the RNA BAMs given in the samplesheet (rna_bam) as they are. The evidence per candidate
 * (RNA_EVIDENCE) needs EVOLVE's tables, so it runs in EVOLUTION_REPORT, which takes `patients`.
 * Without RNA in the samplesheet every channel here is empty: no task runs.
 */
include { HISAT2_BUILD } from '../../../modules/local/hisat2/build'
include { HISAT2_ALIGN } from '../../../modules/local/hisat2/align'

workflow RNA_ALIGN {
    take:
    ch_rna_fastq   // channel: [meta (+ n_rna), [rna_r1, rna_r2]] per tumour sample with RNA FASTQs
    ch_rna_bam     // channel: [meta (+ n_rna), rna_bam] per tumour sample given an RNA BAM
    fasta          // path: genome FASTA
    gtf            // path: GTF (splice sites and exons for the index)
    hisat2_index   // list: prebuilt HISAT2 index files (--hisat2_index), or []

    main:
    if (hisat2_index) {
        ch_index = Channel.value(hisat2_index)
    } else {
        // once, and only when a sample has RNA FASTQs (the first one triggers it)
        HISAT2_BUILD(ch_rna_fastq.first().map { fasta }, gtf)
        ch_index = HISAT2_BUILD.out.index   // a value channel: its input is one
    }
    HISAT2_ALIGN(ch_rna_fastq, ch_index)

    // a given RNA BAM has no index here: escapeseq-rna evidence indexes it (bai = [])
    ch_bam = HISAT2_ALIGN.out.bam.mix(ch_rna_bam.map { meta, bam -> [meta, bam, []] })

    // per patient, the tumours in timepoint order: [patient, [sample ids], [bams], [bais]]
    ch_patients = ch_bam
        .map { meta, bam, bai -> [groupKey(meta.patient, meta.n_rna), meta, bam, bai] }
        .groupTuple()
        .map { key, metas, bams, bais ->
            def idx = (0..<metas.size()).toList().sort { metas[it].order }
            [key.toString(), idx.collect { metas[it].id }, idx.collect { bams[it] },
             idx.collect { bais[it] }.flatten()]
        }

    emit:
    bam      = ch_bam                    // [meta, rna.bam, rna.bam.bai or []] per tumour sample with RNA
    patients = ch_patients               // [patient, [sample ids], [bams], [bais]] per patient with RNA
    multiqc  = HISAT2_ALIGN.out.summary.map { it[1] } // path: <sample>.rna.hisat2.summary.txt
}
