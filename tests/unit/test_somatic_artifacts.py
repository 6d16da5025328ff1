"""Artifact filters: read orientation (F1R2/F2R1), clustered events, FORMAT F1R2/F2R1."""
import numpy as np
import pysam

from escapeseq.somatic.caller import CallParams, call_cluster
from escapeseq.somatic.filters import FilterParams, orientation_artifact_posterior
from escapeseq.somatic.intervals import Interval
from escapeseq.somatic.pileup import ReadFilter
from escapeseq.somatic.synthetic import Read, write_bam, write_fasta

RNG = np.random.default_rng(21)
SEQ = "".join(RNG.choice(list("ACGT"), 800))
L = 80
R1, R2, REV = 0x1 | 0x40, 0x1 | 0x80, True


def first_pos(base, lo=300):
    return next(i for i in range(lo, 600) if SEQ[i] == base)


def other(b):
    return {"A": "C", "C": "G", "G": "T", "T": "A"}[b]


def reads(pos, alt_base, n_ref, n_alt, prefix, alt_orientation=None, vars_=()):
    """n_ref reference and n_alt alternate reads over pos, pairs in all four
    (read, strand) combinations; ``alt_orientation`` "F1R2" puts every alternate read in
    F1R2 orientation (read1 forward or read2 reverse). ``vars_``: extra (pos, base) the
    alternate reads also carry."""
    alt = list(SEQ)
    alt[pos] = alt_base
    for p, b in vars_:
        alt[p] = b
    alt = "".join(alt)
    out = []
    combos = [(R1, False), (R2, True), (R1, True), (R2, False)]   # F1R2, F1R2, F2R1, F2R1
    for i in range(n_ref + n_alt):
        is_alt = i < n_alt
        if is_alt and alt_orientation == "F1R2":
            flag, rev = combos[i % 2]
        else:
            flag, rev = combos[i % 4]
        s = pos - 10 - (i * 7) % 60
        src = alt if is_alt else SEQ
        out.append(Read(f"{prefix}{i}", s, f"{L}M", src[s:s + L], reverse=rev, flag_extra=flag))
    return out


def call(tmp_path, tumour, normal, fp=None):
    fa = str(tmp_path / "ref.fa")
    write_fasta(fa, {"chr1": SEQ})
    write_bam(str(tmp_path / "n.bam"), "N", {"chr1": len(SEQ)}, normal)
    write_bam(str(tmp_path / "t.bam"), "T", {"chr1": len(SEQ)}, tumour)
    return call_cluster(pysam.FastaFile(fa), pysam.AlignmentFile(str(tmp_path / "n.bam")),
                        [pysam.AlignmentFile(str(tmp_path / "t.bam"))], [Interval("chr1", 150, 650)],
                        ReadFilter(), CallParams(filters=fp or FilterParams()))


def test_posterior_maths():
    # 6 alt reads all F1R2 at 3 % of 200 reads: artifact; the same split 3/3: real
    assert orientation_artifact_posterior(6, 0, 100, 100, 200, 0.1, 0.05) > 0.9
    assert orientation_artifact_posterior(3, 3, 100, 100, 200, 0.1, 0.05) < 0.01
    # one orientation but at VAF 0.33: not an artifact-like fraction
    assert orientation_artifact_posterior(20, 0, 20, 20, 60, 0.1, 0.05) < 0.05
    # no prior, no artifact
    assert orientation_artifact_posterior(6, 0, 100, 100, 200, 0.0, 0.05) == 0.0
    assert orientation_artifact_posterior(0, 0, 100, 100, 200, 0.1, 0.05) == 0.0


def test_oxog_one_orientation_is_filtered_and_format_counts(tmp_path):
    pos = first_pos("G")
    tumour = reads(pos, "T", 200, 7, "t", alt_orientation="F1R2")
    rec = [r for r in call(tmp_path, tumour, reads(pos, "T", 60, 0, "n")) if r.pos0 == pos][0]
    assert rec.filters == ["orientation"]
    t = rec.samples[1]
    assert (t.alt_f1r2, t.alt_f2r1) == (7, 0)
    assert t.ref_f1r2 == 100 and t.ref_f2r1 == 100
    line = rec.line().split("\t")
    assert line[8].endswith(":F1R2:F2R1")
    assert line[10].split(":")[-2:] == ["100,7", "100,0"]
    assert float(dict(kv.split("=") for kv in line[7].split(";"))["ROQ"]) < 1  # P(artifact) > 0.8


def test_same_site_both_orientations_passes(tmp_path):
    pos = first_pos("G")
    tumour = reads(pos, "T", 200, 8, "t")
    rec = [r for r in call(tmp_path, tumour, reads(pos, "T", 60, 0, "n")) if r.pos0 == pos][0]
    assert rec.filters == []
    assert float(dict(kv.split("=") for kv in rec.line().split("\t")[7].split(";"))["ROQ"]) > 20


def test_clustered_events(tmp_path):
    pos = 400
    extra = [(pos + 15, other(SEQ[pos + 15])), (pos + 30, other(SEQ[pos + 30])), (pos + 45, other(SEQ[pos + 45]))]
    tumour = reads(pos, other(SEQ[pos]), 40, 12, "t", vars_=extra)
    recs = call(tmp_path, tumour, reads(pos, "A", 40, 0, "n"))
    got = {r.pos0: r.filters for r in recs}
    assert set(got) == {pos, pos + 15, pos + 30, pos + 45}
    assert all("clustered_events" in f for f in got.values())
    # three events on one haplotype are allowed (Mutect2 4.6 passes ECNT=3)
    tumour = reads(pos, other(SEQ[pos]), 40, 12, "t", vars_=extra[:2])
    recs = call(tmp_path, tumour, reads(pos, "A", 40, 0, "n"))
    assert [r.filters for r in recs] == [[], [], []]


def test_vcf_with_new_fields_is_valid_for_pysam(tmp_path):
    from escapeseq.somatic.vcf import header_lines, write_bgzip_indexed
    pos = first_pos("G")
    recs = call(tmp_path, reads(pos, "T", 200, 7, "t", alt_orientation="F1R2"), reads(pos, "T", 60, 0, "n"))
    out = str(tmp_path / "o.vcf.gz")
    write_bgzip_indexed(out, header_lines({"chr1": len(SEQ)}, ["N", "T"], "ref.fa", []), [r.line() for r in recs])
    with pysam.VariantFile(out) as vf:
        r = next(iter(vf))
        assert r.samples["T"]["F1R2"] == (100, 7) and r.samples["T"]["F2R1"] == (100, 0)
        assert "orientation" in r.filter.keys()


def test_nearby_events_on_different_reads_are_not_clustered(tmp_path):
    # four somatic SNVs within 45 bp, each carried by its own reads (other haplotypes)
    tumour = []
    for k, p in enumerate((400, 415, 430, 445)):
        tumour += reads(p, other(SEQ[p]), 30 if k == 0 else 0, 10, f"t{k}_")
    recs = call(tmp_path, tumour, reads(400, "A", 40, 0, "n"))
    assert {r.pos0: r.filters for r in recs} == {400: [], 415: [], 430: [], 445: []}
