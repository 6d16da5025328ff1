"""RNA panels of the patient report (issue 16), from ``<patient>.rna_evidence.tsv``.

Per candidate: DNA vs RNA allele fraction per timepoint and, at splice-region candidates,
junction / retention / new-junction fragments per timepoint. Escape genes: TPM per
timepoint with the expression call. Only used when ``escapeseq-report --rna-evidence`` is
given; without it the report is unchanged.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from escapeseq.fileio import read_tsv  # noqa: E402
from escapeseq.report.figures import png_bytes  # noqa: E402

NEED = ["kind", "gene", "chrom", "pos", "ref", "alt", "sample", "timepoint", "dna_vaf", "rna_vaf",
        "rna_alt_reads", "rna_ref_reads", "junction_reads", "retention_reads", "new_junction_reads",
        "gene_tpm", "expression_change", "explanation"]


def read_rna_evidence(path: Path) -> pd.DataFrame:
    """The evidence table as strings; InputError naming the file when unusable."""
    return read_tsv(path, NEED, missing="not found (escapeseq-rna evidence writes it)")


def _f(x: str) -> float:
    try:
        return float(x)
    except (TypeError, ValueError):
        return np.nan


def candidate_panel(rows: pd.DataFrame, title: str) -> bytes:
    """Left: DNA vs RNA allele fraction per timepoint; right (splice-region candidates):
    fragments of the annotated junction, of intron retention and of new junctions."""
    splice = (rows["junction_reads"] != "").any()
    fig, axes = plt.subplots(1, 2 if splice else 1, figsize=(9 if splice else 4.8, 2.8))
    axes = np.atleast_1d(axes)
    tps = list(rows["timepoint"])
    x = np.arange(len(tps))
    ax = axes[0]
    ax.bar(x - 0.18, [_f(v) for v in rows["dna_vaf"]], 0.36, color="#4d4d4d", label="DNA VAF")
    ax.bar(x + 0.18, [_f(v) for v in rows["rna_vaf"]], 0.36, color="#d6604d", label="RNA allele fraction")
    for i, (a, r) in enumerate(zip(rows["rna_alt_reads"], rows["rna_ref_reads"])):
        if a != "":
            ax.text(i + 0.18, 0.02, f"{int(_f(a))}/{int(_f(a) + (_f(r) if r else 0))}", ha="center", va="bottom",
                    fontsize=7, rotation=90)
    ax.set_xticks(x, tps)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("allele fraction")
    ax.legend(fontsize=7, loc="upper left")
    ax.set_title("allele: DNA vs RNA", fontsize=9)
    if splice:
        ax = axes[1]
        j = np.array([_f(v) for v in rows["junction_reads"]])
        r = np.array([_f(v) for v in rows["retention_reads"]])
        n = np.array([_f(v) for v in rows["new_junction_reads"]])
        ax.bar(x, j, 0.6, color="#4393c3", label="annotated junction")
        ax.bar(x, r, 0.6, bottom=j, color="#d6604d", label="intron retention")
        ax.bar(x, n, 0.6, bottom=j + r, color="#fdb863", label="new junction")
        ax.set_xticks(x, tps)
        ax.set_ylabel("RNA fragments")
        intron = rows["intron"].iloc[0] if "intron" in rows.columns else ""
        ax.set_title(f"splicing at intron {intron}", fontsize=9)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle(title, fontsize=10)
    return png_bytes(fig)


def expression_panel(expr: pd.DataFrame) -> bytes:
    """TPM of each escape-panel gene per timepoint (log scale); lost genes starred."""
    genes = list(dict.fromkeys(expr["gene"]))
    tps = list(dict.fromkeys(expr["timepoint"]))
    fig, ax = plt.subplots(figsize=(max(5.0, 0.6 * len(genes) + 2), 3.0))
    w = 0.8 / max(len(tps), 1)
    pal = plt.get_cmap("Set2")
    for k, tp in enumerate(tps):
        sub = expr[expr["timepoint"] == tp].set_index("gene")
        vals = [_f(sub["gene_tpm"].get(g, "")) + 1 for g in genes]
        ax.bar(np.arange(len(genes)) + (k - (len(tps) - 1) / 2) * w, vals, w, color=pal(k % 8), label=tp)
    last = expr[expr["timepoint"] == tps[-1]].set_index("gene")
    for i, g in enumerate(genes):
        call = last["expression_change"].get(g, "")
        if call in ("lost", "gained"):
            y = _f(last["gene_tpm"].get(g, "")) + 1
            ax.annotate(call, (i + (len(tps) - 1) / 2 * w, y * 1.4), ha="center", fontsize=8,
                        color="#b2182b", fontweight="bold")
    ax.set_yscale("log")
    ax.set_ylim(bottom=1)
    ax.set_xticks(np.arange(len(genes)), genes, rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("TPM + 1")
    ax.legend(fontsize=7)
    ax.set_title("Escape-gene expression per timepoint", fontsize=10)
    return png_bytes(fig)


def rna_figures(df: pd.DataFrame) -> tuple[list[tuple[str, bytes]], bytes | None]:
    """(candidate label, PNG) per candidate and the expression panel (None without rows)."""
    cand = df[df["kind"] == "candidate"]
    out = []
    for key, rows in cand.groupby(["chrom", "pos", "ref", "alt"], sort=False):
        label = f"{rows['gene'].iloc[0]} {key[0]}:{key[1]} {key[2]}>{key[3]}"
        out.append((label, candidate_panel(rows, label)))
    expr = df[df["kind"] == "expression"]
    return out, (expression_panel(expr) if len(expr) else None)


def rna_sentences(df: pd.DataFrame) -> dict[tuple[str, str, str, str], str]:
    """(chrom, pos, ref, alt) -> the candidate's RNA sentence."""
    cand = df[(df["kind"] == "candidate") & (df["explanation"] != "")]
    return {(r["chrom"], r["pos"], r["ref"], r["alt"]): r["explanation"] for _, r in cand.iterrows()}
