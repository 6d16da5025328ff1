#!/usr/bin/env nextflow
/*
 * escapeseq: what did a tumour that responded to PD-1 blockade acquire to escape?
 * samplesheet -> validation (before any task) -> alignment + QC per sample
 * -> per-patient analysis -> reports.
 */
nextflow.enable.dsl = 2

include { PUBLISH_SAMPLESHEET                    } from './modules/local/validate'
include { SAMTOOLS_FAIDX; BWA_INDEX              } from './modules/local/prepare_reference'
include { ALIGN_FASTQ; PREPARE_BAM               } from './modules/local/align'
include { SAMTOOLS_STATS; MOSDEPTH; COVERAGE_SUMMARY; DUMP_VERSIONS; MULTIQC } from './modules/local/qc'
include { SPLIT_TARGETS; SOMATIC_CALL; SOMATIC_GATHER } from './modules/local/calling'
include { CNV_PILEUP as CNV_PILEUP_NORMAL; CNV_PILEUP as CNV_PILEUP_TUMOUR; SAMPLE_IDENTITY; CNV_FIT; LOH_CHANGES } from './modules/local/cnv'
include { ANNOTATE } from './modules/local/annotate'
include { EVOLVE } from './modules/local/evolution'
include { REPORT; REPORT_INDEX } from './modules/local/report'

def schemaPath() { "${projectDir}/nextflow_schema.json".toString() }

if (params.help) {
    log.info ParamsSchema.help(schemaPath(),
        'nextflow run escapeseq -profile <test|docker|slurm|...> --input samplesheet.csv ' +
        '--fasta genome.fa --gtf genes.gtf --targets targets.bed --outdir results')
    System.exit(0)
}

/*
 * Validation, before any task starts: parameters against the schema, then the samplesheet
 * and references by escapeseq-validate (every problem: file, row, column, reason).
 */
def validateInputs() {
    def problems = ParamsSchema.validate(params, schemaPath())
    if (problems) {
        error("Invalid parameters:\n  " + problems.join('\n  '))
    }
    def out = File.createTempFile('escapeseq.samplesheet.', '.valid.csv')
    out.deleteOnExit()
    def cmd = ["${projectDir}/bin/escapeseq-validate", '--input', params.input.toString(),
               '--fasta', params.fasta.toString(), '--targets', params.targets.toString(),
               '--out', out.toString()]
    if (params.gtf)       { cmd += ['--gtf', params.gtf.toString()] }
    if (params.bwa_index) { cmd += ['--bwa_index', params.bwa_index.toString()] }
    if (params.pon)       { cmd += ['--pon', params.pon.toString()] }
    if (params.germline_resource) { cmd += ['--germline_resource', params.germline_resource.toString()] }
    // one run per --outdir: refuse another samplesheet's results unless --overwrite; record
    // this run in <outdir>/pipeline_info/run_manifest.tsv (skipped for scheme:// paths)
    cmd += ['--outdir', params.outdir.toString()]
    if (params.overwrite) { cmd += ['--overwrite'] }
    if (params.skip_file_checks || params.input.toString().contains('://')) { cmd += ['--no-file-checks'] }
    def proc = cmd.collect { it.toString() }.execute()
    def stderr = new StringBuffer()
    proc.consumeProcessErrorStream(stderr)
    proc.waitFor()
    if (proc.exitValue() != 0) {
        def msg = stderr.toString().trim().replaceFirst(/^escapeseq-validate: error: /, '')
        error("Invalid input:\n  " + msg.replace('\n', '\n  '))
    }
    log.info stderr.toString().trim()
    // -resume reuses a task only when its input files keep their path and mtime: keep the
    // validated samplesheet at a content-addressed path in the work directory, written once
    def text = out.text
    def stable = file("${workflow.workDir}/escapeseq-validated/${text.md5()}/samplesheet.valid.csv")
    if (!stable.exists()) {
        stable.parent.mkdirs()
        def part = stable.resolveSibling("samplesheet.valid.csv.${workflow.sessionId}.part")
        part.text = text
        part.moveTo(stable)
    }
    return stable
}

def sampleMeta(Map r) {
    return [
        id: r.sample, patient: r.patient, timepoint: r.timepoint, order: r.order as int,
        status: r.status, purity: r.purity ? r.purity as double : null, sex: r.sex
    ]
}

workflow {
    def validated = validateInputs()
    def rows = validated.readLines().with { lines ->
        def header = lines[0].split(',', -1) as List
        lines.drop(1).findAll { it }.collect { ln -> [header, ln.split(',', -1) as List].transpose().collectEntries() }
    }

    ch_versions = Channel.empty()
    PUBLISH_SAMPLESHEET(Channel.value(validated))

    // ---- reference
    fasta = file(params.fasta, checkIfExists: true)
    targets = file(params.targets, checkIfExists: true)
    def fai_file = file("${params.fasta}.fai")
    if (fai_file.exists()) {
        ch_fai = Channel.value(fai_file)
    } else {
        SAMTOOLS_FAIDX(fasta)
        ch_fai = SAMTOOLS_FAIDX.out.fai.first()
        ch_versions = ch_versions.mix(SAMTOOLS_FAIDX.out.versions)
    }
    def needs_bwa = rows.any { it.fastq_1 }
    if (params.bwa_index) {
        def bi = file(params.bwa_index)
        ch_bwa = Channel.value(bi.isDirectory() ? files("${bi}/*.{amb,ann,bwt,pac,sa}")
                                                : files("${bi}.{amb,ann,bwt,pac,sa}"))
    } else if (needs_bwa) {
        BWA_INDEX(fasta)
        ch_bwa = BWA_INDEX.out.index.first()
        ch_versions = ch_versions.mix(BWA_INDEX.out.versions)
    } else {
        ch_bwa = Channel.empty()
    }

    // ---- alignment: lanes of one sample are merged
    def fastq_samples = rows.findAll { it.fastq_1 }.groupBy { it.sample }.collect { sample, rs ->
        def lanes = rs.collect { it.lane ?: 'L1' }
        def reads = rs.collectMany { [file(it.fastq_1), file(it.fastq_2)] }
        [sampleMeta(rs[0]), lanes, reads]
    }
    def bam_samples = rows.findAll { it.bam }.collect { r -> [sampleMeta(r), file(r.bam)] }

    ALIGN_FASTQ(Channel.fromList(fastq_samples), ch_bwa)
    PREPARE_BAM(Channel.fromList(bam_samples), fasta, ch_fai)
    ch_bam = ALIGN_FASTQ.out.bam.mix(PREPARE_BAM.out.bam)
    ch_versions = ch_versions.mix(ALIGN_FASTQ.out.versions.first(), PREPARE_BAM.out.versions.first())

    // ---- QC
    SAMTOOLS_STATS(ch_bam, fasta, targets)
    MOSDEPTH(ch_bam, targets)
    COVERAGE_SUMMARY(MOSDEPTH.out.thresholds.map { it[1] }.mix(MOSDEPTH.out.regions.map { it[1] })
                     .toSortedList { a, b -> a.name <=> b.name })
    ch_versions = ch_versions.mix(SAMTOOLS_STATS.out.versions.first(), MOSDEPTH.out.versions.first(),
                                  COVERAGE_SUMMARY.out.versions)

    // ---- per patient: the normal and every tumour in timepoint order
    def n_samples = rows.groupBy { it.patient }.collectEntries { p, rs -> [p, rs*.sample.unique().size()] }
    ch_patient = ch_bam
        .map { meta, bam, bai -> [groupKey(meta.patient, n_samples[meta.patient]), meta, bam, bai] }
        .groupTuple()
        .map { key, metas, bams, bais ->
            def idx = (0..<metas.size()).toList().sort { metas[it].order }
            def n = idx.find { metas[it].order == 0 }
            def t = idx.findAll { metas[it].order > 0 }
            def pmeta = [id: metas[n].patient, patient: metas[n].patient, normal: metas[n].id,
                         tumours: t.collect { metas[it].id }, sex: metas[n].sex]
            [pmeta, bams[n], bais[n], t.collect { bams[it] }, t.collect { bais[it] }]
        }

    // ---- somatic calling, scattered over interval chunks
    SPLIT_TARGETS(targets, ch_fai)
    ch_chunks = SPLIT_TARGETS.out.chunks.flatten()
    ch_nchunks = SPLIT_TARGETS.out.chunks.map { it instanceof List ? it.size() : 1 }
    def pon = params.pon ? file(params.pon, checkIfExists: true) : file("${projectDir}/assets/NO_PON")
    def germline = params.germline_resource ? file(params.germline_resource, checkIfExists: true)
                                            : file("${projectDir}/assets/NO_GERMLINE")
    SOMATIC_CALL(ch_patient.combine(ch_chunks), fasta, ch_fai, pon, germline)
    SOMATIC_GATHER(
        SOMATIC_CALL.out.vcf.combine(ch_nchunks)
            .map { meta, vcf, tbi, n -> [groupKey(meta.id, n), meta, vcf, tbi] }
            .groupTuple()
            .map { key, metas, vcfs, tbis -> [metas[0], vcfs, tbis] })
    ch_versions = ch_versions.mix(SPLIT_TARGETS.out.versions, SOMATIC_CALL.out.versions.first(),
                                  SOMATIC_GATHER.out.versions.first())

    // ---- copy number: one pass per BAM; SNPs come from the patient's normal
    CNV_PILEUP_NORMAL(ch_bam.filter { it[0].order == 0 }.map { meta, bam, bai -> [meta, bam, bai, []] },
                      fasta, ch_fai, targets)
    ch_normal_snps = CNV_PILEUP_NORMAL.out.snps.map { meta, snps -> [meta.patient, snps] }
    CNV_PILEUP_TUMOUR(
        ch_bam.filter { it[0].order > 0 }.map { meta, bam, bai -> [meta.patient, meta, bam, bai] }
            .combine(ch_normal_snps, by: 0).map { p, meta, bam, bai, snps -> [meta, bam, bai, snps] },
        fasta, ch_fai, targets)
    ch_normal_counts = CNV_PILEUP_NORMAL.out.counts.map { meta, c -> [meta.patient, c] }
    def n_tumours = rows.groupBy { it.patient }.collectEntries { p, rs ->
        [p, rs.findAll { (it.order as int) > 0 }*.sample.unique().size()] }
    ch_tumour_counts = CNV_PILEUP_TUMOUR.out.counts
        .map { meta, c -> [groupKey(meta.patient, n_tumours[meta.patient]), meta, c] }
        .groupTuple()
        .map { key, metas, cs ->
            def idx = (0..<metas.size()).toList().sort { metas[it].order }
            [key.toString(), idx.collect { metas[it] }, idx.collect { cs[it] }]
        }
    SAMPLE_IDENTITY(
        ch_patient.map { pm, nb, nbi, tb, tbi -> [pm.id, pm] }
            .join(ch_normal_counts).join(ch_tumour_counts)
            .map { p, pm, nc, tmetas, tcs -> [pm, nc, tmetas*.id, tcs] })
    CNV_FIT(
        CNV_PILEUP_TUMOUR.out.counts.map { meta, c -> [meta.patient, meta, c] }
            .combine(ch_normal_counts, by: 0)
            .combine(SAMPLE_IDENTITY.out.tsv.map { pm, t -> [pm.id, t] }, by: 0)
            .map { p, meta, tc, nc, idt -> [meta, tc, nc, idt] })
    LOH_CHANGES(
        CNV_FIT.out.cnv
            .map { meta, pur, seg -> [groupKey(meta.patient, n_tumours[meta.patient]), meta, seg] }
            .groupTuple()
            .filter { key, metas, segs -> metas.size() > 1 }
            .map { key, metas, segs ->
                def idx = (0..<metas.size()).toList().sort { metas[it].order }
                [[id: key.toString(), patient: key.toString()], idx.collect { segs[it] }]
            })
    ch_versions = ch_versions.mix(CNV_PILEUP_NORMAL.out.versions.first(), CNV_PILEUP_TUMOUR.out.versions.first(),
                                  SAMPLE_IDENTITY.out.versions.first(), CNV_FIT.out.versions.first(),
                                  LOH_CHANGES.out.versions.first())

    // ---- loss-of-function annotation
    def gtf = file(params.gtf, checkIfExists: true)
    ANNOTATE(SOMATIC_GATHER.out.vcf, fasta, ch_fai, gtf, file(params.escape_panel, checkIfExists: true))
    ch_versions = ch_versions.mix(ANNOTATE.out.versions.first())

    // ---- evolution between timepoints and ranked resistance candidates
    def panel = file(params.escape_panel, checkIfExists: true)
    ch_sheet = PUBLISH_SAMPLESHEET.out.csv.first()
    ch_cnv_by_patient = CNV_FIT.out.cnv
        .map { meta, pur, seg -> [groupKey(meta.patient, n_tumours[meta.patient]), [pur, seg]] }
        .groupTuple()
        .map { key, files -> [key.toString(), files.flatten().sort { it.name }] }
    ch_loh = LOH_CHANGES.out.tsv.map { meta, tsv -> [meta.id, tsv] }
    def arms = params.arms ? file(params.arms, checkIfExists: true) : file("${projectDir}/assets/NO_ARMS")
    EVOLVE(
        SOMATIC_GATHER.out.vcf.map { meta, vcf, tbi -> [meta.id, meta, vcf, tbi] }
            .join(ANNOTATE.out.tsv.map { meta, tsv -> [meta.id, tsv] })
            .join(ch_cnv_by_patient)
            .join(ch_loh, remainder: true)
            .filter { it[1] != null }
            .map { p, meta, vcf, tbi, ann, cnv, loh -> [meta, vcf, tbi, ann, cnv, loh ?: []] },
        ch_sheet, panel, arms)
    ch_versions = ch_versions.mix(EVOLVE.out.versions.first())

    // ---- reports: one self-contained HTML per patient, and a cohort index
    def igv_js = params.igv_js ? file(params.igv_js, checkIfExists: true) : file("${projectDir}/assets/NO_IGV")
    ch_counts_by_patient = CNV_PILEUP_NORMAL.out.counts.mix(CNV_PILEUP_TUMOUR.out.counts)
        .map { meta, c -> [groupKey(meta.patient, n_samples[meta.patient]), c] }
        .groupTuple()
        .map { key, cs -> [key.toString(), cs.sort { it.name }] }
    REPORT(
        EVOLVE.out.tables.map { meta, m, c, s -> [meta.id, meta, [m, c, s]] }
            .join(ch_cnv_by_patient.join(ch_counts_by_patient).map { p, cnv, counts -> [p, cnv + counts] })
            .join(ch_patient.map { pm, nb, nbi, tb, tbi -> [pm.id, [nb, nbi] + tb + tbi] })
            .map { p, meta, tables, cnv, bams -> [meta, tables, cnv, bams] },
        ch_sheet, fasta, ch_fai, panel, igv_js)
    REPORT_INDEX(REPORT.out.html.map { it[1] }.toSortedList { a, b -> a.name <=> b.name })
    ch_versions = ch_versions.mix(REPORT.out.versions.first(), REPORT_INDEX.out.versions)

    DUMP_VERSIONS(ch_versions.unique().collectFile(name: 'collated_versions.yml', sort: true))

    ch_multiqc = Channel.empty()
        .mix(SAMTOOLS_STATS.out.stats.map { it[1] }, SAMTOOLS_STATS.out.flagstat.map { it[1] },
             MOSDEPTH.out.summary.map { it[1] }, MOSDEPTH.out.region_dist.map { it[1] },
             MOSDEPTH.out.global_dist.map { it[1] }, ALIGN_FASTQ.out.markdup,
             COVERAGE_SUMMARY.out.mqc, DUMP_VERSIONS.out.mqc, SAMPLE_IDENTITY.out.mqc,
             CNV_FIT.out.mqc, EVOLVE.out.mqc)
        .toSortedList { a, b -> a.name <=> b.name }
    MULTIQC(ch_multiqc, file(params.multiqc_config, checkIfExists: true))
}

workflow.onComplete {
    if (workflow.success) {
        log.info "escapeseq: done. Results in ${params.outdir}/ (MultiQC: ${params.outdir}/multiqc/multiqc_report.html)"
    } else {
        log.error "escapeseq: the run failed; outputs in ${params.outdir}/ are incomplete. Fix the error above and rerun with -resume."
    }
}
