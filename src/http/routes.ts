import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { cleanUpCaseMappings } from '../tasks/clean-up';
import type { TaskDeps } from '../tasks/deps';
import { detectOutages } from '../tasks/detect-outages';
import { pollCompany, pollGoogle } from '../tasks/poll';
import { syncCompanyCase, syncGoogleCase } from '../tasks/sync-pair';
import { requireCaller } from './guard';

const GoogleBody = z.object({ caseName: z.string().regex(/^(organizations|projects)\/[^/]+\/cases\/[^/]+$/) }).strict();
const CompanyBody = z.object({ caseId: z.string().regex(/^\d{1,18}$/) }).strict();

/** The routes of SPEC §3.1: each a few lines over its use-case. */
export async function taskRoutes(app: FastifyInstance, opts: { deps: TaskDeps }): Promise<void> {
  const { deps } = opts;
  const cron = { preHandler: requireCaller('cron') };
  const queue = { preHandler: requireCaller('queue') };

  app.get('/tasks/poll-google', cron, () => pollGoogle(deps));
  app.get('/tasks/poll-company', cron, () => pollCompany(deps));
  app.get('/tasks/clean-up-case-mappings', cron, () => cleanUpCaseMappings(deps));
  app.get('/tasks/detect-outages', cron, async (_req, reply) => {
    const r = await detectOutages(deps);
    return reply.code(r.outages > 0 ? 500 : 200).send(r);
  });

  app.post('/tasks/sync-google-case', queue, async (req) => {
    const body = GoogleBody.safeParse(req.body);
    if (!body.success) return dropped(req.log, 'sync-google-case');
    return syncGoogleCase(deps, body.data.caseName);
  });
  app.post('/tasks/sync-company-case', queue, async (req) => {
    const body = CompanyBody.safeParse(req.body);
    if (!body.success) return dropped(req.log, 'sync-company-case');
    return syncCompanyCase(deps, body.data.caseId);
  });
}

/** A malformed task body: 200 + dropped (a queue that retries forever must not retry it) and an ERROR log. */
function dropped(log: { error: (o: object, m: string) => void }, task: string) {
  log.error({ task }, 'malformed task body dropped');
  return { outcome: 'dropped', reason: 'malformed-body' };
}
