"""Sequence helpers: reverse complement and translation with the standard genetic code.

Sequences are upper-case DNA strings (A, C, G, T, N). Proteins are lists or strings of
one-letter amino-acid codes with ``*`` for a stop codon and ``X`` for an untranslatable
codon (one with N, or an incomplete trailing codon).
"""

from __future__ import annotations

_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")

_BASES = "TCAG"
_AAS = "FFLLSSSSYY**CC*WLLLLPPPPHHQQRRRRIIIMTTTTNNKKSSRRVVVVAAAADDEEGGGG"
#: codon -> one-letter amino acid, the standard code (NCBI translation table 1).
CODON_TABLE: dict[str, str] = {
    a + b + c: _AAS[16 * i + 4 * j + k]
    for i, a in enumerate(_BASES) for j, b in enumerate(_BASES) for k, c in enumerate(_BASES)
}
STOP_CODONS = frozenset(c for c, aa in CODON_TABLE.items() if aa == "*")

#: one-letter -> three-letter amino-acid codes as HGVS writes them (stop = Ter).
THREE_LETTER: dict[str, str] = {
    "A": "Ala", "R": "Arg", "N": "Asn", "D": "Asp", "C": "Cys", "Q": "Gln", "E": "Glu",
    "G": "Gly", "H": "His", "I": "Ile", "L": "Leu", "K": "Lys", "M": "Met", "F": "Phe",
    "P": "Pro", "S": "Ser", "T": "Thr", "W": "Trp", "Y": "Tyr", "V": "Val", "*": "Ter",
    "X": "Xaa", "U": "Sec",
}


def revcomp(seq: str) -> str:
    """Reverse complement of a DNA string (N stays N)."""
    return seq.translate(_COMP)[::-1]


def translate(seq: str) -> str:
    """Translate ``seq`` codon by codon from its first base; a trailing partial codon is dropped.

    Codons containing anything other than A/C/G/T translate to ``X``. Translation does not
    stop at a stop codon (the caller decides where the protein ends).
    """
    get = CODON_TABLE.get
    return "".join(get(seq[i:i + 3], "X") for i in range(0, len(seq) - len(seq) % 3, 3))


def translate_to_stop(seq: str) -> tuple[str, bool]:
    """Translate ``seq`` up to and including the first stop codon.

    Returns ``(protein, found_stop)``; ``protein`` ends with ``*`` when a stop was found.
    """
    get = CODON_TABLE.get
    out = []
    for i in range(0, len(seq) - 2, 3):
        aa = get(seq[i:i + 3], "X")
        out.append(aa)
        if aa == "*":
            return "".join(out), True
    return "".join(out), False


def aa3(aa: str) -> str:
    """Three-letter code(s) for a string of one-letter amino acids (``QK`` -> ``GlnLys``)."""
    return "".join(THREE_LETTER.get(a, "Xaa") for a in aa)
