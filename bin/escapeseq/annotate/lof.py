"""Loss-of-function confidence, LOFTEE-like, with the rules written down.

Applies to the four consequences that can destroy a gene product: ``stop_gained``,
``frameshift_variant``, ``splice_donor_variant`` and ``splice_acceptor_variant``.
A candidate starts as high confidence (``HC``) and becomes low confidence (``LC``) when
any of these flags is raised (flags are listed in the CSQ ``LoF_flags`` subfield):

``NON_CODING`` / ``INCOMPLETE_CDS``
    the transcript has no translatable CDS (no CDS, or a CDS whose length is not a
    multiple of 3 / whose start phase is not 0): the frame is unknown.
``END_TRUNC``
    the variant (or, for a splice site, the exon edge it disrupts) lies in the last 5 %
    of the CDS: the truncated protein keeps >= 95 % of its length.
``NMD_ESCAPE``
    the premature stop codon (PTC) lies in the last exon or within 50 nt upstream of the
    last exon-exon junction. The exon-junction complex rule: a ribosome stopping more
    than 50-55 nt upstream of the last junction leaves a junction complex on the mRNA and
    triggers nonsense-mediated decay; closer or downstream, the mRNA escapes decay and
    a truncated protein can be made.
``SINGLE_EXON``
    the transcript has no exon-exon junction, so no PTC can trigger NMD.
``NO_STOP``
    a frameshift reads to the end of the transcript without a stop (non-stop decay,
    protein product uncertain).
``UTR_SPLICE``
    the splice site belongs to an intron outside the coding region.
``NON_CAN_SPLICE``
    the intron is not GT-AG, GC-AG or AT-AC (the annotation may be wrong).
``SMALL_INTRON``
    the intron is shorter than 15 bp (likely an annotation artefact).

Variant-level rule (in the pick): LoF predicted only on non-canonical transcripts of a
gene is reported as low confidence (``NON_CANONICAL``).

Splice sites also get a prediction of the seeded effect in ``LoF_info``: if the intron were
retained, how far into it the reading frame runs before an in-frame stop, and whether
skipping the neighbouring exon keeps the frame.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from escapeseq.annotate.seq import CODON_TABLE, revcomp

if TYPE_CHECKING:  # pragma: no cover
    from escapeseq.annotate.consequence import Annotation, Annotator
    from escapeseq.annotate.gtf import Transcript

NMD_DISTANCE = 50
END_TRUNC_FRACTION = 0.95
MIN_INTRON = 15
CANONICAL_MOTIFS = {("GT", "AG"), ("GC", "AG"), ("AT", "AC")}


def last_junction(tx: "Transcript") -> int:
    """Transcript position of the last base before the last exon-exon junction (0 if none)."""
    return tx.exon_tx_start[-1] - 1 if len(tx.exons) > 1 else 0


def nmd_escapes(ptc_tx_pos: int, junction_tx_pos: int, distance: int = NMD_DISTANCE) -> bool:
    """Whether a PTC starting at transcript position ``ptc_tx_pos`` escapes NMD.

    With the last junction after transcript position ``J``, the stop codon's first base at
    ``p`` is ``J - p + 1`` nt upstream of it; NMD needs that distance to exceed ``distance``
    (50 nt). No junction (``J == 0``) means escape.
    """
    if junction_tx_pos <= 0:
        return True
    return junction_tx_pos - ptc_tx_pos + 1 <= distance


def intron_bounds(tx: "Transcript", j: int) -> tuple[int, int]:
    """Genomic ``(lo, hi)`` of intron ``j`` (0-based, transcript order), 1-based inclusive."""
    e1, e2 = tx.exons[j], tx.exons[j + 1]
    return (e1[1] + 1, e2[0] - 1) if tx.strand > 0 else (e2[1] + 1, e1[0] - 1)


def intron_seq(annot: "Annotator", tx: "Transcript", j: int) -> str:
    """Intron ``j``'s sequence in transcript orientation (donor end first)."""
    lo, hi = intron_bounds(tx, j)
    s = annot.genome.fetch(tx.chrom, lo, hi)
    return s if tx.strand > 0 else revcomp(s)


def retention_stop(cds_before: str, intron: str) -> int:
    """Intron position (1-based, from the donor end) of the last base of the first in-frame stop.

    ``cds_before`` is the CDS up to the last base of the exon before the intron; reading
    continues into ``intron`` in the same frame. The partial codon at the exon end takes
    ``len(cds_before) % 3`` bases from the exon and the rest from the intron. Returns 0
    when no stop occurs within the intron.
    """
    k = len(cds_before) % 3
    seq = cds_before[len(cds_before) - k:] + intron
    for i in range(0, len(seq) - 2, 3):
        if CODON_TABLE.get(seq[i:i + 3]) == "*":
            return i + 3 - k
    return 0


def assess(annot: "Annotator", ann: "Annotation", tx: "Transcript", start: int, ref: str,
           alt: str, donor_hits: list[int], acceptor_hits: list[int]) -> None:
    """Fill ``ann.lof``, ``ann.lof_flags`` and ``ann.lof_info`` (rules in the module docstring)."""
    flags: list[str] = []
    info = list(ann.lof_info)
    ptc = ann.ptc_tx_pos
    terms = set(ann.terms)
    if not tx.coding:
        flags.append("NON_CODING")
    elif not tx.cds_ok:
        flags.append("INCOMPLETE_CDS")
    n_cds = tx.cds_length
    if not flags and terms & {"stop_gained", "frameshift_variant"}:
        first_cds = _first_int(ann.cds_pos)
        if first_cds and first_cds > END_TRUNC_FRACTION * n_cds:
            flags.append("END_TRUNC")
        j = last_junction(tx)
        delta = len(alt) - len(ref)
        if "frameshift_variant" in terms:
            if not ptc and ann.hgvs_p.endswith("Ter?"):
                flags.append("NO_STOP")
        elif ann.protein_pos:
            ptc = tx.cds_tx_start + (_first_int(ann.protein_pos) - 1) * 3
        if ptc:
            # the junction moves with the indel if the indel lies upstream of it
            first_cds_tx = tx.cds_tx_start + (first_cds or 1) - 1
            jm = j + delta if j and first_cds_tx <= j else j
            if len(tx.exons) == 1:
                flags.append("SINGLE_EXON")
            elif nmd_escapes(ptc, jm):
                flags.append("NMD_ESCAPE")
            info.append(f"premature stop {jm - ptc + 1} nt upstream of the last exon-exon junction"
                        if jm else "no exon-exon junction")
    if not flags and terms & {"splice_donor_variant", "splice_acceptor_variant"}:
        for j, side in [(j, "donor") for j in donor_hits] + [(j, "acceptor") for j in acceptor_hits]:
            _splice(annot, tx, j, side, flags, info)
            break
    ann.lof_flags = sorted(set(flags))
    ann.lof_info = info
    ann.lof = "LC" if flags else "HC"


def _first_int(text: str) -> int:
    """First integer in a ``12`` / ``12-14`` style position ("" -> 0)."""
    head = text.split("-")[0] if text else ""
    return int(head) if head.isdigit() else 0


def _splice(annot: "Annotator", tx: "Transcript", j: int, side: str, flags: list[str],
            info: list[str]) -> None:
    """Flags and the seeded-effect prediction for an essential splice site of intron ``j``."""
    edge_tx = tx.exon_tx_start[j + 1] - 1           # last base of exon j (transcript pos)
    if not (tx.cds_tx_start <= edge_tx < tx.cds_tx_end):
        flags.append("UTR_SPLICE")
        return
    seq = intron_seq(annot, tx, j)
    if len(seq) < MIN_INTRON:
        flags.append("SMALL_INTRON")
    if (seq[:2], seq[-2:]) not in CANONICAL_MOTIFS:
        flags.append("NON_CAN_SPLICE")
    c_edge = edge_tx - tx.cds_tx_start + 1          # c. position of the exon's last base
    frac_base = c_edge if side == "donor" else c_edge + 1
    if frac_base > END_TRUNC_FRACTION * tx.cds_length:
        flags.append("END_TRUNC")
    cds = annot.seqs.cds(tx)
    prot = annot.seqs.protein(tx)
    stop = retention_stop(cds[:c_edge], seq)
    exon_no = j + 1
    last_intron = j == len(tx.exons) - 2
    if stop:
        aa_kept = c_edge // 3
        info.append(f"intron {exon_no} retention: in-frame stop codon {stop - 2} bp after exon "
                    f"{exon_no} (c.{c_edge}+{stop - 2}_{c_edge}+{stop}); protein truncated after "
                    f"~{aa_kept} of {len(prot) - 1} aa")
        if last_intron:
            flags.append("NMD_ESCAPE")
    else:
        info.append(f"intron {exon_no} retention: no in-frame stop inside the intron")
    skip = j if side == "donor" else j + 1
    s, e = tx.exons[skip]
    length = e - s + 1
    info.append(f"exon {skip + 1} skipping ({length} bp): "
                + ("in-frame" if length % 3 == 0 else "frameshift"))
