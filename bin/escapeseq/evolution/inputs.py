"""Readers for what ``escapeseq-evolve`` and ``escapeseq-report`` consume.

Every reader raises :class:`~escapeseq.errors.InputError` (file, row/field, problem) on bad
input, so the CLIs can print one line and exit 2. Coordinates stay 1-based as in the files.
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from escapeseq.errors import InputError
from escapeseq.fileio import checked_lines, open_bytes

TRUE = {"true", "True", "TRUE", "1", "yes"}
SEGMENT_REQUIRED = ("chrom", "start", "end", "cn_total")
LOH_REQUIRED = ("chrom", "start", "end", "change")
ANNOTATION_REQUIRED = ("chrom", "pos", "ref", "alt", "gene", "consequence")


@dataclass
class Patient:
    """One patient's samples from the validated samplesheet, tumours in time order."""
    patient: str
    normal: str | None
    tumours: list[str]
    timepoints: list[str]
    sheet_purity: dict[str, float] = field(default_factory=dict)
    sex: str = ""

    @property
    def baseline(self) -> str:
        return self.tumours[0]

    @property
    def relapse(self) -> str:
        return self.tumours[-1]


def _float(text: str | None) -> float:
    """A float, NaN when empty / NA / not a number."""
    try:
        v = float(str(text).strip())
    except (TypeError, ValueError):
        return math.nan
    return v if math.isfinite(v) else math.nan


def read_samplesheet(path: str | Path, patient: str) -> Patient:
    """The patient's normal and tumour samples (order 0 = normal, 1.. = tumours in time order).

    Accepts the validated samplesheet (patient,sample,timepoint,order,status,...); without an
    ``order`` column, timepoint names normal / baseline / relapse or integers give the order.
    One sample may appear on several rows (lanes).
    """
    path = Path(path)
    try:
        with open(path, newline="") as fh:
            rows = list(csv.DictReader(fh))
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from None
    if not rows or "patient" not in rows[0] or "sample" not in rows[0]:
        raise InputError(path, "header", "needs columns patient and sample")
    named = {"normal": 0, "baseline": 1, "relapse": 2}
    samples: dict[str, tuple[int, str, float, str]] = {}
    for i, r in enumerate(rows, 2):
        if (r.get("patient") or "").strip() != patient:
            continue
        s = (r.get("sample") or "").strip()
        tp = (r.get("timepoint") or "").strip()
        order_txt = (r.get("order") or "").strip()
        if order_txt:
            try:
                order = int(order_txt)
            except ValueError:
                raise InputError(path, f"row {i}: order", f"not an integer: {order_txt!r}") from None
        elif tp.lower() in named:
            order = named[tp.lower()]
        elif tp.isdigit():
            order = int(tp)
        else:
            raise InputError(path, f"row {i}: timepoint", f"cannot order timepoint {tp!r}")
        status = (r.get("status") or "").strip().lower()
        if status == "normal":
            order = 0
        samples.setdefault(s, (order, tp, _float(r.get("purity")), (r.get("sex") or "").strip()))
    if not samples:
        raise InputError(path, "patient", f"no rows for patient {patient!r}")
    normals = [s for s, v in samples.items() if v[0] == 0]
    tumours = sorted((s for s, v in samples.items() if v[0] > 0), key=lambda s: (samples[s][0], s))
    if not tumours:
        raise InputError(path, f"patient {patient}", "no tumour sample (order >= 1)")
    sex = next((v[3] for v in samples.values() if v[3]), "")
    return Patient(patient=patient, normal=normals[0] if normals else None, tumours=tumours,
                   timepoints=[samples[s][1] or str(samples[s][0]) for s in tumours],
                   sheet_purity={s: samples[s][2] for s in tumours}, sex=sex.lower())


@dataclass
class Calls:
    """Somatic VCF records (one row per ALT allele) and read counts per sample."""
    sites: pd.DataFrame          # chrom pos ref alt filter
    samples: list[str]           # column order of alt / depth
    alt: np.ndarray              # (n_sites, n_samples) alternate read counts
    depth: np.ndarray            # (n_sites, n_samples) ref + alt read counts (AD sum)
    contigs: dict[str, int]      # contig lengths from the header (may be empty)
    dp: np.ndarray | None = None  # (n_sites, n_samples) FORMAT/DP (AD sum where missing)

    def subset(self, keep: np.ndarray) -> "Calls":
        """The records where ``keep`` (boolean per row) is true."""
        return Calls(self.sites[keep].reset_index(drop=True), self.samples, self.alt[keep],
                     self.depth[keep], self.contigs, None if self.dp is None else self.dp[keep])


def read_vcf(path: str | Path, samples: list[str]) -> Calls:
    """Read a multi-sample somatic VCF with FORMAT AD. Multi-allelic records give one row
    per ALT. ``depth`` is REF + that ALT reads (so VAF = alt / depth); missing AD → 0."""
    import pysam

    path = Path(path)
    try:
        vf = pysam.VariantFile(str(path))
    except (OSError, ValueError) as err:
        raise InputError(path, None, f"cannot open as VCF: {err}") from None
    with vf:
        missing = [s for s in samples if s not in vf.header.samples]
        if missing:
            raise InputError(path, "header", f"sample(s) not in the VCF: {', '.join(missing)}")
        if "AD" not in vf.header.formats:
            raise InputError(path, "header", "no FORMAT/AD field (ref,alt read counts needed)")
        contigs = {c: (vf.header.contigs[c].length or 0) for c in vf.header.contigs}
        rows, alts, deps, dps = [], [], [], []
        has_dp = "DP" in vf.header.formats
        try:
            for n, rec in enumerate(vf, 1):
                filt = ";".join(rec.filter.keys()) or "PASS"
                ad_all, dp_all = [], []
                for s in samples:
                    ad = rec.samples[s].get("AD")
                    ad_all.append(tuple(0 if x is None else int(x) for x in ad) if ad else ())
                    d = rec.samples[s].get("DP") if has_dp else None
                    dp_all.append(int(d) if d is not None else sum(ad_all[-1]))
                for k, a in enumerate(rec.alts or (), 1):
                    rows.append((rec.chrom, rec.pos, rec.ref, a, filt))
                    alts.append([ad[k] if len(ad) > k else 0 for ad in ad_all])
                    deps.append([(ad[0] if ad else 0) + (ad[k] if len(ad) > k else 0) for ad in ad_all])
                    dps.append(dp_all)
        except (OSError, ValueError) as err:
            raise InputError(path, f"record {n}", f"unreadable: {err}") from None
    sites = pd.DataFrame(rows, columns=["chrom", "pos", "ref", "alt", "filter"])
    sites["pos"] = sites["pos"].astype(np.int64)
    shape = (len(rows), len(samples))
    return Calls(sites, list(samples), np.asarray(alts, dtype=np.int64).reshape(shape),
                 np.asarray(deps, dtype=np.int64).reshape(shape), contigs,
                 np.asarray(dps, dtype=np.int64).reshape(shape))


def _read_tsv(path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    try:
        df = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False, comment=None)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as err:
        raise InputError(path, None, f"cannot read TSV: {str(err).splitlines()[0]}") from None
    miss = [c for c in required if c not in df.columns]
    if miss:
        raise InputError(path, "header", f"missing column(s) {', '.join(miss)}")
    return df


def _ints(df: pd.DataFrame, col: str, path: Path) -> np.ndarray:
    vals = df[col].str.strip()
    bad = ~vals.str.fullmatch(r"-?\d+")
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + 2}: {col}", f"not an integer: {vals.iloc[i]!r}")
    return vals.astype(np.int64).to_numpy()


def read_annotation(path: str | Path | None) -> pd.DataFrame:
    """The annotation TSV (escapeseq-annotate --tsv); an empty frame when ``path`` is None."""
    cols = ["chrom", "pos", "ref", "alt", "gene", "consequence", "hgvs_c", "hgvs_p",
            "hgvs_p_short", "lof_confidence", "escape_gene", "pathway", "note"]
    if path is None:
        return pd.DataFrame(columns=cols)
    path = Path(path)
    df = _read_tsv(path, ANNOTATION_REQUIRED)
    df["pos"] = _ints(df, "pos", path)
    for c in cols:
        if c not in df.columns:
            df[c] = ""
    lof = df["lof_confidence"].str.strip().replace("", "none")
    bad = ~lof.isin(["high", "low", "none"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + 2}: lof_confidence",
                         f"{lof.iloc[i]!r} is not high, low or none")
    df["lof_confidence"] = lof
    return df.drop_duplicates(["chrom", "pos", "ref", "alt"], keep="first").reset_index(drop=True)


def read_purity(path: str | Path) -> float:
    """Purity (fraction) from a ``<sample>.purity.tsv``; NaN when empty / not estimable."""
    path = Path(path)
    df = _read_tsv(path, ("purity",))
    if df.empty:
        return math.nan
    p = _float(df["purity"].iloc[0])
    if not math.isnan(p) and not 0 < p <= 1:
        raise InputError(path, "row 2: purity", f"must be a fraction in (0, 1], got {p}")
    return p


def read_segments(path: str | Path) -> pd.DataFrame:
    """A ``<sample>.segments.tsv``: chrom, start, end (1-based inclusive) as int,
    cn_total / cn_minor / log2_ratio / baf as float (NaN when empty), loh /
    cn_neutral_loh as bool."""
    path = Path(path)
    df = _read_tsv(path, SEGMENT_REQUIRED)
    df["start"] = _ints(df, "start", path)
    df["end"] = _ints(df, "end", path)
    bad = df["end"] < df["start"]
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + 2}: end", "end < start")
    for c in ("cn_total", "cn_major", "cn_minor", "log2_ratio", "baf"):
        df[c] = [_float(x) for x in df[c]] if c in df.columns else math.nan
    for c in ("loh", "cn_neutral_loh"):
        df[c] = df[c].isin(TRUE) if c in df.columns else False
    return df.reset_index(drop=True)


def read_loh_changes(path: str | Path | None) -> pd.DataFrame:
    """``<patient>.loh_changes.tsv`` (chrom start end baseline relapse change cn_neutral)."""
    cols = ["chrom", "start", "end", "baseline", "relapse", "change", "cn_neutral"]
    if path is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    path = Path(path)
    df = _read_tsv(path, LOH_REQUIRED)
    df["start"] = _ints(df, "start", path)
    df["end"] = _ints(df, "end", path)
    bad = ~df["change"].isin(["acquired", "lost", "shared"])
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(path, f"row {i + 2}: change",
                         f"{df['change'].iloc[i]!r} is not acquired, lost or shared")
    if "cn_neutral" not in df.columns:
        df["cn_neutral"] = "false"
    df["cn_neutral"] = df["cn_neutral"].isin(TRUE)
    return df.reset_index(drop=True)


def load_panel(path: str | Path | None) -> dict[str, dict]:
    """The escape panel ``{gene: {pathway, role, domains}}`` (escapeseq.annotate.panel)."""
    from escapeseq.annotate.panel import load_panel as _load
    return _load(path)


def read_arms(path: str | Path | None) -> pd.DataFrame:
    """Chromosome arms BED (chrom, 0-based start, end, name such as chr1p) → columns chrom,
    start (1-based), end, name; empty when ``path`` is None."""
    cols = ["chrom", "start", "end", "name"]
    if path is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    path = Path(path)
    rows = []
    try:
        fh = open_bytes(path)
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from None
    with fh:
        lines = [ln.rstrip("\r\n") for ln in checked_lines(fh, path)]
    for i, ln in enumerate(lines, 1):
        if not ln.strip() or ln.startswith(("#", "track", "browser")):
            continue
        f = ln.split("\t")
        if len(f) < 4 or not f[1].isdigit() or not f[2].isdigit():
            raise InputError(path, f"line {i}", "expected chrom, start, end, name (BED)")
        rows.append((f[0], int(f[1]) + 1, int(f[2]), f[3].strip()))
    return pd.DataFrame(rows, columns=cols)
