/*
 * --build_pon: a panel of normals from a samplesheet of normals. Every normal is aligned and
 * QC'd as in an analysis run, read as a tumour (tumour-only, loose thresholds) for sites with
 * alternate evidence, and the sites seen in at least --pon_min_samples normals become the
 * panel (<outdir>/pon/<pon_name>.pon.vcf.gz + .tbi) that --pon then uses, like Mutect2's
 * CreateSomaticPanelOfNormals.
 */
include { SAMPLESHEET_TO_CHANNELS } from '../subworkflows/local/samplesheet_to_channels'
include { PREPARE_GENOME          } from '../subworkflows/local/prepare_genome'
include { ALIGN_QC                } from '../subworkflows/local/align_qc'
include { PON_SITES               } from '../modules/local/escapeseq/ponsites'
include { PON_MERGE               } from '../modules/local/escapeseq/ponmerge'
include { DUMP_VERSIONS           } from '../modules/local/escapeseq/dumpversions'
include { MULTIQC                 } from '../modules/local/multiqc'

workflow BUILD_PON {
    take:
    ch_rows         // value: list of row maps (normals only; SamplesheetValidator.validate)
    ch_samplesheet  // value: path(samplesheet.valid.csv)
    ch_checks       // value: [meta, path(checks.csv), [FASTQ/BAM files]]: VALIDATE's work list
    ref_files       // map: fasta/pon/germline_resource -> [file + indexes] for VALIDATE
    fasta           // path: genome FASTA
    fai             // path: <fasta>.fai, or [] to make it
    bwa_index       // list: BWA index files, or []
    targets         // path: targets BED
    gtf             // path: GTF, or [] (checked when given; not used)
    multiqc_config  // path

    main:
    SAMPLESHEET_TO_CHANNELS(ch_rows, ch_samplesheet, ch_checks, ref_files, fasta, targets, gtf)
    PREPARE_GENOME(SAMPLESHEET_TO_CHANNELS.out.fasta_ready, fai, bwa_index, SAMPLESHEET_TO_CHANNELS.out.fastq)
    ch_fai = PREPARE_GENOME.out.fai
    ALIGN_QC(SAMPLESHEET_TO_CHANNELS.out.fastq, SAMPLESHEET_TO_CHANNELS.out.bam, fasta, ch_fai,
             PREPARE_GENOME.out.bwa_index, targets)

    // one sites VCF per normal, then one panel: [[id: pon_name], [sites...], [tbis...]]
    PON_SITES(ALIGN_QC.out.bam, fasta, ch_fai, SAMPLESHEET_TO_CHANNELS.out.targets_ready)
    PON_MERGE(
        PON_SITES.out.vcf
            .toSortedList { a, b -> a[0].id <=> b[0].id }
            .map { items -> [[id: 'pon'], items.collect { it[1] }, items.collect { it[2] }] })

    DUMP_VERSIONS(Channel.topic('versions').unique { it.text }
                  .collectFile(name: 'collated_versions.yml', sort: true))
    MULTIQC(ALIGN_QC.out.multiqc.mix(DUMP_VERSIONS.out.mqc).toSortedList { a, b -> a.name <=> b.name },
            multiqc_config)

    emit:
    pon      = PON_MERGE.out.vcf     // [meta, <pon_name>.pon.vcf.gz, tbi]
    sites    = PON_SITES.out.vcf     // [meta, <normal>.sites.vcf.gz, tbi] per normal
    multiqc  = MULTIQC.out.report    // path
}
