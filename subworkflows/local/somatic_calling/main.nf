/*
 * Somatic calling per patient, scattered over interval chunks (the chunk count travels in the
 * meta as num_intervals, as in nf-core/sarek), gathered (when there is more than one chunk),
 * then annotated.
 */
include { SPLIT_TARGETS  } from '../../../modules/local/escapeseq/splittargets'
include { SOMATIC_CALL   } from '../../../modules/local/escapeseq/call'
include { SOMATIC_GATHER } from '../../../modules/local/escapeseq/gather'
include { ANNOTATE       } from '../../../modules/local/escapeseq/annotate'

workflow SOMATIC_CALLING {
    take:
    ch_patient  // channel: [pmeta, normal_bam, normal_bai, [tumour_bams], [tumour_bais]] per patient,
                //   tumours in timepoint order; pmeta: id, patient, normal, tumours, sex, n_tumours
    fasta       // path: genome FASTA
    ch_fai      // value: path(fai)
    targets     // path: targets BED
    pon          // path: panel of normals VCF, or []
    pon_tbi      // path: its index, or []
    germline     // path: germline resource VCF (INFO/AF), or []
    germline_tbi // path: its index, or []
    gtf         // path: gene annotation GTF
    panel       // path: escape gene panel TSV

    main:
    SPLIT_TARGETS(targets, ch_fai)
    ch_chunks = SPLIT_TARGETS.out.chunks.map { [it instanceof List ? it : [it]] }  // [[chunk beds]]

    // one item per (patient, chunk); meta.num_intervals = how many chunks the patient has
    ch_call_in = ch_patient.combine(ch_chunks)
        .flatMap { pmeta, nb, nbi, tb, tbi, chunks ->
            chunks.collect { c -> [pmeta + [num_intervals: chunks.size()], nb, nbi, tb, tbi, c] }
        }
    SOMATIC_CALL(ch_call_in, fasta, ch_fai, pon, pon_tbi, germline, germline_tbi)

    // one chunk: the call task wrote <patient>.somatic.vcf.gz itself (no gather task that
    // would only re-write it); several: gathered in genome order
    ch_called = SOMATIC_CALL.out.vcf.branch { meta, vcf, tbi ->
        single: meta.num_intervals == 1
        scattered: true
    }
    SOMATIC_GATHER(
        ch_called.scattered
            .map { meta, vcf, tbi -> [groupKey(meta - meta.subMap('num_intervals'), meta.num_intervals), vcf, tbi] }
            .groupTuple()
            .map { key, vcfs, tbis -> [key.getGroupTarget(), vcfs, tbis] })
    ch_vcf = ch_called.single
        .map { meta, vcf, tbi -> [meta - meta.subMap('num_intervals'), vcf, tbi] }
        .mix(SOMATIC_GATHER.out.vcf)

    ANNOTATE(ch_vcf, fasta, ch_fai, gtf, panel)

    emit:
    vcf        = ch_vcf                   // [pmeta, somatic.vcf.gz, tbi] per patient (every sample a column)
    annotated  = ANNOTATE.out.vcf         // [pmeta, annotated.vcf.gz, tbi]
    annotation = ANNOTATE.out.tsv         // [pmeta, annotation.tsv]
}
