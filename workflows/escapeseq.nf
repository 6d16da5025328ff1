/*
 * escapeseq: samplesheet -> alignment + QC per sample -> per-patient somatic calling, copy
 * number, evolution -> reports. Every process's versions.yml goes to the `versions` topic.
 */
include { SAMPLESHEET_TO_CHANNELS } from '../subworkflows/local/samplesheet_to_channels'
include { PREPARE_GENOME          } from '../subworkflows/local/prepare_genome'
include { ALIGN_QC                } from '../subworkflows/local/align_qc'
include { SOMATIC_CALLING         } from '../subworkflows/local/somatic_calling'
include { SAMPLE_IDENTITY_CHECK   } from '../subworkflows/local/sample_identity'
include { COPY_NUMBER             } from '../subworkflows/local/copy_number'
include { EVOLUTION_REPORT        } from '../subworkflows/local/evolution_report'
include { RNA_ALIGN               } from '../subworkflows/local/rna_evidence'
include { DUMP_VERSIONS           } from '../modules/local/escapeseq/dumpversions'
include { MULTIQC                 } from '../modules/local/multiqc'

workflow ESCAPESEQ {
    take:
    ch_rows         // value: list of row maps (SamplesheetValidator.validate, checked at launch)
    ch_samplesheet  // value: path(samplesheet.valid.csv)
    ch_checks       // value: [meta, path(checks.csv), [FASTQ/BAM files]]: VALIDATE's work list
    ref_files       // map: fasta/pon/germline_resource -> [file + indexes] for VALIDATE
    fasta           // path: genome FASTA
    fai             // path: <fasta>.fai, or [] to make it
    bwa_index       // list: BWA index files, or []
    targets         // path: targets BED
    gtf             // path: GTF
    panel           // path: escape gene panel TSV
    pon             // path: panel of normals VCF, or []
    pon_tbi         // path: its index, or []
    germline        // path: germline resource VCF (INFO/AF), or []
    germline_tbi    // path: its index, or []
    arms            // path or []
    igv_js          // path or []
    multiqc_config  // path
    hisat2_index    // list: prebuilt HISAT2 index files (--hisat2_index), or [] to build one when needed

    main:
    SAMPLESHEET_TO_CHANNELS(ch_rows, ch_samplesheet, ch_checks, ref_files, fasta, targets, gtf)
    // tasks fed only by references wait for VALIDATE through the gated FASTA and targets
    PREPARE_GENOME(SAMPLESHEET_TO_CHANNELS.out.fasta_ready, fai, bwa_index, SAMPLESHEET_TO_CHANNELS.out.fastq)
    ch_fai = PREPARE_GENOME.out.fai

    ALIGN_QC(SAMPLESHEET_TO_CHANNELS.out.fastq, SAMPLESHEET_TO_CHANNELS.out.bam, fasta, ch_fai,
             PREPARE_GENOME.out.bwa_index, targets)
    ch_bam = ALIGN_QC.out.bam  // [meta, bam, bai], or [meta, cram, crai] with --save_output_as_bam false

    // per patient: the normal and every tumour in timepoint order
    // [pmeta, normal_bam, normal_bai, [tumour_bams], [tumour_bais]]
    ch_patient = ch_bam
        .map { meta, bam, bai -> [groupKey(meta.patient, meta.n_samples), meta, bam, bai] }
        .groupTuple()
        .map { key, metas, bams, bais ->
            def idx = (0..<metas.size()).toList().sort { metas[it].order }
            def n = idx.find { metas[it].order == 0 }
            def t = idx.findAll { metas[it].order > 0 }
            def pmeta = [id: metas[n].patient, patient: metas[n].patient, normal: metas[n].id,
                         tumours: t.collect { metas[it].id }, sex: metas[n].sex,
                         n_tumours: metas[n].n_tumours]
            [pmeta, bams[n], bais[n], t.collect { bams[it] }, t.collect { bais[it] }]
        }

    // identity of every tumour against its normal; a mismatched patient stops here
    SAMPLE_IDENTITY_CHECK(ch_bam, ch_patient, fasta, ch_fai, targets, germline, germline_tbi)
    ch_patient_ok = ch_patient.map { [it[0].id] + it }
        .join(SAMPLE_IDENTITY_CHECK.out.passed.map { [it] })
        .map { it.drop(1) }

    SOMATIC_CALLING(ch_patient_ok, fasta, ch_fai, SAMPLESHEET_TO_CHANNELS.out.targets_ready,
                    pon, pon_tbi, germline, germline_tbi, gtf, panel)
    // RNA of the tumour timepoints (issue 16): aligned per sample, grouped per patient. A
    // samplesheet without RNA leaves these channels empty: no RNA task, the same outputs.
    RNA_ALIGN(SAMPLESHEET_TO_CHANNELS.out.rna_fastq, SAMPLESHEET_TO_CHANNELS.out.rna_bam,
              fasta, gtf, hisat2_index)

    COPY_NUMBER(SAMPLE_IDENTITY_CHECK.out.tumour_counts, SAMPLE_IDENTITY_CHECK.out.normal_counts,
                SOMATIC_CALLING.out.vcf)
    EVOLUTION_REPORT(SOMATIC_CALLING.out.vcf, SOMATIC_CALLING.out.annotation, COPY_NUMBER.out.cnv,
                     COPY_NUMBER.out.loh, SAMPLE_IDENTITY_CHECK.out.counts, ch_bam,
                     SAMPLESHEET_TO_CHANNELS.out.samplesheet, fasta, ch_fai, panel, arms, igv_js,
                     SAMPLE_IDENTITY_CHECK.out.identity, RNA_ALIGN.out.patients, gtf)

    // versions: one versions.yml per task in the `versions` topic, duplicates dropped
    DUMP_VERSIONS(Channel.topic('versions').unique { it.text }
                  .collectFile(name: 'collated_versions.yml', sort: true))

    ch_multiqc = ALIGN_QC.out.multiqc
        .mix(DUMP_VERSIONS.out.mqc, SAMPLE_IDENTITY_CHECK.out.multiqc, COPY_NUMBER.out.multiqc,
             EVOLUTION_REPORT.out.multiqc, RNA_ALIGN.out.multiqc)
        .toSortedList { a, b -> a.name <=> b.name }
    MULTIQC(ch_multiqc, multiqc_config)

    emit:
    bam      = ch_bam                        // [meta, bam, bai] per sample
    vcf      = SOMATIC_CALLING.out.vcf       // [pmeta, vcf, tbi] per patient (identity passed)
    identity = SAMPLE_IDENTITY_CHECK.out.decision // [patient, match|mismatch|undecidable]
    tables   = EVOLUTION_REPORT.out.tables   // [pmeta, mutations, candidates, summary]
    reports  = EVOLUTION_REPORT.out.html     // [pmeta, html]
    rna_bam  = RNA_ALIGN.out.bam             // [meta, rna.bam, bai or []] per tumour with RNA
    rna      = EVOLUTION_REPORT.out.rna      // [pmeta, rna_evidence.tsv] per patient with RNA
    multiqc  = MULTIQC.out.report            // path
    versions = DUMP_VERSIONS.out.yml         // path: pipeline_info/versions.yml
}
