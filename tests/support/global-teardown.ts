// jest globalTeardown: stops the emulators that global-setup.ts started (by their PID files),
// and repeats, after jest's summary, which suites were skipped when one could not start.
import { EMULATOR_UNAVAILABLE, unavailableNotice } from './emulator-env';
import { PUBSUB_EMULATOR_UNAVAILABLE, pubsubUnavailableNotice } from './pubsub-emulator';

export default async function globalTeardown(): Promise<void> {
  globalThis.__datastoreEmulator?.stop();
  globalThis.__datastoreEmulator = undefined;
  globalThis.__pubsubEmulator?.stop();
  globalThis.__pubsubEmulator = undefined;
  const reason = process.env[EMULATOR_UNAVAILABLE];
  if (reason) process.stderr.write(`\n${unavailableNotice(reason)}\n`);
  const pubsubReason = process.env[PUBSUB_EMULATOR_UNAVAILABLE];
  if (pubsubReason) process.stderr.write(`\n${pubsubUnavailableNotice(pubsubReason)}\n`);
}
