#!/usr/bin/env bash
# Installs the external tools escapeseq calls, from Debian, when they are missing.
# As root it uses apt-get; otherwise it lists what to install and fails.
set -euo pipefail
# command-or-file  debian-package
need=(
  "bwa bwa"
  "samtools samtools"
  "bcftools bcftools"
  "tabix tabix"
  "bgzip tabix"
  "mosdepth mosdepth"
  "art_illumina art-nextgen-simulation-tools"
  "java default-jre-headless"
  "mvn maven"
  "npm npm"
  "/usr/share/java/picard.jar picard-tools"
  "hisat2 hisat2"
  "featureCounts subread"
)
missing=()
for row in "${need[@]}"; do
  what="${row%% *}"; pkg="${row##* }"
  if [[ "$what" == /* ]]; then [[ -e "$what" ]] && continue
  else command -v "$what" >/dev/null 2>&1 && continue; fi
  [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
done
# Debian's mosdepth dlopens the unversioned libhts.so, which only libhts-dev ships.
if ! ldconfig -p 2>/dev/null | grep -q 'libhts\.so '; then missing+=(libhts-dev); fi
if [[ ${#missing[@]} -eq 0 ]]; then exit 0; fi
if [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null; then
  echo "install: apt-get install ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install: missing system tools; please install the Debian/Ubuntu packages: ${missing[*]}" >&2
  echo "         (or use -profile docker|podman|singularity|conda, see README)" >&2
  exit 1
fi
