/*
 * Copy number: one pileup per BAM (germline SNPs come from the patient's normal), a sample
 * identity check that gates the fits, purity/ploidy/segments per tumour, and LOH changes
 * between timepoints.
 */
include { CNV_PILEUP as CNV_PILEUP_NORMAL } from '../../../modules/local/escapeseq/cnvpileup'
include { CNV_PILEUP as CNV_PILEUP_TUMOUR } from '../../../modules/local/escapeseq/cnvpileup'
include { SAMPLE_IDENTITY                 } from '../../../modules/local/escapeseq/identity'
include { CNV_FIT                         } from '../../../modules/local/escapeseq/cnvfit'
include { LOH_CHANGES                     } from '../../../modules/local/escapeseq/lohchanges'

workflow COPY_NUMBER {
    take:
    ch_bam      // channel: [meta, bam, bai] per sample (meta: id, patient, order, status, n_tumours, ...)
    ch_patient  // channel: [pmeta, normal_bam, normal_bai, [tumour_bams], [tumour_bais]] per patient
    fasta       // path: genome FASTA
    ch_fai      // value: path(fai)
    targets     // path: targets BED

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
            .map { p, pm, nc, tmetas, tcs -> [pm, nc, tmetas*.id, tcs] })

    // a fit starts only once its patient's identity check has passed (joined on the patient id)
    CNV_FIT(
        CNV_PILEUP_TUMOUR.out.counts.map { meta, c -> [meta.patient, meta, c] }
            .combine(ch_normal_counts, by: 0)
            .combine(SAMPLE_IDENTITY.out.tsv.map { pm, t -> [pm.id] }, by: 0)
            .map { p, meta, tc, nc -> [meta, tc, nc] })

    // [patient, [segments of every tumour]] in timepoint order; only patients with >1 tumour
    LOH_CHANGES(
        CNV_FIT.out.cnv
            .map { meta, pur, seg -> [groupKey(meta.patient, meta.n_tumours), meta, seg] }
            .groupTuple()
            .filter { key, metas, segs -> metas.size() > 1 }
            .map { key, metas, segs ->
                def idx = (0..<metas.size()).toList().sort { metas[it].order }
                [[id: key.toString(), patient: key.toString()], idx.collect { segs[it] }]
            })

    // [patient, [purity and segments files of every tumour]] sorted by name
    ch_cnv_by_patient = CNV_FIT.out.cnv
        .map { meta, pur, seg -> [groupKey(meta.patient, meta.n_tumours), [pur, seg]] }
        .groupTuple()
        .map { key, files -> [key.toString(), files.flatten().sort { it.name }] }
    // [patient, [counts of every sample]] sorted by name
    ch_counts_by_patient = CNV_PILEUP_NORMAL.out.counts.mix(CNV_PILEUP_TUMOUR.out.counts)
        .map { meta, c -> [groupKey(meta.patient, meta.n_samples), c] }
        .groupTuple()
        .map { key, cs -> [key.toString(), cs.sort { it.name }] }

    emit:
    counts      = ch_counts_by_patient   // [patient, [<sample>.counts.tsv.gz ...]]
    cnv         = ch_cnv_by_patient      // [patient, [<tumour>.purity.tsv, <tumour>.segments.tsv ...]]
    fits        = CNV_FIT.out.cnv        // [meta, purity.tsv, segments.tsv] per tumour
    loh         = LOH_CHANGES.out.tsv    // [[id: patient], loh_changes.tsv] per patient with >1 tumour
    identity    = SAMPLE_IDENTITY.out.tsv // [pmeta, identity.tsv]
    multiqc     = SAMPLE_IDENTITY.out.mqc.mix(CNV_FIT.out.mqc)  // path: MultiQC custom content
}
