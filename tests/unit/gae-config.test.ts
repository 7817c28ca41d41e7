// Checks on app.yaml, cron.yaml, queue.yaml and dispatch.yaml that Google's validators
// (/work/shared/tools/gae-config-check, run before deploying) do not make: runtime,
// instance class, dispatch wildcards, routes against SPEC §3.1, no secrets. And proof that
// the local queue and scheduler read these very files.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import {
  loadCronConfig,
  loadQueueConfig,
  nextRun,
  parseDurationSeconds,
  parseRate,
  taskHttpRequest,
} from '../../src/adapters/local/gae-yaml';

const ROOT = path.resolve(__dirname, '../..');
const raw = (file: string): Record<string, unknown> =>
  parse(readFileSync(path.join(ROOT, file), 'utf8')) as Record<string, unknown>;

// SPEC §3.1, written out here on purpose (not imported from the code under test).
const CRON_ROUTES = [
  '/tasks/poll-google',
  '/tasks/poll-company',
  '/tasks/clean-up-case-mappings',
  '/tasks/detect-outages',
];
const QUEUE_ROUTES = ['/tasks/sync-google-case', '/tasks/sync-company-case'];
const KNOWN_INSTANCE_CLASSES = ['F1', 'F2', 'F4', 'F4_1G'];

interface AppYaml {
  service?: string;
  runtime: string;
  instance_class: string;
  entrypoint: string;
  automatic_scaling: Record<string, number>;
  env_variables: Record<string, string>;
  handlers: Array<Record<string, string>>;
}
interface RawCron {
  url: string;
  schedule: string;
  target?: string;
  timezone?: string;
  description?: string;
  retry_parameters?: Record<string, string | number>;
}
interface RawQueue {
  name: string;
  target?: string;
  rate: string;
  bucket_size?: number;
  max_concurrent_requests?: number;
  retry_parameters?: Record<string, string | number>;
}

const app = raw('app.yaml') as unknown as AppYaml;
const service = app.service ?? 'default';
const cron = (raw('cron.yaml').cron ?? []) as RawCron[];
const queues = (raw('queue.yaml').queue ?? []) as RawQueue[];
const dispatch = (raw('dispatch.yaml').dispatch ?? []) as Array<{ url: string; service: string }>;

describe('app.yaml', () => {
  it('runs nodejs24 on a known instance class, from the compiled server', () => {
    expect(app.runtime).toBe('nodejs24');
    expect(KNOWN_INSTANCE_CLASSES).toContain(app.instance_class);
    expect(app.entrypoint).toBe('node dist/src/server.js');
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['gcp-build']).toBeDefined(); // App Engine compiles dist/ with it
  });

  it('bounds automatic scaling', () => {
    const s = app.automatic_scaling;
    expect([0, 1]).toContain(s.min_instances);
    expect(s.max_instances).toBeGreaterThanOrEqual(1);
    expect(s.max_instances).toBeLessThanOrEqual(20);
    expect(s.target_cpu_utilization).toBeGreaterThan(0.5);
    expect(s.target_cpu_utilization).toBeLessThan(0.95);
    expect(s.max_concurrent_requests).toBeGreaterThanOrEqual(1);
  });

  it('forces HTTPS on every handler', () => {
    expect(app.handlers.length).toBeGreaterThan(0);
    for (const h of app.handlers) expect(h.secure).toBe('always');
  });

  it('selects the production adapters', () => {
    expect(app.env_variables).toMatchObject({
      STORE: 'datastore',
      TASK_QUEUE: 'cloud-tasks',
      SCHEDULER: 'off',
    });
    expect(app.env_variables.CLOUD_TASKS_QUEUE).toBe(queues[0]?.name);
  });

  it('holds no secret-looking value in env_variables', () => {
    const env = app.env_variables;
    expect(env.JIRA_API_TOKEN).toBeUndefined(); // the token comes from Secret Manager
    expect(env.JIRA_API_TOKEN_SECRET).toMatch(
      /^projects\/[^/]+\/secrets\/[^/]+(\/versions\/[^/]+)?$/,
    );
    for (const [key, value] of Object.entries(env)) {
      const v = String(value).replace(/REPLACE_WITH_[A-Z0-9_]+/g, ''); // placeholders
      if (/TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|API_KEY/i.test(key)) {
        expect([key, String(value)]).toEqual([
          key,
          expect.stringMatching(/^projects\/[^/]+\/secrets\//),
        ]);
      }
      expect([
        key,
        /-----BEGIN|^ATATT|AIza[0-9A-Za-z_-]{30,}|[A-Za-z0-9+=_-]{32,}/.test(v),
      ]).toEqual([key, false]);
      expect([key, /:\/\/[^/@\s]+:[^/@\s]+@/.test(v)]).toEqual([key, false]); // user:password@ in a URL
    }
  });
});

describe('dispatch.yaml', () => {
  it('routes the task endpoints to the connector without a mid-path wildcard', () => {
    expect(dispatch.length).toBeGreaterThan(0);
    for (const rule of dispatch) {
      const slash = rule.url.indexOf('/');
      expect(slash).toBeGreaterThanOrEqual(0);
      const host = rule.url.slice(0, slash);
      const urlPath = rule.url.slice(slash);
      // `*` only at the start of the host and at the end of the path.
      expect(host.replace(/^\*/, '')).not.toContain('*');
      expect(urlPath.replace(/\*$/, '')).not.toContain('*');
      // The task routes go to the connector; the status page to its own service behind IAP.
      expect(rule.service).toBe(urlPath.startsWith('/admin/') ? 'admin' : service);
    }
    const routed = (route: string) =>
      dispatch.some((r) => {
        const p = r.url.slice(r.url.indexOf('/'));
        return p.endsWith('*') ? route.startsWith(p.slice(0, -1)) : route === p;
      });
    for (const route of [...CRON_ROUTES, ...QUEUE_ROUTES])
      expect([route, routed(route)]).toEqual([route, true]);
    expect(routed('/admin/')).toBe(true);
  });
});

describe('cron.yaml', () => {
  it('schedules exactly the cron routes of SPEC §3.1, on the connector service', () => {
    expect(cron.map((j) => j.url).sort()).toEqual([...CRON_ROUTES].sort());
    for (const j of cron) expect(j.target ?? 'default').toBe(service);
  });

  it('runs polls every minute, detect-outages every 5 minutes and clean-up daily', () => {
    const jobs = loadCronConfig(path.join(ROOT, 'cron.yaml'));
    const period = (url: string) => {
      const job = jobs.find((j) => j.url === url);
      if (!job) throw new Error(`missing ${url}`);
      const first = nextRun(job.schedule, new Date('2026-03-01T00:00:30Z'));
      return (nextRun(job.schedule, first).getTime() - first.getTime()) / 60_000;
    };
    expect(period('/tasks/poll-google')).toBe(1);
    expect(period('/tasks/poll-company')).toBe(1);
    expect(period('/tasks/detect-outages')).toBe(5);
    expect(period('/tasks/clean-up-case-mappings')).toBe(24 * 60);
  });

  it('stops retrying every job before its next run is due', () => {
    const jobs = loadCronConfig(path.join(ROOT, 'cron.yaml'));
    for (const job of jobs) {
      const first = nextRun(job.schedule, new Date('2026-03-01T00:00:30Z'));
      const periodSeconds = (nextRun(job.schedule, first).getTime() - first.getTime()) / 1000;
      expect(job.retry.jobAgeLimitSeconds).toBeDefined();
      expect([
        job.url,
        (job.retry.jobAgeLimitSeconds ?? Infinity) + job.retry.maxBackoffSeconds < periodSeconds,
      ]).toEqual([job.url, true]);
    }
  });
});

describe('queue.yaml', () => {
  it('has the sync queue, on the connector service, retrying forever', () => {
    const sync = queues.find((q) => q.name === 'sync');
    expect(sync).toBeDefined();
    expect(sync?.target ?? 'default').toBe(service);
    expect(sync?.retry_parameters?.task_retry_limit).toBeUndefined();
    expect(sync?.retry_parameters?.task_age_limit).toBeUndefined();
  });

  it('sends every queued task to a queue route of SPEC §3.1', () => {
    const routes = [
      taskHttpRequest({ kind: 'sync-google-case', caseName: 'organizations/1/cases/2' })
        .relativeUri,
      taskHttpRequest({ kind: 'sync-company-case', caseId: '10042' }).relativeUri,
    ];
    expect(routes.sort()).toEqual([...QUEUE_ROUTES].sort());
  });
});

describe('the local queue and scheduler read these same files', () => {
  it('loads queue.yaml as written', () => {
    const loaded = loadQueueConfig(path.join(ROOT, 'queue.yaml'));
    expect(loaded.map((q) => q.name)).toEqual(queues.map((q) => q.name));
    for (const q of queues) {
      const l = loaded.find((x) => x.name === q.name);
      const rp = q.retry_parameters ?? {};
      expect(l).toMatchObject({
        ratePerSecond: parseRate(q.rate),
        ...(q.bucket_size === undefined ? {} : { bucketSize: q.bucket_size }),
        ...(q.max_concurrent_requests === undefined
          ? {}
          : { maxConcurrentRequests: q.max_concurrent_requests }),
        ...(q.target === undefined ? {} : { target: q.target }),
      });
      expect(l?.retry).toEqual({
        minBackoffSeconds: rp.min_backoff_seconds ?? 0.1,
        maxBackoffSeconds: rp.max_backoff_seconds ?? 3600,
        maxDoublings: rp.max_doublings ?? 16,
        ...(rp.task_retry_limit === undefined ? {} : { taskRetryLimit: rp.task_retry_limit }),
        ...(rp.task_age_limit === undefined
          ? {}
          : { taskAgeLimitSeconds: parseDurationSeconds(String(rp.task_age_limit)) }),
      });
    }
  });

  it('loads cron.yaml as written', () => {
    const loaded = loadCronConfig(path.join(ROOT, 'cron.yaml'));
    expect(loaded.map((j) => j.url)).toEqual(cron.map((j) => j.url));
    cron.forEach((j, i) => {
      const l = loaded[i];
      const rp = j.retry_parameters ?? {};
      expect(l?.description).toBe(j.description ?? '');
      expect(l?.target).toBe(j.target);
      expect(l?.schedule.source).toBe(j.schedule);
      expect(l?.schedule.timezone).toBe(j.timezone ?? 'UTC');
      expect(l?.retry).toEqual({
        minBackoffSeconds: rp.min_backoff_seconds ?? 5,
        maxBackoffSeconds: rp.max_backoff_seconds ?? 3600,
        maxDoublings: rp.max_doublings ?? 5,
        ...(rp.job_retry_limit === undefined ? {} : { jobRetryLimit: rp.job_retry_limit }),
        ...(rp.job_age_limit === undefined
          ? {}
          : { jobAgeLimitSeconds: parseDurationSeconds(String(rp.job_age_limit)) }),
      });
    });
  });
});
