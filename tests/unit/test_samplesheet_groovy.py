"""lib/SamplesheetValidator.groovy (the launch-time check, no Python on the launch host)
against escapeseq.samplesheet (the reference rules): the same problems, word for word,
and the same validated rows, on every samplesheet case of the bad-input catalogue plus
the cases below. Runs the Groovy class with the Groovy of the installed Nextflow jars.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from escapeseq.samplesheet import (Problems, collect_rows, samples_digest, write_validated,
                                   check_outdir, write_manifest)
from escapeseq.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
JARS = ROOT / ".venv" / "share" / "nextflow" / "lib"
SCHEMA = ROOT / "assets" / "schema_input.json"
DRIVER = ROOT / "tests" / "groovy" / "validate_sheets.groovy"
sys.path.insert(0, str(ROOT / "tests" / "bad_inputs"))

import make_catalogue  # noqa: E402

pytestmark = pytest.mark.skipif(not (JARS / "nextflow-24.10.0.jar").exists(),
                                reason="Nextflow jars not installed (make install)")

# content checks (FASTQ heads) are not the Groovy validator's: they run in VALIDATE
CONTENT_CASES = {"ss_fastq_not_fastq"}

EXTRA = {
    "comma_in_path": ('patient,sample,timepoint,fastq_1,fastq_2\n'
                      'P1,P1_N,normal,"@BASE@/a,b/N_R1.fq.gz","@BASE@/a,b/N_R2.fq.gz"\n'
                      'P1,P1_T,relapse,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz\n'),
    "quote_in_quoted_field": ('patient,sample,timepoint,fastq_1,fastq_2\n'
                              'P1,"P1""N",normal,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz\n'
                              'P1,P1_T,relapse,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz\n'),
    "lanes_bam_sex_purity": ('patient,sample,timepoint,lane,fastq_1,fastq_2,bam,purity,sex\n'
                             'P2,P2_N,0,L1,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,F\n'
                             'P2,P2_N,0,L2,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,,,F\n'
                             'P2,P2_T1,1,,,,@BASE@/N_R1.fq.gz,0.45,female\n'
                             'P2,P2_T3,Relapse,,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,1,XX\n'
                             'P1,P1_N,NORMAL,,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,\n'
                             'P1,P1_T,baseline,,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,,.5,\n'),
    "lane_problems": ('patient,sample,timepoint,lane,fastq_1,fastq_2,bam,purity,sex\n'
                      'P1,P1_N,normal,L1,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,\n'
                      'P1,P1_N,normal,L1,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,,,\n'
                      'P1,P1_T,relapse,,,,@BASE@/N_R1.fq.gz,,male\n'
                      'P1,P1_T2,relapse,,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,,0.3,female\n'
                      'P3,P3_N,normal,L1,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,,,\n'
                      'P3,P3_N,normal,L2,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,0.5,\n'
                      'P3,P3_N,normal,L3,,,@BASE@/N_R1.fq.gz,,\n'),
    "both_and_none": ('patient,sample,timepoint,fastq_1,fastq_2,bam\n'
                      'P1,P1_N,normal,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,@BASE@/N_R1.fq.gz\n'
                      'P1,P1_T,relapse,,,\n'
                      'P2,,normal,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,\n'
                      'P2,P2_T,,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,\n'
                      'P4,P4_N,normal,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,\n'),
    "bam_only_header": ('patient,sample,timepoint,bam\n'
                        'P1,P1_N,normal,@BASE@/dir\n'
                        "P1,P1_T,relapse,@BASE@/it's.bam\n"),
    "rna_ok": ('patient,sample,timepoint,fastq_1,fastq_2,rna_fastq_1,rna_fastq_2,rna_bam\n'
               'P1,P1_N,normal,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,\n'
               'P1,P1_T,baseline,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,\n'
               'P1,P1_R,relapse,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,,,@BASE@/N_R1.fq.gz\n'
               'P2,P2_N,normal,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,\n'
               'P2,P2_T,relapse,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,,,\n'),
    "rna_problems": ('patient,sample,timepoint,lane,fastq_1,fastq_2,rna_fastq_1,rna_fastq_2,rna_bam\n'
                     'P1,P1_N,normal,,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,\n'
                     'P1,P1_T,baseline,,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,@BASE@/T_R1.fq.gz,,\n'
                     'P1,P1_R,relapse,,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,@BASE@/N_R1.fq.gz\n'
                     'P2,P2_N,normal,,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,\n'
                     'P2,P2_T,relapse,,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,,,@BASE@/absent.bam\n'
                     'P3,P3_N,normal,,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,\n'
                     'P3,P3_T,1,L1,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,@BASE@/T_R1.fq.gz,@BASE@/T_R1.fq.gz,\n'
                     'P4,P4_N,normal,,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,\n'
                     'P4,P4_T,1,L1,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz,\n'
                     'P4,P4_T,1,L2,@BASE@/N_R1.fq.gz,@BASE@/N_R2.fq.gz,,,@BASE@/N_R1.fq.gz\n'),
    "no_read_columns": 'patient,sample,timepoint,purity\nP1,P1_N,normal,0.5\n',
    "missing_file_relative": ('patient,sample,timepoint,fastq_1,fastq_2\n'
                              'P1,P1_N,normal,sub/../N_R1.fq.gz,absent.fq.gz\n'
                              'P1,P1_T,relapse,@BASE@/T_R1.fq.gz,@BASE@/T_R2.fq.gz\n'),
}


def _fastq(path: Path) -> None:
    with gzip.open(path, "wb") as fh:
        fh.write(b"@r1\nACGT\n+\nIIII\n")


@pytest.fixture(scope="module")
def cases(tmp_path_factory) -> dict[str, Path]:
    """Every samplesheet case, built in its own directory: id -> sheet path."""
    root = tmp_path_factory.mktemp("sheets")
    base = root / "base"
    base.mkdir()
    for f in ("N_R1", "N_R2", "T_R1", "T_R2"):
        _fastq(base / f"{f}.fq.gz")
    (base / "a,b").mkdir()
    for f in ("N_R1", "N_R2"):
        _fastq(base / "a,b" / f"{f}.fq.gz")
    (base / "dir").mkdir()
    out = {}
    for cid, build in make_catalogue.BUILDERS.items():
        if not cid.startswith("ss_") or cid in CONTENT_CASES:
            continue
        d = root / cid
        d.mkdir()
        argv = build(base, d)
        out[cid] = Path(argv[argv.index("--input") + 1])
    for cid, text in EXTRA.items():
        d = root / cid
        d.mkdir()
        (d / "sheet.csv").write_text(text.replace("@BASE@", str(base)))
        out[cid] = d / "sheet.csv"
    (root / "missing").mkdir()
    out["sheet_missing"] = root / "missing" / "sheet.csv"
    out["sheet_is_dir"] = base / "dir"
    return out


def run_groovy(sheets: list[Path], check_files: bool = True) -> dict[str, dict]:
    res = subprocess.run(
        ["java", "-cp", f"{JARS}/*:{ROOT / 'lib'}", "groovy.ui.GroovyMain", str(DRIVER),
         str(SCHEMA), "true" if check_files else "false", *map(str, sheets)],
        capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return {d["sheet"]: d for d in map(json.loads, res.stdout.splitlines())}


@pytest.fixture(scope="module")
def groovy(cases) -> dict[str, dict]:
    return run_groovy(list(cases.values()))


def python_result(sheet: Path) -> tuple[list[str], str]:
    probs = Problems(str(sheet))
    rows = collect_rows(sheet, probs)
    if probs.items:
        return probs.items, ""
    out = sheet.parent / "python.valid.csv"
    write_validated(rows, out)
    return [], out.read_text()


def test_cases_cover_the_catalogue(cases):
    assert len(cases) >= 40


@pytest.mark.parametrize("cid", sorted([c for c in make_catalogue.BUILDERS
                                        if c.startswith("ss_") and c not in CONTENT_CASES]
                                       + list(EXTRA) + ["sheet_missing", "sheet_is_dir"]))
def test_groovy_matches_python(cid, cases, groovy):
    sheet = cases[cid]
    g = groovy[str(sheet)]
    py_problems, py_csv = python_result(sheet)
    if cid == "sheet_is_dir":  # Python's wording comes from the OS error
        assert g["problems"] == [f"{sheet}: cannot read (is a directory)"]
        assert py_problems
        return
    assert g["problems"] == py_problems
    assert g["csv"] == py_csv


def test_expected_outcomes(cases, groovy):
    """Spot checks that the comparison above is not between two equally wrong answers."""
    ok = groovy[str(cases["comma_in_path"])]
    assert ok["problems"] == []
    rows = list(csv.DictReader(io.StringIO(ok["csv"])))
    assert rows[0]["fastq_1"].endswith("/a,b/N_R1.fq.gz")
    lanes = groovy[str(cases["lanes_bam_sex_purity"])]
    assert lanes["problems"] == []
    assert [(r["sample"], r["order"], r["status"], r["sex"]) for r in lanes["rows"]] == [
        ("P1_N", 0, "normal", "unknown"), ("P1_T", 1, "tumour", "unknown"),
        ("P2_N", 0, "normal", "female"), ("P2_N", 0, "normal", "female"),
        ("P2_T1", 1, "tumour", "female"), ("P2_T3", 2, "tumour", "female")]
    bad = groovy[str(cases["lane_problems"])]["problems"]
    assert any("repeats a lane" in p for p in bad)
    assert any("a BAM input cannot have lanes" in p for p in bad)
    assert any("samples disagree on sex" in p for p in bad)
    dup = groovy[str(cases["ss_duplicate_sample"])]["problems"]
    assert dup == [f"{cases['ss_duplicate_sample']}: rows 2, 3: duplicate sample ID 'P1_N' "
                   "(used for different patients or timepoints)"]


def test_rna_columns(cases, groovy):
    """RNA on tumour rows: rows and the validated CSV carry it; every misuse is one line."""
    ok = groovy[str(cases["rna_ok"])]
    assert ok["problems"] == []
    by = {r["sample"]: r for r in ok["rows"]}
    assert by["P1_T"]["rna_fastq_1"].endswith("/T_R1.fq.gz") and by["P1_T"]["rna_bam"] == ""
    assert by["P1_R"]["rna_bam"].endswith("/N_R1.fq.gz") and by["P2_T"]["rna_fastq_1"] == ""
    assert ok["csv"].splitlines()[0].endswith(",sex,rna_fastq_1,rna_fastq_2,rna_bam")
    sheet = cases["rna_problems"]
    bad = [p.removeprefix(f"{sheet}: ") for p in groovy[str(sheet)]["problems"]]
    base = sheet.parent.parent / "base"
    assert bad == [
        "row 2, column rna_fastq_1: RNA is for tumour rows only (the normal has none)",
        "row 3, column rna_fastq_2: empty: the RNA FASTQ pair is given half (paired-end reads are required)",
        "row 4: give either rna_fastq_1/rna_fastq_2 or rna_bam, not both",
        f"row 6, column rna_bam: {base}/absent.bam: file not found",
        "row 8: rna_fastq_1 and rna_fastq_2 are the same file",
        "rows 10, 11: sample 'P4_T': lanes name different RNA files (give the sample's RNA once)",
    ]


def test_dna_only_sheet_keeps_its_columns_and_digest(cases, groovy):
    """Without RNA nothing changes: the validated CSV has the DNA columns only."""
    g = groovy[str(cases["lanes_bam_sex_purity"])]
    assert g["csv"].splitlines()[0] == ("patient,sample,timepoint,order,status,lane,fastq_1,"
                                        "fastq_2,bam,purity,sex")


def test_without_file_checks_missing_files_pass(cases):
    sheet = cases["ss_fastq_missing"]
    g = run_groovy([sheet], check_files=False)[str(sheet)]
    assert g["problems"] == []


def test_outdir_manifest_digest_is_shared(cases, tmp_path):
    """The Groovy run manifest is the one escapeseq.samplesheet reads (same digest)."""
    sheet = cases["lanes_bam_sex_purity"]
    probs = Problems(str(sheet))
    rows = collect_rows(sheet, probs)
    assert not probs.items
    script = tmp_path / "digest.groovy"
    script.write_text(
        f"def r = SamplesheetValidator.validate('{sheet}', '{SCHEMA}', true)\n"
        "println SamplesheetValidator.samplesDigest(r.rows)\n"
        f"println SamplesheetValidator.checkOutdir('{tmp_path / 'out'}', r.rows, false)\n"
        f"SamplesheetValidator.writeManifest('{tmp_path / 'out'}', r.rows, '{sheet}', '9.9')\n"
        f"new File('{tmp_path / 'out' / 'P1.txt'}').text = 'x'\n"
        f"println SamplesheetValidator.checkOutdir('{tmp_path / 'out'}', r.rows, false)\n"
        f"println SamplesheetValidator.checkOutdir('{tmp_path / 'out'}', r.rows.take(2), false)\n")
    res = subprocess.run(["java", "-cp", f"{JARS}/*:{ROOT / 'lib'}", "groovy.ui.GroovyMain",
                          str(script)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    lines = res.stdout.splitlines()
    assert lines[0] == samples_digest(rows)
    assert lines[1] == "[problems:[], warnings:[]]"
    assert lines[2] == "[problems:[], warnings:[]]"  # a rerun of the same sheet
    assert "holds results of another samplesheet (sheet.csv: patients P1,P2)" in lines[3]
    # Python agrees with the manifest Groovy wrote
    assert check_outdir(tmp_path / "out", rows, False) == []
    with pytest.raises(InputError, match="holds results of another samplesheet"):
        check_outdir(tmp_path / "out", rows[:2], False)
    write_manifest(tmp_path / "out2", rows, str(sheet))


def test_missing_test_data_says_how_to_make_it(tmp_path):
    """-profile test after `make install` alone: the launch names `make testdata`."""
    proj = tmp_path / "proj"
    (proj / ".testdata").mkdir(parents=True)
    script = tmp_path / "td.groovy"
    script.write_text(
        f"println ParamsSchema.missingTestData([input: '{proj}/.testdata/samplesheet.csv', "
        f"outdir: 'results'], '{proj}')\n"
        f"new File('{proj}/.testdata/.complete').text = ''\n"
        f"println ParamsSchema.missingTestData([input: '{proj}/.testdata/samplesheet.csv'], '{proj}')\n"
        f"println ParamsSchema.missingTestData([input: '/data/sheet.csv'], '/elsewhere')\n")
    res = subprocess.run(["java", "-cp", f"{JARS}/*:{ROOT / 'lib'}", "groovy.ui.GroovyMain",
                          str(script)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    first, done, other = res.stdout.splitlines()
    assert first.startswith(f"--input {proj}/.testdata/samplesheet.csv: the -profile test data "
                            "is not there")
    assert f"run `make testdata` in {proj}" in first
    assert done == "null" and other == "null"
