// jest globalTeardown: stops the emulator that global-setup.ts started (by its PID file), and
// repeats, after jest's summary, that the Datastore suites were skipped when it could not start.
import { EMULATOR_UNAVAILABLE, unavailableNotice } from './emulator-env';

export default async function globalTeardown(): Promise<void> {
  globalThis.__datastoreEmulator?.stop();
  globalThis.__datastoreEmulator = undefined;
  const reason = process.env[EMULATOR_UNAVAILABLE];
  if (reason) process.stderr.write(`\n${unavailableNotice(reason)}\n`);
}
