#!/usr/bin/env python3
"""Read-level benchmark of escapeseq-cnv (and CNVkit as the peer) on escapeseq-simulate
output that has been aligned (bwa mem | samtools sort; one <sample>.bam per sample).

For every patient in the samplesheet: `escapeseq-cnv pileup` (normal with --call-snps,
tumours with --snps), `identity`, `fit` per tumour, `loh-changes`; scored against
truth/<patient>.segments.tsv and truth/purity.tsv. With --cnvkit, CNVkit 0.9.9 runs on
the same BAMs (`batch` with the normal as reference, CBS segmentation; `call` with the
TRUE purity — CNVkit does not estimate purity — `--sample-sex`, and a bcftools VCF of
the normal's SNPs for allele-specific copy number), scored the same way.

    .venv/bin/python benchmarks/cnv/bench_reads.py --sim /tmp/cnv/sim/test \\
        --bams /tmp/cnv/aln/test --work /tmp/cnv/rb_test --out results.tsv [--cnvkit]
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE / "bin"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from escapeseq.cnv.loh import loh_changes  # noqa: E402
from evaluate import acquired_found, loh_scores  # noqa: E402

CNV = [sys.executable, str(HERE / "bin" / "escapeseq-cnv")]


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.stderr.write(f"FAILED ({r.returncode}): {' '.join(cmd)}\n{r.stderr[-2000:]}\n")
    return r


def acquired_truth(truth: pd.DataFrame, base: str, rel: str) -> list[tuple[str, int, int]]:
    """Truth regions LOH at relapse but not at baseline."""
    b = truth[truth["sample"] == base]
    out = []
    loh = truth["loh"].astype(str).str.lower() == "true"
    for _, r in truth[(truth["sample"] == rel) & loh].iterrows():
        bb = b[(b["chrom"] == r["chrom"]) & (b["start"] <= r["end"]) & (b["end"] >= r["start"])]
        if not (bb["loh"].astype(str).str.lower() == "true").any():
            out.append((r["chrom"], int(r["start"]), int(r["end"])))
    return out


def cnvkit_patient(w: Path, ref: Path, targets: Path, normal: str, tumours: list[str],
                   bams: Path, purity: dict, sex: str, snps: Path) -> dict[str, pd.DataFrame]:
    """CNVkit batch + call (true purity, VCF BAF); segments as a segments-like table."""
    ck = w / "cnvkit"
    ck.mkdir(exist_ok=True)
    env = dict(os.environ, MPLBACKEND="Agg")
    if not (ck / "ref.cnn").exists():
        run(["cnvkit", "batch", *[str(bams / f"{t}.bam") for t in tumours],
             "--normal", str(bams / f"{normal}.bam"), "--targets", str(targets),
             "--fasta", str(ref), "--output-reference", str(ck / "ref.cnn"),
             "--output-dir", str(ck), "-p", "1", "--segment-method", "cbs",
             *(["--male-reference"] if sex == "male" else [])], env=env)
    # germline SNP VCF (normal + tumours) for allele-specific calls
    sites = ck / "sites.tsv"
    s = pd.read_csv(snps, sep="\t")
    s[["chrom", "pos"]].to_csv(sites, sep="\t", header=False, index=False)
    vcf = ck / "snps.vcf.gz"
    if not vcf.exists():
        p1 = subprocess.Popen(["bcftools", "mpileup", "-f", str(ref), "-T", str(sites),
                               "-a", "FORMAT/AD,FORMAT/DP", "-d", "10000", "-Ou",
                               str(bams / f"{normal}.bam"),
                               *[str(bams / f"{t}.bam") for t in tumours]],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        subprocess.run(["bcftools", "call", "-m", "-Oz", "-o", str(vcf)], stdin=p1.stdout,
                       stderr=subprocess.DEVNULL, check=True)
        p1.wait()
    out = {}
    for t in tumours:
        cns = ck / f"{t}.cns"
        call = ck / f"{t}.call.cns"
        run(["cnvkit", "call", str(cns), "--purity", str(purity[t]), "--sample-sex", sex,
             "-v", str(vcf), "--sample-id", t, "--normal-id", normal, "-o", str(call),
             *(["--male-reference"] if sex == "male" else [])], env=env)
        if not call.exists():
            continue
        c = pd.read_csv(call, sep="\t")
        c = c.rename(columns={"chromosome": "chrom"})
        c["start"] = c["start"] + 1
        cn1 = c["cn1"] if "cn1" in c else c["cn"]
        cn2 = c["cn2"] if "cn2" in c else np.nan
        seg = pd.DataFrame({"sample": t, "chrom": c["chrom"], "start": c["start"],
                            "end": c["end"], "cn_total": c["cn"],
                            "cn_major": cn1, "cn_minor": cn2})
        hap = (seg["chrom"].isin(["chrX", "X"])) & (sex == "male")
        seg["loh"] = (seg["cn_minor"] == 0) & (seg["cn_total"] > 0) & ~hap
        seg["cn_neutral_loh"] = seg["loh"] & (seg["cn_total"] == 2)
        out[t] = seg
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sim", required=True, type=Path, help="escapeseq-simulate outdir")
    ap.add_argument("--bams", required=True, type=Path, help="dir with <sample>.bam(.bai)")
    ap.add_argument("--work", required=True, type=Path)
    ap.add_argument("--out", required=True, type=Path)
    ap.add_argument("--cnvkit", action="store_true")
    a = ap.parse_args()
    a.work.mkdir(parents=True, exist_ok=True)
    sheet = pd.read_csv(a.sim / "samplesheet.csv")
    truth_p = pd.read_csv(a.sim / "truth" / "purity.tsv", sep="\t")
    purity = dict(zip(truth_p["sample"], truth_p["purity"]))
    ploidy = dict(zip(truth_p["sample"], truth_p["ploidy"]))
    pts = pd.read_csv(a.sim / "truth" / "patients.tsv", sep="\t") \
        if (a.sim / "truth" / "patients.tsv").exists() else None
    ref = a.bams / "genome.fa"
    targets = a.sim / "reference" / "targets.bed"
    tg = pd.read_csv(targets, sep="\t", header=None, usecols=[0, 1, 2],
                     names=["chrom", "start", "end"])
    tg["start"] += 1
    rows = []
    for patient, d in sheet.groupby("patient", sort=False):
        w = a.work / patient
        w.mkdir(exist_ok=True)
        normal = d.loc[d["timepoint"].astype(str).isin(["normal", "0"]), "sample"].iloc[0]
        tumours = d.loc[~d["timepoint"].astype(str).isin(["normal", "0"]), "sample"].tolist()
        sex = "female"
        if pts is not None and "sex" in pts.columns:
            sex = str(pts.loc[pts["patient"] == patient, "sex"].iloc[0])
        truth = pd.read_csv(a.sim / "truth" / f"{patient}.segments.tsv", sep="\t")
        t0 = time.time()
        if not (w / f"{normal}.counts.tsv.gz").exists():
            run(CNV + ["pileup", "--fasta", str(ref), "--targets", str(targets), "--bam",
                       str(a.bams / f"{normal}.bam"), "--sample", normal, "--call-snps",
                       str(w / f"{normal}.snps.tsv"), "--out",
                       str(w / f"{normal}.counts.tsv.gz")])
        for t in tumours:
            if (w / f"{t}.counts.tsv.gz").exists():
                continue
            run(CNV + ["pileup", "--fasta", str(ref), "--targets", str(targets), "--bam",
                       str(a.bams / f"{t}.bam"), "--sample", t, "--snps",
                       str(w / f"{normal}.snps.tsv"), "--out", str(w / f"{t}.counts.tsv.gz")])
        t_pile = time.time() - t0
        run(CNV + ["identity", "--patient", patient, "--normal",
                         str(w / f"{normal}.counts.tsv.gz"), "--normal-sample", normal,
                         "--tumour", *[str(w / f"{t}.counts.tsv.gz") for t in tumours],
                         "--tumour-sample", *tumours, "--out", str(w / "identity.tsv")])
        ident = pd.read_csv(w / "identity.tsv", sep="\t")
        segs = {}
        for t in tumours:
            t0 = time.time()
            run(CNV + ["fit", "--patient", patient, "--normal",
                       str(w / f"{normal}.counts.tsv.gz"), "--tumour",
                       str(w / f"{t}.counts.tsv.gz"), "--sample", t, "--outdir", str(w)])
            p = pd.read_csv(w / f"{t}.purity.tsv", sep="\t")
            segs[t] = pd.read_csv(w / f"{t}.segments.tsv", sep="\t")
            sc = loh_scores(truth[truth["sample"] == t], segs[t], targets=tg)
            rows.append({"tool": "escapeseq-cnv", "patient": patient, "sample": t,
                         "true_purity": purity[t], "purity": p["purity"][0],
                         "purity_error": round(abs(p["purity"][0] - purity[t]), 3),
                         "true_ploidy": ploidy[t], "ploidy": p["ploidy"][0],
                         "ploidy_correct": abs(p["ploidy"][0] - ploidy[t]) < 0.5,
                         "concordance": ident.loc[ident["tumour"] == t, "concordance"].iloc[0],
                         "identity": ident.loc[ident["tumour"] == t, "decision"].iloc[0],
                         "identity_log10_lr": ident.loc[ident["tumour"] == t,
                                                        "log10_lr"].iloc[0],
                         **sc, "fit_seconds": round(time.time() - t0, 1),
                         "pileup_seconds_patient": round(t_pile, 1)})
        run(CNV + ["loh-changes", "--patient", patient, "--baseline",
                   str(w / f"{tumours[0]}.segments.tsv"), "--relapse",
                   *[str(w / f"{t}.segments.tsv") for t in tumours[1:]],
                   "--out", str(w / f"{patient}.loh_changes.tsv")])
        ch = pd.read_csv(w / f"{patient}.loh_changes.tsv", sep="\t")
        acq = acquired_truth(truth, tumours[0], tumours[-1])
        found = all(acquired_found(r, ch, targets=tg) for r in acq) if acq else None
        false_acq = int((ch["change"] == "acquired").sum()) - sum(
            acquired_found(r, ch, 0.5, targets=tg) for r in acq)
        for r in rows:
            if r["patient"] == patient and r["tool"] == "escapeseq-cnv":
                r["acquired_truth"] = len(acq)
                r["acquired_found"] = found
                r["false_acquired"] = false_acq
        if a.cnvkit:
            ck = cnvkit_patient(w, ref, targets, normal, tumours, a.bams, purity, sex,
                                w / f"{normal}.snps.tsv")
            for t, seg in ck.items():
                sc = loh_scores(truth[truth["sample"] == t], seg, targets=tg)
                cn = seg["cn_total"].to_numpy(dtype=float)
                ln = (seg["end"] - seg["start"] + 1).to_numpy(dtype=float)
                rows.append({"tool": "cnvkit (true purity given)", "patient": patient,
                             "sample": t, "true_purity": purity[t], "purity": np.nan,
                             "purity_error": np.nan, "true_ploidy": ploidy[t],
                             "ploidy": round(float((cn * ln).sum() / ln.sum()), 3),
                             "ploidy_correct": abs((cn * ln).sum() / ln.sum() - ploidy[t]) < 0.5,
                             **sc})
            if len(ck) == len(tumours):
                chk = loh_changes([ck[t] for t in tumours], tumours)
                f2 = all(acquired_found(r, chk, targets=tg) for r in acq) if acq else None
                fa2 = int((chk["change"] == "acquired").sum()) - sum(
                    acquired_found(r, chk, 0.5, targets=tg) for r in acq)
                for r in rows:
                    if r["patient"] == patient and r["tool"].startswith("cnvkit"):
                        r["acquired_truth"] = len(acq)
                        r["acquired_found"] = f2
                        r["false_acquired"] = fa2
    df = pd.DataFrame(rows)
    df.to_csv(a.out, sep="\t", index=False)
    print(df.to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
