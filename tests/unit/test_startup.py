"""Fixed per-task cost (issue 15): what a task pays before its real work.

* ``--version`` (every task runs it for versions.yml), ``--help`` and the light
  subcommands (``escapeseq-call split`` / ``gather``, ``escapeseq-qc coverage`` /
  ``versions``, ``escapeseq-report index``) must not import numpy, pandas, matplotlib,
  numba or scipy: checked in a fresh interpreter through ``sys.modules`` (structure,
  not timing).
* the calling scatter follows the target size (``intervals.chunk_count``).
* compiled kernels are cached where every task of a run finds them
  (``bamcols.numba_cache_dir``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from escapeseq.somatic.intervals import chunk_count

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "bin"
TINY = ROOT / "tests" / "data" / "tiny"
HEAVY = ("numpy", "pandas", "matplotlib", "numba", "scipy")

PROBE = """
import json, sys
sys.path.insert(0, {bin!r})
sys.argv = [{tool!r}] + {args!r}
from escapeseq import entrypoints
rc = None
try:
    rc = entrypoints.TOOLS[{tool!r}]()
except SystemExit as e:
    rc = e.code
sys.stdout.flush()
print("\\nPROBE " + json.dumps({{"rc": rc, "mods": sorted(m for m in {heavy!r} if m in sys.modules)}}))
"""


def probe(tool: str, args: list[str], cwd: Path | None = None) -> dict:
    """Run one CLI in a fresh interpreter; its exit code and which heavy modules it loaded."""
    code = PROBE.format(bin=str(BIN), tool=tool, args=args, heavy=HEAVY)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=cwd, env={**os.environ, "MPLBACKEND": "Agg"})
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("PROBE ")]
    assert line, out.stderr
    return json.loads(line[-1][len("PROBE "):])


TOOLS = ["escapeseq-align", "escapeseq-annotate", "escapeseq-call", "escapeseq-cnv",
         "escapeseq-evolve", "escapeseq-qc", "escapeseq-report", "escapeseq-rna",
         "escapeseq-validate"]


@pytest.mark.parametrize("tool", TOOLS)
def test_version_loads_no_heavy_module(tool):
    r = probe(tool, ["--version"])
    assert r == {"rc": 0, "mods": []}


def test_version_line_is_argparse_line(capsys):
    from escapeseq import __version__
    from escapeseq.entrypoints import version_only
    assert version_only("escapeseq-call", ["--version"])
    assert capsys.readouterr().out == f"escapeseq-call {__version__}\n"
    assert not version_only("escapeseq-call", ["--version", "x"])
    assert not version_only("escapeseq-call", ["split", "--version"])


@pytest.mark.parametrize("args", [["--help"], ["split", "--help"], ["gather", "--help"],
                                  ["call", "--help"]])
def test_call_help_loads_no_heavy_module(args):
    assert probe("escapeseq-call", args) == {"rc": 0, "mods": []}


@pytest.mark.parametrize("args", [["--help"], ["pileup", "--help"], ["pileup-patient", "--help"], ["fit", "--help"],
                                  ["identity", "--help"], ["loh-changes", "--help"]])
def test_cnv_help_loads_no_heavy_module(args):
    assert probe("escapeseq-cnv", args) == {"rc": 0, "mods": []}


def test_report_index_help_loads_no_matplotlib_numba():
    r = probe("escapeseq-report", ["index", "--help"])
    assert r["rc"] == 0
    assert not {"matplotlib", "numba"} & set(r["mods"])


def test_call_split_and_gather_load_no_numba_pandas_matplotlib(tmp_path):
    r = probe("escapeseq-call", ["split", "--targets", str(TINY / "reference" / "targets.bed"),
                                 "--fasta-fai", str(TINY / "reference" / "genome.fa.fai"),
                                 "--count", "4", "--outdir", str(tmp_path / "chunks")])
    assert r == {"rc": 0, "mods": []}
    # a 26 kb-scale target set with the default --min-chunk-bp 0: --count chunks
    assert len(list((tmp_path / "chunks").glob("chunk_*.bed"))) >= 2
    from escapeseq.somatic.vcf import write_bgzip_indexed
    vcf = tmp_path / "c.vcf.gz"
    write_bgzip_indexed(str(vcf), ["##fileformat=VCFv4.2", "##contig=<ID=chr1,length=100>",
                                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"],
                        ["chr1\t5\t.\tA\tC\t.\tPASS\t."])
    r = probe("escapeseq-call", ["gather", "--out", str(tmp_path / "g.vcf.gz"), str(vcf)])
    assert r["rc"] == 0 and (tmp_path / "g.vcf.gz.tbi").exists()
    assert r["mods"] == []


def test_qc_coverage_and_versions_load_no_heavy_module(tmp_path):
    import gzip
    th = tmp_path / "S1.thresholds.bed.gz"
    with gzip.open(th, "wt") as fh:
        fh.write("#chrom\tstart\tend\tregion\t20X\n" "chr1\t0\t100\tG\t80\n")
    r = probe("escapeseq-qc", ["coverage", "--out", str(tmp_path / "cov.tsv"), str(th)])
    assert r == {"rc": 0, "mods": []}
    assert "80.00" in (tmp_path / "cov.tsv").read_text()
    v = tmp_path / "v.yml"
    v.write_text('"P:A":\n    escapeseq: 0.1.0\n')
    r = probe("escapeseq-qc", ["versions", "--out", str(tmp_path / "versions.yml"), str(v)])
    assert r == {"rc": 0, "mods": []}


def test_split_min_chunk_bp_gives_one_chunk_for_a_small_panel(tmp_path):
    targets = TINY / "reference" / "targets.bed"
    r = probe("escapeseq-call", ["split", "--targets", str(targets), "--fasta-fai",
                                 str(TINY / "reference" / "genome.fa.fai"), "--count", "4",
                                 "--min-chunk-bp", "250000", "--outdir", str(tmp_path / "c")])
    assert r["rc"] == 0
    assert [p.name for p in (tmp_path / "c").glob("chunk_*.bed")] == ["chunk_001.bed"]


@pytest.mark.parametrize("total,max_count,min_bp,want", [
    (70_000, 4, 250_000, 1),        # a 70 kb panel: one chunk
    (0, 4, 250_000, 1),             # never zero chunks
    (600_000, 4, 250_000, 2),       # 0.5 Mb + padding: floor(2.4)
    (2_300_000, 4, 250_000, 4),     # 2 Mb: capped by scatter_count
    (60_000_000, 8, 250_000, 8),    # an exome: scatter_count
    (70_000, 4, 0, 4),              # rule off: always scatter_count
    (500_000, 1, 1, 1),             # scatter_count 1 stays 1
])
def test_chunk_count(total, max_count, min_bp, want):
    assert chunk_count(total, max_count, min_bp) == want


def test_chunk_count_rejects_bad_arguments():
    with pytest.raises(ValueError):
        chunk_count(10, 0, 1)
    with pytest.raises(ValueError):
        chunk_count(10, 1, -1)


def test_chunks_never_smaller_than_min_on_average():
    for total in range(0, 3_000_000, 37_000):
        n = chunk_count(total, 8, 250_000)
        assert 1 <= n <= 8
        assert n == 1 or total / n >= 250_000


def test_numba_cache_dir(tmp_path):
    # module dir writable: numba's default beside the module
    from escapeseq.bamcols import numba_cache_dir
    mod = tmp_path / "mod"
    mod.mkdir()
    assert numba_cache_dir(str(mod), {}, "/tmp", 0) is None
    # explicit NUMBA_CACHE_DIR wins
    assert numba_cache_dir(str(mod), {"NUMBA_CACHE_DIR": "/x"}, "/tmp", 0) == "/x"
    # module dir not writable (here: absent, like a read-only install) inside a Nextflow
    # task: the work root shared by every task of the run
    ro = tmp_path / "missing" / "mod"
    task = tmp_path / "work" / "ab" / "cdef01"
    task.mkdir(parents=True)
    got = numba_cache_dir(str(ro), {"NXF_TASK_WORKDIR": str(task)}, "/tmp", 7)
    assert got == str(tmp_path / "work" / ".escapeseq-numba-cache")
    # outside Nextflow: the temporary directory, per user
    assert numba_cache_dir(str(ro), {}, "/tmp", 7) == "/tmp/escapeseq-numba-7"


def test_bamcols_loads_numba_target_without_scipy_linalg():
    """numba's CPU target is initialised at import (kernels load from the cache) without
    importing scipy.linalg, and a kernel still runs."""
    code = ("import sys; sys.path.insert(0, %r)\n"
            "import numpy as np\n"
            "from escapeseq import bamcols\n"
            "print('linalg' if 'scipy.linalg' in sys.modules else 'no-linalg')\n"
            "print(int(bamcols._u32(np.frombuffer(bytes([1, 0, 0, 0]), dtype=np.uint8), 0)))\n"
            % str(BIN))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["no-linalg", "1"]


def test_tools_keep_pandas_from_pyarrow():
    """A tool run (not --version) blocks pyarrow, which escapeseq never uses, so pandas
    does not import it (multiqc's dependency, ~0.15 s per task)."""
    code = ("import sys; sys.path.insert(0, %r)\n"
            "from escapeseq.entrypoints import version_only\n"
            "assert not version_only('escapeseq-cnv', ['loh-changes'])\n"
            "import pandas\n"
            "print(sys.modules.get('pyarrow', 'absent'))\n" % str(BIN))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "None"


def test_clonal_betabinomial_matches_scipy_stats():
    """cnv.clonal._bb (escapeseq.distributions.betaln) gives scipy.stats.betabinom.pmf."""
    import numpy as np
    from scipy.stats import betabinom
    from escapeseq.cnv.clonal import _bb
    rng = np.random.default_rng(3)
    d = rng.integers(0, 500, 20000)
    a = np.minimum((rng.random(20000) * (d + 1)).astype(int), d)
    v = rng.random(20000)
    for rho in (0.001, 0.02, 0.3):
        vv = np.clip(v, 1e-4, 1 - 1e-4)
        k = 1.0 / rho - 1.0
        want = betabinom.pmf(a, d, vv * k, (1 - vv) * k)
        assert np.allclose(_bb(a, d, v, rho), want, rtol=1e-11, atol=1e-300)


# every module a pipeline task imports to do its work: none of them may load scipy (its
# import alone is 0.4-1.1 s of CPU per task; escapeseq.distributions replaces it)
ANALYSIS_MODULES = [
    "escapeseq.somatic.cli", "escapeseq.somatic.caller", "escapeseq.somatic.filters",
    "escapeseq.cnv.cli", "escapeseq.cnv.snps", "escapeseq.cnv.identity", "escapeseq.cnv.tumour",
    "escapeseq.cnv.clonal", "escapeseq.cnv.loh",
    "escapeseq.evolution.cli", "escapeseq.evolution.maf", "escapeseq.evolution.power",
    "escapeseq.report.cli", "escapeseq.report.figures", "escapeseq.report.cohort",
    "escapeseq.rna.cli", "escapeseq.rna.evidence", "escapeseq.annotate.cli", "escapeseq.qc",
]


@pytest.mark.parametrize("module", ANALYSIS_MODULES)
def test_analysis_modules_do_not_import_scipy(module):
    code = ("import sys; sys.path.insert(0, %r); import %s\n"
            "print(sorted(m for m in sys.modules if m == 'scipy.stats' or m == 'scipy.special'"
            " or m == 'scipy.optimize'))" % (str(BIN), module))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "MPLBACKEND": "Agg"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
