process VALIDATE {
    // Content checks of the inputs, the first task of a run (in the container under a container
    // profile): FASTQ heads, BAM headers against the FASTA, FASTA/targets/GTF/--pon/
    // --germline_resource contigs. The samplesheet's structure was checked at launch
    // (lib/SamplesheetValidator.groovy), which also wrote `checks` (kind,row,column,value,staged).
    // Bad input is not a task failure: the problems go to problems.txt (empty when all is
    // well) and the samplesheet subworkflow turns them into the run's error, naming the
    // user's files, rows and columns; every later task waits on that gate.
    tag "${meta.id}"
    label 'process_single'
    conda "${moduleDir}/environment.yml"

    input:
    tuple val(meta), path(checks), path(reads, stageAs: 'reads/?/*')  // reads: every FASTQ/BAM, in checks' order ([] with --skip_file_checks)
    path fasta,    stageAs: 'ref/*'       // FASTA + its .fai/.gzi when present
    path targets,  stageAs: 'targets/*'
    path gtf,      stageAs: 'gtf/*'       // or []
    path pon,      stageAs: 'pon/*'       // VCF + its .tbi/.csi (beside it or --pon_tbi), or []
    path germline, stageAs: 'germline/*'  // VCF + its .tbi/.csi, or []

    output:
    tuple val(meta), path("problems.txt"), emit: problems
    path "versions.yml", emit: versions, topic: versions

    script:
    def args = task.ext.args ?: ''
    """
    # an index given explicitly (--pon_tbi, --germline_resource_tbi) may be named otherwise:
    # htslib looks for <vcf>.tbi / <vcf>.csi
    for d in pon germline; do
        [ -d \$d ] || continue
        for idx in \$d/*.tbi \$d/*.csi; do
            [ -e "\$idx" ] || continue
            for v in \$d/*; do
                case "\$v" in *.tbi|*.csi) continue ;; esac
                [ -e "\$v.\${idx##*.}" ] || ln -s "\$(basename "\$idx")" "\$v.\${idx##*.}"
            done
        done
    done
    escapeseq-validate --content-only ${checks} --problems-out problems.txt ${args}
    cat <<-END_VERSIONS > versions.yml
    "${task.process}":
        escapeseq: \$(escapeseq-validate --version | sed 's/.* //')
    END_VERSIONS
    """

    stub:
    """
    : > problems.txt
    echo '"${task.process}": {escapeseq: stub}' > versions.yml
    """
}
