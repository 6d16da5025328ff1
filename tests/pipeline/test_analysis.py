"""The analysis on the bundled patients, checked against the generator's truth files.

P1: JAK1 p.Gln503Ter relapse-only, homozygous through copy-neutral LOH of chr1p at relapse.
P2: JAK2 exon-12 splice-donor hit (chr9 CN-LOH at relapse) and a B2M exon-1 frameshift.
P3: negative control — no escape event.
"""

from __future__ import annotations

import csv
import gzip
import re
import subprocess
from pathlib import Path

import pysam
import pytest

from conftest import DATA

pytestmark = pytest.mark.pipeline

PATIENTS = ("P1", "P2", "P3")


def read_tsv(path: Path) -> list[dict[str, str]]:
    opener = gzip.open if str(path).endswith(".gz") else open
    with opener(path, "rt") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def truth(patient: str) -> list[dict[str, str]]:
    return read_tsv(DATA / "truth" / f"{patient}.variants.tsv")


def samples(patient: str) -> dict[str, str]:
    """timepoint -> sample ID of a bundled patient."""
    with open(DATA / "samplesheet.csv") as fh:
        return {r["timepoint"]: r["sample"] for r in csv.DictReader(fh) if r["patient"] == patient}


def vcf_records(run, patient: str) -> dict[tuple, pysam.VariantRecord]:
    path = run.outdir / patient / "somatic" / f"{patient}.somatic.vcf.gz"
    out = {}
    with pysam.VariantFile(str(path)) as vf:
        for rec in vf:
            for alt in rec.alts or ():
                out[(rec.chrom, rec.pos, rec.ref, alt)] = rec
    return out


def escape_event(patient: str, gene: str) -> dict[str, str]:
    return next(r for r in truth(patient) if r["escape_event"] == "true" and r["gene"] == gene)


# ----------------------------------------------------------------- somatic calling

@pytest.mark.parametrize("patient", PATIENTS)
def test_somatic_vcf_is_valid_and_multisample(test_run, patient):
    path = test_run.outdir / patient / "somatic" / f"{patient}.somatic.vcf.gz"
    assert Path(str(path) + ".tbi").exists()
    subprocess.run(["bcftools", "view", "-h", str(path)], check=True, capture_output=True)
    res = subprocess.run(["bcftools", "norm", "-c", "e", "-f", str(DATA / "reference" / "genome.fa"),
                          "-O", "v", str(path)], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert "total/split/realigned/skipped:" in res.stderr
    m = re.search(r"total/split/realigned/skipped:\s+(\d+)/(\d+)/(\d+)/(\d+)", res.stderr)
    assert m and int(m.group(3)) == 0, res.stderr  # nothing needed re-normalising
    with pysam.VariantFile(str(path)) as vf:
        assert list(vf.header.samples) == [samples(patient)[t] for t in ("normal", "baseline", "relapse")]
        for key in ("GT", "AD", "DP", "AF"):
            assert key in vf.header.formats


@pytest.mark.parametrize("patient", PATIENTS)
def test_truth_mutations_recovered(test_run, patient):
    """SNV recall >= 0.9 for clonal-enough truth (VAF >= 0.15 somewhere), precision >= 0.9."""
    recs = vcf_records(test_run, patient)
    tps = [r for r in truth(patient) if r["origin"] == "somatic" and r["type"] == "snv"]
    vaf_cols = [c for c in tps[0] if c.endswith("_vaf") and not c.startswith(f"{patient}_N")]
    expected = {(r["chrom"], int(r["pos"]), r["ref"], r["alt"]) for r in tps
                if max(float(r[c]) for c in vaf_cols) >= 0.15}
    called = {k for k, rec in recs.items() if "PASS" in rec.filter.keys() and len(k[2]) == len(k[3]) == 1}
    found = expected & called
    recall = len(found) / len(expected)
    precision = len(called & {(r["chrom"], int(r["pos"]), r["ref"], r["alt"]) for r in tps}) / max(1, len(called))
    assert recall >= 0.9, f"recall {recall:.3f}: missed {sorted(expected - called)[:10]}"
    assert precision >= 0.9, f"precision {precision:.3f}: extra {sorted(called - expected)[:10]}"


def test_jak1_stop_is_relapse_only_with_no_baseline_reads(test_run):
    ev = escape_event("P1", "JAK1")
    rec = vcf_records(test_run, "P1")[(ev["chrom"], int(ev["pos"]), ev["ref"], ev["alt"])]
    s = samples("P1")
    assert "PASS" in rec.filter.keys()
    base_ad = rec.samples[s["baseline"]]["AD"]
    rel_ad = rec.samples[s["relapse"]]["AD"]
    assert base_ad[1] == 0 and sum(base_ad) >= 30  # seen to be absent, with depth to see it
    assert rel_ad[1] / sum(rel_ad) > 0.45


# ----------------------------------------------------------------- copy number

@pytest.mark.parametrize("patient", PATIENTS)
def test_purity_within_tolerance(test_run, patient):
    want = {r["sample"]: float(r["purity"]) for r in read_tsv(DATA / "truth" / "purity.tsv")
            if r["patient"] == patient}
    for sample, p in want.items():
        (row,) = read_tsv(test_run.outdir / patient / "cnv" / f"{sample}.purity.tsv")
        assert row["purity_source"] in ("allelic_imbalance", "combined")
        assert abs(float(row["purity"]) - p) <= 0.1, (sample, row["purity"], p)


def test_jak1_arm_cn_loh_acquired_at_relapse(test_run):
    ev = escape_event("P1", "JAK1")
    rows = read_tsv(test_run.outdir / "P1" / "evolution" / "P1.loh_changes.tsv")
    hit = [r for r in rows if r["chrom"] == ev["chrom"]
           and int(r["start"]) <= int(ev["pos"]) <= int(r["end"])]
    assert hit and hit[0]["change"] == "acquired" and hit[0]["cn_neutral"] == "true", rows
    assert not any(r["change"] == "acquired" for r in
                   read_tsv(test_run.outdir / "P3" / "evolution" / "P3.loh_changes.tsv"))


@pytest.mark.parametrize("patient", PATIENTS)
def test_segments_contract(test_run, patient):
    for t in ("baseline", "relapse"):
        s = samples(patient)[t]
        rows = read_tsv(test_run.outdir / patient / "cnv" / f"{s}.segments.tsv")
        assert rows
        for col in ("sample", "chrom", "start", "end", "n_snps", "log2_ratio", "baf", "cn_total",
                    "cn_minor", "loh", "cn_neutral_loh"):
            assert col in rows[0]
        assert {r["loh"] for r in rows} <= {"true", "false"}
        assert (test_run.outdir / patient / "cnv" / f"{s}.seg").exists()


# ----------------------------------------------------------------- annotation

def annotation_of(run, patient: str, ev: dict[str, str]) -> dict[str, str]:
    rows = read_tsv(run.outdir / patient / "annotation" / f"{patient}.annotation.tsv")
    return next(r for r in rows if (r["chrom"], r["pos"], r["ref"], r["alt"]) ==
                (ev["chrom"], ev["pos"], ev["ref"], ev["alt"]))


def test_escape_events_annotated(test_run):
    jak1 = annotation_of(test_run, "P1", escape_event("P1", "JAK1"))
    assert jak1["consequence"].startswith("stop_gained") and jak1["lof_confidence"] == "high"
    assert jak1["hgvs_p"].endswith("p.Gln503Ter") or jak1["hgvs_p"] == "p.Gln503Ter"
    jak2 = annotation_of(test_run, "P2", escape_event("P2", "JAK2"))
    assert re.search(r"splice_(donor|acceptor)_variant", jak2["consequence"])
    b2m = annotation_of(test_run, "P2", escape_event("P2", "B2M"))
    assert "frameshift_variant" in b2m["consequence"] and b2m["exon"].startswith("1/")


# ----------------------------------------------------------------- evolution + report

def test_jak1_ranks_first_with_loh_second_hit(test_run):
    rows = read_tsv(test_run.outdir / "P1" / "evolution" / "P1.candidates.tsv")
    top = rows[0]
    assert top["gene"] == "JAK1" and top["rank"] == "1" and top["confidence"] == "high"
    assert "LOH" in top["explanation"] and "relapse-only" in top["explanation"]


def test_negative_control_has_no_high_confidence_candidate(test_run):
    rows = read_tsv(test_run.outdir / "P3" / "evolution" / "P3.candidates.tsv")
    assert not [r for r in rows if r["confidence"] == "high"]


@pytest.mark.parametrize("patient", PATIENTS)
def test_shared_fraction_matches_truth(test_run, patient):
    """Fraction of baseline mutations retained at relapse, within 2 percentage points."""
    t = [r for r in truth(patient) if r["origin"] == "somatic"]
    base = [r for r in t if r["class"] in ("shared", "baseline_only")]
    want = sum(r["class"] == "shared" for r in base) / len(base)
    summary = {r["metric"]: r["value"] for r in
               read_tsv(test_run.outdir / patient / "evolution" / f"{patient}.summary.tsv")}
    got = float(summary["baseline_retained_fraction"])
    assert abs(got - want) <= 0.02, (got, want)


@pytest.mark.parametrize("patient", PATIENTS)
def test_mutations_table_contract(test_run, patient):
    rows = read_tsv(test_run.outdir / patient / "evolution" / f"{patient}.mutations.tsv")
    head = list(rows[0])
    fixed = ["chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "hgvs_p",
             "lof_confidence", "filter"]
    assert head[:len(fixed)] == fixed
    for s in (samples(patient)["baseline"], samples(patient)["relapse"]):
        for c in ("alt_reads", "depth", "vaf", "adjusted_vaf"):
            assert f"{s}_{c}" in head
    for c in ("class", "homozygous_acquired", "loh_acquired", "escape_gene", "pathway", "rank"):
        assert c in head


@pytest.mark.parametrize("patient", PATIENTS)
def test_report_is_self_contained(test_run, patient):
    html = (test_run.outdir / patient / "report" / f"{patient}.report.html").read_text()
    # no element loads anything from elsewhere (igv.js itself is inlined)
    assert not re.search(r"""<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""",
                         html, flags=re.I)
    assert not re.search(r"<script[^>]*\bsrc=", html, flags=re.I)
    assert (test_run.outdir / "index.html").exists()


# ----------------------------------------------------------------- MAF

def maf_rows(path: Path) -> list[dict[str, str]]:
    with open(path) as fh:
        assert fh.readline() == "#version 2.4\n"
    return read_tsv(path)


def maf_row(run, patient: str, ev: dict[str, str], timepoint: str) -> dict[str, str]:
    """The patient's MAF row of truth event ``ev`` at ``timepoint`` (VCF pos: a deletion's
    MAF Start is one past the VCF anchor base)."""
    rows = maf_rows(run.outdir / patient / "annotation" / f"{patient}.maf")
    pos = int(ev["pos"]) + (len(ev["ref"]) > len(ev["alt"]))
    hits = [r for r in rows if (r["Chromosome"], int(r["Start_Position"]), r["timepoint"]) ==
            (ev["chrom"], pos, timepoint)]
    assert len(hits) == 1, (patient, ev["gene"], timepoint, len(hits))
    return hits[0]


def test_maf_jak1_nonsense_at_relapse_only(test_run):
    ev = escape_event("P1", "JAK1")
    r = maf_row(test_run, "P1", ev, "relapse")
    assert (r["Hugo_Symbol"], r["Variant_Classification"], r["Variant_Type"]) == \
        ("JAK1", "Nonsense_Mutation", "SNP")
    assert r["HGVSp_Short"] == "p.Q503*" and r["HGVSp"].endswith("p.Gln503Ter")
    assert r["Tumor_Sample_Barcode"] == samples("P1")["relapse"]
    assert r["Matched_Norm_Sample_Barcode"] == samples("P1")["normal"]
    assert (r["class"], r["homozygous_acquired"], r["loh_acquired"], r["escape_gene"]) == \
        ("relapse_only", "true", "true", "true")
    assert r["candidate_rank"] == "1" and r["candidate_confidence"] == "high"
    # no baseline row: absent at baseline (0 alt reads there)
    rows = maf_rows(test_run.outdir / "P1" / "annotation" / "P1.maf")
    assert not [x for x in rows if x["Hugo_Symbol"] == "JAK1" and x["timepoint"] == "baseline"
                and x["Variant_Classification"] == "Nonsense_Mutation"]


def test_maf_p2_escape_events(test_run):
    b2m = maf_row(test_run, "P2", escape_event("P2", "B2M"), "relapse")
    ev = escape_event("P2", "B2M")
    assert (b2m["Variant_Classification"], b2m["Variant_Type"]) == ("Frame_Shift_Del", "DEL")
    assert b2m["Reference_Allele"] == ev["ref"][1:] and b2m["Tumor_Seq_Allele2"] == "-"
    assert int(b2m["End_Position"]) - int(b2m["Start_Position"]) + 1 == len(ev["ref"]) - 1
    jak2 = maf_row(test_run, "P2", escape_event("P2", "JAK2"), "relapse")
    assert jak2["Variant_Classification"] == "Splice_Site" and jak2["homozygous"] == "true"


@pytest.mark.parametrize("patient", PATIENTS)
def test_maf_agrees_with_mutations_table(test_run, patient):
    """One MAF row per mutations.tsv row per tumour with >= 2 alt reads (the default
    --min-alt-reads of the classification), with that row's counts and class."""
    muts = read_tsv(test_run.outdir / patient / "evolution" / f"{patient}.mutations.tsv")
    rows = maf_rows(test_run.outdir / patient / "annotation" / f"{patient}.maf")
    tumours = [samples(patient)["baseline"], samples(patient)["relapse"]]
    want = sorted((m["chrom"], int(m["pos"]), s, m[f"{s}_alt_reads"], m["class"])
                  for m in muts for s in tumours if int(m[f"{s}_alt_reads"]) >= 2)
    got = sorted((r["Chromosome"], int(r["Start_Position"]) - (r["Variant_Type"] == "DEL"),
                  r["Tumor_Sample_Barcode"], r["t_alt_count"], r["class"]) for r in rows)
    assert got == want


@pytest.mark.parametrize("patient", PATIENTS)
def test_maf_reference_alleles_match_the_genome(test_run, patient):
    rows = maf_rows(test_run.outdir / patient / "annotation" / f"{patient}.maf")
    with pysam.FastaFile(str(DATA / "reference" / "genome.fa")) as fa:
        for r in rows:
            s, e = int(r["Start_Position"]), int(r["End_Position"])
            if r["Reference_Allele"] == "-":
                assert e == s + 1
            else:
                assert fa.fetch(r["Chromosome"], s - 1, e).upper() == r["Reference_Allele"], r


def test_cohort_maf_is_every_patient(test_run):
    lines = (test_run.outdir / "cohort.maf").read_text().splitlines()
    assert lines[0] == "#version 2.4" and sum(ln.startswith("Hugo_Symbol\t") for ln in lines) == 1
    parts = [(test_run.outdir / p / "annotation" / f"{p}.maf").read_text().splitlines()
             for p in PATIENTS]
    assert lines == parts[0][:2] + [ln for p in parts for ln in p[2:]]


# ----------------------------------------------------------------- cohort view (index.html + TSVs)

def test_cohort_view_and_tsvs(test_run):
    """P1 JAK1 homozygous nonsense at relapse (high), P2 JAK2 splice (homozygous) and B2M
    frameshift, P3 no escape event and no high candidate; the grid in index.html says the same."""
    ev = read_tsv(test_run.outdir / "cohort.escape.tsv")
    hits = {(r["patient"], r["gene"], r["timepoint"]): r for r in ev if r["present"] == "true"}
    seen = {(r["patient"], r["gene"], r["timepoint"]) for r in ev}
    jak1 = hits[("P1", "JAK1", "relapse")]
    assert jak1["variant_class"] == "nonsense" and jak1["homozygous"] == "true"
    assert jak1["loh_acquired"] == "true" and jak1["confidence"] == "high" and jak1["candidate_rank"] == "1"
    # not visible at baseline: a row with its read counts, not present
    assert ("P1", "JAK1", "baseline") in seen and ("P1", "JAK1", "baseline") not in hits
    jak2 = hits[("P2", "JAK2", "relapse")]
    assert jak2["variant_class"] == "splice" and jak2["homozygous"] == "true" and jak2["confidence"] == "high"
    assert hits[("P2", "B2M", "relapse")]["variant_class"] == "frameshift"
    assert not [r for r in ev if r["patient"] == "P3" and r["confidence"] == "high"]
    summ = {r["patient"]: r for r in read_tsv(test_run.outdir / "cohort.summary.tsv")}
    assert sorted(summ) == list(PATIENTS) and {r["status"] for r in summ.values()} == {"analysed"}
    for p in PATIENTS:
        ev_summary = {r["metric"]: r["value"] for r in
                      read_tsv(test_run.outdir / p / "evolution" / f"{p}.summary.tsv")}
        for k in ("baseline_retained_fraction", "n_relapse_only", "n_homozygous_relapse_only"):
            assert summ[p][k] == ev_summary[k]
        assert summ[p]["report"] == f"{p}/report/{p}.report.html"
        assert (test_run.outdir / summ[p]["report"]).exists()
    assert summ["P1"]["escape_genes_hit"] == "JAK1" and summ["P2"]["escape_genes_hit"] == "B2M,JAK2"
    assert summ["P3"]["n_candidates_high"] == "0"
    html = (test_run.outdir / "index.html").read_text()
    assert 'id="cohort"' in html and re.search(r'vc-nonsense homcell"[^>]*><span class="lbl">Q503\*</span>', html)
    assert re.search(r'vc-splice homcell"', html) and re.search(r'vc-frameshift"', html)
    assert not re.search(r"""<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
