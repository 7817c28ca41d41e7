// The only module that reads process.env and wires real adapters (STYLE.md).
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createLogger } from './adapters/log/pino-logger';
import { MemoryMappingStore } from './adapters/local/memory-mapping-store';
import { LocalTaskQueue, type SetTimer } from './adapters/local/local-task-queue';
import { LocalScheduler } from './adapters/local/local-scheduler';
import { loadCronConfig, loadQueueConfig } from './adapters/local/gae-yaml';
import { JiraCrm } from './adapters/jira/jira-crm';
import { googleSupportCasesForEmulator, googleSupportCasesFromAdc } from './adapters/google/google-support-cases';
import type { MappingStore } from './ports/mapping-store';
import type { TaskQueue } from './ports/task-queue';
import type { SupportCases } from './ports/support-cases';
import type { Clock } from './ports/clock';
import type { RetryPolicy } from './adapters/retry';

/** Where app.yaml, cron.yaml and queue.yaml live (the repo root, also after compiling to dist/src). */
export const CONFIG_DIR = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');

export interface RunningConnector {
  readonly app: FastifyInstance;
  readonly url: string;
  readonly config: Config;
  readonly store: MappingStore;
  readonly queue: TaskQueue;
  /** Present with TASK_QUEUE=local. */
  readonly localQueue: LocalTaskQueue | null;
  readonly scheduler: LocalScheduler | null;
  close(): Promise<void>;
}

export interface StartOptions {
  readonly logger?: FastifyBaseLogger;
  /** Overrides for tests: a shared store, a queue option such as duplicate delivery. */
  readonly store?: MappingStore;
  /** The connector's clock (tests that move time, e.g. outage detection). Real time by default. */
  readonly clock?: Clock;
  readonly localQueueOptions?: { duplicateDelivery?: number; setTimer?: SetTimer; clock?: { now(): Date }; onOutcome?: ConstructorParameters<typeof LocalTaskQueue>[0]['onOutcome'] };
  readonly host?: string;
  /** The adapters' retry policy (tests shorten waits with an injected sleep). */
  readonly adapterRetry?: RetryPolicy;
}

/** Builds every adapter from the environment, starts listening, then the local queue and scheduler if configured. */
export async function startServer(env: Readonly<Record<string, string | undefined>>, opts: StartOptions = {}): Promise<RunningConnector> {
  const config = loadConfig(env);
  const logger = opts.logger ?? createLogger({ level: env.LOG_LEVEL ?? 'info' });

  const support = await makeSupport(config, env, opts.adapterRetry);
  const apiToken = config.jira.apiToken ?? (await readSecret(config.jira.apiTokenSecret as string));
  const crm = new JiraCrm({
    baseUrl: config.jira.baseUrl,
    email: config.jira.email,
    apiToken,
    projectKey: config.jira.projectKey,
    issueType: config.jira.issueType,
    syncJql: config.jira.syncJql,
    syncLabel: config.jira.syncLabel,
    googleCaseField: config.jira.googleCaseField ?? undefined,
    priorityNames: config.jira.priorityNames,
    doneTransition: config.jira.doneTransition ?? undefined,
    retry: opts.adapterRetry,
  });
  const store = opts.store ?? (await makeStore(config, env));

  // The queue needs the app's URL, known only after listen: route enqueues through a holder.
  let queue: TaskQueue | null = null;
  const queueRef: TaskQueue = { enqueue: (task, o) => (queue as TaskQueue).enqueue(task, o) };
  const app = buildApp({
    support,
    crm,
    store,
    queue: queueRef,
    clock: opts.clock ?? { now: () => new Date() },
    settings: config.settings,
    logger,
    newId: randomUUID,
    traceProject: config.cloudTasks.project ?? undefined,
  });
  const address = await app.listen({ port: config.port, host: opts.host ?? (config.onAppEngine ? '0.0.0.0' : '127.0.0.1') });
  const url = address.replace('0.0.0.0', '127.0.0.1');

  let localQueue: LocalTaskQueue | null = null;
  if (config.taskQueue === 'local') {
    const queues = loadQueueConfig(path.join(CONFIG_DIR, 'queue.yaml'));
    const q = queues.find((x) => x.name === config.cloudTasks.queue) ?? queues[0];
    if (!q) throw new ConfigError(['queue.yaml defines no queue']);
    localQueue = new LocalTaskQueue({ baseUrl: url, queue: q, logger, ...opts.localQueueOptions });
    queue = localQueue;
  } else {
    queue = await makeCloudTasks(config);
  }
  let scheduler: LocalScheduler | null = null;
  if (config.scheduler === 'local') {
    scheduler = new LocalScheduler({ baseUrl: url, jobs: loadCronConfig(path.join(CONFIG_DIR, 'cron.yaml')), logger });
    scheduler.start();
  }
  logger.info({ url, store: config.store, taskQueue: config.taskQueue, scheduler: config.scheduler }, 'connector listening');
  return {
    app,
    url,
    config,
    store,
    queue: queueRef,
    localQueue,
    scheduler,
    close: async () => {
      scheduler?.stop();
      // Give in-flight deliveries a moment; a task that keeps failing is retried forever, so do not wait for idle.
      if (localQueue) await Promise.race([localQueue.idle(), new Promise((r) => setTimeout(r, 2000).unref())]).catch(() => undefined);
      localQueue?.close();
      await app.close();
    },
  };
}

async function makeSupport(config: Config, env: Readonly<Record<string, string | undefined>>, retry?: RetryPolicy): Promise<SupportCases> {
  if (config.google.emulatorHost) {
    return googleSupportCasesForEmulator(config.google.emulatorHost, env.CLOUDSUPPORT_EMULATOR_TOKEN ?? 'sandbox-token', { retry });
  }
  return googleSupportCasesFromAdc({ retry });
}

async function makeStore(config: Config, env: Readonly<Record<string, string | undefined>>): Promise<MappingStore> {
  if (config.store === 'memory') return new MemoryMappingStore();
  const { DatastoreMappingStore } = await import('./adapters/datastore/datastore-mapping-store');
  return new DatastoreMappingStore({ projectId: env.GOOGLE_CLOUD_PROJECT ?? env.DATASTORE_PROJECT_ID });
}

async function makeCloudTasks(config: Config): Promise<TaskQueue> {
  const [{ CloudTasksClient }, { CloudTasksQueue }] = await Promise.all([
    import('@google-cloud/tasks'),
    import('./adapters/cloud-tasks/cloud-tasks-queue'),
  ]);
  return new CloudTasksQueue({
    client: new CloudTasksClient(),
    project: config.cloudTasks.project as string,
    location: config.cloudTasks.location,
    queue: config.cloudTasks.queue,
  });
}

async function readSecret(name: string): Promise<string> {
  const { SecretManagerServiceClient } = await import('@google-cloud/secret-manager');
  const client = new SecretManagerServiceClient();
  const version = name.includes('/versions/') ? name : `${name}/versions/latest`;
  const [res] = await client.accessSecretVersion({ name: version });
  const data = res.payload?.data;
  const value = typeof data === 'string' ? data : data ? Buffer.from(data).toString('utf8') : '';
  if (!value.trim()) throw new ConfigError(['JIRA_API_TOKEN_SECRET: the secret is empty']);
  return value.trim();
}

async function main(): Promise<void> {
  try {
    const running = await startServer(process.env);
    const stop = () => void running.close().finally(() => process.exit(0));
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    process.stderr.write(`connector failed to start: ${e instanceof Error ? e.name : 'unknown error'}\n`);
    process.exit(1);
  }
}

if (require.main === module) void main();
