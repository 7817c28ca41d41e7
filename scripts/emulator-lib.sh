#!/usr/bin/env bash
# Shared start/stop of a Cloud SDK emulator jar in the background, for
# scripts/datastore-emulator.sh and scripts/pubsub-emulator.sh. The caller sets
#   NAME         e.g. datastore-emulator (messages, default PID file .NAME.pid)
#   PID_FILE     where the PID is kept (its output goes next to it, in a .log file)
#   DEFAULT_PORT the port when none is given
#   EXPORT_VAR   the variable printed as `export EXPORT_VAR=127.0.0.1:PORT`
#   COMPONENT    what to install, for the messages
# and defines `locate_jar` (prints the jar's path, or dies) and `launch JAR PORT` (execs the
# JVM; it runs in the background, immune to SIGHUP), then calls
# `emulator_main "$@"`.
set -euo pipefail
# A failure inside $(...) (e.g. `die` in locate_jar) stops the script too.
shopt -s inherit_errexit

HOST=127.0.0.1
WAIT_SECONDS=60
LOG_FILE="${PID_FILE%.pid}.log"

die() {
  echo "$NAME: $*" >&2
  exit 1
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

# The Cloud SDK's root, from the gcloud on PATH.
sdk_root() {
  command -v gcloud >/dev/null 2>&1 ||
    die "gcloud not found: install the Google Cloud SDK with the $COMPONENT"
  dirname "$(dirname "$(readlink -f "$(command -v gcloud)")")"
}

start() {
  local port="${1:-$DEFAULT_PORT}"
  [[ "$port" =~ ^[0-9]+$ ]] || die "port must be a number, got '$port'"
  if pid="$(running_pid)"; then
    die "already running (pid $pid, see $PID_FILE); run '$0 stop' first"
  fi
  local jar
  jar="$(locate_jar)"
  command -v java >/dev/null 2>&1 || die "java not found: the emulator needs a Java 11+ runtime"
  command -v curl >/dev/null 2>&1 || die "curl not found: needed to wait for the emulator"
  if curl -s -o /dev/null --max-time 1 "http://$HOST:$port/"; then
    die "port $port is already in use"
  fi

  # In a background subshell that ignores SIGHUP (as nohup would); `launch` execs the jar,
  # so the PID kept is the JVM's.
  (
    trap '' HUP
    launch "$jar" "$port"
  ) >"$LOG_FILE" 2>&1 &
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
  echo "export $EXPORT_VAR=$HOST:$port"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    echo "$NAME: not running" >&2
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  echo "$NAME: stopped (pid $pid)" >&2
}

emulator_main() {
  case "${1:-}" in
    start) start "${2:-}" ;;
    stop) stop ;;
    *)
      echo "usage: $0 start [port] | stop" >&2
      exit 2
      ;;
  esac
}
