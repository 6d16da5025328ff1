"""Assemble ``<patient>.rna_evidence.tsv``: one row per candidate per tumour timepoint
(``kind`` = candidate) and per escape-panel gene per timepoint (``kind`` = expression),
with a one-sentence RNA explanation per candidate and per changed gene.

Columns are listed in :data:`COLUMNS` and documented in docs/output.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pysam

from escapeseq.annotate.gtf import Transcript
from escapeseq.errors import InputError
from escapeseq.rna import evidence as ev
from escapeseq.rna.counts import CountResult, tpm
from escapeseq.rna.models import GeneModel

COLUMNS = ["patient", "kind", "gene", "chrom", "pos", "ref", "alt", "candidate_rank",
           "consequence", "sample", "timepoint",
           "dna_alt_reads", "dna_depth", "dna_vaf",
           "rna_ref_reads", "rna_alt_reads", "rna_vaf", "rna_vs_dna_p", "allele_call",
           "intron", "intron_start", "intron_end", "junction_reads", "retention_reads",
           "retained_fraction", "new_junction_reads", "new_junctions",
           "gene_count", "gene_tpm", "fold_change", "log2_fold_change", "expression_p",
           "expression_change", "explanation"]
#: one-sided Fisher p-value below which the RNA allele counts as under-expressed
ALLELE_ALPHA = 0.01


@dataclass
class Timepoint:
    """One tumour timepoint with its RNA BAM and gene counts."""
    sample: str
    timepoint: str
    bam: pysam.AlignmentFile
    counts: CountResult


def _num(x) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def _int_or_blank(x: float) -> object:
    return "" if not np.isfinite(x) else int(x)


def _fmt(x: float, nd: int = 4) -> object:
    if x is None or (isinstance(x, float) and not np.isfinite(x)):
        return ""
    return round(float(x), nd)


def _pval(p: float) -> str:
    """A p-value with 3 significant digits ('1.25e-04'; '0' only below 1e-300); '' if NaN."""
    return "" if not np.isfinite(p) else f"{p:.3g}"


def candidate_rows(patient: str, cand: pd.Series, dna: pd.Series | None, tps: list[Timepoint],
                   genes: list[GeneModel], gene_tpm: dict[str, np.ndarray],
                   annotated: set, fasta: pysam.FastaFile, panel: set[str]) -> list[dict]:
    """Rows of one candidate (one per timepoint), explanation filled on each."""
    chrom, pos, ref, alt = str(cand["chrom"]), int(cand["pos"]), str(cand["ref"]), str(cand["alt"])
    gm = ev.gene_for(genes, str(cand.get("gene", "")), chrom, pos)
    tx: Transcript | None = gm.canonical if gm is not None else None
    site = ev.splice_site_of(tx, pos, ref) if tx is not None else None
    exonic = tx is not None and any(s <= pos <= e for s, e in tx.exons)
    gi = genes.index(gm) if gm is not None else -1
    rows = []
    for k, t in enumerate(tps):
        if chrom not in fasta.references or chrom not in t.bam.references:
            raise InputError(None, f"candidate {chrom}:{pos}",
                             f"contig {chrom} is not in the FASTA and the RNA BAM of {t.sample}")
        try:
            ac = ev.count_allele(t.bam, fasta, chrom, pos, ref, alt)
        except ValueError as err:
            raise InputError(None, f"candidate {chrom}:{pos}", str(err)) from None
        d_alt = _num(dna.get(f"{t.sample}_alt_reads")) if dna is not None else math.nan
        d_dep = _num(dna.get(f"{t.sample}_depth")) if dna is not None else math.nan
        d_vaf = _num(dna.get(f"{t.sample}_vaf")) if dna is not None else math.nan
        p = (ev.allele_test(ac.alt, ac.depth, int(d_alt), int(d_dep))
             if np.isfinite(d_alt) and np.isfinite(d_dep) else math.nan)
        if ac.depth == 0:
            call = "no_rna_reads"
        elif np.isfinite(p) and p < ALLELE_ALPHA and ac.fraction < d_alt / max(d_dep, 1):
            call = "under_expressed"
        elif ac.alt > 0:
            call = "expressed"
        else:
            call = "not_seen"
        row = {"patient": patient, "kind": "candidate", "gene": cand.get("gene", ""),
               "chrom": chrom, "pos": pos, "ref": ref, "alt": alt,
               "candidate_rank": cand.get("rank", ""), "consequence": cand.get("consequence", ""),
               "sample": t.sample, "timepoint": t.timepoint,
               "dna_alt_reads": _int_or_blank(d_alt), "dna_depth": _int_or_blank(d_dep),
               "dna_vaf": _fmt(d_vaf), "rna_ref_reads": ac.ref, "rna_alt_reads": ac.alt,
               "rna_vaf": _fmt(ac.fraction), "rna_vs_dna_p": _pval(p),
               "allele_call": call}
        if site is not None:
            sc = ev.count_splicing(t.bam, chrom, site, annotated)
            top = list(sc.new_junctions.items())[:3]
            row.update({"intron": site.number, "intron_start": site.start, "intron_end": site.end,
                        "junction_reads": sc.junction, "retention_reads": sc.retention,
                        "retained_fraction": _fmt(sc.retained_fraction), "new_junction_reads": sc.new,
                        "new_junctions": ";".join(f"{chrom}:{a}-{b}({n})" for (a, b), n in top)})
        if gi >= 0:
            row["gene_count"] = int(t.counts.counts[gi])
            row["gene_tpm"] = _fmt(gene_tpm[t.sample][gi], 3)
            if k > 0:
                fc = ev.fold_change(gene_tpm[t.sample][gi], gene_tpm[tps[0].sample][gi])
                row["fold_change"] = _fmt(fc)
                row["log2_fold_change"] = _fmt(math.log2(fc))
        rows.append(row)
    text = candidate_sentence(rows, exonic, site is not None, str(cand.get("gene", "")) in panel)
    for r in rows:
        r["explanation"] = text
    return rows


def at(tp: str) -> str:
    """'baseline' / 'timepoint 3' (numeric timepoints read as such)."""
    return f"timepoint {tp}" if str(tp).isdigit() else str(tp)


def reads_at(n: str, tp: str) -> str:
    """'41 of 47 relapse reads' / '41 of 47 reads at timepoint 3'."""
    return f"{n} reads at timepoint {tp}" if str(tp).isdigit() else f"{n} {tp} reads"


def candidate_sentence(rows: list[dict], exonic: bool, splice: bool, panel_gene: bool) -> str:
    """'RNA: intron 12 retained in 41 of 47 relapse reads, 0 of 52 at baseline; ...'."""
    last, others = rows[-1], rows[:-1]
    parts = []
    if splice:
        def frac(r):
            return f"{r['retention_reads']} of {r['retention_reads'] + r['junction_reads']}"
        txt = f"intron {last['intron']} retained in {reads_at(frac(last), last['timepoint'])}"
        if others:
            txt += ", " + ", ".join(f"{frac(r)} at {at(r['timepoint'])}" for r in others)
        if last["new_junction_reads"]:
            txt += (f"; {reads_at(str(last['new_junction_reads']), last['timepoint'])} use a new "
                    f"junction ({last['new_junctions'].split(';')[0].split('(')[0]})")
        parts.append(txt)
    if exonic:
        if last["allele_call"] == "no_rna_reads":
            parts.append(f"no RNA reads cover the site at {at(last['timepoint'])}")
        else:
            t = (f"mutant allele in {last['rna_alt_reads']} of "
                 f"{last['rna_alt_reads'] + last['rna_ref_reads']} RNA reads at {at(last['timepoint'])} "
                 f"(fraction {float(last['rna_vaf']):.2f}")
            t += f" vs DNA {float(last['dna_vaf']):.2f})" if last["dna_vaf"] != "" else ")"
            if last["allele_call"] == "under_expressed":
                t += ": mutant allele under-expressed (as nonsense-mediated decay does)"
            parts.append(t)
    if panel_gene and last.get("fold_change", "") != "":
        parts.append(f"{last['gene']} expression {float(last['fold_change']):.2f}x "
                     f"{at(rows[0]['timepoint'])} (TPM {float(last['gene_tpm']):.0f} vs "
                     f"{float(rows[0]['gene_tpm']):.0f})")
    return ("RNA: " + "; ".join(parts) + ".") if parts else ""


def expression_rows(patient: str, genes: list[GeneModel], panel: list[str], tps: list[Timepoint],
                    gene_tpm: dict[str, np.ndarray]) -> list[dict]:
    """Rows of every escape-panel gene present in the GTF, per timepoint."""
    rows = []
    base = tps[0]
    nb = base.counts.summary.get("Assigned", 0)
    for name in panel:
        idx = [i for i, g in enumerate(genes) if g.name == name]
        if not idx:
            continue
        i = idx[0]
        g = genes[i]
        grows = []
        for k, t in enumerate(tps):
            c, x = int(t.counts.counts[i]), float(gene_tpm[t.sample][i])
            row = {"patient": patient, "kind": "expression", "gene": name, "chrom": g.chrom,
                   "pos": g.start, "sample": t.sample, "timepoint": t.timepoint,
                   "gene_count": c, "gene_tpm": _fmt(x, 3)}
            if k > 0:
                fc = ev.fold_change(x, float(gene_tpm[base.sample][i]))
                p = ev.expression_test(c, int(base.counts.counts[i]),
                                       t.counts.summary.get("Assigned", 0), nb)
                row.update({"fold_change": _fmt(fc), "log2_fold_change": _fmt(math.log2(fc)),
                            "expression_p": _pval(p),
                            "expression_change": ev.expression_call(fc, p)})
            grows.append(row)
        last = grows[-1]
        text = ""
        if len(grows) > 1:
            text = (f"RNA: {name} expression {last['expression_change']} at {at(last['timepoint'])}: "
                    f"TPM {float(last['gene_tpm']):.0f} vs {float(grows[0]['gene_tpm']):.0f} at "
                    f"{at(grows[0]['timepoint'])} ({float(last['fold_change']):.2f}x, "
                    f"{last['gene_count']} vs {grows[0]['gene_count']} fragments).")
        for r in grows:
            r["explanation"] = text
        rows += grows
    return rows


def evidence_frame(rows: list[dict]) -> pd.DataFrame:
    """Rows -> DataFrame with exactly :data:`COLUMNS` (missing values blank)."""
    return pd.DataFrame([[r.get(c, "") for c in COLUMNS] for r in rows], columns=COLUMNS,
                        dtype=object)


def sample_tpm(genes: list[GeneModel], counts: CountResult) -> np.ndarray:
    """TPM of every gene of one sample."""
    return tpm(counts.counts, np.array([g.length for g in genes]))
