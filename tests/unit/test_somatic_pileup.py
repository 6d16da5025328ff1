"""Read evidence from hand-made BAMs: base counts, read filters, indels from CIGARs."""
import numpy as np
import pysam
import pytest

from escapeseq.somatic.pileup import ReadFilter, RefWindow, Site, scan_span, site_evidence
from escapeseq.somatic.synthetic import Read, write_bam, write_fasta

RNG = np.random.default_rng(3)
SEQ = list("".join(RNG.choice(list("ACGT"), 400)))
SEQ[200:206] = list("GAAAAA")  # homopolymer A at 201..205
SEQ[206] = "C"
SEQ = "".join(SEQ)
L = 60


def mut(pos, base):
    return SEQ[:pos] + base + SEQ[pos + 1:]


def other(b):
    return {"A": "C", "C": "G", "G": "T", "T": "A"}[b]


@pytest.fixture()
def ref(tmp_path):
    fa = str(tmp_path / "ref.fa")
    write_fasta(fa, {"chr1": SEQ})
    return fa


def reads_at(pos, n_ref, n_alt, alt_base, prefix="r", **kw):
    out = []
    alt_seq = mut(pos, alt_base)
    for i in range(n_ref + n_alt):
        s = pos - 10 - (i * 3) % 40
        src = alt_seq if i < n_alt else SEQ
        out.append(Read(f"{prefix}{i}", s, f"{L}M", src[s:s + L], reverse=bool(i % 2), **kw))
    return out


def test_scan_counts_and_snv_evidence(tmp_path, ref):
    alt = other(SEQ[100])
    reads = reads_at(100, 14, 6, alt)
    bam = str(tmp_path / "t.bam")
    write_bam(bam, "T", {"chr1": len(SEQ)}, reads)
    fa = pysam.FastaFile(ref)
    b = pysam.AlignmentFile(bam)
    win = RefWindow(fa, "chr1", 0, len(SEQ))
    scan = scan_span(b, win, 90, 110, ReadFilter())
    col = scan.counts[:, 10]
    assert col["ACGT".index(alt)] == 6 and col["ACGT".index(SEQ[100])] == 14
    ev = site_evidence(b, win, 100, SEQ[100], alt, ReadFilter())
    assert (ev.allele == 1).sum() == 6 and (ev.allele == 0).sum() == 14
    assert set(ev.bq.tolist()) == {35} and set(ev.mq.tolist()) == {60}
    assert ev.reverse.sum() == 10
    assert ev.dist.min() >= 10


def test_read_filters(tmp_path, ref):
    alt = other(SEQ[100])
    reads = reads_at(100, 5, 0, alt)
    reads += reads_at(100, 0, 2, alt, prefix="dup", flag_extra=0x400)
    reads += reads_at(100, 0, 2, alt, prefix="sec", flag_extra=0x100)
    reads += reads_at(100, 0, 2, alt, prefix="sup", flag_extra=0x800)
    reads += reads_at(100, 0, 2, alt, prefix="lowmq", mapq=5)
    reads += reads_at(100, 0, 2, alt, prefix="lowbq", qual=10)
    reads += reads_at(100, 0, 2, alt, prefix="improper", flag_extra=0x1 | 0x40)
    bam = str(tmp_path / "t.bam")
    write_bam(bam, "T", {"chr1": len(SEQ)}, reads)
    fa = pysam.FastaFile(ref)
    b = pysam.AlignmentFile(bam)
    win = RefWindow(fa, "chr1", 0, len(SEQ))
    ev = site_evidence(b, win, 100, SEQ[100], alt, ReadFilter())
    assert (ev.allele == 1).sum() == 2  # only the improper pair reads
    ev = site_evidence(b, win, 100, SEQ[100], alt, ReadFilter(require_proper_pair=True))
    assert (ev.allele == 1).sum() == 0 and ev.allele.size == 5
    ev = site_evidence(b, win, 100, SEQ[100], alt,
                       ReadFilter(drop_duplicates=False, min_mapq=0, min_baseq=0, require_proper_pair=True))
    assert (ev.allele == 1).sum() == 6  # + duplicates, low MAPQ, low BQ
    scan = scan_span(b, win, 100, 101, ReadFilter())
    assert scan.counts[:, 0].sum() == 7


def test_deletion_placed_differently_is_one_normalised_indel(tmp_path, ref):
    # delete one A of the run at 201..205: CIGARs put it at 201 (left) and 205 (right)
    deleted = SEQ[:205] + SEQ[206:]
    reads = []
    for i in range(6):
        s = 170 + i
        seq = deleted[s:s + L]
        d_at = 201 if i % 2 else 205  # ref index of the deleted base in the CIGAR
        left = d_at - s
        reads.append(Read(f"d{i}", s, f"{left}M1D{L - left}M", seq))
    for i in range(8):  # reference reads spanning the run
        s = 172 + i
        reads.append(Read(f"r{i}", s, f"{L}M", SEQ[s:s + L]))
    # a read ending inside the homopolymer cannot tell REF from ALT
    reads.append(Read("short", 160, "43M", SEQ[160:203]))
    bam = str(tmp_path / "t.bam")
    write_bam(bam, "T", {"chr1": len(SEQ)}, reads)
    fa = pysam.FastaFile(ref)
    b = pysam.AlignmentFile(bam)
    win = RefWindow(fa, "chr1", 0, len(SEQ))
    scan = scan_span(b, win, 150, 250, ReadFilter())
    assert scan.indels == {(200, "GA", "G"): 6}
    site = Site.make(200, "GA", "G", win)
    assert site.last == 206
    ev = site_evidence(b, win, 200, "GA", "G", ReadFilter())
    assert (ev.allele == 1).sum() == 6 and (ev.allele == 0).sum() == 8 and ev.allele.size == 14


def test_insertion_evidence_and_overlapping_mates(tmp_path, ref):
    ins = SEQ[:120] + "TTG" + SEQ[120:]
    reads = []
    for i in range(4):
        s = 90 + i
        left = 120 - s
        seq = ins[s:s + L]
        reads.append(Read(f"i{i}", s, f"{left}M3I{L - left - 3}M", seq))
        # the mate overlaps the same site: counted once
        reads.append(Read(f"i{i}", s + 5, f"{left - 5}M3I{L - left + 2}M", ins[s + 5:s + 5 + L], reverse=True))
    bam = str(tmp_path / "t.bam")
    write_bam(bam, "T", {"chr1": len(SEQ)}, reads)
    fa = pysam.FastaFile(ref)
    b = pysam.AlignmentFile(bam)
    win = RefWindow(fa, "chr1", 0, len(SEQ))
    from escapeseq.somatic.normalize import left_normalize
    p, r, a = left_normalize(119, SEQ[119], SEQ[119] + "TTG", win.at)
    scan = scan_span(b, win, 80, 160, ReadFilter())
    assert scan.indels == {(p, r, a): 8}
    ev = site_evidence(b, win, p, r, a, ReadFilter())
    assert ev.allele.tolist() == [1, 1, 1, 1]


def test_sample_calls_equal_sample_call_per_site():
    """The one-bincount counts of many sites = sample_call site by site (every allele x
    strand x orientation, sites without reads included)."""
    from escapeseq.somatic.caller import sample_call, sample_calls
    from escapeseq.somatic.pileup import ReadEvidence
    rng = np.random.default_rng(3)
    evs = []
    for n in [0, 1, 5, 40, 0, 120]:
        evs.append(ReadEvidence(allele=rng.integers(0, 3, n), bq=rng.integers(0, 41, n),
                                mq=np.full(n, 60), reverse=rng.random(n) < 0.5, dist=rng.integers(0, 70, n),
                                f1r2=rng.random(n) < 0.3))
    assert sample_calls(evs) == [sample_call(ev) for ev in evs]
    assert sample_calls([]) == []
    assert sample_calls([ReadEvidence.empty()]) == [sample_call(ReadEvidence.empty())]
