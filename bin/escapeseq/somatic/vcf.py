"""VCF 4.2 writing (deterministic header, bgzip + tabix, atomic rename) and gathering.

Record layout: FORMAT GT:AD:DP:AF:SB:F1R2:F2R1 for the normal then every tumour in the order given.
INFO TLOD has one value per tumour (tumour sample order), NLOD one value (from the normal).
"""
from __future__ import annotations

import gzip
import os
from dataclasses import dataclass

from escapeseq.somatic.defaults import FILTERS
from escapeseq.errors import InputError

FORMAT_KEYS = "GT:AD:DP:AF:SB:F1R2:F2R1"


@dataclass
class SampleCall:
    """One sample's counts at a site (fragments: overlapping mates count once)."""

    ref_reads: int
    alt_reads: int
    depth: int
    ref_fwd: int
    ref_rev: int
    alt_fwd: int
    alt_rev: int
    ref_f1r2: int = 0
    ref_f2r1: int = 0
    alt_f1r2: int = 0
    alt_f2r1: int = 0

    def format_field(self) -> str:
        """GT:AD:DP:AF:SB:F1R2:F2R1 text. GT is 0/1 with any alternate read, 0/0 without, ./. at
        depth 0 (a presence flag, not a genotype call; AF carries the fraction)."""
        if self.depth == 0:
            gt, af = "./.", "."
        else:
            gt = "0/1" if self.alt_reads > 0 else "0/0"
            af = fmt_float(self.alt_reads / self.depth, 4)
        return (f"{gt}:{self.ref_reads},{self.alt_reads}:{self.depth}:{af}:"
                f"{self.ref_fwd},{self.ref_rev},{self.alt_fwd},{self.alt_rev}:"
                f"{self.ref_f1r2},{self.alt_f1r2}:{self.ref_f2r1},{self.alt_f2r1}")


@dataclass
class VcfRecord:
    """One biallelic site (pos0 is 0-based; written as pos0 + 1)."""

    contig: str
    pos0: int
    ref: str
    alt: str
    filters: list[str]
    info: list[tuple[str, str]]
    samples: list[SampleCall]

    def line(self) -> str:
        """Tab-separated VCF data line (no newline)."""
        info = ";".join(f"{k}={v}" for k, v in self.info) or "."
        filt = ";".join(self.filters) if self.filters else "PASS"
        cols = [self.contig, str(self.pos0 + 1), ".", self.ref, self.alt, ".", filt, info,
                FORMAT_KEYS] + [s.format_field() for s in self.samples]
        return "\t".join(cols)


def fmt_float(x: float, digits: int) -> str:
    """Fixed-precision float with trailing zeros removed ("0.25", "0", "12.3")."""
    s = f"{x:.{digits}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def header_lines(contigs: dict[str, int], samples: list[str], reference_name: str,
                 params: list[tuple[str, str]]) -> list[str]:
    """Deterministic header: no date, no paths (reference by file name only)."""
    h = ["##fileformat=VCFv4.2", '##FILTER=<ID=PASS,Description="All filters passed">']
    for fid, desc in FILTERS.items():
        h.append(f'##FILTER=<ID={fid},Description="{desc}">')
    h += [
        '##INFO=<ID=TLOD,Number=.,Type=Float,Description="Tumour log10 odds of the alternate allele at its maximum-likelihood fraction versus sequencing error, one value per tumour in sample-column order (normal excluded)">',
        '##INFO=<ID=NLOD,Number=1,Type=Float,Description="Normal log10 odds of no germline allele (f=0, or up to --max-tumour-in-normal times the highest tumour VAF: tumour cells in the normal) versus heterozygous (f=0.5)">',
        '##INFO=<ID=TF,Number=.,Type=Float,Description="Maximum-likelihood alternate allele fraction per tumour (tumour order as TLOD)">',
        '##INFO=<ID=MBQ,Number=1,Type=Integer,Description="Median base quality of alternate reads over all tumours">',
        '##INFO=<ID=MMQ,Number=1,Type=Integer,Description="Median mapping quality of alternate reads over all tumours">',
        '##INFO=<ID=MPOS,Number=1,Type=Float,Description="Median distance (bases) of the alternate allele from the nearer read end over all tumours">',
        '##INFO=<ID=FS,Number=1,Type=Float,Description="Phred-scaled Fisher exact strand-bias p-value of tumour reads (all tumours pooled)">',
        '##INFO=<ID=POPAF,Number=1,Type=Float,Description="Population allele frequency from the germline resource">',
        '##INFO=<ID=ROQ,Number=1,Type=Float,Description="Phred-scaled posterior probability that the alternate allele is a read-orientation artifact (SNVs; tumours pooled): -10 log10(P(artifact)), capped at 100">',
        '##INFO=<ID=NEVENTS,Number=1,Type=Integer,Description="Emitted events within --cluster-window bp that share at least two tumour alternate reads with this one, this one included (Mutect2 ECNT-like)">',
        '##FORMAT=<ID=GT,Number=1,Type=String,Description="0/1 if any alternate read, 0/0 if none, ./. if no reads (a presence flag; see AF)">',
        '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Read fragments supporting REF and ALT">',
        '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Informative read fragments at the site passing filters (REF, ALT and other alleles; for indels, reads whose realignment tells the alleles apart)">',
        '##FORMAT=<ID=AF,Number=A,Type=Float,Description="Alternate allele fraction ALT/DP">',
        '##FORMAT=<ID=SB,Number=4,Type=Integer,Description="Strand counts: REF forward, REF reverse, ALT forward, ALT reverse">',
        '##FORMAT=<ID=F1R2,Number=R,Type=Integer,Description="Count of reads in F1R2 pair orientation (first of pair forward or second of pair reverse) supporting each allele">',
        '##FORMAT=<ID=F2R1,Number=R,Type=Integer,Description="Count of reads in F2R1 pair orientation (first of pair reverse or second of pair forward) supporting each allele">',
    ]
    for c, ln in contigs.items():
        h.append(f"##contig=<ID={c},length={ln}>")
    from escapeseq import __version__
    h.append(f"##source=escapeseq-call {__version__}")
    h.append(f"##reference={reference_name}")
    if params:
        h.append("##escapeseqCallParameters=" + ",".join(f"{k}={v}" for k, v in params))
    h.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO", "FORMAT"] + samples))
    return h


def write_bgzip_indexed(path: str, header: list[str], lines: list[str]) -> None:
    """Write a bgzipped VCF and its .tbi under temporary names, then rename both."""
    tmp = path + ".part.vcf.gz"
    import pysam  # here, not at import: --help and `split` start without htslib
    text = "\n".join(header + lines) + "\n"
    with pysam.BGZFile(tmp, "wb") as fh:
        fh.write(text.encode())
    pysam.tabix_index(tmp, preset="vcf", force=True)
    os.replace(tmp + ".tbi", path + ".tbi")
    os.replace(tmp, path)


def _read_vcf_text(path: str) -> tuple[list[str], list[str]]:
    try:
        with gzip.open(path, "rt") as fh:
            text = fh.read()
    except (OSError, EOFError) as e:
        raise InputError(path, None, f"not a readable bgzipped VCF ({e})") from None
    header, body = [], []
    for line in text.splitlines():
        (header if line.startswith("#") else body).append(line)
    if not header or not header[0].startswith("##fileformat=VCF"):
        raise InputError(path, "line 1", "missing ##fileformat header")
    return header, body


def gather(paths: list[str], out: str) -> int:
    """Merge chunk VCFs into one sorted, de-duplicated VCF; returns the record count.

    Headers must be identical. Records are ordered by the ##contig order of the header,
    then POS, REF, ALT; identical records from overlapping chunks are kept once.
    """
    header: list[str] | None = None
    records: list[str] = []
    sources: list[tuple[str, int]] = []  # (chunk file, record number in it)
    for p in paths:
        h, body = _read_vcf_text(p)
        if header is None:
            header = h
        elif h != header:
            raise InputError(p, "header", f"differs from the header of {paths[0]}")
        records.extend(body)
        sources.extend((p, j + 1) for j in range(len(body)))
    assert header is not None
    order: dict[str, int] = {}
    for line in header:
        if line.startswith("##contig=<ID="):
            cid = line[len("##contig=<ID="):].split(",")[0].rstrip(">")
            order[cid] = len(order)
    keyed = []
    for i, r in enumerate(records):
        f = r.split("\t", 5)
        if len(f) < 5 or f[0] not in order or not f[1].isdigit():
            raise InputError(sources[i][0], f"record {sources[i][1]}", f"malformed or unknown contig: {r[:60]}")
        keyed.append(((order[f[0]], int(f[1]), f[3], f[4]), r))
    keyed.sort(key=lambda kr: (kr[0], kr[1]))
    lines: list[str] = []
    for _k, r in keyed:
        if not lines or lines[-1] != r:
            lines.append(r)
    write_bgzip_indexed(out, header, lines)
    return len(lines)
