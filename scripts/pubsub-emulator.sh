#!/usr/bin/env bash
# Starts or stops a local Pub/Sub emulator (the Cloud SDK's pubsub-emulator component, Debian
# package google-cloud-cli-pubsub-emulator), for the push-subscription tests.
#
#   scripts/pubsub-emulator.sh start [port]   # default port 8085; prints the export line
#   scripts/pubsub-emulator.sh stop
#
# The emulator runs in the background, in memory. Its PID is kept in .pubsub-emulator.pid at
# the repository root (override with PUBSUB_EMULATOR_PID_FILE to run several), its output
# next to it in a .log file. Use:
#   eval "$(scripts/pubsub-emulator.sh start)"
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NAME=pubsub-emulator
PID_FILE="${PUBSUB_EMULATOR_PID_FILE:-$ROOT/.pubsub-emulator.pid}"
DEFAULT_PORT=8085
EXPORT_VAR=PUBSUB_EMULATOR_HOST
COMPONENT="pubsub-emulator component (apt-get install google-cloud-cli-pubsub-emulator)"

locate_jar() {
  local sdk jar
  sdk="$(sdk_root)"
  jar="$(ls "$sdk"/platform/pubsub-emulator/lib/cloud-pubsub-emulator-*.jar 2>/dev/null | head -n 1 || true)"
  [[ -n "$jar" && -f "$jar" ]] ||
    die "emulator not installed under $sdk/platform/pubsub-emulator: run 'gcloud components install pubsub-emulator' (or apt-get install google-cloud-cli-pubsub-emulator)"
  echo "$jar"
}

# The jar directly (as `gcloud beta emulators pubsub start` runs it), without gcloud's start-up.
launch() {
  exec java -jar "$1" --host="$HOST" --port="$2"
}

# shellcheck source=scripts/emulator-lib.sh
source "$ROOT/scripts/emulator-lib.sh"
emulator_main "$@"
