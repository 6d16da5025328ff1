"""The immune-escape gene panel: which genes count as escape genes, and why.

The panel is a TSV with a header and the columns ``gene pathway role domains``:

* ``pathway``: one of :data:`PATHWAYS`;
* ``role``: free text (the gene's part in the pathway);
* ``domains``: ``name:start-end`` items separated by ``;`` (1-based inclusive amino-acid
  positions), or empty / ``.``.

Lines starting with ``#`` are comments.
"""

from __future__ import annotations

from pathlib import Path

from escapeseq.errors import InputError

PATHWAYS = ("interferon-gamma signalling", "type I interferon", "antigen presentation",
            "other immune evasion")
COLUMNS = ("gene", "pathway", "role", "domains")
#: the bundled panel, relative to the repository root.
DEFAULT_PANEL = Path(__file__).resolve().parents[3] / "assets" / "escape_panel.tsv"


def parse_domains(text: str) -> list[tuple[str, int, int]]:
    """Parse ``name:start-end;name:start-end`` into ``[(name, start_aa, end_aa)]``.

    Raises ``ValueError`` with a short reason on a malformed item.
    """
    out = []
    text = text.strip()
    if text in ("", "."):
        return out
    for item in text.split(";"):
        item = item.strip()
        if not item:
            continue
        name, sep, span = item.rpartition(":")
        a, dash, b = span.partition("-")
        if not sep or not name or not dash or not a.strip().isdigit() or not b.strip().isdigit():
            raise ValueError(f"domain {item!r} is not name:start-end")
        s, e = int(a), int(b)
        if s < 1 or e < s:
            raise ValueError(f"domain {item!r}: start must be >= 1 and <= end")
        out.append((name.strip(), s, e))
    return out


def load_panel(path: str | Path | None = None) -> dict[str, dict]:
    """Read an escape panel TSV -> ``{gene: {"pathway", "role", "domains": [(name, start_aa, end_aa)]}}``.

    ``path=None`` reads the bundled ``assets/escape_panel.tsv``. Raises
    :class:`~escapeseq.errors.InputError` naming the line and column on bad input.
    """
    path = Path(path) if path is not None else DEFAULT_PANEL
    try:
        lines = path.read_text().splitlines()
    except OSError as err:
        raise InputError(path, None, f"cannot read: {err.strerror}") from None
    rows = [(i, l) for i, l in enumerate(lines, 1) if l.strip() and not l.startswith("#")]
    if not rows:
        raise InputError(path, None, "empty panel")
    header = rows[0][1].rstrip("\r").split("\t")
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InputError(path, f"line {rows[0][0]}", f"missing column(s) {', '.join(missing)}")
    col = {c: header.index(c) for c in COLUMNS}
    panel: dict[str, dict] = {}
    for lineno, line in rows[1:]:
        f = line.rstrip("\r").split("\t")
        if len(f) < len(header):
            f += [""] * (len(header) - len(f))
        gene = f[col["gene"]].strip()
        if not gene:
            raise InputError(path, f"line {lineno}: gene", "empty gene name")
        if gene in panel:
            raise InputError(path, f"line {lineno}: gene", f"{gene} listed twice")
        pathway = f[col["pathway"]].strip()
        if pathway not in PATHWAYS:
            raise InputError(path, f"line {lineno}: pathway",
                             f"{pathway!r} is not one of: {', '.join(PATHWAYS)}")
        try:
            domains = parse_domains(f[col["domains"]])
        except ValueError as err:
            raise InputError(path, f"line {lineno}: domains", str(err)) from None
        panel[gene] = {"pathway": pathway, "role": f[col["role"]].strip(), "domains": domains}
    return panel
