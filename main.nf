#!/usr/bin/env nextflow
/*
 * escapeseq: what did a tumour that responded to PD-1 blockade acquire to escape?
 * samplesheet -> validation (before any task) -> alignment + QC per sample
 * -> per-patient analysis -> reports.
 */
nextflow.enable.dsl = 2
nextflow.preview.topic = true

include { ESCAPESEQ } from './workflows/escapeseq'

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

workflow {
    def validated = validateInputs()
    def optional = { p -> p ? file(p, checkIfExists: true) : [] }
    def fai = file("${params.fasta}.fai")
    def bwa_index = []
    if (params.bwa_index) {
        def bi = file(params.bwa_index)
        bwa_index = bi.isDirectory() ? files("${bi}/*.{amb,ann,bwt,pac,sa}")
                                     : files("${bi}.{amb,ann,bwt,pac,sa}")
    }
    ESCAPESEQ(
        Channel.of(validated),
        file(params.fasta, checkIfExists: true),
        fai.exists() ? fai : [],
        bwa_index,
        file(params.targets, checkIfExists: true),
        file(params.gtf, checkIfExists: true),
        file(params.escape_panel, checkIfExists: true),
        optional(params.pon),
        optional(params.germline_resource),
        optional(params.arms),
        optional(params.igv_js),
        file(params.multiqc_config, checkIfExists: true)
    )
}

workflow.onComplete {
    if (workflow.success) {
        log.info "escapeseq: done. Results in ${params.outdir}/ (MultiQC: ${params.outdir}/multiqc/multiqc_report.html)"
    } else {
        log.error "escapeseq: the run failed; outputs in ${params.outdir}/ are incomplete. Fix the error above and rerun with -resume."
    }
}
