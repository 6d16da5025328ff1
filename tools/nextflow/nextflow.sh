#!/usr/bin/env bash
# Nextflow launcher for escapeseq: runs nextflow.cli.Launcher from the jars that
# `make install` resolved from Maven Central, with the JVM options of the official
# launcher script (--add-opens list). Installed as .venv/bin/nextflow.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$(dirname "$here")"
lib="$venv/share/nextflow/lib"
[[ -d "$lib" ]] || { echo "nextflow: runtime jars missing in $lib; run 'make install'" >&2; exit 1; }
# Tasks inherit PATH: the venv's python3 (with the pinned packages) comes first.
export PATH="$venv/bin:$PATH"
export NXF_OFFLINE="${NXF_OFFLINE:-true}"
export NXF_HOME="${NXF_HOME:-$HOME/.nextflow}"
JAVA_CMD="${JAVA_CMD:-java}"
[[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] && JAVA_CMD="$JAVA_HOME/bin/java"
opts=(-Dfile.encoding=UTF-8 -Djava.awt.headless=true -Dcom.sun.security.enableAIAcaIssuers=true)
cmd="${1:-}"
[[ "$cmd" != "run" && "$cmd" != "node" ]] && opts+=(-XX:+TieredCompilation -XX:TieredStopAtLevel=1)
[[ -n "${NXF_OPTS:-}" ]] && opts+=($NXF_OPTS)
[[ -n "${NXF_TEMP:-}" ]] && opts+=(-Djava.io.tmpdir="$NXF_TEMP")
for m in java.lang java.io java.nio java.net java.util java.util.concurrent.locks \
         java.util.concurrent.atomic java.nio.file.spi sun.nio.ch sun.nio.fs \
         sun.net.www.protocol.http sun.net.www.protocol.https sun.net.www.protocol.ftp \
         sun.net.www.protocol.file jdk.internal.misc jdk.internal.vm java.util.regex; do
  opts+=("--add-opens=java.base/$m=ALL-UNNAMED")
done
exec "$JAVA_CMD" "${opts[@]}" -cp "$lib/*" nextflow.cli.Launcher "$@"
