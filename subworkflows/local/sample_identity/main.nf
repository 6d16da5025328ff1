/*
 * One CNV_PILEUP task per patient: the normal's pileup and germline SNPs, every tumour
 * counted at them, and the identity check of every tumour against its normal. A patient
 * whose check says `mismatch` is stopped here: its calling, copy number, evolution and report
 * never start, while the other patients run to the end. The evidence is published and shown
 * in MultiQC and the cohort index.
 */
include { CNV_PILEUP } from '../../../modules/local/escapeseq/cnvpileup'

workflow SAMPLE_IDENTITY_CHECK {
    take:
    ch_bam        // channel: [meta, bam, bai] per sample (meta: id, patient, order, status, n_samples, n_tumours, ...)
    ch_patient    // channel: [pmeta, normal_bam, normal_bai, [tumour_bams], [tumour_bais]] per patient
    fasta         // path: genome FASTA
    ch_fai        // value: path(fai)
    targets       // path: targets BED
    germline      // path: population VCF with INFO/AF, or []
    germline_tbi  // path: its index, or []

    main:
    CNV_PILEUP(ch_patient, fasta, ch_fai, targets, germline, germline_tbi)

    // [patient, decision]; a mismatch is logged once, here, with where its evidence is
    ch_decision = CNV_PILEUP.out.decision
        .map { pm, decision ->
            if (decision == 'mismatch') {
                log.warn("escapeseq: patient ${pm.id}: a tumour does not match the normal " +
                         "${pm.normal} (sample swap?): this patient is stopped; evidence in " +
                         "${pm.id}/cnv/${pm.id}.identity.tsv, MultiQC and the cohort index")
            } else if (decision == 'undecidable') {
                log.warn("escapeseq: patient ${pm.id}: too few informative SNPs to confirm that " +
                         "the tumours match the normal ${pm.normal}; analysed anyway")
            }
            [pm.id, decision]
        }
    ch_pass = ch_decision.filter { p, d -> d != 'mismatch' }.map { p, d -> p }

    // the sample metas, to hand every counts table back with its sample's meta
    ch_meta = ch_bam.map { meta, bam, bai -> [meta.id, meta] }
    ch_sample_counts = CNV_PILEUP.out.counts
        .flatMap { pm, cs -> (cs instanceof List ? cs : [cs]).collect { c -> [c.name - ~/\.counts\.tsv\.gz$/, c] } }
        .join(ch_meta)
        .map { id, c, meta -> [meta, c] }

    emit:
    passed         = ch_pass                                         // [patient] for every patient not mismatched
    decision       = ch_decision                                     // [patient, match|mismatch|undecidable]
    identity       = CNV_PILEUP.out.identity                         // [pmeta, identity.tsv]
    normal_counts  = ch_sample_counts.filter { it[0].order == 0 }
                         .map { meta, c -> [meta.patient, c] }       // [patient, <normal>.counts.tsv.gz]
    tumour_counts  = ch_sample_counts.filter { it[0].order > 0 }     // [meta, <tumour>.counts.tsv.gz] per tumour
    // sorted into a new list (sort(false)): the emitted list is shared with the flatMap above,
    // and sorting it in place races with that iteration (ConcurrentModificationException)
    counts         = CNV_PILEUP.out.counts
                         .map { pm, cs -> [pm.id, (cs instanceof List ? cs : [cs]).sort(false) { it.name }] } // [patient, [<sample>.counts.tsv.gz ...]]
    multiqc        = CNV_PILEUP.out.mqc                              // path: MultiQC custom content
}
