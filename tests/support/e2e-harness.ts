// End-to-end harness: both simulators over HTTP, the real connector started through
// server.ts (real adapters, memory store, local queue reading queue.yaml), cron routes
// fired over HTTP with the cron header. Tests drive rounds explicitly; nothing sleeps.
import { Writable } from 'node:stream';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';
import { startServer, type RunningConnector } from '../../src/server';
import { createLogger } from '../../src/adapters/log/pino-logger';
import {
  systemTimer,
  type TaskOutcome as QueueTaskOutcome,
} from '../../src/adapters/local/local-task-queue';
import type { RetryPolicy } from '../../src/adapters/retry';
import type { Clock } from '../../src/ports/clock';
import type { MappingStore } from '../../src/ports/mapping-store';
import {
  jiraConnectorEnv,
  jiraTexts,
  jiraWorld,
  type CrmWorld,
  type DeskDriver,
  type StartedDesk,
} from './crm-worlds';

export const PARENT = 'organizations/123456789012';

/** A harness on any CRM world (crm-worlds.ts). */
export interface DeskHarness {
  google: GoogleSimulator;
  /** The CRM's simulator, its driver and its connector env. */
  crm: StartedDesk;
  /** A person working in the CRM. */
  desk: DeskDriver;
  connector: RunningConnector;
  /** Every log line the connector wrote (JSON objects). */
  logs: Record<string, unknown>[];
  cron(path: string): Promise<{ status: number; body: unknown }>;
  /** Both polls, then wait for the queue to drain. */
  round(): Promise<void>;
  close(): Promise<void>;
}

/** The Jira harness (the default world). */
export interface Harness extends DeskHarness {
  jira: JiraSimulator;
}

export interface ConnectorOptions {
  env?: Record<string, string>;
  duplicateDelivery?: number;
  store?: MappingStore;
  /** Called with the outcome of every delivery attempt of the local queue. */
  onQueueOutcome?: (info: QueueTaskOutcome) => void;
  /** The connector's clock (real time by default; the queue keeps its own 100× clock). */
  clock?: Clock;
  /** The adapters' retry policy (e.g. an onRetry counter). */
  adapterRetry?: RetryPolicy;
}

/** A writable that parses the connector's JSON log lines into `logs`. */
export function logSink(logs: Record<string, unknown>[]): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n'))
        if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
}

/**
 * One connector (server.ts, local queue with a 100×-fast clock, scheduler off) wired to
 * the Google simulator and a CRM (a Jira simulator, or any started world), logging into
 * `logs`. Several may share the simulators (and a store).
 */
export async function startConnector(
  google: GoogleSimulator,
  crm: JiraSimulator | StartedDesk,
  logs: Record<string, unknown>[],
  opts: ConnectorOptions = {},
): Promise<RunningConnector> {
  const queueEpoch = Date.now();
  return startServer(
    {
      PORT: '0',
      SUPPORT_PARENT: PARENT,
      SUPPORT_CLASSIFICATION_ID: 'sandbox-classification',
      CLOUDSUPPORT_EMULATOR_HOST: google.host,
      CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
      ...('connectorEnv' in crm ? crm.connectorEnv : jiraConnectorEnv(crm)),
      STORE: 'memory',
      TASK_QUEUE: 'local',
      SCHEDULER: 'off',
      ...opts.env,
    },
    {
      logger: createLogger({ level: 'debug', destination: logSink(logs) }),
      store: opts.store,
      clock: opts.clock,
      adapterRetry: opts.adapterRetry,
      localQueueOptions: {
        duplicateDelivery: opts.duplicateDelivery,
        onOutcome: opts.onQueueOutcome,
        // The queue's own clock runs 100× faster, so queue.yaml's backoff (seconds) passes
        // within a test; the connector keeps real time (or the clock it is given).
        clock: { now: () => new Date(queueEpoch + (Date.now() - queueEpoch) * 100) },
        setTimer: (fn, ms) => systemTimer(fn, ms / 100),
      },
    },
  );
}

/** GET a cron route of `connector` with the cron header. */
export async function cronOn(
  connector: RunningConnector,
  path: string,
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${connector.url}${path}`, { headers: { 'X-Appengine-Cron': 'true' } });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

type HarnessOptions = ConnectorOptions & {
  googleOptions?: Parameters<typeof startGoogleSimulator>[0];
};

export async function startHarness(
  opts?: HarnessOptions & { jiraOptions?: Parameters<typeof startJiraSimulator>[0] },
): Promise<Harness>;
export async function startHarness<O>(
  opts: HarnessOptions & { world: CrmWorld<unknown, O>; crmOptions?: O },
): Promise<DeskHarness>;
export async function startHarness(
  opts: HarnessOptions & {
    jiraOptions?: Parameters<typeof startJiraSimulator>[0];
    world?: CrmWorld;
    crmOptions?: unknown;
  } = {},
): Promise<DeskHarness> {
  const google = await startGoogleSimulator(opts.googleOptions);
  const crm = opts.world
    ? await opts.world.start(opts.crmOptions)
    : await jiraWorld.start(opts.jiraOptions);
  const logs: Record<string, unknown>[] = [];
  const connector = await startConnector(google, crm, logs, {
    ...opts,
    clock: opts.clock ?? crm.clock,
  });
  const cron = (path: string) => cronOn(connector, path);
  const drain = async () => {
    await connector.localQueue?.idle();
  };
  return {
    google,
    crm,
    desk: crm.driver,
    ...(crm.crm === 'jira' ? { jira: crm.sim as JiraSimulator } : {}),
    connector,
    logs,
    cron,
    round: async () => {
      const g = await cron('/tasks/poll-google');
      const c = await cron('/tasks/poll-company');
      if (g.status !== 200 || c.status !== 200)
        throw new Error(`poll failed: google ${g.status}, company ${c.status}`);
      await drain();
    },
    close: async () => {
      await connector.close();
      // Every e2e test also proves that no log line holds a case text, comment body, file
      // name or credential that crossed the connector (SPEC §5, security).
      const leaked = leakedInto(
        logs,
        sensitiveTexts([...googleTexts(google), ...crm.texts()], [...crm.secrets, google.token]),
      );
      await Promise.all([google.close(), crm.close()]);
      if (leaked.length > 0)
        throw new Error(
          `log lines hold ${leaked.length} sensitive text(s), e.g. ${JSON.stringify(leaked[0]!.slice(0, 40))}`,
        );
    },
  };
}

/** Texts held by the simulators (case and ticket texts, comment bodies, file names) plus secrets. */
export function peopleTexts(
  google: GoogleSimulator,
  jira: JiraSimulator,
  secrets: readonly string[],
): string[] {
  return sensitiveTexts([...googleTexts(google), ...jiraTexts(jira)], secrets);
}

/** Texts people wrote in the Google simulator (case texts, comment bodies, file names). */
function googleTexts(google: GoogleSimulator): string[] {
  return google.listCases().flatMap((c) => {
    const d = google.getCase(c.name);
    return [
      d.displayName,
      d.description,
      ...d.comments.map((x) => x.body),
      ...d.attachments.map((a) => a.filename),
    ];
  });
}

/** Lines of `texts` plus `secrets`, long enough not to match a log message's own words by chance. */
function sensitiveTexts(texts: readonly string[], secrets: readonly string[]): string[] {
  return [
    ...new Set(
      [...secrets, ...texts]
        .flatMap((t) => t.split('\n'))
        .map((t) => t.trim())
        .filter((t) => t.length >= 8),
    ),
  ];
}

/** The texts that appear in any captured log line. */
export function leakedInto(
  logs: readonly Record<string, unknown>[],
  texts: readonly string[],
): string[] {
  const all = JSON.stringify(logs);
  return texts.filter((t) => all.includes(JSON.stringify(t).slice(1, -1)));
}
