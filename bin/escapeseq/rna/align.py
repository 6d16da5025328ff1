"""HISAT2 index (once, with the GTF's splice sites and exons) and alignment (one sample
per call) to a coordinate-sorted, indexed BAM with a HISAT2 summary MultiQC reads.

    index:  splice sites + exons from the GTF (the format of HISAT2's
            hisat2_extract_splice_sites.py / hisat2_extract_exons.py, written here so
            Debian's hisat2 package is enough) -> hisat2-build --ss --exon
    align:  hisat2 -x IDX -1 R1 -2 R2 --rg-id/--rg SM | samtools sort ; samtools index
"""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

from escapeseq.align import run_pipeline
from escapeseq.errors import InputError
from escapeseq.rna.models import hisat2_exons, hisat2_splice_sites
from escapeseq.annotate.gtf import read_gtf
from escapeseq.samplesheet import id_problem

INDEX_SUFFIXES = tuple(f".{i}.ht2" for i in range(1, 9))


def need_tool(name: str) -> str:
    """Path of an executable on PATH, else InputError naming the Debian package."""
    path = shutil.which(name)
    if path is None:
        pkg = {"hisat2": "hisat2", "hisat2-build": "hisat2", "samtools": "samtools"}.get(name, name)
        raise InputError(None, name, f"not found on PATH (Debian package {pkg})")
    return path


def resolve_index(index: str | Path) -> str:
    """HISAT2 index prefix from a prefix or a directory holding one ``<prefix>.1.ht2``."""
    p = Path(index)
    if p.is_dir():
        found = sorted(p.glob("*.1.ht2"))
        if len(found) != 1:
            raise InputError(p, None, f"expected one HISAT2 index (*.1.ht2) in the directory, found {len(found)}")
        return str(found[0])[: -len(".1.ht2")]
    missing = [s for s in INDEX_SUFFIXES if not Path(f"{p}{s}").exists()]
    if missing:
        raise InputError(p, None, f"not a HISAT2 index prefix (missing {p.name}{missing[0]})")
    return str(p)


def build_index(fasta: Path, gtf: Path | None, outdir: Path, prefix: str = "genome",
                threads: int = 1, extra: str = "", hints: str = "index") -> str:
    """Write ``<outdir>/<prefix>.{1..8}.ht2``; returns the index prefix.

    With a GTF, ``hints`` says where its splice sites go: ``index`` builds them and the
    exons into the index (``<prefix>.ss``/``.exon`` + ``hisat2-build --ss --exon``: best
    alignment, but HISAT2's manual puts the build at about 200 GB of memory for a human
    genome, against about 8 GB without); ``align`` builds a plain index and writes
    ``<prefix>.align.ss``, which :func:`align_sample` passes to ``hisat2
    --known-splicesite-infile`` when it sits beside the index.
    """
    if hints not in ("index", "align"):
        raise InputError(None, "--hints", f"must be index or align, got {hints!r}")
    if not fasta.exists():
        raise InputError(fasta, None, "FASTA not found")
    outdir.mkdir(parents=True, exist_ok=True)
    cmd = [need_tool("hisat2-build"), "-p", str(threads)]
    if gtf is not None:
        txs = read_gtf(gtf)
        sites = "".join(x + "\n" for x in hisat2_splice_sites(txs))
        if hints == "align":
            (outdir / f"{prefix}.align.ss").write_text(sites)
        else:
            ss, ex = outdir / f"{prefix}.ss", outdir / f"{prefix}.exon"
            ss.write_text(sites)
            ex.write_text("".join(x + "\n" for x in hisat2_exons(txs)))
            cmd += ["--ss", str(ss), "--exon", str(ex)]
    cmd += shlex.split(extra) + [str(fasta), str(outdir / prefix)]
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        raise InputError(fasta, "hisat2-build", lines[-1] if lines else f"exit {res.returncode}")
    return str(outdir / prefix)


def align_sample(sample: str, fastq_1: Path, fastq_2: Path | None, index: str, outdir: Path,
                 threads: int = 1, extra: str = "") -> tuple[Path, Path]:
    """Align one sample; returns (BAM, HISAT2 summary). Outputs ``<sample>.rna.bam`` (+ .bai)
    and ``<sample>.rna.hisat2.summary.txt`` (HISAT2 --new-summary, a MultiQC hisat2 input;
    MultiQC names that sample ``<sample>.rna``, apart from the DNA's ``<sample>``)."""
    prob = id_problem(sample)
    if prob:
        raise InputError(None, "--sample", prob)
    for fq in (fastq_1, fastq_2):
        if fq is not None and not fq.exists():
            raise InputError(fq, None, "FASTQ not found")
    idx = resolve_index(index)
    outdir.mkdir(parents=True, exist_ok=True)
    bam = outdir / f"{sample}.rna.bam"
    summary = outdir / f"{sample}.rna.hisat2.summary.txt"
    reads = ["-1", str(fastq_1), "-2", str(fastq_2)] if fastq_2 is not None else ["-U", str(fastq_1)]
    known = Path(f"{idx}.align.ss")          # splice sites kept out of the index (--hints align)
    if known.exists():
        reads += ["--known-splicesite-infile", str(known)]
    # --reorder: with several threads HISAT2 writes alignments in a varying order, and ties in
    # the sorted BAM follow it; in input order the published BAM is the same on every rerun
    hisat = [need_tool("hisat2"), "-p", str(threads), "--reorder", "-x", idx, *reads, "--new-summary",
             "--summary-file", str(summary), "--rg-id", sample, "--rg", f"SM:{sample}",
             "--rg", "PL:ILLUMINA", *shlex.split(extra)]
    tmp = bam.with_name(bam.name + ".tmp")
    sort = [need_tool("samtools"), "sort", "-@", str(max(threads - 1, 0)), "-m", "512M",
            "-T", str(outdir / f".{sample}.sort"), "-o", str(tmp), "-"]
    run_pipeline([hisat, sort], what=str(fastq_1))
    tmp.replace(bam)
    res = subprocess.run([need_tool("samtools"), "index", str(bam)], stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise InputError(bam, "samtools index", res.stderr.strip().splitlines()[-1:] or "failed")
    return bam, summary
