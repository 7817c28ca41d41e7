// jest globalSetup: gives the run a Datastore emulator when DATASTORE_EMULATOR_HOST is unset,
// so `npm test` alone runs every suite, the store's included. Workers inherit the variables
// set here. Where the emulator cannot be had (no Cloud SDK or no Java), the run says so in
// one line here and again after jest's summary (global-teardown.ts); the Datastore suites
// then skip locally and fail in CI (tests/support/emulator-env.ts).
import { startDatastoreEmulator, type RunningEmulator } from './datastore-emulator';
import { EMULATOR_UNAVAILABLE, unavailableNotice } from './emulator-env';

declare global {
  var __datastoreEmulator: RunningEmulator | undefined;
}

export default async function globalSetup(): Promise<void> {
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  process.env.DATASTORE_PROJECT_ID ??= 'sandbox-project';
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
