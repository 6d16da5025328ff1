#!/usr/bin/env bash
# Build one calling-benchmark dataset under /work/bench-data (or $BENCH_DATA) from
# escapeseq-simulate --preset calling, aligned with bwa mem + samtools markdup.
# usage: make_calling_data.sh NAME [THREADS]     NAME = indel-full | indel-low | artifact
# Writes DIR/ref.fa(+.fai,.dict,bwa index) targets.bed N.bam T1.bam T2.bam (+.bai)
# truth.tsv artifacts.tsv README.txt and finally READY.
set -euo pipefail
name=$1; threads=${2:-2}
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
PY=${PY:-$repo/.venv/bin/python}
root=${BENCH_DATA:-/work/bench-data}
d=$root/$name; sim=$d/sim
common=(--preset calling --target-mb 0.3 --mutations-per-mb 2000 --purities 0.9 0.6)
case $name in
  indel-full) args=(--seed 21 "${common[@]}" --tumour-depth 120 --normal-depth 70) ;;
  indel-low)  args=(--seed 21 "${common[@]}" --tumour-depth 40 --normal-depth 30) ;;
  artifact)   args=(--seed 22 --preset calling --target-mb 0.25 --purities 0.8 0.5
                    --indel-lengths exome --tumour-depth 100 --normal-depth 60
                    --oxog 300 --ffpe 300 --paralogs 40 --tumour-in-normal 0.03
                    --duplicates 0.15) ;;
  *) echo "unknown dataset $name" >&2; exit 2 ;;
esac
mkdir -p "$d"; rm -f "$d/READY"
[[ -f $sim/samplesheet.csv ]] || "$PY" "$repo/bin/escapeseq-simulate" "${args[@]}" --outdir "$sim" --threads "$threads"
cp "$sim/reference/genome.fa" "$d/ref.fa"
samtools faidx "$d/ref.fa"
[[ -f $d/ref.dict ]] || samtools dict "$d/ref.fa" -o "$d/ref.dict"
[[ -f $d/ref.fa.bwt ]] || bwa index "$d/ref.fa" 2>/dev/null
cut -f1-3 "$sim/reference/targets.bed" > "$d/targets.bed"
declare -A sm=([C1_N]=N [C1_T1]=T1 [C1_T2]=T2)
for s in C1_N C1_T1 C1_T2; do
  o=${sm[$s]}
  [[ -f $d/$o.bam.bai ]] && continue
  bwa mem -t "$threads" -R "@RG\tID:$o\tSM:$o\tLB:$o\tPL:ILLUMINA" "$d/ref.fa" \
      "$sim/reads/${s}_R1.fastq.gz" "$sim/reads/${s}_R2.fastq.gz" 2>/dev/null \
    | samtools sort -n -@ 1 -m 800M - | samtools fixmate -m - - \
    | samtools sort -@ 1 -m 800M - | samtools markdup -s - "$d/$o.bam" 2> "$d/$o.markdup.txt"
  samtools index "$d/$o.bam"
done
"$PY" "$here/calling_truth.py" --sim "$sim" --out "$d"
cat > "$d/README.txt" <<TXT
Calling benchmark dataset '$name' (issue 13), built by benchmarks/calling/make_calling_data.sh
escapeseq-simulate ${args[*]}
ref.fa (+.fai, .dict, bwa index)  synthetic reference (chr1 chr6 chr9 chr15 chr17 chrX$( [[ $name == artifact ]] && echo ' + paralog decoy chrUn_esqpara'))
targets.bed   capture targets (BED 0-based), the regions to call
N.bam         normal (SM N); T1.bam, T2.bam tumours (SM T1 purity $( [[ $name == artifact ]] && echo 0.8 || echo 0.9), SM T2 purity $( [[ $name == artifact ]] && echo 0.5 || echo 0.6))
              bwa mem 0.7, samtools fixmate -m, sort, markdup (duplicates flagged, kept)
truth.tsv     somatic truth: chrom pos ref alt type sample vaf clone (VCF-style, left-aligned,
              1-based; vaf = expected VAF in that tumour; germline rows have sample 'germline')
artifacts.tsv artifact truth: sample chrom pos ref alt kind orientation vaf note
              (kinds: oxog ffpe paralog pcr_dup_error tumour_in_normal; empty but for the header
              unless artifacts were simulated)
sim/          the escapeseq-simulate output (reads, reference, full truth incl. C1.variants.tsv)
Evaluate:     benchmarks/calling/evaluate_calling.py (see docs/benchmarks-calling.md)
TXT
touch "$d/READY"
echo "$d ready"
