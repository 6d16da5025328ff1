"""RNA hooks of the report and the candidates' explanations (issue 16): nothing changes
without RNA evidence; with it, RNA sentences, per-candidate panels and the expression panel."""

from __future__ import annotations

import pandas as pd
import pytest

from escapeseq.evolution.rank import add_rna_explanations
from escapeseq.report import html as render
from escapeseq.report import rna
from escapeseq.rna.table import COLUMNS

PNG = b"\x89PNG\r\n\x1a\n"


def evidence() -> pd.DataFrame:
    base = {c: "" for c in COLUMNS}
    rows = []
    for tp, j, r, dv, rv, alt, ref in (("baseline", "52", "0", "0.0", "0.0", "0", "0"),
                                       ("relapse", "6", "41", "0.75", "1.0", "40", "0")):
        rows.append({**base, "patient": "P2", "kind": "candidate", "gene": "JAK2", "chrom": "chr9",
                     "pos": "170252", "ref": "G", "alt": "T", "sample": f"P2_{tp[0].upper()}",
                     "timepoint": tp, "dna_vaf": dv, "rna_vaf": rv, "rna_alt_reads": alt,
                     "rna_ref_reads": ref, "intron": "12", "junction_reads": j, "retention_reads": r,
                     "new_junction_reads": "0",
                     "explanation": "RNA: intron 12 retained in 41 of 47 relapse reads, 0 of 52 at baseline."})
    for g, b, t, call in (("HLA-A", "1000", "300", "lost"), ("B2M", "2000", "2100", "unchanged")):
        rows.append({**base, "kind": "expression", "gene": g, "timepoint": "baseline", "gene_tpm": b,
                     "gene_count": b})
        rows.append({**base, "kind": "expression", "gene": g, "timepoint": "relapse", "gene_tpm": t,
                     "gene_count": t, "fold_change": str(round((float(t) + 1) / (float(b) + 1), 3)),
                     "expression_p": "0.0", "expression_change": call})
    return pd.DataFrame(rows, columns=COLUMNS)


def cands() -> pd.DataFrame:
    return pd.DataFrame({"rank": ["1", "2"], "gene": ["JAK2", "B2M"], "chrom": ["chr9", "chr15"],
                         "pos": ["170252", "569415"], "ref": ["G", "GTCCA"], "alt": ["T", "G"],
                         "explanation": ["JAK2 splice donor [high confidence].", "B2M fs."]})


def test_explanations_unchanged_without_rna():
    c = cands()
    assert add_rna_explanations(c, None) is c


def test_explanations_get_rna_sentence():
    out = add_rna_explanations(cands(), evidence())
    assert out["explanation"].iloc[0] == ("JAK2 splice donor [high confidence]. RNA: intron 12 "
                                          "retained in 41 of 47 relapse reads, 0 of 52 at baseline.")
    assert out["explanation"].iloc[1] == "B2M fs."


def test_rna_figures_and_section(tmp_path):
    df = evidence()
    p = tmp_path / "P2.rna_evidence.tsv"
    df.to_csv(p, sep="\t", index=False)
    back = rna.read_rna_evidence(p)
    panels, expr = rna.rna_figures(back)
    assert len(panels) == 1 and panels[0][0].startswith("JAK2 chr9:170252")
    assert panels[0][1].startswith(PNG) and expr.startswith(PNG)
    html = render.rna_section(panels, expr, back)
    assert '<section id="rna">' in html and "HLA-A" in html and "lost" in html


def test_read_rna_evidence_errors(tmp_path):
    from escapeseq.errors import InputError
    with pytest.raises(InputError, match="not found"):
        rna.read_rna_evidence(tmp_path / "none.tsv")
    bad = tmp_path / "bad.tsv"
    bad.write_text("kind\tgene\ncandidate\tJAK2\n")
    with pytest.raises(InputError, match="missing column"):
        rna.read_rna_evidence(bad)


def test_report_nav_only_with_rna():
    d = render.ReportData(patient="P", samples=pd.DataFrame(columns=["sample", "timepoint", "purity",
                                                                     "ploidy", "purity_source"]),
                          summary={}, candidates=pd.DataFrame(), mutations=pd.DataFrame(columns=["chrom"]),
                          tumours=["P_B", "P_R"], timepoints=["baseline", "relapse"])
    plain = render.render_report(d)
    assert 'href="#rna"' not in plain and 'id="rna"' not in plain
    d.rna_html = '<section id="rna"><h2>RNA evidence</h2></section>\n'
    with_rna = render.render_report(d)
    assert 'href="#rna"' in with_rna and 'id="rna"' in with_rna
    assert with_rna.replace('<a href="#rna">RNA</a>', "").replace(d.rna_html, "") == plain
