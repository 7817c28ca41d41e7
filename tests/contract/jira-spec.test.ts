// Every request the JiraCrm adapter sends, and every answer the simulator gives it, checked
// against Atlassian's published OpenAPI descriptions (platform v3, and JSM for
// /rest/servicedeskapi). Skips, saying so, when the spec folder is not available.
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { JiraCrm } from '../../src/adapters/jira/jira-crm';
import type { Exchange } from '../../src/sandbox/exchange';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';
import { checkExchange, preloadSpec, SPEC_FILES, specsDir } from '../support/openapi-check';
import { DEFAULT_SETTINGS } from '../support/task-deps';

const dir = specsDir();
const platformSpec = dir === null ? '' : path.join(dir, SPEC_FILES.jiraPlatform);
const serviceDeskSpec = dir === null ? '' : path.join(dir, SPEC_FILES.jiraServiceDesk);

if (dir === null) {
  console.log('jira-spec.test: API specs not found (set API_SPECS_DIR); skipping OpenAPI checks');
}
const maybe = dir === null ? describe.skip : describe;

function specFor(ex: Exchange): string | null {
  if (ex.path.startsWith('/rest/servicedeskapi/')) return serviceDeskSpec;
  if (ex.path.startsWith('/rest/api/3/')) return platformSpec;
  return null; // the media host (/_media) is not part of the REST API
}

function problemsOf(exchanges: readonly Exchange[]): string[] {
  return exchanges.flatMap((ex) => {
    const spec = specFor(ex);
    return spec === null
      ? []
      : checkExchange(spec, ex).map((p) => `${ex.method} ${ex.path} → ${ex.status}: ${p}`);
  });
}

maybe('Jira traffic matches the OpenAPI descriptions', () => {
  let sim: JiraSimulator;
  let exchanges: Exchange[];

  beforeAll(() => {
    preloadSpec(platformSpec);
    preloadSpec(serviceDeskSpec);
  });

  beforeEach(async () => {
    exchanges = [];
    sim = await startJiraSimulator({ onExchange: (ex) => exchanges.push(ex) });
  });

  afterEach(async () => {
    await sim.close();
  });

  const crmFor = (extra: Partial<ConstructorParameters<typeof JiraCrm>[0]> = {}): JiraCrm =>
    new JiraCrm({
      baseUrl: sim.url,
      email: sim.email,
      apiToken: sim.apiToken,
      projectKey: 'SUP',
      pageSize: 2,
      ...extra,
    });

  it('every adapter call in label + property mode', async () => {
    const crm = crmFor();
    const ticket = await crm.create({
      summary: 'VM down',
      description: 'CONTENT MIRRORED FROM GOOGLE SUPPORT:\nIt is down.',
      priority: 1,
      googleCaseName: 'organizations/1/cases/77',
    });
    const person = sim.createIssue({
      summary: 'from jira',
      labels: ['synchronizeWithGoogleCloudSupport'],
    });
    for (let i = 0; i < 3; i++)
      sim.addComment(person.id, { body: `c${i}`, displayName: 'Alice', public: i !== 1 });
    sim.addAttachment(person.id, {
      filename: 'log.txt',
      mimeType: 'text/plain',
      content: Buffer.from('log'),
    });

    let token: string | undefined;
    do token = (await crm.searchUpdated(new Date(0), token)).nextPageToken;
    while (token !== undefined);
    await crm.get(ticket.id);
    await crm.get('99999');
    await crm.findByGoogleCase('organizations/1/cases/77');
    await crm.linkGoogleCase(person.id, 'organizations/1/cases/78');
    await crm.setPriority(ticket.id, 3);
    await crm.addComment(ticket.id, '[Google Comment 1 by Jane]\nhello', {
      visibility: 'internal',
      mirrorOf: 'google:1',
    });
    await crm.addComment(ticket.id, 'Syncing has resumed.', { visibility: 'public' });
    await crm.listComments(person.id);
    await crm.listComments(person.id, new Date(Date.now() - 60_000));
    await crm.listAttachments(person.id);
    await crm.uploadLimitBytes();
    const att = await crm.upload(ticket.id, {
      filename: 'résumé.txt',
      mimeType: 'text/plain',
      sizeBytes: 5,
      content: Readable.from([Buffer.from('hello')]),
    });
    for await (const _chunk of await crm.download(ticket.id, att.id)) {
      // drain
    }
    await crm.close(ticket.id);
    await crm.close(ticket.id);

    const routes = new Set(
      exchanges.map((e) => `${e.method} ${e.path.replace(/\/\d{5,}(?=\/|$)/g, '/{id}')}`),
    );
    expect([...routes].sort()).toEqual(
      [
        'GET /_media/file/{id}',
        'GET /rest/api/3/attachment/content/{id}',
        'GET /rest/api/3/attachment/meta',
        'GET /rest/api/3/issue/{id}',
        'GET /rest/api/3/issue/{id}/comment',
        'GET /rest/api/3/issue/{id}/transitions',
        'GET /rest/api/3/myself',
        'POST /rest/api/3/issue',
        'POST /rest/api/3/issue/{id}/attachments',
        'POST /rest/api/3/issue/{id}/comment',
        'POST /rest/api/3/issue/{id}/transitions',
        'POST /rest/api/3/search/jql',
        'PUT /rest/api/3/issue/{id}',
      ].sort(),
    );
    expect(problemsOf(exchanges)).toEqual([]);

    // The check is not vacuous: a search body with a field Jira does not know is flagged.
    const search = exchanges.find((e) => e.path === '/rest/api/3/search/jql') as Exchange;
    const broken = { ...search, requestJson: { ...(search.requestJson as object), startAt: 0 } };
    expect(problemsOf([broken]).join('\n')).toMatch(/startAt/);
  });

  it('every adapter call in custom-field mode, and error answers', async () => {
    const crm = crmFor({ googleCaseField: 'customfield_10050', doneTransition: "Won't Do" });
    const ticket = await crm.create({
      summary: 's',
      description: 'd',
      priority: 0,
      googleCaseName: 'organizations/1/cases/5',
    });
    await crm.findByGoogleCase('organizations/1/cases/5');
    await crm.linkGoogleCase(ticket.id, 'organizations/1/cases/6');
    await crm.searchUpdated(new Date(0));
    await crm.close(ticket.id);
    // Beyond the adapters' 20 s retry budget: the 429 reaches the caller at once.
    sim.faults.add({ status: 429, retryAfterSeconds: 3600, count: 1 });
    await expect(crm.get(ticket.id)).rejects.toThrow();
    const bad = new JiraCrm({
      baseUrl: sim.url,
      email: sim.email,
      apiToken: 'wrong',
      projectKey: 'SUP',
    });
    await expect(bad.get(ticket.id)).rejects.toThrow();
    const problems = problemsOf(exchanges.filter((e) => e.status !== 429));
    expect(problems).toEqual([]);
    expect(exchanges.some((e) => e.status === 401)).toBe(true);
  });

  it('diagnose (npm run doctor): every check, and its error answers', async () => {
    sim.createIssue({ summary: 'open', labels: ['synchronizeWithGoogleCloudSupport'] });
    const checks = await crmFor({ googleCaseField: 'customfield_10050' }).diagnose(
      DEFAULT_SETTINGS,
    );
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    await crmFor({ projectKey: 'NOPE', syncJql: 'labels = = x' }).diagnose(DEFAULT_SETTINGS);
    await new JiraCrm({
      baseUrl: sim.url,
      email: sim.email,
      apiToken: 'wrong',
      projectKey: 'SUP',
    }).diagnose(DEFAULT_SETTINGS);
    const routes = new Set(exchanges.map((e) => `${e.method} ${e.path} ${e.status}`));
    expect(routes).toEqual(
      new Set([
        'GET /rest/api/3/myself 200',
        'GET /rest/api/3/myself 401',
        'GET /rest/api/3/project/SUP 200',
        'GET /rest/api/3/project/NOPE 404',
        'GET /rest/api/3/priority/search 200',
        'POST /rest/api/3/search/jql 200',
        'GET /rest/api/3/issue/SUP-1/transitions 200',
        'GET /rest/api/3/field 200',
        'POST /rest/api/3/search/approximate-count 200',
        'POST /rest/api/3/search/approximate-count 400',
        'GET /rest/api/3/attachment/meta 200',
      ]),
    );
    expect(problemsOf(exchanges)).toEqual([]);
  });

  it('the simulator endpoints the adapter does not use answer in spec too', async () => {
    const issue = sim.createIssue({ summary: 's' });
    const c = sim.addComment(issue.id, { body: 'x' });
    const a = sim.addAttachment(issue.id, { filename: 'a.txt', content: Buffer.from('a') });
    const authz = `Basic ${Buffer.from(`${sim.email}:${sim.apiToken}`).toString('base64')}`;
    const call = async (method: string, p: string, body?: unknown): Promise<void> => {
      await fetch(`${sim.url}${p}`, {
        method,
        headers: {
          authorization: authz,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    };
    await call('GET', '/rest/api/3/priority');
    await call('GET', '/rest/api/3/priority/search');
    await call('GET', '/rest/api/3/field');
    await call('GET', `/rest/api/3/attachment/${a.id}`);
    await call('PUT', `/rest/api/3/issue/${issue.id}/properties/googleCase`, { name: 'n' });
    await call('GET', `/rest/api/3/issue/${issue.id}/properties/googleCase`);
    await call('GET', `/rest/api/3/comment/${c.id}/properties/sd.public.comment`);
    await call('GET', `/rest/api/3/issue/${issue.id}?expand=names`);
    await call('POST', `/rest/servicedeskapi/request/${issue.key}/comment`, {
      body: 'hello',
      public: false,
    });
    await call('POST', `/rest/servicedeskapi/request/${issue.key}/comment`, { body: '' });
    const problems = problemsOf(
      exchanges.filter((e) => !(e.method === 'PUT' && e.path.includes('/properties/'))),
    );
    expect(problems).toEqual([]);
  });
});
