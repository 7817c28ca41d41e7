// Starts and stops a private Pub/Sub emulator through scripts/pubsub-emulator.sh (the Cloud
// SDK's jar, own port and PID file), for jest's global set-up. Says why when it cannot be
// had on this machine (no Cloud SDK component, no Java), so the push-subscription suite can
// say so loudly: skipped locally, failed in CI.
import {
  startEmulatorScript,
  type EmulatorStart,
  type RunningEmulator,
} from './datastore-emulator';

/** Set by global-setup.ts to the reason when no Pub/Sub emulator could be started. */
export const PUBSUB_EMULATOR_UNAVAILABLE = 'PUBSUB_EMULATOR_UNAVAILABLE';

export type RunningPubSubEmulator = RunningEmulator;

export function pubsubUnavailableNotice(reason: string): string {
  return `PUB/SUB EMULATOR UNAVAILABLE (${reason}): the Pub/Sub push suite is SKIPPED. Install the Cloud SDK's pubsub emulator (apt-get install google-cloud-cli-pubsub-emulator; bash scripts/setup.sh does) and Java.`;
}

/** Starts a Pub/Sub emulator on a free port (scripts/pubsub-emulator.sh). */
export function startPubSubEmulator(label: string): Promise<EmulatorStart> {
  return startEmulatorScript(
    { name: 'pubsub-emulator', pidFileVar: 'PUBSUB_EMULATOR_PID_FILE' },
    label,
  );
}

export type PubSubEmulatorHost =
  | { readonly kind: 'host'; readonly host: string }
  /** No emulator: skip locally (said at the top and bottom of the run), fail in CI. */
  | { readonly kind: 'missing'; readonly reason: string; readonly failInCi: boolean };

export function pubsubEmulatorHost(): PubSubEmulatorHost {
  const host = process.env.PUBSUB_EMULATOR_HOST;
  if (host) return { kind: 'host', host };
  const reason =
    process.env[PUBSUB_EMULATOR_UNAVAILABLE] ??
    'PUBSUB_EMULATOR_HOST unset and jest global set-up not run';
  return { kind: 'missing', reason, failInCi: process.env.CI === 'true' };
}
