// jest globalSetup: gives the run a Datastore emulator when DATASTORE_EMULATOR_HOST is unset,
// and a Pub/Sub emulator when PUBSUB_EMULATOR_HOST is unset, so `npm test` alone runs every
// suite. Workers inherit the variables set here. Where an emulator cannot be had (no Cloud
// SDK component or no Java), the run says so in one line here and again after jest's
// summary (global-teardown.ts); its suites then skip locally and fail in CI
// (tests/support/emulator-env.ts, tests/support/pubsub-emulator.ts).
import { startDatastoreEmulator, type RunningEmulator } from './datastore-emulator';
import { EMULATOR_UNAVAILABLE, unavailableNotice } from './emulator-env';
import {
  PUBSUB_EMULATOR_UNAVAILABLE,
  pubsubUnavailableNotice,
  startPubSubEmulator,
  type RunningPubSubEmulator,
} from './pubsub-emulator';

declare global {
  var __datastoreEmulator: RunningEmulator | undefined;
  var __pubsubEmulator: RunningPubSubEmulator | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  process.env.DATASTORE_PROJECT_ID ??= 'sandbox-project';
  // Both emulators start at once (each a JVM taking a few seconds).
  await Promise.all([datastore(), pubsub()]);
}

async function datastore(): Promise<void> {
  if (process.env.DATASTORE_EMULATOR_HOST) return;
  const started = await startDatastoreEmulator('jest');
  if (started.ok) {
    globalThis.__datastoreEmulator = started.emulator;
    process.env.DATASTORE_EMULATOR_HOST = started.emulator.host;
    return;
  }
  process.env[EMULATOR_UNAVAILABLE] = started.reason;
  process.stderr.write(`\n${unavailableNotice(started.reason)}\n\n`);
}

async function pubsub(): Promise<void> {
  if (process.env.PUBSUB_EMULATOR_HOST) return;
  const started = await startPubSubEmulator('jest');
  if (started.ok) {
    globalThis.__pubsubEmulator = started.emulator;
    process.env.PUBSUB_EMULATOR_HOST = started.emulator.host;
    return;
  }
  process.env[PUBSUB_EMULATOR_UNAVAILABLE] = started.reason;
  process.stderr.write(`\n${pubsubUnavailableNotice(started.reason)}\n\n`);
}
