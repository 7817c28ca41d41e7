#!/usr/bin/env bash
# Starts or stops a local Datastore emulator (Firestore in Datastore mode semantics).
#
#   scripts/datastore-emulator.sh start [port]   # default port 8081; prints the export line
#   scripts/datastore-emulator.sh stop
#
# The emulator runs in the background with --testing (in-memory, nothing written to disk).
# Its PID is kept in .datastore-emulator.pid at the repository root (override with
# DATASTORE_EMULATOR_PID_FILE to run several), its output next to it in a .log file. Use:
#   eval "$(scripts/datastore-emulator.sh start)"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=datastore-emulator
PID_FILE="${DATASTORE_EMULATOR_PID_FILE:-$ROOT/.datastore-emulator.pid}"
DEFAULT_PORT=8081
EXPORT_VAR=DATASTORE_EMULATOR_HOST
COMPONENT="cloud-datastore-emulator component (apt-get install google-cloud-cli-datastore-emulator)"

locate_jar() {
  local sdk jar
  sdk="$(sdk_root)"
  jar="$sdk/platform/cloud-datastore-emulator/CloudDatastore.jar"
  [[ -f "$jar" ]] ||
    die "emulator not installed at $jar: run 'gcloud components install cloud-datastore-emulator' (or apt-get install google-cloud-cli-datastore-emulator)"
  echo "$jar"
}

# Calling the jar directly skips gcloud's own start-up (~1 s instead of several).
launch() {
  exec java -cp "$1" com.google.cloud.datastore.emulator.CloudDatastore start \
    --host="$HOST" --port="$2" --testing --firestore_in_datastore_mode
}

# shellcheck source=scripts/emulator-lib.sh
source "$ROOT/scripts/emulator-lib.sh"
emulator_main "$@"
