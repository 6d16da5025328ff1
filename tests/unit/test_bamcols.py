"""The compiled BAM passes against pysam on hand-made BAMs: column counts equal
``count_coverage`` with the same read filter, and single-base site evidence equals the
pysam ``collect_evidence`` path read for read, including at chunk boundaries."""
import numpy as np
import pysam
import pytest

from escapeseq import bamcols
from escapeseq.bamcols import BamReadError, Regions, count_columns
from escapeseq.somatic.pileup import ReadFilter, RefWindow, Site, collect_evidence, snv_site_evidence
from escapeseq.somatic.synthetic import Read, write_bam, write_fasta

L1, L2 = 3000, 1500


def random_reads(rng, ref: dict[str, str], n: int) -> list[Read]:
    """Reads with soft/hard clips, insertions, deletions, mismatches, Ns, low base and
    mapping qualities and every filtered flag, mates sharing names."""
    reads = []
    for i in range(n):
        contig = "chr1" if rng.random() < 0.7 else "chr2"
        seq_ref = ref[contig]
        ln = int(rng.integers(30, 80))
        start = int(rng.integers(0, len(seq_ref) - ln - 20))
        kind = rng.integers(0, 6)
        if kind == 0:      # soft clips both ends
            a, b = int(rng.integers(1, 8)), int(rng.integers(1, 8))
            cigar = f"{a}S{ln - a - b}M{b}S"
            seq = "".join(rng.choice(list("ACGT"), a)) + seq_ref[start:start + ln - a - b] + \
                "".join(rng.choice(list("ACGT"), b))
        elif kind == 1:    # deletion
            k = int(rng.integers(5, ln - 5))
            d = int(rng.integers(1, 4))
            cigar = f"{k}M{d}D{ln - k}M"
            seq = seq_ref[start:start + k] + seq_ref[start + k + d:start + ln + d]
        elif kind == 2:    # insertion
            k = int(rng.integers(5, ln - 5))
            ins = "".join(rng.choice(list("ACGT"), 2))
            cigar = f"{k}M2I{ln - k - 2}M"
            seq = seq_ref[start:start + k] + ins + seq_ref[start + k:start + ln - 2]
        elif kind == 3:    # hard clip + soft clip
            cigar = f"5H3S{ln - 3}M"
            seq = "GGG" + seq_ref[start:start + ln - 3]
        else:
            cigar = f"{ln}M"
            seq = seq_ref[start:start + ln]
        seq = list(seq)
        for j in rng.choice(len(seq), int(rng.integers(0, 4)), replace=False):
            seq[j] = str(rng.choice(list("ACGTN")))
        qual = [int(q) for q in rng.choice([2, 10, 19, 20, 30, 40], len(seq), p=[.05, .1, .05, .1, .4, .3])]
        flag = int(rng.choice([0, 0, 0, 0x400, 0x100, 0x800, 0x200, 0x1 | 0x40, 0x1 | 0x2 | 0x40]))
        reads.append(Read(f"r{i // 2}", start, cigar, "".join(seq), qual=qual, reverse=bool(rng.random() < .5),
                          mapq=int(rng.choice([0, 15, 20, 60])), flag_extra=flag, contig=contig))
    return reads


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("bamcols")
    rng = np.random.default_rng(11)
    ref = {"chr1": "".join(rng.choice(list("ACGT"), L1)), "chr2": "".join(rng.choice(list("ACGT"), L2))}
    fa = str(d / "ref.fa")
    write_fasta(fa, ref)
    bam = str(d / "t.bam")
    write_bam(bam, "T", {"chr1": L1, "chr2": L2}, random_reads(rng, ref, 3000))
    return fa, bam, ref


def keep(read):
    return read.mapping_quality >= 20 and not read.flag & 0xF04


@pytest.mark.parametrize("chunk", [None, 997])
def test_count_columns_equals_count_coverage(data, monkeypatch, chunk):
    fa, bam, _ = data
    if chunk:  # records cut across chunk boundaries
        monkeypatch.setattr(bamcols, "CHUNK_BYTES", chunk)
    # out of BAM order on purpose, with adjacent and distant regions
    regions = [("chr2", 100, 900), ("chr1", 0, 500), ("chr1", 500, 800), ("chr1", 2000, 2990)]
    counts = count_columns(bam, Regions.of(regions), 20, 0xF04, 20)
    with pysam.AlignmentFile(bam) as b:
        col = 0
        for c, s, e in regions:
            want = np.array(b.count_coverage(c, s, e, quality_threshold=20, read_callback=keep)).T
            assert (counts[col:col + e - s] == want).all(), (c, s, e)
            col += e - s
    assert counts.sum() > 10000


def test_indel_reads_reported(data):
    fa, bam, _ = data
    seen = []
    count_columns(bam, Regions.of([("chr1", 0, L1)]), 20, 0xF04, 20, on_indel_reads=lambda b: seen.extend(
        b.read(i) for i in range(len(b))))
    with pysam.AlignmentFile(bam) as b:
        want = sorted((r.reference_start, r.cigarstring, r.query_sequence) for r in b.fetch("chr1")
                      if keep(r) and any(op in (1, 2) for op, _ in r.cigartuples))
    got = sorted((r.reference_start, "".join(f"{ln}{'MIDNSHP=X'[op]}" for op, ln in r.cigartuples),
                  r.query_sequence) for r in seen)
    assert got == want and len(got) > 50


@pytest.mark.parametrize("rf", [ReadFilter(), ReadFilter(require_proper_pair=True),
                                ReadFilter(min_mapq=0, min_baseq=0, drop_duplicates=False)])
@pytest.mark.parametrize("max_rows", [1 << 20, 700])
def test_snv_evidence_equals_pysam_path(data, monkeypatch, rf, max_rows):
    fa, bam, ref = data
    monkeypatch.setattr(bamcols, "CHUNK_BYTES", 4099)
    rng = np.random.default_rng(5)
    fasta = pysam.FastaFile(fa)
    win = RefWindow(fasta, "chr1", 0, L1)
    pos = sorted(int(p) for p in rng.choice(np.arange(10, L1 - 10), 60, replace=False))
    sites = []
    for p in pos:  # one or two alternate alleles per position
        for alt in rng.choice([b for b in "ACGT" if b != ref["chr1"][p]], int(rng.integers(1, 3)), replace=False):
            sites.append(Site.make(p, ref["chr1"][p], str(alt), win))
    orig = bamcols.snv_evidence
    monkeypatch.setattr("escapeseq.somatic.pileup.snv_evidence",
                        lambda *a, **k: orig(*a, **{**k, "max_rows": max_rows}))
    got = snv_site_evidence(bam, sites, rf, lambda p: win)
    with pysam.AlignmentFile(bam) as b:
        want = collect_evidence(b, win, sites, rf)
    for g, w, st in zip(got, want, sites):
        for f in ("allele", "bq", "mq", "reverse", "dist", "names", "f1r2"):
            assert getattr(g, f).tolist() == getattr(w, f).tolist(), (st, f)
        assert (g.overlap_reads, g.near_indel_reads) == (w.overlap_reads, w.near_indel_reads), st
    assert sum(w.allele.size for w in want) > 500 and sum(w.near_indel_reads for w in want) > 0


def test_unreadable_bam_is_a_bam_read_error(data, tmp_path):
    fa, bam, _ = data
    with pytest.raises(BamReadError):
        count_columns(str(tmp_path / "missing.bam"), Regions.of([("chr1", 0, 10)]), 20, 0xF04, 20)
    cut = tmp_path / "cut.bam"
    raw = open(bam, "rb").read()
    cut.write_bytes(raw[: len(raw) // 2])
    (tmp_path / "cut.bam.bai").write_bytes(open(bam + ".bai", "rb").read())
    with pytest.raises(BamReadError):
        count_columns(str(cut), Regions.of([("chr1", 0, L1), ("chr2", 0, L2)]), 20, 0xF04, 20)
