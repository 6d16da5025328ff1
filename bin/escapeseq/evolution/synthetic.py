"""Evolution inputs drawn from escapeseq-simulate truth files, without reads.

For tests and for trying ``escapeseq-evolve`` / ``escapeseq-report`` before a pipeline
run: from ``truth/<patient>.variants.tsv`` (expected VAF and depth factor per sample),
``truth/<patient>.segments.tsv`` and ``truth/purity.tsv`` it writes what the calling,
copy-number and annotation steps would: a multi-sample somatic VCF whose AD are
binomial draws (seeded) around the expected VAFs, an annotation TSV, per-tumour
purity/segments tables, the patient's LOH changes and a validated-style samplesheet.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

ANNOTATION_COLUMNS = ["chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "hgvs_p",
                      "hgvs_p_short", "lof_confidence", "exon", "intron", "transcript",
                      "escape_gene", "pathway", "role", "note"]
AA3 = {"Ala": "A", "Arg": "R", "Asn": "N", "Asp": "D", "Cys": "C", "Gln": "Q", "Glu": "E",
       "Gly": "G", "His": "H", "Ile": "I", "Leu": "L", "Lys": "K", "Met": "M", "Phe": "F",
       "Pro": "P", "Ser": "S", "Thr": "T", "Trp": "W", "Tyr": "Y", "Val": "V", "Ter": "*"}


def consequence_of(row: pd.Series) -> tuple[str, str, str, str]:
    """(consequence, hgvs_c, hgvs_p, lof_confidence) guessed from the truth row."""
    note = str(row.get("note", "") or "")
    region = row["region"]
    hc = (re.search(r"\bc\.\S+", note) or [""])[0]
    hp = (re.search(r"\bp\.[A-Za-z]{3}\d+\S*", note) or [""])[0]
    if "splice" in note or region == "splice":
        return "splice_donor_variant", hc, hp if "splice" not in note else "", "high"
    if "nonsense" in note or hp.endswith("Ter"):
        return "stop_gained", hc, hp, "high"
    if "frameshift" in note or (region == "coding" and abs(len(row["ref"]) - len(row["alt"])) % 3):
        return "frameshift_variant", hc, hp, "high" if note else "low"
    if region == "coding":
        if len(row["ref"]) != len(row["alt"]):
            return "inframe_deletion" if len(row["ref"]) > len(row["alt"]) else "inframe_insertion", hc, hp, "none"
        return "missense_variant", hc, hp, "none"
    return {"utr": "3_prime_UTR_variant", "intron": "intron_variant"}.get(region, "intergenic_variant"), hc, hp, "none"


def short_protein(hp: str) -> str:
    """p.Gln503Ter → p.Q503*."""
    m = re.fullmatch(r"p\.([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2}|fs)?", hp)
    if not m:
        return hp
    a, n, b = m.groups()
    return f"p.{AA3.get(a, a)}{n}{AA3.get(b, b) if b else ''}"


def write_inputs(sim_dir: str | Path, patient: str, outdir: str | Path, depth: float = 100,
                 normal_depth: float = 60, seed: int = 7, panel: dict | None = None) -> dict[str, Path]:
    """Write the evolution inputs of one simulated patient into ``outdir``; return their paths
    (keys samplesheet, vcf, annotation, cnv_dir, loh_changes)."""
    import pysam

    sim_dir, outdir = Path(sim_dir), Path(outdir)
    truth = sim_dir / "truth"
    outdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    var = pd.read_csv(truth / f"{patient}.variants.tsv", sep="\t", dtype=str, keep_default_na=False)
    som = var[(var["origin"] == "somatic") & (var["class"] != "other")].reset_index(drop=True)
    pur = pd.read_csv(truth / "purity.tsv", sep="\t", dtype=str)
    pur = pur[pur["patient"] == patient]
    tumours = list(pur["sample"])
    normal = f"{patient}_N"
    samples = [normal] + tumours
    # samplesheet
    ss = outdir / "samplesheet.csv"
    lines = ["patient,sample,timepoint,order,status,lane,fastq_1,fastq_2,bam,purity,sex"]
    lines.append(f"{patient},{normal},normal,0,normal,,,,{normal}.bam,,female")
    for k, (s, tp) in enumerate(zip(pur["sample"], pur["timepoint"]), 1):
        lines.append(f"{patient},{s},{tp},{k},tumour,,,,{s}.bam,,female")
    ss.write_text("\n".join(lines) + "\n")
    # VCF
    head = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">',
            '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
            '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Ref and alt read counts">',
            '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Depth">',
            '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Alt fraction">']
    fai = sim_dir / "reference" / "genome.fa.fai"
    if fai.exists():
        for ln in fai.read_text().splitlines():
            f = ln.split("\t")
            head.append(f"##contig=<ID={f[0]},length={f[1]}>")
    head.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"] + samples))
    body = []
    for _, r in som.iterrows():
        cells = []
        for s in samples:
            nominal = normal_depth if s == normal else depth
            dp = int(rng.poisson(nominal * float(r[f"{s}_depth_factor"])))
            ac = int(rng.binomial(dp, float(r[f"{s}_vaf"])))
            cells.append(f"{'0/1' if ac else '0/0'}:{dp - ac},{ac}:{dp}:{ac / dp if dp else 0:.4f}")
        body.append("\t".join([r["chrom"], r["pos"], ".", r["ref"], r["alt"], ".", "PASS", ".",
                               "GT:AD:DP:AF"] + cells))
    vcf_txt = outdir / f"{patient}.somatic.vcf"
    vcf_txt.write_text("\n".join(head + body) + "\n")
    vcf = outdir / f"{patient}.somatic.vcf.gz"
    pysam.tabix_compress(str(vcf_txt), str(vcf), force=True)
    vcf_txt.unlink()
    pysam.tabix_index(str(vcf), preset="vcf", force=True)
    # annotation
    rows = []
    for _, r in som.iterrows():
        cons, hc, hp, lof = consequence_of(r)
        g = r["gene"]
        p = (panel or {}).get(g)
        rows.append([r["chrom"], r["pos"], r["ref"], r["alt"], g, cons, hc, hp, short_protein(hp), lof,
                     "", "", "", "true" if p else "false", p["pathway"] if p else "", p["role"] if p else "",
                     r["note"]])
    ann = outdir / f"{patient}.annotation.tsv"
    pd.DataFrame(rows, columns=ANNOTATION_COLUMNS).to_csv(ann, sep="\t", index=False)
    # copy number
    cnv = outdir / "cnv"
    cnv.mkdir(exist_ok=True)
    seg = pd.read_csv(truth / f"{patient}.segments.tsv", sep="\t", dtype=str)
    for s, p in zip(pur["sample"], pur["purity"]):
        pd.DataFrame([{"sample": s, "purity": p, "ploidy": pur.set_index("sample").loc[s, "ploidy"],
                       "purity_source": "truth"}]).to_csv(cnv / f"{s}.purity.tsv", sep="\t", index=False)
        x = seg[seg["sample"] == s].copy()
        ct = x["cn_total"].astype(float)
        pp = float(p)
        x["n_snps"], x["n_targets"] = 50, 50
        x["log2_ratio"] = np.round(np.log2((pp * ct + 2 * (1 - pp)) / 2).replace(-np.inf, -5), 4)
        mn = x["cn_minor"].astype(float)
        x["baf"] = np.round((pp * mn + (1 - pp)) / (pp * ct + 2 * (1 - pp)), 4)
        cols = ["sample", "chrom", "start", "end", "n_snps", "n_targets", "log2_ratio", "baf",
                "cn_total", "cn_major", "cn_minor", "loh", "cn_neutral_loh"]
        x[cols].to_csv(cnv / f"{s}.segments.tsv", sep="\t", index=False)
    # LOH changes between the first and last tumour
    b = seg[seg["sample"] == tumours[0]]
    r_ = seg[seg["sample"] == tumours[-1]]
    out = []
    for _, x in r_.iterrows():
        ov = b[(b["chrom"] == x["chrom"]) & (b["start"].astype(int) <= int(x["end"]))
               & (b["end"].astype(int) >= int(x["start"]))]
        base_loh = (ov["loh"] == "true").any()
        if x["loh"] == "true" or base_loh:
            change = "shared" if (x["loh"] == "true" and base_loh) else ("acquired" if x["loh"] == "true" else "lost")
            out.append([x["chrom"], x["start"], x["end"], "loh" if base_loh else "het",
                        "loh" if x["loh"] == "true" else "het", change, x["cn_neutral_loh"]])
    loh = outdir / f"{patient}.loh_changes.tsv"
    pd.DataFrame(out, columns=["chrom", "start", "end", "baseline", "relapse", "change", "cn_neutral"]
                 ).to_csv(loh, sep="\t", index=False)
    return {"samplesheet": ss, "vcf": vcf, "annotation": ann, "cnv_dir": cnv, "loh_changes": loh}


def truth_retained_fraction(sim_dir: str | Path, patient: str) -> float:
    """shared / (shared + baseline_only) over the truth's somatic mutations."""
    var = pd.read_csv(Path(sim_dir) / "truth" / f"{patient}.variants.tsv", sep="\t", dtype=str)
    c = var["class"].value_counts()
    return c.get("shared", 0) / (c.get("shared", 0) + c.get("baseline_only", 0))


def write_bams(sim_dir: str | Path, patient: str, outdir: str | Path, flank: int = 300,
               depth: float = 60, read_length: int = 100, seed: int = 7) -> list[Path]:
    """Small indexed BAMs (<sample>.bam) with single-end reads around every somatic
    mutation of the patient: reads drawn uniformly over ±``flank`` bp, each carrying the
    ALT with the sample's expected VAF (truth). For report tests; not a read simulator."""
    import pysam

    sim_dir, outdir = Path(sim_dir), Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    var = pd.read_csv(sim_dir / "truth" / f"{patient}.variants.tsv", sep="\t", dtype=str,
                      keep_default_na=False)
    som = var[var["origin"] == "somatic"]
    samples = [c[:-4] for c in var.columns if c.endswith("_vaf")]
    fa = pysam.FastaFile(str(sim_dir / "reference" / "genome.fa"))
    header = {"HD": {"VN": "1.6", "SO": "coordinate"},
              "SQ": [{"SN": c, "LN": fa.get_reference_length(c)} for c in fa.references]}
    paths = []
    for s in samples:
        header_s = dict(header, RG=[{"ID": s, "SM": s}])
        reads = []
        for _, v in som.iterrows():
            pos, ref, alt = int(v["pos"]), v["ref"], v["alt"]
            n = int(rng.poisson(depth * 2 * flank / read_length))
            lo = max(1, pos - flank)
            hi = min(fa.get_reference_length(v["chrom"]), pos + flank)
            seq_ref = fa.fetch(v["chrom"], lo - 1, hi).upper()
            k = pos - lo                                 # 0-based offset of pos in the window
            seq_alt = seq_ref[:k] + alt + seq_ref[k + len(ref):]
            f = float(v[f"{s}_vaf"])
            for j in range(n):
                st = int(rng.integers(0, max(1, len(seq_ref) - read_length)))
                use_alt = rng.random() < f and st <= k < st + read_length - len(alt)
                if not use_alt:
                    seq, cig = seq_ref[st:st + read_length], [(0, read_length)]
                else:
                    seq = seq_alt[st:st + read_length]
                    a = k - st + 1                      # bases up to and including the anchor
                    d = len(ref) - len(alt)
                    if d == 0:
                        cig = [(0, read_length)]
                    elif d > 0:
                        cig = [(0, a), (2, d), (0, read_length - a)]
                    else:
                        cig = [(0, a), (1, -d), (0, read_length - a + d)]
                if len(seq) < read_length:
                    continue
                reads.append((v["chrom"], lo - 1 + st, seq, cig, f"{s}_{v['pos']}_{j}", rng.random() < 0.5))
        order = {c: i for i, c in enumerate(fa.references)}
        reads.sort(key=lambda r: (order[r[0]], r[1], r[4]))
        path = outdir / f"{s}.bam"
        with pysam.AlignmentFile(str(path), "wb", header=header_s) as out:
            for chrom, st, seq, cig, name, rev in reads:
                a = pysam.AlignedSegment(out.header)
                a.query_name, a.reference_id, a.reference_start = name, order[chrom], st
                a.query_sequence, a.cigartuples, a.mapping_quality = seq, cig, 60
                a.flag = 16 if rev else 0
                a.query_qualities = pysam.qualitystring_to_array("I" * len(seq))
                a.set_tag("RG", s)
                out.write(a)
        pysam.index(str(path))
        paths.append(path)
    fa.close()
    return paths
