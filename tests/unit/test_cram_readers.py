"""Every reader of alignments takes a CRAM as it takes a BAM (issue 15, item 3).

Each test writes a CRAM from a BAM of the existing fixtures (samtools view -C against the
same FASTA) and checks that the reader's result is the BAM's result: pileup counts, somatic
records, the report's read slices, the compiled column counter.
"""

from __future__ import annotations

import gzip
import subprocess

import numpy as np
import pysam
import pytest

from escapeseq import alignio
from escapeseq.bamcols import Regions, count_columns
from escapeseq.errors import InputError


def to_cram(bam, fasta, out=None) -> str:
    """CRAM (+ .crai) of a BAM, written against `fasta`."""
    out = str(out or str(bam)[:-4] + ".cram")
    subprocess.run(["samtools", "view", "--no-PG", "-C", "-T", str(fasta), "-o", out, str(bam)],
                   check=True)
    subprocess.run(["samtools", "index", out], check=True)
    return out


def test_format_told_by_magic_not_name(tmp_path):
    from test_cnv_snps import _make
    fa, bam, _bed, _ = _make(tmp_path)
    cram = to_cram(bam, fa)
    renamed = tmp_path / "looks_like.bam"
    renamed.write_bytes(open(cram, "rb").read())
    assert alignio.is_cram(cram) and alignio.is_cram(renamed) and not alignio.is_cram(bam)
    assert alignio.index_suffix(alignio.output_format("x.cram")) == ".crai"
    assert alignio.index_suffix(alignio.output_format("x.bam")) == ".bai"
    with pytest.raises(InputError, match="needs the reference FASTA"):
        alignio.open_alignment(cram)
    with alignio.open_alignment(cram, fa) as af:
        assert af.is_cram and af.has_index()


def test_cnv_pileup_of_a_cram_equals_the_bam(tmp_path):
    from escapeseq.cnv.snps import pileup
    from test_cnv_snps import _make
    fa, bam, bed, _ = _make(tmp_path)
    cram = to_cram(bam, fa)
    c_bam, s_bam = pileup(str(bam), str(fa), str(bed), "N", call_snps=True)
    c_cram, s_cram = pileup(cram, str(fa), str(bed), "N", call_snps=True)
    assert len(s_bam) == 2
    assert c_cram.equals(c_bam) and s_cram.equals(s_bam)


def test_count_columns_reads_a_cram_against_the_reference(tmp_path):
    from test_bamcols import L1, L2, random_reads
    from escapeseq.somatic.synthetic import write_bam, write_fasta
    rng = np.random.default_rng(3)
    ref = {"chr1": "".join(rng.choice(list("ACGT"), L1)), "chr2": "".join(rng.choice(list("ACGT"), L2))}
    fa = str(tmp_path / "ref.fa")
    write_fasta(fa, ref)
    bam = str(tmp_path / "t.bam")
    write_bam(bam, "T", {"chr1": L1, "chr2": L2}, random_reads(rng, ref, 1500))
    cram = to_cram(bam, fa)
    regions = Regions.of([("chr1", 0, 700), ("chr1", 1000, L1 - 10), ("chr2", 0, L2)])
    want = count_columns(bam, regions, 20, 0xF04, 20)
    assert want.sum() > 1000
    assert (count_columns(cram, regions, 20, 0xF04, 20, reference=fa) == want).all()


def _records(path):
    with gzip.open(path, "rt") as fh:
        return [ln for ln in fh if not ln.startswith("#")]


def test_somatic_call_and_pon_sites_on_crams_equal_the_bams(tmp_path):
    from escapeseq.somatic.cli import main
    from test_somatic_cli import CONTIGS, sample_reads
    from escapeseq.somatic.synthetic import write_bam, write_fasta
    fa = str(tmp_path / "ref.fa")
    write_fasta(fa, CONTIGS)
    lens = {c: len(s) for c, s in CONTIGS.items()}
    bams = {}
    for i, name in enumerate(["N", "T1", "T2"]):
        bams[name] = str(tmp_path / f"{name}.bam")
        write_bam(bams[name], name, lens, sample_reads(i, 60, 100 + i))
    crams = {n: to_cram(b, fa) for n, b in bams.items()}
    bed = tmp_path / "t.bed"
    bed.write_text("".join(f"{c}\t0\t{n}\n" for c, n in lens.items()))

    def call(files, out):
        assert main(["call", "--fasta", fa, "--normal", files["N"], "--tumour", files["T1"],
                     "--tumour", files["T2"], "--regions", str(bed), "--out", str(out)]) == 0
        return _records(out)

    want = call(bams, tmp_path / "bam.vcf.gz")
    assert any("\tPASS\t" in r for r in want)
    assert call(crams, tmp_path / "cram.vcf.gz") == want
    mixed = dict(bams, T2=crams["T2"])  # a cohort may mix formats
    assert call(mixed, tmp_path / "mixed.vcf.gz") == want
    for f, out in ((bams["N"], "pb.vcf.gz"), (crams["N"], "pc.vcf.gz")):
        assert main(["pon-sites", "--fasta", fa, "--bam", f, "--regions", str(bed),
                     "--out", str(tmp_path / out)]) == 0
    assert _records(tmp_path / "pb.vcf.gz") == _records(tmp_path / "pc.vcf.gz")


def test_somatic_cram_without_index_gets_a_crai(tmp_path):
    from escapeseq.somatic.caller import open_bam
    from test_cnv_snps import _make
    fa, bam, _bed, _ = _make(tmp_path)
    cram = to_cram(bam, fa)
    import os
    os.remove(cram + ".crai")
    with pysam.FastaFile(str(fa)) as fasta:
        af, name = open_bam(cram, fasta)
        assert name == "N" and af.has_index()
        af.close()
    assert os.path.exists(cram + ".crai")


def test_report_slice_of_a_cram_is_the_bam_slice(tmp_path):
    from escapeseq.report.igv import bam_slice
    from test_cnv_snps import _make
    fa, bam, _bed, _ = _make(tmp_path)
    cram = to_cram(bam, fa)

    def reads(data: bytes) -> list[str]:
        """The slice's records; MD/NM left out: a CRAM decoder regenerates them (this
        fixture's BAM has none; an aligner's BAM has both)."""
        p = tmp_path / "s.bam"
        p.write_bytes(data)
        with pysam.AlignmentFile(str(p), check_sq=False) as af:
            return ["\t".join(f for f in r.to_string().split("\t") if not f.startswith(("MD:", "NM:")))
                    for r in af.fetch(until_eof=True)]

    want = reads(bam_slice(bam, "chrA", 1190, 1210))
    assert len(want) > 20
    assert reads(bam_slice(cram, "chrA", 1190, 1210, reference=fa)) == want
