// Every request ServiceNowCrm sends, and every answer the simulator gives it, checked against
// ServiceNow's own pages (reference/servicenow/: it publishes no OpenAPI). The endpoints and
// their query parameters are read from the pages' headings and parameter tables
// (c_TableAPI.md, c_AttachmentAPI.md); error answers must be the envelope
// `{"error":{"message","detail"},"status":"failure"}` (inbound-REST-API-rate-limiting.md);
// uploads carry their Content-Type ("This header is mandatory"); 429s carry Retry-After.
// The one amendment: POST /oauth_token.do, ServiceNow's OAuth endpoint, which the pages do
// not describe. Skips, saying so, when the pages are not available.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ServiceNowCrm } from '../../src/adapters/servicenow/servicenow-crm';
import type { Exchange } from '../../src/sandbox/exchange';
import { startServiceNowSimulator } from '../../src/sandbox/servicenow';
import { FakeClock, SECOND } from '../support/fake-clock';
import { readAll } from '../support/streams';
import { DEFAULT_SETTINGS } from '../support/task-deps';
import { allPages, syncErrorOf, uploadOf } from './port-contract-helpers';

const DIR =
  process.env['SERVICENOW_REFERENCE_DIR'] ??
  path.resolve(__dirname, '../../../shared/reference/servicenow');
const available = existsSync(path.join(DIR, 'c_TableAPI.md'));
if (!available)
  console.log(
    'servicenow-spec.test: reference pages not found (set SERVICENOW_REFERENCE_DIR); skipping',
  );
const maybe = available ? describe : describe.skip;

interface Endpoint {
  readonly method: string;
  readonly pattern: RegExp;
  readonly template: string;
  readonly params: ReadonlySet<string>;
}

/** `## Table - GET /now/table/\{tableName\}` sections and the parameter names in each. */
function endpointsOf(file: string, prefix: 'Table' | 'Attachment'): Endpoint[] {
  const text = readFileSync(path.join(DIR, file), 'utf8');
  const heads = [...text.matchAll(new RegExp(`^## ${prefix} - (\\w+) (\\S+)$`, 'gm'))];
  return heads.map((h, i) => {
    const body = text.slice(h.index, heads[i + 1]?.index ?? text.length).replace(/<[^>]*>/g, '');
    const template = `/api${(h[2] as string).replace(/\\/g, '')}`;
    const params = new Set(
      body
        .split('\n')
        .map((l) => l.trim().replace(/\\_/g, '_'))
        .filter((l) => /^(sysparm_[a-z_]+|[a-z]+(_[a-z]+)+)$/.test(l)),
    );
    const pattern = new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return { method: h[1] as string, pattern, template, params };
  });
}

maybe('ServiceNowCrm traffic matches the ServiceNow reference pages', () => {
  it('sends only documented endpoints and parameters; answers are the documented shapes', async () => {
    const endpoints = [
      ...endpointsOf('c_TableAPI.md', 'Table'),
      ...endpointsOf('c_AttachmentAPI.md', 'Attachment'),
    ];
    expect(endpoints.length).toBeGreaterThan(10);
    const exchanges: Exchange[] = [];
    const clock = new FakeClock();
    const sim = await startServiceNowSimulator({
      now: () => clock.now(),
      onExchange: (ex) => exchanges.push(ex),
      maxAttachmentMb: 1,
    });
    try {
      for (const table of ['incident', 'sn_customerservice_case'] as const) {
        const crm = new ServiceNowCrm({
          instanceUrl: sim.url,
          auth: { kind: 'oauth', clientId: sim.oauthClientId, clientSecret: sim.oauthClientSecret },
          table,
          pageSize: 2,
          now: () => clock.ms,
          retry: { now: () => clock.ms, sleep: async (ms) => void clock.advance(ms) },
        });
        const start = clock.now();
        const person = sim.createRecord(table, { short_description: 'p' }).sys_id;
        sim.addJournal(person, { body: 'from a person', element: 'comments' });
        sim.addAttachment(person, { filename: 'p.txt', content: Buffer.from('p') });
        const t = await crm.create({
          summary: 's',
          description: 'd',
          priority: 4,
          googleCaseName: 'organizations/1/cases/2',
        });
        await crm.linkGoogleCase(person, 'organizations/1/cases/3');
        await crm.findByGoogleCase('organizations/1/cases/2');
        await crm.setPriority(t.id, 1);
        await crm.addComment(t.id, '[Google Comment 1 by A]\nhi', { visibility: 'internal' });
        await crm.addComment(t.id, 'public', { visibility: 'public' });
        await crm.listComments(person);
        const a = await crm.upload(t.id, uploadOf('f.bin', Buffer.from('bytes')));
        await readAll(await crm.download(t.id, a.id));
        await crm.listAttachments(person);
        clock.advance(SECOND);
        await allPages((tok) => crm.searchUpdated(start, tok));
        await crm.close(t.id);
        await crm.diagnose(DEFAULT_SETTINGS);
        await crm.get('f'.repeat(32));
        sim.faults.add({ status: 429, retryAfterSeconds: 1, count: 1 });
        await crm.get(t.id);
        sim.addBusinessRule({ table, field: 'comments', message: 'No comments today' });
        await syncErrorOf(crm.addComment(t.id, 'x', { visibility: 'public' }));
      }
    } finally {
      await sim.close();
    }

    const problems: string[] = [];
    for (const ex of exchanges) {
      const where = `${ex.method} ${ex.path} → ${ex.status}`;
      if (ex.method === 'POST' && ex.path === '/oauth_token.do') continue; // the amendment
      const ep = endpoints.find((e) => e.method === ex.method && e.pattern.test(ex.path));
      if (!ep) {
        problems.push(`${where}: not a documented endpoint`);
        continue;
      }
      for (const q of Object.keys(ex.query))
        if (!ep.params.has(q)) problems.push(`${where}: ${q} is not a parameter of ${ep.template}`);
      if (ep.template === '/api/now/attachment/file' && !ex.headers['content-type'])
        problems.push(`${where}: no Content-Type`);
      if (['POST', 'PATCH', 'PUT'].includes(ex.method) && ep.template.includes('/table/')) {
        const body = ex.requestJson as Record<string, unknown> | undefined;
        if (!body || Object.values(body).some((v) => typeof v !== 'string'))
          problems.push(`${where}: body is not name-value pairs`);
      }
      if (ex.status >= 400) {
        const j = ex.responseJson as { error?: { message?: unknown }; status?: unknown };
        if (typeof j?.error?.message !== 'string' || j.status !== 'failure')
          problems.push(`${where}: error answer is not the envelope`);
        if (ex.status === 429 && ex.responseHeaders['retry-after'] === undefined)
          problems.push(`${where}: 429 without Retry-After`);
      } else if (ex.responseJson !== undefined && !('result' in (ex.responseJson as object)))
        problems.push(`${where}: answer has no result`);
    }
    expect(problems).toEqual([]);
    const seen = new Set(exchanges.map((e) => `${e.method} ${e.status}`));
    expect([...seen]).toEqual(
      expect.arrayContaining([
        'GET 200',
        'POST 201',
        'PATCH 200',
        'GET 404',
        'GET 429',
        'PATCH 403',
      ]),
    );
  });
});
