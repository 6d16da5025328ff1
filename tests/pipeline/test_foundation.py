"""Foundation: the test profile runs for real; alignment outputs are valid; bad input fails fast."""

from __future__ import annotations

import gzip
import subprocess
from pathlib import Path

import pysam
import pytest

from conftest import DATA, nextflow, require_data

pytestmark = pytest.mark.pipeline


def fastq_reads(path: str) -> int:
    with gzip.open(path, "rb") as fh:
        return sum(1 for _ in fh) // 4


def test_layout_follows_contract(test_run, samplesheet_rows):
    out = test_run.outdir
    info = out / "pipeline_info"
    assert (info / "samplesheet.valid.csv").exists()
    assert (info / "versions.yml").exists()
    assert list(info.glob("execution_trace_*.txt")) and list(info.glob("execution_report_*.html"))
    assert list(info.glob("execution_timeline_*.html"))
    versions = (info / "versions.yml").read_text()
    for tool in ("bwa:", "samtools:", "mosdepth:", "Nextflow: 24.10.0"):
        assert tool in versions
    assert (out / "multiqc" / "multiqc_report.html").stat().st_size > 10_000
    for row in samplesheet_rows:
        aln = out / row["patient"] / "alignment"
        assert (aln / f"{row['sample']}.bam").exists()
        assert (aln / f"{row['sample']}.bam.bai").exists()


def test_bams_are_valid_and_keep_every_read(test_run, samplesheet_rows):
    fasta = DATA / "reference" / "genome.fa"
    for row in samplesheet_rows:
        bam = test_run.outdir / row["patient"] / "alignment" / f"{row['sample']}.bam"
        subprocess.run(["samtools", "quickcheck", str(bam)], check=True)
        res = subprocess.run(["java", "-jar", "/usr/share/java/picard.jar", "ValidateSamFile",
                              f"I={bam}", f"R={fasta}", "MODE=SUMMARY", "QUIET=true",
                              "VERBOSITY=ERROR"], capture_output=True, text=True)
        assert res.returncode == 0, res.stdout + res.stderr
        with pysam.AlignmentFile(str(bam)) as fh:
            rg = fh.header["RG"]
            assert {r["SM"] for r in rg} == {row["sample"]}
            assert all(r["PL"] == "ILLUMINA" and r["LB"] for r in rg)
            stats = pysam.flagstat(str(bam))
        primary = int(next(ln for ln in stats.splitlines() if "primary" in ln).split()[0])
        fq = [str(Path(DATA, row["fastq_1"])), str(Path(DATA, row["fastq_2"]))]
        assert primary == sum(fastq_reads(f) for f in fq)


def test_multiqc_has_alignment_and_coverage(test_run):
    html = (test_run.outdir / "multiqc" / "multiqc_report.html").read_text(errors="replace")
    for section in ("samtools", "mosdepth", "Target coverage", "Software versions"):
        assert section in html
    cov = (test_run.outdir / "multiqc" / "coverage_summary_mqc.tsv").read_text().splitlines()
    rows = [ln.split("\t") for ln in cov if not ln.startswith("#")]
    header, body = rows[0], rows[1:]
    mean = [float(r[header.index("mean_target_depth")]) for r in body]
    assert len(body) >= 6 and min(mean) > 20


# The -stub run of the whole DAG is an nf-test suite now: tests/stub.nf.test.


def test_help_prints_every_parameter(tmp_path):
    res = nextflow(["--help"], cwd=tmp_path)
    assert res.returncode == 0
    for p in ("--input", "--fasta", "--gtf", "--targets", "--outdir", "--bwa_index"):
        assert p in res.stdout


def _sheet(tmp: Path, body: str) -> Path:
    p = tmp / "sheet.csv"
    p.write_text(body)
    return p


GOODROWS = None


def _good_lines() -> list[str]:
    return (DATA / "samplesheet.csv").read_text().splitlines()


def _abs(line: str) -> str:
    """Make the relative FASTQ paths of a bundled samplesheet line absolute."""
    f = line.split(",")
    return ",".join(str(DATA / x) if x.endswith(".fastq.gz") else x for x in f)


def _blank(header: str, line: str, column: str) -> str:
    """`line` with its `column` field (by the header's names) emptied."""
    f = line.split(",")
    f[header.split(",").index(column)] = ""
    return ",".join(f)


BAD_SHEETS = {
    "missing_column": (lambda L: [L[0].replace("timepoint,", "")] + [
        ",".join(x for i, x in enumerate(r.split(",")) if i != 2) for r in L[1:]],
        "missing column(s): timepoint"),
    "unknown_column": (lambda L: [L[0] + ",colour"] + [r + ",red" for r in L[1:]],
                       "unknown column(s) 'colour'"),
    "duplicate_sample": (lambda L: L + [L[2]], "duplicate sample ID"),
    "no_normal": (lambda L: [L[0]] + [r for r in L[1:] if ",normal," not in r],
                  "has no normal sample"),
    "two_normals": (lambda L: L + [L[1].replace("_N,", "_N2,", 1)], "normal samples"),
    "no_tumour": (lambda L: [L[0]] + [r for r in L[1:] if ",normal," in r], "has no tumour"),
    "bad_id": (lambda L: [L[0], L[1].replace("_N,", "_N;x,", 1)] + L[2:],
               "has characters outside [A-Za-z0-9._-]"),
    "half_pair": (lambda L: [L[0], _blank(L[0], L[1], "fastq_2")] + L[2:],
                  "the FASTQ pair is given half"),
    "missing_file": (lambda L: [L[0], L[1].replace(".fastq.gz", ".nope.fastq.gz", 1)] + L[2:],
                     "file not found"),
}


@pytest.mark.parametrize("case", sorted(BAD_SHEETS))
def test_malformed_samplesheet_fails_before_any_task(tmp_path, case):
    require_data()
    make, expected = BAD_SHEETS[case]
    lines = [_good_lines()[0]] + [_abs(x) for x in _good_lines()[1:]]
    sheet = _sheet(tmp_path, "\n".join(make(lines)) + "\n")
    res = nextflow(["-profile", "test", "--input", str(sheet), "--outdir", str(tmp_path / "o"),
                    "-w", str(tmp_path / "work")], cwd=tmp_path, timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode != 0
    assert expected in out, out[-2000:]
    assert str(sheet) in out
    assert "Submitted process" not in out and "Traceback" not in out
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir())


def test_bad_reference_fails_before_any_analysis(tmp_path):
    """A file-content problem is found by the VALIDATE task (Python, in the container under
    a container profile), the only task submitted; its one line is the run's error."""
    require_data()
    bed = tmp_path / "targets.bed"
    bed.write_text("chrZZ\t10\t100\n")
    res = nextflow(["-profile", "test", "--targets", str(bed), "--outdir", str(tmp_path / "o")],
                   cwd=tmp_path, timeout=300)
    out = res.stdout + res.stderr
    assert res.returncode != 0 and f"{bed}: line 1: contig(s) not in the FASTA: chrZZ" in out
    submitted = [ln for ln in out.splitlines() if "Submitted process" in ln]
    assert submitted and all("VALIDATE" in ln for ln in submitted), submitted
    assert "Traceback" not in out and "Command executed" not in out


def test_unknown_parameter_is_rejected(tmp_path):
    require_data()
    res = nextflow(["-profile", "test", "--outdir", str(tmp_path / "o"), "--scater_count", "3"],
                   cwd=tmp_path, timeout=300)
    assert res.returncode != 0 and "--scater_count: unknown parameter" in res.stdout + res.stderr
