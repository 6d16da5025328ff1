"""MAF (Mutation Annotation Format) output: ``<patient>.maf`` and the cohort ``cohort.maf``.

The file is what maftools (``read.maf``), cBioPortal and GDC-style notebooks read: a
``#version 2.4`` line, then the GDC / vcf2maf columns in vcf2maf's order (a subset: no
validation, UUID, BAM or VEP-only columns we do not have), then escapeseq's own columns.

Rows: one per mutation of ``<patient>.mutations.tsv`` (the PASS records of the somatic VCF,
or every record with ``--keep-filtered``) per tumour sample in which it is *present*, with the
same presence rule the classification uses (:func:`escapeseq.evolution.table.present_at`:
at least ``min_alt_reads`` alternate reads). A mutation present in no tumour (possible only
when the caller emitted it on fewer reads) has no row. Row order: mutations in VCF order,
tumours in time order.

Alleles and coordinates follow vcf2maf: the bases REF and ALT share at their start (the VCF
anchor base) are removed; then

* SNV / MNV: ``Start = End = pos`` (+ length - 1 for MNVs), Variant_Type SNP/DNP/TNP/ONP;
* deletion: ``Start`` = first deleted base, ``End`` = last deleted base,
  ``Reference_Allele`` = the deleted bases, ``Tumor_Seq_Allele2 = "-"`` (DEL);
* insertion: ``Start`` = the anchor base before the insertion, ``End = Start + 1``,
  ``Reference_Allele = "-"``, ``Tumor_Seq_Allele2`` = the inserted bases (INS).

Variant_Classification maps the most severe SO term with vcf2maf's table (frameshift by
INS/DEL, splice acceptor/donor → Splice_Site, stop_gained → Nonsense_Mutation, intergenic →
IGR, ...). Booleans are ``true``/``false``; VAFs are fractions.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

from escapeseq.errors import InputError
from escapeseq.fileio import write_atomic

if TYPE_CHECKING:  # pandas and the analysis modules are imported where a MAF is built or
    import pandas as pd  # read into a table: merging MAFs into the cohort's is text only
    from escapeseq.evolution.inputs import Calls, Patient

VERSION_LINE = "#version 2.4"

#: GDC / vcf2maf columns, in vcf2maf's order (vcf2maf.pl's MAF header, subset).
GDC_COLUMNS = [
    "Hugo_Symbol", "Entrez_Gene_Id", "Center", "NCBI_Build", "Chromosome", "Start_Position",
    "End_Position", "Strand", "Variant_Classification", "Variant_Type", "Reference_Allele",
    "Tumor_Seq_Allele1", "Tumor_Seq_Allele2", "dbSNP_RS", "dbSNP_Val_Status",
    "Tumor_Sample_Barcode", "Matched_Norm_Sample_Barcode", "Match_Norm_Seq_Allele1",
    "Match_Norm_Seq_Allele2", "Tumor_Validation_Allele1", "Tumor_Validation_Allele2",
    "Match_Norm_Validation_Allele1", "Match_Norm_Validation_Allele2", "Verification_Status",
    "Validation_Status", "Mutation_Status", "Sequencing_Phase", "Sequence_Source",
    "Validation_Method", "Score", "BAM_File", "Sequencer", "Tumor_Sample_UUID",
    "Matched_Norm_Sample_UUID", "HGVSc", "HGVSp", "HGVSp_Short", "Transcript_ID",
    "Exon_Number", "t_depth", "t_ref_count", "t_alt_count", "n_depth", "n_ref_count",
    "n_alt_count", "Allele", "Feature", "Feature_type", "Consequence", "EXON", "INTRON",
    "IMPACT", "FILTER",
]
#: escapeseq's columns, after the GDC block.
ESCAPESEQ_COLUMNS = [
    "patient", "timepoint", "class", "vaf", "adjusted_vaf", "homozygous", "homozygous_acquired",
    "loh_acquired", "escape_gene", "pathway", "lof_confidence", "candidate_rank",
    "candidate_confidence",
]
COLUMNS = GDC_COLUMNS + ESCAPESEQ_COLUMNS

#: the nine classes maftools counts as non-synonymous by default (read.maf vc_nonSyn).
NONSYNONYMOUS = ("Frame_Shift_Del", "Frame_Shift_Ins", "Splice_Site", "Translation_Start_Site",
                 "Nonsense_Mutation", "Nonstop_Mutation", "In_Frame_Del", "In_Frame_Ins",
                 "Missense_Mutation")

_SO_TO_CLASS: list[tuple[tuple[str, ...], str]] = [
    (("splice_acceptor_variant", "splice_donor_variant", "transcript_ablation",
      "exon_loss_variant"), "Splice_Site"),
    (("stop_gained",), "Nonsense_Mutation"),
]
_LATER: list[tuple[tuple[str, ...], str]] = [
    (("stop_lost",), "Nonstop_Mutation"),
    (("initiator_codon_variant", "start_lost"), "Translation_Start_Site"),
]
_REST: list[tuple[tuple[str, ...], str]] = [
    (("missense_variant", "coding_sequence_variant", "conservative_missense_variant",
      "rare_amino_acid_variant"), "Missense_Mutation"),
    (("transcript_amplification", "intron_variant", "INTRAGENIC", "intragenic_variant"), "Intron"),
    (("splice_region_variant", "splice_donor_region_variant", "splice_donor_5th_base_variant",
      "splice_polypyrimidine_tract_variant"), "Splice_Region"),
    (("incomplete_terminal_codon_variant", "synonymous_variant", "stop_retained_variant",
      "start_retained_variant", "NMD_transcript_variant"), "Silent"),
    (("mature_miRNA_variant", "exon_variant", "non_coding_exon_variant",
      "non_coding_transcript_exon_variant", "non_coding_transcript_variant",
      "nc_transcript_variant"), "RNA"),
    (("5_prime_UTR_variant", "5_prime_UTR_premature_start_codon_gain_variant"), "5'UTR"),
    (("3_prime_UTR_variant",), "3'UTR"),
    (("TF_binding_site_variant", "regulatory_region_variant", "regulatory_region",
      "intergenic_variant", "intergenic_region"), "IGR"),
    (("upstream_gene_variant",), "5'Flank"),
    (("downstream_gene_variant",), "3'Flank"),
]


def maf_alleles(pos: int, ref: str, alt: str) -> tuple[int, int, str, str]:
    """VCF (1-based pos, REF, ALT) → MAF (Start, End, Reference_Allele, Tumor_Seq_Allele2).

    The shared leading bases (the VCF anchor of an indel) are removed and ``pos`` moves
    past them. Of ``k`` removed bases and ``r``/``a`` remaining REF/ALT lengths:

    * ``a == 0`` (deletion): Start = pos + k, End = Start + r - 1, ALT → ``-``;
    * ``r == 0`` (insertion): Start = pos + k - 1 (the last shared base), End = Start + 1,
      REF → ``-``;
    * otherwise (SNV, MNV, complex): Start = pos + k, End = Start + r - 1.
    """
    ref, alt = ref.upper(), alt.upper()
    k = 0
    while k < min(len(ref), len(alt)) and ref[k] == alt[k]:
        k += 1
    r, a = ref[k:], alt[k:]
    if not r and not a:
        raise ValueError(f"REF {ref} and ALT {alt} are the same allele")
    if not r:
        start = pos + k - 1
        return start, start + 1, "-", a
    start = pos + k
    return start, start + len(r) - 1, r, a or "-"


def variant_type(ref: str, alt: str) -> str:
    """MAF Variant_Type of MAF alleles (``-`` for none): INS, DEL, SNP, DNP, TNP or ONP."""
    if ref == "-":
        return "INS"
    if alt == "-":
        return "DEL"
    if len(ref) < len(alt):
        return "INS"
    if len(ref) > len(alt):
        return "DEL"
    return {1: "SNP", 2: "DNP", 3: "TNP"}.get(len(ref), "ONP")


def variant_classification(consequence: str, var_type: str, inframe: bool) -> str:
    """vcf2maf's Variant_Classification of the most severe SO term ``consequence``.

    ``inframe``: the indel's length change is a multiple of 3 (used for the VEP term
    ``protein_altering_variant``). An empty term (no gene) is ``intergenic_variant`` → IGR;
    an unknown term → ``Targeted_Region``.
    """
    so = (consequence or "intergenic_variant").split("&")[0].split(",")[0].strip()
    for terms, cls in _SO_TO_CLASS:
        if so in terms:
            return cls
    altering = so == "protein_altering_variant"
    if (so == "frameshift_variant" or (altering and not inframe)) and var_type in ("DEL", "INS"):
        return "Frame_Shift_Del" if var_type == "DEL" else "Frame_Shift_Ins"
    for terms, cls in _LATER:
        if so in terms:
            return cls
    if so in ("inframe_insertion", "disruptive_inframe_insertion") or (
            altering and inframe and var_type == "INS"):
        return "In_Frame_Ins"
    if so in ("inframe_deletion", "disruptive_inframe_deletion") or (
            altering and inframe and var_type == "DEL"):
        return "In_Frame_Del"
    for terms, cls in _REST:
        if so in terms:
            return cls
    return "Targeted_Region"


def hgvsp_short(text: str) -> str:
    """One-letter protein change with the ``p.`` prefix maftools expects (``Q503*`` →
    ``p.Q503*``); empty stays empty."""
    text = (text or "").strip()
    if not text:
        return ""
    return text if text.startswith("p.") else f"p.{text}"


def _bool(x: object) -> str:
    return "true" if bool(x) else "false"


def _num(x: object, nd: int = 4) -> str:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return ""
    return f"{round(v, nd):g}" if math.isfinite(v) else ""


def _ann_lookup(annotation: pd.DataFrame, cols: Sequence[str]) -> dict[tuple, dict[str, str]]:
    if annotation is None or annotation.empty:
        return {}
    have = [c for c in cols if c in annotation.columns]
    out = {}
    for rec in annotation[["chrom", "pos", "ref", "alt", *have]].itertuples(index=False):
        out[(str(rec[0]), int(rec[1]), str(rec[2]), str(rec[3]))] = dict(zip(have, map(str, rec[4:])))
    return out


def build_maf(table: pd.DataFrame, calls: Calls, patient: Patient, annotation: pd.DataFrame,
              candidates: pd.DataFrame, min_alt_reads: int, homozygous_vaf: float,
              center: str = ".", ncbi_build: str = "GRCh38") -> pd.DataFrame:
    """The patient's MAF rows (all strings, :data:`COLUMNS`).

    ``table``: the typed mutations table (:func:`~escapeseq.evolution.table.build_table` then
    ``attach_ranks``), one row per record of ``calls`` in the same order. Counts: t_/n_
    ``ref``/``alt`` from FORMAT/AD, ``depth`` from FORMAT/DP (the AD sum where DP is
    missing). ``Tumor_Seq_Allele1`` is the alternate allele where the sample's
    purity-adjusted VAF exceeds ``homozygous_vaf`` (homozygous), else the reference allele.
    """
    import numpy as np
    import pandas as pd

    from escapeseq.evolution.table import present_at

    if len(table) != len(calls.sites):
        raise ValueError(f"mutations table has {len(table)} rows, VCF records {len(calls.sites)}")
    tum = patient.tumours
    tp = dict(zip(tum, patient.timepoints))
    ci = {s: i for i, s in enumerate(calls.samples)}
    dp = calls.dp if calls.dp is not None else calls.depth
    ann = _ann_lookup(annotation, ("transcript", "exon", "intron", "impact", "consequences"))
    conf = {}
    if candidates is not None and len(candidates):
        conf = {(str(c), int(p), str(r), str(a)): str(k) for c, p, r, a, k in zip(
            candidates["chrom"], candidates["pos"], candidates["ref"], candidates["alt"],
            candidates["confidence"])}
    present = present_at(np.column_stack([table[f"{s}_alt_reads"].to_numpy(np.int64) for s in tum])
                         if len(table) else np.zeros((0, len(tum)), np.int64), min_alt_reads)
    norm = patient.normal or ""
    nidx = ci.get(norm) if norm else None
    rows = []
    for i in range(len(table)):
        rec = table.iloc[i]
        key = (str(rec["chrom"]), int(rec["pos"]), str(rec["ref"]), str(rec["alt"]))
        start, end, mref, malt = maf_alleles(key[1], key[2], key[3])
        vt = variant_type(mref, malt)
        dlen = (0 if malt == "-" else len(malt)) - (0 if mref == "-" else len(mref))
        a = ann.get(key, {})
        cons = str(rec["consequence"])
        vc = variant_classification(cons, vt, dlen % 3 == 0)
        gene = str(rec["gene"]) or "Unknown"
        transcript = a.get("transcript", "")
        if nidx is not None:
            n_alt = int(calls.alt[i, nidx])
            n_ref = int(calls.depth[i, nidx]) - n_alt
            n_dp = int(dp[i, nidx])
        for j, s in enumerate(tum):
            if not present[i, j]:
                continue
            t_alt = int(calls.alt[i, ci[s]])
            t_ref = int(calls.depth[i, ci[s]]) - t_alt
            adj = float(rec[f"{s}_adjusted_vaf"])
            hom = bool(np.isfinite(adj) and adj > homozygous_vaf)
            row = {c: "" for c in COLUMNS}
            row.update({
                "Hugo_Symbol": gene, "Entrez_Gene_Id": "0", "Center": center,
                "NCBI_Build": ncbi_build, "Chromosome": key[0], "Start_Position": str(start),
                "End_Position": str(end), "Strand": "+", "Variant_Classification": vc,
                "Variant_Type": vt, "Reference_Allele": mref,
                "Tumor_Seq_Allele1": malt if hom else mref, "Tumor_Seq_Allele2": malt,
                "Tumor_Sample_Barcode": s, "Matched_Norm_Sample_Barcode": norm,
                "Match_Norm_Seq_Allele1": mref if norm else "",
                "Match_Norm_Seq_Allele2": mref if norm else "",
                "Mutation_Status": "Somatic",
                "HGVSc": str(rec["hgvs_c"]), "HGVSp": str(rec["hgvs_p"]),
                "HGVSp_Short": hgvsp_short(str(rec["hgvs_p_short"])),
                "Transcript_ID": transcript, "Exon_Number": a.get("exon", ""),
                "t_depth": str(int(dp[i, ci[s]])), "t_ref_count": str(t_ref),
                "t_alt_count": str(t_alt),
                "n_depth": str(n_dp) if nidx is not None else "",
                "n_ref_count": str(n_ref) if nidx is not None else "",
                "n_alt_count": str(n_alt) if nidx is not None else "",
                "Allele": malt, "Feature": transcript,
                "Feature_type": "Transcript" if transcript else "",
                "Consequence": (a.get("consequences") or cons).replace("&", ","),
                "EXON": a.get("exon", ""), "INTRON": a.get("intron", ""),
                "IMPACT": a.get("impact", ""), "FILTER": str(rec["filter"]),
                "patient": patient.patient, "timepoint": tp[s], "class": str(rec["class"]),
                "vaf": _num(rec[f"{s}_vaf"]), "adjusted_vaf": _num(adj),
                "homozygous": _bool(hom),
                "homozygous_acquired": _bool(rec["homozygous_acquired"]),
                "loh_acquired": _bool(rec["loh_acquired"]),
                "escape_gene": _bool(rec["escape_gene"]), "pathway": str(rec["pathway"]),
                "lof_confidence": str(rec["lof_confidence"]),
                "candidate_rank": str(rec["rank"]), "candidate_confidence": conf.get(key, ""),
            })
            rows.append(row)
    return pd.DataFrame(rows, columns=COLUMNS)


def maf_text(df: pd.DataFrame) -> str:
    """The ``#version 2.4`` line, the header and the rows (tab-separated, ``\\n``)."""
    body = df[COLUMNS].to_csv(sep="\t", index=False, lineterminator="\n")
    return f"{VERSION_LINE}\n{body}"


def write_maf(df: pd.DataFrame, path: Path) -> None:
    """Write ``df`` as a MAF (atomically: no partial file under the final name)."""
    write_atomic(Path(path), maf_text(df))


def read_maf_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """(header, rows as lists of strings) of a MAF written by :func:`write_maf` (comment
    lines skipped); a file that is not such a MAF is a one-line :class:`InputError`."""
    path = Path(path)
    try:
        with open(path) as fh:
            lines = [ln for ln in fh if not ln.startswith("#")]
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(path, None, f"cannot read MAF: {err}") from None
    if not lines:
        raise InputError(path, "header", "no header line (expected Hugo_Symbol ...)")
    header = lines[0].rstrip("\r\n").split("\t")
    miss = [c for c in ("Hugo_Symbol", "Chromosome", "Start_Position", "Tumor_Sample_Barcode")
            if c not in header]
    if miss:
        raise InputError(path, "header", f"not a MAF: missing column(s) {', '.join(miss)}")
    rows = []
    for n, ln in enumerate(lines[1:], 2):
        f = ln.rstrip("\r\n").split("\t")
        if len(f) != len(header):
            raise InputError(path, f"data line {n - 1}",
                             f"{len(f)} fields, the header has {len(header)}")
        rows.append(f)
    return header, rows


def read_maf(path: Path) -> "pd.DataFrame":
    """A MAF written by :func:`write_maf` as a table, all columns as strings."""
    import pandas as pd

    header, rows = read_maf_rows(path)
    return pd.DataFrame(rows, columns=header)


def merge_mafs(paths: Iterable[Path]) -> str:
    """The cohort MAF's text: the rows of every patient MAF under one header, ordered by
    patient (then each file's own order: mutations in VCF order, tumours in time order),
    each row as its file has it. Every file needs the same columns; a file with other
    columns is an error (files from different versions)."""
    parts = []
    patient = COLUMNS.index("patient")
    for p in paths:
        header, rows = read_maf_rows(Path(p))
        if header != COLUMNS:
            raise InputError(p, "header", "columns differ from this escapeseq version's MAF")
        parts.append((rows[0][patient] if rows else Path(p).stem, str(p), rows))
    parts.sort(key=lambda x: (x[0], x[1]))
    lines = [VERSION_LINE, "\t".join(COLUMNS)] + ["\t".join(r) for _, _, rows in parts for r in rows]
    return "\n".join(lines) + "\n"
