"""Offline IGV views: igv.js (inlined) showing the normal, baseline and relapse reads
around a candidate, with the reference slice and the BAM slices embedded as data URIs.

Nothing is fetched from the network: the reference is a FASTA slice whose header uses
igv.js's ``chr:start-end @len=N`` convention (the slice sits at its true coordinates),
and each track is a small non-indexed BAM holding only the reads over the window.
"""

from __future__ import annotations

import base64
import html
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Track:
    """One alignment track: a display name and its BAM (indexed)."""
    name: str
    bam: Path


def window(pos: int, flank: int = 100) -> tuple[int, int]:
    """1-based inclusive window of ``flank`` bp either side of ``pos``."""
    return max(1, pos - flank), pos + flank


def fasta_slice(fasta: str | Path, chrom: str, start: int, end: int) -> str:
    """FASTA text of chrom:start-end (1-based inclusive) in igv.js's slice notation."""
    import pysam
    with pysam.FastaFile(str(fasta)) as fa:
        length = fa.get_reference_length(chrom)
        end = min(end, length)
        seq = fa.fetch(chrom, start - 1, end)
    lines = [seq[i:i + 80] for i in range(0, len(seq), 80)]
    return f">{chrom}:{start}-{end} @len={length}\n" + "\n".join(lines) + "\n"


def bam_slice(bam: str | Path, chrom: str, start: int, end: int, max_reads: int = 400,
              reference: str | Path | None = None) -> bytes:
    """A BAM (bytes) with the first ``max_reads`` primary reads overlapping chrom:start-end,
    in coordinate order (so the same input gives the same bytes). ``bam``: a BAM, or a CRAM
    decoded against ``reference`` (the slice is BAM either way: igv.js reads it inline)."""
    import pysam

    from escapeseq.alignio import open_alignment
    with open_alignment(bam, reference) as inp, tempfile.TemporaryDirectory() as tmp:
        out_path = Path(tmp) / "slice.bam"
        with pysam.AlignmentFile(str(out_path), "wb", template=inp) as out:
            n = 0
            for r in inp.fetch(chrom, start - 1, end):
                if r.is_secondary or r.is_supplementary:
                    continue
                out.write(r)
                n += 1
                if n >= max_reads:
                    break
        return out_path.read_bytes()


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def browser_config(chrom: str, pos: int, fasta: str | Path, tracks: list[Track],
                   flank: int = 100) -> dict:
    """igv.js ``createBrowser`` options for one locus, everything inline."""
    s, e = window(pos, flank)
    ref = fasta_slice(fasta, chrom, s, e)
    cfg = {
        "reference": {"id": f"{chrom}:{s}-{e}", "name": "reference slice",
                      "fastaURL": data_uri(ref.encode(), "text/plain"), "indexed": False},
        "locus": f"{chrom}:{max(s, pos - 40)}-{pos + 40}",
        "showNavigation": False, "showIdeogram": False, "showRuler": True,
        "showCenterGuide": True, "showCursorGuide": False, "showTrackLabels": True,
        "queryParametersSupported": False, "promisified": False, "loadDefaultGenomes": False,
        "tracks": [],
    }
    for t in tracks:
        cfg["tracks"].append({
            "type": "alignment", "format": "bam", "name": t.name, "indexed": False,
            "url": data_uri(bam_slice(t.bam, chrom, s, e, reference=fasta), "application/octet-stream"),
            "height": 220, "displayMode": "SQUISHED", "showSoftClips": False,
        })
    return cfg


def script_json(obj: object) -> str:
    """JSON safe inside a <script> element (no '</', no '<!--')."""
    return json.dumps(obj, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e") \
        .replace("&", "\\u0026")


def igv_block(div_id: str, config: dict) -> str:
    """A <div> and the <script> creating its browser (igv.js must already be loaded).
    Errors go to the div as text, never to an alert."""
    return (f'<div class="igv-view" id="{html.escape(div_id)}"></div>\n'
            f'<script>(function(){{var c={script_json(config)};'
            f'var d=document.getElementById({json.dumps(div_id)});'
            'igv.createBrowser(d,c).catch(function(e){d.textContent="IGV view failed: "+e;});'
            '})();</script>\n')


def igv_library(igv_js: str | Path) -> str:
    """The igv.js build as an inline <script> (its text with '</script' neutralised)."""
    js = Path(igv_js).read_text(encoding="utf-8")
    return "<script>" + js.replace("</script", "<\\/script") + "</script>\n"


def standalone_page(title: str, igv_js: str | Path, blocks: list[tuple[str, str]]) -> str:
    """A self-contained HTML page: igv.js inline, then (heading, igv_block html) sections."""
    body = "".join(f"<h2>{html.escape(h)}</h2>\n{b}" for h, b in blocks)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>"
            "<style>body{font-family:sans-serif;margin:1em}.igv-view{border:1px solid #ccc;"
            "margin-bottom:1.5em}</style>\n" + igv_library(igv_js) + "</head><body>\n"
            f"<h1>{html.escape(title)}</h1>\n{body}</body></html>\n")
