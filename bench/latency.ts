// Section 6: propagation latency, push vs poll only. For each desk (Jira, Zendesk), N
// changes each way on linked pairs: a person's comment in the desk → on the Google case, and
// a Google engineer's comment → in the desk, each on its own pair (so that no two changes
// share a pair's lease or a coalescing window). A change's latency runs from the person's
// write in one simulator to the connector's write of the mirrored comment in the other (its
// answer leaving the simulator, seen through the simulator's exchange hook).
//
// - push (real time): the desk's simulator pushes as the real service does (Jira: the admin
//   webhook, registered through the simulator's API as the doctor registers it; Zendesk: a
//   webhook and the README's trigger), and the Google simulator publishes case events to the
//   Pub/Sub emulator, whose push subscription reaches the connector through the OIDC relay
//   (the token the emulator does not send). Without an emulator the Google → desk push is
//   not measured and the section says so in its rows.
// - poll only: no push at all; the connector's local scheduler runs cron.yaml's polls
//   ("every 1 minutes") on a clock SCALE× faster than real time, so a poll period is
//   60/SCALE s of real time. Figures are in connector time: the wait for the poll that found
//   the change counts SCALE×, the rest (the poll, the queue, the sync) as measured, since it
//   ran in real time: latency = SCALE × (poll fire − change) + (arrival − poll fire), with
//   the first poll fired after the change (its search runs after the change, so it finds
//   it). A poll run is not faster on the scaled clock: one that outlasts the compressed
//   period makes the scheduler skip the next, as Cloud Scheduler does; those skips (counted
//   in a row) are the scaling's artefact, and their delay is counted in real time.
//
// The connector is the real app (buildApp) with the real adapters over HTTP, a memory store
// and the real local queue, built from queue.yaml's sync queue but with its rate raised to
// QUEUE_RATE/s (bucket as large): queue.yaml's 30 tasks a minute would hold 200 changes
// (about three tasks each: the pushed sync, Jira's second event, the case event of the
// connector's own comment) for many minutes. That rate is a throughput limit, not latency:
// BENCHMARKS.md says what it means for production.
//
// Counts (every change arrived, exactly once) are count bars; times are judged, never fail
// --check (push p95 ≤ 5 s, poll-only p95 ≤ 65 s).
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import { buildApp } from '../src/app';
import { loadConfig } from '../src/config';
import { makeCrm, makeMemoryStore, makeSupport } from '../src/wiring';
import { loadCronConfig, loadQueueConfig } from '../src/adapters/local/gae-yaml';
import { LocalScheduler } from '../src/adapters/local/local-scheduler';
import { LocalTaskQueue, systemTimer } from '../src/adapters/local/local-task-queue';
import { systemClock } from '../src/adapters/system-clock';
import { registerJiraWebhook } from '../src/adapters/webhooks/jira-webhook-registration';
import { JiraWebhookSource } from '../src/adapters/webhooks/jira-webhook';
import { ZendeskWebhookSource } from '../src/adapters/webhooks/zendesk-webhook';
import { PubSubPushSource } from '../src/adapters/webhooks/pubsub-push';
import type { PushDelivery, PushSource } from '../src/ports/push-source';
import type { Exchange } from '../src/sandbox/exchange';
import {
  deleteSubscription,
  emulatorReachable,
  ensurePushSubscription,
  startGoogleSimulator,
  startOidcRelay,
  type GoogleSimulator,
  type OidcRelay,
} from '../src/sandbox/google';
import { startJiraSimulator, type JiraSimulator } from '../src/sandbox/jira';
import {
  setUpZendeskPush,
  startZendeskSimulator,
  type ZendeskSimulator,
} from '../src/sandbox/zendesk';
import { REPO } from './proc';
import { ms, row, type Row } from './table';
import { PARENT, quietLogger, ShiftedClock } from './world';

export const SCALE = 12;
/** Older than the Google window (30 min), younger than Jira events' 1-hour staleness. */
const SEED_AGE_MS = 45 * 60 * 1000;
const QUEUE_RATE = 20;
const SECTION = '6';
const PUSH_BAR_MS = 5_000;
const POLL_BAR_MS = 65_000;
const AUDIENCE = 'https://bench.example.com/webhooks/google';
const PUSH_SA = 'pubsub-push@bench-project.iam.gserviceaccount.com';
const SECRET = 'bench-webhook-secret-0123456789';
const TAG = 'synchronizewithgooglecloudsupport';
const TOKEN = /lat-(c2g|g2c)-(\d+)-([a-z0-9]+)/g;

type Desk = 'jira' | 'zendesk';
type Mode = 'push' | 'poll';
type Direction = 'c2g' | 'g2c';

interface World {
  readonly simClock: ShiftedClock;
  readonly google: GoogleSimulator;
  readonly desk: Desk;
  readonly jira?: JiraSimulator;
  readonly zendesk?: ZendeskSimulator;
  readonly queue: LocalTaskQueue;
  readonly scheduler: LocalScheduler | null;
  readonly relay: OidcRelay | null;
  /** Real times (performance.now) at which a poll job fired. */
  readonly fires: number[];
  /** token → arrival time (performance.now) of its first write, and how many writes carried it. */
  readonly arrivals: Map<string, { at: number; writes: number }>;
  readonly url: string;
  cron(path: string): Promise<number>;
  close(): Promise<void>;
}

export interface LatencyOptions {
  /** Changes each way, per desk and mode. */
  readonly changes: number;
  /** `host:port` of a Pub/Sub emulator, or null (said in the rows). */
  readonly pubsubHost: string | null;
  readonly log: (line: string) => void;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/** A lazily bound PushSource (its secret or keys are known only once the app listens). */
function lateSource(name: PushSource['name'], get: () => PushSource): PushSource {
  return {
    name,
    authenticate: (d: PushDelivery) => get().authenticate(d),
    read: (d: PushDelivery) => get().read(d),
  };
}

async function startWorld(
  desk: Desk,
  mode: Mode,
  pubsubHost: string | null,
  run: string,
): Promise<World> {
  const arrivals = new Map<string, { at: number; writes: number }>();
  const onExchange = (ex: Exchange): void => {
    if (ex.method !== 'POST' && ex.method !== 'PUT') return;
    if (ex.status < 200 || ex.status >= 300 || ex.requestJson === undefined) return;
    const at = performance.now();
    for (const m of JSON.stringify(ex.requestJson).matchAll(TOKEN)) {
      const a = arrivals.get(m[0]);
      if (a) a.writes += 1;
      else arrivals.set(m[0], { at, writes: 1 });
    }
  };
  const project = `bench-${process.pid}-${run}`;
  // The simulators' clock: real time, moved back while the pairs are seeded (seed()).
  const simClock = new ShiftedClock();
  const now = simClock.now;
  const publish = mode === 'push' && pubsubHost !== null;
  // The account-wide limits (section 5 measures throughput under them) are off here, as
  // the per-issue and export limits are: the clock is scaled, and the 200 seeded pairs are
  // set-up, not the changes measured (they would spend Google's per-minute quota).
  const google = await startGoogleSimulator({
    onExchange,
    now,
    projectQuota: false,
    ...(publish
      ? { publishCaseEvents: { emulatorHost: pubsubHost, project, topic: 'case-events' } }
      : {}),
  });
  const jira =
    desk === 'jira'
      ? await startJiraSimulator({
          onExchange,
          now,
          perIssueWriteLimits: false,
          burstLimit: false,
          searchLagMs: 0,
        })
      : undefined;
  const zendesk =
    desk === 'zendesk'
      ? await startZendeskSimulator({
          onExchange,
          now,
          perTicketUpdateLimit: false,
          accountRateLimit: false,
          // One export a minute in connector time is 12 a minute of real time here.
          exportRequestsPerMinute: 0,
        })
      : undefined;
  const env: Record<string, string> = {
    PORT: '0',
    SUPPORT_PARENT: PARENT,
    SUPPORT_CLASSIFICATION_ID: 'sandbox-classification',
    SUPPORT_TEST_CASES: 'true',
    CLOUDSUPPORT_EMULATOR_HOST: google.host,
    CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
    CRM: desk,
    STORE: 'memory',
    TASK_QUEUE: 'local',
    SCHEDULER: 'off',
    // Poll only: the windows scaled as the scheduler is (30 and 5 polls, as in production).
    ...(mode === 'poll'
      ? {
          GOOGLE_POLLING_WINDOW: `PT${Math.round(1800 / SCALE)}S`,
          COMPANY_POLLING_WINDOW: `PT${Math.round(300 / SCALE)}S`,
        }
      : {}),
    ...(jira
      ? {
          JIRA_BASE_URL: jira.url,
          JIRA_EMAIL: jira.email,
          JIRA_API_TOKEN: jira.apiToken,
          JIRA_PROJECT_KEY: 'SUP',
        }
      : {}),
    ...(zendesk
      ? {
          ZENDESK_BASE_URL: zendesk.url,
          ZENDESK_OAUTH_CLIENT_ID: zendesk.oauthClientId,
          ZENDESK_OAUTH_CLIENT_SECRET: zendesk.oauthClientSecret,
        }
      : {}),
  };
  const config = loadConfig(env);
  const support = await makeSupport(config, env);
  const crm = await makeCrm(config);
  const { logger } = quietLogger('error');

  let zendeskSecret: string | null = null;
  let pushKeys: JWTVerifyGetKey | null = null;
  const sources: PushSource[] = [];
  if (mode === 'push') {
    if (jira)
      sources.push(
        new JiraWebhookSource({ secret: SECRET, ownAccountId: () => jira.apiUser.accountId }),
      );
    if (zendesk)
      sources.push(
        lateSource('zendesk', () => new ZendeskWebhookSource({ secret: zendeskSecret ?? '' })),
      );
    if (publish) {
      const keys: JWTVerifyGetKey = (h, t) => (pushKeys as JWTVerifyGetKey)(h, t);
      sources.push(
        new PubSubPushSource({ audience: AUDIENCE, serviceAccountEmail: PUSH_SA, keys }),
      );
    }
  }
  let queue: LocalTaskQueue | null = null;
  let seq = 0;
  const app = buildApp({
    support,
    crm,
    store: await makeMemoryStore(),
    queue: { enqueue: (task, o) => (queue as LocalTaskQueue).enqueue(task, o) },
    clock: systemClock,
    settings: config.settings,
    logger,
    newId: () => `lat-${run}-${++seq}`,
    ...(sources.length > 0 ? { webhooks: { sources, coalesceWindowMs: 10_000 } } : {}),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const qs = loadQueueConfig(path.join(REPO, 'queue.yaml'));
  const q = qs.find((x) => x.name === 'sync') ?? qs[0];
  if (!q) throw new Error('queue.yaml defines no queue');
  queue = new LocalTaskQueue({
    baseUrl: url,
    queue: { ...q, ratePerSecond: QUEUE_RATE, bucketSize: QUEUE_RATE },
    logger,
  });

  let relay: OidcRelay | null = null;
  if (mode === 'push') {
    if (jira) {
      const r = await registerJiraWebhook({
        baseUrl: jira.url,
        email: jira.email,
        apiToken: jira.apiToken,
        url: `${url}/webhooks/jira`,
        jql: config.jira.syncJql,
        secret: SECRET,
      });
      if (!r.ok) throw new Error(`Jira webhook not registered: ${r.detail}`);
    }
    if (zendesk)
      zendeskSecret = (await setUpZendeskPush(zendesk, `${url}/webhooks/zendesk`, { tag: TAG }))
        .secret;
    if (publish && pubsubHost !== null) {
      relay = await startOidcRelay({
        target: `${url}/webhooks/google`,
        audience: AUDIENCE,
        serviceAccountEmail: PUSH_SA,
      });
      pushKeys = createLocalJWKSet(relay.jwks);
      await ensurePushSubscription(pubsubHost, project, {
        name: 'case-events-push',
        topic: 'case-events',
        pushEndpoint: relay.url,
        audience: AUDIENCE,
        serviceAccountEmail: PUSH_SA,
      });
    }
  }

  const fires: number[] = [];
  let scheduler: LocalScheduler | null = null;
  if (mode === 'poll') {
    const epoch = Date.now();
    const jobs = loadCronConfig(path.join(REPO, 'cron.yaml')).filter((j) =>
      j.url.startsWith('/tasks/poll-'),
    );
    scheduler = new LocalScheduler({
      baseUrl: url,
      jobs,
      logger,
      clock: { now: () => new Date(epoch + (Date.now() - epoch) * SCALE) },
      setTimer: (fn, delay) =>
        systemTimer(() => {
          fires.push(performance.now());
          fn();
        }, delay / SCALE),
    });
  }
  const cron = async (p: string): Promise<number> => {
    const res = await fetch(`${url}${p}`, { headers: { 'X-Appengine-Cron': 'true' } });
    await res.arrayBuffer();
    return res.status;
  };
  return {
    simClock,
    google,
    desk,
    ...(jira ? { jira } : {}),
    ...(zendesk ? { zendesk } : {}),
    queue,
    scheduler,
    relay,
    fires,
    arrivals,
    url,
    cron,
    close: async () => {
      scheduler?.stop();
      if (publish && pubsubHost !== null)
        await deleteSubscription(pubsubHost, project, 'case-events-push');
      await Promise.race([queue?.idle(), new Promise((r) => setTimeout(r, 2000).unref())]);
      queue?.close();
      await app.close();
      await relay?.close();
      await Promise.all([google.close(), jira?.close(), zendesk?.close()]);
    },
  };
}

interface Pair {
  readonly caseName: string;
  /** The desk's ticket: Jira key or Zendesk id. */
  readonly ticket: string;
}

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

async function until(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!pred()) {
    if (performance.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/**
 * 2n Google cases, linked by the connector (both polls, then the syncs), read back from the
 * notices. The simulators' clock is moved SEED_AGE back meanwhile, so that the seeds are
 * older than every polling window (else each poll would sync them all again).
 */
async function seed(w: World, n: number): Promise<Pair[]> {
  w.simClock.offsetMs = -SEED_AGE_MS;
  try {
    return await seedNow(w, n);
  } finally {
    w.simClock.offsetMs = 0;
  }
}

async function seedNow(w: World, n: number): Promise<Pair[]> {
  const names: string[] = [];
  for (let i = 0; i < 2 * n; i++)
    names.push(
      w.google.createCase({
        parent: PARENT,
        displayName: `Latency pair ${i}`,
        description: `Pair ${i} of the latency bench.`,
        priority: 'P3',
      }).name,
    );
  await w.cron('/tasks/poll-google');
  const linked = (name: string): string | undefined =>
    w.google
      .getCase(name)
      .comments.map((c) => /now syncing with Company Case: (\S+)/.exec(c.body)?.[1])
      .find((k) => k !== undefined);
  const ok = await until(() => names.every((nm) => linked(nm) !== undefined), 120_000);
  if (!ok) throw new Error('the seeded cases were not all linked within 2 minutes');
  await w.queue.idle();
  await w.cron('/tasks/poll-company');
  await w.queue.idle();
  await Promise.all([w.jira?.webhooksIdle(), w.zendesk?.webhooksIdle(), w.google.caseEventsIdle()]);
  await sleep(1500);
  await w.queue.idle();
  return names.map((caseName) => ({ caseName, ticket: linked(caseName) as string }));
}

interface Sample {
  readonly token: string;
  readonly dir: Direction;
  readonly at: number;
}

/** How many writes on the target side carry `token`, read back from the simulators' state. */
function landed(w: World, s: Sample, pair: Pair): number {
  const count = (texts: string[]) => texts.filter((t) => t.includes(s.token)).length;
  if (s.dir === 'c2g') return count(w.google.getCase(pair.caseName).comments.map((c) => c.body));
  if (w.jira) return count(w.jira.getIssue(pair.ticket)?.comments.map((c) => c.bodyText) ?? []);
  return count(w.zendesk?.getTicket(Number(pair.ticket))?.comments.map((c) => c.body) ?? []);
}

interface DirResult {
  readonly dir: Direction;
  readonly n: number;
  readonly arrived: number;
  readonly exactlyOnce: number;
  readonly latencies: number[];
  /** Poll only: real time from the poll that found the change to its arrival, sorted. */
  readonly afterPoll: number[];
  /** Sync tasks the queue delivered per change (both directions of the run together). */
  readonly tasksPerChange: number;
  /** Poll only: scheduled poll runs skipped because the previous one was still running. */
  readonly skippedPolls: number;
}

async function measure(
  w: World,
  mode: Mode,
  n: number,
  run: string,
  directions: readonly Direction[],
): Promise<DirResult[]> {
  const pairs = await seed(w, n);
  const periodMs = 60_000 / SCALE;
  // Push: one change every 300 ms (alternating directions); poll: ten a poll period, jittered.
  // Both: the first change after a quiet second (the seeds' last events handled).
  await sleep(1000);
  await w.queue.idle();
  const meanGap = mode === 'push' ? 300 : periodMs / 10;
  w.scheduler?.start();
  const tasksBefore = w.queue.stats().delivered;
  const samples: Array<Sample & { pair: Pair }> = [];
  for (let i = 0; i < n; i++) {
    for (const dir of directions) {
      const pair = dir === 'c2g' ? (pairs[i] as Pair) : (pairs[n + i] as Pair);
      const token = `lat-${dir}-${i}-${run}`;
      const at = performance.now();
      if (dir === 'g2c') {
        w.google.addComment(pair.caseName, {
          body: `Latency probe ${token}: please check again.`,
          displayName: 'Alex (Google Support)',
        });
      } else if (w.jira) {
        w.jira.addComment(pair.ticket, { body: `Latency probe ${token}.`, displayName: 'Sam' });
      } else {
        w.zendesk?.addComment(Number(pair.ticket), {
          body: `Latency probe ${token}.`,
          authorName: 'Sam (Support Desk)',
        });
      }
      samples.push({ token, dir, at, pair });
      await sleep(meanGap * (0.5 + Math.random()));
    }
  }
  const wait = mode === 'push' ? 30_000 : 4 * periodMs + 30_000;
  await until(() => samples.every((s) => w.arrivals.has(s.token)), wait);
  w.scheduler?.stop();
  await w.queue.idle();
  await sleep(500);
  await w.queue.idle();
  const tasks = w.queue.stats().delivered - tasksBefore;
  const skipped = w.scheduler?.history().filter((f) => f.outcome === 'skipped').length ?? 0;
  return directions.map((dir) => {
    const mine = samples.filter((s) => s.dir === dir);
    const latencies: number[] = [];
    const afterPoll: number[] = [];
    let exactlyOnce = 0;
    for (const s of mine) {
      const a = w.arrivals.get(s.token);
      if (landed(w, s, s.pair) === 1 && a?.writes === 1) exactlyOnce += 1;
      if (a === undefined) continue;
      if (mode === 'push') latencies.push(a.at - s.at);
      else {
        // The first poll fired after the change: its search ran after the change.
        const fire = Math.min(w.fires.find((f) => f >= s.at) ?? a.at, a.at);
        latencies.push(SCALE * (fire - s.at) + (a.at - fire));
        afterPoll.push(a.at - fire);
      }
    }
    latencies.sort((x, y) => x - y);
    afterPoll.sort((x, y) => x - y);
    return {
      afterPoll,
      dir,
      n: mine.length,
      arrived: latencies.length,
      exactlyOnce,
      latencies,
      tasksPerChange: tasks / samples.length,
      skippedPolls: skipped,
    };
  });
}

const DIR_TEXT: Record<Direction, (desk: string) => string> = {
  c2g: (desk) => `${desk} comment → Google`,
  g2c: (desk) => `Google comment → ${desk}`,
};

function rowsFor(desk: Desk, mode: Mode, r: DirResult, pushPath: string): Row[] {
  const deskName = desk === 'jira' ? 'Jira' : 'Zendesk';
  const scenario = `${DIR_TEXT[r.dir](deskName)}, ${mode === 'push' ? `push (${pushPath})` : 'poll only'}`;
  const bar = mode === 'push' ? PUSH_BAR_MS : POLL_BAR_MS;
  const p95 = quantile(r.latencies, 0.95);
  const time = mode === 'push' ? 'real time' : `connector time, clock ×${SCALE}`;
  return [
    row(SECTION, scenario, 'changes arrived exactly once', `${r.exactlyOnce} / ${r.n}`, {
      text: `= ${r.n}`,
      ok: r.exactlyOnce === r.n && r.arrived === r.n,
      count: true,
    }),
    row(SECTION, scenario, `median (${time})`, ms(quantile(r.latencies, 0.5))),
    row(SECTION, scenario, `p95 (${time})`, ms(p95), {
      text: `≤ ${bar / 1000} s`,
      ok: r.arrived === r.n && p95 <= bar,
    }),
    row(SECTION, scenario, 'max', ms(r.latencies.at(-1) ?? Number.NaN)),
    ...(mode === 'poll'
      ? [
          row(
            SECTION,
            scenario,
            'of which poll → arrival (real time), p95',
            ms(quantile(r.afterPoll, 0.95)),
          ),
        ]
      : []),
    ...(r.dir === 'c2g'
      ? [row(SECTION, scenario, 'sync tasks per change (run, both ways)', r.tasksPerChange)]
      : []),
    ...(r.dir === 'c2g' && mode === 'poll'
      ? [row(SECTION, scenario, 'poll runs skipped (previous still running)', r.skippedPolls)]
      : []),
  ];
}

export async function runLatency(opts: LatencyOptions): Promise<Row[]> {
  const rows: Row[] = [];
  let pubsub = opts.pubsubHost;
  if (pubsub !== null && !(await emulatorReachable(pubsub))) {
    opts.log(`PUBSUB_EMULATOR_HOST=${pubsub} does not answer`);
    pubsub = null;
  }
  if (pubsub === null) {
    opts.log(
      'NO PUB/SUB EMULATOR: Google → desk push is NOT measured (set PUBSUB_EMULATOR_HOST or install google-cloud-cli-pubsub-emulator)',
    );
    rows.push(
      row(SECTION, 'Google → desk push (Pub/Sub emulator)', 'NOT MEASURED', 'no Pub/Sub emulator', {
        text: 'measured',
        ok: false,
      }),
    );
  }
  let run = 0;
  for (const desk of ['jira', 'zendesk'] as const) {
    for (const mode of ['push', 'poll'] as const) {
      const dirs: Direction[] = mode === 'push' && pubsub === null ? ['c2g'] : ['c2g', 'g2c'];
      run += 1;
      const label = `${desk}-${mode}`;
      opts.log(`latency: ${label}, ${opts.changes} changes × ${dirs.length} directions`);
      const t0 = performance.now();
      const w = await startWorld(desk, mode, pubsub, `r${run}${process.pid}`);
      try {
        const results = await measure(w, mode, opts.changes, `r${run}`, dirs);
        for (const r of results) {
          const pushPath =
            r.dir === 'g2c'
              ? 'Pub/Sub emulator + OIDC relay'
              : desk === 'jira'
                ? 'admin webhook'
                : 'webhook + trigger';
          rows.push(...rowsFor(desk, mode, r, pushPath));
        }
        if (w.relay) opts.log(`latency: ${label} relay ${JSON.stringify(w.relay.stats())}`);
      } finally {
        await w.close();
      }
      opts.log(`latency: ${label} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    }
  }
  return rows;
}
