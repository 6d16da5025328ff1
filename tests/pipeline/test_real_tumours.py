"""Issue 13 at pipeline level: what real tumours do that the curated patients did not.

* A copy-number-quiet baseline (purity only from the somatic VAFs) whose relapse gains a
  copy-neutral LOH over a heterozygous truncal JAK1 nonsense mutation (`--preset quiet`).
* A panel of normals built by `--build_pon` from the bundled normals, then used with a
  population germline resource (`--pon`, `--germline_resource`, indexes staged with them).
* A tumour from another person (sample swap): only that patient stops; the other runs to the
  end, and the mismatch with its evidence is in the cohort index and MultiQC.

The swap and PoN runs start from the BAMs the main `-profile test` run published.
"""

from __future__ import annotations

import csv
import subprocess
from pathlib import Path

import pysam
import pytest

from conftest import DATA, ROOT, nextflow

pytestmark = pytest.mark.pipeline

PY = ROOT / ".venv" / "bin" / "python"


def read_tsv(path: Path) -> list[dict[str, str]]:
    with open(path) as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def run_ok(res: subprocess.CompletedProcess, what: str) -> str:
    out = res.stdout + res.stderr
    if res.returncode != 0:
        pytest.fail(f"{what} failed ({res.returncode}):\n{out[-4000:]}")
    return out


def ref_args(ref: Path) -> list[str]:
    return ["--fasta", str(ref / "genome.fa"), "--gtf", str(ref / "genes.gtf"),
            "--targets", str(ref / "targets.bed"), "--arms", str(ref / "arms.bed")]


# ------------------------------------------------------------ copy-number-quiet patient

@pytest.fixture(scope="module")
def quiet(tmp_path_factory):
    base = tmp_path_factory.mktemp("quiet")
    data = base / "data"
    subprocess.run([str(PY), str(ROOT / "bin" / "escapeseq-simulate"), "--preset", "quiet",
                    "--seed", "7", "--outdir", str(data)], check=True, capture_output=True)
    res = nextflow(["--input", str(data / "samplesheet.csv"), *ref_args(data / "reference"),
                    "--outdir", str(base / "results"), "-w", str(base / "work")], cwd=base)
    run_ok(res, "quiet patient run")
    return data, base / "results" / "Q1"


def test_quiet_purity_from_somatic_vafs_within_005(quiet):
    data, out = quiet
    truth = {r["sample"]: float(r["purity"]) for r in read_tsv(data / "truth" / "purity.tsv")}
    for sample in ("Q1_B", "Q1_R"):
        row = read_tsv(out / "cnv" / f"{sample}.purity.tsv")[0]
        assert row["purity"], f"{sample}: purity not estimated ({row['purity_source']})"
        assert abs(float(row["purity"]) - truth[sample]) <= 0.05, (sample, row["purity"], truth[sample])
    # the flat baseline has no allelic imbalance: its purity can only come from the VAFs
    assert read_tsv(out / "cnv" / "Q1_B.purity.tsv")[0]["purity_source"] == "somatic_vaf"
    assert read_tsv(out / "cnv" / "Q1_R.purity.tsv")[0]["purity_source"] in ("somatic_vaf", "combined")


def test_quiet_acquired_cn_loh_and_jak1_first(quiet):
    data, out = quiet
    loh = read_tsv(out / "evolution" / "Q1.loh_changes.tsv")
    acquired = [r for r in loh if r["change"] == "acquired" and r["cn_neutral"] == "true"]
    jak1 = next(r for r in read_tsv(data / "truth" / "Q1.variants.tsv")
                if r["gene"] == "JAK1" and r["escape_event"] == "true")
    pos = int(jak1["pos"])
    assert any(r["chrom"] == jak1["chrom"] and int(r["start"]) <= pos <= int(r["end"]) for r in acquired), loh
    muts = read_tsv(out / "evolution" / "Q1.mutations.tsv")
    m = next(r for r in muts if r["chrom"] == jak1["chrom"] and int(r["pos"]) == pos)
    assert m["class"] == "shared" and m["loh_acquired"] == "true"
    assert float(m["Q1_R_adjusted_vaf"]) > 0.85 and m["homozygous_acquired"] == "true"
    top = read_tsv(out / "evolution" / "Q1.candidates.tsv")[0]
    assert (top["gene"], top["hgvs_p"], top["confidence"]) == ("JAK1", "p.Gln503Ter", "high")


# ------------------------------------------------- panel of normals, resources, identity

@pytest.fixture(scope="module")
def germline_vcf(tmp_path_factory) -> Path:
    """A population VCF (INFO/AF) of the bundled patients' germline variants, bgzipped + indexed."""
    d = tmp_path_factory.mktemp("germline")
    fai = [ln.split("\t")[:2] for ln in open(DATA / "reference" / "genome.fa.fai")]
    rows = []
    for p in ("P1", "P2", "P3"):
        for r in read_tsv(DATA / "truth" / f"{p}.variants.tsv"):
            if r["origin"] == "germline":
                rows.append((r["chrom"], int(r["pos"]), r["ref"], r["alt"]))
    order = {c: i for i, (c, _) in enumerate(fai)}
    rows = sorted(set(rows), key=lambda r: (order[r[0]], r[1], r[2], r[3]))
    text = ["##fileformat=VCFv4.2",
            '##INFO=<ID=AF,Number=A,Type=Float,Description="Population allele frequency">',
            *[f"##contig=<ID={c},length={n}>" for c, n in fai],
            "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO"]
    text += [f"{c}\t{pos}\t.\t{ref}\t{alt}\t.\tPASS\tAF=0.2" for c, pos, ref, alt in rows]
    plain = d / "population.vcf"
    plain.write_text("\n".join(text) + "\n")
    pysam.tabix_compress(str(plain), str(plain) + ".gz", force=True)
    pysam.tabix_index(str(plain) + ".gz", preset="vcf", force=True)
    return Path(str(plain) + ".gz")


def bam_sheet(path: Path, rows: list[tuple[str, str, str, Path]]) -> Path:
    path.write_text("patient,sample,timepoint,bam\n" +
                    "".join(f"{p},{s},{t},{b}\n" for p, s, t, b in rows))
    return path


@pytest.fixture(scope="module")
def pon(test_run, tmp_path_factory):
    base = tmp_path_factory.mktemp("pon")
    normals = [(f"{p}N", f"{p}_N", "normal", test_run.outdir / p / "alignment" / f"{p}_N.bam")
               for p in ("P1", "P2", "P3")]
    sheet = bam_sheet(base / "normals.csv", normals)
    res = nextflow(["--build_pon", "--input", str(sheet), *ref_args(DATA / "reference"),
                    "--outdir", str(base / "results"), "-w", str(base / "work")], cwd=base)
    run_ok(res, "--build_pon run")
    return base / "results" / "pon"


def test_build_pon_writes_an_indexed_panel_of_recurrent_sites(pon):
    panel = pon / "escapeseq.pon.vcf.gz"
    assert (pon / "escapeseq.pon.vcf.gz.tbi").exists()
    for n in ("P1_N", "P2_N", "P3_N"):
        assert (pon / "sites" / f"{n}.sites.vcf.gz").exists()
    with pysam.VariantFile(str(panel)) as vf:
        recs = list(vf)
    assert recs, "empty panel"
    assert all(r.info["N_SAMPLES"] >= 2 for r in recs)
    # every panel site is in at least two of the per-normal site lists
    seen = {}
    for n in ("P1_N", "P2_N", "P3_N"):
        with pysam.VariantFile(str(pon / "sites" / f"{n}.sites.vcf.gz")) as vf:
            for r in vf:
                for a in r.alts or ():
                    seen.setdefault((r.chrom, r.pos, r.ref, a), set()).add(n)
    for r in recs:
        assert any(len(seen.get((r.chrom, r.pos, r.ref, a), ())) >= 2 for a in r.alts)


@pytest.fixture(scope="module")
def swap(test_run, pon, germline_vcf, tmp_path_factory):
    """P3 as bundled, and SWAP: P1's normal with P2's baseline tumour (another person)."""
    base = tmp_path_factory.mktemp("swap")
    aln = lambda p, s: test_run.outdir / p / "alignment" / f"{s}.bam"  # noqa: E731
    sheet = bam_sheet(base / "sheet.csv", [
        ("P3", "P3_N", "normal", aln("P3", "P3_N")), ("P3", "P3_B", "baseline", aln("P3", "P3_B")),
        ("P3", "P3_R", "relapse", aln("P3", "P3_R")),
        ("SWAP", "P1_N", "normal", aln("P1", "P1_N")), ("SWAP", "P2_B", "baseline", aln("P2", "P2_B")),
    ])
    res = nextflow(["--input", str(sheet), *ref_args(DATA / "reference"),
                    "--pon", str(pon / "escapeseq.pon.vcf.gz"), "--germline_resource", str(germline_vcf),
                    "--outdir", str(base / "results"), "-w", str(base / "work")], cwd=base)
    return run_ok(res, "swap run with --pon and --germline_resource"), base / "results"


def test_swap_stops_only_its_patient(swap):
    log, out = swap
    ident = read_tsv(out / "SWAP" / "cnv" / "SWAP.identity.tsv")
    assert [r["decision"] for r in ident] == ["mismatch"]
    assert float(ident[0]["log10_lr"]) < -2
    assert "patient SWAP" in log and "stopped" in log
    # nothing past identity for SWAP; P3 runs to the end
    assert not (out / "SWAP" / "somatic").exists() and not (out / "SWAP" / "report").exists()
    assert (out / "P3" / "report" / "P3.report.html").exists()
    assert [r["decision"] for r in read_tsv(out / "P3" / "cnv" / "P3.identity.tsv")] == ["match", "match"]
    index = (out / "index.html").read_text()
    assert "Stopped" in index and "SWAP" in index and "mismatch" in index
    mqc = (out / "multiqc" / "multiqc_report.html").read_text(errors="replace")
    assert "mismatch" in mqc


def test_swap_run_used_pon_and_germline_resource(swap, pon, germline_vcf):
    log, out = swap
    with pysam.VariantFile(str(pon / "escapeseq.pon.vcf.gz")) as vf:
        panel = {(r.chrom, r.pos, r.ref, a) for r in vf for a in r.alts}
    with pysam.VariantFile(str(germline_vcf)) as vf:
        population = {(r.chrom, r.pos, r.ref, a) for r in vf for a in r.alts}
    n_pon = n_pop = 0
    with pysam.VariantFile(str(out / "P3" / "somatic" / "P3.somatic.vcf.gz")) as vf:
        for r in vf:
            keys = {(r.chrom, r.pos, r.ref, a) for a in r.alts}
            if keys & panel:
                n_pon += 1
                assert "panel_of_normals" in r.filter, (r.chrom, r.pos)
            if keys & population:
                n_pop += 1
                assert "PASS" not in r.filter, (r.chrom, r.pos)
    assert n_pon > 0 and n_pop > 0, (n_pon, n_pop)
