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
PID_FILE="${PUBSUB_EMULATOR_PID_FILE:-$ROOT/.pubsub-emulator.pid}"
LOG_FILE="${PID_FILE%.pid}.log"
HOST=127.0.0.1
WAIT_SECONDS=60

die() {
  echo "pubsub-emulator: $*" >&2
  exit 1
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  local port="${1:-8085}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "port must be a number, got '$port'"
  if pid="$(running_pid)"; then
    die "already running (pid $pid, see $PID_FILE); run '$0 stop' first"
  fi
  command -v gcloud >/dev/null 2>&1 ||
    die "gcloud not found: install the Google Cloud SDK with the pubsub-emulator component (apt-get install google-cloud-cli-pubsub-emulator)"
  command -v java >/dev/null 2>&1 || die "java not found: the Pub/Sub emulator needs a Java 11+ runtime"
  command -v curl >/dev/null 2>&1 || die "curl not found: needed to wait for the emulator"
  local sdk jar
  sdk="$(dirname "$(dirname "$(readlink -f "$(command -v gcloud)")")")"
  jar="$(ls "$sdk"/platform/pubsub-emulator/lib/cloud-pubsub-emulator-*.jar 2>/dev/null | head -n 1 || true)"
  [[ -n "$jar" && -f "$jar" ]] ||
    die "emulator not installed under $sdk/platform/pubsub-emulator: run 'gcloud components install pubsub-emulator' (or apt-get install google-cloud-cli-pubsub-emulator)"
  if curl -s -o /dev/null --max-time 1 "http://$HOST:$port/"; then
    die "port $port is already in use"
  fi

  # The jar directly (as `gcloud beta emulators pubsub start` runs it), without gcloud's start-up.
  nohup java -jar "$jar" --host="$HOST" --port="$port" >"$LOG_FILE" 2>&1 &
  local pid=$!
  echo "$pid" >"$PID_FILE"

  local deadline=$((SECONDS + WAIT_SECONDS))
  until curl -s -o /dev/null --max-time 1 "http://$HOST:$port/"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$PID_FILE"
      tail -n 20 "$LOG_FILE" >&2 || true
      die "emulator exited during start-up (log: $LOG_FILE)"
    fi
    if ((SECONDS >= deadline)); then
      kill "$pid" 2>/dev/null || true
      rm -f "$PID_FILE"
      die "emulator did not answer on $HOST:$port within ${WAIT_SECONDS}s (log: $LOG_FILE)"
    fi
    sleep 0.2
  done
  echo "export PUBSUB_EMULATOR_HOST=$HOST:$port"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "pubsub-emulator: not running" >&2
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  echo "pubsub-emulator: stopped (pid $pid)" >&2
}

case "${1:-}" in
  start) start "${2:-}" ;;
  stop) stop ;;
  *)
    echo "usage: $0 start [port] | stop" >&2
    exit 2
    ;;
esac
