#!/usr/bin/env bash
# Installs everything the tests need from the registries this project may use (npm and
# Debian's packages): the npm dependencies, a Java runtime, the Cloud SDK's Datastore and
# Pub/Sub emulators where the machine's apt sources offer them, and Chromium for the browser test. What cannot be had is said loudly;
# `npm test` then says again, at its top and after its summary, which suites it skipped.
#
#   bash scripts/setup.sh        # then: npm test
set -uo pipefail
cd "$(dirname "$0")/.."

say() { printf 'setup: %s\n' "$*"; }
loud() { printf '\n!!! setup: %s\n\n' "$*" >&2; }

npm ci --no-audit --no-fund || { loud "npm ci failed"; exit 1; }

apt_install() { # installs Debian packages when we can (root, apt-get, the package known)
  command -v apt-get >/dev/null 2>&1 || return 1
  [ "$(id -u)" = 0 ] || { say "not root: cannot apt-get install $*"; return 1; }
  if [ -z "${SETUP_APT_UPDATED:-}" ]; then
    apt-get update -qq >/dev/null 2>&1 || true
    SETUP_APT_UPDATED=1
  fi
  for p in "$@"; do
    apt-cache show "$p" >/dev/null 2>&1 || { say "apt has no package $p"; return 1; }
  done
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

if command -v java >/dev/null 2>&1; then
  say "java: $(java -version 2>&1 | head -n 1)"
else
  apt_install openjdk-17-jre-headless && say "java installed" || loud "no Java runtime: the Datastore emulator cannot run"
fi

emulator_jar() {
  command -v gcloud >/dev/null 2>&1 || return 1
  local sdk
  sdk="$(dirname "$(dirname "$(readlink -f "$(command -v gcloud)")")")"
  [ -f "$sdk/platform/cloud-datastore-emulator/CloudDatastore.jar" ]
}
if emulator_jar; then
  say "Datastore emulator: found (Cloud SDK $(gcloud version 2>/dev/null | head -n 1 | awk '{print $NF}'))"
else
  apt_install google-cloud-cli google-cloud-cli-datastore-emulator || true
  if emulator_jar; then
    say "Datastore emulator installed"
  else
    loud "the Datastore emulator is not available on this machine (no Cloud SDK package in its apt sources).
    npm test will SKIP the Datastore store and chaos suites (and fail them in CI).
    Install the Cloud SDK with its cloud-datastore-emulator component, then run npm test again."
  fi
fi
# The Pub/Sub emulator, for the push-subscription test (tests/contract/pubsub-push.test.ts):
# the Cloud SDK's pubsub-emulator component, Debian package google-cloud-cli-pubsub-emulator.
pubsub_jar() {
  command -v gcloud >/dev/null 2>&1 || return 1
  local sdk
  sdk="$(dirname "$(dirname "$(readlink -f "$(command -v gcloud)")")")"
  compgen -G "$sdk/platform/pubsub-emulator/lib/cloud-pubsub-emulator-*.jar" >/dev/null
}
if pubsub_jar; then
  say "Pub/Sub emulator: found"
else
  apt_install google-cloud-cli google-cloud-cli-pubsub-emulator || true
  if pubsub_jar; then
    say "Pub/Sub emulator installed"
  else
    loud "the Pub/Sub emulator is not available on this machine (no google-cloud-cli-pubsub-emulator package in its apt sources).
    npm test will SKIP the Pub/Sub push suite (and fail it in CI)."
  fi
fi
# The status page's browser test (tests/browser/) drives Debian's headless Chromium with
# playwright-core (npm); it fails in CI without it and skips locally, loudly.
if command -v chromium >/dev/null 2>&1; then
  say "chromium: $(chromium --version 2>/dev/null | head -n 1)"
else
  apt_install chromium && say "chromium installed" || loud "no chromium: the status page's browser test will SKIP (and fail in CI)"
fi
say "done: run npm test"
