"""Sequence Ontology consequence terms: severity order and impact class.

The order is Ensembl VEP's (most severe first), which is also how a variant's terms are
joined with ``&`` in the CSQ field and how the most severe term is chosen.
"""

from __future__ import annotations

SEVERITY: tuple[str, ...] = (
    "transcript_ablation",
    "splice_acceptor_variant",
    "splice_donor_variant",
    "stop_gained",
    "frameshift_variant",
    "stop_lost",
    "start_lost",
    "inframe_insertion",
    "inframe_deletion",
    "missense_variant",
    "protein_altering_variant",
    "splice_region_variant",
    "start_retained_variant",
    "stop_retained_variant",
    "synonymous_variant",
    "coding_sequence_variant",
    "5_prime_UTR_variant",
    "3_prime_UTR_variant",
    "non_coding_transcript_exon_variant",
    "intron_variant",
    "upstream_gene_variant",
    "downstream_gene_variant",
    "intergenic_variant",
)
RANK: dict[str, int] = {t: i for i, t in enumerate(SEVERITY)}

_HIGH = {"transcript_ablation", "splice_acceptor_variant", "splice_donor_variant",
         "stop_gained", "frameshift_variant", "stop_lost", "start_lost"}
_MODERATE = {"inframe_insertion", "inframe_deletion", "missense_variant", "protein_altering_variant"}
_LOW = {"splice_region_variant", "start_retained_variant", "stop_retained_variant",
        "synonymous_variant"}

#: consequences that can make a loss-of-function allele (LOFTEE's set).
LOF_TERMS = frozenset({"stop_gained", "frameshift_variant", "splice_donor_variant",
                       "splice_acceptor_variant"})
#: consequences that change the protein sequence ("nonsynonymous").
PROTEIN_CHANGING = frozenset(_HIGH | _MODERATE)


def sort_terms(terms) -> list[str]:
    """Unique terms, most severe first."""
    return sorted(set(terms), key=RANK.__getitem__)


def impact(term: str) -> str:
    """VEP-style impact class of one term: HIGH, MODERATE, LOW or MODIFIER."""
    if term in _HIGH:
        return "HIGH"
    if term in _MODERATE:
        return "MODERATE"
    if term in _LOW:
        return "LOW"
    return "MODIFIER"
