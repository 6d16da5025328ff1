"""Compare escapeseq-annotate's picked transcript with SnpEff on the same transcript.

For every allele, take our pick (INFO TRANSCRIPT / CONSEQUENCE / HGVS_P) and SnpEff's ANN
entry for the same transcript id. SnpEff's terms are mapped to the SO names we use and
the most severe (by our severity order) is compared with ours; HGVS p. is normalised
(``*`` -> ``Ter``, ``p.Leu5Leu`` -> ``p.Leu5=``, frameshifts compared as ``p.Ser14fs``,
extensions as ``p.Ter100Glnext``). Disagreements are grouped into classes.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bin"))
from escapeseq.annotate.terms import LOF_TERMS as LOF, RANK  # noqa: E402

SNPEFF_MAP = {
    "conservative_inframe_deletion": "inframe_deletion",
    "disruptive_inframe_deletion": "inframe_deletion",
    "conservative_inframe_insertion": "inframe_insertion",
    "disruptive_inframe_insertion": "inframe_insertion",
    "intergenic_region": "intergenic_variant",
    "initiator_codon_variant": "start_retained_variant",
    "start_retained": "start_retained_variant",
    "5_prime_UTR_premature_start_codon_gain_variant": "5_prime_UTR_variant",
    "non_coding_transcript_variant": "non_coding_transcript_exon_variant",
    "non_coding_exon_variant": "non_coding_transcript_exon_variant",
    "exon_loss_variant": "exon_loss_variant",
}
EXTRA_RANK = {"exon_loss_variant": RANK["splice_donor_variant"] + 0.5,
              "gene_fusion": -1, "bidirectional_gene_fusion": -1, "feature_ablation": -1}


def rank(term: str) -> float:
    return RANK.get(term, EXTRA_RANK.get(term, 99))


def most_severe(terms: list[str]) -> str:
    mapped = [SNPEFF_MAP.get(t, t) for t in terms]
    return min(mapped, key=rank)


_FS = re.compile(r"^(p\.[A-Z][a-z]{2}\d+)(?:[A-Z][a-z]{2})?fs(?:Ter(?:\d+|\?))?$")
_EXT = re.compile(r"^(p\.Ter\d+[A-Z][a-z]{2})ext.*$")
_SYN = re.compile(r"^p\.([A-Z][a-z]{2})(\d+)([A-Z][a-z]{2})$")


_AA = r"[A-Z][a-z]{2}"
_MNV = re.compile(rf"^p\.((?:{_AA}){{2,}})(\d+)((?:{_AA})+)$")
_DELINS_TER = re.compile(rf"^p\.({_AA})(\d+)(?:_{_AA}\d+)?delinsTer.*$")


def _split3(s: str) -> list[str]:
    return [s[i:i + 3] for i in range(0, len(s), 3)]


def norm_p(p: str) -> str:
    """Normalise notation idioms (not meaning): see the module docstring."""
    p = p.replace("*", "Ter").replace("(", "").replace(")", "")
    m = _MNV.match(p)   # SnpEff multi-residue substitution p.LeuSer373ProThr
    if m:
        ref, pos, alt = _split3(m.group(1)), int(m.group(2)), _split3(m.group(3))
        k = 0
        while k < min(len(ref), len(alt)) and ref[k] == alt[k]:
            k += 1
        ref, alt, pos = ref[k:], alt[k:], pos + k
        while ref and alt and len(ref) > 1 and ref[-1] == alt[-1]:
            ref, alt = ref[:-1], alt[:-1]
        if alt and alt[0] == "Ter":
            return f"p.{ref[0]}{pos}Ter"
        if len(ref) == 1 and len(alt) == 1:
            return f"p.{ref[0]}{pos}{alt[0]}"
        span = f"{ref[0]}{pos}" + (f"_{ref[-1]}{pos + len(ref) - 1}" if len(ref) > 1 else "")
        return f"p.{span}delins{''.join(alt)}"
    m = _DELINS_TER.match(p)  # a deletion-insertion whose first new residue is a stop
    if m:
        return f"p.{m.group(1)}{m.group(2)}Ter"
    m = _FS.match(p)
    if m:
        return m.group(1) + "fs"
    m = _EXT.match(p)
    if m:
        return m.group(1) + "ext"
    m = _SYN.match(p)
    if m and m.group(1) == m.group(3):
        return f"p.{m.group(1)}{m.group(2)}="
    return p


def read_ours(path: Path) -> dict:
    out = {}
    with open(path) as fh:
        head = fh.readline().rstrip("\n").split("\t")
        for line in fh:
            r = dict(zip(head, line.rstrip("\n").split("\t")))
            out[(r["chrom"], r["pos"], r["ref"], r["alt"])] = r
    return out


def read_snpeff(path: Path) -> dict:
    out = {}
    op = gzip.open if str(path).endswith(".gz") else open
    with op(path, "rt") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            f = line.rstrip("\n").split("\t")
            info = dict(kv.split("=", 1) for kv in f[7].split(";") if "=" in kv)
            by_tx: dict[str, list] = {}
            for e in info.get("ANN", "").split(","):
                s = e.split("|")
                if len(s) < 11:
                    continue
                by_tx.setdefault(s[6], []).append(s)
            out[(f[0], f[1], f[3], f[4])] = by_tx
    return out


FAMILIES = {
    "A": "SnpEff marks splice_region at the last bases of a transcript (no intron there)",
    "B": "start codon: HGVS p.Met1? (ours) vs SnpEff p.Met1fs / p.Met1del / delins",
    "C": "indel across an exon-intron boundary: p.? (ours) vs SnpEff translating the exonic part",
    "D": "equivalent indel placements (repeat at a splice site, start/stop codon, UTR edge)",
    "E": "frameshift insertion that carries an in-frame stop: frameshift (ours) vs stop_gained (SnpEff)",
    "F": "HGVS protein notation: 3' rule, dup, stop-truncated insertions, stop-codon extensions",
    "G": "indel next to (not in) the start/stop codon: UTR (ours) vs start/stop_retained (SnpEff)",
    "H": "insertion at the edge of a splice site/region: inside only if both flanks are inside (ours)",
    "I": "deletion reaching past the transcript end/start (exon_loss in SnpEff) or other",
}


def family(o_term: str, s_term: str, o_p: str, s_p: str, ref: str, alt: str) -> str:
    """Disagreement family (keys of FAMILIES)."""
    indel = len(ref) != len(alt)
    ins = len(alt) > len(ref)
    splice = {"splice_donor_variant", "splice_acceptor_variant", "splice_region_variant"}
    if o_term in ("3_prime_UTR_variant", "downstream_gene_variant") and s_term == "splice_region_variant":
        return "A"
    if o_p == "p.Met1?" and (o_term == s_term or s_term in ("frameshift_variant", "exon_loss_variant")):
        return "B"
    if o_term == s_term and o_p == "p.?":
        return "C"
    if o_term == "frameshift_variant" and s_term == "stop_gained":
        return "E"
    if (o_term, s_term) in (("5_prime_UTR_variant", "start_retained_variant"),
                            ("3_prime_UTR_variant", "stop_retained_variant")):
        return "G"
    if o_term == s_term:
        return "F"
    if ins and ((o_term == "splice_region_variant" and s_term in splice)
                or {o_term, s_term} == {"intron_variant", "splice_region_variant"}):
        return "H"
    if "exon_loss_variant" in (o_term, s_term):
        return "I"
    if indel:
        return "D"
    return "I"


def classify(o_term, s_term, o_p, s_p, row) -> str:
    """A short name for a disagreement (grouping key)."""
    if o_term != s_term:
        return f"consequence: ours {o_term} / SnpEff {s_term}"
    return f"HGVS p. ({o_term}): " + _p_class(o_p, s_p)


def _p_class(o, s):
    if not o or not s:
        return "one tool gives no p."
    if "del" in o and "del" in s:
        return "deletion described differently"
    if "ins" in o or "dup" in o or "ins" in s or "dup" in s:
        return "insertion/duplication described differently"
    if o.endswith("fs") and s.endswith("fs"):
        return "frameshift: different first changed residue"
    return "other"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--ours", type=Path, required=True, help="escapeseq-annotate --tsv output")
    ap.add_argument("--snpeff", type=Path, required=True, help="SnpEff-annotated VCF")
    ap.add_argument("--json", type=Path, required=True, help="summary + classes + examples (JSON)")
    ap.add_argument("--examples", type=int, default=5)
    a = ap.parse_args(argv)
    ours, snp = read_ours(a.ours), read_snpeff(a.snpeff)
    n = agree_c = agree_p = agree_both = 0
    classes: Counter = Counter()
    families: Counter = Counter()
    examples: dict[str, list] = defaultdict(list)
    lof_n = lof_ok = 0
    per_term: Counter = Counter()
    per_term_ok: Counter = Counter()
    for key, r in ours.items():
        by_tx = snp.get(key)
        if by_tx is None:
            continue
        tid = r["transcript"]
        if tid:
            ents = by_tx.get(tid)
            if not ents:
                s_term, s_p, s_c = "(no SnpEff entry for transcript)", "", ""
            else:
                terms = [t for e in ents for t in e[1].split("&")]
                s_term = most_severe(terms)
                s_p, s_c = ents[0][10], ents[0][9]
        else:
            terms = [t for ents in by_tx.values() for e in ents for t in e[1].split("&")]
            s_term, s_p, s_c = (most_severe(terms) if terms else "intergenic_variant"), "", ""
        o_term = r["consequence"]
        o_p, sp = norm_p(r["hgvs_p"]), norm_p(s_p)
        if o_term == "frameshift_variant" and o_p.endswith("Ter") and sp.endswith("fs"):
            # HGVS writes a frameshift whose first new residue is a stop as p.Xaa#Ter;
            # SnpEff writes p.Xaa#fs: same change, same first residue
            o_p = o_p[:-3] + "fs"
        n += 1
        per_term[o_term] += 1
        c_ok = o_term == s_term
        p_ok = o_p == sp
        if o_term in LOF or s_term in LOF:
            lof_n += 1
            lof_ok += (o_term in LOF) == (s_term in LOF)
        agree_c += c_ok
        agree_p += p_ok
        if c_ok and p_ok:
            agree_both += 1
            per_term_ok[o_term] += 1
        else:
            cls = classify(o_term, s_term, o_p, sp, r)
            classes[cls] += 1
            families[family(o_term, s_term, o_p, sp, r["ref"], r["alt"])] += 1
            if len(examples[cls]) < a.examples:
                examples[cls].append({"variant": ":".join(key), "transcript": tid,
                                      "ours": [r["consequences"], r["hgvs_c"], r["hgvs_p"]],
                                      "snpeff": [s_term, s_c, s_p]})
    summary = {"lof_either": lof_n, "lof_both_call_lof": lof_ok,
               "pct_lof_agree": round(100 * lof_ok / max(lof_n, 1), 3),
               "compared": n, "consequence_agree": agree_c, "hgvs_p_agree": agree_p,
               "both_agree": agree_both, "pct_both": round(100 * agree_both / max(n, 1), 3),
               "pct_consequence": round(100 * agree_c / max(n, 1), 3),
               "pct_hgvs_p": round(100 * agree_p / max(n, 1), 3),
               "per_consequence": {t: [per_term[t], per_term_ok[t]] for t in sorted(per_term, key=rank)},
               "classes": dict(classes.most_common()),
               "families": {f"{k}: {FAMILIES[k]}": families[k] for k in sorted(families)},
               "examples": examples}
    a.json.write_text(json.dumps(summary, indent=1))
    print(json.dumps({k: v for k, v in summary.items() if k not in ("examples",)}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
