// Starts and stops a private emulator through its script (scripts/datastore-emulator.sh,
// scripts/pubsub-emulator.sh: the Cloud SDK's jar, own port and PID file), for jest's global
// set-up and the bench. Says why when the emulator cannot be had on this machine (no Cloud
// SDK component, no Java), so callers can say so loudly instead of skipping silently.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');

export interface RunningEmulator {
  /** `127.0.0.1:PORT`, the value for DATASTORE_EMULATOR_HOST or PUBSUB_EMULATOR_HOST. */
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

/** One of the emulator scripts (scripts/emulator-lib.sh): its name and its PID-file variable. */
export interface EmulatorScript {
  /** `datastore-emulator` or `pubsub-emulator`: scripts/NAME.sh, and its messages' prefix. */
  readonly name: string;
  /** The variable that gives the script its PID file (so several runs can coexist). */
  readonly pidFileVar: string;
}

/**
 * Starts an emulator script on a free port with its own PID file; waits until it answers
 * (the script waits up to 60 s). On failure, the script's last word is the reason.
 */
export async function startEmulatorScript(
  script: EmulatorScript,
  label: string,
): Promise<EmulatorStart> {
  const port = await freePort();
  const file = path.join(REPO, 'scripts', `${script.name}.sh`);
  const pidFile = path.join(os.tmpdir(), `${label}-${script.name}-${process.pid}.pid`);
  const env = { ...process.env, [script.pidFileVar]: pidFile };
  const r = spawnSync('bash', [file, 'start', String(port)], {
    cwd: REPO,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (r.status !== 0) {
    const said = `${r.stderr ?? ''}`.trim().split('\n').pop() ?? '';
    return { ok: false, reason: said.replace(`${script.name}: `, '') || 'it did not start' };
  }
  return {
    ok: true,
    emulator: {
      host: `127.0.0.1:${port}`,
      stop: () => {
        spawnSync('bash', [file, 'stop'], { cwd: REPO, env, encoding: 'utf8', timeout: 60_000 });
        fs.rmSync(pidFile, { force: true });
        fs.rmSync(pidFile.replace(/\.pid$/, '.log'), { force: true });
      },
    },
  };
}

/** Starts a Datastore emulator on a free port (scripts/datastore-emulator.sh). */
export function startDatastoreEmulator(label: string): Promise<EmulatorStart> {
  return startEmulatorScript(
    { name: 'datastore-emulator', pidFileVar: 'DATASTORE_EMULATOR_PID_FILE' },
    label,
  );
}
