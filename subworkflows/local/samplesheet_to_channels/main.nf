/*
 * The validated samplesheet as channels, released only once the VALIDATE task found no
 * problem in the files' contents: every later task starts from these channels (or from the
 * gated `fasta` / `targets`), so nothing is analysed before the inputs are known good.
 * Group sizes travel in the meta map, so later groupings wait for exactly the right number
 * of items: groupKey(meta.patient, meta.n_samples), groupKey(meta.patient, meta.n_tumours).
 */
include { VALIDATE            } from '../../../modules/local/escapeseq/validate'
include { PUBLISH_SAMPLESHEET } from '../../../modules/local/escapeseq/publishsamplesheet'

workflow SAMPLESHEET_TO_CHANNELS {
    take:
    ch_rows         // value: list of row maps from SamplesheetValidator.validate (checked at launch;
                    //   patient,sample,timepoint,order,status,lane,fastq_1,fastq_2,bam (absolute),purity,sex,row,
                    //   rna_fastq_1,rna_fastq_2,rna_bam (absolute; '' when the row has no RNA))
    ch_samplesheet  // value: path(samplesheet.valid.csv), the same rows as CSV
    ch_checks       // value: [meta, path(checks.csv), [every FASTQ/BAM]] (SamplesheetValidator.checksCsv)
    ref_files       // map: fasta/pon/germline_resource -> [file + its indexes] (or [])
    fasta           // path: genome FASTA
    targets         // path: targets BED
    gtf             // path: GTF

    main:
    VALIDATE(ch_checks, ref_files.fasta, targets, gtf, ref_files.pon, ref_files.germline_resource)
    // the run's error is VALIDATE's one-line problems (file, row/line, column, reason)
    ch_valid = VALIDATE.out.problems
        .map { meta, problems ->
            def lines = problems.readLines().findAll { it.trim() }
            if (lines) {
                error("Invalid input:\n  " + (lines.size() == 1 ? lines[0]
                      : "${lines.size()} problems:\n    " + lines.join('\n    ')))
            }
            true
        }

    ch_fasta = ch_valid.map { fasta }
    ch_targets = ch_valid.map { targets }

    PUBLISH_SAMPLESHEET(ch_valid.combine(ch_samplesheet).map { ok, sheet -> sheet })

    // one item per sample: [meta, rows of its lanes]; the counts per patient go into every meta
    ch_samples = ch_valid
        .combine(ch_rows.map { [it] })
        .flatMap { ok, rows ->
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

    // the RNA of tumour samples (issue 16), released by the same gate; a sample's RNA is named
    // once (the validator refuses lanes naming different RNA files). n_rna: the patient's
    // samples with RNA, so the per-patient grouping waits for exactly that many BAMs.
    ch_rna = ch_samples
        .map { meta, rs -> [meta, rs.find { it.rna_fastq_1 || it.rna_bam }] }
        .filter { meta, r -> r }
        .toList()
        .flatMap { items ->
            def n_rna = items.countBy { it[0].patient }
            items.collect { meta, r -> [meta + [n_rna: n_rna[meta.patient]], r] }
        }
    ch_rna_fastq = ch_rna
        .filter { meta, r -> r.rna_fastq_1 }
        .map { meta, r -> [meta, [file(r.rna_fastq_1), file(r.rna_fastq_2)]] }
    ch_rna_bam = ch_rna
        .filter { meta, r -> r.rna_bam }
        .map { meta, r -> [meta, file(r.rna_bam)] }

    emit:
    rna_fastq   = ch_rna_fastq                        // [meta + n_rna, [rna_r1, rna_r2]] per tumour with RNA FASTQs
    rna_bam     = ch_rna_bam                          // [meta + n_rna, rna_bam] per tumour given an RNA BAM
    fastq       = ch_fastq                            // [meta, [lane ids], [r1, r2, r1, r2, ...]] per sample
    bam         = ch_bam                              // [meta, bam] per sample given as an aligned BAM
    samplesheet = PUBLISH_SAMPLESHEET.out.csv.first() // value: path(samplesheet.valid.csv)
    fasta_ready   = ch_fasta                          // value: path(FASTA), once VALIDATE passed
    targets_ready = ch_targets                        // value: path(targets BED), once VALIDATE passed
}
