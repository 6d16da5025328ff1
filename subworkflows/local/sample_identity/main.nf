/*
 * One pileup per BAM (germline SNPs discovered in the patient's normal, counted in every
 * tumour) and the identity check of every tumour against its normal. A patient whose check
 * says `mismatch` is stopped here: its calling, copy number, evolution and report never start,
 * while the other patients run to the end. The evidence is published and shown in MultiQC and
 * the cohort index.
 */
include { CNV_PILEUP as CNV_PILEUP_NORMAL } from '../../../modules/local/escapeseq/cnvpileup'
include { CNV_PILEUP as CNV_PILEUP_TUMOUR } from '../../../modules/local/escapeseq/cnvpileup'
include { SAMPLE_IDENTITY                 } from '../../../modules/local/escapeseq/identity'

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
    CNV_PILEUP_NORMAL(ch_bam.filter { it[0].order == 0 }.map { meta, bam, bai -> [meta, bam, bai, []] },
                      fasta, ch_fai, targets)
    ch_normal_snps = CNV_PILEUP_NORMAL.out.snps.map { meta, snps -> [meta.patient, snps] }
    CNV_PILEUP_TUMOUR(
        ch_bam.filter { it[0].order > 0 }.map { meta, bam, bai -> [meta.patient, meta, bam, bai] }
            .combine(ch_normal_snps, by: 0).map { p, meta, bam, bai, snps -> [meta, bam, bai, snps] },
        fasta, ch_fai, targets)

    ch_normal_counts = CNV_PILEUP_NORMAL.out.counts.map { meta, c -> [meta.patient, c] }
    // [patient, [tumour metas], [tumour counts]] in timepoint order
    ch_tumour_counts = CNV_PILEUP_TUMOUR.out.counts
        .map { meta, c -> [groupKey(meta.patient, meta.n_tumours), meta, c] }
        .groupTuple()
        .map { key, metas, cs ->
            def idx = (0..<metas.size()).toList().sort { metas[it].order }
            [key.toString(), idx.collect { metas[it] }, idx.collect { cs[it] }]
        }
    SAMPLE_IDENTITY(
        ch_patient.map { pm, nb, nbi, tb, tbi -> [pm.id, pm] }
            .join(ch_normal_counts).join(ch_tumour_counts)
            .map { p, pm, nc, tmetas, tcs -> [pm, nc, tmetas*.id, tcs] },
        germline, germline_tbi)

    // [patient, decision]; a mismatch is logged once, here, with where its evidence is
    ch_decision = SAMPLE_IDENTITY.out.decision
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

    // [patient, [counts of every sample]] sorted by name
    ch_counts_by_patient = CNV_PILEUP_NORMAL.out.counts.mix(CNV_PILEUP_TUMOUR.out.counts)
        .map { meta, c -> [groupKey(meta.patient, meta.n_samples), c] }
        .groupTuple()
        .map { key, cs -> [key.toString(), cs.sort { it.name }] }

    emit:
    passed         = ch_pass                      // [patient] for every patient not mismatched
    decision       = ch_decision                  // [patient, match|mismatch|undecidable]
    identity       = SAMPLE_IDENTITY.out.tsv      // [pmeta, identity.tsv]
    normal_counts  = ch_normal_counts             // [patient, <normal>.counts.tsv.gz]
    tumour_counts  = CNV_PILEUP_TUMOUR.out.counts // [meta, <tumour>.counts.tsv.gz] per tumour
    counts         = ch_counts_by_patient         // [patient, [<sample>.counts.tsv.gz ...]]
    multiqc        = SAMPLE_IDENTITY.out.mqc      // path: MultiQC custom content
}
