#!/bin/bash
# Profile one completed task of a Nextflow run with pyinstrument.
# usage: profile_task.sh TRACE PROCESS OUTDIR
#   TRACE    a trace written by run.py (has the workdir column)
#   PROCESS  e.g. CNV_PILEUP_TUMOUR; the first COMPLETED task of it is taken
#   OUTDIR   where the task directory copy and OUTDIR/PROCESS.prof.txt go
# The task's .command.sh is re-run in a copy of its work directory with its first
# `escapeseq-*` command wrapped in `pyinstrument -r text` (pip install pyinstrument
# into .venv first); /usr/bin/time's CPU seconds and peak RSS go to stderr.
set -euo pipefail
trace=$1; proc=$2; out=$(realpath -m "$3")
repo=$(cd "$(dirname "$0")/../.." && pwd)
wd=$(awk -F'\t' -v p="$proc" 'NR==1{for(i=1;i<=NF;i++) h[$i]=i; next}
     ($h["process"]==p || $h["process"] ~ (":" p "$")) && $h["status"]=="COMPLETED"{print $h["workdir"]; exit}' "$trace")
[ -n "$wd" ] || { echo "profile_task.sh: error: $trace: no completed $proc task" >&2; exit 2; }
d=$out/$proc; rm -rf "$d"; mkdir -p "$d"
cp -a "$wd"/. "$d"/
cd "$d"
line=$(grep -n -m1 '^ *escapeseq-' .command.sh | cut -d: -f1)
sed -i "${line}s#^\( *\)escapeseq-\([a-z]*\)#\1$repo/.venv/bin/pyinstrument -r text -o $out/$proc.prof.txt --show '*/escapeseq/*' $repo/bin/escapeseq-\2#" .command.sh
export PATH=$repo/.venv/bin:$repo/bin:$PATH
/usr/bin/time -f "$proc: %U s user %S s sys %e s wall %M KB peak RSS" bash .command.sh \
    > "$out/$proc.stdout" 2> "$out/$proc.stderr"
tail -1 "$out/$proc.stderr" >&2
