"""The MAFs in the field's own client, on the pipeline's test-profile outputs.

* maftools (Bioconductor): ``read.maf`` reads ``P1.maf`` and ``cohort.maf`` with no warning and
  no note about columns, keeps every row, and ``oncoplot`` draws the cohort
  (``maftools_check.R``). Skipped, with the reason, where Rscript or maftools is absent.
* Always: the rules maftools applies when it reads a MAF (its ``validateMaf``: the nine
  required columns; duplicates by Chromosome:Start_Position:Tumor_Sample_Barcode are dropped;
  empty Hugo_Symbol is renamed; values outside the MAF vocabulary are flagged), checked in
  Python on the same files so a change that would upset maftools fails here too.
"""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.pipeline

HERE = Path(__file__).resolve().parent
PATIENTS = ("P1", "P2", "P3")
REQUIRED = ("Hugo_Symbol", "Chromosome", "Start_Position", "End_Position", "Reference_Allele",
            "Tumor_Seq_Allele2", "Variant_Classification", "Variant_Type", "Tumor_Sample_Barcode")
CLASSES = {"Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site",
           "Nonsense_Mutation", "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins",
           "Missense_Mutation", "Silent", "Splice_Region", "Intron", "RNA", "IGR", "3'UTR",
           "5'UTR", "3'Flank", "5'Flank", "Targeted_Region"}
TYPES = {"SNP", "DNP", "TNP", "ONP", "INS", "DEL"}


@pytest.fixture(scope="session")
def rscript_maftools() -> str:
    """Rscript's path, or skip (clearly) where R or maftools is missing. Session-scoped and
    requested before ``test_run`` so a skip costs no pipeline run."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("maftools client test skipped: Rscript not on PATH (install R and the "
                    "Bioconductor package maftools, e.g. Debian r-bioc-maftools)")
    r = subprocess.run([rscript, "-e", "quit(status = if (requireNamespace('maftools', "
                        "quietly = TRUE)) 0 else 1)"], capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip("maftools client test skipped: R package maftools not installed "
                    "(BiocManager::install('maftools') or Debian r-bioc-maftools)")
    return rscript


def test_maftools_reads_patient_and_cohort_and_draws_oncoplot(rscript_maftools, test_run, tmp_path):
    png = tmp_path / "oncoplot.png"
    r = subprocess.run([rscript_maftools, str(HERE / "maftools_check.R"),
                        str(test_run.outdir / "P1" / "annotation" / "P1.maf"),
                        str(test_run.outdir / "cohort.maf"), str(png)],
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "maftools OK" in r.stdout and png.stat().st_size > 1000


def _rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path) as fh:
        assert fh.readline().startswith("#version")
        rd = csv.DictReader(fh, delimiter="\t")
        return list(rd.fieldnames or []), list(rd)


@pytest.mark.parametrize("name", [f"{p}/annotation/{p}.maf" for p in PATIENTS] + ["cohort.maf"])
def test_maf_follows_the_rules_maftools_reads_by(test_run, name):
    head, rows = _rows(test_run.outdir / name)
    assert all(c in head for c in REQUIRED)
    assert len(set(head)) == len(head)
    assert rows
    keys = [(r["Chromosome"], r["Start_Position"], r["Tumor_Sample_Barcode"]) for r in rows]
    assert len(set(keys)) == len(keys), "maftools would drop duplicated variants"
    for r in rows:
        assert r["Hugo_Symbol"] and r["Tumor_Sample_Barcode"]
        assert r["Variant_Classification"] in CLASSES and r["Variant_Type"] in TYPES
        assert int(r["End_Position"]) >= int(r["Start_Position"]) >= 1
        for c in ("t_depth", "t_ref_count", "t_alt_count"):
            assert r[c].isdigit()
