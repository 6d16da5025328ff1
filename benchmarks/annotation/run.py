"""SnpEff concordance + speed benchmark for escapeseq-annotate (one command).

    .venv/bin/python benchmarks/annotation/run.py --outdir benchmarks/out/annotation

Steps: build a synthetic genome + GTF + 60,000 edge-enriched variants (synth.py); build a
SnpEff 5.1 database from the same GTF + FASTA in a temporary directory; annotate the same
VCF with both tools pinned to one core (``taskset -c 0``), timing each run end to end
(process start to exit, so SnpEff's JVM start and database load and our GTF parse are
included); compare the canonical transcript's consequence and HGVS p. (compare.py).
Writes ``results.json`` and ``results.md`` (the table for docs) in ``--outdir``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SNPEFF_JAR = "/usr/share/java/snpeff.jar"


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd: list[str], stdout=None) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=stdout, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def one_core(cmd: list[str]) -> list[str]:
    return (["taskset", "-c", "0"] + cmd) if shutil.which("taskset") else cmd


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--outdir", type=Path, default=ROOT / "benchmarks" / "out" / "annotation")
    ap.add_argument("--variants", type=int, default=60000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args(argv)
    out = a.outdir.resolve()
    out.mkdir(parents=True, exist_ok=True)
    py = sys.executable
    ref = out / "ref"
    sh([py, str(HERE / "synth.py"), "--outdir", str(ref), "--variants", str(a.variants),
        "--seed", str(a.seed)])
    vcf = ref / "variants.vcf"
    # SnpEff database
    db = out / "snpeff"
    if db.exists():
        shutil.rmtree(db)
    (db / "data" / "bench").mkdir(parents=True)
    shutil.copy(ref / "genes.gtf", db / "data" / "bench" / "genes.gtf")
    shutil.copy(ref / "genome.fa", db / "data" / "bench" / "sequences.fa")
    chroms = [l[1:].split()[0] for l in open(ref / "genome.fa") if l.startswith(">")]
    cfg = db / "snpEff.config"
    cfg.write_text(f"data.dir = {db / 'data'}/\nbench.genome : bench\n"
                   f"bench.chromosomes : {', '.join(chroms)}\n"
                   + "".join(f"bench.{c}.codonTable : Standard\n" for c in chroms))
    sh(["java", "-Xmx2g", "-jar", SNPEFF_JAR, "build", "-gtf22", "-c", str(cfg), "-noCheckCds",
        "-noCheckProtein", "bench"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    n = sum(1 for l in open(vcf) if not l.startswith("#"))
    # timed runs, one core each, same input
    ours_vcf, ours_tsv = out / "ours.vcf.gz", out / "ours.tsv"
    t_ours = timed(one_core([py, str(ROOT / "bin" / "escapeseq-annotate"), "--fasta", str(ref / "genome.fa"),
                             "--gtf", str(ref / "genes.gtf"), "--vcf", str(vcf), "--out", str(ours_vcf),
                             "--tsv", str(ours_tsv), "--quiet"]))
    snp_vcf = out / "snpeff.vcf"
    with open(snp_vcf, "w") as fh:
        t_snp = timed(one_core(["java", "-Xmx4g", "-jar", SNPEFF_JAR, "ann", "-c", str(cfg), "-noStats",
                                "-noLog", "-q", "bench", str(vcf)]), stdout=fh)
    sh([py, str(HERE / "compare.py"), "--ours", str(ours_tsv), "--snpeff", str(snp_vcf),
        "--json", str(out / "concordance.json")], stdout=subprocess.DEVNULL)
    conc = json.loads((out / "concordance.json").read_text())
    res = {"variants": n, "ours_seconds": round(t_ours, 2), "snpeff_seconds": round(t_snp, 2),
           "ours_variants_per_s": round(n / t_ours), "snpeff_variants_per_s": round(n / t_snp),
           "speed_ratio_ours_over_snpeff": round(t_snp / t_ours, 2),
           **{k: conc[k] for k in ("compared", "pct_both", "pct_consequence", "pct_hgvs_p")},
           "classes": conc["classes"]}
    (out / "results.json").write_text(json.dumps(res, indent=1))
    md = [f"| variants | agreement (consequence + HGVS p.) | consequence | HGVS p. | ours (var/s) | SnpEff (var/s) | speed ratio |",
          "|---|---|---|---|---|---|---|",
          f"| {n} | {conc['pct_both']} % | {conc['pct_consequence']} % | {conc['pct_hgvs_p']} % | "
          f"{res['ours_variants_per_s']} | {res['snpeff_variants_per_s']} | {res['speed_ratio_ours_over_snpeff']}x |",
          "", "| disagreement class | count |", "|---|---|"]
    md += [f"| {k} | {v} |" for k, v in conc["classes"].items()]
    (out / "results.md").write_text("\n".join(md) + "\n")
    print("\n".join(md[:3]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
