"""Tests of the simulator's artifact generators (escapeseq.sim.artifacts) and options."""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

import numpy as np
import pytest

from escapeseq.sim.artifacts import (ORIENTED, Paralog, ReadEditor, RecordInfo, Site,
                                     damage_sites, genome_position, make_paralogs, read_index,
                                     record_offset, record_offset_of_read, set_base)
from escapeseq.sim.seqs import revcomp
from escapeseq.simulate import main


def test_record_offsets_round_trip_through_indels():
    # window starts at 101; a 3-bp deletion at 110 (REF 4 bp) and a 2-bp insertion at 130
    applied = [(110, 4, 1), (130, 1, 3)]
    assert record_offset(101, applied, 105) == 4
    assert record_offset(101, applied, 111) is None          # inside the deleted REF
    assert record_offset(101, applied, 120) == 19 - 3       # after the deletion
    assert record_offset(101, applied, 140) == 39 - 3 + 2   # after both
    for g in (105, 109, 114, 120, 129, 131, 140):
        off = record_offset(101, applied, g)
        assert genome_position(101, applied, off) == g
    # an inserted base has no genome position
    assert record_offset(101, applied, 130) is None         # the insertion's anchor (REF)
    ins_off = record_offset(101, applied, 129) + 2
    assert genome_position(101, applied, ins_off) is None


def test_read_index_follows_cigar():
    assert read_index(11, "100=", 10) == 0 and read_index(11, "100=", 109) == 99
    assert read_index(11, "100=", 9) is None and read_index(11, "100=", 110) is None
    # 10 matched, 2 inserted, 5 deleted, rest matched
    cig = "10=2I5D88="
    assert read_index(1, cig, 9) == 9
    assert read_index(1, cig, 12) is None                   # deleted in the read
    assert read_index(1, cig, 15) == 12
    assert record_offset_of_read(1, cig, 10) is None         # inserted read base
    assert record_offset_of_read(1, cig, 12) == 15


def test_set_base_reverse_read_complements():
    ref_orient = "ACGTACGTAC"
    fq = revcomp(ref_orient)                                  # how a reverse read is stored
    out = set_base(fq, 2, "T", reverse=True)                  # ref-orientation index 2: G -> T
    assert revcomp(out) == "ACTTACGTAC"
    assert set_base(ref_orient, 2, "T", reverse=False) == "ACTTACGTAC"


def _pair(record: str, start: int, fwd1: bool, length: int = 50):
    """A read pair on ``record`` (no errors): read 1 at 1-based ``start``, read 2 30 bp on."""
    s1 = record[start - 1:start - 1 + length]
    s2 = record[start + 29:start + 29 + length]
    if fwd1:   # read 1 forward, read 2 reverse (F1R2)
        return 67, start, s1, start + 30, revcomp(s2)
    return 83, start, revcomp(s1), start + 30, s2


def test_editor_damages_only_one_orientation():
    rng = np.random.default_rng(0)
    record = "".join(rng.choice(list("ACGT"), 300))
    record = record[:99] + "G" + record[100:]                # genome pos 100 (window at 1) is G
    site = Site("chr1", 100, "G", "T", "oxog", "F1R2", 0.5)    # 2 x VAF = 1: every F1R2 pair
    info = RecordInfo("chr1", 1, [], end=300, sites=[(99, site)])
    ed = ReadEditor({"w0_c0": info}, {"chr1": record}, 0.0, 0.0, np.random.default_rng(1))
    for fwd1, want in ((True, "T"), (False, "G")):
        flag, p1, s1, p2, s2 = _pair(record, 80, fwd1)
        (o1, _, o2, _), = ed.edit("w0_c0", flag, p1, "50=", p2, "50=", s1, "I" * 50, s2, "I" * 50)
        r1 = o1 if fwd1 else revcomp(o1)                         # back to reference orientation
        r2 = revcomp(o2) if fwd1 else o2
        assert r1[99 - 79] == want
        assert r1[:20] == record[79:99] and r1[21:] == record[100:129]
        # read 2 (starts at 110) does not cover pos 100: unchanged
        assert r2 == record[109:159]


def test_editor_duplicates_share_pcr_error():
    rng = np.random.default_rng(2)
    record = "".join(rng.choice(list("ACGT"), 300))
    info = RecordInfo("chr1", 1, [], end=300)
    ed = ReadEditor({"w0_c0": info}, {"chr1": record}, 1.0, 1.0, np.random.default_rng(3))
    flag, p1, s1, p2, s2 = _pair(record, 50, True)
    out = ed.edit("w0_c0", flag, p1, "50=", p2, "50=", s1, "I" * 50, s2, "I" * 50)
    assert 2 <= len(out) <= 4 and all(o == out[0] for o in out)
    assert len(ed.pcr_rows) == 1
    _, pos, ref, alt, k = ed.pcr_rows[0]
    assert k == len(out) and ref == record[pos - 1] and alt != ref
    changed = [i for i in range(50) if out[0][0][i] != s1[i]] + \
              [i for i in range(50) if out[0][2][i] != s2[i]]
    assert len(changed) == 1


def test_damage_sites_hit_the_right_bases():
    rng = np.random.default_rng(4)
    seq = "".join(rng.choice(list("ACGT"), 5000))
    contigs = {"chr1": seq}
    for kind in ("oxog", "ffpe"):
        sites = damage_sites(rng, kind, contigs, [("chr1", 100, 4900)], 60,
                             lambda c, p: not 2000 <= p <= 2100)
        assert len(sites) == 60
        for t in sites:
            assert seq[t.pos - 1] == t.ref and ORIENTED[kind][t.ref] == (t.alt, t.orientation)
            assert not 2000 <= t.pos <= 2100
        vafs = [t.vaf for t in sites]
        assert (min(vafs), max(vafs)) >= ((0.01, 0.0) if kind == "oxog" else (0.02, 0.0))
        assert max(vafs) <= (0.03 if kind == "oxog" else 0.05)


def test_paralog_sets_disjoint_and_divergent():
    rng = np.random.default_rng(5)
    seq = "".join(rng.choice(list("ACGT"), 20000))
    ps = make_paralogs(rng, {"chr1": seq}, [("chr1", 1000, 1200), ("chr1", 5000, 5300)], 2)
    assert len(ps) == 2
    for p in ps:
        assert isinstance(p, Paralog) and not set(p.diff) & set(p.decoy)
        para, decoy = p.sample_seq(seq), p.decoy_seq(seq)
        ref = seq[p.start - 1:p.end]
        assert sum(a != b for a, b in zip(para, ref)) == len(p.diff) >= 4
        assert sum(a != b for a, b in zip(decoy, ref)) == len(p.decoy) >= 2


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@pytest.fixture(scope="module")
def art_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("art") / "c"
    assert main(["--preset", "calling", "--seed", "3", "--outdir", str(out), "--target-mb", "0.02",
                 "--tumour-depth", "20", "--normal-depth", "10", "--oxog", "500", "--ffpe", "500",
                 "--paralogs", "100", "--tumour-in-normal", "0.04", "--duplicates", "0.2"]) == 0
    return out


def test_artifact_truth_file(art_run):
    rows = read_tsv(art_run / "truth/artifacts.tsv")
    kinds = {(r["sample"], r["kind"]) for r in rows}
    for s in ("C1_N", "C1_T1", "C1_T2"):
        for k in ("oxog", "ffpe", "paralog", "pcr_dup_error"):
            assert (s, k) in kinds, (s, k)
    assert {r["sample"] for r in rows if r["kind"] == "tumour_in_normal"} == {"C1_N"}
    fa = {}
    name = None
    for line in open(art_run / "reference/genome.fa"):
        if line.startswith(">"):
            name = line[1:].strip()
            fa[name] = []
        else:
            fa[name].append(line.strip())
    fa = {k: "".join(v) for k, v in fa.items()}
    assert "chrUn_esqpara" in fa
    for r in rows:
        if r["kind"] in ("oxog", "ffpe", "paralog", "pcr_dup_error"):
            assert fa[r["chrom"]][int(r["pos"]) - 1] == r["ref"], r
    # damage sites differ between samples (per-library damage)
    ox = {s: {r["pos"] for r in rows if r["sample"] == s and r["kind"] == "oxog"}
          for s in ("C1_N", "C1_T1")}
    assert ox["C1_N"] != ox["C1_T1"]
    # tumour in normal: truncal mutations at 0.04 x 0.5 = 0.02 in the normal's truth
    var = read_tsv(art_run / "truth/C1.variants.tsv")
    trunk = [v for v in var if v["origin"] == "somatic" and v["clone"] == "T"]
    assert trunk and all(float(v["C1_N_vaf"]) == pytest.approx(0.02) for v in trunk)
    t2 = [v for v in var if v["origin"] == "somatic" and v["clone"] in ("P2", "S2")]
    assert t2 and all(float(v["C1_N_vaf"]) == 0 for v in t2)


def test_duplicates_add_identical_pairs(art_run):
    with gzip.open(art_run / "reads/C1_T1_R1.fastq.gz", "rt") as fh:
        seqs = fh.read().split("\n")[1::4]
    n = len(seqs)
    dup = n - len(set(seqs))
    assert 0.1 < dup / n < 0.45


def test_artifacts_off_by_default_and_bad_values(tmp_path, capsys):
    out = tmp_path / "q"
    assert main(["--preset", "quiet", "--seed", "5", "--outdir", str(out), "--no-reads"]) == 0
    assert not (out / "truth/artifacts.tsv").exists()
    with pytest.raises(SystemExit) as e:
        main(["--preset", "calling", "--seed", "1", "--outdir", str(tmp_path / "x"),
              "--tumour-in-normal", "0.7"])
    assert e.value.code == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--tumour-in-normal" in err
