"""Panel of normals: per-normal alternate-evidence sites, merged into a recurrent-site VCF.

Like Mutect2 run tumour-only on each normal followed by CreateSomaticPanelOfNormals:

1. ``pon_sites``: one normal BAM treated as a tumour with loose thresholds (every
   candidate whose TLOD reaches ``min_tlod`` with at least ``min_alt`` alternate reads,
   whatever the other filters would say): sequencing/mapping artifacts recur across
   normals from the same protocol, germline variants too.
2. ``merge_pon``: the sites seen in at least ``min_samples`` distinct normals, written as
   a bgzipped, tabix-indexed sites-only VCF with INFO/N_SAMPLES. ``call --pon`` filters a
   tumour site ``panel_of_normals`` when its (POS, REF, ALT) is in the panel.
"""
from __future__ import annotations

import gzip
import os
from dataclasses import dataclass

import pysam

from escapeseq.errors import InputError
from escapeseq.somatic import likelihood as lk
from escapeseq.somatic.caller import (CallParams, cluster_batches, cluster_candidates, clusters,
                                      sample_evidence, scan_batch)
from escapeseq.somatic.intervals import Interval
from escapeseq.somatic.pileup import ReadFilter
from escapeseq.somatic.vcf import fmt_float, write_bgzip_indexed

SAMPLE_KEY = "##escapeseqPonSample="


@dataclass(frozen=True)
class PonSite:
    """Alternate evidence at one site of one normal (pos0 0-based)."""

    contig: str
    pos0: int
    ref: str
    alt: str
    tlod: float
    ref_reads: int
    alt_reads: int
    depth: int


def pon_sites(fasta: pysam.FastaFile, bam: pysam.AlignmentFile, regions: list[Interval], rf: ReadFilter,
              cp: CallParams, min_tlod: float = 3.0, min_alt: int = 2, threads: int = 1):
    """Sites of one normal with alternate evidence: candidates as for a tumour (pass 1),
    genotyped (pass 2), kept when TLOD >= ``min_tlod`` and alt reads >= ``min_alt``."""
    for batch in cluster_batches(clusters(regions)):
        refs, scans = scan_batch(fasta, [bam], batch, rf, threads, cp.min_clip)
        sites = [cluster_candidates(cl, ref, sc, cp) for cl, ref, sc in zip(batch, refs, scans)]
        if not any(sites):
            continue
        evs = sample_evidence(fasta, bam, batch, refs, sites, rf, cp, threads)
        for k, cl in enumerate(batch):
            for st, ev in zip(sites[k], evs[k]):
                pa, pr = lk.read_likelihoods(ev.allele, ev.bq)
                tlod, _f = lk.tumour_lod(pa, pr)
                alt = int((ev.allele == 1).sum())
                if tlod >= min_tlod and alt >= min_alt:
                    yield PonSite(cl[0].contig, st.pos0, st.ref, st.alt, tlod,
                                  int((ev.allele == 0).sum()), alt, int(ev.allele.size))


def _header(contigs: dict[str, int | None], extra: list[str]) -> list[str]:
    h = ["##fileformat=VCFv4.2"] + extra
    for c, ln in contigs.items():
        h.append(f"##contig=<ID={c},length={ln}>" if ln else f"##contig=<ID={c}>")
    h.append("\t".join(["#CHROM", "POS", "ID", "REF", "ALT", "QUAL", "FILTER", "INFO"]))
    return h


def write_pon_sites(path: str, contigs: dict[str, int], sample: str, reference: str, sites) -> int:
    """Sites-only VCF (bgzipped + .tbi) of one normal; returns the number of sites."""
    extra = [SAMPLE_KEY + sample, f"##reference={reference}",
             '##INFO=<ID=TLOD,Number=1,Type=Float,Description="Log10 odds of the alternate allele in this normal (tumour-only model)">',
             '##INFO=<ID=AD,Number=R,Type=Integer,Description="Informative reads supporting REF and ALT">',
             '##INFO=<ID=DP,Number=1,Type=Integer,Description="Informative reads">']
    lines = [f"{s.contig}\t{s.pos0 + 1}\t.\t{s.ref}\t{s.alt}\t.\t.\t"
             f"TLOD={fmt_float(s.tlod, 2)};AD={s.ref_reads},{s.alt_reads};DP={s.depth}" for s in sites]
    write_bgzip_indexed(path, _header(contigs, extra), lines)
    return len(lines)


def _read_sites(path: str) -> tuple[str, dict[str, int | None], list[tuple[str, int, str, str]]]:
    """(sample, contigs, [(contig, pos, ref, alt)]) of one per-normal sites VCF."""
    if not os.path.exists(path):
        raise InputError(path, None, "file not found")
    try:
        with gzip.open(path, "rt") if path.endswith(".gz") else open(path) as fh:
            text = fh.read()
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise InputError(path, None, f"not a readable VCF ({e})") from None
    sample = None
    contigs: dict[str, int | None] = {}
    sites = []
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith(SAMPLE_KEY):
            sample = line[len(SAMPLE_KEY):].strip()
        elif line.startswith("##contig=<"):
            fields = dict(kv.split("=", 1) for kv in line[len("##contig=<"):].rstrip(">").split(",") if "=" in kv)
            contigs[fields["ID"]] = int(fields["length"]) if fields.get("length", "").isdigit() else None
        elif line and not line.startswith("#"):
            f = line.split("\t")
            if len(f) < 5 or not f[1].isdigit():
                raise InputError(path, f"line {n}", "malformed VCF record")
            for alt in f[4].split(","):
                sites.append((f[0], int(f[1]), f[3].upper(), alt.upper()))
    if n == 0 or not text.startswith("##fileformat=VCF"):
        raise InputError(path, "line 1", "missing ##fileformat header")
    return sample or os.path.basename(path), contigs, sites


def merge_pon(paths: list[str], out: str, min_samples: int = 2) -> int:
    """Panel of normals from per-normal sites VCFs: sites seen in >= ``min_samples``
    distinct normals, with INFO/N_SAMPLES; returns the number of sites written.

    Normals are told apart by the sample name recorded by ``pon-sites`` (a normal given
    twice is an error, it would count twice). Contig lengths must agree across inputs.
    """
    counts: dict[tuple[str, int, str, str], int] = {}
    contigs: dict[str, int | None] = {}
    seen: dict[str, str] = {}
    for p in paths:
        sample, cts, sites = _read_sites(p)
        if sample in seen:
            raise InputError(p, "header", f"normal {sample!r} already given in {seen[sample]}")
        seen[sample] = p
        for c, ln in cts.items():
            if c in contigs and contigs[c] and ln and contigs[c] != ln:
                raise InputError(p, f"##contig {c}", f"length {ln} differs from {contigs[c]} in another input")
            if c not in contigs or not contigs[c]:
                contigs[c] = ln
        for key in set(sites):
            counts[key] = counts.get(key, 0) + 1
    order = {c: i for i, c in enumerate(contigs)}
    for c, _p, _r, _a in counts:
        if c not in order:
            order[c] = len(order)
            contigs[c] = None
    keep = sorted((k for k, n in counts.items() if n >= min_samples), key=lambda k: (order[k[0]], k[1], k[2], k[3]))
    extra = ['##INFO=<ID=N_SAMPLES,Number=1,Type=Integer,Description="Number of normals with alternate evidence at this site">',
             f"##escapeseqPonNormals={len(paths)}", f"##escapeseqPonMinSamples={min_samples}"]
    lines = [f"{c}\t{p}\t.\t{r}\t{a}\t.\t.\tN_SAMPLES={counts[(c, p, r, a)]}" for c, p, r, a in keep]
    write_bgzip_indexed(out, _header(contigs, extra), lines)
    return len(lines)
