import type { FastifyInstance, FastifyRequest } from 'fastify';
import { cleanUpCaseMappings } from '../tasks/clean-up';
import type { TaskDeps, TaskOutcome } from '../tasks/deps';
import { detectOutages } from '../tasks/detect-outages';
import { postQueuedOutageNotices } from '../tasks/outage-notices';
import { pollCompany, pollGoogle } from '../tasks/poll';
import {
  recordSyncFailure,
  syncCompanyCaseUnlessPaused,
  syncGoogleCaseUnlessPaused,
} from '../tasks/admin-actions';
import { requireCaller } from './guard';
import { recorded } from './task-runs';

// Each task body is one string field. Checked by hand rather than with zod (used at the
// adapters' boundaries): loading zod costs ~100 ms of a cold start before /healthz.
const CASE_NAME = /^(organizations|projects)\/[^/]+\/cases\/[^/]+$/;
/** A CRM's own ticket id: Jira issue or Zendesk ticket id (digits), ServiceNow sys_id (32 hex). */
const ISSUE_ID = /^(\d{1,18}|[0-9a-f]{32})$/;
const MAPPING_ID = /^[A-Za-z0-9_-]{1,100}$/;

/** The value of `field` when `body` is exactly `{ [field]: string matching pattern }`, else null. */
function onlyField(body: unknown, field: string, pattern: RegExp): string | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const keys = Object.keys(body);
  const value = (body as Record<string, unknown>)[field];
  return keys.length === 1 && keys[0] === field && typeof value === 'string' && pattern.test(value)
    ? value
    : null;
}

/** The routes of SPEC §3.1: each a few lines over its use-case. */
export async function taskRoutes(
  app: FastifyInstance,
  opts: { deps: TaskDeps; traceProject?: string },
): Promise<void> {
  // Each request's use-case logs through a child logger carrying the Cloud Trace id and
  // the queue's retry count, so one task's lines group together in Cloud Logging.
  const base = opts.deps;
  const withLog = (req: FastifyRequest): TaskDeps => ({
    ...base,
    log: requestLogger(req, opts.traceProject),
  });
  const cron = { preHandler: requireCaller('cron') };
  const queue = { preHandler: requireCaller('queue') };

  // Each run's summary is recorded for the status page (task-runs.ts).
  const cronTask = (task: string, run: (deps: TaskDeps) => Promise<TaskOutcome>) =>
    app.get(`/tasks/${task}`, cron, (req) => {
      const deps = withLog(req);
      return recorded(deps, task, null, () => run(deps));
    });
  cronTask('poll-google', pollGoogle);
  cronTask('poll-company', pollCompany);
  cronTask('clean-up-case-mappings', cleanUpCaseMappings);
  app.get('/tasks/detect-outages', cron, async (req, reply) => {
    const deps = withLog(req);
    const r = await recorded(deps, 'detect-outages', null, () => detectOutages(deps));
    return reply.code(r.outages > 0 ? 500 : 200).send(r);
  });

  app.post('/tasks/sync-google-case', queue, async (req) => {
    const caseName = onlyField(req.body, 'caseName', CASE_NAME);
    if (caseName === null) return dropped(req.log, 'sync-google-case');
    const deps = withLog(req);
    return recorded(
      deps,
      'sync-google-case',
      caseName,
      () => syncGoogleCaseUnlessPaused(deps, caseName),
      (e) => recordSyncFailure(deps, { caseName }, e),
    );
  });
  app.post('/tasks/sync-company-case', queue, async (req) => {
    const caseId = onlyField(req.body, 'caseId', ISSUE_ID);
    if (caseId === null) return dropped(req.log, 'sync-company-case');
    const deps = withLog(req);
    return recorded(
      deps,
      'sync-company-case',
      caseId,
      () => syncCompanyCaseUnlessPaused(deps, caseId),
      (e) => recordSyncFailure(deps, { caseId }, e),
    );
  });
  // Not in SPEC §3.1: queued by detect-outages for a pair whose lease it found held.
  app.post('/tasks/post-outage-notices', queue, async (req) => {
    const mappingId = onlyField(req.body, 'mappingId', MAPPING_ID);
    if (mappingId === null) return dropped(req.log, 'post-outage-notices');
    const deps = withLog(req);
    return recorded(deps, 'post-outage-notices', mappingId, () =>
      postQueuedOutageNotices(deps, mappingId),
    );
  });
}

/** A malformed task body: 200 + dropped (a queue that retries forever must not retry it) and an ERROR log. */
function dropped(log: { error: (o: object, m: string) => void }, task: string) {
  log.error({ task }, 'malformed task body dropped');
  return { outcome: 'dropped', reason: 'malformed-body' };
}

/**
 * `logging.googleapis.com/trace` from X-Cloud-Trace-Context (`TRACE_ID/SPAN_ID;o=1`) and the
 * task's retry count from X-AppEngine-TaskRetryCount (Cloud Tasks) or X-AppEngine-Cron retries.
 */
export function requestLogger(req: FastifyRequest, traceProject?: string): TaskDeps['log'] {
  const fields: Record<string, unknown> = {};
  const trace = req.headers['x-cloud-trace-context'];
  const traceId = typeof trace === 'string' ? /^([0-9a-fA-F]{32})/.exec(trace)?.[1] : undefined;
  if (traceId)
    fields['logging.googleapis.com/trace'] = traceProject
      ? `projects/${traceProject}/traces/${traceId}`
      : traceId;
  const retries = req.headers['x-appengine-taskretrycount'];
  if (typeof retries === 'string' && /^\d+$/.test(retries)) fields.taskRetryCount = Number(retries);
  const task = req.headers['x-appengine-taskname'];
  if (typeof task === 'string') fields.taskName = task.slice(0, 200);
  return req.log.child(fields);
}
