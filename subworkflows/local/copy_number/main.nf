/*
 * Copy number of the patients that passed the identity check: purity, ploidy and
 * allele-specific segments per tumour (purity anchored by allelic imbalance and by the clonal
 * somatic VAF peak of the patient's VCF), and LOH changes between timepoints: one CNV_FIT
 * task per patient.
 */
include { CNV_FIT } from '../../../modules/local/escapeseq/cnvfit'

workflow COPY_NUMBER {
    take:
    ch_tumour_counts  // channel: [meta, <tumour>.counts.tsv.gz] per tumour (meta: id, patient, order, n_tumours, purity, ...)
    ch_normal_counts  // channel: [patient, <normal>.counts.tsv.gz]
    ch_vcf            // channel: [pmeta, somatic.vcf.gz, tbi] per patient (only patients that passed identity)

    main:
    // [patient, [tumour metas], [tumour counts]] in timepoint order
    ch_tumours = ch_tumour_counts
        .map { meta, c -> [groupKey(meta.patient, meta.n_tumours), meta, c] }
        .groupTuple()
        .map { key, metas, cs ->
            def idx = (0..<metas.size()).toList().sort { metas[it].order }
            [key.toString(), idx.collect { metas[it] }, idx.collect { cs[it] }]
        }
    // one fit task per patient, once its somatic VCF exists
    CNV_FIT(
        ch_vcf.map { pm, vcf, tbi -> [pm.id, pm, vcf, tbi] }
            .join(ch_tumours)
            .join(ch_normal_counts)
            .map { p, pm, vcf, tbi, metas, tcs, nc -> [pm, metas, tcs, nc, vcf, tbi] })

    // [patient, [purity and segments files of every tumour]] sorted by name
    ch_cnv_by_patient = CNV_FIT.out.cnv
        .map { pm, purs, segs -> [pm.id, [purs, segs].flatten().sort { it.name }] }

    emit:
    cnv     = ch_cnv_by_patient      // [patient, [<tumour>.purity.tsv, <tumour>.segments.tsv ...]]
    fits    = CNV_FIT.out.cnv        // [pmeta, [purity.tsv ...], [segments.tsv ...]] per patient
    loh     = CNV_FIT.out.loh        // [pmeta, loh_changes.tsv] per patient with >1 tumour
    multiqc = CNV_FIT.out.mqc.flatten() // path: MultiQC custom content, one file per tumour
}
