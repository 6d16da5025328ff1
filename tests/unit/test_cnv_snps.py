"""One-pass pileup over a constructed BAM (escapeseq.cnv.snps)."""
import numpy as np
import pandas as pd
import pysam
import pytest

from escapeseq.cnv.snps import (PileupParams, call_genotypes, gc_fraction, pileup,
                                read_counts, read_targets, write_tsv)
from escapeseq.errors import InputError

READ = 50


def _make(tmp_path, sample="N", het_alt_fraction=0.5, hom=True, seed=0):
    """Reference chrA (3000 bp) + chrB (1000 bp, no targets); reads tiling chrA with
    depth 40 over 1000-1400 and 2000-2200; a het SNP at 1201 and a hom SNP at 2101."""
    rng = np.random.default_rng(seed)
    seq = {"chrA": "".join(rng.choice(list("ACGT"), 3000)),
           "chrB": "".join(rng.choice(list("ACGT"), 1000))}
    fa = tmp_path / "ref.fa"
    fa.write_text("".join(f">{c}\n{s}\n" for c, s in seq.items()))
    pysam.faidx(str(fa))
    alt_of = {"A": "G", "C": "T", "G": "A", "T": "C"}
    snps = {1201: het_alt_fraction, 2101: 1.0 if hom else 0.0}
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": c, "LN": len(s)} for c, s in seq.items()],
              "RG": [{"ID": "x", "SM": sample}]}
    reads = []
    for lo, hi in ((1000, 1400), (2000, 2200)):
        for start in range(lo - READ, hi):        # 0-based start; depth ~ READ per base
            for _ in range(1):
                bases = list(seq["chrA"][start:start + READ])
                for pos, frac in snps.items():
                    k = pos - 1 - start
                    if 0 <= k < READ and rng.random() < frac:
                        bases[k] = alt_of[bases[k]]
                reads.append((start, "".join(bases)))
    bam = tmp_path / f"{sample}.bam"
    with pysam.AlignmentFile(str(bam), "wb", header=header) as out:
        for i, (start, s) in enumerate(sorted(reads)):
            a = pysam.AlignedSegment(out.header)
            a.query_name = f"r{i}"
            a.query_sequence = s
            a.flag = 0
            a.reference_id = 0
            a.reference_start = start
            a.mapping_quality = 60
            a.cigarstring = f"{READ}M"
            a.query_qualities = pysam.qualitystring_to_array("I" * READ)
            a.set_tag("RG", "x")
            out.write(a)
    pysam.index(str(bam))
    bed = tmp_path / "targets.bed"
    bed.write_text("chrA\t1000\t1400\nchrA\t2000\t2200\n")
    return fa, bam, bed, seq


def test_pileup_normal_calls_het_and_hom(tmp_path):
    fa, bam, bed, seq = _make(tmp_path)
    counts, calls = pileup(str(bam), str(fa), str(bed), "N", call_snps=True)
    t = counts[counts["type"] == "target"]
    assert t[["start", "end", "length"]].values.tolist() == [[1001, 1400, 400],
                                                             [2001, 2200, 200]]
    assert np.allclose(t["depth"], READ, atol=1)
    assert t["gc"].iloc[0] == pytest.approx(gc_fraction(seq["chrA"][1000:1400]), abs=1e-4)
    assert calls[["pos", "genotype"]].values.tolist() == [[1201, "het"], [2101, "hom"]]
    assert calls["ref"].iloc[0] == seq["chrA"][1200]
    snp = counts[counts["type"] == "snp"]
    assert snp["start"].tolist() == [1201, 2101]
    assert (snp["ref_count"] + snp["alt_count"]).iloc[0] == pytest.approx(READ, abs=1)
    # round trip through the file format
    write_tsv(counts, tmp_path / "N.counts.tsv.gz")
    back = read_counts(tmp_path / "N.counts.tsv.gz")
    assert back.shape == counts.shape
    # deterministic bytes
    write_tsv(counts, tmp_path / "N2.counts.tsv.gz")
    assert (tmp_path / "N.counts.tsv.gz").read_bytes() == (tmp_path / "N2.counts.tsv.gz").read_bytes()


def test_pileup_tumour_counts_at_given_snps(tmp_path):
    fa, bam, bed, seq = _make(tmp_path, sample="T", het_alt_fraction=0.9)
    snps = pd.DataFrame({"chrom": ["chrA", "chrA"], "pos": [1201, 2101],
                         "ref": [seq["chrA"][1200], seq["chrA"][2100]],
                         "alt": ["N", "N"]})
    alt_of = {"A": "G", "C": "T", "G": "A", "T": "C"}
    snps["alt"] = [alt_of[r] for r in snps["ref"]]
    counts, calls = pileup(str(bam), str(fa), str(bed), "T", snps=snps)
    assert calls is None
    s = counts[counts["type"] == "snp"]
    f = s["alt_count"] / (s["alt_count"] + s["ref_count"])
    assert f.iloc[0] > 0.75 and f.iloc[1] == 1.0


def test_pileup_bad_inputs(tmp_path):
    fa, bam, bed, _ = _make(tmp_path)
    with pytest.raises(InputError, match="SM"):
        pileup(str(bam), str(fa), str(bed), "OTHER")
    bad = tmp_path / "bad.bed"
    bad.write_text("chrA\t10\t5\n")
    with pytest.raises(InputError, match="line 1"):
        pileup(str(bam), str(fa), str(bad), "N")
    bad.write_text("chrZ\t10\t50\n")
    with pytest.raises(InputError, match="chrZ"):
        read_targets(bad, {"chrA": 3000})


def test_call_genotypes_thresholds():
    counts = np.array([[10, 10, 0, 0], [0, 0, 30, 0], [20, 1, 0, 0], [3, 4, 0, 0]])
    ref = np.array([0, 0, 0, 0])
    mask, alt, gt = call_genotypes(counts, ref, PileupParams())
    assert mask.tolist() == [True, True, False, False]
    assert gt[:2].tolist() == ["het", "hom"] and alt[:2].tolist() == [1, 2]


def test_population_vcf_restricts_calls(tmp_path):
    from escapeseq.cnv.snps import read_population_sites
    fa, bam, bed, seq = _make(tmp_path)
    alt_of = {"A": "G", "C": "T", "G": "A", "T": "C"}
    ref = seq["chrA"][1200]
    vcf = tmp_path / "pop.vcf"
    vcf.write_text("##fileformat=VCFv4.2\n##contig=<ID=chrA,length=3000>\n"
                   "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
                   f"chrA\t1201\t.\t{ref}\t{alt_of[ref]}\t.\tPASS\t.\n")
    pop = read_population_sites(vcf)
    _, calls = pileup(str(bam), str(fa), str(bed), "N", call_snps=True, population=pop)
    assert calls["pos"].tolist() == [1201] and calls["known"].tolist() == [True]


def test_population_ref_sites_listed_for_identity(tmp_path):
    from escapeseq.cnv.snps import read_population_sites
    fa, bam, bed, seq = _make(tmp_path)
    alt_of = {"A": "G", "C": "T", "G": "A", "T": "C"}
    other = {"A": "C", "C": "G", "G": "T", "T": "A"}
    r = {p: seq["chrA"][p - 1] for p in (1201, 1301, 1311, 2101, 2151)}
    vcf = tmp_path / "pop.vcf"
    vcf.write_text(
        "##fileformat=VCFv4.2\n##contig=<ID=chrA,length=3000>\n"
        '##INFO=<ID=AF,Number=A,Type=Float,Description="af">\n'
        "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n"
        f"chrA\t1201\t.\t{r[1201]}\t{alt_of[r[1201]]}\t.\tPASS\tAF=0.4\n"    # het
        f"chrA\t1301\t.\t{r[1301]}\t{other[r[1301]]}\t.\tPASS\tAF=0.3\n"     # hom-ref
        f"chrA\t1311\t.\t{r[1311]}\t{other[r[1311]]}\t.\tPASS\tAF=0.01\n"    # rare
        f"chrA\t2101\t.\t{r[2101]}\t{alt_of[r[2101]]}\t.\tPASS\tAF=0.6\n"    # hom-alt
        f"chrA\t2151\t.\t{r[2151]}\t{other[r[2151]]},{alt_of[r[2151]]}\t.\tPASS\tAF=0.02,0.2\n")
    pop = read_population_sites(vcf)
    assert pop[("chrA", 1301, other[r[1301]])] == pytest.approx(0.3)
    _, calls = pileup(str(bam), str(fa), str(bed), "N", call_snps=True, population=pop,
                      params=PileupParams(ref_sites_min_af=0.05))
    got = calls[["pos", "genotype"]].values.tolist()
    assert got == [[1201, "het"], [1301, "ref"], [2101, "hom"], [2151, "ref"]]
    ref = calls[calls["genotype"] == "ref"]
    assert ref["alt"].tolist() == [other[r[1301]], alt_of[r[2151]]]
    assert (ref["alt_count"] == 0).all() and (ref["depth"] >= 15).all()
    # without the option: only called SNPs
    _, plain = pileup(str(bam), str(fa), str(bed), "N", call_snps=True, population=pop)
    assert plain["genotype"].tolist() == ["het", "hom"]


@pytest.mark.parametrize("pos", [0, 3001, 10**9])
def test_pileup_snp_outside_the_contig_is_an_input_error(tmp_path, pos):
    """A SNP list from another genome build (a position past the contig's end, or 0) is a
    one-line error naming the row, not a traceback from the column counter."""
    fa, bam, bed, seq = _make(tmp_path, sample="T")
    snps = pd.DataFrame({"chrom": ["chrA", "chrA"], "pos": [1201, pos],
                         "ref": [seq["chrA"][1200], "A"], "alt": ["G", "C"]})
    with pytest.raises(InputError, match=r"--snps: row 3: chrA:%d is outside chrA \(1-3000\)" % pos):
        pileup(str(bam), str(fa), str(bed), "T", snps=snps)
