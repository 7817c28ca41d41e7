// Starts and stops a private Pub/Sub emulator through scripts/pubsub-emulator.sh (the Cloud
// SDK's jar, own port and PID file), for jest's global set-up. Says why when it cannot be
// had on this machine (no Cloud SDK component, no Java), so the push-subscription suite can
// say so loudly: skipped locally, failed in CI.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(REPO, 'scripts', 'pubsub-emulator.sh');

/** Set by global-setup.ts to the reason when no Pub/Sub emulator could be started. */
export const PUBSUB_EMULATOR_UNAVAILABLE = 'PUBSUB_EMULATOR_UNAVAILABLE';

export interface RunningPubSubEmulator {
  /** `127.0.0.1:PORT`, the value for PUBSUB_EMULATOR_HOST. */
  readonly host: string;
  stop(): void;
}

export type PubSubEmulatorStart =
  | { readonly ok: true; readonly emulator: RunningPubSubEmulator }
  | { readonly ok: false; readonly reason: string };

export function pubsubUnavailableNotice(reason: string): string {
  return `PUB/SUB EMULATOR UNAVAILABLE (${reason}): the Pub/Sub push suite is SKIPPED. Install the Cloud SDK's pubsub emulator (apt-get install google-cloud-cli-pubsub-emulator; bash scripts/setup.sh does) and Java.`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts an emulator on a free port; waits until it answers (the script waits up to 60 s). */
export async function startPubSubEmulator(label: string): Promise<PubSubEmulatorStart> {
  const port = await freePort();
  const pidFile = path.join(os.tmpdir(), `${label}-pubsub-emulator-${process.pid}.pid`);
  const env = { ...process.env, PUBSUB_EMULATOR_PID_FILE: pidFile };
  const r = spawnSync('bash', [SCRIPT, 'start', String(port)], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) {
    const said = `${r.stderr ?? ''}`.trim().split('\n').pop() ?? '';
    return { ok: false, reason: said.replace(/^pubsub-emulator: /, '') || 'it did not start' };
  }
  return {
    ok: true,
    emulator: {
      host: `127.0.0.1:${port}`,
      stop: () => {
        spawnSync('bash', [SCRIPT, 'stop'], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
        fs.rmSync(pidFile, { force: true });
        fs.rmSync(pidFile.replace(/\.pid$/, '.log'), { force: true });
      },
    },
  };
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
