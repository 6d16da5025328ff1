"""A tiny, deterministic dataset for environment tests (seconds to run, any executor).

Two random contigs, a normal and a baseline tumour of one patient, paired reads from
dwgsim with its own mutations and random reads switched off (`-r 0 -R 0 -X 0 -y 0`),
a targets BED and a one-gene GTF. Used when the bundled `-profile test` data
(tests/data/generated/.complete) is absent, so the tests never wait for it.

Usage: python tests/environments/tinydata.py OUTDIR
"""

from __future__ import annotations

import gzip
import random
import shutil
import subprocess
import sys
from pathlib import Path

CONTIGS = {"chrA": 30_000, "chrB": 20_000}
SAMPLES = (("P1_N", "normal", 11), ("P1_T0", "baseline", 12))
PAIRS = 3000


def write_genome(path: Path, seed: int = 7) -> None:
    rng = random.Random(seed)
    with open(path, "w") as fh:
        for name, length in CONTIGS.items():
            seq = "".join(rng.choice("ACGT") for _ in range(length))
            fh.write(f">{name}\n")
            for i in range(0, length, 60):
                fh.write(seq[i:i + 60] + "\n")


def simulate(fasta: Path, prefix: Path, seed: int) -> tuple[Path, Path]:
    """dwgsim paired reads; returns the gzipped FASTQ pair."""
    cmd = ["dwgsim", "-z", str(seed), "-N", str(PAIRS), "-1", "100", "-2", "100",
           "-d", "300", "-s", "30", "-r", "0", "-R", "0", "-X", "0", "-y", "0",
           "-e", "0.001", "-E", "0.001", str(fasta), str(prefix)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out = []
    for r in (1, 2):
        src = Path(f"{prefix}.bwa.read{r}.fastq")
        if not src.exists():
            src = Path(f"{prefix}.bwa.read{r}.fastq.gz")
            dst = Path(f"{prefix}_R{r}.fastq.gz")
            shutil.move(src, dst)
        else:
            dst = Path(f"{prefix}_R{r}.fastq.gz")
            with open(src, "rb") as fi, gzip.GzipFile(dst, "wb", mtime=0) as fo:
                shutil.copyfileobj(fi, fo)
            src.unlink()
        out.append(dst)
    for extra in prefix.parent.glob(prefix.name + ".*"):
        extra.unlink()
    return out[0], out[1]


def make(outdir: Path) -> Path:
    """Write the dataset under outdir (idempotent); returns the samplesheet path."""
    outdir.mkdir(parents=True, exist_ok=True)
    sheet = outdir / "samplesheet.csv"
    if (outdir / ".complete").exists():
        return sheet
    ref = outdir / "reference"
    ref.mkdir(exist_ok=True)
    write_genome(ref / "genome.fa")
    (ref / "targets.bed").write_text(
        "chrA\t1000\t4000\tT1\nchrA\t10000\t16000\tT2\nchrB\t2000\t9000\tT3\n")
    (ref / "genes.gtf").write_text(
        'chrA\ttiny\tgene\t1001\t4000\t.\t+\t.\tgene_id "G1"; gene_name "G1";\n'
        'chrA\ttiny\ttranscript\t1001\t4000\t.\t+\t.\tgene_id "G1"; transcript_id "G1.1"; gene_name "G1";\n'
        'chrA\ttiny\texon\t1001\t4000\t.\t+\t.\tgene_id "G1"; transcript_id "G1.1"; gene_name "G1";\n')
    reads = outdir / "reads"
    reads.mkdir(exist_ok=True)
    lines = ["patient,sample,timepoint,fastq_1,fastq_2"]
    for sample, timepoint, seed in SAMPLES:
        r1, r2 = simulate(ref / "genome.fa", reads / sample, seed)
        lines.append(f"P1,{sample},{timepoint},{r1.relative_to(outdir)},{r2.relative_to(outdir)}")
    sheet.write_text("\n".join(lines) + "\n")
    (outdir / ".complete").touch()
    return sheet


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tinydata.py OUTDIR")
    print(make(Path(sys.argv[1])))
