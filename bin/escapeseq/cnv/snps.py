"""One pass over a BAM: per-target depth/GC/length, allele counts at SNPs, and (for the
normal) germline SNP calls from allele counts.

The counts table (``<sample>.counts.tsv.gz``) has one row per target and per SNP:

    type       target | snp
    chrom      contig name
    start end  1-based inclusive (a SNP has start = end = its position)
    length     target length (bp); 1 for a SNP
    gc         GC fraction of the target sequence (empty for a SNP)
    depth      mean read depth over the target (reads per base); reads covering a SNP
    ref alt    SNP alleles ('.' for a target)
    ref_count alt_count   reads showing the ref / alt base at the SNP (0 for a target)

Bases are counted over the targets and their flanks in one streamed pass per chunk of
regions (``escapeseq.bamcols``: reads with mapping quality ≥ ``min_mapq``, not
secondary/supplementary/duplicate/QC-fail, bases with quality ≥ ``min_baseq``).
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..alignio import open_alignment
from ..errors import InputError

COUNT_COLUMNS = ["type", "chrom", "start", "end", "length", "gc", "depth", "ref", "alt",
                 "ref_count", "alt_count"]
SNP_COLUMNS = ["chrom", "pos", "ref", "alt", "depth", "ref_count", "alt_count", "vaf",
               "genotype", "known"]
BASES = np.array(list("ACGT"))


@dataclass(frozen=True)
class PileupParams:
    """Read/base filters and SNP-calling thresholds (VAF as fractions).

    ``ref_sites_min_af``: with a population VCF, also report the population SNVs of
    AF ≥ this where the normal is homozygous reference (depth ≥ ``call_min_depth``,
    alt fraction ≤ ``ref_max_vaf``; genotype ``ref``), so tumours are counted there:
    sample-identity evidence (an allele the normal lacks showing up in a tumour)."""

    flank: int = 150
    min_mapq: int = 20
    min_baseq: int = 20
    call_min_depth: int = 15
    call_min_alt_reads: int = 3
    het_low: float = 0.2
    het_high: float = 0.8
    hom_min: float = 0.9
    ref_sites_min_af: float | None = None
    ref_max_vaf: float = 0.02


def read_targets(path: str | os.PathLike, contigs: dict[str, int]) -> pd.DataFrame:
    """Targets from a BED file (0-based half-open) as 1-based inclusive start/end.

    Raises :class:`InputError` naming the line for a malformed row, a contig missing
    from the reference or an interval past its end. Duplicates are dropped; order is
    reference contig order then start.
    """
    rows = []
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        fh = opener(path, "rt")
    except OSError as e:
        raise InputError(path, None, f"cannot read: {e.strerror}")
    with fh:
        for n, line in enumerate(fh, 1):
            if not line.strip() or line.startswith(("#", "track", "browser")):
                continue
            f = line.rstrip("\n").split("\t")
            if len(f) < 3:
                raise InputError(path, f"line {n}", "expected at least 3 tab-separated "
                                 "columns (chrom start end)")
            try:
                s, e = int(f[1]), int(f[2])
            except ValueError:
                raise InputError(path, f"line {n}", "start/end are not integers")
            if f[0] not in contigs:
                raise InputError(path, f"line {n}", f"contig '{f[0]}' is not in the "
                                 "reference")
            if s < 0 or e <= s or e > contigs[f[0]]:
                raise InputError(path, f"line {n}", f"bad interval {s}-{e} (need 0 <= "
                                 f"start < end <= {contigs[f[0]]})")
            rows.append((f[0], s + 1, e))
    if not rows:
        raise InputError(path, None, "no targets")
    order = {c: i for i, c in enumerate(contigs)}
    t = pd.DataFrame(rows, columns=["chrom", "start", "end"]).drop_duplicates()
    t["_o"] = t["chrom"].map(order)
    t = t.sort_values(["_o", "start", "end"]).drop(columns="_o").reset_index(drop=True)
    return t


def read_snp_list(path: str | os.PathLike) -> pd.DataFrame:
    """A germline SNP table (columns chrom pos ref alt, e.g. the normal's
    ``--call-snps`` output); extra columns are kept."""
    df = _read_tsv(path, ["chrom", "pos", "ref", "alt"])
    bad = ~df["pos"].astype(str).str.fullmatch(r"\d+")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + 2}", "pos is not a positive integer")
    df["pos"] = df["pos"].astype(np.int64)
    return df


def _read_tsv(path: str | os.PathLike, required: list[str]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except FileNotFoundError:
        raise InputError(path, None, "file not found")
    except (OSError, pd.errors.ParserError, UnicodeDecodeError, EOFError) as e:
        raise InputError(path, None, f"cannot parse as TSV ({type(e).__name__})")
    except pd.errors.EmptyDataError:
        raise InputError(path, None, "empty file")
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(path, "header", f"missing column(s) {', '.join(missing)}")
    return df


def read_counts(path: str | os.PathLike) -> pd.DataFrame:
    """Read a counts table (see module doc), checking columns and numeric fields."""
    df = _read_tsv(path, COUNT_COLUMNS)
    for col, kind in (("start", int), ("end", int), ("length", int), ("ref_count", int),
                      ("alt_count", int), ("depth", float)):
        num = pd.to_numeric(df[col], errors="coerce")
        bad = num.isna()
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise InputError(path, f"row {i + 2}, column {col}",
                             f"'{df[col].iloc[i]}' is not a number")
        df[col] = num.astype(np.int64) if kind is int else num.astype(float)
    df["gc"] = pd.to_numeric(df["gc"], errors="coerce")
    bad = ~df["type"].isin(["target", "snp"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + 2}, column type",
                         f"'{df['type'].iloc[i]}' is not target or snp")
    if not (df["type"] == "target").any():
        raise InputError(path, None, "no target rows")
    return df


def merge_regions(chrom: np.ndarray, start: np.ndarray, end: np.ndarray, flank: int,
                  contig_len: dict[str, int]) -> list[tuple[str, int, int]]:
    """Merge 1-based inclusive intervals widened by ``flank`` into non-overlapping
    0-based half-open regions (contig order as first seen)."""
    out: list[tuple[str, int, int]] = []
    df = pd.DataFrame({"c": chrom, "s": np.maximum(start - flank, 1) - 1,
                       "e": end + flank})
    for c in dict.fromkeys(chrom):
        d = df[df["c"] == c].sort_values("s")
        cs, ce = None, None
        L = contig_len[c]
        for s, e in zip(d["s"].to_numpy(), d["e"].to_numpy()):
            e = min(int(e), L)
            if cs is None:
                cs, ce = int(s), e
            elif s <= ce:
                ce = max(ce, e)
            else:
                out.append((c, cs, ce))
                cs, ce = int(s), e
        if cs is not None:
            out.append((c, cs, ce))
    return out


def gc_fraction(seq: str) -> float:
    """G+C over A+C+G+T in a sequence (Ns ignored); NaN if no ACGT."""
    s = seq.upper()
    acgt = sum(s.count(b) for b in "ACGT")
    return (s.count("G") + s.count("C")) / acgt if acgt else float("nan")


def call_genotypes(counts: np.ndarray, ref_idx: np.ndarray, params: PileupParams
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Germline SNP calls from per-position base counts (n, 4 for A C G T).

    The alt allele is the most frequent non-reference base; a position is a candidate
    when depth ≥ ``call_min_depth`` and alt reads ≥ ``call_min_alt_reads``; genotype
    ``het`` when het_low ≤ alt/depth ≤ het_high, ``hom`` when ≥ hom_min, else none.
    Returns (mask of called positions, alt base index, genotype strings).
    """
    depth = counts.sum(axis=1)
    masked = counts.copy()
    valid = ref_idx >= 0
    masked[np.flatnonzero(valid), ref_idx[valid]] = -1
    alt_idx = np.argmax(masked, axis=1)
    alt = counts[np.arange(len(counts)), alt_idx]
    with np.errstate(invalid="ignore", divide="ignore"):
        vaf = np.where(depth > 0, alt / np.maximum(depth, 1), 0.0)
    cand = valid & (depth >= params.call_min_depth) & (alt >= params.call_min_alt_reads)
    het = cand & (vaf >= params.het_low) & (vaf <= params.het_high)
    hom = cand & (vaf >= params.hom_min)
    gt = np.where(het, "het", np.where(hom, "hom", ""))
    return het | hom, alt_idx, gt


def read_population_sites(path: str | os.PathLike) -> dict[tuple[str, int, str], float]:
    """(chrom, pos, ALT) → population alt-allele frequency (INFO/AF, a fraction; NaN
    when the record has none) of the single-base SNV alleles of a population VCF
    (e.g. gnomAD). Membership (``in``) is what germline-SNP filtering uses; the AFs
    choose the hom-ref sites of :attr:`PileupParams.ref_sites_min_af`."""
    import pysam
    sites: dict[tuple[str, int, str], float] = {}
    try:
        vf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as e:
        raise InputError(path, None, f"cannot open as VCF ({e})")
    with vf:
        has_af = "AF" in vf.header.info
        for rec in vf:
            if len(rec.ref) != 1 or not rec.alts:
                continue
            af = rec.info.get("AF") if has_af else None
            af = af if isinstance(af, tuple) else (af,) * len(rec.alts)
            for k, a in enumerate(rec.alts):
                if len(a) == 1:
                    x = af[k] if k < len(af) and af[k] is not None else float("nan")
                    sites[(rec.chrom, rec.pos, a.upper())] = float(x)
    return sites


def _ref_sites_by_chrom(population: dict[tuple[str, int, str], float], min_af: float
                        ) -> dict[str, tuple[np.ndarray, list[str]]]:
    """Per contig, sorted positions and ALT bases of population SNVs with AF ≥
    ``min_af`` (the most frequent ALT where a position has several)."""
    best: dict[tuple[str, int], tuple[float, str]] = {}
    for (c, p, a), af in population.items():
        if np.isfinite(af) and af >= min_af and af > best.get((c, p), (-1.0, ""))[0]:
            best[(c, p)] = (af, a)
    out: dict[str, tuple[np.ndarray, list[str]]] = {}
    for c in dict.fromkeys(k[0] for k in best):
        ps = sorted(p for (cc, p) in best if cc == c)
        out[c] = (np.array(ps, dtype=np.int64), [best[(c, p)][1] for p in ps])
    return out


def pileup(bam: str, fasta: str, targets_bed: str, sample: str | None = None,
           snps: pd.DataFrame | None = None, call_snps: bool = False,
           population: dict[tuple[str, int, str], float] | None = None,
           params: PileupParams = PileupParams(), threads: int = 1,
           max_columns: int = 4_000_000) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Counts table for one BAM or CRAM (decoded against ``fasta``); with ``call_snps`` also the germline SNP calls
    (columns :data:`SNP_COLUMNS`), whose rows are included in the counts table.
    With ``snps`` (a SNP list) the counts table has a row for each of them instead.

    Bases are counted by ``escapeseq.bamcols.count_columns`` (compiled; one streamed
    pass per chunk of at most ``max_columns`` region bases)."""
    # here, not at import: reading counts tables needs no compiled kernels (numba)
    from ..bamcols import BamReadError, Regions, batched_by_width, count_columns
    import pysam
    try:
        fa = pysam.FastaFile(fasta)
    except (OSError, ValueError) as e:
        raise InputError(fasta, None, f"cannot open as indexed FASTA ({e})")
    contigs = dict(zip(fa.references, fa.lengths))
    try:
        bf = open_alignment(bam, fasta)
    except (OSError, ValueError) as e:
        raise InputError(bam, None, f"cannot open as BAM/CRAM ({e})")
    if not bf.has_index():
        raise InputError(bam, None, "no index (.bai/.csi/.crai) next to the BAM/CRAM")
    if sample is not None:
        sms = {rg.get("SM") for rg in bf.header.to_dict().get("RG", [])}
        sms.discard(None)
        if sms and sample not in sms:
            raise InputError(bam, "header @RG SM", f"sample is {','.join(sorted(sms))}, "
                             f"expected {sample}")
    bam_contigs = set(bf.references)
    targets = read_targets(targets_bed, contigs)
    targets = targets[targets["chrom"].isin(bam_contigs)].reset_index(drop=True)
    if snps is not None:
        snps = snps[snps["chrom"].isin(bam_contigs) & snps["chrom"].isin(contigs)]
        # a list from another build: a position outside its contig is the list's error
        pos = snps["pos"].to_numpy()
        length = snps["chrom"].map(contigs).to_numpy()
        outside = np.flatnonzero((pos < 1) | (pos > length))
        if len(outside):
            i = int(outside[0])
            c = snps["chrom"].iloc[i]
            raise InputError("--snps", f"row {int(snps.index[i]) + 2}",
                             f"{c}:{int(pos[i])} is outside {c} (1-{contigs[c]}) in {fasta}")
        chrom = np.concatenate([targets["chrom"].to_numpy(), snps["chrom"].to_numpy()])
        st = np.concatenate([targets["start"].to_numpy(), snps["pos"].to_numpy()])
        en = np.concatenate([targets["end"].to_numpy(), snps["pos"].to_numpy()])
        regions = merge_regions(chrom, st, en, params.flank, contigs)
    else:
        regions = merge_regions(targets["chrom"].to_numpy(), targets["start"].to_numpy(),
                                targets["end"].to_numpy(), params.flank, contigs)
    bf.close()
    tdepth = np.zeros(len(targets))
    tgc = np.full(len(targets), np.nan)
    called = []
    snp_counts = []
    t_chrom = targets["chrom"].to_numpy()
    t_start = targets["start"].to_numpy()
    t_end = targets["end"].to_numpy()
    snp_by_chrom = ({c: d for c, d in snps.groupby("chrom", sort=False)}
                    if snps is not None else {})
    lut = np.full(256, -1, dtype=np.int64)
    for i, b in enumerate(b"ACGT"):
        lut[b] = i
    ref_sites = (_ref_sites_by_chrom(population, params.ref_sites_min_af)
                 if call_snps and population is not None
                 and params.ref_sites_min_af is not None else {})
    for chunk in batched_by_width(regions, lambda r: r[2] - r[1], max_columns):
        try:
            counts = count_columns(bam, Regions.of(chunk), params.min_mapq, 0xF04,
                                   params.min_baseq, reference=fasta, threads=threads)
        except BamReadError as e:
            raise InputError(bam, f"region {chunk[0][0]}:{chunk[0][1] + 1}", f"cannot read ({e})")
        col = 0
        for c, s0, e0 in chunk:
            cov = counts[col:col + e0 - s0].astype(np.int64)
            col += e0 - s0
            seq = fa.fetch(c, s0, e0).upper()
            depth = cov.sum(axis=1)
            code = np.frombuffer(seq.encode(), dtype=np.uint8)
            ref_idx = lut[code]
            # targets inside this region (1-based inclusive -> offsets), vectorised
            ti = np.flatnonzero((t_chrom == c) & (t_start - 1 >= s0) & (t_end <= e0))
            if len(ti):
                ta, tb = t_start[ti] - 1 - s0, t_end[ti] - s0
                cs = np.concatenate([[0], np.cumsum(depth)])
                tdepth[ti] = (cs[tb] - cs[ta]) / (tb - ta)
                gc = np.concatenate([[0], np.cumsum((ref_idx == 1) | (ref_idx == 2))])
                acgt = np.concatenate([[0], np.cumsum(ref_idx >= 0)])
                n = acgt[tb] - acgt[ta]
                with np.errstate(invalid="ignore", divide="ignore"):
                    tgc[ti] = np.where(n > 0, (gc[tb] - gc[ta]) / np.maximum(n, 1), np.nan)
            if call_snps:
                mask, alt_idx, gt = call_genotypes(cov, ref_idx, params)
                for j in np.flatnonzero(mask):
                    ref, alt = seq[j], str(BASES[alt_idx[j]])
                    pos = s0 + j + 1
                    known = population is not None and (c, pos, alt) in population
                    if population is not None and not known:
                        continue
                    rc, ac = int(cov[j, ref_idx[j]]), int(cov[j, alt_idx[j]])
                    called.append((c, pos, ref, alt, int(depth[j]), rc, ac,
                                   round(ac / depth[j], 4), gt[j], known))
                if c in ref_sites:
                    called += _hom_ref_calls(c, s0, e0, seq, cov, ref_idx, depth, mask,
                                             ref_sites[c], lut, params)
            elif c in snp_by_chrom:
                d = snp_by_chrom[c]
                p = d["pos"].to_numpy()
                inside = np.flatnonzero((p - 1 >= s0) & (p <= e0))
                if not len(inside):
                    continue
                j = p[inside] - 1 - s0
                ri = lut[[ord(x[:1] or "N") for x in d["ref"].iloc[inside].astype(str).str.upper()]]
                ai = lut[[ord(x[:1] or "N") for x in d["alt"].iloc[inside].astype(str).str.upper()]]
                rc = np.where(ri >= 0, cov[j, np.maximum(ri, 0)], 0)
                ac = np.where(ai >= 0, cov[j, np.maximum(ai, 0)], 0)
                snp_counts += zip([c] * len(j), p[inside].tolist(),
                                  d["ref"].iloc[inside].tolist(), d["alt"].iloc[inside].tolist(),
                                  depth[j].tolist(), rc.tolist(), ac.tolist())
    tg = pd.DataFrame({"type": "target", "chrom": targets["chrom"],
                       "start": targets["start"], "end": targets["end"],
                       "length": targets["end"] - targets["start"] + 1,
                       "gc": np.round(tgc, 4), "depth": np.round(tdepth, 3), "ref": ".",
                       "alt": ".", "ref_count": 0, "alt_count": 0})
    calls = None
    if call_snps:
        calls = pd.DataFrame(called, columns=SNP_COLUMNS).drop_duplicates(["chrom", "pos"])
        snp_counts = [(r.chrom, r.pos, r.ref, r.alt, r.depth, r.ref_count, r.alt_count)
                      for r in calls.itertuples()]
    sp = pd.DataFrame(snp_counts, columns=["chrom", "start", "ref", "alt", "depth",
                                           "ref_count", "alt_count"])
    sp = sp.drop_duplicates(["chrom", "start"])
    sp.insert(0, "type", "snp")
    sp["end"] = sp["start"]
    sp["length"] = 1
    # SNP rows have no GC: leave the column out so concat fills NaN (an all-NaN column
    # would make pandas warn about dtype inference)
    out = pd.concat([tg, sp[[c for c in COUNT_COLUMNS if c != "gc"]]], ignore_index=True)[COUNT_COLUMNS]
    order = {c: i for i, c in enumerate(contigs)}
    out["_o"] = out["chrom"].map(order)
    out["_t"] = (out["type"] == "snp").astype(int)
    out = out.sort_values(["_o", "start", "_t"], kind="stable").drop(columns=["_o", "_t"])
    return out.reset_index(drop=True), calls


def _hom_ref_calls(c: str, s0: int, e0: int, seq: str, cov: np.ndarray,
                   ref_idx: np.ndarray, depth: np.ndarray, called: np.ndarray,
                   sites: tuple[np.ndarray, list[str]], lut: np.ndarray,
                   params: PileupParams) -> list[tuple]:
    """Genotype-``ref`` rows (SNP_COLUMNS) for population sites inside the 0-based
    region [s0, e0) where the normal is homozygous reference: not already called,
    depth ≥ ``call_min_depth``, the population ALT at ≤ ``ref_max_vaf``, the reference
    base matching the site's."""
    pos, alts = sites
    lo, hi = np.searchsorted(pos, [s0 + 1, e0 + 1])
    out = []
    for k in range(lo, hi):
        j = int(pos[k]) - 1 - s0
        ai = lut[ord(alts[k][:1] or "N")]
        if called[j] or ref_idx[j] < 0 or ai < 0 or ai == ref_idx[j]:
            continue
        d = int(depth[j])
        ac = int(cov[j, ai])
        if d < params.call_min_depth or ac > params.ref_max_vaf * d:
            continue
        out.append((c, int(pos[k]), seq[j], alts[k], d, int(cov[j, ref_idx[j]]), ac,
                    round(ac / d, 4), "ref", True))
    return out


def write_tsv(df: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a TSV (gzip when the name ends .gz, with a fixed mtime so output bytes are
    deterministic) to a temporary name, then rename into place. Booleans as
    true/false, NaN as empty."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == bool:
            out[c] = np.where(out[c], "true", "false")
    text = out.to_csv(sep="\t", index=False, na_rep="", lineterminator="\n")
    try:
        if path.name.endswith(".gz"):
            with open(tmp, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0,
                                                       filename="") as gz:
                gz.write(text.encode())
        else:
            tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_population_af(path: str | os.PathLike, sites: pd.DataFrame
                       ) -> dict[tuple[str, int, str], float]:
    """Population alt-allele frequencies (INFO/AF, fractions) of a bgzipped, indexed
    germline resource VCF (e.g. gnomAD) at the given sites (columns chrom, start = the
    1-based position, alt). Returns {(chrom, pos, ALT): AF} for the sites found with
    the same ALT; sites absent from the resource are left out. A contig missing from the
    resource is also looked up with / without a ``chr`` prefix."""
    import pysam
    try:
        vf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as e:
        raise InputError(path, None, f"cannot open as VCF ({e})")
    out: dict[tuple[str, int, str], float] = {}
    with vf:
        if vf.index is None:
            raise InputError(path, None, "no .tbi/.csi index next to the VCF (bgzip it "
                             "and run tabix -p vcf)")
        if "AF" not in vf.header.info:
            raise InputError(path, "header", "no INFO/AF field (population allele "
                             "frequency) in the germline resource")
        contigs = set(vf.header.contigs) | set(vf.index)
        alias = {}
        for c in sites["chrom"].astype(str).unique():
            alt_name = c[3:] if c.startswith("chr") else f"chr{c}"
            alias[c] = c if c in contigs else (alt_name if alt_name in contigs else None)
        for c, p, a in zip(sites["chrom"].astype(str), sites["start"].astype(int),
                           sites["alt"].astype(str).str.upper()):
            rc = alias.get(c)
            if rc is None:
                continue
            try:
                recs = list(vf.fetch(rc, p - 1, p))
            except (ValueError, OSError) as e:
                raise InputError(path, f"region {rc}:{p}", f"cannot read ({e})")
            for rec in recs:
                if rec.pos != p or not rec.alts:
                    continue
                af = rec.info.get("AF")
                af = af if isinstance(af, tuple) else (af,)
                for k, alt in enumerate(rec.alts):
                    if alt.upper() == a and k < len(af) and af[k] is not None:
                        out[(c, p, a)] = float(af[k])
    return out
