// Section 4: process start to the first 200 on /healthz, and RSS then, for the production
// entry point (node dist/src/server.js) in several wirings, with a process that first loads
// the whole googleapis package as the comparison. Several runs each; medians reported.
import { freePort, median, procCpuMs, procMemory, spawnConnector, waitFor200 } from './proc';
import { startDatastoreEmulator } from '../tests/support/datastore-emulator';
import { mb, ms, row, type Row } from './table';

export const STARTUP_BAR_MS = 500;

interface Variant {
  readonly name: string;
  readonly env: Record<string, string>;
  readonly nodeArgs?: readonly string[];
  readonly barred: boolean;
}

/** Nothing listens there: adapters must not call out at start-up, so nothing waits on it. */
const UNREACHABLE_HOST = '127.0.0.1:9';

const COMMON: Record<string, string> = {
  SUPPORT_PARENT: 'organizations/123456789012',
  SUPPORT_CLASSIFICATION_ID: 'bench-classification',
  JIRA_BASE_URL: `http://${UNREACHABLE_HOST}`,
  JIRA_EMAIL: 'connector@example.com',
  JIRA_API_TOKEN: 'bench-token',
  JIRA_PROJECT_KEY: 'SUP',
  SCHEDULER: 'off',
  LOG_LEVEL: 'warn',
  LOG_FORMAT: 'json', // as on App Engine
  // No Google metadata server here: do not let a credentials lookup wait for one.
  METADATA_SERVER_DETECTION: 'none',
};

interface Emulator {
  readonly host: string;
  readonly note: string;
  stop(): void;
}

/**
 * The Datastore emulator: the one named by DATASTORE_EMULATOR_HOST, else one started with
 * scripts/datastore-emulator.sh (own PID file and port) when `mayStart`; null otherwise.
 */
async function datastoreEmulator(mayStart: boolean): Promise<Emulator | null> {
  const given = process.env.DATASTORE_EMULATOR_HOST;
  if (given)
    return { host: given, note: `DATASTORE_EMULATOR_HOST=${given}`, stop: () => undefined };
  if (!mayStart) return null;
  const started = await startDatastoreEmulator('bench');
  if (!started.ok) return null;
  return {
    host: started.emulator.host,
    note: `emulator started by the bench on ${started.emulator.host}`,
    stop: () => started.emulator.stop(),
  };
}

async function runOnce(v: Variant): Promise<{ ms: number; cpuMs: number; rss: number }> {
  const port = await freePort();
  const conn = spawnConnector({ ...v.env, PORT: String(port) }, v.nodeArgs ?? []);
  try {
    const at = await waitFor200(`http://127.0.0.1:${port}/healthz`, conn.child);
    const pid = conn.child.pid as number;
    const cpuMs = procCpuMs(pid);
    const mem = procMemory(pid);
    return { ms: at - conn.spawnedAt, cpuMs, rss: mem?.rssBytes ?? Number.NaN };
  } catch (e) {
    throw new Error(`${v.name}: ${e instanceof Error ? e.message : String(e)}\n${conn.output()}`);
  } finally {
    await conn.stop();
  }
}

export async function runStartup(runs: number, mayStartEmulator: boolean): Promise<Row[]> {
  const rows: Row[] = [];
  const emulator = await datastoreEmulator(mayStartEmulator);
  try {
    const production: Record<string, string> = {
      ...COMMON,
      STORE: 'datastore',
      TASK_QUEUE: 'cloud-tasks',
      GOOGLE_CLOUD_PROJECT: 'bench-project',
      ...(emulator
        ? { DATASTORE_EMULATOR_HOST: emulator.host, DATASTORE_PROJECT_ID: 'bench-project' }
        : {}),
    };
    const variants: Variant[] = [
      {
        name: 'sandbox wiring: memory store, local queue',
        env: {
          ...COMMON,
          STORE: 'memory',
          TASK_QUEUE: 'local',
          CLOUDSUPPORT_EMULATOR_HOST: UNREACHABLE_HOST,
        },
        barred: true,
      },
      {
        name: 'production wiring: datastore, cloud-tasks, ADC',
        env: production,
        barred: true,
      },
      {
        name: 'production wiring + require("googleapis")',
        env: production,
        nodeArgs: ['--require', 'googleapis'],
        barred: false,
      },
    ];
    // One unmeasured start first: the first read of dist/ and node_modules from disk is not start-up cost.
    await runOnce(variants[0] as Variant);
    const medians: number[] = [];
    for (const v of variants) {
      const times: number[] = [];
      const cpu: number[] = [];
      const rss: number[] = [];
      for (let i = 0; i < runs; i++) {
        const r = await runOnce(v);
        times.push(r.ms);
        cpu.push(r.cpuMs);
        rss.push(r.rss);
      }
      const t = median(times);
      medians.push(t);
      rows.push(
        row(
          '4',
          v.name,
          `spawn → first /healthz 200 (median of ${runs}, min–max)`,
          `${ms(t)} (${ms(Math.min(...times))}–${ms(Math.max(...times))})`,
          v.barred ? { text: `< ${STARTUP_BAR_MS} ms`, ok: t < STARTUP_BAR_MS } : undefined,
        ),
        row('4', v.name, 'CPU time user+sys to first 200 (median)', ms(median(cpu))),
        row('4', v.name, 'RSS at first 200 (median)', mb(median(rss))),
      );
    }
    const [, prod, full] = medians;
    if (prod !== undefined && full !== undefined) {
      rows.push(
        row('4', 'whole googleapis vs deep import', 'extra start-up time', `+${ms(full - prod)}`),
      );
    }
    rows.push(
      row(
        '4',
        'production wiring',
        'Datastore emulator',
        emulator ? emulator.note : 'none (the store connects on first use)',
      ),
    );
  } finally {
    emulator?.stop();
  }
  return rows;
}
