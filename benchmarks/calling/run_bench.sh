#!/usr/bin/env bash
# Benchmark escapeseq-call against bcftools (and Mutect2 when its jars are available).
# usage: run_bench.sh DATA_DIR OUT_DIR [GATK_LIB_DIR]
#   DATA_DIR: ref.fa, targets.bed, truth.tsv, N.bam, T1.bam, T2.bam, T3.bam (make_bams.sh)
#   GATK_LIB_DIR: directory of the GATK jar and its dependency jars (mvn copy-dependencies)
set -euo pipefail
d=$(cd "$1" && pwd); mkdir -p "$2"; o=$(cd "$2" && pwd); gatk_lib=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
PY=${PY:-$here/../../.venv/bin/python}
CALL="$PY $here/../../bin/escapeseq-call"
T="N T1 T2 T3"
bams=$(for s in $T; do echo -n "$d/$s.bam "; done)
tumours=$(for s in T1 T2 T3; do echo -n "--tumour $d/$s.bam "; done)

# 1. speed, same run, same BAMs and regions: our caller (one task) then bcftools mpileup
/usr/bin/time -v -o "$o/ours.time" $CALL call --fasta "$d/ref.fa" --normal "$d/N.bam" $tumours \
    --regions "$d/targets.bed" --out "$o/ours.vcf.gz"
/usr/bin/time -v -o "$o/mpileup.time" bcftools mpileup -f "$d/ref.fa" -R "$d/targets.bed" \
    -a AD,DP -Ou -o "$o/mpileup.bcf" $bams 2>/dev/null

# 2. peer: bcftools mpileup (above) | bcftools call -mv (tumour-only genotypes count as somatic)
bcftools call -mv -Ou "$o/mpileup.bcf" 2>/dev/null | bcftools norm -m -any -f "$d/ref.fa" -Oz -o "$o/bcftools.vcf.gz" 2>/dev/null
rm -f "$o/mpileup.bcf"
tabix -f -p vcf "$o/bcftools.vcf.gz"

# 3. scatter/gather: 8 chunks must give the same bytes as 1
rm -rf "$o/chunks"; $CALL split --targets "$d/targets.bed" --fasta-fai "$d/ref.fa.fai" --count 8 --outdir "$o/chunks"
for b in "$o"/chunks/chunk_*.bed; do
  $CALL call --fasta "$d/ref.fa" --normal "$d/N.bam" $tumours --regions "$b" --out "${b%.bed}.vcf.gz"
done
$CALL gather --out "$o/gather8.vcf.gz" "$o"/chunks/chunk_*.vcf.gz
$CALL gather --out "$o/gather1.vcf.gz" "$o/ours.vcf.gz"
if cmp -s "$o/gather1.vcf.gz" "$o/gather8.vcf.gz"; then echo "scatter 1 vs 8: identical" > "$o/scatter.txt"
else echo "scatter 1 vs 8: DIFFERENT" > "$o/scatter.txt"; fi

# 4. validation of our VCF
bcftools view "$o/ours.vcf.gz" > /dev/null
bcftools norm -c e -f "$d/ref.fa" "$o/ours.vcf.gz" -Ov -o /dev/null 2> "$o/norm.txt"

# 5. Mutect2 + FilterMutectCalls per tumour (optional; M2_TARGETS restricts it to a subset BED,
#    and the accuracy table is then also computed on that subset for every tool)
m2_targets=${M2_TARGETS:-$d/targets.bed}
if [[ -n "$gatk_lib" && -d "$gatk_lib" ]]; then
  G() { java -Xmx2g -cp "$gatk_lib/*" org.broadinstitute.hellbender.Main "$@"; }
  [[ -f "$d/ref.dict" ]] || java -jar /usr/share/java/picard.jar CreateSequenceDictionary R="$d/ref.fa" O="$d/ref.dict" 2>/dev/null
  G ValidateVariants -V "$o/ours.vcf.gz" -R "$d/ref.fa" > "$o/validate.txt" 2>&1 || true
  for t in T1 T2 T3; do
    [[ -f "$o/m2_$t.filtered.vcf.gz" ]] && continue
    /usr/bin/time -v -o "$o/m2_$t.time" java -Xmx2g -cp "$gatk_lib/*" org.broadinstitute.hellbender.Main Mutect2 -R "$d/ref.fa" -I "$d/$t.bam" -I "$d/N.bam" -normal N \
        -L "$m2_targets" -O "$o/m2_$t.vcf.gz" > "$o/m2_$t.log" 2>&1
    G FilterMutectCalls -R "$d/ref.fa" -V "$o/m2_$t.vcf.gz" -O "$o/m2_$t.filtered.vcf.gz" >> "$o/m2_$t.log" 2>&1
  done
fi

# 6. accuracy tables
m2args=""
for t in T1 T2 T3; do [[ -f "$o/m2_$t.filtered.vcf.gz" ]] && m2args="$m2args $t=$o/m2_$t.filtered.vcf.gz"; done
$PY "$here/evaluate.py" --truth "$d/truth.tsv" --fasta "$d/ref.fa" --escapeseq "$o/ours.vcf.gz" \
    --bcftools "$o/bcftools.vcf.gz" > "$o/accuracy.tsv"
if [[ -n "$m2args" ]]; then
  $PY "$here/evaluate.py" --truth "$d/truth.tsv" --fasta "$d/ref.fa" --regions "$m2_targets" \
      --escapeseq "$o/ours.vcf.gz" --bcftools "$o/bcftools.vcf.gz" --mutect2 $m2args > "$o/accuracy_m2subset.tsv"
fi
for f in ours mpileup; do
  echo "$f $(grep -E 'User time|System time|Elapsed|Maximum resident' "$o/$f.time" | awk -F': ' '{printf "%s; ", $2}')"
done > "$o/speed.txt"
cat "$o/speed.txt" "$o/scatter.txt"
