"""QC summaries: coverage fractions from mosdepth thresholds, merged versions."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from escapeseq.errors import InputError
from escapeseq.qc import coverage_fractions, coverage_table, merge_versions, read_thresholds


def test_coverage_fractions_weight_by_target_length():
    lengths = np.array([100, 300])
    at = np.array([[100, 50, 0], [150, 0, 0]])
    np.testing.assert_allclose(coverage_fractions(lengths.tolist(), at.tolist(), 3), [250 / 400, 50 / 400, 0])
    assert coverage_fractions([], [], 2) == [0, 0]


def test_coverage_table_reads_mosdepth_files(tmp_path):
    th = tmp_path / "S1.thresholds.bed.gz"
    with gzip.open(th, "wt") as fh:
        fh.write("#chrom\tstart\tend\tregion\t20X\t50X\t100X\n")
        fh.write("chr1\t0\t100\tG\t100\t80\t10\n")
        fh.write("chr1\t200\t300\tG\t50\t0\t0\n")
    with gzip.open(tmp_path / "S1.regions.bed.gz", "wt") as fh:
        fh.write("chr1\t0\t100\tG\t60.0\n")
        fh.write("chr1\t200\t300\tG\t20.0\n")
    (row,) = coverage_table([str(th)])
    assert row["Sample"] == "S1" and row["mean_target_depth"] == "40.0"
    assert row["pct_target_ge_20x"] == "75.00" and row["pct_target_ge_100x"] == "5.00"
    bad = tmp_path / "bad.thresholds.bed.gz"
    with gzip.open(bad, "wt") as fh:
        fh.write("chr1\t0\t100\n")
    with pytest.raises(InputError):
        read_thresholds(str(bad))


def test_merge_versions_both_yaml_forms(tmp_path):
    a = tmp_path / "a.yml"
    a.write_text('"ESCAPESEQ:ALIGN_FASTQ":\n    bwa: 0.7.17\n    samtools: 1.16\n'
                 '"MOSDEPTH": {mosdepth: 0.3.3}\n')
    merged = merge_versions([str(a)])
    assert merged == {"ALIGN_FASTQ": {"bwa": "0.7.17", "samtools": "1.16"},
                      "MOSDEPTH": {"mosdepth": "0.3.3"}}


def test_library_version_matches_pipeline_manifest():
    """Processes record `escapeseq: <manifest.version>` in versions.yml instead of starting a
    second interpreter for `--version`: the two numbers must be the same."""
    import re
    from pathlib import Path
    import escapeseq
    config = (Path(__file__).resolve().parents[2] / "nextflow.config").read_text()
    m = re.search(r"manifest\s*\{[^}]*?version\s*=\s*'([^']+)'", config, flags=re.S)
    assert m and m.group(1) == escapeseq.__version__
