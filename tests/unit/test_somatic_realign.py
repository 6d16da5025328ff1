"""Indels found in soft-clipped reads and genotyped by haplotype realignment."""
import numpy as np
import pysam
import pytest

from escapeseq.somatic.caller import CallParams, call_cluster
from escapeseq.somatic.intervals import Interval
from escapeseq.somatic.normalize import left_normalize
from escapeseq.somatic.pileup import ReadFilter, RefWindow, Site
from escapeseq.somatic.realign import (classify, clip_indels, event_distance, read_is_f1r2,
                                       realign_evidence)
from escapeseq.somatic.synthetic import Read, indel_read, write_bam, write_fasta

RNG = np.random.default_rng(11)
SEQ = "".join(RNG.choice(list("ACGT"), 2000))
POS = 1000
N = 100


def deletion(length):
    return SEQ[POS:POS + length + 1], SEQ[POS]


def insertion(length, seed=2):
    ins = "".join(np.random.default_rng(seed).choice(list("ACGT"), length))
    return SEQ[POS], SEQ[POS] + ins


def reads_for(r, a, lefts, prefix, gap_min=30, **kw):
    """Reads carrying the event with ``left`` bases before it (aligner-like CIGARs)."""
    out = []
    for i, left in enumerate(lefts):
        rd = indel_read(f"{prefix}{i}", SEQ, POS, r, a, POS + 1 - left, N, gap_min=gap_min,
                        reverse=bool(i % 2), **kw)
        assert rd is not None
        out.append(rd)
    return out


def ref_reads(n, prefix, lo=10, hi=90):
    lefts = np.linspace(lo, hi, n).astype(int)
    return [Read(f"{prefix}{i}", POS + 1 - int(left), f"{N}M", SEQ[POS + 1 - int(left):POS + 1 - int(left) + N],
                 reverse=bool(i % 2)) for i, left in enumerate(lefts)]


def call(tmp_path, tumour, normal):
    fa = str(tmp_path / "ref.fa")
    write_fasta(fa, {"chr1": SEQ})
    write_bam(str(tmp_path / "n.bam"), "N", {"chr1": len(SEQ)}, normal)
    write_bam(str(tmp_path / "t.bam"), "T", {"chr1": len(SEQ)}, tumour)
    fasta = pysam.FastaFile(fa)
    n = pysam.AlignmentFile(str(tmp_path / "n.bam"))
    t = pysam.AlignmentFile(str(tmp_path / "t.bam"))
    return call_cluster(fasta, n, [t], [Interval("chr1", 500, 1500)], ReadFilter(), CallParams())


def norm(r, a):
    return left_normalize(POS, r, a, lambda p: SEQ[p])


def only(recs, r, a):
    hits = [x for x in recs if (x.pos0, x.ref, x.alt) == norm(r, a)]
    assert len(hits) == 1, [(x.pos0, x.ref, x.alt, x.filters) for x in recs]
    return hits[0]


class _Ref:
    def __init__(self, seq):
        self.seq = seq
        self.length = len(seq)
        self.contig = "chr1"

    def at(self, p):
        return self.seq[p] if 0 <= p < len(self.seq) else "N"

    def slice(self, s, e):
        return self.seq[max(0, s):min(len(self.seq), e)]


@pytest.mark.parametrize("length", [1, 6, 20, 42, 60])
def test_clip_indels_recovers_deletions_from_both_clip_sides(length):
    r, a = deletion(length)
    ref = _Ref(SEQ)
    right = indel_read("x", SEQ, POS, r, a, POS + 1 - 80, N, gap_min=1000)   # 80M20S
    left = indel_read("y", SEQ, POS, r, a, POS + 1 - 15, N, gap_min=1000)    # 15S85M
    assert right.cigar == "80M20S" and left.cigar == "15S85M"
    for rd in (right, left):
        got = clip_indels(_as_pysam_like(rd), ref)
        assert got == [norm(r, a)]


@pytest.mark.parametrize("length", [3, 12, 25, 30])
def test_clip_indels_recovers_insertions(length):
    r, a = insertion(length)
    ref = _Ref(SEQ)
    # the clip holds the inserted bases and 10 reference bases that place it
    rd = indel_read("x", SEQ, POS, r, a, POS + 1 - (N - length - 10), N, gap_min=1000)
    assert rd.cigar.endswith("S") and clip_indels(_as_pysam_like(rd), ref) == [norm(r, a)]
    rd = indel_read("y", SEQ, POS, r, a, POS + 1 - 10, N, gap_min=1000)     # clipped left
    assert clip_indels(_as_pysam_like(rd), ref) == [norm(r, a)]


def test_adapter_like_clip_gives_no_indel():
    junk = "".join(np.random.default_rng(99).choice(list("ACGT"), 25))
    rd = Read("z", 500, "75M25S", SEQ[500:575] + junk)
    assert clip_indels(_as_pysam_like(rd), _Ref(SEQ)) == []


def _as_pysam_like(rd):
    a = pysam.AlignedSegment()
    a.reference_start = rd.start
    a.cigarstring = rd.cigar
    a.query_sequence = rd.seq
    return a


def test_classify_needs_separation():
    assert classify([0.0, 5.0], 1) == (1, 5.0)
    assert classify([5.0, 0.0], 1) == (0, 5.0)
    assert classify([3.0, 3.5], 1)[0] == -1          # read ends inside a repeat
    assert classify([0.0, 1.0, 8.0], 1)[0] == 2      # another candidate allele
    assert classify([8.0, 0.0, 8.0], 1)[0] == 0      # does not reach the other event


def test_event_distance_counts_whole_read():
    # insertion of 5 at read index 15 of a 100 bp read: 15 + 5 bases up to its end, 85 from its start
    assert event_distance(100, 0, 1000, 1014, 5) == 20
    assert event_distance(100, 10, 1000, 1014, 0) == 5
    # a read ending inside a 25 bp insertion that holds 7 of its bases
    assert event_distance(100, 0, 1000, 1000 + 92, 25) == 7


def test_f1r2():
    assert read_is_f1r2(0x1 | 0x40) and read_is_f1r2(0x1 | 0x80 | 0x10)
    assert not read_is_f1r2(0x1 | 0x40 | 0x10) and not read_is_f1r2(0x1 | 0x80)
    assert read_is_f1r2(0x10) and not read_is_f1r2(0)


@pytest.mark.parametrize("length", [6, 20, 42, 60])
def test_deletion_soft_clipped_in_most_reads_is_called_with_full_ad_dp(tmp_path, length):
    r, a = deletion(length)
    lefts = [10, 12, 15, 18, 20, 24, 50, 76, 80, 84, 88, 90]      # one gapped, 11 clipped
    tumour = reads_for(r, a, lefts, "ta") + ref_reads(30, "tr")
    normal = ref_reads(30, "nr")
    clipped = sum("S" in x.cigar for x in tumour[:12])
    assert clipped == 11
    rec = only(call(tmp_path, tumour, normal), r, a)
    assert rec.filters == []
    t = rec.samples[1]
    assert (t.ref_reads, t.alt_reads, t.depth) == (30, 12, 42)
    nm = rec.samples[0]
    assert (nm.ref_reads, nm.alt_reads, nm.depth) == (30, 0, 30)


def test_insertion_of_25_bp(tmp_path):
    r, a = insertion(25)
    lefts = [10, 14, 18, 22, 26, 40, 52, 56, 60, 62, 64, 65]
    tumour = reads_for(r, a, lefts, "ta") + ref_reads(30, "tr")
    rec = only(call(tmp_path, tumour, ref_reads(30, "nr")), r, a)
    assert rec.filters == []
    assert (rec.samples[1].ref_reads, rec.samples[1].alt_reads, rec.samples[1].depth) == (30, 12, 42)


def test_all_clipped_tumour_reads_and_clean_normal_pass(tmp_path):
    # the case: every tumour read for the deletion soft-clips it, normal 0/30
    r, a = deletion(14)
    lefts = [8, 11, 14, 17, 80, 84, 87, 91]
    tumour = reads_for(r, a, lefts, "ta", gap_min=1000) + ref_reads(24, "tr")
    assert all("S" in x.cigar for x in tumour[:8])
    rec = only(call(tmp_path, tumour, ref_reads(30, "nr")), r, a)
    assert rec.filters == []
    assert rec.samples[1].alt_reads == 8 and rec.samples[0].alt_reads == 0
    assert rec.samples[0].depth == 30


def test_reads_short_of_the_event_are_not_informative(tmp_path):
    r, a = deletion(10)
    fa = str(tmp_path / "ref.fa")
    write_fasta(fa, {"chr1": SEQ})
    reads = reads_for(r, a, [20, 50, 80], "a")
    reads += [Read(f"s{i}", POS - 120 + i, f"{N}M", SEQ[POS - 120 + i:POS - 20 + i]) for i in range(5)]
    write_bam(str(tmp_path / "t.bam"), "T", {"chr1": len(SEQ)}, reads)
    ref = RefWindow(pysam.FastaFile(fa), "chr1", 0, len(SEQ))
    ev = realign_evidence(pysam.AlignmentFile(str(tmp_path / "t.bam")), ref, [Site.make(*norm(r, a), ref)],
                          ReadFilter())[0]
    assert (ev.allele == 1).sum() == 3 and ev.allele.size == 3


def test_classify_many_matches_classify():
    from escapeseq.somatic.realign import classify_many
    rng = np.random.default_rng(4)
    sc = rng.uniform(0, 10, (500, 3)).round(1)
    sc[::7, 2] = sc[::7, 0]                      # other candidate not reached
    allele, margin = classify_many(sc[:, 0], sc[:, 1], sc[:, 2])
    for row, a, m in zip(sc, allele, margin):
        assert classify(list(row), 1) == (a, m) or (a == -1 and classify(list(row), 1)[0] == -1)


def test_read_end_mismatches_beside_a_deletion_make_no_snv(tmp_path):
    # deletion reads that end 2-4 bases past the event, aligned ungapped (mismatches, no
    # clip), look like SNVs right after the anchor; realigned against the deletion
    # haplotype they are deletion reads, and no SNV is called there
    r, a = deletion(12)
    hap = SEQ[:POS + 1] + SEQ[POS + 13:]
    ends = [Read(f"e{i}", POS + 1 - (N - k), f"{N}M", hap[POS + 1 - (N - k):POS + 1 + k])
            for i, k in enumerate([3, 4, 4, 4])]
    mism = [POS + 1 + j for j in range(4) if hap[POS + 1 + j] != SEQ[POS + 1 + j]]
    assert mism, "the test needs mismatching bases after the anchor"
    tumour = reads_for(r, a, [15, 20, 25, 30, 35, 40, 50, 60, 70, 75, 80, 85], "ta") + ends + ref_reads(30, "tr")
    recs = call(tmp_path, tumour, ref_reads(30, "nr"))
    assert only(recs, r, a).filters == []
    snvs = [x for x in recs if len(x.ref) == 1 and len(x.alt) == 1]   # not even emitted
    assert snvs == []
