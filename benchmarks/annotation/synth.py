"""Synthetic genome + GENCODE-style GTF + randomised edge-case-enriched VCF for the benchmark.

Genes are built in transcript orientation (ATG ... stop, GT-AG introns, UTRs), then
placed on either strand; about a third get a second isoform skipping one internal exon
(kept in frame). Half the genes tag their first isoform ``Ensembl_canonical``.
Variants are enriched at exon edges, splice sites, start and stop codons, on both
strands, as SNVs, MNVs, deletions and insertions. Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

BASES = np.array(list("ACGT"))
STOPS = {"TAA", "TAG", "TGA"}
COMP = str.maketrans("ACGT", "TGCA")


def rc(s: str) -> str:
    return s.translate(COMP)[::-1]


def rand_seq(rng: np.random.Generator, n: int) -> str:
    return "".join(BASES[rng.integers(0, 4, n)])


def rand_codons(rng: np.random.Generator, n: int) -> str:
    out = []
    while len(out) < n:
        c = rand_seq(rng, 3)
        if c not in STOPS:
            out.append(c)
    return "".join(out)


def translate_has_stop(s: str) -> bool:
    return any(s[i:i + 3] in STOPS for i in range(0, len(s) - 2, 3))


def make_gene(rng, gi: int):
    """One gene in transcript orientation: exon sequences, intron sequences, cds offsets."""
    n_ex = int(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12], p=[.06, .1, .14, .14, .14, .14, .12, .1, .06]))
    utr5 = int(rng.integers(0, 150))
    utr3 = int(rng.integers(0, 400))
    n_codons = int(rng.integers(60, 700))
    cds = "ATG" + rand_codons(rng, n_codons - 2) + str(rng.choice(sorted(STOPS)))
    mrna = rand_seq(rng, utr5) + cds + rand_seq(rng, utr3)
    # cut mRNA into exons
    L = len(mrna)
    if n_ex > 1:
        cuts = np.sort(rng.choice(np.arange(40, L - 40), size=n_ex - 1, replace=False))
        cuts = [int(c) for c in cuts]
        # enforce minimum exon size 25
        ok = all(b - a >= 25 for a, b in zip([0] + cuts, cuts + [L]))
        if not ok:
            return make_gene(rng, gi)
    else:
        cuts = []
    bounds = list(zip([0] + cuts, cuts + [L]))
    exons = [mrna[a:b] for a, b in bounds]
    introns = []
    for _ in range(n_ex - 1):
        n = int(rng.integers(60, 2500))
        donor = "GC" if rng.random() < 0.03 else "GT"
        body = rand_seq(rng, n - 4)
        introns.append(donor + body + "AG")
    return {"exons": exons, "introns": introns, "cds_start": utr5, "cds_end": utr5 + len(cds)}


def build(outdir: Path, seed: int, n_contigs: int, contig_len: int, genes_per_contig: int):
    rng = np.random.default_rng(seed)
    outdir.mkdir(parents=True, exist_ok=True)
    fa_lines, gtf = [], []
    for ci in range(n_contigs):
        chrom = f"chr{ci + 1}"
        seq = list(rand_seq(rng, contig_len))
        pos = 2000
        gi = 0
        while gi < genes_per_contig:
            g = make_gene(rng, gi)
            span = sum(map(len, g["exons"])) + sum(map(len, g["introns"]))
            if pos + span + 12000 > contig_len:
                break
            strand = "+" if rng.random() < 0.5 else "-"
            tx_seq = "".join(e + (g["introns"][i] if i < len(g["introns"]) else "")
                             for i, e in enumerate(g["exons"]))
            gseq = tx_seq if strand == "+" else rc(tx_seq)
            start = pos + 1
            seq[pos:pos + span] = list(gseq)
            # exon genomic coordinates in transcript order
            ex_coords, off = [], 0
            for i, e in enumerate(g["exons"]):
                a, b = off, off + len(e) - 1
                if strand == "+":
                    ex_coords.append((start + a, start + b))
                else:
                    ex_coords.append((start + span - 1 - b, start + span - 1 - a))
                off += len(e) + (len(g["introns"][i]) if i < len(g["introns"]) else 0)
            gid = f"ENSG{ci + 1:02d}{gi:05d}"
            name = f"G{ci + 1}_{gi}"
            isoforms = [(f"ENST{ci + 1:02d}{gi:05d}1", list(range(len(ex_coords))))]
            # second isoform: skip one internal exon of length % 3 == 0 inside the CDS
            if len(ex_coords) >= 4 and rng.random() < 0.35:
                mrna_starts = np.cumsum([0] + [len(e) for e in g["exons"]])
                cands = [i for i in range(1, len(ex_coords) - 1)
                         if len(g["exons"][i]) % 3 == 0
                         and mrna_starts[i] > g["cds_start"] + 3 and mrna_starts[i + 1] < g["cds_end"] - 3]
                if cands:
                    skip = int(rng.choice(cands))
                    mr = "".join(e for i, e in enumerate(g["exons"]) if i != skip)
                    cds2 = mr[g["cds_start"]:g["cds_end"] - len(g["exons"][skip])]
                    if not translate_has_stop(cds2[:-3]):
                        isoforms.append((f"ENST{ci + 1:02d}{gi:05d}2",
                                         [i for i in range(len(ex_coords)) if i != skip]))
            tag_canonical = rng.random() < 0.5
            gtf.append(_gtf(chrom, "gene", min(min(e) for e in ex_coords), max(max(e) for e in ex_coords),
                            strand, ".", f'gene_id "{gid}"; gene_type "protein_coding"; gene_name "{name}";'))
            for k, (tid, keep) in enumerate(isoforms):
                exs = [ex_coords[i] for i in keep]
                lens = [len(g["exons"][i]) for i in keep]
                skipped = sum(len(g["exons"][i]) for i in range(len(ex_coords)) if i not in keep)
                cds_s, cds_e = g["cds_start"], g["cds_end"] - skipped   # mRNA offsets [s, e)
                tags = ' tag "Ensembl_canonical";' if (k == 0 and tag_canonical) else ""
                attrs = (f'gene_id "{gid}"; transcript_id "{tid}"; gene_type "protein_coding"; '
                         f'gene_name "{name}"; transcript_type "protein_coding";{tags}')
                gtf.append(_gtf(chrom, "transcript", min(min(e) for e in exs), max(max(e) for e in exs),
                                strand, ".", attrs))
                off = 0
                cds_feats, stop_feats, start_feats = [], [], []
                for n, ((a, b), ln) in enumerate(zip(exs, lens)):
                    gtf.append(_gtf(chrom, "exon", a, b, strand, ".", attrs + f' exon_number "{n + 1}";'))
                    # mRNA interval of this exon: [off, off+ln)
                    for (s, e, kind) in ((cds_s, cds_e - 3, "CDS"), (cds_e - 3, cds_e, "stop_codon"),
                                         (cds_s, cds_s + 3, "start_codon")):
                        lo, hi = max(s, off), min(e, off + ln)
                        if lo < hi:
                            if strand == "+":
                                ga, gb = a + (lo - off), a + (hi - off) - 1
                            else:
                                ga, gb = b - (hi - off) + 1, b - (lo - off)
                            phase = (3 - (lo - s) % 3) % 3
                            (cds_feats if kind == "CDS" else stop_feats if kind == "stop_codon"
                             else start_feats).append((ga, gb, phase, n))
                    off += ln
                for kind, feats in (("CDS", cds_feats), ("start_codon", start_feats),
                                    ("stop_codon", stop_feats)):
                    for ga, gb, phase, n in feats:
                        gtf.append(_gtf(chrom, kind, ga, gb, strand, str(phase),
                                        attrs + f' exon_number "{n + 1}";'))
            pos += span + int(rng.integers(3000, 15000))
            gi += 1
        fa_lines.append(f">{chrom}\n")
        s = "".join(seq)
        fa_lines.extend(s[i:i + 60] + "\n" for i in range(0, len(s), 60))
    (outdir / "genome.fa").write_text("".join(fa_lines))
    (outdir / "genes.gtf").write_text("".join(gtf))


def _gtf(chrom, feat, a, b, strand, phase, attrs):
    return f"{chrom}\tsynth\t{feat}\t{a}\t{b}\t.\t{strand}\t{phase}\t{attrs}\n"


def make_variants(fasta: Path, gtf: Path, out: Path, n: int, seed: int, profile: str = "edges") -> int:
    """Random variants: ``edges`` = enriched at exon edges, splice sites, start/stop codons
    (about 45 % indels); ``exome`` = uniform over exons +/- 10 bp, 90 % SNVs (an exome
    call set's mix)."""
    import pysam

    rng = np.random.default_rng(seed)
    fa = pysam.FastaFile(str(fasta))
    txs: dict[str, dict] = {}
    for line in gtf.read_text().splitlines():
        f = line.split("\t")
        if f[2] not in ("exon", "start_codon", "stop_codon"):
            continue
        tid = f[8].split('transcript_id "')[1].split('"')[0]
        t = txs.setdefault(tid, {"chrom": f[0], "strand": f[6], "exons": [], "codons": []})
        (t["exons"] if f[2] == "exon" else t["codons"]).append((int(f[3]), int(f[4])))
    tlist = sorted(txs.values(), key=lambda t: (t["chrom"], t["exons"][0][0]))
    lengths = dict(zip(fa.references, fa.lengths))
    seen = set()
    recs = []
    kinds = ["cds", "edge", "splice", "codon", "utr_intron", "flank", "anywhere"]
    probs = [0.28, 0.22, 0.14, 0.12, 0.12, 0.06, 0.06]
    p_snv, p_mnv, p_del = (0.55, 0.6, 0.8) if profile == "edges" else (0.90, 0.91, 0.96)
    while len(recs) < n:
        t = tlist[int(rng.integers(len(tlist)))]
        k = rng.choice(kinds, p=probs) if profile == "edges" else "exome"
        ex = t["exons"][int(rng.integers(len(t["exons"])))]
        if k == "exome":
            p = int(rng.integers(ex[0] - 10, ex[1] + 11))
        elif k == "cds" or k == "utr_intron":
            lo = min(e[0] for e in t["exons"]) if k == "utr_intron" else ex[0]
            hi = max(e[1] for e in t["exons"]) if k == "utr_intron" else ex[1]
            p = int(rng.integers(lo, hi + 1))
        elif k == "edge":
            p = int(rng.choice([ex[0], ex[1]])) + int(rng.integers(-4, 5))
        elif k == "splice":
            p = int(rng.choice([ex[0], ex[1]])) + int(rng.choice([-10, -8, -3, -2, -1, 1, 2, 3, 8, 10]))
        elif k == "codon" and t["codons"]:
            c = t["codons"][int(rng.integers(len(t["codons"])))]
            p = int(rng.integers(c[0] - 4, c[1] + 5))
        elif k == "flank":
            lo = min(e[0] for e in t["exons"]) - 6000
            hi = max(e[1] for e in t["exons"]) + 6000
            p = int(rng.integers(lo, hi + 1))
        else:
            p = int(rng.integers(1, lengths[t["chrom"]] - 20))
        chrom = t["chrom"]
        if p < 2 or p > lengths[chrom] - 20:
            continue
        r = rng.random()
        base = fa.fetch(chrom, p - 1, p + 12).upper()
        if r < p_snv:
            ref = base[0]
            alt = "ACGT"[(("ACGT".index(ref)) + int(rng.integers(1, 4))) % 4]
        elif r < p_mnv:
            ln = int(rng.integers(2, 4))
            ref = base[:ln]
            alt = "".join("ACGT"[("ACGT".index(b) + int(rng.integers(1, 4))) % 4] for b in ref)
        elif r < p_del:
            ln = int(rng.choice([1, 1, 2, 3, 4, 5, 6]))
            ref = base[:ln + 1]
            alt = base[0]
        else:
            ln = int(rng.choice([1, 1, 2, 3, 4, 5, 6]))
            ins = rand_seq(rng, ln) if rng.random() < 0.7 else base[1:ln + 1]
            ref = base[0]
            alt = base[0] + ins
        key = (chrom, p, ref, alt)
        if key in seen:
            continue
        seen.add(key)
        recs.append(key)
    recs.sort(key=lambda r: (int(r[0][3:]), r[1], r[2], r[3]))
    with open(out, "w") as fh:
        fh.write("##fileformat=VCFv4.2\n")
        for c in fa.references:
            fh.write(f"##contig=<ID={c},length={lengths[c]}>\n")
        fh.write("#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n")
        for i, (c, p, r, a) in enumerate(recs):
            fh.write(f"{c}\t{p}\tv{i}\t{r}\t{a}\t.\tPASS\t.\n")
    return len(recs)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--outdir", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--contigs", type=int, default=3)
    ap.add_argument("--contig-length", type=int, default=3_000_000)
    ap.add_argument("--genes-per-contig", type=int, default=200)
    ap.add_argument("--variants", type=int, default=60000)
    ap.add_argument("--exome-variants", type=int, default=60000,
                    help="size of the second, exome-like set (exome.vcf); 0 = skip")
    a = ap.parse_args(argv)
    build(a.outdir, a.seed, a.contigs, a.contig_length, a.genes_per_contig)
    import pysam
    pysam.faidx(str(a.outdir / "genome.fa"))
    n = make_variants(a.outdir / "genome.fa", a.outdir / "genes.gtf", a.outdir / "variants.vcf",
                      a.variants, a.seed + 1)
    m = 0
    if a.exome_variants:
        m = make_variants(a.outdir / "genome.fa", a.outdir / "genes.gtf", a.outdir / "exome.vcf",
                          a.exome_variants, a.seed + 2, profile="exome")
    print(f"wrote {a.outdir}/genome.fa genes.gtf variants.vcf ({n} variants) exome.vcf ({m})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
