/*
 * Alignment (lanes of one sample merged) or preparation of a given BAM/CRAM, then QC:
 * samtools stats/flagstat, mosdepth over the targets and the cohort coverage table.
 * The alignment step writes the output format itself (BAM, or CRAM against the FASTA when
 * ext.args of ALIGN_FASTQ/PREPARE_BAM holds `--output-fmt cram`: --save_output_as_bam false);
 * every QC step reads either, a CRAM decoded against the FASTA.
 */
include { ALIGN_FASTQ       } from '../../../modules/local/escapeseq/alignfastq'
include { PREPARE_BAM       } from '../../../modules/local/escapeseq/preparebam'
include { SAMTOOLS_STATS    } from '../../../modules/local/samtools/stats'
include { SAMTOOLS_FLAGSTAT } from '../../../modules/local/samtools/flagstat'
include { MOSDEPTH          } from '../../../modules/local/mosdepth'
include { COVERAGE_SUMMARY  } from '../../../modules/local/escapeseq/coveragesummary'

workflow ALIGN_QC {
    take:
    ch_fastq    // channel: [meta, [lane ids], [r1, r2, ...]]
    ch_bam_in   // channel: [meta, bam]
    fasta       // path: genome FASTA
    ch_fai      // value: path(fai)
    ch_bwa      // value: BWA index files
    targets     // path: targets BED

    main:
    ALIGN_FASTQ(ch_fastq, ch_bwa, fasta, ch_fai)
    PREPARE_BAM(ch_bam_in, fasta, ch_fai)
    ch_bam = ALIGN_FASTQ.out.bam.mix(PREPARE_BAM.out.bam)

    ch_bam_only = ch_bam.map { meta, bam, bai -> [meta, bam] }  // stats and flagstat stream the BAM/CRAM: no index
    SAMTOOLS_STATS(ch_bam_only, fasta, targets)
    SAMTOOLS_FLAGSTAT(ch_bam_only, fasta)
    MOSDEPTH(ch_bam, targets, fasta, ch_fai)
    COVERAGE_SUMMARY(MOSDEPTH.out.thresholds.map { it[1] }.mix(MOSDEPTH.out.regions.map { it[1] })
                     .toSortedList { a, b -> a.name <=> b.name })

    ch_multiqc = Channel.empty()
        .mix(SAMTOOLS_STATS.out.stats, SAMTOOLS_FLAGSTAT.out.flagstat, MOSDEPTH.out.summary,
             MOSDEPTH.out.region_dist, MOSDEPTH.out.global_dist, ALIGN_FASTQ.out.markdup)
        .map { meta, f -> f }
        .mix(COVERAGE_SUMMARY.out.mqc)

    emit:
    bam     = ch_bam       // [meta, bam, bai] or [meta, cram, crai] per sample
    multiqc = ch_multiqc   // path: MultiQC inputs (stats, flagstat, mosdepth, markdup, coverage table)
}
