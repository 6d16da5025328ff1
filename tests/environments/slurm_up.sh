#!/usr/bin/env bash
# Starts a single-node Slurm cluster on localhost (munged + slurmctld + slurmd), for the
# environment tests. Needs root. Installs slurmctld, slurmd, slurm-client and munge from
# Debian when missing. Everything it creates lives under STATE_DIR; the PIDs of the daemons
# it started are written to STATE_DIR/pids so slurm_down.sh stops exactly those.
#
# Usage: tests/environments/slurm_up.sh [STATE_DIR]     (default /var/tmp/escapeseq-slurm)
# Prints, on its last line: export SLURM_CONF=STATE_DIR/slurm.conf
# Environment: ESCAPESEQ_SLURM_PORT (slurmctld port; slurmd uses +1; default: the first
# free pair from 16817).
set -euo pipefail

state="${1:-/var/tmp/escapeseq-slurm}"
log() { echo "slurm_up.sh: $*" >&2; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# slurmctld port (slurmd uses port+1): the first pair nothing listens on, from 16817
port="${ESCAPESEQ_SLURM_PORT:-}"
if [[ -z "$port" ]]; then
  for p in $(seq 16817 2 16899); do
    if ! listening "$p" && ! listening $((p + 1)); then port="$p"; break; fi
  done
  [[ -n "$port" ]] || { log "error: no free port pair in 16817-16900"; exit 1; }
fi
[[ "$(id -u)" -eq 0 ]] || { log "error: needs root (daemons, munge key)"; exit 1; }

if [[ -s "$state/pids" ]]; then
  alive=0
  while read -r _ pid; do kill -0 "$pid" 2>/dev/null && alive=1; done < "$state/pids"
  if [[ $alive -eq 1 ]]; then log "error: $state/pids lists running daemons; run slurm_down.sh $state first"; exit 1; fi
fi

missing=()
for b in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
  command -v "${b%%:*}" >/dev/null || missing+=("${b##*:}")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

host="$(hostname -s)"
if ! getent hosts "$host" >/dev/null; then
  log "adding $host to /etc/hosts"
  echo "127.0.0.1 $host" >> /etc/hosts
fi
cpus="$(nproc)"
mem_mb="$(awk '/MemTotal/ {printf "%d", $2 / 1024 * 0.9}' /proc/meminfo)"

rm -rf "$state"
mkdir -p "$state"/{munge,ctld,spool,log,run}
chmod 0755 "$state"
: > "$state/pids"

# ---- munge: our own key and socket, so a system munged (if any) is untouched
chown munge:munge "$state/munge"
chmod 0700 "$state/munge"
dd if=/dev/urandom of="$state/munge/munge.key" bs=1024 count=1 status=none
chown munge:munge "$state/munge/munge.key"
chmod 0400 "$state/munge/munge.key"
sock="$state/munge/munge.socket"
runuser -u munge -- munged --key-file="$state/munge/munge.key" --socket="$sock" \
  --pid-file="$state/munge/munged.pid" --log-file="$state/munge/munged.log" \
  --seed-file="$state/munge/munged.seed" --force
for _ in $(seq 50); do [[ -s "$state/munge/munged.pid" ]] && break; sleep 0.1; done
echo "munged $(cat "$state/munge/munged.pid")" >> "$state/pids"
munge --socket="$sock" -n | unmunge --socket="$sock" >/dev/null \
  || { log "error: munge does not work (see $state/munge/munged.log)"; exit 1; }

# ---- slurm.conf: one node = this machine, no accounting database, no cgroups
cat > "$state/slurm.conf" <<CONF
ClusterName=escapeseq
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${port}
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${sock}
StateSaveLocation=${state}/ctld
SlurmdSpoolDir=${state}/spool
SlurmctldPidFile=${state}/run/slurmctld.pid
SlurmdPidFile=${state}/run/slurmd.pid
SlurmctldLogFile=${state}/log/slurmctld.log
SlurmdLogFile=${state}/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
DefMemPerCPU=500
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=${state}/log/jobcomp.txt
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=300
KillWait=10
NodeName=${host} NodeAddr=127.0.0.1 CPUs=${cpus} RealMemory=${mem_mb} State=UNKNOWN
PartitionName=local Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$state/slurm.conf"

slurmctld -D -f "$SLURM_CONF" > "$state/log/slurmctld.out" 2>&1 &
echo "slurmctld $!" >> "$state/pids"
slurmd -D -f "$SLURM_CONF" > "$state/log/slurmd.out" 2>&1 &
echo "slurmd $!" >> "$state/pids"

ok=0
for _ in $(seq 120); do
  if scontrol ping 2>/dev/null | grep -q UP && [[ "$(sinfo -h -o %T 2>/dev/null | head -1)" == idle ]]; then ok=1; break; fi
  sleep 0.5
done
if [[ $ok -ne 1 ]]; then
  log "error: the node did not become idle in 60 s"; sinfo -N -l >&2 || true
  tail -n 5 "$state/log/slurmctld.log" "$state/log/slurmd.log" >&2 || true
  exit 1
fi
log "up: node $host ($cpus CPUs, $mem_mb MB), partition local, state in $state"
echo "export SLURM_CONF=$SLURM_CONF"
