"""Genome-wide figure of one tumour: log2 ratio, B-allele frequency and copy number."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd


def _offsets(chroms: list[str], ends: dict[str, int]) -> dict[str, int]:
    off, acc = {}, 0
    for c in chroms:
        off[c] = acc
        acc += ends[c]
    return off


def plot_sample(targets: pd.DataFrame, snps: pd.DataFrame, segments: pd.DataFrame,
                title: str, path: str | os.PathLike) -> None:
    """Write a 3-panel PNG: per-target log2 ratio with segment means; per-SNP tumour
    BAF at the normal's heterozygous SNPs with segment major/minor BAF; integer total
    (black) and minor (blue) copy number with LOH segments shaded. Written to a
    temporary name then renamed."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chroms = list(dict.fromkeys(segments["chrom"].astype(str)))
    if not chroms:
        chroms = list(dict.fromkeys(targets["chrom"].astype(str)))
    ends = {}
    for c in chroms:
        e = [targets.loc[targets["chrom"] == c, "end"].max(),
             segments.loc[segments["chrom"] == c, "end"].max()]
        ends[c] = int(np.nanmax([x for x in e if pd.notna(x)] or [1]))
    off = _offsets(chroms, ends)
    fig, ax = plt.subplots(3, 1, figsize=(14, 8), sharex=True,
                           gridspec_kw={"height_ratios": [1, 1, 0.8]})
    t = targets[targets["chrom"].isin(chroms)]
    x = ((t["start"] + t["end"]) // 2 + t["chrom"].map(off)).to_numpy()
    ax[0].scatter(x, t["log2"], s=1, c="0.6", rasterized=True, linewidths=0)
    s = snps[snps["chrom"].isin(chroms)]
    xs = (s["start"] + s["chrom"].map(off)).to_numpy()
    ax[1].scatter(xs, s["baf"], s=1, c="0.6", rasterized=True, linewidths=0)
    for _, r in segments.iterrows():
        x0, x1 = r["start"] + off[r["chrom"]], r["end"] + off[r["chrom"]]
        if pd.notna(r["log2_ratio"]):
            ax[0].plot([x0, x1], [r["log2_ratio"]] * 2, c="tab:red", lw=2)
        if pd.notna(r["baf"]):
            ax[1].plot([x0, x1], [r["baf"]] * 2, c="tab:red", lw=2)
            ax[1].plot([x0, x1], [1 - r["baf"]] * 2, c="tab:red", lw=2)
        cn = pd.to_numeric(r["cn_total"], errors="coerce")
        if pd.notna(cn) and cn >= 0:
            ax[2].plot([x0, x1], [cn] * 2, c="k", lw=2.5)
            ax[2].plot([x0, x1], [float(pd.to_numeric(r["cn_minor"]))] * 2, c="tab:blue",
                       lw=2)
            if str(r["loh"]).lower() == "true":
                ax[2].axvspan(x0, x1, color="tab:orange", alpha=0.25, lw=0)
    for a in ax:
        for c in chroms:
            a.axvline(off[c], c="0.85", lw=0.5)
    ax[0].set_ylim(-2, 2)
    ax[0].axhline(0, c="0.4", lw=0.5)
    ax[0].set_ylabel("log2 ratio")
    ax[1].set_ylim(0, 1)
    ax[1].set_ylabel("BAF")
    ax[2].set_ylabel("copy number")
    top = max(5, int(np.nan_to_num(pd.to_numeric(segments["cn_total"],
                                                  errors="coerce").max())) + 1)
    ax[2].set_ylim(-0.3, top + 0.3)
    ax[2].set_yticks(range(0, top + 1))
    mids = [off[c] + ends[c] / 2 for c in chroms]
    ax[2].set_xticks(mids)
    ax[2].set_xticklabels([c.replace("chr", "") for c in chroms], fontsize=7)
    ax[0].set_title(title, fontsize=10)
    fig.tight_layout()
    path = str(path)
    tmp = os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.tmp.png")
    fig.savefig(tmp, dpi=100, metadata={"Software": None})
    plt.close(fig)
    os.replace(tmp, path)
