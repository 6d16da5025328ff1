"""A tiny, deterministic dataset for environment tests (seconds to run, any executor).

Two random contigs and one patient: a normal, a baseline and a relapse tumour. Paired
reads come from dwgsim with its own mutations and random reads switched off
(`-r 0 -R 0 -X 0 -y 0`); each tumour is half reference reads and half reads from a
genome carrying known SNVs inside the targets (baseline: MUT_BASELINE of them; relapse:
those plus MUT_RELAPSE more), so calling has records to compare. Also a targets BED, an arms BED and a
one-gene GTF. Used when the bundled `-profile test` data
(.testdata/.complete) is absent, so the tests never wait for it.

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
TARGETS = (("chrA", 1000, 4000), ("chrA", 10000, 16000), ("chrB", 2000, 9000))  # 0-based
PAIRS = 6000            # per genome copy: ~40x over 50 kb for two copies
MUT_BASELINE = 12
MUT_RELAPSE = 6


def random_genome(seed: int = 7) -> dict[str, str]:
    rng = random.Random(seed)
    return {name: "".join(rng.choice("ACGT") for _ in range(n)) for name, n in CONTIGS.items()}


def write_fasta(path: Path, genome: dict[str, str]) -> None:
    with open(path, "w") as fh:
        for name, seq in genome.items():
            fh.write(f">{name}\n")
            for i in range(0, len(seq), 60):
                fh.write(seq[i:i + 60] + "\n")


def mutate(genome: dict[str, str], n: int, rng: random.Random,
           taken: set[tuple[str, int]]) -> dict[str, str]:
    """A copy of `genome` with n SNVs at distinct target positions (at least 50 bp apart)."""
    out = {k: list(v) for k, v in genome.items()}
    done = 0
    while done < n:
        chrom, start, end = rng.choice(TARGETS)
        pos = rng.randrange(start + 100, end - 100)
        if any(c == chrom and abs(p - pos) < 50 for c, p in taken):
            continue
        taken.add((chrom, pos))
        out[chrom][pos] = rng.choice([b for b in "ACGT" if b != out[chrom][pos]])
        done += 1
    return {k: "".join(v) for k, v in out.items()}


def simulate(fasta: Path, prefix: Path, seed: int) -> tuple[Path, Path]:
    """dwgsim paired reads (PAIRS pairs); returns the gzipped FASTQ pair."""
    cmd = ["dwgsim", "-z", str(seed), "-N", str(PAIRS), "-P", f"s{seed}", "-1", "100", "-2", "100",
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
    genome = random_genome()
    write_fasta(ref / "genome.fa", genome)
    (ref / "targets.bed").write_text("".join(f"{c}\t{s}\t{e}\tT{i + 1}\n"
                                             for i, (c, s, e) in enumerate(TARGETS)))
    (ref / "arms.bed").write_text("".join(
        f"{c}\t0\t{n // 2}\t{c}p\n{c}\t{n // 2}\t{n}\t{c}q\n" for c, n in CONTIGS.items()))
    (ref / "genes.gtf").write_text(
        'chrA\ttiny\tgene\t1001\t4000\t.\t+\t.\tgene_id "G1"; gene_name "G1";\n'
        'chrA\ttiny\ttranscript\t1001\t4000\t.\t+\t.\tgene_id "G1"; transcript_id "G1.1"; gene_name "G1";\n'
        'chrA\ttiny\texon\t1001\t4000\t.\t+\t.\tgene_id "G1"; transcript_id "G1.1"; gene_name "G1";\n')
    rng = random.Random(11)
    taken: set[tuple[str, int]] = set()
    baseline = mutate(genome, MUT_BASELINE, rng, taken)
    relapse = mutate(baseline, MUT_RELAPSE, rng, taken)
    write_fasta(ref / "baseline.fa", baseline)   # truth genomes, beside the reference
    write_fasta(ref / "relapse.fa", relapse)
    reads = outdir / "reads"
    reads.mkdir(exist_ok=True)
    # (sample, timepoint, [(genome fasta, seed)...]) -> one FASTQ pair per sample
    plan = (("P1_N", "normal", [(ref / "genome.fa", 21), (ref / "genome.fa", 22)]),
            ("P1_T0", "baseline", [(ref / "genome.fa", 31), (ref / "baseline.fa", 32)]),
            ("P1_T1", "relapse", [(ref / "genome.fa", 41), (ref / "relapse.fa", 42)]))
    lines = ["patient,sample,timepoint,fastq_1,fastq_2"]
    for sample, timepoint, parts in plan:
        pairs = [simulate(fa, reads / f"{sample}.part{i}", seed)
                 for i, (fa, seed) in enumerate(parts)]
        merged = []
        for r in (0, 1):
            dst = reads / f"{sample}_R{r + 1}.fastq.gz"
            with open(dst, "wb") as fo:   # concatenated gzip members are a valid gzip file
                for p in pairs:
                    fo.write(p[r].read_bytes())
                    p[r].unlink()
            merged.append(dst)
        lines.append(f"P1,{sample},{timepoint},{merged[0].relative_to(outdir)},"
                     f"{merged[1].relative_to(outdir)}")
    sheet.write_text("\n".join(lines) + "\n")
    (outdir / ".complete").touch()
    return sheet


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: tinydata.py OUTDIR")
    print(make(Path(sys.argv[1])))
