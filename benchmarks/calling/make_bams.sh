#!/usr/bin/env bash
# Simulate reads (ART HS25, 2x150, fragment 250+-30) for every component listed in
# DIR/components.tsv, align with bwa mem (RG SM = sample), fixmate/sort/markdup/index.
# usage: make_bams.sh DIR THREADS
set -euo pipefail
dir=$1; threads=${2:-2}
cd "$dir"
[[ -f ref.fa.bwt ]] || { bwa index ref.fa 2>/dev/null; samtools faidx ref.fa; }
i=0
while read -r sample fa cov; do
  i=$((i+1))
  [[ -f reads_${i}_done ]] && continue
  art_illumina -ss HS25 -i "$fa" -p -l 150 -f "$cov" -m 250 -s 30 -rs $((1000+i)) -na \
    -d "c${i}_" -o "reads_${sample}_${i}_" >/dev/null
  touch reads_${i}_done
done < components.tsv
for s in $(cut -f1 components.tsv | sort -u); do
  [[ -f $s.bam.bai ]] && continue
  cat reads_${s}_*_1.fq > $s.R1.fq; cat reads_${s}_*_2.fq > $s.R2.fq
  bwa mem -t "$threads" -R "@RG\tID:$s\tSM:$s\tLB:$s\tPL:ILLUMINA" ref.fa $s.R1.fq $s.R2.fq 2>/dev/null \
    | samtools sort -n -@ 1 -m 1G -o - - | samtools fixmate -m - - \
    | samtools sort -@ 1 -m 1G -o - - | samtools markdup - $s.bam
  samtools index $s.bam
  rm -f $s.R1.fq $s.R2.fq
done
