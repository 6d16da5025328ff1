#!/usr/bin/env bash
# Stops the daemons slurm_up.sh started (only the PIDs listed in STATE_DIR/pids, and only
# while they still run the expected program), then removes nothing else of the system.
# Usage: tests/environments/slurm_down.sh [STATE_DIR]   (default /var/tmp/escapeseq-slurm)
set -uo pipefail
state="${1:-/var/tmp/escapeseq-slurm}"
[[ -f "$state/pids" ]] || { echo "slurm_down.sh: nothing to stop ($state/pids missing)" >&2; exit 0; }
stop() {  # name pid: TERM, wait up to 10 s, then KILL
  local name="$1" pid="$2"
  kill -0 "$pid" 2>/dev/null || return 0
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$name" ]] || return 0   # PID reused: not ours
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
}
# slurmd first, then the controller, then munge (reverse start order)
tac "$state/pids" | while read -r name pid; do stop "$name" "$pid"; done
: > "$state/pids"
echo "slurm_down.sh: stopped the daemons of $state" >&2
