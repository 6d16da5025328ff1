/*
 * Patient evolution (mutations at every timepoint, ranked resistance candidates), the reads
 * around the candidates sliced from every sample's BAM, the RNA evidence of patients with RNA
 * (issue 16), one self-contained report per patient and the cohort index.
 */
include { EVOLVE         } from '../../../modules/local/escapeseq/evolve'
include { SAMTOOLS_SLICE } from '../../../modules/local/samtools/slice'
include { RNA_EVIDENCE   } from '../../../modules/local/escapeseq/rnaevidence'
include { REPORT         } from '../../../modules/local/escapeseq/report'
include { REPORT_INDEX   } from '../../../modules/local/escapeseq/reportindex'

workflow EVOLUTION_REPORT {
    take:
    ch_vcf          // channel: [pmeta, somatic.vcf.gz, tbi] per patient
    ch_annotation   // channel: [pmeta, annotation.tsv] per patient
    ch_cnv          // channel: [patient, [purity.tsv, segments.tsv of every tumour]]
    ch_loh          // channel: [[id: patient], loh_changes.tsv] (patients with >1 tumour only)
    ch_counts       // channel: [patient, [counts.tsv.gz of every sample]]
    ch_bam          // channel: [meta, bam, bai] or [meta, cram, crai] per sample
    ch_samplesheet  // value: path(samplesheet.valid.csv)
    fasta           // path: genome FASTA
    ch_fai          // value: path(fai)
    panel           // path: escape gene panel TSV
    arms            // path: chromosome arms BED, or []
    igv_js          // path: igv.min.js, or []
    ch_identity     // channel: [pmeta, identity.tsv] per patient (mismatched ones included)
    ch_rna          // channel: [patient, [tumour ids], [rna bams], [bais]] per patient with RNA (RNA_ALIGN.out.patients; empty without RNA)
    gtf             // path: GTF (gene expression from its exons)

    main:
    EVOLVE(
        ch_vcf.map { meta, vcf, tbi -> [meta.id, meta, vcf, tbi] }
            .join(ch_annotation.map { meta, tsv -> [meta.id, tsv] })
            .join(ch_cnv)
            .join(ch_loh.map { meta, tsv -> [meta.id, tsv] }, remainder: true)
            .filter { it[1] != null }
            .map { p, meta, vcf, tbi, ann, cnv, loh -> [meta, vcf, tbi, ann, cnv, loh ?: []] },
        ch_samplesheet, panel, arms)

    // every sample's reads around its patient's candidates
    ch_candidates = EVOLVE.out.tables.map { meta, m, c, s -> [meta.id, c] }
    SAMTOOLS_SLICE(
        ch_bam.map { meta, bam, bai -> [meta.patient, meta, bam, bai] }
            .combine(ch_candidates, by: 0)
            .map { p, meta, bam, bai, cands -> [meta, bam, bai, cands] },
        fasta, ch_fai)
    ch_slices = SAMTOOLS_SLICE.out.bam
        .map { meta, bam, bai -> [groupKey(meta.patient, meta.n_samples), [bam, bai]] }
        .groupTuple()
        .map { key, files -> [key.toString(), files.flatten().sort { it.name }] }

    // RNA evidence at every candidate and escape gene, per patient with RNA (after EVOLVE)
    RNA_EVIDENCE(
        EVOLVE.out.tables.map { meta, m, c, s -> [meta.id, meta, c, m] }
            .join(ch_rna)
            .map { p, meta, c, m, samples, bams, bais -> [meta, samples, bams, bais, c, m] },
        ch_samplesheet, gtf, fasta, ch_fai, panel)

    // patients without RNA report without it (remainder: [] in place of the evidence)
    REPORT(
        EVOLVE.out.tables.map { meta, m, c, s -> [meta.id, meta, [m, c, s]] }
            .join(ch_cnv.join(ch_counts).map { p, cnv, counts -> [p, cnv + counts] })
            .join(ch_slices)
            .join(RNA_EVIDENCE.out.evidence.map { meta, tsv -> [meta.id, tsv] }, remainder: true)
            .filter { it[1] != null }
            .map { p, meta, tables, cnv, bams, rna -> [meta, tables, cnv, bams, rna ?: []] },
        ch_samplesheet, fasta, ch_fai, panel, igv_js)
    REPORT_INDEX(REPORT.out.html.map { it[1] }.toSortedList { a, b -> a.name <=> b.name },
                 ch_identity.map { it[1] }.toSortedList { a, b -> a.name <=> b.name },
                 EVOLVE.out.tables.flatMap { meta, m, c, s -> [m, c, s] }.toSortedList { a, b -> a.name <=> b.name },
                 EVOLVE.out.maf.map { it[1] }.toSortedList { a, b -> a.name <=> b.name })

    emit:
    tables  = EVOLVE.out.tables    // [pmeta, mutations.tsv, candidates.tsv, summary.tsv] per patient
    slices  = SAMTOOLS_SLICE.out.bam // [meta, bam, bai] per sample: reads around the candidates
    html    = REPORT.out.html      // [pmeta, <patient>.report.html]
    rna     = RNA_EVIDENCE.out.evidence // [pmeta, <patient>.rna_evidence.tsv] per patient with RNA
    index   = REPORT_INDEX.out.html  // path: index.html
    maf     = EVOLVE.out.maf       // [pmeta, <patient>.maf] per patient
    cohort_maf = REPORT_INDEX.out.maf // path: cohort.maf
    cohort  = REPORT_INDEX.out.escape // path: cohort.escape.tsv (cohort.summary.tsv beside it)
    multiqc = EVOLVE.out.mqc       // path: MultiQC custom content
}
