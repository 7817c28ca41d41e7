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
  jiraWorld,
  type CrmWorld,
  type DeskDriver,
  type StartedDesk,
} from './crm-worlds';

export const PARENT = 'organizations/123456789012';

/**
 * A harness on any CRM world (crm-worlds.ts). The Google simulator, the CRM simulator and
 * the connector read one clock, the world's (`crm.clock`), that a test moves forward.
 */
export interface DeskHarness<S = unknown> {
  google: GoogleSimulator;
  /** The CRM's simulator, its driver, its clock and its connector env. */
  crm: StartedDesk<S>;
  /** A person working in the CRM. */
  desk: DeskDriver;
  connector: RunningConnector;
  /** Every log line the connector wrote (JSON objects). */
  logs: Record<string, unknown>[];
  cron(path: string): Promise<{ status: number; body: unknown }>;
  /** Both polls, then wait for the queue to drain. */
  round(): Promise<void>;
  /**
   * Moves the world's clock `ms` forward; with `queueTime: 'world'`, the queue's timers
   * (retry backoff, rate) that fall due on the way fire, and nothing else does.
   */
  advance(ms: number): void;
  /**
   * With `queueTime: 'world'`: waits until no task is in flight and no queue timer is due,
   * so that the next cron call meets a quiet connector (deterministic, no sleep).
   */
  settle(): Promise<void>;
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
  /**
   * The connector's clock (default: the world's clock with a started world, else real
   * time; the queue keeps its own 100× clock).
   */
  clock?: Clock;
  /** The adapters' retry policy (e.g. an onRetry counter). */
  adapterRetry?: RetryPolicy;
  /**
   * The local queue's time: `fast` (default) runs its own clock 100× faster than real time,
   * so queue.yaml's backoff passes within a test; with `timers` (WorldTimers) its timers
   * fire only when the test says so, on the world's clock.
   */
  queueTimers?: WorldTimers;
}

/**
 * Timers on a clock the test moves: set by the local queue (its backoff and rate waits),
 * fired only by `fireDue()`, in due order. Between two calls the queue is quiet, so what a
 * cron route meets does not depend on how fast the machine is.
 */
export class WorldTimers {
  private seq = 0;
  private readonly timers = new Map<number, { at: number; fn: () => void }>();

  constructor(readonly clock: Clock) {}

  readonly setTimer = (fn: () => void, ms: number): (() => void) => {
    const id = ++this.seq;
    this.timers.set(id, { at: this.clock.now().getTime() + Math.max(0, ms), fn });
    return () => {
      this.timers.delete(id);
    };
  };

  /** Fires every timer due by the clock's now, earliest first; returns how many fired. */
  fireDue(): number {
    let fired = 0;
    for (;;) {
      const now = this.clock.now().getTime();
      let best: [number, { at: number; fn: () => void }] | undefined;
      for (const e of this.timers) if (e[1].at <= now && (!best || e[1].at < best[1].at)) best = e;
      if (!best) return fired;
      this.timers.delete(best[0]);
      best[1].fn();
      fired += 1;
    }
  }
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
      clock: opts.clock ?? ('clock' in crm ? crm.clock : undefined),
      adapterRetry: opts.adapterRetry,
      localQueueOptions: {
        duplicateDelivery: opts.duplicateDelivery,
        onOutcome: opts.onQueueOutcome,
        ...(opts.queueTimers
          ? { clock: opts.queueTimers.clock, setTimer: opts.queueTimers.setTimer }
          : {
              // The queue's own clock runs 100× faster, so queue.yaml's backoff (seconds)
              // passes within a test; the connector keeps real time (or the clock it is given).
              clock: { now: () => new Date(queueEpoch + (Date.now() - queueEpoch) * 100) },
              setTimer: (fn: () => void, ms: number) => systemTimer(fn, ms / 100),
            }),
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

type HarnessOptions = Omit<ConnectorOptions, 'queueTimers'> & {
  googleOptions?: Parameters<typeof startGoogleSimulator>[0];
  /** The local queue's time: 100× real time (default), or the world's clock (see WorldTimers). */
  queueTime?: 'fast' | 'world';
};

export async function startHarness(
  opts?: HarnessOptions & { jiraOptions?: Parameters<typeof startJiraSimulator>[0] },
): Promise<Harness>;
export async function startHarness<S, O>(
  opts: HarnessOptions & { world: CrmWorld<S, O>; crmOptions?: O },
): Promise<DeskHarness<S>>;
export async function startHarness(
  opts: HarnessOptions & {
    jiraOptions?: Parameters<typeof startJiraSimulator>[0];
    world?: CrmWorld<unknown, unknown>;
    crmOptions?: unknown;
  } = {},
): Promise<DeskHarness> {
  const crm = opts.world
    ? await opts.world.start(opts.crmOptions)
    : await jiraWorld.start(opts.jiraOptions);
  const google = await startGoogleSimulator({ now: crm.clock.now, ...opts.googleOptions });
  const logs: Record<string, unknown>[] = [];
  const timers = opts.queueTime === 'world' ? new WorldTimers(crm.clock) : undefined;
  const connector = await startConnector(google, crm, logs, { ...opts, queueTimers: timers });
  const cron = (path: string) => cronOn(connector, path);
  const drain = async () => {
    await connector.localQueue?.idle();
  };
  const settle = async () => {
    if (!timers) throw new Error("settle() needs startHarness({ queueTime: 'world' })");
    do await connector.localQueue?.settled();
    while (timers.fireDue() > 0);
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
    advance: (ms) => {
      crm.clock.advance(ms);
      timers?.fireDue();
    },
    settle,
    close: async () => {
      await connector.close();
      // Every e2e test also proves that no log line holds a case text, comment body, file
      // name or credential that crossed the connector (SPEC §5, security).
      const leaked = leakedInto(logs, peopleTexts(google, crm));
      await Promise.all([google.close(), crm.close()]);
      if (leaked.length > 0)
        throw new Error(
          `log lines hold ${leaked.length} sensitive text(s), e.g. ${JSON.stringify(leaked[0]!.slice(0, 40))}`,
        );
    },
  };
}

/** Texts held by the simulators (case and ticket texts, comment bodies, file names) plus secrets. */
export function peopleTexts(google: GoogleSimulator, crm: StartedDesk): string[] {
  return sensitiveTexts([...googleTexts(google), ...crm.texts()], [...crm.secrets, google.token]);
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
