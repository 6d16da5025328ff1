"""Sequence helpers for the simulator: random DNA, codons, translation, reverse complement.

All functions are pure; randomness comes only from the ``numpy.random.Generator``
passed in by the caller, so a seed fully determines every sequence.
"""

from __future__ import annotations

import numpy as np

BASES = np.array(list("ACGT"))
_COMP = str.maketrans("ACGTNacgtn", "TGCANtgcan")
STOP_CODONS = frozenset({"TAA", "TAG", "TGA"})

_CODE = {
    "TTT": "F", "TTC": "F", "TTA": "L", "TTG": "L", "CTT": "L", "CTC": "L", "CTA": "L", "CTG": "L",
    "ATT": "I", "ATC": "I", "ATA": "I", "ATG": "M", "GTT": "V", "GTC": "V", "GTA": "V", "GTG": "V",
    "TCT": "S", "TCC": "S", "TCA": "S", "TCG": "S", "CCT": "P", "CCC": "P", "CCA": "P", "CCG": "P",
    "ACT": "T", "ACC": "T", "ACA": "T", "ACG": "T", "GCT": "A", "GCC": "A", "GCA": "A", "GCG": "A",
    "TAT": "Y", "TAC": "Y", "TAA": "*", "TAG": "*", "CAT": "H", "CAC": "H", "CAA": "Q", "CAG": "Q",
    "AAT": "N", "AAC": "N", "AAA": "K", "AAG": "K", "GAT": "D", "GAC": "D", "GAA": "E", "GAG": "E",
    "TGT": "C", "TGC": "C", "TGA": "*", "TGG": "W", "CGT": "R", "CGC": "R", "CGA": "R", "CGG": "R",
    "AGT": "S", "AGC": "S", "AGA": "R", "AGG": "R", "GGT": "G", "GGC": "G", "GGA": "G", "GGG": "G",
}


def revcomp(seq: str) -> str:
    """Reverse complement of a DNA string (case preserved, N -> N)."""
    return seq.translate(_COMP)[::-1]


def translate(cds: str) -> str:
    """Translate a CDS (length a multiple of 3) with the standard code; stop -> ``*``."""
    if len(cds) % 3:
        raise ValueError(f"CDS length {len(cds)} is not a multiple of 3")
    return "".join(_CODE.get(cds[i:i + 3].upper(), "X") for i in range(0, len(cds), 3))


def base_probs(gc: float) -> np.ndarray:
    """Probabilities of A, C, G, T for a GC fraction ``gc`` (0-1), strand-symmetric.

    P(C) = P(G) = gc / 2 and P(A) = P(T) = (1 - gc) / 2, so the expected GC content
    of a long random sequence is ``gc``.
    """
    g = float(np.clip(gc, 0.0, 1.0)) / 2.0
    a = 0.5 - g
    return np.array([a, g, g, a])


def random_dna(rng: np.random.Generator, length: int, gc: float) -> str:
    """A random DNA string of ``length`` bases with expected GC fraction ``gc``."""
    if length <= 0:
        return ""
    idx = rng.choice(4, size=length, p=base_probs(gc))
    return "".join(BASES[idx].tolist())


def random_codons(rng: np.random.Generator, n: int, gc: float = 0.5) -> str:
    """``n`` random sense codons (no stop codon), bases drawn with GC fraction ``gc``."""
    out: list[str] = []
    while len(out) < n:
        block = random_dna(rng, 3 * (n - len(out)) + 30, gc)
        for i in range(0, len(block) - 2, 3):
            c = block[i:i + 3]
            if c not in STOP_CODONS:
                out.append(c)
                if len(out) == n:
                    break
    return "".join(out)


def background_dna(rng: np.random.Generator, length: int, mean_gc: float = 0.41,
                   block: int = 20000, sd: float = 0.03) -> str:
    """Intergenic background: ``length`` bases whose GC varies in ``block``-bp blocks.

    Each block's GC fraction is drawn from Normal(mean_gc, sd) clipped to
    [0.30, 0.55], which gives the slow GC variation along a contig that
    GC-bias correction in coverage tools expects.
    """
    parts = []
    done = 0
    while done < length:
        n = min(block, length - done)
        gc = float(np.clip(rng.normal(mean_gc, sd), 0.30, 0.55))
        parts.append(random_dna(rng, n, gc))
        done += n
    return "".join(parts)
