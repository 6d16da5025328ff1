"""One calling task: every tumour of a patient against its normal over a set of regions.

Per region: candidate sites from each tumour (pass 1), the union of candidates genotyped
in the normal and every tumour (pass 2), TLOD per tumour / NLOD, named filters. A site
belongs to the region that contains its (left-normalised) POS, so chunks never emit the
same site twice and the result does not depend on how regions are grouped into chunks.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import pysam

from escapeseq.somatic import likelihood as lk
from escapeseq.somatic.filters import FilterParams, SiteSummary, apply_filters
from escapeseq.somatic.intervals import InputError, Interval
from escapeseq.somatic.pileup import (ReadEvidence, ReadFilter, RefWindow, candidate_snvs,
                                      scan_region, site_evidence)
from escapeseq.somatic.vcf import SampleCall, VcfRecord, fmt_float

REF_MARGIN = 1000


@dataclass(frozen=True)
class CallParams:
    """Candidate/emission settings (LOD in log10 units)."""

    emit_tlod: float = 3.0
    candidate_min_alt: int = 2
    candidate_qual: float = 30.0
    indel_qual_cap: int = 40
    filters: FilterParams = field(default_factory=FilterParams)


def open_bam(path: str, fasta: pysam.FastaFile, threads: int = 1) -> tuple[pysam.AlignmentFile, str]:
    """Open an indexed BAM/CRAM, check it against the FASTA, return it and its RG SM.

    A missing index is built next to the BAM; contigs shared by name with the FASTA must
    have the FASTA's length; exactly one SM among the read groups.
    """
    if not os.path.exists(path):
        raise InputError(f"{path}: file not found")
    try:
        bam = pysam.AlignmentFile(path, "rb" if not path.endswith(".cram") else "rc",
                                  reference_filename=fasta.filename.decode() if isinstance(fasta.filename, bytes) else fasta.filename,
                                  threads=threads)
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot open as BAM/CRAM ({str(e).strip() or type(e).__name__})") from None
    if not bam.has_index():
        bam.close()
        try:
            pysam.index(path)
        except (pysam.SamtoolsError, OSError) as e:
            raise InputError(f"{path}: index: no .bai/.csi index and building one failed "
                             f"({str(e).strip().splitlines()[-1] if str(e).strip() else 'error'})") from None
        bam = pysam.AlignmentFile(path, "rb", threads=threads)
    lengths = dict(zip(fasta.references, fasta.lengths))
    shared = 0
    for name, ln in zip(bam.references, bam.lengths):
        if name in lengths:
            shared += 1
            if lengths[name] != ln:
                raise InputError(f"{path}: header @SQ {name}: length {ln} differs from the FASTA ({lengths[name]})")
    if bam.nreferences and shared == 0:
        raise InputError(f"{path}: header @SQ: no contig name in common with the FASTA")
    sms = sorted({rg.get("SM") for rg in bam.header.to_dict().get("RG", []) if rg.get("SM")})
    if len(sms) != 1:
        raise InputError(f"{path}: header @RG: expected exactly one SM sample name, found {len(sms)}")
    return bam, sms[0]


def load_sites(path: str | None, contig: str, start: int, end: int) -> dict[tuple[int, str, str], float | None]:
    """(pos0, REF, ALT) -> INFO/AF (None if absent) of an indexed VCF over [start, end)."""
    if path is None:
        return {}
    try:
        vf = pysam.VariantFile(path)
        if contig not in vf.header.contigs:
            return {}
        out: dict[tuple[int, str, str], float | None] = {}
        for rec in vf.fetch(contig, start, end):
            afs = None
            if "AF" in rec.header.info and "AF" in rec.info:
                v = rec.info["AF"]
                afs = list(v) if isinstance(v, tuple) else [v]
            for i, alt in enumerate(rec.alts or ()):
                af = None
                if afs is not None and i < len(afs) and afs[i] is not None:
                    af = float(afs[i])
                out[(rec.pos - 1, rec.ref.upper(), alt.upper())] = af
        return out
    except (OSError, ValueError) as e:
        raise InputError(f"{path}: cannot read indexed VCF ({str(e).strip()})") from None


def sample_call(ev: ReadEvidence) -> SampleCall:
    """AD/DP/strand counts from per-read evidence."""
    ref = ev.allele == 0
    alt = ev.allele == 1
    return SampleCall(
        ref_reads=int(ref.sum()), alt_reads=int(alt.sum()), depth=int(ev.allele.size),
        ref_fwd=int((ref & ~ev.reverse).sum()), ref_rev=int((ref & ev.reverse).sum()),
        alt_fwd=int((alt & ~ev.reverse).sum()), alt_rev=int((alt & ev.reverse).sum()))


def evaluate_site(normal_ev: ReadEvidence, tumour_evs: list[ReadEvidence]) -> tuple[np.ndarray, np.ndarray, float]:
    """TLOD and f_hat per tumour, NLOD of the normal."""
    tl, tf = [], []
    for ev in tumour_evs:
        pa, pr = lk.read_likelihoods(ev.allele, ev.bq)
        t, f = lk.tumour_lod(pa, pr)
        tl.append(t)
        tf.append(f)
    pa, pr = lk.read_likelihoods(normal_ev.allele, normal_ev.bq)
    return np.array(tl), np.array(tf), lk.normal_lod(pa, pr)


def _guard(bam: pysam.AlignmentFile, region: Interval, fn, *args):
    """Run ``fn(*args)``; a read error (truncated/corrupt BAM) becomes an InputError."""
    try:
        return fn(*args)
    except (OSError, ValueError) as e:
        name = bam.filename.decode() if isinstance(bam.filename, bytes) else str(bam.filename)
        raise InputError(f"{os.path.basename(name)}: region {region.contig}:{region.start + 1}-{region.end}: "
                         f"cannot read records ({str(e).strip() or type(e).__name__})") from None


def call_region(fasta: pysam.FastaFile, normal: pysam.AlignmentFile, tumours: list[pysam.AlignmentFile],
                region: Interval, rf: ReadFilter, cp: CallParams,
                pon: str | None = None, germline: str | None = None) -> list[VcfRecord]:
    """All emitted records (PASS and filtered) whose POS lies in ``region``."""
    ref = RefWindow(fasta, region.contig, region.start - REF_MARGIN, region.end + REF_MARGIN)
    cands: set[tuple[int, str, str]] = set()
    region_seq = ref.slice(region.start, region.end)
    for bam in tumours:
        scan = _guard(bam, region, scan_region, bam, ref, region.start, region.end, rf)
        cands.update(candidate_snvs(scan.counts, region_seq, region.start, cp.candidate_min_alt,
                                    cp.emit_tlod, cp.candidate_qual, lk.approx_tumour_lod))
        for (p, r, a), n in scan.indels.items():
            if n >= cp.candidate_min_alt and region.start <= p < region.end:
                cands.add((p, r, a))
    if not cands:
        return []
    pon_sites = load_sites(pon, region.contig, region.start, region.end)
    pop_sites = load_sites(germline, region.contig, region.start, region.end)
    evaluated = []
    for (p, r, a) in sorted(cands):
        tevs = [_guard(b, region, site_evidence, b, ref, p, r, a, rf, cp.indel_qual_cap) for b in tumours]
        nev = _guard(normal, region, site_evidence, normal, ref, p, r, a, rf, cp.indel_qual_cap)
        tlods, tfs, nlod = evaluate_site(nev, tevs)
        if tlods.size == 0 or float(tlods.max()) < cp.emit_tlod:
            continue
        evaluated.append((p, r, a, nev, tevs, tlods, tfs, nlod))
    strong: dict[int, int] = {}
    for (p, _r, _a, _n, _t, tlods, _f, _nl) in evaluated:
        if float(tlods.max()) >= cp.filters.min_tlod:
            strong[p] = strong.get(p, 0) + 1
    records = []
    for (p, r, a, nev, tevs, tlods, tfs, nlod) in evaluated:
        ncall = sample_call(nev)
        tcalls = [sample_call(ev) for ev in tevs]
        alt_mask = [ev.allele == 1 for ev in tevs]
        alt_bq = np.concatenate([ev.bq[m] for ev, m in zip(tevs, alt_mask)])
        alt_mq = np.concatenate([ev.mq[m] for ev, m in zip(tevs, alt_mask)])
        alt_dist = np.concatenate([ev.dist[m] for ev, m in zip(tevs, alt_mask)])
        sb = [sum(getattr(c, k) for c in tcalls) for k in ("ref_fwd", "ref_rev", "alt_fwd", "alt_rev")]
        fs = lk.strand_bias_phred(*sb)
        key = (p, r, a)
        pop_af = pop_sites.get(key) if key in pop_sites else None
        summ = SiteSummary(
            tlods=tlods, nlod=nlod, normal_alt=ncall.alt_reads, normal_depth=ncall.depth,
            tumour_depths=np.array([c.depth for c in tcalls]), strand_phred=fs,
            tumour_alt=sb[2] + sb[3], alt_dist=alt_dist, alt_bq=alt_bq, alt_mq=alt_mq,
            pop_af=pop_af, in_pon=key in pon_sites, n_strong_alleles_at_pos=strong.get(p, 1))
        filters = apply_filters(summ, cp.filters)
        info = [("TLOD", ",".join(fmt_float(t, 2) for t in tlods)),
                ("NLOD", fmt_float(nlod, 2)),
                ("TF", ",".join(fmt_float(f, 4) for f in tfs))]
        if alt_bq.size:
            info += [("MBQ", str(int(np.median(alt_bq)))), ("MMQ", str(int(np.median(alt_mq)))),
                     ("MPOS", fmt_float(float(np.median(alt_dist)), 1))]
        info.append(("FS", fmt_float(fs, 2)))
        if pop_af is not None:
            info.append(("POPAF", fmt_float(pop_af, 6)))
        records.append(VcfRecord(region.contig, p, r, a, filters, info, [ncall] + tcalls))
    return records
