#!/usr/bin/env bash
# Small inputs for the nf-test module and subworkflow tests (tests/data/tiny/, committed):
# chr1:1-60000 of the bundled test genome (JAK1), patient P1's reads there, and P1's
# intermediate tables from a finished `-profile test` run.
# Usage: tests/data/make_tiny.sh <results dir of `nextflow run . -profile test`>
# Needs samtools; .testdata/ (make testdata). Coordinates are unchanged: the window starts at 1.
set -euo pipefail
res="$(cd "$1" && pwd)"
cd "$(dirname "$0")/../.."
src=.testdata/reference
out=tests/data/tiny
L=60000
rm -rf "$out" && mkdir -p "$out"/{reference,reads,bam,cram,cnv,somatic,evolution}
samtools faidx "$src/genome.fa" "chr1:1-$L" | sed "1s/.*/>chr1/" > "$out/reference/genome.fa"
samtools faidx "$out/reference/genome.fa"
awk -v L=$L '$1 == "chr1" && $5 <= L' "$src/genes.gtf" > "$out/reference/genes.gtf"
awk -v L=$L '$1 == "chr1" && $3 <= L' "$src/targets.bed" > "$out/reference/targets.bed"
printf 'chr1\t0\t30000\tchr1p\nchr1\t30000\t%d\tchr1q\n' $L > "$out/reference/arms.bed"
for s in P1_N P1_B P1_R; do
    # properly paired reads with both mates inside the window, on a one-contig header
    samtools view -h -f 2 "$res/P1/alignment/$s.bam" "chr1:1-$L" \
        | awk -v L=$L 'BEGIN{OFS="\t"} /^@SQ/ { if ($2 == "SN:chr1") print "@SQ", "SN:chr1", "LN:" L; next }
                        /^@/ { print; next }
                        ($7 == "=" && $4 + 200 < L && $8 + 200 < L) { print }' \
        | samtools view -b --no-PG -o "$out/bam/$s.bam" -
    samtools index "$out/bam/$s.bam"
done
# the relapse as CRAM against the tiny reference (modules' CRAM tests: same reads as the BAM)
samtools view --no-PG -O cram,store_md=1,store_nm=1 -T "$out/reference/genome.fa" -o "$out/cram/P1_R.cram" "$out/bam/P1_R.bam"
samtools index "$out/cram/P1_R.cram"
# FASTQ of the normal's reads (pairs complete after the filter above)
samtools collate -u -O "$out/bam/P1_N.bam" | samtools fastq -n -1 "$out/reads/P1_N_R1.fastq.gz" \
    -2 "$out/reads/P1_N_R2.fastq.gz" -0 /dev/null -s /dev/null - 2>/dev/null
cp "$res"/P1/cnv/counts/P1_{N,B,R}.counts.tsv.gz "$out/cnv/"
# the normal's SNPs inside the window (a pileup with the tiny reference reads only these)
awk -F '\t' -v L=$L 'NR == 1 || ($1 == "chr1" && $2 <= L - 1000)' "$res/P1/cnv/counts/P1_N.snps.tsv" > "$out/cnv/P1_N.snps.tsv"
cp "$res"/P1/cnv/P1_{B,R}.{purity,segments}.tsv "$res"/P1/cnv/P1.identity.tsv "$out/cnv/"
cp "$res"/P1/somatic/P1.somatic.vcf.gz* "$out/somatic/"
cp "$res"/P1/annotation/P1.annotation.tsv "$out/somatic/"
cp "$res"/P1/evolution/P1.{mutations,candidates,summary,loh_changes}.tsv "$out/evolution/"
cat > "$out/samplesheet.valid.csv" <<CSV
patient,sample,timepoint,order,status,lane,fastq_1,fastq_2,bam,purity,sex
P1,P1_N,normal,0,normal,,,,bam/P1_N.bam,,unknown
P1,P1_B,baseline,1,tumour,,,,bam/P1_B.bam,,unknown
P1,P1_R,relapse,2,tumour,,,,bam/P1_R.bam,,unknown
CSV
du -sh "$out"
