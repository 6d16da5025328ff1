"""Compare two escapeseq output directories for the determinism tests.

Every published file is compared by what it means, generically, so new outputs are
covered as they land:
  * BAM/CRAM: the header without @PG lines, then every record (`samtools view`);
  * VCF (.vcf / .vcf.gz): the #CHROM line and every record (header meta lines may name
    dates or commands);
  * other gzip files (.tsv.gz, .bed.gz, ...): the decompressed bytes;
  * HTML reports: the bytes, with inline base64 images replaced by a placeholder;
  * everything else: the bytes.
Files that are not snapshot-stable by design are skipped (UNSTABLE below): Nextflow's
execution report/trace/timeline (timestamps, work paths), MultiQC's HTML and data folder
(run time, absolute paths), index files (.bai/.tbi/.csi: derived from the compared data),
and images (.png/.pdf/.svg: font rendering may differ between hosts and containers).
"""

from __future__ import annotations

import fnmatch
import gzip
import hashlib
import re
import subprocess
from pathlib import Path
from typing import Sequence

Scrub = Sequence[tuple[bytes, bytes]]

# The Python patch release a report lists differs between a host and the image (Debian's
# 3.11.2): provenance, not a result. Used for container-vs-host comparisons only.
PYTHON_VERSION_CELL = (rb"<th>Python</th><td>[0-9.]+</td>", b"<th>Python</th><td>3.11</td>")

INLINE_IMAGE = re.compile(rb"data:image/[a-z+]+;base64,[A-Za-z0-9+/=]+")

UNSTABLE = (
    "pipeline_info/execution_*",
    "pipeline_info/pipeline_dag*",
    "multiqc/multiqc_report.html",
    "multiqc/multiqc_report_data/*",
    "multiqc/multiqc_data/*",
    "*.bai", "*.crai", "*.tbi", "*.csi",
    "*.png", "*.pdf", "*.svg",
)


def is_unstable(rel: str) -> bool:
    return any(fnmatch.fnmatch(rel, pat) for pat in UNSTABLE)


def published(outdir: Path) -> list[str]:
    """Relative paths of the published files that must be identical between runs."""
    return sorted(str(p.relative_to(outdir)) for p in outdir.rglob("*")
                  if p.is_file() and not is_unstable(str(p.relative_to(outdir))))


def _gunzip(path: Path) -> bytes:
    with gzip.open(path, "rb") as fh:
        return fh.read()


def is_gzip(path: Path) -> bool:
    with open(path, "rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def canonical(path: Path, scrub: Scrub = ()) -> bytes:
    """The content of one published file that must not change between runs, after the
    (pattern, replacement) byte substitutions in `scrub`.

    A file that cannot be read (truncated gzip/BAM) yields a marker that equals nothing
    a complete file yields, instead of an exception."""
    try:
        data = _canonical(path)
    except (OSError, EOFError, subprocess.CalledProcessError) as exc:
        return b"\0unreadable: " + type(exc).__name__.encode()
    for pattern, repl in scrub:
        data = re.sub(pattern, repl, data)
    return data


def _canonical(path: Path) -> bytes:
    name = path.name
    if name.endswith((".bam", ".cram")):
        hdr = subprocess.run(["samtools", "view", "-H", "--no-PG", str(path)], check=True,
                             capture_output=True).stdout
        hdr = b"\n".join(ln for ln in hdr.split(b"\n") if not ln.startswith(b"@PG"))
        body = subprocess.run(["samtools", "view", "--no-PG", str(path)], check=True,
                              capture_output=True).stdout
        return hdr + b"\n" + body
    data = _gunzip(path) if is_gzip(path) else path.read_bytes()
    if name.endswith((".html", ".htm")):
        # inline figures are images: compared as present, not pixel by pixel
        return INLINE_IMAGE.sub(b"data:image/*;base64,<image>", data)
    if name.endswith((".vcf", ".vcf.gz", ".vcf.bgz")):
        return b"\n".join(ln for ln in data.split(b"\n") if not ln.startswith(b"##"))
    return data


def digest(path: Path, scrub: Scrub = ()) -> str:
    return hashlib.sha256(canonical(path, scrub)).hexdigest()


def snapshot(outdir: Path, scrub: Scrub = ()) -> dict[str, str]:
    """{relative path: sha256 of canonical content} for every stable published file."""
    return {rel: digest(outdir / rel, scrub) for rel in published(outdir)}


def differences(a: Path, b: Path, scrub: Scrub = ()) -> list[str]:
    """Human-readable differences between two outdirs (empty when identical)."""
    sa, sb = snapshot(a, scrub), snapshot(b, scrub)
    out = [f"only in {a.name}: {k}" for k in sorted(set(sa) - set(sb))]
    out += [f"only in {b.name}: {k}" for k in sorted(set(sb) - set(sa))]
    for k in sorted(set(sa) & set(sb)):
        if sa[k] != sb[k]:
            out.append(f"differs: {k}{_first_diff(a / k, b / k, scrub)}")
    return out


def _first_diff(x: Path, y: Path, scrub: Scrub = ()) -> str:
    lx = canonical(x, scrub).split(b"\n")
    ly = canonical(y, scrub).split(b"\n")
    for i, (p, q) in enumerate(zip(lx, ly)):
        if p != q:
            return f" (line {i + 1}: {p[:120]!r} vs {q[:120]!r})"
    return f" ({len(lx)} vs {len(ly)} lines)"
