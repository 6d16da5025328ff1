/*
 * Reference indexes: the FASTA index (made when <fasta>.fai is missing) and the BWA index
 * (made only when a sample has FASTQ and --bwa_index is not given).
 */
include { SAMTOOLS_FAIDX } from '../../../modules/local/samtools/faidx'
include { BWA_INDEX      } from '../../../modules/local/bwa/index'

workflow PREPARE_GENOME {
    take:
    fasta       // value channel: path(genome FASTA)
    fai         // path: <fasta>.fai, or [] to make it
    bwa_index   // list of paths: the 5 BWA index files, or [] to make them
    ch_fastq    // channel: [meta, lanes, reads]; the index is made only if it has an item

    main:
    if (fai) {
        ch_fai = Channel.value(fai)
    } else {
        SAMTOOLS_FAIDX(fasta)
        ch_fai = SAMTOOLS_FAIDX.out.fai.first()
    }
    if (bwa_index) {
        ch_bwa = Channel.value(bwa_index)
    } else {
        BWA_INDEX(ch_fastq.first().combine(fasta).map { it[-1] }.first())
        ch_bwa = BWA_INDEX.out.index
    }

    emit:
    fai       = ch_fai   // value: path(<fasta>.fai)
    bwa_index = ch_bwa   // value: [amb, ann, bwt, pac, sa] (nothing when no sample has FASTQ)
}
