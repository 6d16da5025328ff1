"""Read generation: per-copy window sequences -> ART -> shuffled, renamed, gzipped FASTQ.

Reads come from ``art_illumina`` (HS25 error/quality model). For every sample and
every cell population one ART run simulates all windows on all of that
population's chromosome copies at the same per-copy fold coverage, so depth at a
site follows the total copy number there. Everything streams through files.
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import math
import os
import subprocess
from pathlib import Path

import numpy as np

from escapeseq.sim.artifacts import ArtifactOptions, Paralog, ReadEditor, RecordInfo, Site, \
    record_offset
from escapeseq.sim.design import Patient, Sample, Variant
from escapeseq.sim.genome import Genome
from escapeseq.sim.mixture import copies_over

ART_ARGS = ["-ss", "HS25", "-l", "100", "-p", "-m", "250", "-s", "30", "-na", "-q"]
READ_LEN = 100


def derived_seed(*parts: object) -> int:
    """A 31-bit seed derived from ``parts`` (stable across runs and platforms)."""
    h = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return int.from_bytes(h[:4], "big") & 0x7FFFFFFF


def apply_variants(ref: str, start: int, variants: list[Variant]) -> str:
    """Sequence of ``ref`` (which begins at 1-based ``start``) with ``variants`` applied.

    Variants must not overlap; they are applied right to left so earlier
    coordinates stay valid.
    """
    seq = ref
    for v in sorted(variants, key=lambda x: -x.pos):
        i = v.pos - start
        if seq[i:i + len(v.ref)] != v.ref:
            raise ValueError(f"{v.chrom}:{v.pos} REF {v.ref} does not match the reference")
        seq = seq[:i] + v.alt + seq[i + len(v.ref):]
    return seq


class VariantIndex:
    """Variants of a patient per contig, for range queries."""

    def __init__(self, variants: list[Variant]):
        self.by: dict[str, list[Variant]] = {}
        for v in variants:
            self.by.setdefault(v.chrom, []).append(v)
        for lst in self.by.values():
            lst.sort(key=lambda v: v.pos)
        self.pos = {c: [v.pos for v in lst] for c, lst in self.by.items()}

    def within(self, chrom: str, start: int, end: int) -> list[Variant]:
        """Variants whose whole REF lies in [start, end]."""
        lst = self.by.get(chrom, [])
        ps = self.pos.get(chrom, [])
        i = bisect.bisect_left(ps, start)
        j = bisect.bisect_right(ps, end)
        return [v for v in lst[i:j] if v.pos + len(v.ref) - 1 <= end]


def population_fasta(path: Path, genome: Genome, patient: Patient, history: list,
                     wins: list[tuple[str, int, int]], vindex: VariantIndex,
                     records: dict | None = None) -> int:
    """Write one FASTA record per (window, chromosome copy) of a population; return total bp.

    A copy carries the germline variants of its haplotype and its own somatic
    mutations inside the window. Copy-number event boundaries never fall inside a
    window (events are arm-, chromosome- or between-window-sized; checked). If
    ``records`` is a dict, it receives record name -> :class:`RecordInfo` (where the
    record lies and which variants it carries) for read-level artifacts.
    """
    total = 0
    with open(path, "w") as fh:
        for wi, (c, s, e) in enumerate(wins):
            cps = copies_over(history, c, s, e, patient.male)
            if not cps:
                continue
            vs = vindex.within(c, s, e)
            ref = genome.contigs[c][s - 1:e]
            for j, (hap, muts) in enumerate(cps):
                mine = [v for v in vs if (v.origin == "germline" and hap in v.hap)
                        or (v.origin == "somatic" and v.vid in muts)]
                seq = apply_variants(ref, s, mine)
                fh.write(f">w{wi}_c{j}\n{seq}\n")
                if records is not None:
                    records[f"w{wi}_c{j}"] = RecordInfo(c, s, sorted(
                        (v.pos, len(v.ref), len(v.alt)) for v in mine), end=e)
                total += len(seq)
    return total


def run_art(fasta: Path, fcov: float, seed: int, prefix: Path, sam: bool = False
            ) -> tuple[Path, Path]:
    """Run ART paired-end on ``fasta`` at fold coverage ``fcov``; return (R1, R2) paths.

    ``sam`` also writes ART's true alignments to ``<prefix>.sam`` (read positions on
    the records, needed by read-level artifacts).
    """
    cmd = ["art_illumina", *ART_ARGS, *(["-sam"] if sam else []), "-i", str(fasta),
           "-f", f"{fcov:.6f}", "-rs", str(seed), "-o", str(prefix)]
    res = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if res.returncode != 0:
        raise RuntimeError(f"art_illumina failed ({res.returncode}): {res.stderr.strip()[:300]}")
    return Path(f"{prefix}1.fq"), Path(f"{prefix}2.fq")


def _edited_pairs(fq1: Path, fq2: Path, editor):
    """Yield the pairs of two ART FASTQ files, passed through ``editor`` (a
    :class:`ReadEditor`) with their true positions from ART's SAM (same order as the
    FASTQ, read 1 line first)."""
    sam = Path(str(fq1)[:-len("1.fq")] + ".sam")
    with open(sam) as fh:
        lines = (ln for ln in fh if not ln.startswith("@"))
        for s1, q1, s2, q2 in _fastq_pairs(fq1, fq2):
            a = next(lines).split("\t", 6)
            b = next(lines).split("\t", 6)
            yield from editor.edit(a[2], int(a[1]), int(a[3]), a[5], int(b[3]), b[5],
                                   s1, q1, s2, q2)
    sam.unlink()


def _fastq_pairs(fq1: Path, fq2: Path):
    """Yield (seq1, qual1, seq2, qual2) from two ART FASTQ files in step."""
    with open(fq1) as a, open(fq2) as b:
        while True:
            h1 = a.readline()
            h2 = b.readline()
            if not h1 or not h2:
                if h1 or h2:
                    raise ValueError(f"{fq1}: R1/R2 record counts differ")
                return
            s1 = a.readline().rstrip("\n")
            a.readline()
            q1 = a.readline().rstrip("\n")
            s2 = b.readline().rstrip("\n")
            b.readline()
            q2 = b.readline().rstrip("\n")
            yield s1, q1, s2, q2


def shuffle_to_fastq(sample: str, pairs: list[tuple], out1: Path, out2: Path,
                     rng: np.random.Generator, workdir: Path, est_pairs: int,
                     bucket_pairs: int = 250_000, level: int = 6) -> int:
    """Merge ART outputs, shuffle read pairs, rename ``<sample>:<n>``, write gzipped FASTQ.

    External shuffle: each pair goes to a random bucket file, each bucket is then
    permuted in memory (at most ~``bucket_pairs`` pairs held at once). gzip headers
    carry mtime 0 and no file name, so output bytes depend only on the seed.
    ``level`` is the gzip compression level. ``pairs`` holds (R1, R2) or (R1, R2,
    editor) per ART run; an editor rewrites each pair (see :func:`_edited_pairs`).
    Returns the number of pairs written.
    """
    n_b = max(1, math.ceil(est_pairs / bucket_pairs))
    bfiles = [workdir / f"{sample}.bucket{i}" for i in range(n_b)]
    handles = [open(p, "w") for p in bfiles]
    try:
        for item in pairs:
            fq1, fq2 = item[0], item[1]
            src = _edited_pairs(fq1, fq2, item[2]) if len(item) > 2 else _fastq_pairs(fq1, fq2)
            for rec in src:
                i = int(rng.integers(n_b)) if n_b > 1 else 0
                handles[i].write("\t".join(rec) + "\n")
            fq1.unlink()
            fq2.unlink()
    finally:
        for h in handles:
            h.close()
    tmp1 = out1.with_name(out1.name + ".tmp")
    tmp2 = out2.with_name(out2.name + ".tmp")
    n = 0
    with open(tmp1, "wb") as r1, open(tmp2, "wb") as r2, \
            gzip.GzipFile(filename="", mode="wb", fileobj=r1, mtime=0, compresslevel=level) as g1, \
            gzip.GzipFile(filename="", mode="wb", fileobj=r2, mtime=0, compresslevel=level) as g2:
        for bf in bfiles:
            with open(bf) as fh:
                recs = fh.readlines()
            bf.unlink()
            order = rng.permutation(len(recs))
            b1: list[str] = []
            b2: list[str] = []
            for k in order:
                s1, q1, s2, q2 = recs[k].rstrip("\n").split("\t")
                n += 1
                b1.append(f"@{sample}:{n}\n{s1}\n+\n{q1}\n")
                b2.append(f"@{sample}:{n}\n{s2}\n+\n{q2}\n")
                if len(b1) >= 20000:
                    g1.write("".join(b1).encode())
                    g2.write("".join(b2).encode())
                    b1, b2 = [], []
            g1.write("".join(b1).encode())
            g2.write("".join(b2).encode())
            del recs
    os.replace(tmp1, out1)
    os.replace(tmp2, out2)
    return n


def target_depth_gain(wins: list[tuple[str, int, int]], tgts: list[tuple[str, int, int, str]],
                      frag: int = 250) -> float:
    """Mean depth over targets relative to ART's fold coverage ``-f``.

    ART draws len x f / (2 x read length) pairs per record and places fragments
    (length ~``frag``) uniformly, so away from the ends a record of length L gets
    depth f x L / (L - frag + 1); targets sit >= 250 bp inside their window. The gain
    is that factor averaged over windows weighted by their target bp; dividing the
    wanted target depth by it gives the ``-f`` to use.
    """
    tb: dict[tuple[str, int, int], int] = {}
    for c, s, e, _ in tgts:
        for w in wins:
            if w[0] == c and w[1] <= s and e <= w[2]:
                tb[w] = tb.get(w, 0) + (e - s + 1)
                break
    num = sum(t * (w[2] - w[1] + 1) / max(w[2] - w[1] + 2 - frag, 1) for w, t in tb.items())
    den = sum(tb.values())
    return num / den if den else 1.0


def simulate_sample(genome: Genome, patient: Patient, sample: Sample, wins, vindex: VariantIndex,
                    ploidies: dict[str, float], seed: int, workdir: Path, out1: Path, out2: Path,
                    gzip_level: int = 6, gain: float = 1.0,
                    artifacts: ArtifactOptions | None = None, sites: list[Site] | None = None,
                    paralogs: list[Paralog] | None = None) -> tuple[int, list]:
    """All reads of one sample; returns (read pairs written, PCR-error truth rows).

    Per-copy fold coverage of population i is depth x f_i / (D x gain) with
    D = sum_j f_j P_j (P_j = mean copy number of population j) and ``gain`` from
    :func:`target_depth_gain`, so a site with c_i copies gets depth x sum_i f_i c_i / D
    and the mean depth over targets of a sample at its mean ploidy is ``depth``.
    With ``artifacts``: damage ``sites`` of this sample and PCR duplicates are applied
    to the reads (see :mod:`escapeseq.sim.artifacts`), and reads of the ``paralogs``
    are added at ``depth x paralog_eff / (D x gain)`` per paralog copy.
    """
    art = artifacts or ArtifactOptions()
    pops = patient.populations(sample)
    d = sum(f * ploidies[name] for name, f, _ in pops)
    art_out: list[tuple] = []
    editors = []
    est = 0
    by_win: dict[str, list[Site]] = {}
    for t in sites or []:
        by_win.setdefault(t.chrom, []).append(t)
    for name, f, hist in pops:
        fcov = sample.depth * f / (d * gain)
        if fcov < 0.01:
            continue
        fa = workdir / f"{sample.name}.{name}.fa"
        records: dict | None = {} if art.read_level else None
        bp = population_fasta(fa, genome, patient, hist, wins, vindex, records)
        est += int(bp * fcov / (2 * READ_LEN)) + 1
        fq = run_art(fa, fcov, derived_seed(seed, sample.name, name, "art"),
                     workdir / f"{sample.name}.{name}.", sam=art.read_level)
        if records is not None:
            for info in records.values():
                for t in by_win.get(info.chrom, []):
                    if info.start <= t.pos <= info.end:
                        off = record_offset(info.start, info.applied, t.pos)
                        if off is not None:
                            info.sites.append((off, t))
            ed = ReadEditor(records, genome.contigs, art.duplicates, art.pcr_error,
                            np.random.default_rng(derived_seed(seed, sample.name, name, "edit")))
            editors.append(ed)
            art_out.append((*fq, ed))
        else:
            art_out.append(fq)
        fa.unlink()
    if paralogs and art.paralog_eff > 0:
        fa = workdir / f"{sample.name}.paralog.fa"
        with open(fa, "w") as fh:
            for k, p in enumerate(paralogs):
                fh.write(f">para{k}\n{p.sample_seq(genome.contigs[p.chrom])}\n")
        fcov = sample.depth * art.paralog_eff / (d * gain)
        bp = sum(p.end - p.start + 1 for p in paralogs)
        est += int(bp * fcov / (2 * READ_LEN)) + 1
        art_out.append(run_art(fa, fcov, derived_seed(seed, sample.name, "paralog", "art"),
                               workdir / f"{sample.name}.paralog."))
        fa.unlink()
    rng = np.random.default_rng(derived_seed(seed, sample.name, "shuffle"))
    n = shuffle_to_fastq(sample.name, art_out, out1, out2, rng, workdir,
                         int(est * (1 + 3 * art.duplicates)), level=gzip_level)
    return n, [row for ed in editors for row in ed.pcr_rows]
