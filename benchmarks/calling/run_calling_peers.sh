#!/usr/bin/env bash
# Run escapeseq-call and GATK Mutect2 (+ FilterMutectCalls) on one calling-benchmark dataset
# and write the issue-13 tables.
# usage: run_calling_peers.sh DATA_DIR OUT_DIR [GATK_LIB_DIR]   (GATK default /work/gatk-lib)
#   Mutect2 per tumour (tumour + normal, -normal N, -L targets.bed, defaults, no PoN or
#   germline resource). With artifacts.tsv rows (artifact cohort): --f1r2-tar-gz,
#   LearnReadOrientationModel and FilterMutectCalls --ob-priors.
#   SKIP_M2=1 reuses existing Mutect2 outputs; OURS_ONLY=1 runs only escapeseq-call.
set -euo pipefail
d=$(cd "$1" && pwd); mkdir -p "$2"; o=$(cd "$2" && pwd); lib=${3:-/work/gatk-lib}
here=$(cd "$(dirname "$0")" && pwd); repo=$(cd "$here/../.." && pwd)
PY=${PY:-$repo/.venv/bin/python}
G() { java -Xmx2g -cp "$lib/*" org.broadinstitute.hellbender.Main "$@"; }
art=0; [[ $(grep -vc '^sample' "$d/artifacts.tsv" || true) -gt 0 ]] && art=1

(cd "$repo" && git rev-parse --short HEAD) > "$o/ours.commit"
/usr/bin/time -v -o "$o/ours.time" "$PY" "$repo/bin/escapeseq-call" call --fasta "$d/ref.fa" \
    --normal "$d/N.bam" --tumour "$d/T1.bam" --tumour "$d/T2.bam" --regions "$d/targets.bed" \
    --out "$o/ours.vcf.gz" > "$o/ours.log" 2>&1

m2() {  # one tumour: Mutect2 [+ LearnReadOrientationModel] + FilterMutectCalls
  local t=$1 extra=() ob=()
  if [[ $art == 1 ]]; then extra=(--f1r2-tar-gz "$o/m2_$t.f1r2.tar.gz"); fi
  /usr/bin/time -v -o "$o/m2_$t.time" java -Xmx2g -cp "$lib/*" org.broadinstitute.hellbender.Main \
      Mutect2 -R "$d/ref.fa" -I "$d/$t.bam" -I "$d/N.bam" -normal N -L "$d/targets.bed" \
      --native-pair-hmm-threads 1 "${extra[@]}" -O "$o/m2_$t.vcf.gz" > "$o/m2_$t.log" 2>&1
  if [[ $art == 1 ]]; then
    G LearnReadOrientationModel -I "$o/m2_$t.f1r2.tar.gz" -O "$o/m2_$t.rom.tar.gz" >> "$o/m2_$t.log" 2>&1
    ob=(--ob-priors "$o/m2_$t.rom.tar.gz")
  fi
  G FilterMutectCalls -R "$d/ref.fa" -V "$o/m2_$t.vcf.gz" "${ob[@]}" \
      -O "$o/m2_$t.filtered.vcf.gz" >> "$o/m2_$t.log" 2>&1
}
if [[ -z ${OURS_ONLY:-} ]]; then   # the two tumours run side by side (PARALLEL_M2=0: one by one)
  for t in T1 T2; do
    [[ -n ${SKIP_M2:-} && -f $o/m2_$t.filtered.vcf.gz ]] && continue
    if [[ ${PARALLEL_M2:-1} == 1 ]]; then m2 "$t" & else m2 "$t"; fi
  done
  wait
fi
tools=(--tool "escapeseq=escapeseq:$o/ours.vcf.gz")
[[ -f $o/m2_T2.filtered.vcf.gz ]] && tools+=(--tool "mutect2=mutect2:T1=$o/m2_T1.filtered.vcf.gz,T2=$o/m2_T2.filtered.vcf.gz")
"$PY" "$here/evaluate_calling.py" --data "$d" "${tools[@]}" | tee "$o/tables.md"
