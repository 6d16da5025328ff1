"""SnpEff concordance + speed benchmark for escapeseq-annotate (one command).

    .venv/bin/python benchmarks/annotation/run.py --outdir benchmarks/out/annotation

Steps: build a synthetic genome + GTF + 60,000 edge-enriched variants plus
60,000 exome-like variants (synth.py); build a
SnpEff 5.1 database from the same GTF + FASTA in a temporary directory (removed at
the end); annotate the same
VCF with both tools pinned to one core (``taskset -c 0``), timing each run end to end
(process start to exit, so SnpEff's JVM start and database load and our GTF parse are
included); compare the canonical transcript's consequence and HGVS p. (compare.py).
Writes ``results.json`` and ``results.md`` (the table for docs) in ``--outdir``.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SNPEFF_JAR = "/usr/share/java/snpeff.jar"


def sh(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def timed(cmd: list[str], stdout=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds user+sys of the child) of one run."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=stdout, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


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
    tmp = tempfile.TemporaryDirectory(prefix="escapeseq-snpeff-")
    db = Path(tmp.name)
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
    results = {}
    md = ["| variant set | variants | agreement (consequence + HGVS p.) | consequence | HGVS p. | "
          "LoF call agrees | ours var/s (wall) | SnpEff var/s (wall) | ratio (wall) | ours var/s (CPU) | "
          "SnpEff var/s (CPU) | ratio (CPU) |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for name, vcf in (("edge-enriched", ref / "variants.vcf"), ("exome-like", ref / "exome.vcf")):
        if not vcf.exists():
            continue
        n = sum(1 for l in open(vcf) if not l.startswith("#"))
        tag = vcf.stem
        ours_vcf, ours_tsv = out / f"{tag}.ours.vcf.gz", out / f"{tag}.ours.tsv"
        t_ours, c_ours = timed(one_core([py, str(ROOT / "bin" / "escapeseq-annotate"), "--fasta",
                                         str(ref / "genome.fa"), "--gtf", str(ref / "genes.gtf"),
                                         "--vcf", str(vcf), "--out", str(ours_vcf), "--tsv", str(ours_tsv),
                                         "--quiet"]))
        snp_vcf = out / f"{tag}.snpeff.vcf"
        with open(snp_vcf, "w") as fh:
            t_snp, c_snp = timed(one_core(["java", "-Xmx4g", "-jar", SNPEFF_JAR, "ann", "-c", str(cfg),
                                           "-noStats", "-noLog", "-q", "bench", str(vcf)]), stdout=fh)
        cj = out / f"{tag}.concordance.json"
        sh([py, str(HERE / "compare.py"), "--ours", str(ours_tsv), "--snpeff", str(snp_vcf),
            "--json", str(cj)], stdout=subprocess.DEVNULL)
        conc = json.loads(cj.read_text())
        res = {"variants": n, "ours_wall_s": round(t_ours, 2), "snpeff_wall_s": round(t_snp, 2),
               "ours_cpu_s": round(c_ours, 2), "snpeff_cpu_s": round(c_snp, 2),
               **{k: conc[k] for k in ("compared", "pct_both", "pct_consequence", "pct_hgvs_p",
                                        "lof_either", "pct_lof_agree")},
               "families": conc["families"], "classes": conc["classes"]}
        results[name] = res
        md.append(f"| {name} | {n} | {conc['pct_both']} % | {conc['pct_consequence']} % | "
                  f"{conc['pct_hgvs_p']} % | {conc['pct_lof_agree']} % of {conc['lof_either']} | {n / t_ours:.0f} | {n / t_snp:.0f} | {t_snp / t_ours:.2f}x | "
                  f"{n / c_ours:.0f} | {n / c_snp:.0f} | {c_snp / c_ours:.2f}x |")
    (out / "results.json").write_text(json.dumps(results, indent=1))
    fams = sorted({f for r in results.values() for f in r["families"]})
    md += ["", "| disagreement family | " + " | ".join(results) + " |",
           "|---|" + "---|" * len(results)]
    md += [f"| {f} | " + " | ".join(str(r["families"].get(f, 0)) for r in results.values()) + " |"
           for f in fams]
    for name, res in results.items():
        md += ["", f"Disagreement classes, {name} set:", "", "| class | count |", "|---|---|"]
        md += [f"| {k} | {v} |" for k, v in res["classes"].items()]
    (out / "results.md").write_text("\n".join(md) + "\n")
    tmp.cleanup()
    print("\n".join(md[:4]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
