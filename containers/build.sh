#!/usr/bin/env bash
# Builds the escapeseq runtime image with podman, with no container registry:
#   1. debootstrap a minimal Debian 12 from the Debian mirror apt already uses,
#   2. `podman import` it as localhost/debian:bookworm-min,
#   3. `podman build` containers/Containerfile on top of it -> localhost/escapeseq:<version>.
#
# Usage: containers/build.sh [--tag IMAGE] [--save FILE.tar] [--rebuild-base] [--print-conf]
#   --tag IMAGE       image name (default localhost/escapeseq:<version from pyproject.toml>)
#   --save FILE.tar   also write a docker-archive (for `singularity/apptainer build
#                     escapeseq.sif docker-archive://FILE.tar`, or `docker load`)
#   --rebuild-base    re-create the Debian base even if it exists
#   --print-conf      only write the podman settings file and print its path
# Environment: DEBIAN_MIRROR (default: the first http(s) deb URI in apt's sources),
#   CONTAINERS_CONF (default: a generated file with runc + host-capped ulimits).
# Needs root (debootstrap); installs podman, runc and debootstrap with apt-get if missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
version="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/bin/escapeseq/__init__.py" | head -1)"
tag="localhost/escapeseq:${version}"
base="localhost/debian:bookworm-min"
save=""; rebuild_base=0; print_conf=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --tag) tag="$2"; shift 2 ;;
    --save) save="$2"; shift 2 ;;
    --rebuild-base) rebuild_base=1; shift ;;
    --print-conf) print_conf=1; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: error: unknown option $1" >&2; exit 2 ;;
  esac
done

log() { echo "build.sh: $*" >&2; }

# Podman settings these machines need: runc (crun fails on a hybrid cgroup layout) and
# container ulimits no higher than the host's hard limits (podman's defaults are higher).
write_conf() {
  local conf="$1" nofile nproc
  nofile="$(ulimit -Hn)"; nproc="$(ulimit -Hu)"
  # nproc above 32768 is refused by runc here even when the host's hard limit is higher
  [[ "$nofile" == unlimited ]] && nofile=1048576
  [[ "$nproc" == unlimited ]] && nproc=32768
  if (( nofile > 1048576 )); then nofile=1048576; fi
  if (( nproc > 32768 )); then nproc=32768; fi
  mkdir -p "$(dirname "$conf")"
  cat > "$conf.tmp" <<CONF
# written by escapeseq containers/build.sh
[containers]
default_ulimits = ["nofile=${nofile}:${nofile}", "nproc=${nproc}:${nproc}"]
[engine]
runtime = "runc"
CONF
  mv "$conf.tmp" "$conf"
}
if [[ -z "${CONTAINERS_CONF:-}" ]]; then
  export CONTAINERS_CONF="${ESCAPESEQ_PODMAN_CONF:-/var/tmp/escapeseq-podman/containers.conf}"
  write_conf "$CONTAINERS_CONF"
fi
if [[ $print_conf -eq 1 ]]; then echo "$CONTAINERS_CONF"; exit 0; fi

# ---- tools
missing=()
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
command -v debootstrap >/dev/null || missing+=(debootstrap)
if [[ ${#missing[@]} -gt 0 ]]; then
  if [[ "$(id -u)" -ne 0 ]]; then log "error: missing ${missing[*]} (install them as root)"; exit 1; fi
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" fuse-overlayfs uidmap >/dev/null
fi

# ---- 1+2: Debian base from the mirror, imported into podman
mirror="${DEBIAN_MIRROR:-}"
if [[ -z "$mirror" ]]; then
  mirror="$(grep -rhoE '(URIs:|^deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
            | awk '{print $2}' | head -1 || true)"
  mirror="${mirror:-http://deb.debian.org/debian}"
fi
if [[ $rebuild_base -eq 1 ]] || ! podman image exists "$base"; then
  [[ "$(id -u)" -eq 0 ]] || { log "error: debootstrap needs root"; exit 1; }
  rootfs="$(mktemp -d /var/tmp/escapeseq-rootfs.XXXXXX)"
  trap 'rm -rf "$rootfs"' EXIT
  log "debootstrap bookworm from $mirror"
  debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >"$rootfs.log" 2>&1 \
    || { tail -20 "$rootfs.log" >&2; rm -f "$rootfs.log"; exit 1; }
  rm -f "$rootfs.log"
  # apt inside the image: the same mirror, plus bookworm-updates and security
  cat > "$rootfs/etc/apt/sources.list" <<SRC
deb ${mirror} bookworm main
deb ${mirror} bookworm-updates main
deb ${mirror%/debian*}/debian-security bookworm-security main
SRC
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  log "podman import -> $base"
  tar -C "$rootfs" --numeric-owner -c . | podman import --quiet - "$base" >/dev/null
  rm -rf "$rootfs"; trap - EXIT
fi

# ---- 3: the runtime image, from a small build context (not the whole repo)
ctx="$(mktemp -d /var/tmp/escapeseq-ctx.XXXXXX)"
trap 'rm -rf "$ctx"' EXIT
mkdir -p "$ctx/containers"
cp "$root/pyproject.toml" "$ctx/"
cp "$here/Containerfile" "$here/debian-packages.txt" "$ctx/containers/"
tar -C "$root" --exclude='__pycache__' --exclude='*.pyc' -c bin | tar -C "$ctx" -x
ca_opt=()
for ca in /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt; do
  if [[ -s "$ca" ]]; then ca_opt=(--volume "$ca:/run/host-ca.crt:ro"); break; fi
done
log "podman build -> $tag"
podman build --quiet --network host --pull=never --build-arg "BASE=$base" \
  "${ca_opt[@]}" -f "$ctx/containers/Containerfile" -t "$tag" "$ctx" >/dev/null

# smoke test: every tool the processes call answers inside the image
podman run --rm --network none "$tag" bash -c '
  set -e
  bwa 2>&1 | grep -q "^Version:"; samtools --version | head -1; bcftools --version | head -1
  tabix --version | head -1; bedtools --version; mosdepth --version; multiqc --version
  python3 -c "import numpy, pandas, scipy, pysam, cyvcf2, matplotlib, pycirclize; print(\"python\", numpy.__version__, pandas.__version__)"
  /opt/escapeseq/bin/escapeseq-align --version
  ! command -v escapeseq-align  # the pipeline'"'"'s own bin/ must not be shadowed' >&2

if [[ -n "$save" ]]; then
  log "saving docker-archive -> $save"
  rm -f "$save.tmp"
  podman save --quiet --format docker-archive -o "$save.tmp" "$tag"
  mv "$save.tmp" "$save"
fi
log "done: $tag (podman settings: CONTAINERS_CONF=$CONTAINERS_CONF)"
echo "$tag"
