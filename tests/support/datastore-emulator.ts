// Starts and stops a private Datastore emulator through scripts/datastore-emulator.sh (the
// Cloud SDK's jar, own port and PID file), for jest's global set-up and the bench. Says why
// when the emulator cannot be had on this machine (no Cloud SDK, no Java), so callers can
// say so loudly instead of skipping silently.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(REPO, 'scripts', 'datastore-emulator.sh');

export interface RunningEmulator {
  /** `127.0.0.1:PORT`, the value for DATASTORE_EMULATOR_HOST. */
  readonly host: string;
  stop(): void;
}

export type EmulatorStart =
  | { readonly ok: true; readonly emulator: RunningEmulator }
  | { readonly ok: false; readonly reason: string };

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
export async function startDatastoreEmulator(label: string): Promise<EmulatorStart> {
  const port = await freePort();
  const pidFile = path.join(os.tmpdir(), `${label}-datastore-emulator-${process.pid}.pid`);
  const env = { ...process.env, DATASTORE_EMULATOR_PID_FILE: pidFile };
  const r = spawnSync('bash', [SCRIPT, 'start', String(port)], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) {
    const said = `${r.stderr ?? ''}`.trim().split('\n').pop() ?? '';
    return { ok: false, reason: said.replace(/^datastore-emulator: /, '') || 'it did not start' };
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
