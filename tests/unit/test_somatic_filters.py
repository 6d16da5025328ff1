"""Each named filter: predicates on summaries, then end to end on constructed pileups."""
import numpy as np
import pysam
import pytest

from escapeseq.somatic.caller import CallParams, call_cluster
from escapeseq.somatic.filters import FILTERS, FilterParams, SiteSummary, apply_filters
from escapeseq.somatic.intervals import Interval
from escapeseq.somatic.pileup import ReadFilter
from escapeseq.somatic.synthetic import Read, write_bam, write_fasta

P = FilterParams()


def summary(**kw):
    base = dict(tlods=np.array([20.0]), nlod=5.0, normal_alt=0, normal_depth=50,
                tumour_depths=np.array([60]), strand_phred=0.0, tumour_alt=15,
                alt_dist=np.array([30, 40, 20]), alt_bq=np.array([35, 35, 30]),
                alt_mq=np.array([60, 60, 60]))
    base.update(kw)
    return SiteSummary(**base)


@pytest.mark.parametrize("kw,expected", [
    ({}, []),
    ({"tlods": np.array([4.0, 5.0])}, ["weak_evidence"]),
    ({"nlod": 1.0}, ["germline"]),
    ({"normal_alt": 20, "normal_depth": 50, "nlod": 3.0}, ["germline"]),
    ({"pop_af": 0.05}, ["germline"]),
    ({"pop_af": 0.001}, []),
    ({"normal_alt": 2}, ["normal_artifact"]),
    ({"strand_phred": 80.0}, ["strand_bias"]),
    ({"strand_phred": 80.0, "tumour_alt": 3}, []),
    ({"alt_dist": np.array([1, 2, 30])}, ["position"]),
    ({"alt_bq": np.array([12, 15, 35])}, ["base_qual"]),
    ({"alt_mq": np.array([10, 20, 60])}, ["map_qual"]),
    ({"normal_near_indel_frac": 0.45}, ["near_germline_indel"]),
    ({"normal_near_indel_frac": 0.05}, []),
    ({"in_pon": True}, ["panel_of_normals"]),
    ({"normal_depth": 5}, ["min_depth"]),
    ({"tumour_depths": np.array([4, 8])}, []),  # tumours are judged by TLOD, not depth
])
def test_filter_predicates(kw, expected):
    assert apply_filters(summary(**kw), P) == expected


def test_filter_names_in_header_order():
    s = summary(tlods=np.array([1.0]), in_pon=True, nlod=0.0)
    assert apply_filters(s, P) == ["weak_evidence", "germline", "panel_of_normals"]
    assert list(FILTERS)[:2] == ["weak_evidence", "germline"]


# ---- constructed pileups through the caller -------------------------------------------
RNG = np.random.default_rng(5)
SEQ = "".join(RNG.choice(list("ACGT"), 600))
L = 80


def other(b):
    return {"A": "C", "C": "G", "G": "T", "T": "A"}[b]


def pile(pos, n_ref, n_alt, prefix, alt_reverse=None, alt_offset=None, alt_mapq=60, start_shift=0):
    alt_seq = SEQ[:pos] + other(SEQ[pos]) + SEQ[pos + 1:]
    out = []
    for i in range(n_ref + n_alt):
        is_alt = i < n_alt
        off = (alt_offset if (is_alt and alt_offset is not None) else 10 + (i * 7) % 60)
        s = pos - off + start_shift
        src = alt_seq if is_alt else SEQ
        rev = bool(i % 2) if (not is_alt or alt_reverse is None) else alt_reverse
        out.append(Read(f"{prefix}{i}", s, f"{L}M", src[s:s + L], reverse=rev,
                        mapq=alt_mapq if is_alt else 60))
    return out


def run(tmp_path, tumour_reads, normal_reads, fp=None, pon=None):
    fa = str(tmp_path / "ref.fa")
    write_fasta(fa, {"chr1": SEQ})
    write_bam(str(tmp_path / "n.bam"), "N", {"chr1": len(SEQ)}, normal_reads)
    write_bam(str(tmp_path / "t.bam"), "T", {"chr1": len(SEQ)}, tumour_reads)
    fasta = pysam.FastaFile(fa)
    n = pysam.AlignmentFile(str(tmp_path / "n.bam"))
    t = pysam.AlignmentFile(str(tmp_path / "t.bam"))
    cp = CallParams(filters=fp or FilterParams())
    return call_cluster(fasta, n, [t], [Interval("chr1", 100, 500)], ReadFilter(), cp, pon=pon)


def test_clean_somatic_site_passes(tmp_path):
    recs = run(tmp_path, pile(300, 30, 10, "t"), pile(300, 40, 0, "n"))
    assert len(recs) == 1 and recs[0].filters == []
    assert recs[0].pos0 == 300 and recs[0].samples[1].alt_reads == 10


def test_germline_site(tmp_path):
    recs = run(tmp_path, pile(300, 20, 20, "t"), pile(300, 20, 20, "n"))
    assert "germline" in recs[0].filters


def test_normal_artifact(tmp_path):
    # tumour VAF 0.07: 5 % tumour in the normal explains ~0.4 normal alt reads of 103, not 3
    recs = run(tmp_path, pile(300, 80, 6, "t"), pile(300, 100, 3, "n"))
    assert recs[0].filters == ["normal_artifact"]


def test_tumour_in_normal_is_tolerated(tmp_path):
    # tumour VAF 0.5, normal with 3 % tumour cells: 2 alt of 102 normal reads is expected
    recs = run(tmp_path, pile(300, 30, 30, "t"), pile(300, 100, 2, "n"))
    assert recs[0].filters == []
    # the same tumour with 30 % alternate reads in the normal is not tumour-in-normal
    recs = run(tmp_path, pile(300, 30, 30, "t"), pile(300, 70, 30, "n"))
    assert "germline" in recs[0].filters


def test_strand_bias(tmp_path):
    recs = run(tmp_path, pile(300, 40, 14, "t", alt_reverse=True), pile(300, 40, 0, "n"),
               fp=FilterParams(max_strand_bias=20))
    assert recs[0].filters == ["strand_bias"]


def test_read_end_position(tmp_path):
    recs = run(tmp_path, pile(300, 30, 10, "t", alt_offset=2), pile(300, 40, 0, "n"))
    assert recs[0].filters == ["position"]


def test_low_map_qual(tmp_path):
    recs = run(tmp_path, pile(300, 30, 10, "t", alt_mapq=25), pile(300, 40, 0, "n"))
    assert recs[0].filters == ["map_qual"]


def test_weak_evidence_and_min_depth(tmp_path):
    recs = run(tmp_path, pile(300, 6, 2, "t"), pile(300, 6, 0, "n"))
    assert recs[0].filters == ["weak_evidence", "germline", "min_depth"]


def test_snv_inside_germline_deletion_is_flagged(tmp_path):
    # normal: half the reads carry a 6 bp deletion over the site; tumour reads show a
    # mismatch at the site in a few reads (what a misaligned deletion read looks like)
    deleted = SEQ[:296] + SEQ[302:]
    normal = pile(300, 40, 0, "n")
    for i in range(40):
        s = 250 + i
        normal.append(Read(f"nd{i}", s, f"{296 - s}M6D{L - (296 - s)}M", deleted[s:s + L - 0][:L]))
    tumour = pile(300, 40, 8, "t")
    recs = run(tmp_path, tumour, normal)
    rec = [r for r in recs if r.pos0 == 300][0]
    assert "near_germline_indel" in rec.filters


def test_multiallelic_counts_only_clean_alleles():
    from escapeseq.somatic.caller import flag_multiallelic
    from escapeseq.somatic.vcf import VcfRecord
    recs = [VcfRecord("chr1", 10, "G", "GC", [], [], []), VcfRecord("chr1", 10, "G", "C", ["position"], [], []),
            VcfRecord("chr1", 20, "A", "C", [], [], []), VcfRecord("chr1", 20, "A", "T", [], [], [])]
    out = flag_multiallelic(recs, 1)
    assert [r.filters for r in out] == [[], ["position"], ["multiallelic"], ["multiallelic"]]


def test_panel_of_normals(tmp_path):
    pon = str(tmp_path / "pon.vcf")
    alt = other(SEQ[300])
    with open(pon, "w") as fh:
        fh.write("##fileformat=VCFv4.2\n##contig=<ID=chr1,length=600>\n")
        fh.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        fh.write(f"chr1\t301\t.\t{SEQ[300]}\t{alt}\t.\t.\t.\n")
    pysam.tabix_index(pon, preset="vcf", force=True)
    recs = run(tmp_path, pile(300, 30, 10, "t"), pile(300, 40, 0, "n"), pon=pon + ".gz")
    assert recs[0].filters == ["panel_of_normals"]
