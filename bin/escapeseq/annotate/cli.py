"""``escapeseq-annotate``: consequence, HGVS and LoF annotation of a VCF from a GTF + FASTA.

Reads any VCF (multi-sample, multi-allelic, with symbolic alleles), annotates every
non-symbolic ALT allele against every transcript within 5 kb, and writes the VCF back
with only INFO fields added (FORMAT and sample columns are copied byte for byte):

* ``CSQ``: one entry per allele x transcript, subfields listed in the header;
* per-ALT pick fields (``Number=A``) for the chosen transcript of each allele, so callers
  need not parse CSQ: ``GENE CONSEQUENCE IMPACT TRANSCRIPT HGVS_C HGVS_P HGVS_P_SHORT
  LOF_CONFIDENCE ESCAPE_GENE PATHWAY``.

The pick for an allele is, among the canonical transcripts (GTF tag ``Ensembl_canonical``
or ``MANE_Select``, else the gene's longest CDS), the one with the most severe
consequence; ties go to protein-coding, then the longer CDS, then the transcript id.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Sequence

from escapeseq import __version__
from escapeseq.annotate.consequence import Annotation, Annotator, Genome
from escapeseq.annotate.gtf import TranscriptIndex, read_gtf
from escapeseq.fileio import checked_lines, open_bytes
from escapeseq.annotate.panel import DEFAULT_PANEL, load_panel
from escapeseq.errors import InputError, run_cli

PROG = "escapeseq-annotate"
CSQ_FIELDS = ("Allele", "Consequence", "IMPACT", "SYMBOL", "Gene", "Feature", "BIOTYPE",
              "STRAND", "EXON", "INTRON", "HGVSc", "HGVSp", "HGVSp_short", "CDS_position",
              "Protein_position", "Amino_acids", "Codons", "DISTANCE", "CANONICAL", "LoF",
              "LoF_flags", "LoF_info", "ESCAPE_GENE")
PICK_FIELDS = (
    ("GENE", "Gene symbol of the picked transcript"),
    ("CONSEQUENCE", "Most severe Sequence Ontology consequence on the picked transcript"),
    ("IMPACT", "Impact class of CONSEQUENCE (HIGH, MODERATE, LOW, MODIFIER)"),
    ("TRANSCRIPT", "Picked transcript: canonical (Ensembl_canonical/MANE_Select tag, else longest CDS) with the most severe consequence"),
    ("HGVS_C", "HGVS coding (c.) or non-coding (n.) notation on the picked transcript"),
    ("HGVS_P", "HGVS protein notation, three-letter codes, stop = Ter (e.g. p.Gln503Ter)"),
    ("HGVS_P_SHORT", "HGVS protein notation, one-letter codes, stop = * (e.g. Q503*)"),
    ("LOF_CONFIDENCE", "Loss-of-function confidence: high, low or none (LOFTEE-like rules, see docs)"),
    ("ESCAPE_GENE", "true if GENE is in the immune-escape panel, else false"),
    ("PATHWAY", "Escape-panel pathway of GENE (percent-encoded), . if not in the panel"),
)
TSV_COLUMNS = ("chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "hgvs_p",
               "hgvs_p_short", "lof_confidence", "exon", "intron", "transcript",
               "escape_gene", "pathway", "role", "note", "consequences", "impact", "lof_flags")
OUR_INFO = {"CSQ"} | {k for k, _ in PICK_FIELDS}
_PICK_COLS = (("GENE", "gene"), ("CONSEQUENCE", "consequence"), ("IMPACT", "impact"),
              ("TRANSCRIPT", "transcript"), ("HGVS_C", "hgvs_c"), ("HGVS_P", "hgvs_p"),
              ("HGVS_P_SHORT", "hgvs_p_short"), ("LOF_CONFIDENCE", "lof_confidence"),
              ("ESCAPE_GENE", "escape_gene"), ("PATHWAY", "pathway"))
BASES_RE = re.compile(r"^[ACGTN]+$")
_ENC = {"%": "%25", ",": "%2C", ";": "%3B", "=": "%3D", "|": "%7C", " ": "%20", "&": "%26",
        "\t": "%09"}
_ENC_RE = re.compile("[%,;=| &\t]")
LOF_LEVEL = {"HC": "high", "LC": "low", "": "none"}


def encode(text: str) -> str:
    """Percent-encode characters that are reserved in VCF INFO / CSQ values (VCF 4.3)."""
    if not text or _ENC_RE.search(text) is None:
        return text
    return _ENC_RE.sub(lambda m: _ENC[m.group(0)], text)


def toggle_chr(name: str) -> str:
    """``chr1`` <-> ``1`` (and ``chrM`` <-> ``MT``)."""
    if name in ("chrM", "MT"):
        return "MT" if name == "chrM" else "chrM"
    return name[3:] if name.startswith("chr") else "chr" + name


def check_contigs(names: Sequence[str], ref_names: set[str], what: str, path: Path,
                  ref_path: Path) -> None:
    """Raise if ``names`` use the other naming convention (chr1 vs 1) from the FASTA."""
    missing = [n for n in names if n not in ref_names]
    toggled = [n for n in missing if toggle_chr(n) in ref_names]
    if toggled:
        n = toggled[0]
        raise InputError(path, None, f"contig names do not match the FASTA: {what} uses {n!r}, "
                         f"{ref_path.name} uses {toggle_chr(n)!r} (rename contigs in one of them)")


def pick(anns: list[Annotation]) -> Annotation | None:
    """The reported annotation of an allele (rules in the module docstring)."""
    if not anns:
        return None
    canon = [a for a in anns if a.tx.canonical] or anns
    return min(canon, key=lambda a: (a.rank, a.tx.biotype != "protein_coding",
                                     -a.tx.cds_length, a.tx.tx_id))


def csq_entry(allele: str, a: Annotation, panel: dict) -> str:
    """One CSQ entry (subfields in :data:`CSQ_FIELDS`)."""
    tx = a.tx
    e = encode
    # only the free-text subfields can hold reserved characters (HGVS, terms, numbers cannot)
    vals = (allele, a.consequence, a.impact, e(tx.gene_name), e(tx.gene_id), e(tx.tx_id),
            e(tx.biotype), "1" if tx.strand > 0 else "-1", a.exon, a.intron, a.hgvs_c, a.hgvs_p,
            a.hgvs_p_short, a.cds_pos, a.protein_pos, a.amino_acids, a.codons, a.distance,
            "YES" if tx.canonical else "", a.lof, "&".join(a.lof_flags),
            "&".join(e(i.replace("&", "and").replace(" ", "_")) for i in a.lof_info),
            "true" if tx.gene_name in panel else "false")
    return "|".join(vals)


def pick_summary(anns: list[Annotation], best: Annotation | None, panel: dict) -> dict[str, str]:
    """Pick fields of one allele, plus TSV-only extras (role, note, consequences, lof flags)."""
    if best is None:
        return {"gene": "", "consequence": "intergenic_variant", "impact": "MODIFIER",
                "transcript": "", "hgvs_c": "", "hgvs_p": "", "hgvs_p_short": "",
                "lof_confidence": "none", "escape_gene": "false", "pathway": "", "role": "",
                "exon": "", "intron": "", "note": "", "consequences": "intergenic_variant",
                "lof_flags": ""}
    gene = best.tx.gene_name
    lof = LOF_LEVEL[best.lof]
    notes = []
    flags = list(best.lof_flags)
    if best.note:
        notes.append(best.note)
    if lof == "none":
        others = [a for a in anns if a.lof and a is not best and a.tx.gene_name == gene]
        if others:
            lof = "low"
            flags.append("NON_CANONICAL")
            notes.append("LoF only in non-canonical transcript(s) " + ",".join(
                f"{a.tx.tx_id}:{a.terms[0]}" for a in others))
    if best.lof_info:
        notes.extend(best.lof_info)
    if best.lof_flags:
        notes.append("LoF flags: " + ",".join(best.lof_flags))
    info = panel.get(gene)
    return {"gene": gene, "consequence": best.terms[0], "impact": best.impact,
            "transcript": best.tx.tx_id, "hgvs_c": best.hgvs_c, "hgvs_p": best.hgvs_p,
            "hgvs_p_short": best.hgvs_p_short, "lof_confidence": lof,
            "escape_gene": "true" if info else "false",
            "pathway": info["pathway"] if info else "", "role": info["role"] if info else "",
            "exon": best.exon, "intron": best.intron, "note": "; ".join(notes),
            "consequences": best.consequence, "lof_flags": ",".join(flags)}


def _header_lines(panel_name: str, gtf: Path, fasta: Path) -> list[str]:
    out = [
        f'##INFO=<ID=CSQ,Number=.,Type=String,Description="Consequence annotations from '
        f'{PROG} (one per ALT allele x transcript within 5 kb; reserved characters percent-encoded, spaces in LoF_info written as _). '
        f'Format: {"|".join(CSQ_FIELDS)}">',
    ]
    for key, desc in PICK_FIELDS:
        out.append(f'##INFO=<ID={key},Number=A,Type=String,Description="{desc}">')
    out.append(f"##{PROG.replace('-', '_')}=<Version={__version__},GTF={gtf.name},"
               f"FASTA={fasta.name},Panel={panel_name}>")
    return out


def _open_vcf(path: Path):
    try:
        return open_bytes(path)
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from None


class Stats:
    """Counters reported at the end of a run."""

    def __init__(self) -> None:
        self.records = self.alleles = self.symbolic = self.unknown_contig = 0
        self.ref_mismatch = 0
        self.first_mismatch = ""


def annotate_vcf(vcf: Path, out: Path, annot: Annotator, panel: dict, tsv: Path | None,
                 fasta: Path, header_extra: list[str], warn) -> Stats:
    """Stream ``vcf`` -> bgzipped ``out`` (+ .tbi) and optional ``tsv``; temp names then rename."""
    import pysam

    st = Stats()
    genome = annot.genome
    ref_names = set(genome.lengths)
    tmp_out = out.with_name(f".{out.name}.tmp.vcf.gz")
    tmp_tsv = tsv.with_name(f".{tsv.name}.tmp") if tsv else None
    bgz = pysam.BGZFile(str(tmp_out), "wb")
    tsv_fh = open(tmp_tsv, "w") if tmp_tsv else None
    if tsv_fh:
        tsv_fh.write("\t".join(TSV_COLUMNS) + "\n")
    buf: list[str] = []
    seen_chrom: set[str] = set()
    order: dict = {"chrom": None, "pos": 0, "done": set()}
    try:
        with _open_vcf(vcf) as fh:
            lineno = 0
            header_done = False
            contigs: list[str] = []
            for line in checked_lines(fh, vcf):
                lineno += 1
                if line.startswith("##"):
                    if line.startswith("##INFO=<ID="):
                        key = line[11:].split(",", 1)[0]
                        if key in OUR_INFO:
                            continue
                    if line.startswith("##contig=<ID="):
                        contigs.append(line[13:].split(",", 1)[0].rstrip(">\n"))
                    buf.append(line)
                    continue
                if line.startswith("#"):
                    if not line.startswith("#CHROM"):
                        raise InputError(vcf, f"line {lineno}", "header line must start with #CHROM")
                    check_contigs(contigs, ref_names, "the VCF header", vcf, fasta)
                    buf.extend(h + "\n" for h in header_extra)
                    buf.append(line)
                    header_done = True
                    continue
                if not header_done:
                    raise InputError(vcf, f"line {lineno}", "record before the #CHROM header line")
                if not line.strip():
                    continue
                _check_order(line, lineno, vcf, order)
                buf.append(_annotate_line(line, lineno, vcf, fasta, annot, panel, st, ref_names,
                                          seen_chrom, tsv_fh))
                if len(buf) >= 4096:
                    bgz.write("".join(buf).encode())
                    buf.clear()
            if not header_done:
                raise InputError(vcf, None, "no #CHROM header line: not a VCF")
        bgz.write("".join(buf).encode())
        bgz.close()
        if tsv_fh:
            tsv_fh.close()
        try:
            pysam.tabix_index(str(tmp_out), preset="vcf", force=True)
        except (OSError, ValueError) as err:
            raise InputError(vcf, None, f"cannot index the output (records not sorted?): {err}") from None
        os.replace(f"{tmp_out}.tbi", f"{out}.tbi")
        os.replace(tmp_out, out)
        if tmp_tsv and tsv:
            os.replace(tmp_tsv, tsv)
    except BaseException:
        for p in (tmp_out, Path(f"{tmp_out}.tbi"), tmp_tsv):
            if p is not None and p.exists():
                p.unlink()
        raise
    finally:
        if not bgz.closed:
            bgz.close()
        if tsv_fh and not tsv_fh.closed:
            tsv_fh.close()
    return st


def _check_order(line: str, lineno: int, vcf: Path, order: dict) -> None:
    """Raise unless records are grouped by contig and sorted by position (tabix needs it)."""
    chrom, _, rest = line.partition("\t")
    pos_s = rest.partition("\t")[0]
    if not pos_s.isdigit():
        raise InputError(vcf, f"line {lineno}: POS", f"not an integer: {pos_s!r}")
    pos = int(pos_s)
    if chrom != order["chrom"]:
        if chrom in order["done"]:
            raise InputError(vcf, f"line {lineno}", f"records are not sorted: contig {chrom} appears again "
                             f"after {order['chrom']} (sort with bcftools sort)")
        if order["chrom"] is not None:
            order["done"].add(order["chrom"])
        order["chrom"], order["pos"] = chrom, pos
    elif pos < order["pos"]:
        raise InputError(vcf, f"line {lineno}", f"records are not sorted: {chrom}:{pos} after "
                         f"{chrom}:{order['pos']} (sort with bcftools sort)")
    order["pos"] = pos


def _annotate_line(line: str, lineno: int, vcf: Path, fasta: Path, annot: Annotator,
                   panel: dict, st: Stats, ref_names: set[str], seen_chrom: set[str],
                   tsv_fh) -> str:
    """Annotate one VCF record line; returns the output line."""
    f = line.rstrip("\n").split("\t", 8)
    if len(f) < 8:
        raise InputError(vcf, f"line {lineno}", f"expected at least 8 tab-separated columns, found {len(f)}")
    chrom, pos_s, _id, ref, alts_s, _q, _flt, info = f[:8]
    st.records += 1
    try:
        pos = int(pos_s)
    except ValueError:
        raise InputError(vcf, f"line {lineno}: POS", f"not an integer: {pos_s!r}") from None
    ref = ref.upper()
    if not BASES_RE.match(ref):
        raise InputError(vcf, f"line {lineno}: REF", f"invalid allele {ref!r}")
    if chrom not in seen_chrom:
        seen_chrom.add(chrom)
        if chrom not in ref_names:
            if toggle_chr(chrom) in ref_names:
                raise InputError(vcf, f"line {lineno}: CHROM",
                                 f"contig {chrom!r} is not in {fasta.name}, which names it "
                                 f"{toggle_chr(chrom)!r}: contig naming (chr1 vs 1) differs between files")
    known = chrom in ref_names
    if not known:
        st.unknown_contig += 1
    elif annot.genome.fetch(chrom, pos, pos + len(ref) - 1) != ref:
        st.ref_mismatch += 1
        if not st.first_mismatch:
            st.first_mismatch = f"{chrom}:{pos} REF {ref}"
    csq: list[str] = []
    picks: list[dict[str, str] | None] = []
    for alt in alts_s.split(","):
        alt_u = alt.upper()
        if alt_u in ("*", ".") or alt_u.startswith("<") or "[" in alt_u or "]" in alt_u \
                or not BASES_RE.match(alt_u):
            if alt_u in ("*", ".") or alt_u.startswith("<") or "[" in alt_u or "]" in alt_u \
                    or alt_u.startswith(".") or alt_u.endswith("."):
                st.symbolic += 1
                picks.append(None)
                continue
            raise InputError(vcf, f"line {lineno}: ALT", f"invalid allele {alt!r}")
        st.alleles += 1
        anns = annot.annotate(chrom, pos, ref, alt_u) if known else []
        for a in anns:
            csq.append(csq_entry(alt, a, panel))
        s = pick_summary(anns, pick(anns), panel)
        picks.append(s)
        if tsv_fh:
            row = {"chrom": chrom, "pos": pos_s, "ref": ref, "alt": alt, **s}
            tsv_fh.write("\t".join(row[c].replace("\t", " ") for c in TSV_COLUMNS) + "\n")
    # rebuild INFO: drop our keys from a previous run, append ours
    items = [] if info in (".", "") else [i for i in info.split(";")
                                           if i.split("=", 1)[0] not in OUR_INFO]
    if csq:
        items.append("CSQ=" + ",".join(csq))
    if any(p is not None for p in picks):
        for key, col in _PICK_COLS:
            if len(picks) == 1:
                v = picks[0][col]  # type: ignore[index]
                items.append(f"{key}={encode(v) if v else '.'}")
            else:
                vals = [encode(p[col]) if p is not None and p[col] else "." for p in picks]
                items.append(f"{key}={','.join(vals)}")
    f[7] = ";".join(items) if items else "."
    return "\t".join(f) + "\n"


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog=PROG,
        description="Annotate a VCF with Sequence Ontology consequences, HGVS c./p., exon/intron "
                    "numbers and LOFTEE-like loss-of-function confidence, using only a FASTA and a "
                    "GENCODE/Ensembl-style GTF; flag genes of the immune-escape panel.")
    p.add_argument("--fasta", required=True, type=Path,
                   help="reference FASTA (indexed with samtools faidx, or writable so the .fai can be made)")
    p.add_argument("--gtf", required=True, type=Path,
                   help="gene annotation GTF (plain or .gz) with exon and CDS (and stop_codon) features; "
                        "tags Ensembl_canonical/MANE_Select choose the canonical transcript")
    p.add_argument("--vcf", required=True, type=Path,
                   help="input VCF (plain, gzip or bgzip); multi-sample and multi-allelic records are "
                        "fine, symbolic ALTs are skipped with a count")
    p.add_argument("--out", required=True, type=Path,
                   help="output VCF, bgzipped, with a tabix index written beside it (<out>.tbi)")
    p.add_argument("--escape-panel", "--escape_panel", dest="escape_panel", type=Path, default=None,
                   help="immune-escape gene panel TSV (columns gene pathway role domains); "
                        "default: the bundled assets/escape_panel.tsv")
    p.add_argument("--tsv", type=Path, default=None,
                   help="also write one row per ALT allele: " + " ".join(TSV_COLUMNS))
    p.add_argument("--quiet", action="store_true", help="do not print warnings and the summary line")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``escapeseq-annotate``."""
    return run_cli(PROG, _main, argv)


def _main(argv: Sequence[str] | None) -> int:
    import pysam

    args = build_parser().parse_args(argv)

    def warn(msg: str) -> None:
        if not args.quiet:
            print(f"{PROG}: warning: {msg}", file=sys.stderr)

    panel_path = args.escape_panel or DEFAULT_PANEL
    panel = load_panel(panel_path)
    if not args.fasta.exists():
        raise InputError(args.fasta, None, "no such file")
    try:
        fa = pysam.FastaFile(str(args.fasta))
    except (OSError, ValueError) as err:
        raise InputError(args.fasta, None, f"cannot open as an indexed FASTA: {err}") from None
    genome = Genome(fa)
    txs = read_gtf(args.gtf, warn=warn)
    gtf_chroms = sorted({t.chrom for t in txs})
    check_contigs(gtf_chroms, set(genome.lengths), "the GTF", args.gtf, args.fasta)
    absent = [c for c in gtf_chroms if c not in genome.lengths]
    if absent and len(absent) == len(gtf_chroms):
        raise InputError(args.gtf, None, f"no GTF contig is in {args.fasta.name} (e.g. {absent[0]!r})")
    if absent:
        warn(f"{args.gtf.name}: {len(absent)} contig(s) not in {args.fasta.name} (e.g. {absent[0]}): "
             "their transcripts are ignored")
    if not any(t.coding for t in txs):
        warn(f"{args.gtf.name}: no CDS features: every transcript is annotated as non-coding")
    annot = Annotator(TranscriptIndex([t for t in txs if t.chrom in genome.lengths]), genome)
    header = _header_lines(Path(panel_path).name, args.gtf, args.fasta)
    st = annotate_vcf(args.vcf, args.out, annot, panel, args.tsv, args.fasta, header, warn)
    if st.symbolic:
        warn(f"{args.vcf.name}: skipped {st.symbolic} symbolic/spanning-deletion ALT allele(s)")
    if st.unknown_contig:
        warn(f"{args.vcf.name}: {st.unknown_contig} record(s) on contigs absent from "
             f"{args.fasta.name}: annotated as intergenic")
    if st.ref_mismatch:
        warn(f"{args.vcf.name}: {st.ref_mismatch} record(s) whose REF differs from "
             f"{args.fasta.name} (first: {st.first_mismatch})")
    if not args.quiet:
        print(f"{PROG}: annotated {st.alleles} allele(s) in {st.records} record(s)", file=sys.stderr)
    return 0
