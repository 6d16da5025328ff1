"""benchmarks/pipeline/trace_table.py: the issue-15 ratio table (bwa mem CPU vs ours)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "pipeline" / "trace_table.py"
_spec = importlib.util.spec_from_file_location("escapeseq_bench_trace_table", _PATH)
tt = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(tt)

HEADER = ["task_id", "hash", "native_id", "process", "tag", "name", "status", "exit",
          "realtime", "%cpu", "peak_rss", "start", "complete", "workdir"]


def _trace(tmp_path: Path, rows: list[list[str]]) -> str:
    p = tmp_path / "trace.txt"
    p.write_text("\t".join(HEADER) + "\n" + "".join("\t".join(r) + "\n" for r in rows))
    return str(p)


def test_ratio_row_sums_our_steps_against_bwa(tmp_path):
    wd = tmp_path / "w1"
    wd.mkdir()
    (wd / "S.align_cpu.tsv").write_text("tool\tcpu_s\nbwa mem\t20.0\nescapeseq\t1.0\n"
                                        "samtools sort\t3.0\n")
    rows = [
        ["1", "a", "1", "ESCAPESEQ:ALIGN_QC:ALIGN_FASTQ", "S", "x", "COMPLETED", "0",
         "10s", "250%", "1 GB", "-", "-", str(wd)],
        ["2", "b", "2", "ESCAPESEQ:SOMATIC_CALLING:SOMATIC_CALL", "P", "x", "COMPLETED",
         "0", "2s", "100%", "200 MB", "-", "-", ""],
        ["3", "c", "3", "ESCAPESEQ:COPY_NUMBER:CNV_FIT", "P", "x", "COMPLETED", "0",
         "1s", "50%", "200 MB", "-", "-", ""],
        ["4", "d", "4", "ESCAPESEQ:ALIGN_QC:MOSDEPTH", "S", "x", "COMPLETED", "0",
         "9s", "100%", "20 MB", "-", "-", ""],          # neither side
        ["5", "e", "5", "ESCAPESEQ:EVOLUTION_REPORT:REPORT", "P", "x", "FAILED", "1",
         "9s", "100%", "20 MB", "-", "-", ""],          # failed: not counted
    ]
    data = tt.read_trace(_trace(tmp_path, rows))
    procs = tt.per_process(data)
    row = tt.ratio_row("0.07", data, procs, 0.0)
    head = ["size_mb", "bwa_mem_cpu_s", "our_cpu_s", "ratio", "met_0.25", "our_tasks"]
    got = dict(zip(head + [f"{s}_cpu_s" for s in tt.OUR_SPLIT], row))
    # ours = escapeseq-align 1.0 + call 2.0 + fit 0.5 = 3.5 against bwa mem 20.0
    assert got["bwa_mem_cpu_s"] == "20.0" and got["our_cpu_s"] == "3.5"
    assert got["ratio"] == "0.175" and got["met_0.25"] == "true" and got["our_tasks"] == 2
    assert got["fastq_check_cpu_s"] == "1.0" and got["calling_cpu_s"] == "2.0"
    assert got["copy_number_cpu_s"] == "0.5" and got["report_cpu_s"] == "0.0"


def test_an_unclassified_process_is_an_error_not_silently_other(tmp_path):
    """A renamed or new process must be classified: its CPU cannot drop out of 'ours'."""
    import pytest
    path = _trace(tmp_path, [["1", "a", "1", "ESCAPESEQ:NEW_STEP", "P", "x", "COMPLETED", "0",
                              "1s", "100%", "1 MB", "-", "-", str(tmp_path)]])
    with pytest.raises(SystemExit, match="NEW_STEP is neither in PYTHON nor in THIRD_PARTY"):
        tt.read_trace(path)


def test_size_must_be_positive(tmp_path, capsys):
    import pytest
    with pytest.raises(SystemExit):
        tt.main(["--run", f"0={_trace(tmp_path, [])}", "--out-prefix", str(tmp_path / "o")])
    assert "SIZE must be a target size in Mb > 0" in capsys.readouterr().err
