/*
 * The validated samplesheet as channels. Group sizes travel in the meta map, so later
 * groupings wait for exactly the right number of items: groupKey(meta.patient, meta.n_samples),
 * groupKey(meta.patient, meta.n_tumours).
 */
include { PUBLISH_SAMPLESHEET } from '../../../modules/local/escapeseq/publishsamplesheet'

workflow SAMPLESHEET_TO_CHANNELS {
    take:
    ch_samplesheet  // value channel: path(samplesheet.valid.csv) written by validation (absolute paths,
                    //   columns patient,sample,timepoint,order,status,lane,fastq_1,fastq_2,bam,purity,sex)

    main:
    PUBLISH_SAMPLESHEET(ch_samplesheet)

    // one item per sample: [meta, rows of its lanes]; the counts per patient go into every meta
    ch_samples = ch_samplesheet
        .splitCsv(header: true, quote: '"')   // a quoted field may hold a comma
        .toList()
        .flatMap { rows ->
            def by_patient = rows.groupBy { it.patient }
            def n_samples = by_patient.collectEntries { p, rs -> [p, rs*.sample.unique().size()] }
            def n_tumours = by_patient.collectEntries { p, rs ->
                [p, rs.findAll { (it.order as int) > 0 }*.sample.unique().size()] }
            rows.groupBy { it.sample }.collect { sample, rs ->
                def r = rs[0]
                def meta = [
                    id: r.sample, patient: r.patient, timepoint: r.timepoint, order: r.order as int,
                    status: r.status, purity: r.purity ? r.purity as double : null, sex: r.sex,
                    n_samples: n_samples[r.patient], n_tumours: n_tumours[r.patient]
                ]
                [meta, rs]
            }
        }

    ch_fastq = ch_samples
        .filter { meta, rs -> rs[0].fastq_1 }
        .map { meta, rs ->
            [meta, rs.collect { it.lane ?: 'L1' }, rs.collectMany { [file(it.fastq_1), file(it.fastq_2)] }]
        }
    ch_bam = ch_samples
        .filter { meta, rs -> rs[0].bam }
        .map { meta, rs -> [meta, file(rs[0].bam)] }

    emit:
    fastq       = ch_fastq                  // [meta, [lane ids], [r1, r2, r1, r2, ...]] per sample
    bam         = ch_bam                    // [meta, bam] per sample given as an aligned BAM
    samplesheet = PUBLISH_SAMPLESHEET.out.csv.first()  // value: path(samplesheet.valid.csv)
}
