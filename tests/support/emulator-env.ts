// What a Datastore suite needs to know about the emulator global-setup.ts arranged.

/** Set by global-setup.ts to the reason when no emulator could be started. */
export const EMULATOR_UNAVAILABLE = 'DATASTORE_EMULATOR_UNAVAILABLE';

export function unavailableNotice(reason: string): string {
  return `DATASTORE EMULATOR UNAVAILABLE (${reason}): the Datastore store and chaos suites are SKIPPED. Install the Cloud SDK's datastore emulator and Java (bash scripts/setup.sh says how).`;
}

export type EmulatorHost =
  | { readonly kind: 'host'; readonly host: string; readonly projectId: string }
  /** No emulator: skip locally (said at the top and bottom of the run), fail in CI. */
  | { readonly kind: 'missing'; readonly reason: string; readonly failInCi: boolean };

export function datastoreEmulatorHost(): EmulatorHost {
  const host = process.env.DATASTORE_EMULATOR_HOST;
  if (host) {
    process.env.METADATA_SERVER_DETECTION ??= 'none';
    return { kind: 'host', host, projectId: process.env.DATASTORE_PROJECT_ID ?? 'sandbox-project' };
  }
  const reason =
    process.env[EMULATOR_UNAVAILABLE] ??
    'DATASTORE_EMULATOR_HOST unset and jest global set-up not run';
  return { kind: 'missing', reason, failInCi: process.env.CI === 'true' };
}
