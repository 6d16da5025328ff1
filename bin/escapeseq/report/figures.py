"""Report figures as PNG bytes (matplotlib, Agg; no timestamps in the files).

* :func:`circos_plot`: outer track = every mutation at its position, height = VAF at
  relapse (grey shared, red relapse-only, green baseline-only); inner tracks = total copy
  number at baseline and at relapse, LOH marked.
* :func:`lollipop_plot`: the protein with its domains and each mutation's position.
* :func:`cn_panel`: genome-wide log2 ratio, BAF and integer copy number of one timepoint.
"""

from __future__ import annotations

import io
import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.patches import Patch, Rectangle  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

CLASS_COLOURS = {"shared": "#8c8c8c", "relapse_only": "#d62728", "baseline_only": "#2ca02c",
                 "intermediate_only": "#9467bd", "unknown": "#bcbd22"}
LOH_COLOUR = "#ff7f0e"


def cn_colour(cn: float) -> str:
    """Colour of a total copy number: blue loss, light grey 2, red gain, white unknown."""
    if cn is None or not np.isfinite(cn):
        return "#ffffff"
    if cn < 2:
        return "#2166ac" if cn < 1 else "#92c5de"
    if cn == 2:
        return "#e0e0e0"
    return "#f4a582" if cn == 3 else "#b2182b"


def png_bytes(fig) -> bytes:
    """Render a figure to PNG without the Software metadata (deterministic bytes)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def chrom_lengths(table: pd.DataFrame, segments: dict[str, pd.DataFrame | None],
                  contigs: dict[str, int] | None = None) -> dict[str, int]:
    """Contig → length, from the reference (``contigs``) when given, else the furthest
    segment end / mutation position; in reference order, else natural order."""
    if contigs:
        used = set(table["chrom"].astype(str))
        for s in segments.values():
            if s is not None:
                used |= set(s["chrom"].astype(str))
        return {c: int(n) for c, n in contigs.items() if c in used and n > 0}
    ln: dict[str, int] = {}
    for s in segments.values():
        if s is None:
            continue
        for c, e in zip(s["chrom"].astype(str), s["end"]):
            ln[c] = max(ln.get(c, 0), int(e))
    for c, p in zip(table["chrom"].astype(str), table["pos"]):
        ln[c] = max(ln.get(c, 0), int(p) + 1)

    def key(c: str):
        x = c.lower().removeprefix("chr")
        return (0, int(x), "") if x.isdigit() else (1, 0, x)
    return {c: ln[c] for c in sorted(ln, key=key)}


def circos_plot(table: pd.DataFrame, tumours: list[str], timepoints: list[str],
                segments: dict[str, pd.DataFrame | None], lengths: dict[str, int],
                title: str = "") -> bytes:
    """Circos plot of a patient (see module docstring). ``table`` is the mutations table."""
    from pycirclize import Circos

    base, rel = tumours[0], tumours[-1]
    circos = Circos(lengths, space=2 if len(lengths) > 1 else 0)
    vaf_r = pd.to_numeric(table.get(f"{rel}_vaf"), errors="coerce").fillna(0).to_numpy()
    vaf_b = pd.to_numeric(table.get(f"{base}_vaf"), errors="coerce").fillna(0).to_numpy()
    for sector in circos.sectors:
        sector.text(sector.name.removeprefix("chr"), r=108, size=9)
        t = sector.add_track((72, 100))
        t.axis(fc="#fbfbfb", ec="#999999", lw=0.5)
        t.grid(y_grid_num=3, color="#dddddd", lw=0.4)
        sel = (table["chrom"].astype(str) == sector.name).to_numpy()
        for cls, col in CLASS_COLOURS.items():
            m = sel & (table["class"].to_numpy() == cls)
            if not m.any():
                continue
            x = table["pos"].to_numpy(float)[m]
            # baseline-only mutations have no relapse VAF: draw them at their baseline VAF
            y = vaf_b[m] if cls == "baseline_only" else vaf_r[m]
            t.scatter(x, y, vmin=0, vmax=1, color=col, s=9, zorder=3)
        for k, (s, r0) in enumerate(((base, 56), (rel, 40))):
            ct = sector.add_track((r0, r0 + 12))
            ct.axis(ec="#999999", lw=0.4)
            seg = segments.get(s)
            if seg is None:
                continue
            ss = seg[seg["chrom"].astype(str) == sector.name]
            for _, g in ss.iterrows():
                a, b = max(0, int(g["start"]) - 1), min(int(g["end"]), int(sector.size))
                if b <= a:
                    continue
                ct.rect(a, b, fc=cn_colour(g["cn_total"]), ec="none")
                if bool(g["loh"]):
                    ct.rect(a, b, r_lim=(r0, r0 + 3.5), fc=LOH_COLOUR, ec="none")
    fig = circos.plotfig(figsize=(7, 7))
    ax = fig.axes[0]
    handles = [Line2D([], [], marker="o", ls="", color=CLASS_COLOURS[c], label=c.replace("_", "-"))
               for c in ("shared", "relapse_only", "baseline_only")]
    handles += [Patch(fc=cn_colour(1), label="CN 1"), Patch(fc=cn_colour(2), label="CN 2"),
                Patch(fc=cn_colour(3), label="CN 3"), Patch(fc=cn_colour(4), label="CN ≥4"),
                Patch(fc=LOH_COLOUR, label="LOH")]
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(0.98, 1.0), fontsize=8, frameon=False)
    ax.text(0, 0, f"outer: VAF (0-1) at {timepoints[-1]}\nmiddle ring: CN {timepoints[0]}\n"
                  f"inner ring: CN {timepoints[-1]}", ha="center", va="center", fontsize=8,
            transform=ax.transData)
    if title:
        fig.suptitle(title, fontsize=11)
    return png_bytes(fig)


def protein_position(hgvs_p: str, hgvs_c: str) -> int | None:
    """Amino-acid position of a change: from p. (p.Gln503Ter → 503), else from the coding
    position of c. (c.1641+1G>T → ceil(1641 / 3) = 547); None when neither parses."""
    m = re.search(r"p\.\(?[A-Za-z*]{1,3}(\d+)", hgvs_p or "")
    if m:
        return int(m.group(1))
    m = re.search(r"c\.(\d+)", hgvs_c or "")
    if m:
        return max(1, math.ceil(int(m.group(1)) / 3))
    return None


def lollipop_plot(gene: str, domains: list[tuple[str, int, int]],
                  muts: list[dict], length: int | None = None) -> bytes:
    """Protein diagram: backbone 1..length aa, domains as boxes, one stem per mutation
    (``muts``: dicts with aa, label, class, highlight). Length defaults to the furthest
    domain end or mutation + 5 %."""
    ends = [e for _, _, e in domains] + [m["aa"] for m in muts if m.get("aa")]
    length = length or int(max(ends + [100]) * 1.05)
    fig, ax = plt.subplots(figsize=(9, 2.6))
    ax.add_patch(Rectangle((1, -0.08), length, 0.16, fc="#cccccc", ec="none"))
    pal = plt.get_cmap("tab10")
    for k, (name, s, e) in enumerate(domains):
        ax.add_patch(Rectangle((s, -0.2), e - s + 1, 0.4, fc=pal(k % 10), ec="black", lw=0.5, alpha=0.8))
        ax.text((s + e) / 2, -0.36, name, ha="center", va="top", fontsize=7)
    for j, m in enumerate(sorted((m for m in muts if m.get("aa")), key=lambda m: m["aa"])):
        h = 1.0 + 0.35 * (j % 3)
        col = CLASS_COLOURS.get(m.get("class", ""), "#333333")
        ax.plot([m["aa"], m["aa"]], [0.2, h], color="#555555", lw=1)
        ax.plot(m["aa"], h, "o", ms=11 if m.get("highlight") else 7, color=col, mec="black", mew=0.6)
        ax.text(m["aa"], h + 0.18, m.get("label", ""), ha="center", va="bottom", fontsize=8,
                fontweight="bold" if m.get("highlight") else "normal")
    ax.set_xlim(-length * 0.02, length * 1.02)
    ax.set_ylim(-0.75, 2.3)
    ax.set_yticks([])
    for sp in ("left", "right", "top"):
        ax.spines[sp].set_visible(False)
    ax.set_xlabel(f"{gene} amino-acid position (1-{length})")
    ax.set_title(f"{gene}: mutations relative to protein domains", fontsize=10)
    return png_bytes(fig)


def cn_points(tumour: pd.DataFrame, normal: pd.DataFrame, min_normal_depth: int = 15,
              min_tumour_depth: int = 10) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per-target log2 ratios and per-SNP tumour BAFs from escapeseq-cnv pileup counts
    (columns type chrom start end depth ref_count alt_count; type target | snp).

    log2 ratio of a target = log2((d_T / median d_T) / (d_N / median d_N)): depth
    relative to the sample's median, tumour over normal, so library size cancels.
    BAF of a SNP = alt / (ref + alt) in the tumour, kept where the normal is
    heterozygous (normal VAF in [0.25, 0.75] at ≥ ``min_normal_depth`` reads).
    Returns (targets: chrom pos log2, snps: chrom pos baf); positions are midpoints.
    """
    key = ["chrom", "start", "end"]
    t = tumour[tumour["type"] == "target"].merge(normal[normal["type"] == "target"], on=key,
                                                  suffixes=("_t", "_n"))
    dt, dn = t["depth_t"].astype(float), t["depth_n"].astype(float)
    ok = (dt > 0) & (dn > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        lr = np.log2((dt / np.median(dt[ok])) / (dn / np.median(dn[ok]))) if ok.any() else dt * np.nan
    targets = pd.DataFrame({"chrom": t["chrom"], "pos": (t["start"] + t["end"]) // 2, "log2": lr})[ok]
    s_ = tumour[tumour["type"] == "snp"].merge(normal[normal["type"] == "snp"], on=key, suffixes=("_t", "_n"))
    nt = s_["ref_count_n"].astype(float) + s_["alt_count_n"].astype(float)
    tt = s_["ref_count_t"].astype(float) + s_["alt_count_t"].astype(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        nv = s_["alt_count_n"] / nt
        baf = s_["alt_count_t"] / tt
    het = (nt >= min_normal_depth) & (nv >= 0.25) & (nv <= 0.75) & (tt >= min_tumour_depth)
    snps = pd.DataFrame({"chrom": s_["chrom"], "pos": s_["start"], "baf": baf})[het]
    return targets.reset_index(drop=True), snps.reset_index(drop=True)


def cn_panel(segments: pd.DataFrame, lengths: dict[str, int], sample: str, timepoint: str,
             purity: float | None = None, targets: pd.DataFrame | None = None,
             snps: pd.DataFrame | None = None) -> bytes:
    """Genome-wide log2 ratio, B-allele frequency (mirrored) and integer copy number
    (total black, minor blue, LOH shaded) of one tumour sample's segments; with
    ``targets`` / ``snps`` (from :func:`cn_points`) the per-target log2 ratios and the
    per-SNP BAFs are drawn as grey points behind the segments."""
    offs, acc = {}, 0
    for c, n in lengths.items():
        offs[c] = acc
        acc += n
    fig, axes = plt.subplots(3, 1, figsize=(10, 5.2), sharex=True)
    for c, n in lengths.items():
        for ax in axes:
            ax.axvline(offs[c], color="#bbbbbb", lw=0.5)
    for pts, ax, col in ((targets, axes[0], "log2"), (snps, axes[1], "baf")):
        if pts is None or pts.empty:
            continue
        m = pts["chrom"].astype(str).isin(offs.keys()).to_numpy()
        x = np.array([offs[c] for c in pts["chrom"].astype(str)[m]]) + pts["pos"].to_numpy()[m]
        ax.plot(x, pts[col].to_numpy(float)[m], ".", ms=1.5, color="#aaaaaa", zorder=0, rasterized=True)
    for _, g in segments.iterrows():
        c = str(g["chrom"])
        if c not in offs:
            continue
        x0, x1 = offs[c] + int(g["start"]) - 1, offs[c] + int(g["end"])
        lr, baf = g.get("log2_ratio", np.nan), g.get("baf", np.nan)
        if np.isfinite(lr):
            axes[0].plot([x0, x1], [lr, lr], color="#333333", lw=2.5)
        if np.isfinite(baf):
            axes[1].plot([x0, x1], [baf, baf], color="#1f77b4", lw=2.5)
            axes[1].plot([x0, x1], [1 - baf, 1 - baf], color="#1f77b4", lw=2.5)
        if bool(g["loh"]):
            for ax in axes:
                ax.axvspan(x0, x1, color=LOH_COLOUR, alpha=0.15, lw=0)
        if np.isfinite(g["cn_total"]):
            axes[2].plot([x0, x1], [g["cn_total"] + 0.05] * 2, color="black", lw=2.5)
        if np.isfinite(g.get("cn_minor", np.nan)):
            axes[2].plot([x0, x1], [g["cn_minor"] - 0.05] * 2, color="#1f77b4", lw=2.5)
    axes[0].axhline(0, color="#999999", lw=0.5, ls="--")
    axes[0].set_ylabel("log2 ratio")
    axes[1].set_ylim(0, 1)
    axes[1].axhline(0.5, color="#999999", lw=0.5, ls="--")
    axes[1].set_ylabel("BAF")
    axes[2].set_ylabel("copies")
    top = np.nanmax(segments["cn_total"].to_numpy(float)) if len(segments) else 2
    axes[2].set_ylim(-0.3, max(4, (top if np.isfinite(top) else 2) + 1))
    axes[2].set_xticks([offs[c] + n / 2 for c, n in lengths.items()])
    axes[2].set_xticklabels([c.removeprefix("chr") for c in lengths], fontsize=8)
    axes[2].set_xlim(0, acc)
    axes[2].legend(handles=[Line2D([], [], color="black", lw=2.5, label="total"),
                            Line2D([], [], color="#1f77b4", lw=2.5, label="minor"),
                            Patch(fc=LOH_COLOUR, alpha=0.3, label="LOH")],
                   loc="upper right", fontsize=7, ncol=3, frameon=False)
    pur = f", purity {purity:.2f}" if purity is not None and np.isfinite(purity) else ""
    fig.suptitle(f"{sample} ({timepoint}{pur}): segments", fontsize=10)
    return png_bytes(fig)
