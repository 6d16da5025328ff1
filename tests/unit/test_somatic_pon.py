"""Panel of normals: pon-sites per normal, pon-merge, and call --pon / --pon-index."""
import os
import shutil

import numpy as np
import pysam
import pytest

from escapeseq.somatic.cli import main
from escapeseq.somatic.synthetic import Read, write_bam, write_fasta

RNG = np.random.default_rng(8)
SEQ = "".join(RNG.choice(list("ACGT"), 1000))
L = 80
ART = 400        # recurrent artifact in every normal
PRIVATE = 600    # artifact in one normal only


def other(b):
    return {"A": "C", "C": "G", "G": "T", "T": "A"}[b]


def pile(pos, n_ref, n_alt, prefix):
    alt = SEQ[:pos] + other(SEQ[pos]) + SEQ[pos + 1:]
    out = []
    for i in range(n_ref + n_alt):
        s = pos - 10 - (i * 7) % 60
        src = alt if i < n_alt else SEQ
        out.append(Read(f"{prefix}{pos}_{i}", s, f"{L}M", src[s:s + L], reverse=bool(i % 2)))
    return out


@pytest.fixture()
def setup(tmp_path):
    fa = str(tmp_path / "ref.fa")
    write_fasta(fa, {"chr1": SEQ})
    bed = str(tmp_path / "r.bed")
    with open(bed, "w") as fh:
        fh.write("chr1\t100\t900\n")
    normals = []
    for k in range(3):
        reads = pile(ART, 50, 5, f"n{k}a") + pile(200, 40, 0, f"n{k}b")
        if k == 0:
            reads += pile(PRIVATE, 50, 6, "n0p")
        path = str(tmp_path / f"N{k}.bam")
        write_bam(path, f"N{k}", {"chr1": len(SEQ)}, reads)
        normals.append(path)
    return tmp_path, fa, bed, normals


def sites_of(path):
    with pysam.VariantFile(path) as vf:
        return {(r.pos - 1, r.ref, r.alts[0]): dict(r.info) for r in vf}


def test_recurrent_artifact_in_normals_is_filtered_in_tumour(setup):
    tmp, fa, bed, normals = setup
    site_files = []
    for k, n in enumerate(normals):
        out = str(tmp / f"N{k}.sites.vcf.gz")
        assert main(["pon-sites", "--fasta", fa, "--bam", n, "--regions", bed, "--out", out]) == 0
        assert os.path.exists(out + ".tbi")
        site_files.append(out)
    assert (ART, SEQ[ART], other(SEQ[ART])) in sites_of(site_files[1])
    assert (PRIVATE, SEQ[PRIVATE], other(SEQ[PRIVATE])) in sites_of(site_files[0])
    pon = str(tmp / "pon.vcf.gz")
    assert main(["pon-merge", "--min-samples", "2", "--out", pon] + site_files) == 0
    got = sites_of(pon)
    assert set(got) == {(ART, SEQ[ART], other(SEQ[ART]))}
    assert got[(ART, SEQ[ART], other(SEQ[ART]))]["N_SAMPLES"] == 3
    assert os.path.exists(pon + ".tbi")

    # tumour carries the artifact and a private real mutation at 700; its own normal is clean
    write_bam(str(tmp / "T.bam"), "T", {"chr1": len(SEQ)}, pile(ART, 50, 8, "ta") + pile(700, 40, 12, "tb"))
    write_bam(str(tmp / "N.bam"), "N", {"chr1": len(SEQ)}, pile(ART, 50, 0, "na") + pile(700, 40, 0, "nb"))
    out = str(tmp / "call.vcf.gz")
    args = ["call", "--fasta", fa, "--normal", str(tmp / "N.bam"), "--tumour", str(tmp / "T.bam"),
            "--regions", bed, "--out", out]
    assert main(args) == 0
    with pysam.VariantFile(out) as vf:
        assert {r.pos - 1: list(r.filter.keys()) for r in vf} == {ART: ["PASS"], 700: ["PASS"]}
    assert main(args + ["--pon", pon]) == 0
    with pysam.VariantFile(out) as vf:
        assert {r.pos - 1: list(r.filter.keys()) for r in vf} == {ART: ["panel_of_normals"], 700: ["PASS"]}

    # explicit index elsewhere
    d = tmp / "elsewhere"
    d.mkdir()
    shutil.move(pon + ".tbi", d / "panel.tbi")
    assert main(args + ["--pon", pon]) == 2          # no index beside it
    assert main(args + ["--pon", pon, "--pon-index", str(d / "panel.tbi")]) == 0
    with pysam.VariantFile(out) as vf:
        assert {r.pos - 1: list(r.filter.keys()) for r in vf}[ART] == ["panel_of_normals"]
    assert main(args + ["--pon-index", str(d / "panel.tbi")]) == 2   # index without VCF


def test_merge_refuses_the_same_normal_twice(setup, capsys):
    tmp, fa, bed, normals = setup
    out = str(tmp / "a.sites.vcf.gz")
    assert main(["pon-sites", "--fasta", fa, "--bam", normals[0], "--regions", bed, "--out", out]) == 0
    assert main(["pon-merge", "--out", str(tmp / "pon.vcf.gz"), out, out]) == 2
    assert "already given" in capsys.readouterr().err
