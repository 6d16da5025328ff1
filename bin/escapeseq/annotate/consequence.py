"""Consequence of one allele on one transcript: SO terms, HGVS c./p., exon/intron, LoF.

Conventions (all positions 1-based):

* A variant is normalised by :func:`trim` to ``(start, ref, alt)`` with no shared first or
  last base; ``ref`` covers genomic ``start .. start+len(ref)-1``. An insertion has
  ``ref == ""`` and sits between ``start-1`` and ``start``.
* Transcript positions count the spliced transcript from its 5' end; CDS positions count
  from the A of the start codon (``c.1``) to the last base of the stop codon.
* Splice regions follow Ensembl VEP / SnpEff: donor = intron bases +1/+2, acceptor = -1/-2,
  splice region = exon bases 1-3 next to an intron and intron bases 3-8 from either end.

The coding effect is computed on sequences: the affected codons of the reference CDS are
rebuilt with the alternate allele and translated (a frameshift reads on into the 3' UTR
until the first stop), then ref and alt peptides, each cut at its first stop, are
compared. HGVS descriptions follow the 3' rule (indels shifted towards the transcript's
3' end, in the genome and in the protein; an insertion equal to the preceding bases or
residues is a duplication).

Indels in repeats have several equivalent placements that give the same mutant sequence
(:meth:`Annotator.placements`). A feature counts as hit only if every placement hits it,
so each transcript reports the least severe placement's consequence: deleting ``AG|ACG``
at an acceptor whose exon starts ``ACGAG`` leaves an ``AG`` before the exon, i.e. a 5-bp
exonic deletion, not a lost acceptor. An insertion exactly at an exon-intron junction
joins the exon unless it brings its own splice dinucleotide (GT at a donor, AG at an
acceptor).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from escapeseq.annotate.gtf import Transcript
from escapeseq.annotate.lof import assess
from escapeseq.annotate.seq import aa3, revcomp, translate, translate_to_stop
from escapeseq.annotate.terms import LOF_TERMS, RANK, impact, sort_terms

#: exon bases next to an intron, and intron bases 3..8 from either end, are "splice region".
SPLICE_EXON = 3
SPLICE_INTRON = 8


def trim(pos: int, ref: str, alt: str) -> tuple[int, str, str]:
    """Remove bases shared by ``ref`` and ``alt``: first the common suffix, then the prefix.

    ``pos`` is the VCF position of ``ref[0]``; returns the position of the first
    remaining ref base (for an insertion: the base after the insertion point).
    """
    n = 0
    while n < len(ref) and n < len(alt) and ref[-1 - n] == alt[-1 - n]:
        n += 1
    if n:
        ref, alt = ref[:len(ref) - n], alt[:len(alt) - n]
    k = 0
    while k < len(ref) and k < len(alt) and ref[k] == alt[k]:
        k += 1
    return pos + k, ref[k:], alt[k:]


@dataclass(slots=True)
class Annotation:
    """One allele x one transcript. Empty strings mean "not applicable"."""

    tx: Transcript
    terms: list[str]
    exon: str = ""
    intron: str = ""
    hgvs_c: str = ""
    hgvs_p: str = ""
    hgvs_p_short: str = ""
    cds_pos: str = ""
    protein_pos: str = ""
    amino_acids: str = ""
    codons: str = ""
    distance: str = ""
    lof: str = ""           # HC, LC or ""
    lof_flags: list[str] = field(default_factory=list)
    lof_info: list[str] = field(default_factory=list)
    note: str = ""
    ptc_tx_pos: int = 0     # transcript position (mutant mRNA) of a frameshift's new stop

    @property
    def consequence(self) -> str:
        """Terms joined with ``&``, most severe first."""
        return "&".join(self.terms)

    @property
    def rank(self) -> int:
        """Severity rank of the most severe term (0 = most severe)."""
        return RANK[self.terms[0]]

    @property
    def impact(self) -> str:
        return impact(self.terms[0])


class Genome:
    """Random access to a FASTA (pysam) with upper-cased 1-based inclusive fetches."""

    def __init__(self, fasta):
        self.fa = fasta
        self.lengths = dict(zip(fasta.references, fasta.lengths))

    def fetch(self, chrom: str, start: int, end: int) -> str:
        """Bases ``start..end`` (1-based inclusive, clipped to the contig), upper case."""
        if chrom not in self.lengths:
            return ""
        start = max(1, start)
        end = min(self.lengths[chrom], end)
        if end < start:
            return ""
        return self.fa.fetch(chrom, start - 1, end).upper()


class TranscriptSeqs:
    """Per-transcript sequence cache: spliced transcript and reference protein."""

    def __init__(self, genome: Genome):
        self.genome = genome
        self._mrna: dict[str, str] = {}
        self._prot: dict[str, str] = {}

    def mrna(self, tx: Transcript) -> str:
        """Spliced transcript sequence, 5' -> 3' (reverse-complemented on the minus strand)."""
        s = self._mrna.get(tx.tx_id)
        if s is None:
            parts = [self.genome.fetch(tx.chrom, a, b) for a, b in tx.exons]
            s = "".join(parts) if tx.strand > 0 else "".join(revcomp(p) for p in parts)
            self._mrna[tx.tx_id] = s
        return s

    def cds(self, tx: Transcript) -> str:
        """CDS sequence including the stop codon."""
        return self.mrna(tx)[tx.cds_tx_start - 1:tx.cds_tx_end]

    def protein(self, tx: Transcript) -> str:
        """Translation of the CDS (ends with ``*`` when the annotated stop is a stop)."""
        p = self._prot.get(tx.tx_id)
        if p is None:
            p = translate(self.cds(tx))
            self._prot[tx.tx_id] = p
        return p


# --------------------------------------------------------------------------- positions

def locate(tx: Transcript, g: int) -> tuple[int, int, int, int]:
    """Where genomic ``g`` lies in ``tx``.

    Returns ``(kind, index, a, b)``:
    kind 0 exon: index = exon (0-based, transcript order), a = transcript position,
    b = distance to the nearest exon edge that borders an intron (large if none);
    kind 1 intron: index = intron (0-based), a = offset from the donor end (+1 = first
    intron base), b = offset from the acceptor end (-1 = last intron base);
    kind 2 upstream / kind 3 downstream: a = distance (bp) to the transcript.
    """
    ex = tx.exons
    n = len(ex)
    if tx.strand > 0:
        if g < tx.start:
            return 2, 0, tx.start - g, 0
        if g > tx.end:
            return 3, 0, g - tx.end, 0
        for i in range(n):
            s, e = ex[i]
            if g <= e:
                if g >= s:
                    d5 = g - s if i > 0 else 1 << 30
                    d3 = e - g if i < n - 1 else 1 << 30
                    return 0, i, tx.exon_tx_start[i] + g - s, min(d5, d3)
                # intron i-1 between ex[i-1] and ex[i]
                return 1, i - 1, g - ex[i - 1][1], g - s
        raise AssertionError("unreachable")
    if g > tx.end:
        return 2, 0, g - tx.end, 0
    if g < tx.start:
        return 3, 0, tx.start - g, 0
    for i in range(n):
        s, e = ex[i]
        if g >= s:
            if g <= e:
                d5 = e - g if i > 0 else 1 << 30
                d3 = g - s if i < n - 1 else 1 << 30
                return 0, i, tx.exon_tx_start[i] + e - g, min(d5, d3)
            return 1, i - 1, ex[i - 1][0] - g, e - g
    raise AssertionError("unreachable")


def _c_of_tx(tx: Transcript, t: int) -> str:
    """HGVS position of transcript position ``t`` (c. numbering if coding, else n.)."""
    if not tx.cds_tx_start:
        return str(t)
    if t < tx.cds_tx_start:
        return f"-{tx.cds_tx_start - t}"
    if t > tx.cds_tx_end:
        return f"*{t - tx.cds_tx_end}"
    return str(t - tx.cds_tx_start + 1)


def hgvs_pos(tx: Transcript, g: int) -> str:
    """HGVS c./n. position (without prefix) of genomic ``g``, intronic offsets included.

    An intronic base is numbered from the nearer exon edge (``123+5`` after exon base
    c.123, ``124-3`` before exon base c.124); a base equally far from both takes ``+``.
    Returns "" outside the transcript.
    """
    kind, idx, a, b = locate(tx, g)
    if kind == 0:
        return _c_of_tx(tx, a)
    if kind == 1:
        if a <= -b:
            t = tx.exon_tx_start[idx] + (tx.exons[idx][1] - tx.exons[idx][0])
            return f"{_c_of_tx(tx, t)}+{a}"
        t = tx.exon_tx_start[idx + 1]
        return f"{_c_of_tx(tx, t)}{b}"
    return ""


# --------------------------------------------------------------------------- annotate

def _hgvs_c(genome: Genome, tx: Transcript, start: int, ref: str, alt: str) -> str:
    """HGVS c. (or n.) description of a trimmed allele on ``tx``; "" if not expressible.

    An indel should come in its most 3' placement (see :meth:`Annotator.placements`);
    an insertion equal to the bases 5' of it is written as a duplication.
    """
    prefix = "c." if tx.cds_tx_start else "n."
    end = start + len(ref) - 1
    if tx.strand < 0:
        ref_t, alt_t = revcomp(ref), revcomp(alt)
        first, last = end, start
    else:
        ref_t, alt_t = ref, alt
        first, last = start, end
    if ref and alt and len(ref) == 1 and len(alt) == 1:
        p = hgvs_pos(tx, start)
        return f"{prefix}{p}{ref_t}>{alt_t}" if p else ""
    if ref:
        p1, p2 = hgvs_pos(tx, first), hgvs_pos(tx, last)
        if not p1 or not p2:
            return ""
        span = p1 if first == last else f"{p1}_{p2}"
        return f"{prefix}{span}del" + (f"ins{alt_t}" if alt else "")
    # insertion between start-1 and start: check duplication of the 5'-adjacent bases
    n = len(alt)
    if tx.strand > 0:
        prev = genome.fetch(tx.chrom, start - n, start - 1)
        if prev == alt:
            p1, p2 = hgvs_pos(tx, start - n), hgvs_pos(tx, start - 1)
            if p1 and p2:
                return f"{prefix}{p1 if n == 1 else p1 + '_' + p2}dup"
        left, right = start - 1, start
    else:
        prev = genome.fetch(tx.chrom, start, start + n - 1)
        if prev == alt:
            p1, p2 = hgvs_pos(tx, start + n - 1), hgvs_pos(tx, start)
            if p1 and p2:
                return f"{prefix}{p1 if n == 1 else p1 + '_' + p2}dup"
        left, right = start, start - 1
    p1, p2 = hgvs_pos(tx, left), hgvs_pos(tx, right)
    if not p1 or not p2:
        return ""
    return f"{prefix}{p1}_{p2}ins{alt_t}"


def _protein_change(prot: str, i: int, ref_aa: str, alt_aa: str) -> tuple[str, str, str]:
    """HGVS p. (long and short) of replacing ``prot[i:i+len(ref_aa)]`` by ``alt_aa``, in frame.

    ``prot`` is the reference protein (with its final ``*``), ``i`` 0-based. Shared leading
    then trailing residues are trimmed (leading first, so repeats end up 3'), pure
    insertions/deletions are shifted to the most C-terminal equivalent place, and an
    insertion equal to the residues before it is a duplication. A change whose first new
    residue is a stop is written as a nonsense change (``p.Lys5Ter``).
    Returns ``(hgvs_p, short, protein_pos)``.
    """
    k = 0
    while k < len(ref_aa) and k < len(alt_aa) and ref_aa[k] == alt_aa[k]:
        k += 1
    ref_aa, alt_aa, i = ref_aa[k:], alt_aa[k:], i + k
    m = 0
    while m < len(ref_aa) and m < len(alt_aa) and ref_aa[-1 - m] == alt_aa[-1 - m]:
        m += 1
    if m:
        ref_aa, alt_aa = ref_aa[:len(ref_aa) - m], alt_aa[:len(alt_aa) - m]
    if not ref_aa and not alt_aa:
        # synonymous: report the first codon of the window
        return "", "", ""
    if alt_aa and alt_aa[0] == "*" and ref_aa:
        a = ref_aa[0]
        return f"p.{aa3(a)}{i + 1}Ter", f"{a}{i + 1}*", str(i + 1)
    if "*" in alt_aa:  # stop inside an insertion: keep up to it
        alt_aa = alt_aa[:alt_aa.index("*") + 1]
    body = prot[:-1] if prot.endswith("*") else prot
    if ref_aa and not alt_aa:  # deletion prot[i : i+n]
        n = len(ref_aa)
        while i + n < len(body) and body[i] == body[i + n]:
            i += 1
        d = body[i:i + n]
        if n == 1:
            return f"p.{aa3(d)}{i + 1}del", f"{d}{i + 1}del", str(i + 1)
        return (f"p.{aa3(d[0])}{i + 1}_{aa3(d[-1])}{i + n}del", f"{d[0]}{i + 1}_{d[-1]}{i + n}del",
                f"{i + 1}-{i + n}")
    if alt_aa and not ref_aa:  # insertion before residue i (0-based) i.e. after i-1
        x = alt_aa
        if "*" not in x:
            while i < len(body) and body[i] == x[0]:
                x = x[1:] + x[0]
                i += 1
        n = len(x)
        if i - n >= 0 and body[i - n:i] == x:
            a, b = i - n, i - 1
            if n == 1:
                return f"p.{aa3(x)}{a + 1}dup", f"{x}{a + 1}dup", str(a + 1)
            return (f"p.{aa3(body[a])}{a + 1}_{aa3(body[b])}{b + 1}dup",
                    f"{body[a]}{a + 1}_{body[b]}{b + 1}dup", f"{a + 1}-{b + 1}")
        if i == 0 or i >= len(prot):
            return "p.?", "?", ""
        l, r = prot[i - 1], prot[i]
        return (f"p.{aa3(l)}{i}_{aa3(r)}{i + 1}ins{aa3(x)}", f"{l}{i}_{r}{i + 1}ins{x}",
                f"{i}-{i + 1}")
    n = len(ref_aa)
    if n == 1 and len(alt_aa) == 1:
        a, b = ref_aa, alt_aa
        return f"p.{aa3(a)}{i + 1}{aa3(b)}", f"{a}{i + 1}{b}", str(i + 1)
    if n == 1:
        return (f"p.{aa3(ref_aa)}{i + 1}delins{aa3(alt_aa)}", f"{ref_aa}{i + 1}delins{alt_aa}",
                str(i + 1))
    return (f"p.{aa3(ref_aa[0])}{i + 1}_{aa3(ref_aa[-1])}{i + n}delins{aa3(alt_aa)}",
            f"{ref_aa[0]}{i + 1}_{ref_aa[-1]}{i + n}delins{alt_aa}", f"{i + 1}-{i + n}")


class Annotator:
    """Annotate alleles against every nearby transcript (build once, call per allele)."""

    def __init__(self, index, genome: Genome):
        self.index = index
        self.genome = genome
        self.seqs = TranscriptSeqs(genome)

    # ------------------------------------------------------------------ public
    def annotate(self, chrom: str, pos: int, ref: str, alt: str) -> list[Annotation]:
        """All transcript annotations of one VCF allele (``ref``/``alt`` upper-case bases).

        An indel inside a repeat has several equivalent placements (same mutant
        sequence). A feature (splice site, start codon, exon) is only called disrupted if
        *every* placement disrupts it, so each transcript gets the least severe of the
        placements' consequences; HGVS c. uses the most 3' placement (HGVS rule).
        """
        start, r, a = trim(pos, ref, alt)
        if not r and not a:
            return []
        if r and a:
            places = [(start, r, a)]
            lo, hi = start, start + len(r) - 1
        else:
            places = self.placements(chrom, start, r, a)
            lo = places[0][0] - (0 if r else 1)
            hi = places[-1][0] + max(len(places[-1][1]), 1) - 1
        out = []
        for tx in self.index.query(chrom, lo, hi):
            three = places[-1] if tx.strand > 0 else places[0]
            if len(places) == 1:
                out.append(self.annotate_tx(tx, *three, hgvs_place=three))
                continue
            anns = [self.annotate_tx(tx, *p, hgvs_place=three) for p in places]
            # inside vs outside the transcript follows the allele as written in the VCF
            # (like SnpEff); inside it, the least severe placement wins
            orig = places.index((start, r, a)) if (start, r, a) in places else 0
            if anns[orig].rank >= RANK["upstream_gene_variant"]:
                out.append(self.annotate_tx(tx, start, r, a))
                continue
            order = [i for i, x in enumerate(anns) if x.rank < RANK["upstream_gene_variant"]]
            best = max(order, key=lambda i: (anns[i].rank, i if tx.strand > 0 else -i))
            out.append(anns[best])
        return out

    def placements(self, chrom: str, start: int, ref: str, alt: str,
                   limit: int = 50) -> list[tuple[int, str, str]]:
        """Equivalent placements of a trimmed insertion/deletion, 5'-most (genomic) first.

        Slides the indel left while the base before it equals its last base, and right
        while the base after it equals its first base (at most ``limit`` bp each way).
        """
        seq_ = ref or alt
        n = len(seq_)
        w0 = max(1, start - limit - n - 1)
        win = self.genome.fetch(chrom, w0, start + len(ref) + limit + n + 1)
        if not win:
            return [(start, ref, alt)]

        def at(p: int) -> str:
            i = p - w0
            return win[i] if 0 <= i < len(win) else ""
        # leftmost
        s, x = start, seq_
        if ref:
            e = s + n - 1
            while s - 1 >= w0 and at(s - 1) == at(e) and at(e):
                s, e = s - 1, e - 1
            left = s
        else:
            while s - 1 >= w0 and at(s - 1) == x[-1]:
                x = x[-1] + x[:-1]
                s -= 1
            left, left_x = s, x
        out = []
        if ref:
            s = left
            while True:
                e = s + n - 1
                out.append((s, win[s - w0:e - w0 + 1], ""))
                if not (at(e + 1) and at(e + 1) == at(s)) or len(out) > 2 * limit:
                    break
                s += 1
        else:
            s, x = left, left_x
            while True:
                out.append((s, "", x))
                if not (at(s) and at(s) == x[0]) or len(out) > 2 * limit:
                    break
                x = x[1:] + x[0]
                s += 1
        return out

    # ------------------------------------------------------------------ one transcript
    def annotate_tx(self, tx: Transcript, start: int, ref: str, alt: str,
                    hgvs_place: tuple[int, str, str] | None = None) -> Annotation:
        """Annotate the trimmed allele ``(start, ref, alt)`` on one transcript.

        ``hgvs_place`` is the placement used for the HGVS c. description (default: this one).
        """
        # fast path: wholly outside the transcript (an insertion touching its first or
        # last base also counts as outside)
        end = start + len(ref) - 1 if ref else start
        first = start if ref else start - 1
        if end < tx.start or first > tx.end or (not ref and (start == tx.start or first == tx.end)):
            if end < tx.start or (not ref and start == tx.start):
                d = tx.start - end if ref else tx.start - first
                up = tx.strand > 0
            else:
                d = first - tx.end if ref else start - tx.end
                up = tx.strand < 0
            term = "upstream_gene_variant" if up else "downstream_gene_variant"
            return Annotation(tx, [term], distance=str(d))
        if ref and len(ref) > 200:
            positions = _sample_positions(tx, start, end)
        elif ref:
            positions = range(start, start + len(ref))
        else:
            positions = (start - 1, start)
        if ref and start <= tx.start and start + len(ref) - 1 >= tx.end:
            return Annotation(tx, ["transcript_ablation"], note="deletion covers the whole transcript")
        # from here on at least one position lies inside the transcript span (a deletion
        # may still reach outside it: those positions add no term)
        locs = [locate(tx, g) for g in positions]
        kinds = {l[0] for l in locs}
        n_ex = len(tx.exons)
        terms: set[str] = set()
        exons_hit = sorted({l[1] for l in locs if l[0] == 0})
        introns_hit = sorted({l[1] for l in locs if l[0] == 1})
        insertion = not ref
        # --- splice sites and introns
        donor_hits: list[int] = []
        acceptor_hits: list[int] = []
        if insertion:
            (k1, i1, a1, b1), (k2, i2, a2, b2) = locs
            if k1 == k2 == 1:
                d = sorted((a1, a2))
                acc = sorted((b1, b2))
                if d == [1, 2]:
                    terms.add("splice_donor_variant")
                    donor_hits.append(i1)
                elif acc == [-2, -1]:
                    terms.add("splice_acceptor_variant")
                    acceptor_hits.append(i1)
                else:
                    # inside the region only if both flanking bases are (else the region's
                    # bases are unchanged, just moved)
                    terms.add("intron_variant")
                    if max(d) <= SPLICE_INTRON or min(acc) >= -SPLICE_INTRON:
                        terms.add("splice_region_variant")
            elif k1 == 1 or k2 == 1:  # exon|intron junction
                # The inserted bases join the exon unless they bring their own splice
                # motif (GT... at a donor, ...AG at an acceptor): the intron keeps its
                # dinucleotide next to the insertion either way.
                ki, ii, ai, bi = (k1, i1, a1, b1) if k1 == 1 else (k2, i2, a2, b2)
                ke, ie, te, _ = (k1, i1, a1, b1) if k1 == 0 else (k2, i2, a2, b2)
                x = revcomp(alt) if tx.strand < 0 else alt
                terms.add("splice_region_variant")
                if ai == 1 and not x.startswith("GT") or bi == -1 and not x.endswith("AG"):
                    t_lo = te if ai == 1 else te - 1
                    locs = [(0, ie, t_lo, 0), (0, ie, t_lo + 1, 0)]
                    kinds = {0}
                    exons_hit, introns_hit = [ie], []
                else:
                    terms.add("intron_variant")
            elif k1 == k2 == 0 and max(b1, b2) < SPLICE_EXON:
                terms.add("splice_region_variant")
        else:
            for k, i, a, b in locs:
                if k == 1:
                    if a <= 2:
                        terms.add("splice_donor_variant")
                        donor_hits.append(i)
                    elif b >= -2:
                        terms.add("splice_acceptor_variant")
                        acceptor_hits.append(i)
                    else:
                        terms.add("intron_variant")
                        if a <= SPLICE_INTRON or b >= -SPLICE_INTRON:
                            terms.add("splice_region_variant")
                elif k == 0 and b < SPLICE_EXON:
                    terms.add("splice_region_variant")
        ann = Annotation(tx, [])
        if exons_hit:
            ann.exon = (f"{exons_hit[0] + 1}-{exons_hit[-1] + 1}" if len(exons_hit) > 1
                        else str(exons_hit[0] + 1)) + f"/{n_ex}"
        if introns_hit:
            ann.intron = (f"{introns_hit[0] + 1}-{introns_hit[-1] + 1}" if len(introns_hit) > 1
                          else str(introns_hit[0] + 1)) + f"/{n_ex - 1}"
        # --- exonic part
        single_region = len(kinds) == 1 and (len(exons_hit) + len(introns_hit)) == 1
        if 0 in kinds:
            if not tx.coding:
                terms.add("non_coding_transcript_exon_variant")
            else:
                tpos = [l[2] for l in locs if l[0] == 0]
                in_cds = [tx.cds_tx_start <= t <= tx.cds_tx_end for t in tpos]
                if insertion and single_region:
                    in_cds = [all(in_cds)]
                    if not in_cds[0]:
                        t = min(tpos)
                        terms.add("5_prime_UTR_variant" if t < tx.cds_tx_start else "3_prime_UTR_variant")
                else:
                    for t, c in zip(tpos, in_cds):
                        if not c:
                            terms.add("5_prime_UTR_variant" if t < tx.cds_tx_start else "3_prime_UTR_variant")
                if any(in_cds):
                    if single_region and tx.cds_ok:
                        self._coding(ann, terms, tx, start, ref, alt, min(tpos), max(tpos))
                    else:
                        terms.add("coding_sequence_variant")
                        ann.hgvs_p, ann.hgvs_p_short = "p.?", "?"
                        if min(tpos) <= tx.cds_tx_start + 2 and max(tpos) >= tx.cds_tx_start:
                            terms.add("start_lost")
                            ann.hgvs_p, ann.hgvs_p_short = "p.Met1?", "M1?"
                        elif max(tpos) >= tx.cds_tx_end - 2 and min(tpos) <= tx.cds_tx_end:
                            terms.add("stop_lost")
                        if not tx.cds_ok:
                            ann.note = tx.problem
        place = hgvs_place or (start, ref, alt)
        ann.hgvs_c = _hgvs_c(self.genome, tx, *place)
        if not terms:   # defensive: every inside position should have given a term
            terms.add("coding_sequence_variant" if tx.coding and 0 in kinds else "intron_variant")
        ann.terms = sort_terms(terms)
        if ann.terms[0] in LOF_TERMS or LOF_TERMS.intersection(ann.terms):
            self._lof(ann, tx, start, ref, alt, donor_hits, acceptor_hits)
        return ann

    # ------------------------------------------------------------------ coding
    def _coding(self, ann: Annotation, terms: set[str], tx: Transcript, start: int,
                ref: str, alt: str, t_lo: int, t_hi: int) -> None:
        """Coding effect of an allele lying in one exon and touching the CDS."""
        mrna = self.seqs.mrna(tx)
        cds_start = tx.cds_tx_start
        alt_t = revcomp(alt) if tx.strand < 0 else alt
        if ref:
            a, b = t_lo - cds_start, t_hi - cds_start + 1       # 0-based CDS half-open
        else:
            a = b = t_lo - cds_start + 1                        # insertion before CDS index a
        ncds = tx.cds_length
        ann.cds_pos = (str(a + 1) if b - a == 1 else f"{a + 1}-{b}") if ref else f"{a}-{a + 1}"
        prot = self.seqs.protein(tx)
        # allele reaching outside the CDS (into a UTR of the same exon)
        if a < 0 or b > ncds:
            if a < 3 and b > 0:
                terms.add("start_lost")
                ann.hgvs_p, ann.hgvs_p_short, ann.protein_pos = "p.Met1?", "M1?", "1"
            if b > ncds - 3 and a < ncds and a >= 0:
                # reaches past the stop codon into the 3' UTR: read the mutant on
                c0 = a // 3
                cds = mrna[cds_start - 1:tx.cds_tx_end]
                newp, found = translate_to_stop(cds[c0 * 3:a] + alt_t + mrna[cds_start - 1 + b:])
                refp = prot[c0:]
                if newp == refp:
                    terms.add("stop_retained_variant")
                    ann.hgvs_p, ann.hgvs_p_short = f"p.Ter{len(prot)}=", f"*{len(prot)}="
                    ann.protein_pos = str(len(prot))
                    return
                terms.add("stop_lost")
                k = 0
                while k < min(len(newp), len(refp)) and newp[k] == refp[k]:
                    k += 1
                if k == len(refp) - 1 and k < len(newp):
                    cnt = str(len(newp) - 1 - k) if found else "?"
                    ann.hgvs_p = f"p.Ter{len(prot)}{aa3(newp[k])}extTer{cnt}"
                    ann.hgvs_p_short = f"*{len(prot)}{newp[k]}ext*{cnt}"
                else:
                    ann.hgvs_p, ann.hgvs_p_short = "p.?", "?"
            elif b > ncds - 3 and a < ncds:
                terms.add("stop_lost")
                ann.hgvs_p = ann.hgvs_p or "p.?"
                ann.hgvs_p_short = ann.hgvs_p_short or "?"
            if not {"start_lost", "stop_lost"} & terms:
                terms.add("coding_sequence_variant")
            if (len(alt) - len(ref)) % 3:
                terms.add("frameshift_variant")
            return
        cds = mrna[cds_start - 1:tx.cds_tx_end]
        c0 = a // 3
        # affected codons [c0, c1); an insertion between codons takes the next codon as
        # context so that a stop right after it is seen
        c1 = (b + 2) // 3 if b > a else c0 + 1
        ref_seg = cds[c0 * 3:c1 * 3]
        alt_seg = cds[c0 * 3:a] + alt_t + cds[b:c1 * 3]
        ann.protein_pos = str(c0 + 1) if c1 - c0 <= 1 else f"{c0 + 1}-{c1}"
        delta = len(alt) - len(ref)
        # start codon
        if a < 3 and (b > 0 if ref else 0 < a < 3):
            if ref and len(ref) == len(alt) and b <= 3 and alt_seg[:3] == "ATG" and c0 == 0:
                terms.add("start_retained_variant")
                ann.hgvs_p, ann.hgvs_p_short = "p.Met1=", "M1="
            else:
                terms.add("start_lost")
                ann.hgvs_p, ann.hgvs_p_short = "p.Met1?", "M1?"
                if delta % 3:
                    terms.add("frameshift_variant")
                elif delta:
                    terms.add("inframe_insertion" if delta > 0 else "inframe_deletion")
            ann.codons = _codon_str(ref_seg, alt_seg, a - c0 * 3, b - c0 * 3)
            ann.amino_acids = f"{translate(ref_seg) or '-'}/{translate(alt_seg) or '-'}"
            return
        ann.codons = _codon_str(ref_seg, alt_seg, a - c0 * 3, b - c0 * 3)
        if delta % 3 == 0:
            ref_aa = translate(ref_seg)
            alt_aa = translate(alt_seg)
            ann.amino_acids = ref_aa if ref_aa == alt_aa else f"{ref_aa or '-'}/{alt_aa or '-'}"
            if "*" in ref_aa and "*" not in alt_aa:
                # the stop codon is gone: the protein reads on into the 3' UTR
                terms.add("stop_lost")
                si = ref_aa.index("*")
                ext, found = translate_to_stop(alt_seg + mrna[tx.cds_tx_end:])
                pos = c0 + si + 1
                new = ext[si] if si < len(ext) else "X"
                cnt = str(len(ext) - si - 1) if found else "?"
                ann.hgvs_p = f"p.Ter{pos}{aa3(new)}extTer{cnt}"
                ann.hgvs_p_short = f"*{pos}{new}ext*{cnt}"
                ann.protein_pos = str(pos)
                return
            # peptides end at their first stop: residues after a stop are never made
            ref_pep = ref_aa[:ref_aa.index("*") + 1] if "*" in ref_aa else ref_aa
            alt_pep = alt_aa[:alt_aa.index("*") + 1] if "*" in alt_aa else alt_aa
            if ref_pep == alt_pep:
                j = next((j for j in range(len(ref_seg) // 3)
                          if ref_seg[3 * j:3 * j + 3] != alt_seg[3 * j:3 * j + 3]), 0)
                p = c0 + 1 + j
                aa = ref_aa[j] if j < len(ref_aa) else "*"
                terms.add("stop_retained_variant" if aa == "*" else "synonymous_variant")
                ann.hgvs_p, ann.hgvs_p_short = f"p.{aa3(aa)}{p}=", f"{aa}{p}="
                ann.protein_pos = str(p)
                return
            hp, hs, pp = _protein_change(prot, c0, ref_pep, alt_pep)
            ann.hgvs_p, ann.hgvs_p_short = hp, hs
            if pp:
                ann.protein_pos = pp
            # a premature stop = a stop among the residues that differ after trimming the
            # shared start and end of the two peptides
            k = 0
            while k < min(len(ref_pep), len(alt_pep)) and ref_pep[k] == alt_pep[k]:
                k += 1
            m = 0
            while m < min(len(ref_pep), len(alt_pep)) - k and ref_pep[-1 - m] == alt_pep[-1 - m]:
                m += 1
            stop_gained = "*" in alt_pep[k:len(alt_pep) - m]
            if stop_gained:
                terms.add("stop_gained")
            if delta == 0:
                if not stop_gained:
                    terms.add("missense_variant")
            elif delta > 0:
                terms.add("inframe_insertion")
            else:
                terms.add("inframe_deletion")
            return
        # frameshift
        terms.add("frameshift_variant")
        tail = cds[c0 * 3:a] + alt_t + mrna[cds_start - 1 + b:]
        newp, found = translate_to_stop(tail)
        refp = prot[c0:]
        k = 0
        while k < len(newp) and k < len(refp) and newp[k] == refp[k]:
            k += 1
        if k >= len(refp) or k >= len(newp):
            ann.hgvs_p, ann.hgvs_p_short = "p.?", "?"
            return
        p = c0 + k + 1
        ra, na = refp[k], newp[k]
        ann.protein_pos = str(p)
        ann.amino_acids = f"{ra}/{na}"
        if na == "*":
            ann.hgvs_p, ann.hgvs_p_short = f"p.{aa3(ra)}{p}Ter", f"{ra}{p}*"
        else:
            cnt = str(len(newp) - k) if found else "?"
            ann.hgvs_p = f"p.{aa3(ra)}{p}{aa3(na)}fsTer{cnt}"
            ann.hgvs_p_short = f"{ra}{p}{na}fs*{cnt}"
        if ra == "*":
            terms.add("stop_lost")
        # remember where the new stop sits (transcript position of its first base) for NMD
        if found:
            ann.ptc_tx_pos = cds_start + c0 * 3 + 3 * (len(newp) - 1)

    # ------------------------------------------------------------------ LoF
    def _lof(self, ann: Annotation, tx: Transcript, start: int, ref: str, alt: str,
             donor_hits: list[int], acceptor_hits: list[int]) -> None:
        """LOFTEE-like confidence for stop_gained / frameshift / essential splice (see lof.py)."""
        assess(self, ann, tx, start, ref, alt, donor_hits, acceptor_hits)


def _sample_positions(tx: Transcript, start: int, end: int) -> list[int]:
    """For a long deletion: its ends plus every base within 10 bp of an exon edge inside it.

    Consequence terms depend only on which regions (exon, splice site/region, intron,
    flank) are touched; those regions all lie within 10 bp of an exon edge, or contain
    the deletion's ends, so these positions give the same terms as every base.
    """
    pos = {start, end}
    for s, e in tx.exons:
        for edge in (s, e):
            lo, hi = max(start, edge - 10), min(end, edge + 10)
            pos.update(range(lo, hi + 1))
    return sorted(pos)


def _codon_str(ref_seg: str, alt_seg: str, a: int, b: int) -> str:
    """VEP-style codon change: changed bases upper case, others lower (``cAg/cTg``)."""
    if not ref_seg and not alt_seg:
        return ""
    r = ref_seg[:a].lower() + ref_seg[a:b].upper() + ref_seg[b:].lower()
    k = len(alt_seg) - (len(ref_seg) - b)
    al = alt_seg[:a].lower() + alt_seg[a:k].upper() + alt_seg[k:].lower()
    return f"{r or '-'}/{al or '-'}"
