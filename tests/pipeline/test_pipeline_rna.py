"""RNA evidence of escape (issue 16) in the shared `-profile test` run, whose samplesheet
carries RNA FASTQs on every tumour row (`make testdata` simulates with --rna), and a stub
run of the same patients without the RNA columns: no RNA task, no RNA output, the DNA-only
validated samplesheet.

Expected values come from the simulator's truth (truth/<patient>.rna_variants.tsv,
.rna_genes.tsv), not from a previous run.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pysam
import pytest

from conftest import DATA, nextflow, require_data

pytestmark = pytest.mark.pipeline


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def rna_rows(samplesheet_rows) -> list[dict[str, str]]:
    return [r for r in samplesheet_rows if r.get("rna_fastq_1")]


def evidence(test_run, patient: str) -> list[dict[str, str]]:
    return read_tsv(test_run.outdir / patient / "rna" / f"{patient}.rna_evidence.tsv")


def candidate_rows(test_run, patient: str, gene: str, pos: str) -> dict[str, dict[str, str]]:
    """The evidence rows of one candidate, by timepoint."""
    rows = [r for r in evidence(test_run, patient)
            if r["kind"] == "candidate" and r["gene"] == gene and r["pos"] == pos]
    assert rows, f"{patient}: no RNA evidence row for the {gene} candidate at {pos}"
    return {r["timepoint"]: r for r in rows}


def truth_variant(patient: str, gene: str, timepoint_sample: str) -> dict[str, str]:
    rows = [r for r in read_tsv(DATA / "truth" / f"{patient}.rna_variants.tsv")
            if r["gene"] == gene and r["sample"] == timepoint_sample and r["origin"] == "somatic"]
    assert len(rows) == 1
    return rows[0]


def test_testdata_has_rna_on_tumour_rows_only(samplesheet_rows):
    assert rna_rows(samplesheet_rows), "make testdata should simulate with --rna"
    for r in samplesheet_rows:
        has = bool(r.get("rna_fastq_1"))
        assert has == (r["timepoint"] != "normal"), r["sample"]


def test_rna_outputs_are_published(test_run, samplesheet_rows):
    """<patient>/rna/: BAM + index, HISAT2 summary, gene counts per tumour; evidence tables
    per patient; the HISAT2 summaries in MultiQC."""
    for row in rna_rows(samplesheet_rows):
        d = test_run.outdir / row["patient"] / "rna"
        bam = d / f"{row['sample']}.rna.bam"
        for f in (bam, d / f"{row['sample']}.rna.bam.bai",
                  d / f"{row['sample']}.rna.hisat2.summary.txt",
                  d / f"{row['sample']}.gene_counts.tsv",
                  d / f"{row['patient']}.rna_evidence.tsv",
                  d / f"{row['patient']}.candidates.rna.tsv"):
            assert f.exists() and f.stat().st_size > 0, f
        with pysam.AlignmentFile(str(bam)) as fh:
            assert {rg["SM"] for rg in fh.header["RG"]} == {row["sample"]}
            reads = [a for a in fh.fetch() if not a.is_secondary and not a.is_supplementary]
        assert len(reads) > 10_000
        spliced = sum(1 for a in reads if "N" in (a.cigarstring or ""))
        assert spliced > 0.05 * len(reads), "HISAT2 found (almost) no spliced reads"
    normals = [r for r in samplesheet_rows if r["timepoint"] == "normal"]
    for row in normals:
        assert not list((test_run.outdir / row["patient"] / "rna").glob(f"{row['sample']}*"))
    html = (test_run.outdir / "multiqc" / "multiqc_report.html").read_text(errors="replace")
    assert "HISAT2" in html


def test_splice_candidate_retains_its_intron_at_relapse_not_baseline(test_run):
    """P2's JAK2 splice-donor mutant: its intron kept in most relapse fragments, in none at
    baseline (where the mutation is absent), and said so in the candidates and the report."""
    truth = truth_variant("P2", "JAK2", "P2_R")
    intron = truth["retained_introns"]
    assert intron
    ev = candidate_rows(test_run, "P2", "JAK2", truth["pos"])
    rel, base = ev["relapse"], ev["baseline"]
    assert rel["intron"] == intron and base["intron"] == intron
    assert int(rel["retention_reads"]) >= 10
    assert float(rel["retained_fraction"]) >= 0.5
    assert int(base["retention_reads"]) <= 1
    assert int(base["junction_reads"]) >= 10
    assert float(base["retained_fraction"]) <= 0.05
    sentence = f"intron {intron} retained in {rel['retention_reads']} of "
    assert sentence in rel["explanation"]
    cands = (test_run.outdir / "P2" / "rna" / "P2.candidates.rna.tsv").read_text()
    assert sentence in cands
    report = (test_run.outdir / "P2" / "report" / "P2.report.html").read_text(errors="replace")
    assert sentence in report


def test_nonsense_allele_has_low_rna_fraction(test_run):
    """P1's JAK1 nonsense allele at relapse: NMD leaves a lower RNA than DNA allele fraction."""
    truth = truth_variant("P1", "JAK1", "P1_R")
    assert truth["nmd"] == "true"
    rel = candidate_rows(test_run, "P1", "JAK1", truth["pos"])["relapse"]
    rna_vaf, dna_vaf = float(rel["rna_vaf"]), float(rel["dna_vaf"])
    assert int(rel["rna_alt_reads"]) + int(rel["rna_ref_reads"]) >= 20
    assert rna_vaf < dna_vaf - 0.15
    assert abs(rna_vaf - float(truth["rna_vaf"])) < 0.15
    assert rel["allele_call"] == "under_expressed"


def test_silenced_gene_is_lost_at_relapse(test_run):
    """P3's gene silenced at relapse (truth: silenced) is called lost; panel genes whose
    simulated level stays within 1.5x are not."""
    genes = read_tsv(DATA / "truth" / "P3.rna_genes.tsv")
    silenced = {g["gene"] for g in genes if g["silenced"] == "true"}
    assert silenced == {"HLA-A"}
    rows = [r for r in evidence(test_run, "P3")
            if r["kind"] == "expression" and r["timepoint"] == "relapse"]
    by_gene = {r["gene"]: r for r in rows}
    hla = by_gene["HLA-A"]
    assert hla["expression_change"] == "lost"
    assert float(hla["fold_change"]) <= 0.5
    tpm = {(g["sample"], g["gene"]): float(g["expected_tpm"]) for g in genes}
    steady = [g for g in by_gene if g not in silenced and ("P3_B", g) in tpm
              and 1 / 1.5 < tpm[("P3_R", g)] / tpm[("P3_B", g)] < 1.5]
    assert steady
    for g in steady:
        assert by_gene[g]["expression_change"] != "lost", g


def test_without_rna_nothing_changes(tmp_path):
    """The same patients without the RNA columns: no RNA task runs, nothing RNA is
    published, the validated samplesheet has the DNA columns only and every report is made
    without RNA evidence (stub run: the task graph, not the numbers)."""
    require_data()
    with open(DATA / "samplesheet.csv") as fh:
        rows = list(csv.DictReader(fh))
    sheet = tmp_path / "dna_only.csv"
    cols = ["patient", "sample", "timepoint", "fastq_1", "fastq_2"]
    with open(sheet, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            w.writerow([r["patient"], r["sample"], r["timepoint"],
                        DATA / r["fastq_1"], DATA / r["fastq_2"]])
    res = nextflow(["-profile", "test", "-stub-run", "--input", str(sheet),
                    "--outdir", str(tmp_path / "out"), "-w", str(tmp_path / "work")], cwd=tmp_path)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    tasks = re.findall(r"Submitted process > (\S+)", res.stdout)
    assert any(t.endswith(":REPORT") for t in tasks) and any(t.endswith(":MULTIQC") for t in tasks)
    assert not [t for t in tasks if "HISAT2" in t or "RNA" in t]
    out = tmp_path / "out"
    assert not list(out.glob("*/rna"))
    header = (out / "pipeline_info" / "samplesheet.valid.csv").read_text().splitlines()[0]
    assert header == "patient,sample,timepoint,order,status,lane,fastq_1,fastq_2,bam,purity,sex"
    reports = [p for p in (tmp_path / "work").glob("*/*/.command.run")
               if ".report.html" in (p.parent / ".command.sh").read_text()]
    assert reports
    for p in reports:
        assert "rna_evidence" not in p.read_text()


def test_rna_on_the_normal_fails_at_launch(tmp_path):
    """RNA on the normal's row is a one-line launch error naming the row and column."""
    require_data()
    with open(DATA / "samplesheet.csv") as fh:
        rows = list(csv.DictReader(fh))
    sheet = tmp_path / "rna_normal.csv"
    cols = ["patient", "sample", "timepoint", "fastq_1", "fastq_2", "rna_fastq_1", "rna_fastq_2"]
    donor = next(r for r in rows if r.get("rna_fastq_1"))
    with open(sheet, "w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(cols)
        for r in rows:
            rna = donor if r["timepoint"] == "normal" and r["patient"] == "P1" else r
            w.writerow([r["patient"], r["sample"], r["timepoint"], DATA / r["fastq_1"],
                        DATA / r["fastq_2"]] + [DATA / rna[c] if rna.get(c) else ""
                                                for c in ("rna_fastq_1", "rna_fastq_2")])
    res = nextflow(["-profile", "test", "--input", str(sheet), "--outdir", str(tmp_path / "out"),
                    "-w", str(tmp_path / "work")], cwd=tmp_path, timeout=600)
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert f"{sheet}: row 2, column rna_fastq_1: RNA is for tumour rows only (the normal has none)" in out
    assert "Submitted process" not in out
