// The only module that reads process.env and wires real adapters (STYLE.md); the adapter
// builders it shares with the admin service and the doctor are in wiring.ts.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { JWTVerifyGetKey } from 'jose';
import { buildAdminApp, buildApp, type AdminPage } from './app';
import { ConfigError, loadAdminConfig, loadConfig, type Config, type CrmName } from './config';
import { createLogger } from './adapters/log/pino-logger';
import type { LocalTaskQueue, SetTimer } from './adapters/local/local-task-queue';
import type { LocalScheduler } from './adapters/local/local-scheduler';
import { lazyPort, type Lazy } from './adapters/lazy';
import { systemClock } from './adapters/system-clock';
import {
  CONFIG_DIR,
  makeCloudTasks,
  makeCrm,
  makeDatastore,
  makeMemoryStore,
  makeSupport,
  makeWebhooks,
} from './wiring';
import type { MappingStore } from './ports/mapping-store';
import type { TaskQueue } from './ports/task-queue';
import type { Clock } from './ports/clock';
import type { RetryPolicy } from './adapters/retry';

export interface RunningConnector {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: Config;
  readonly store: MappingStore;
  readonly queue: TaskQueue;
  /** Present with TASK_QUEUE=local. */
  readonly localQueue: LocalTaskQueue | null;
  readonly scheduler: LocalScheduler | null;
  /** Resolves once every adapter is built (secrets read, clients loaded); rejects on a bad one. */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: FastifyBaseLogger;
  /** Overrides for tests: a shared store, a queue option such as duplicate delivery. */
  readonly store?: MappingStore;
  /** The connector's clock (tests that move time, e.g. outage detection). Real time by default. */
  readonly clock?: Clock;
  readonly localQueueOptions?: {
    duplicateDelivery?: number;
    setTimer?: SetTimer;
    clock?: { now(): Date };
    onOutcome?: ConstructorParameters<typeof LocalTaskQueue>[0]['onOutcome'];
  };
  readonly host?: string;
  /** The adapters' retry policy (tests shorten waits with an injected sleep). */
  readonly adapterRetry?: RetryPolicy;
  /** Keys for Pub/Sub push tokens instead of Google's (the sandbox's OIDC relay). */
  readonly googlePushKeys?: JWTVerifyGetKey;
}

/** Builds every adapter from the environment, starts listening, then the local queue and scheduler if configured. */
export async function startServer(
  env: Readonly<Record<string, string | undefined>>,
  opts: StartOptions = {},
): Promise<RunningConnector> {
  const config = loadConfig(env);
  const logger = opts.logger ?? createLogger(config.log);
  for (const warning of config.warnings)
    logger.warn({ crm: config.crm, warning }, 'configuration warning');
  if (config.ignoredVariables.length > 0)
    logger.info(
      { crm: config.crm, ignored: config.ignoredVariables },
      'variables of the other CRM are ignored',
    );

  // Adapters are built after listen (see lazy.ts): the first /healthz does not wait for
  // the client libraries, and main() still fails the boot if one cannot be built.
  const lazies: Lazy<unknown>[] = [];
  const later = <T extends object>(build: () => Promise<T>): T => {
    const l = lazyPort(build);
    lazies.push(l);
    return l.port;
  };
  // The adapters read time (Retry-After dates, the upstream budgets' resets) on the
  // connector's clock, so a test that moves it moves theirs too.
  const clock = opts.clock;
  const adapterRetry: RetryPolicy | undefined =
    clock === undefined || opts.adapterRetry?.now !== undefined
      ? opts.adapterRetry
      : { ...opts.adapterRetry, now: () => clock.now().getTime() };
  const support = later(() => makeSupport(config, env, adapterRetry));
  const crm = later(() => makeCrm(config, adapterRetry, logger));
  const store =
    opts.store ?? later(() => (config.store === 'memory' ? makeMemoryStore() : makeDatastore(env)));
  const ready = () => Promise.all(lazies.map((l) => l.ready())).then(() => undefined);

  // The queue needs the app's URL, known only after listen: route enqueues through a holder.
  let queue: TaskQueue | null = null;
  const queueRef: TaskQueue = { enqueue: (task, o) => (queue as TaskQueue).enqueue(task, o) };
  const app = buildApp({
    support,
    crm,
    store,
    queue: queueRef,
    clock: opts.clock ?? systemClock,
    settings: config.settings,
    logger,
    newId: randomUUID,
    traceProject: config.cloudTasks.project ?? undefined,
    warmup: ready,
    ...(config.adminPage === 'local' ? { admin: await localAdminPage(config) } : {}),
    webhooks: makeWebhooks(config, later, logger, opts.googlePushKeys),
  });
  const address = await app.listen({
    port: config.port,
    host: opts.host ?? (config.onAppEngine ? '0.0.0.0' : '127.0.0.1'),
  });
  const url = address.replace('0.0.0.0', '127.0.0.1');

  let localQueue: LocalTaskQueue | null = null;
  if (config.taskQueue === 'local') {
    const [{ LocalTaskQueue }, { loadQueueConfig }] = await Promise.all([
      import('./adapters/local/local-task-queue'),
      import('./adapters/local/gae-yaml'),
    ]);
    const queues = loadQueueConfig(path.join(CONFIG_DIR, 'queue.yaml'));
    const q = queues.find((x) => x.name === config.cloudTasks.queue) ?? queues[0];
    if (!q) throw new ConfigError(['queue.yaml defines no queue']);
    localQueue = new LocalTaskQueue({ baseUrl: url, queue: q, logger, ...opts.localQueueOptions });
    queue = localQueue;
  } else {
    queue = later(() => makeCloudTasks(config));
  }
  let scheduler: LocalScheduler | null = null;
  if (config.scheduler === 'local') {
    const [{ LocalScheduler }, { loadCronConfig }] = await Promise.all([
      import('./adapters/local/local-scheduler'),
      import('./adapters/local/gae-yaml'),
    ]);
    scheduler = new LocalScheduler({
      baseUrl: url,
      jobs: loadCronConfig(path.join(CONFIG_DIR, 'cron.yaml')),
      logger,
    });
    scheduler.start();
  }
  logger.info(
    {
      url,
      store: config.store,
      taskQueue: config.taskQueue,
      scheduler: config.scheduler,
      dryRun: config.settings.dryRun,
    },
    'connector listening',
  );
  return {
    app,
    url,
    config,
    store,
    queue: queueRef,
    localQueue,
    scheduler,
    ready,
    close: async () => {
      scheduler?.stop();
      // Give in-flight deliveries a moment; a task that keeps failing is retried forever, so do not wait for idle.
      if (localQueue)
        await Promise.race([
          localQueue.idle(),
          new Promise((r) => setTimeout(r, 2000).unref()),
        ]).catch(() => undefined);
      localQueue?.close();
      await app.close();
    },
  };
}

/** The sandbox's status page: no IAP (the page says so in red), links to the simulators. */
async function localAdminPage(config: Config): Promise<AdminPage> {
  const { noIapIdentity } = await import('./adapters/iap/iap-admin-identity');
  return {
    identity: noIapIdentity,
    links: adminLinks(config.google.emulatorHost, {
      crm: config.crm,
      baseUrl:
        config.crm === 'zendesk'
          ? (config.zendesk?.baseUrl ?? null)
          : config.crm === 'servicenow'
            ? (config.servicenow?.instanceUrl ?? null)
            : config.jira.baseUrl,
      table: config.servicenow?.table ?? null,
    }),
  };
}

/** Where the status page's links go: the CRM and its base URL (null: no ticket links). */
interface CrmLinkTarget {
  readonly crm: CrmName;
  readonly baseUrl: string | null;
  /** CRM=servicenow: the table the tickets live in. */
  readonly table?: string | null;
}

/**
 * The status page's links. With the Cloud Support simulator (the sandbox) a Zendesk ticket
 * links to the Zendesk simulator's control view of it, which has no agent UI.
 */
export function adminLinks(emulatorHost: string | null, target: CrmLinkTarget): AdminPage['links'] {
  const base = target.baseUrl || null;
  const crmTicket = (key: string): string => {
    if (base === null) return '#';
    const id = encodeURIComponent(key);
    if (target.crm === 'servicenow') {
      const sn = base.replace(/\/+$/, '');
      if (emulatorHost) return `${sn}/_control/records/${id}`;
      // A ticket is named by its number (INC0010001) once known, else by its sys_id.
      const table = encodeURIComponent(target.table ?? 'incident');
      return /^[0-9a-f]{32}$/.test(key)
        ? `${sn}/${table}.do?sys_id=${id}`
        : `${sn}/${table}.do?sysparm_query=number%3D${id}`;
    }
    if (target.crm !== 'zendesk') return `${base}/browse/${id}`;
    const zd = base.replace(/\/+$/, '');
    return emulatorHost ? `${zd}/_control/tickets/${id}` : `${zd}/agent/tickets/${id}`;
  };
  return {
    googleCase: (name) =>
      emulatorHost
        ? `http://${emulatorHost}/_control/cases/${encodeURIComponent(name.split('/').pop() ?? '')}`
        : `https://console.cloud.google.com/support/cases/detail/v2/${encodeURIComponent(name.split('/').pop() ?? '')}`,
    crmTicket,
  };
}

export interface RunningAdmin {
  readonly app: FastifyInstance;
  readonly url: string;
  close(): Promise<void>;
}

/** SERVICE_ROLE=admin (admin.yaml): the status page behind IAP, on the connector's store and queue. */
export async function startAdminServer(
  env: Readonly<Record<string, string | undefined>>,
): Promise<RunningAdmin> {
  const config = loadAdminConfig(env);
  const logger = createLogger(config.log);
  const [{ IapAdminIdentity, noIapIdentity }, store] = await Promise.all([
    import('./adapters/iap/iap-admin-identity'),
    config.store === 'memory' ? makeMemoryStore() : makeDatastore(env),
  ]);
  const identity = config.iapAudience
    ? new IapAdminIdentity({
        audience: config.iapAudience,
        onRefused: (reason) => logger.warn({ reason }, 'IAP assertion refused'),
      })
    : noIapIdentity;
  let queue: TaskQueue;
  if (config.taskQueue === 'cloud-tasks') {
    queue = await makeCloudTasks(config);
  } else {
    // Off App Engine without a connector beside it: "sync now" is logged, not delivered.
    queue = {
      enqueue: async (task) =>
        logger.info({ task: task.kind }, 'sync task not delivered (no queue)'),
    };
  }
  const app = buildAdminApp({
    store,
    queue,
    clock: systemClock,
    logger,
    identity,
    links: adminLinks(null, {
      crm: config.crm,
      baseUrl: config.crmBaseUrl,
      table: config.crmTable,
    }),
  });
  const address = await app.listen({
    port: config.port,
    host: config.onAppEngine ? '0.0.0.0' : '127.0.0.1',
  });
  logger.info({ url: address, iap: identity.iap }, 'status page listening');
  return { app, url: address, close: () => app.close() };
}

/** How long after listening main() builds the adapters (the boot check). */
const BOOT_CHECK_DELAY_MS = 1000;

/** `--doctor` (npm run doctor): the go-live checklist, with this process's environment. */
async function doctorMain(): Promise<void> {
  const { runDoctor } = await import('./doctor');
  const register = process.argv.find((a) => a.startsWith('--register-webhooks'));
  const result = await runDoctor(process.env, {
    json: process.argv.includes('--json'),
    ...(register === undefined ? {} : { registerWebhooks: register.split('=').slice(1).join('=') }),
  });
  process.stdout.write(result.output);
  process.exit(result.exitCode);
}

async function main(): Promise<void> {
  if (process.argv.includes('--doctor')) {
    await doctorMain().catch((e: unknown) => {
      process.stderr.write(`doctor failed: ${e instanceof Error ? e.message : 'unknown error'}\n`);
      process.exit(1);
    });
    return;
  }
  try {
    if (process.env.SERVICE_ROLE === 'admin') {
      const admin = await startAdminServer(process.env);
      const stopAdmin = () => void admin.close().finally(() => process.exit(0));
      process.once('SIGTERM', stopAdmin);
      process.once('SIGINT', stopAdmin);
      return;
    }
    const running = await startServer(process.env);
    // Read the secret and load the clients at start, not at the first task, so a bad secret
    // fails the boot. Loading them blocks the event loop for about a second, so it runs just
    // after the instance has answered its first requests (App Engine's /_ah/warmup runs it
    // before any traffic). BENCHMARKS.md reports both times.
    setTimeout(() => {
      running.ready().catch((e: unknown) => {
        process.stderr.write(
          `connector failed to start: ${e instanceof ConfigError ? e.message : e instanceof Error ? e.name : 'unknown error'}\n`,
        );
        process.exit(1);
      });
    }, BOOT_CHECK_DELAY_MS);
    const stop = () => void running.close().finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(
      `connector failed to start: ${e instanceof Error ? e.name : 'unknown error'}\n`,
    );
    process.exit(1);
  }
}

if (require.main === module) void main();
