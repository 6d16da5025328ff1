"""CRAM (issue 15, item 3): `--save_output_as_bam false` publishes CRAM + CRAI written
against --fasta, and gives the same VCF records as the BAM run; a samplesheet of those
published CRAMs (the `bam` column) gives the same records again.

Three real runs of `-profile test`: the session's BAM run (`test_run`), the CRAM run, and
the CRAM-input run. ESCAPESEQ_TEST_RESULTS / ESCAPESEQ_TEST_CRAM_RESULTS /
ESCAPESEQ_TEST_CRAM_INPUT_RESULTS reuse finished runs' outdirs.
"""

from __future__ import annotations

import csv
import gzip
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import DATA, Run, nextflow, require_data

pytestmark = pytest.mark.pipeline

PATIENTS = ("P1", "P2", "P3")
FASTA = DATA / "reference" / "genome.fa"
PICARD = Path("/usr/share/java/picard.jar")


def _run(tmp_path_factory, env: str, name: str, args: list[str]) -> Run:
    reuse = os.environ.get(env)
    if reuse:
        return Run(Path(reuse), Path(reuse) / "work", 0, "", 0.0)
    base = tmp_path_factory.mktemp(name)
    res = nextflow(["-profile", "test", *args, "--outdir", str(base / "results"),
                    "-w", str(base / "work")], cwd=base)
    run = Run(base / "results", base / "work", res.returncode, res.stdout + res.stderr, 0.0)
    if run.returncode != 0:
        pytest.fail(f"{name} run failed ({run.returncode}):\n{run.stdout[-4000:]}")
    return run


@pytest.fixture(scope="module")
def cram_run(tmp_path_factory) -> Run:
    require_data()
    return _run(tmp_path_factory, "ESCAPESEQ_TEST_CRAM_RESULTS", "cram",
                ["--save_output_as_bam", "false"])


@pytest.fixture(scope="module")
def cram_input_run(tmp_path_factory, cram_run) -> Run:
    """The bundled samplesheet with every sample's reads given as the CRAM run's CRAM."""
    reuse = os.environ.get("ESCAPESEQ_TEST_CRAM_INPUT_RESULTS")
    if reuse:
        return Run(Path(reuse), Path(reuse) / "work", 0, "", 0.0)
    d = tmp_path_factory.mktemp("cram_sheet")
    with open(DATA / "samplesheet.csv") as fh:
        rows = list(csv.DictReader(fh))
    sheet = d / "samplesheet.csv"
    with open(sheet, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["patient", "sample", "timepoint", "bam"])
        for r in rows:
            w.writerow([r["patient"], r["sample"], r["timepoint"],
                        cram_run.outdir / r["patient"] / "alignment" / f"{r['sample']}.cram"])
    return _run(tmp_path_factory, "ESCAPESEQ_TEST_CRAM_INPUT_RESULTS", "cram_input",
                ["--input", str(sheet)])


def vcf_body(run: Run, patient: str) -> list[str]:
    """The somatic VCF's records (every line but the header), as published."""
    path = run.outdir / patient / "somatic" / f"{patient}.somatic.vcf.gz"
    with gzip.open(path, "rt") as fh:
        return [ln for ln in fh if not ln.startswith("#")]


def sample_ids() -> list[tuple[str, str]]:
    with open(DATA / "samplesheet.csv") as fh:
        return [(r["patient"], r["sample"]) for r in csv.DictReader(fh)]


def test_cram_run_publishes_cram_and_crai_only(cram_run):
    for patient, sample in sample_ids():
        d = cram_run.outdir / patient / "alignment"
        cram = d / f"{sample}.cram"
        assert cram.read_bytes()[:4] == b"CRAM", cram
        assert (d / f"{sample}.cram.crai").exists()
        assert not list(d.glob("*.bam")) and not list(d.glob("*.bai"))
        subprocess.run(["samtools", "quickcheck", str(cram)], check=True)
        hdr = subprocess.run(["samtools", "view", "-H", str(cram)], check=True,
                             capture_output=True, text=True).stdout
        assert all("\tM5:" in ln for ln in hdr.splitlines() if ln.startswith("@SQ"))


@pytest.mark.skipif(not PICARD.exists() or shutil.which("java") is None,
                    reason="picard.jar (Debian picard-tools) or java not installed")
@pytest.mark.parametrize("patient", PATIENTS)
def test_published_crams_pass_picard_validate(cram_run, patient):
    for p, sample in sample_ids():
        if p != patient:
            continue
        cram = cram_run.outdir / p / "alignment" / f"{sample}.cram"
        res = subprocess.run(["java", "-Xmx1g", "-jar", str(PICARD), "ValidateSamFile",
                              f"I={cram}", f"R={FASTA}", "MODE=SUMMARY"],
                             capture_output=True, text=True)
        assert res.returncode == 0, (sample, res.stdout[-2000:], res.stderr[-2000:])
        assert "No errors found" in res.stdout


def test_cram_reads_equal_the_bam_reads(test_run, cram_run):
    """Decoded against the FASTA, every published CRAM holds its BAM's records."""
    for patient, sample in sample_ids():
        d_b, d_c = (r.outdir / patient / "alignment" for r in (test_run, cram_run))
        want = subprocess.run(["samtools", "view", str(d_b / f"{sample}.bam")], check=True,
                              capture_output=True, text=True).stdout.splitlines()
        got = subprocess.run(["samtools", "view", "-T", str(FASTA), str(d_c / f"{sample}.cram")],
                             check=True, capture_output=True, text=True).stdout.splitlines()

        def norm(lines):  # a CRAM decoder writes MD/NM last: compare tags as sets
            return [ln.split("\t")[:11] + sorted(ln.split("\t")[11:]) for ln in lines]
        assert len(got) == len(want) > 0
        assert norm(got) == norm(want), sample


@pytest.mark.parametrize("patient", PATIENTS)
def test_cram_run_gives_the_same_vcf_records(test_run, cram_run, patient):
    want = vcf_body(test_run, patient)
    assert len(want) > 0
    assert vcf_body(cram_run, patient) == want


@pytest.mark.parametrize("patient", PATIENTS)
def test_cram_samplesheet_gives_the_same_vcf_records(test_run, cram_input_run, patient):
    assert vcf_body(cram_input_run, patient) == vcf_body(test_run, patient)
    # --save_output_as_bam is true there: the CRAM inputs are published as BAM
    d = cram_input_run.outdir / patient / "alignment"
    assert list(d.glob("*.bam")) and not list(d.glob("*.cram"))


@pytest.mark.parametrize("patient", PATIENTS)
def test_cram_runs_give_the_same_tables(test_run, cram_run, patient):
    """Past the VCF, the copy-number and evolution tables are the BAM run's too."""
    for rel in (f"evolution/{patient}.mutations.tsv", f"evolution/{patient}.candidates.tsv"):
        assert (cram_run.outdir / patient / rel).read_text() == (test_run.outdir / patient / rel).read_text(), rel
