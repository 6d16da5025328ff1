"""The SnpEff comparison's notation normalisation and disagreement families (benchmarks/annotation)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "annotation" / "compare.py"
_spec = importlib.util.spec_from_file_location("escapeseq_bench_annotation_compare", _PATH)
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)
family, most_severe, norm_p = _mod.family, _mod.most_severe, _mod.norm_p


def test_norm_p_notation_only():
    assert norm_p("p.Gln503*") == norm_p("p.Gln503Ter") == "p.Gln503Ter"
    assert norm_p("p.Leu5Leu") == "p.Leu5="
    assert norm_p("p.Ser14fs") == norm_p("p.Ser14AlafsTer31") == norm_p("p.Ser14Alafs*31") == "p.Ser14fs"
    assert norm_p("p.Ter100Glnext*?") == norm_p("p.Ter100GlnextTer12") == "p.Ter100Glnext"
    # SnpEff's multi-residue substitution is a delins; a leading stop is a nonsense change
    assert norm_p("p.LeuSer373ProThr") == "p.Leu373_Ser374delinsProThr"
    assert norm_p("p.CysMet26*") == "p.Cys26Ter"
    assert norm_p("p.Leu96_Arg97delinsTer") == "p.Leu96Ter"
    # meaning differences are kept
    assert norm_p("p.Met1?") != norm_p("p.Met1fs")
    assert norm_p("p.Glu4_Lys5del") != norm_p("p.Lys3_Glu4del")


def test_most_severe_maps_snpeff_terms():
    assert most_severe(["splice_region_variant", "intron_variant"]) == "splice_region_variant"
    assert most_severe(["disruptive_inframe_deletion", "splice_region_variant"]) == "inframe_deletion"
    assert most_severe(["intergenic_region"]) == "intergenic_variant"


def test_families():
    assert family("3_prime_UTR_variant", "splice_region_variant", "", "", "A", "T") == "A"
    assert family("start_lost", "start_lost", "p.Met1?", "p.Met1del", "ATGC", "A") == "B"
    assert family("splice_donor_variant", "splice_donor_variant", "p.?", "p.Val188fs", "CATCGG", "C") == "C"
    assert family("frameshift_variant", "stop_gained", "p.Val3fs", "p.Val3fs", "G", "GTA") == "E"
    assert family("splice_region_variant", "splice_acceptor_variant", "", "", "G", "GGTG") == "H"
    assert family("frameshift_variant", "splice_acceptor_variant", "", "", "CAGACG", "C") == "D"
