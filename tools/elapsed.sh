#!/usr/bin/env bash
# Copies stdin to stdout with each line prefixed by the seconds elapsed since ELAPSED_SINCE
# (epoch seconds; default: when this started), so a test log shows where the time went and,
# when a run is cut short, what was running and since when. `make test` pipes through it.
since="${ELAPSED_SINCE:-$(printf '%(%s)T' -1)}"
while IFS= read -r line || [[ -n "$line" ]]; do
  printf -v now '%(%s)T' -1
  printf '[%5ds] %s\n' "$(( now - since ))" "$line"
done
