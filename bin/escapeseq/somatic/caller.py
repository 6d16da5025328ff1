"""One calling task: every tumour of a patient against its normal over a set of regions.

Per region: candidate sites from each tumour (pass 1), the union of candidates genotyped
in the normal and every tumour (pass 2), TLOD per tumour / NLOD, named filters. A site
belongs to the region that contains its (left-normalised) POS, so chunks never emit the
same site twice and the result does not depend on how regions are grouped into chunks.
"""
from __future__ import annotations

import os
from bisect import bisect_right
from dataclasses import dataclass, field

import numpy as np
import pysam

from escapeseq.somatic import likelihood as lk
from escapeseq.somatic.filters import (ARTIFACT_SUBSTITUTIONS, FILTERS, FilterParams, SiteSummary,
                                      apply_filters, is_clustered, orientation_artifact_posterior)
from escapeseq.errors import InputError
from escapeseq.somatic.intervals import Interval
from escapeseq.alignio import open_alignment
from escapeseq.bamcols import BamReadError, batched_by_width
from escapeseq.somatic.pileup import (ReadEvidence, ReadFilter, RefWindow, ScanResult, Site, bam_path,
                                      candidate_snvs, collect_evidence, scan_clusters, snv_site_evidence)
from escapeseq.somatic.realign import MIN_CLIP, MIN_SEP, realign_evidence
from escapeseq.somatic.vcf import SampleCall, VcfRecord, fmt_float

REF_MARGIN = 1000


@dataclass(frozen=True)
class CallParams:
    """Candidate/emission settings (LOD in log10 units)."""

    emit_tlod: float = 3.0
    candidate_min_alt: int = 2
    candidate_qual: float = 30.0
    indel_qual_cap: int = 40
    min_clip: int = MIN_CLIP
    realign_min_sep: float = MIN_SEP
    filters: FilterParams = field(default_factory=FilterParams)


def open_bam(path: str, fasta: pysam.FastaFile, threads: int = 1) -> tuple[pysam.AlignmentFile, str]:
    """Open an indexed BAM/CRAM, check it against the FASTA, return it and its RG SM.

    A missing index is built next to the BAM; contigs shared by name with the FASTA must
    have the FASTA's length; exactly one SM among the read groups.
    """
    if not os.path.exists(path):
        raise InputError(path, None, "file not found")
    try:
        bam = open_alignment(path, bam_path(fasta), threads=threads)
    except (OSError, ValueError) as e:
        raise InputError(path, None, f"cannot open as BAM/CRAM ({str(e).strip() or type(e).__name__})") from None
    if not bam.has_index():
        bam.close()
        try:
            pysam.index(path)
        except (pysam.SamtoolsError, OSError) as e:
            raise InputError(path, "index", "no .bai/.csi index and building one failed "
                             f"({str(e).strip().splitlines()[-1] if str(e).strip() else 'error'})") from None
        bam = open_alignment(path, bam_path(fasta), threads=threads)
    lengths = dict(zip(fasta.references, fasta.lengths))
    shared = 0
    for name, ln in zip(bam.references, bam.lengths):
        if name in lengths:
            shared += 1
            if lengths[name] != ln:
                raise InputError(path, f"header @SQ {name}", f"length {ln} differs from the FASTA ({lengths[name]})")
    if bam.nreferences and shared == 0:
        raise InputError(path, "header @SQ", "no contig name in common with the FASTA")
    sms = sorted({rg.get("SM") for rg in bam.header.to_dict().get("RG", []) if rg.get("SM")})
    if len(sms) != 1:
        raise InputError(path, "header @RG", f"expected exactly one SM sample name, found {len(sms)}")
    return bam, sms[0]


@dataclass(frozen=True)
class VcfResource:
    """An indexed VCF resource (--pon, --germline-resource) and its index: ``index`` None
    means the .tbi/.csi beside the VCF."""

    path: str
    index: str | None = None


def load_sites(resource: "str | VcfResource | None", contig: str, start: int,
               end: int) -> dict[tuple[int, str, str], float | None]:
    """(pos0, REF, ALT) -> INFO/AF (None if absent) of an indexed VCF over [start, end)."""
    if resource is None:
        return {}
    res = resource if isinstance(resource, VcfResource) else VcfResource(resource)
    path = res.path
    try:
        vf = pysam.VariantFile(path, index_filename=res.index) if res.index else pysam.VariantFile(path)
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
        raise InputError(path, None, f"cannot read indexed VCF ({str(e).strip()})") from None


def sample_call(ev: ReadEvidence) -> SampleCall:
    """AD/DP/strand counts from per-read evidence."""
    ref = ev.allele == 0
    alt = ev.allele == 1
    o = ev.f1r2
    return SampleCall(
        ref_reads=int(ref.sum()), alt_reads=int(alt.sum()), depth=int(ev.allele.size),
        ref_fwd=int((ref & ~ev.reverse).sum()), ref_rev=int((ref & ev.reverse).sum()),
        alt_fwd=int((alt & ~ev.reverse).sum()), alt_rev=int((alt & ev.reverse).sum()),
        ref_f1r2=int((ref & o).sum()), ref_f2r1=int((ref & ~o).sum()),
        alt_f1r2=int((alt & o).sum()), alt_f2r1=int((alt & ~o).sum()))


def _guard(bam: pysam.AlignmentFile, region: Interval, fn, *args):
    """Run ``fn(*args)``; a read error (truncated/corrupt BAM) becomes an InputError."""
    try:
        return fn(*args)
    except (OSError, ValueError, BamReadError) as e:
        name = bam_path(bam)
        raise InputError(os.path.basename(name), f"region {region.contig}:{region.start + 1}-{region.end}",
                         f"cannot read records ({str(e).strip() or type(e).__name__})") from None


def clusters(regions: list[Interval], max_gap: int = 10000, max_span: int = 1_000_000) -> list[list[Interval]]:
    """Group sorted, merged regions of one contig that lie within ``max_gap`` bp of each
    other (a cluster spanning at most ``max_span`` bp) so that each BAM is streamed with
    one fetch per cluster instead of one per target (a fetch costs ~ms)."""
    out: list[list[Interval]] = []
    for iv in regions:
        if (out and out[-1][-1].contig == iv.contig and iv.start - out[-1][-1].end <= max_gap
                and iv.end - out[-1][0].start <= max_span):
            out[-1].append(iv)
        else:
            out.append([iv])
    return out


def site_groups(sites: list[Site], max_gap: int = 150) -> list[list[Site]]:
    """Split sorted sites where consecutive positions are more than ``max_gap`` bp apart
    (one fetch per group in pass 2). About a read length: a wider gap would stream reads
    that overlap no site (pass 2 walks every fetched read in Python), a narrower one
    fetches reads spanning two sites twice."""
    groups: list[list[Site]] = []
    for st in sites:
        if groups and st.pos0 - groups[-1][-1].last <= max_gap:
            groups[-1].append(st)
        else:
            groups.append([st])
    return groups


def cluster_batches(cls: list[list[Interval]], max_columns: int = 2_000_000) -> list[list[list[Interval]]]:
    """Consecutive clusters of one contig whose regions total at most ``max_columns`` bp:
    one streamed pass per BAM per batch."""
    return batched_by_width(cls, lambda cl: sum(iv.end - iv.start for iv in cl), max_columns,
                            lambda a, b: a[0].contig == b[0].contig)


def scan_batch(fasta: pysam.FastaFile, tumours: list[pysam.AlignmentFile], batch: list[list[Interval]],
               rf: ReadFilter, threads: int = 1, min_clip: int = MIN_CLIP) -> tuple[list[RefWindow], list[list[ScanResult]]]:
    """Reference windows of a batch's clusters and, per cluster, every tumour's pass-1 scan."""
    contig = batch[0][0].contig
    refs = [RefWindow(fasta, contig, cl[0].start - REF_MARGIN, cl[-1].end + REF_MARGIN) for cl in batch]
    spans = [[(iv.start, iv.end) for iv in cl] for cl in batch]
    fa = bam_path(fasta)
    whole = Interval(contig, batch[0][0].start, batch[-1][-1].end)
    per_tumour = [_guard(b, whole, scan_clusters, bam_path(b), refs, spans, rf, fa, threads, min_clip)
                  for b in tumours]
    return refs, [[scans[k] for scans in per_tumour] for k in range(len(batch))]


def call_regions(fasta: pysam.FastaFile, normal: pysam.AlignmentFile, tumours: list[pysam.AlignmentFile],
                 regions: list[Interval], rf: ReadFilter, cp: CallParams, pon: str | None = None,
                 germline: str | None = None, threads: int = 1):
    """Records of every cluster of the sorted, merged regions, in order: per batch of
    clusters one streamed pass-1 scan per tumour and one streamed pass-2 evidence pass
    per sample."""
    for batch in cluster_batches(clusters(regions)):
        yield from call_batch(fasta, normal, tumours, batch, rf, cp, pon, germline, threads)


def call_cluster(fasta: pysam.FastaFile, normal: pysam.AlignmentFile, tumours: list[pysam.AlignmentFile],
                 cluster: list[Interval], rf: ReadFilter, cp: CallParams,
                 pon: str | None = None, germline: str | None = None) -> list[VcfRecord]:
    """All emitted records (PASS and filtered) whose POS lies in one of the cluster's regions."""
    return list(call_batch(fasta, normal, tumours, [cluster], rf, cp, pon, germline))


def cluster_candidates(cluster: list[Interval], ref: RefWindow, scans: list[ScanResult],
                       cp: CallParams) -> list[Site]:
    """Candidate sites of a cluster from every tumour's pass-1 scan, sorted."""
    cands: set[tuple[int, str, str]] = set()
    starts = [iv.start for iv in cluster]
    for scan in scans:
        for iv, counts in zip(cluster, scan.counts):
            cands.update(candidate_snvs(counts, ref.slice(iv.start, iv.end), iv.start, cp.candidate_min_alt,
                                        cp.emit_tlod, cp.candidate_qual, lk.approx_tumour_lod))
        for (p, r, a), n in scan.indels.items():
            if n < cp.candidate_min_alt:
                continue
            k = bisect_right(starts, p) - 1
            if k >= 0 and cluster[k].start <= p < cluster[k].end:
                cands.add((p, r, a))
    return [Site.make(p, r, a, ref) for (p, r, a) in sorted(cands)]


SNV_NEAR_INDEL = 20


def near_indel_sites(sites: list[Site], window: int = SNV_NEAR_INDEL) -> set[int]:
    """Indices of the sites genotyped by haplotype realignment: every indel, and every
    SNV/MNV within ``window`` bp of a candidate indel. Reads that end near an indel are
    often aligned with mismatches instead of a gap; realigned against the indel's
    haplotype too, they stop counting for a phantom SNV beside it."""
    spans = [(st.pos0 - window, st.last + window) for st in sites if not st.is_snv]
    out = set()
    for i, st in enumerate(sites):
        if not st.is_snv or any(lo <= st.pos0 and st.last <= hi for lo, hi in spans):
            out.add(i)
    return out


def sample_evidence(fasta: pysam.FastaFile, bam: pysam.AlignmentFile, batch: list[list[Interval]],
                    refs: list[RefWindow], sites: list[list[Site]], rf: ReadFilter, cp: CallParams,
                    threads: int = 1) -> list[list[ReadEvidence]]:
    """Pass-2 evidence of one sample at every site of a batch (per cluster, in site order):
    single-base SNVs in one compiled streamed pass, MNVs by a pysam fetch per group of
    nearby sites, indels (and SNVs/MNVs beside them, ``near_indel_sites``) by realigning
    the reads of their active regions against the candidate haplotypes
    (``realign.realign_evidence``: informative reads only)."""
    contig = batch[0][0].contig
    starts = [cl[0].start for cl in batch]

    def ref_for(pos0: int) -> RefWindow:
        return refs[max(bisect_right(starts, pos0) - 1, 0)]

    realigned = [near_indel_sites(ss) for ss in sites]
    single = [(k, i) for k, ss in enumerate(sites) for i, st in enumerate(ss)
              if len(st.ref) == 1 and len(st.alt) == 1 and i not in realigned[k]]
    out: list[list[ReadEvidence | None]] = [[None] * len(ss) for ss in sites]
    fa = bam_path(fasta)
    whole = Interval(contig, batch[0][0].start, batch[-1][-1].end)
    evs = _guard(bam, whole, snv_site_evidence, bam_path(bam), [sites[k][i] for k, i in single], rf,
                 ref_for, fa, threads)
    for (k, i), ev in zip(single, evs):
        out[k][i] = ev
    for k, ss in enumerate(sites):
        mnv = [i for i, st in enumerate(ss) if st.is_snv and len(st.ref) > 1 and i not in realigned[k]]
        evs = []
        for group in site_groups([ss[i] for i in mnv]):
            gspan = Interval(contig, group[0].pos0, group[-1].last + 1)
            evs += _guard(bam, gspan, collect_evidence, bam, refs[k], group, rf, cp.indel_qual_cap)
        for i, ev in zip(mnv, evs):
            out[k][i] = ev
        if realigned[k]:
            idx = sorted(realigned[k])
            rsites = [ss[i] for i in idx]
            span = Interval(contig, rsites[0].pos0, rsites[-1].last + 1)
            evs = _guard(bam, span, realign_evidence, bam, refs[k], rsites, rf, cp.indel_qual_cap,
                         cp.realign_min_sep)
            for i, ev in zip(idx, evs):
                out[k][i] = ev
    return out  # type: ignore[return-value]


def call_batch(fasta: pysam.FastaFile, normal: pysam.AlignmentFile, tumours: list[pysam.AlignmentFile],
               batch: list[list[Interval]], rf: ReadFilter, cp: CallParams, pon: str | None = None,
               germline: str | None = None, threads: int = 1):
    """Records of the clusters of one batch (one contig), in order."""
    refs, scans = scan_batch(fasta, tumours, batch, rf, threads, cp.min_clip)
    sites = [cluster_candidates(cl, ref, sc, cp) for cl, ref, sc in zip(batch, refs, scans)]
    if not any(sites):
        return
    n_evs = sample_evidence(fasta, normal, batch, refs, sites, rf, cp, threads)
    t_evss = [sample_evidence(fasta, b, batch, refs, sites, rf, cp, threads) for b in tumours]
    for k, cl in enumerate(batch):
        if sites[k]:
            yield from evaluate_sites(cl, sites[k], n_evs[k], [t[k] for t in t_evss], cp, pon, germline)


def sample_calls(evs: list[ReadEvidence]) -> list[SampleCall]:
    """``sample_call`` of one sample at many sites: one bincount over the reads of all
    sites (allele x strand x orientation per site) instead of eleven sums per site."""
    sizes = np.array([ev.allele.size for ev in evs], dtype=np.int64)
    n = len(evs)
    if n == 0:
        return []
    if sizes.sum():
        code = (np.concatenate([ev.allele for ev in evs]).astype(np.int64) * 4
                + np.concatenate([ev.reverse for ev in evs]).astype(np.int64) * 2
                + np.concatenate([ev.f1r2 for ev in evs]).astype(np.int64))
        seg = np.repeat(np.arange(n, dtype=np.int64), sizes)
        c = np.bincount(seg * 12 + code, minlength=n * 12).reshape(n, 12)
    else:
        c = np.zeros((n, 12), dtype=np.int64)
    # codes: allele (0 ref, 1 alt, 2 other) * 4 + reverse * 2 + f1r2
    ref, alt = c[:, 0:4].sum(axis=1), c[:, 4:8].sum(axis=1)
    cols = (ref, alt, sizes, c[:, 0] + c[:, 1], c[:, 2] + c[:, 3], c[:, 4] + c[:, 5], c[:, 6] + c[:, 7],
            c[:, 1] + c[:, 3], c[:, 0] + c[:, 2], c[:, 5] + c[:, 7], c[:, 4] + c[:, 6])
    return [SampleCall(*vals) for vals in zip(*(col.tolist() for col in cols))]


def evaluate_lods(n_ev: list[ReadEvidence], t_ev: list[list[ReadEvidence]],
                  max_tumour_in_normal: float = 0.0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """TLOD and f_hat (tumour x site) and NLOD (site) of every site at once, with the
    compiled kernels of :mod:`escapeseq.somatic.sitelods`: the normal may carry an allele
    fraction up to ``max_tumour_in_normal`` x the site's highest tumour f_hat
    (``likelihood.normal_lod``)."""
    from escapeseq.somatic import sitelods

    tl = np.zeros((len(t_ev), len(n_ev)))
    tf = np.zeros((len(t_ev), len(n_ev)))
    for j, evs in enumerate(t_ev):
        pa, pr, offs = sitelods.pack([ev.allele for ev in evs], [ev.bq for ev in evs])
        tl[j], tf[j] = sitelods.tumour_lods(pa, pr, offs)
    pa, pr, offs = sitelods.pack([ev.allele for ev in n_ev], [ev.bq for ev in n_ev])
    cap = max_tumour_in_normal * (tf.max(axis=0) if len(t_ev) else np.zeros(len(n_ev)))
    return tl, tf, sitelods.normal_lods(pa, pr, offs, cap)


def evaluate_sites(cluster: list[Interval], sites: list[Site], n_ev: list[ReadEvidence],
                   t_ev: list[list[ReadEvidence]], cp: CallParams, pon: str | None,
                   germline: str | None) -> list[VcfRecord]:
    """Emitted records (PASS and filtered) of a cluster's sites from their evidence."""
    contig = cluster[0].contig
    cstart, cend = cluster[0].start, cluster[-1].end
    pon_sites = load_sites(pon, contig, cstart, cend)
    pop_sites = load_sites(germline, contig, cstart, cend)
    tl, tf, nl = evaluate_lods(n_ev, t_ev, cp.filters.max_tumour_in_normal)
    keep = [i for i in range(len(sites)) if len(t_ev) and float(tl[:, i].max()) >= cp.emit_tlod]
    ncalls = sample_calls([n_ev[i] for i in keep])
    tcalls_by_tumour = [sample_calls([evs[i] for i in keep]) for evs in t_ev]
    evaluated = []
    for m, i in enumerate(keep):
        st = sites[i]
        evaluated.append((st.pos0, st.ref, st.alt, n_ev[i], [evs[i] for evs in t_ev], tl[:, i], tf[:, i],
                          float(nl[i]), ncalls[m], [tc[m] for tc in tcalls_by_tumour]))
    records = []
    alt_reads: list[set] = []
    for (p, r, a, nev, tevs, tlods, tfs, nlod, ncall, tcalls) in evaluated:
        alt_reads.append({(j, nm) for j, ev in enumerate(tevs) for nm in ev.names[ev.allele == 1].tolist()})
        alt_mask = [ev.allele == 1 for ev in tevs]
        alt_bq = np.concatenate([ev.bq[m] for ev, m in zip(tevs, alt_mask)])
        alt_mq = np.concatenate([ev.mq[m] for ev, m in zip(tevs, alt_mask)])
        alt_dist = np.concatenate([ev.dist[m] for ev, m in zip(tevs, alt_mask)])
        sb = [sum(getattr(c, k) for c in tcalls) for k in ("ref_fwd", "ref_rev", "alt_fwd", "alt_rev")]
        fs = lk.strand_bias_phred(*sb)
        key = (p, r, a)
        pop_af = pop_sites.get(key) if key in pop_sites else None
        orient = [sum(getattr(c, k) for c in tcalls) for k in ("alt_f1r2", "alt_f2r1", "ref_f1r2", "ref_f2r1")]
        roq = None
        if len(r) == 1 and len(a) == 1:
            prior = cp.filters.orientation_prior * (1.0 if (r, a) in ARTIFACT_SUBSTITUTIONS else 0.01)
            post = orientation_artifact_posterior(*orient, sum(c.depth for c in tcalls), prior,
                                                  cp.filters.orientation_max_artifact_af)
            roq = min(100.0, -10.0 * np.log10(max(post, 1e-10)))
        else:
            post = 0.0
        summ = SiteSummary(
            tlods=tlods, nlod=nlod, normal_alt=ncall.alt_reads, normal_depth=ncall.depth,
            tumour_depths=np.array([c.depth for c in tcalls]), strand_phred=fs,
            tumour_alt=sb[2] + sb[3], alt_dist=alt_dist, alt_bq=alt_bq, alt_mq=alt_mq,
            pop_af=pop_af, in_pon=key in pon_sites, tumour_vaf=float(tfs.max()) if tfs.size else 0.0,
            orientation_posterior=post,
            normal_near_indel_frac=nev.near_indel_reads / nev.overlap_reads if nev.overlap_reads else 0.0)
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
        if roq is not None:
            info.append(("ROQ", fmt_float(roq, 2)))
        records.append(VcfRecord(contig, p, r, a, filters, info, [ncall] + tcalls))
    records = flag_clustered(records, alt_reads, cp.filters)
    return flag_multiallelic(records, cp.filters.max_alt_alleles)


NOISE_FILTERS = {"weak_evidence", "strand_bias", "orientation", "position", "base_qual", "near_germline_indel"}


def flag_clustered(records: list[VcfRecord], alt_reads: list[set], fp: FilterParams) -> list[VcfRecord]:
    """Add ``clustered_events`` where a site's alternate reads carry more than
    ``fp.max_events_in_region`` events (this one included) within ``fp.cluster_window`` bp.

    Mutect2's ECNT idea: a haplotype rarely carries several somatic events within a read
    length, while reads mismapped from a paralogous copy (or a contaminant) bring all
    their differences at once. Two emitted events are on the same haplotype when at least
    two fragments of one tumour carry both, and the count is that of the tumour with the
    most (a subclone's event in cis in one tumour and another clone's in another tumour
    are two haplotypes) (``alt_reads[i]``: the (tumour, read name) pairs
    supporting record i); events on other reads (another haplotype, another clone) do not
    count, nor do events already filtered as read-level noise (``NOISE_FILTERS``: read-end
    mismatches beside a real indel are not a second event), nor germline events (unlike
    Mutect2's ECNT: a somatic mutation in cis with two germline SNPs is not suspect; the
    germline differences of a paralog show in the normal and are filtered there).
    ``records`` are sorted by position. Writes INFO/NEVENTS.
    """
    pos = [r.pos0 for r in records]
    real = [not (set(r.filters) & (NOISE_FILTERS | {"germline"})) for r in records]
    lo = 0
    for i, rec in enumerate(records):
        while pos[lo] < rec.pos0 - fp.cluster_window:
            lo += 1
        per_tumour: dict[int, int] = {}
        for j in range(lo, len(records)):
            if pos[j] > rec.pos0 + fp.cluster_window:
                break
            if j != i and real[j] and pos[j] != rec.pos0:
                shared: dict[int, int] = {}
                for t, _name in alt_reads[i] & alt_reads[j]:
                    shared[t] = shared.get(t, 0) + 1
                for t, m in shared.items():
                    if m >= 2:
                        per_tumour[t] = per_tumour.get(t, 0) + 1
        n = 1 + max(per_tumour.values(), default=0)
        if "germline" in rec.filters:
            continue
        rec.info.append(("NEVENTS", str(n)))
        if is_clustered(n, fp):
            order = list(FILTERS)
            rec.filters = sorted(set(rec.filters) | {"clustered_events"}, key=order.index)
    return records


def flag_multiallelic(records: list[VcfRecord], max_alt_alleles: int) -> list[VcfRecord]:
    """Add ``multiallelic`` to otherwise passing records at a position where more than
    ``max_alt_alleles`` alleles pass every other filter (alleles already filtered as
    artefacts, e.g. read-end mismatches beside a real insertion, do not count)."""
    clean: dict[int, int] = {}
    for rec in records:
        if not rec.filters:
            clean[rec.pos0] = clean.get(rec.pos0, 0) + 1
    for rec in records:
        if not rec.filters and clean[rec.pos0] > max_alt_alleles:
            rec.filters = ["multiallelic"]
    return records
