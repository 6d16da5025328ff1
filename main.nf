#!/usr/bin/env nextflow
/*
 * escapeseq: what did a tumour that responded to PD-1 blockade acquire to escape?
 * samplesheet -> validation (before any task) -> alignment + QC per sample
 * -> per-patient analysis -> reports.
 */
nextflow.enable.dsl = 2
nextflow.preview.topic = true

include { ESCAPESEQ } from './workflows/escapeseq'
include { BUILD_PON } from './workflows/build_pon'

def schemaPath() { "${projectDir}/nextflow_schema.json".toString() }

if (params.help) {
    log.info ParamsSchema.help(schemaPath(),
        'nextflow run escapeseq -profile <test|docker|slurm|...> --input samplesheet.csv ' +
        '--fasta genome.fa --gtf genes.gtf --targets targets.bed --outdir results')
    System.exit(0)
}

/*
 * Validation at launch, in Groovy (no Python on the launch host): parameters against
 * nextflow_schema.json, the samplesheet's structure against assets/schema_input.json plus
 * the cross-row rules, the reference files' existence, and --outdir. Every problem is one
 * line naming the file, row and column. The files' contents are checked by the VALIDATE
 * task that every other task waits for (subworkflows/local/samplesheet_to_channels).
 */
def validateInputs() {
    def problems = ParamsSchema.validate(params, schemaPath())
    if (problems) {
        error("Invalid parameters:\n  " + problems.join('\n  '))
    }
    def testdata = ParamsSchema.missingTestData(params, projectDir.toString())
    if (testdata) {
        error(testdata)
    }
    def input = params.input.toString()
    def check_files = !(params.skip_file_checks || input.contains('://'))
    def res = SamplesheetValidator.validate(input, "${projectDir}/assets/schema_input.json", check_files,
                                            params.build_pon as boolean)
    def refs = [fasta: params.fasta, targets: params.targets, gtf: params.gtf, pon: params.pon,
                pon_tbi: params.pon_tbi, germline_resource: params.germline_resource,
                germline_resource_tbi: params.germline_resource_tbi, bwa_index: params.bwa_index]
        .collectEntries { k, v -> [k, v ? v.toString() : null] }
    problems = res.problems + SamplesheetValidator.referenceProblems(refs)
    if (!problems) {
        // one run per --outdir: refuse another samplesheet's results unless --overwrite
        def out = SamplesheetValidator.checkOutdir(params.outdir.toString(), res.rows, params.overwrite as boolean)
        problems = out.problems
        out.warnings.each { log.warn(it) }
    }
    if (problems) {
        error("Invalid input:\n  " + SamplesheetValidator.describe(problems).replace('\n', '\n  '))
    }
    SamplesheetValidator.writeManifest(params.outdir.toString(), res.rows, input, workflow.manifest.version)
    def rows = res.rows
    log.info("escapeseq: ${input}: ${rows*.patient.unique().size()} patient(s), " +
             "${rows*.sample.unique().size()} sample(s), ${rows.size()} row(s) valid")
    // -resume reuses a task only when its input files keep their path and mtime: the
    // generated files live at content-addressed paths in the work directory, written once
    def wd = workflow.workDir.toString()
    def sheet = SamplesheetValidator.stableFile(wd, 'samplesheet.valid.csv', SamplesheetValidator.toCsv(rows))
    def checked = check_files ? rows : []
    def checks = SamplesheetValidator.stableFile(wd, 'checks.csv',
        SamplesheetValidator.checksCsv(input, checked, refs))
    return [
        rows: rows, sheet: file(sheet),
        // VALIDATE's inputs: [meta, work list, every FASTQ/BAM in its order]
        checks: [[id: 'samplesheet'], file(checks), SamplesheetValidator.readFiles(checked).collect { file(it) }],
        refs: ['fasta', 'pon', 'germline_resource'].collectEntries { k ->
            [k, SamplesheetValidator.refFiles(k, refs[k], refs["${k}_tbi"]).collect { file(it) }] }
    ]
}

workflow {
    def v = validateInputs()
    def optional = { p -> p ? file(p, checkIfExists: true) : [] }
    // a resource VCF's index: --<name>_tbi, else <vcf>.tbi / <vcf>.csi beside it (checked at launch)
    def index_of = { vcf, idx -> vcf ? file(idx ?: SamplesheetValidator.indexOf(vcf.toString()), checkIfExists: true) : [] }
    def fai = file("${params.fasta}.fai")
    def bwa_index = []
    if (params.bwa_index) {
        def bi = file(params.bwa_index)
        bwa_index = bi.isDirectory() ? files("${bi}/*.{amb,ann,bwt,pac,sa}")
                                     : files("${bi}.{amb,ann,bwt,pac,sa}")
    }
    // --hisat2_index: a directory holding one HISAT2 index, or the index prefix
    def hisat2_index = []
    if (params.hisat2_index) {
        def hi = file(params.hisat2_index)
        hisat2_index = hi.isDirectory() ? files("${hi}/*") : files("${hi}.*")
        if (!hisat2_index.any { it.name.endsWith('.1.ht2') || it.name.endsWith('.1.ht2l') }) {
            error("Invalid parameters:\n  --hisat2_index ${params.hisat2_index}: no HISAT2 index there (<prefix>.1.ht2 ...); omit it to build one")
        }
    }
    if (params.build_pon) {
        BUILD_PON(
            Channel.value(v.rows), Channel.value(v.sheet), Channel.value(v.checks), v.refs,
            file(params.fasta, checkIfExists: true), fai.exists() ? fai : [], bwa_index,
            file(params.targets, checkIfExists: true), optional(params.gtf),
            file(params.multiqc_config, checkIfExists: true))
    } else {
    ESCAPESEQ(
        Channel.value(v.rows),
        Channel.value(v.sheet),
        Channel.value(v.checks),
        v.refs,
        file(params.fasta, checkIfExists: true),
        fai.exists() ? fai : [],
        bwa_index,
        file(params.targets, checkIfExists: true),
        file(params.gtf, checkIfExists: true),
        file(params.escape_panel, checkIfExists: true),
        optional(params.pon),
        index_of(params.pon, params.pon_tbi),
        optional(params.germline_resource),
        index_of(params.germline_resource, params.germline_resource_tbi),
        optional(params.arms),
        optional(params.igv_js),
        file(params.multiqc_config, checkIfExists: true),
        hisat2_index
    )
    }
}

workflow.onComplete {
    if (workflow.success) {
        log.info "escapeseq: done. Results in ${params.outdir}/ (MultiQC: ${params.outdir}/multiqc/multiqc_report.html)"
    } else {
        log.error "escapeseq: the run failed; outputs in ${params.outdir}/ are incomplete. Fix the error above and rerun with -resume."
    }
}
