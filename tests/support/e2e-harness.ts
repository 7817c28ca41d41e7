// End-to-end harness: both simulators over HTTP, the real connector started through
// server.ts (real adapters, memory store, local queue reading queue.yaml), cron routes
// fired over HTTP with the cron header. Tests drive rounds explicitly; nothing sleeps.
import { Writable } from 'node:stream';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google-simulator';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira-simulator';
import { startServer, type RunningConnector } from '../../src/server';
import { createLogger } from '../../src/adapters/log/pino-logger';
import { systemTimer } from '../../src/adapters/local/local-task-queue';
import type { MappingStore } from '../../src/ports/mapping-store';

export const PARENT = 'organizations/123456789012';

export interface Harness {
  google: GoogleSimulator;
  jira: JiraSimulator;
  connector: RunningConnector;
  /** Every log line the connector wrote (JSON objects). */
  logs: Record<string, unknown>[];
  cron(path: string): Promise<{ status: number; body: unknown }>;
  /** Both polls, then wait for the queue to drain. */
  round(): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(opts: { env?: Record<string, string>; duplicateDelivery?: number; store?: MappingStore; jiraOptions?: Parameters<typeof startJiraSimulator>[0] } = {}): Promise<Harness> {
  const google = await startGoogleSimulator();
  const jira = await startJiraSimulator(opts.jiraOptions);
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  const queueEpoch = Date.now();
  const connector = await startServer(
    {
      PORT: '0',
      SUPPORT_PARENT: PARENT,
      SUPPORT_CLASSIFICATION_ID: 'sandbox-classification',
      CLOUDSUPPORT_EMULATOR_HOST: google.host,
      CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.apiToken,
      JIRA_PROJECT_KEY: 'SUP',
      STORE: 'memory',
      TASK_QUEUE: 'local',
      SCHEDULER: 'off',
      ...opts.env,
    },
    { logger: createLogger({ level: 'debug', destination: sink }), store: opts.store, localQueueOptions: {
        duplicateDelivery: opts.duplicateDelivery,
        // The queue's own clock runs 100× faster, so queue.yaml's backoff (seconds) passes
        // within a test; the connector and the simulators keep real time.
        clock: { now: () => new Date(queueEpoch + (Date.now() - queueEpoch) * 100) },
        setTimer: (fn, ms) => systemTimer(fn, ms / 100),
      },
    },
  );
  const cron = async (path: string) => {
    const res = await fetch(`${connector.url}${path}`, { headers: { 'X-Appengine-Cron': 'true' } });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  const drain = async () => {
    await connector.localQueue?.idle();
  };
  return {
    google,
    jira,
    connector,
    logs,
    cron,
    round: async () => {
      const g = await cron('/tasks/poll-google');
      const c = await cron('/tasks/poll-company');
      if (g.status !== 200 || c.status !== 200) throw new Error(`poll failed: google ${g.status}, company ${c.status}`);
      await drain();
    },
    close: async () => {
      await connector.close();
      await Promise.all([google.close(), jira.close()]);
    },
  };
}
