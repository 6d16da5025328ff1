/*
 * Copy number of the patients that passed the identity check: purity, ploidy and
 * allele-specific segments per tumour (purity anchored by allelic imbalance and by the clonal
 * somatic VAF peak of the patient's VCF), and LOH changes between timepoints.
 */
include { CNV_FIT     } from '../../../modules/local/escapeseq/cnvfit'
include { LOH_CHANGES } from '../../../modules/local/escapeseq/lohchanges'

workflow COPY_NUMBER {
    take:
    ch_tumour_counts  // channel: [meta, <tumour>.counts.tsv.gz] per tumour (meta: id, patient, order, n_tumours, ...)
    ch_normal_counts  // channel: [patient, <normal>.counts.tsv.gz]
    ch_vcf            // channel: [pmeta, somatic.vcf.gz, tbi] per patient (only patients that passed identity)

    main:
    // one fit per tumour, once its patient's somatic VCF exists
    CNV_FIT(
        ch_tumour_counts.map { meta, c -> [meta.patient, meta, c] }
            .combine(ch_normal_counts, by: 0)
            .combine(ch_vcf.map { pm, vcf, tbi -> [pm.id, vcf, tbi] }, by: 0)
            .map { p, meta, tc, nc, vcf, tbi -> [meta, tc, nc, vcf, tbi] })

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

    emit:
    cnv     = ch_cnv_by_patient      // [patient, [<tumour>.purity.tsv, <tumour>.segments.tsv ...]]
    fits    = CNV_FIT.out.cnv        // [meta, purity.tsv, segments.tsv] per tumour
    loh     = LOH_CHANGES.out.tsv    // [[id: patient], loh_changes.tsv] per patient with >1 tumour
    multiqc = CNV_FIT.out.mqc        // path: MultiQC custom content
}
