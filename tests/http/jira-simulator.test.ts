// The Jira simulator over HTTP, in Jira's wire format (no adapter involved).
import {
  startJiraSimulator,
  type JiraSimulator,
  type JiraSimulatorOptions,
} from '../../src/sandbox/jira';
import { FakeClock } from '../support/fake-clock';

interface Res {
  status: number;
  headers: Headers;
  json: unknown;
  text: string;
}

const sims: JiraSimulator[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function start(opts: JiraSimulatorOptions = {}): Promise<JiraSimulator> {
  const sim = await startJiraSimulator(opts);
  sims.push(sim);
  return sim;
}

function auth(sim: JiraSimulator): string {
  return `Basic ${Buffer.from(`${sim.email}:${sim.apiToken}`).toString('base64')}`;
}

async function call(
  sim: JiraSimulator,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Res> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      authorization: auth(sim),
      accept: 'application/json',
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, json, text };
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const search = (sim: JiraSimulator, body: Json): Promise<Res> =>
  call(sim, 'POST', '/rest/api/3/search/jql', body);
const keysOf = (res: Res): string[] =>
  ((res.json as Json)['issues'] as Json[]).map((i) => i['key'] as string);

describe('Jira simulator: auth and removed endpoints', () => {
  it('answers 401 without or with wrong basic credentials', async () => {
    const sim = await start({ email: 'bot@corp.example', apiToken: 's3cret' });
    expect(
      (await call(sim, 'GET', '/rest/api/3/myself', undefined, { authorization: '' })).status,
    ).toBe(401);
    const wrong = `Basic ${Buffer.from('bot@corp.example:nope').toString('base64')}`;
    expect(
      (await call(sim, 'GET', '/rest/api/3/myself', undefined, { authorization: wrong })).status,
    ).toBe(401);
    const me = await call(sim, 'GET', '/rest/api/3/myself');
    expect(me.status).toBe(200);
    expect(me.json).toMatchObject({
      emailAddress: 'bot@corp.example',
      displayName: 'Google Sync Connector',
      accountType: 'atlassian',
    });
  });

  it('answers 410 Gone on the old /search endpoint', async () => {
    const sim = await start();
    const get = await call(sim, 'GET', '/rest/api/3/search?jql=project%3DSUP');
    const post = await call(sim, 'POST', '/rest/api/3/search', { jql: 'project = SUP' });
    for (const r of [get, post]) {
      expect(r.status).toBe(410);
      expect((r.json as Json)['errorMessages'][0]).toMatch(/search\/jql/);
    }
  });
});

describe('Jira simulator: issues', () => {
  it('creates an issue, validating like Jira, and reads it back in v3 format', async () => {
    const sim = await start();
    const bad = await call(sim, 'POST', '/rest/api/3/issue', {
      fields: {
        project: { key: 'SUP' },
        issuetype: { name: 'Task' },
        priority: { name: 'Urgent!!' },
        components: [{ name: 'Nope' }],
        labels: ['has space'],
        description: 'not ADF',
        customfield_99999: 'x',
      },
    });
    expect(bad.status).toBe(400);
    expect((bad.json as Json)['errors']).toEqual({
      summary: 'You must specify a summary of the issue.',
      priority: "Priority name 'Urgent!!' is not valid",
      components: "Component name 'Nope' is not valid",
      labels: "The label 'has space' contains spaces which is invalid.",
      description: expect.stringMatching(/Atlassian Document/),
      customfield_99999: expect.stringMatching(/cannot be set/),
    });
    const noProject = await call(sim, 'POST', '/rest/api/3/issue', {
      fields: { summary: 'x', issuetype: { name: 'Task' } },
    });
    expect((noProject.json as Json)['errors']).toHaveProperty('project');

    const created = await call(sim, 'POST', '/rest/api/3/issue', {
      fields: {
        project: { key: 'SUP' },
        issuetype: { name: 'Task' },
        summary: 'VM down',
        description: {
          type: 'doc',
          version: 1,
          content: [{ type: 'paragraph', content: [{ type: 'text', text: 'It is down.' }] }],
        },
        priority: { name: 'High' },
        labels: ['a', 'b'],
        components: [{ name: 'Google Cloud' }],
        customfield_10050: 'organizations/1/cases/9',
      },
      properties: [{ key: 'googleCase', value: { name: 'organizations/1/cases/9' } }],
    });
    expect(created.status).toBe(201);
    expect(created.json).toEqual({
      id: '10001',
      key: 'SUP-1',
      self: `${sim.url}/rest/api/3/issue/10001`,
    });

    const got = await call(
      sim,
      'GET',
      '/rest/api/3/issue/SUP-1?fields=summary,priority,status,labels,components,project,created,updated,customfield_10050&properties=googleCase',
    );
    expect(got.status).toBe(200);
    const issue = got.json as Json;
    expect(issue['id']).toBe('10001');
    expect(Object.keys(issue['fields']).sort()).toEqual(
      [
        'components',
        'created',
        'customfield_10050',
        'labels',
        'priority',
        'project',
        'status',
        'summary',
        'updated',
      ].sort(),
    );
    expect(issue['fields']).toMatchObject({
      summary: 'VM down',
      priority: { name: 'High', id: '2' },
      status: { name: 'To Do', statusCategory: { key: 'new' } },
      labels: ['a', 'b'],
      components: [{ name: 'Google Cloud' }],
      project: { id: '10000', key: 'SUP' },
      customfield_10050: 'organizations/1/cases/9',
    });
    expect(issue['fields']['created']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    expect(issue['properties']).toEqual({ googleCase: { name: 'organizations/1/cases/9' } });
    const all = (await call(sim, 'GET', '/rest/api/3/issue/10001')).json as Json;
    expect(all['fields']['description']['type']).toBe('doc');
    expect(all['fields']['issuetype']['name']).toBe('Task');
  });

  it('answers 404 with Jira envelope for unknown issues', async () => {
    const sim = await start();
    const r = await call(sim, 'GET', '/rest/api/3/issue/SUP-999');
    expect(r.status).toBe(404);
    expect(r.json).toEqual({
      errorMessages: ['Issue does not exist or you do not have permission to see it.'],
      errors: {},
    });
  });

  it('edits fields and labels (update add/remove), bumping updated strictly on every write', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({ now: clock.now });
    const issue = sim.createIssue({ summary: 's', labels: ['keep', 'drop'] });
    const before = issue.updated.getTime();
    const put = await call(sim, 'PUT', `/rest/api/3/issue/${issue.id}`, {
      fields: { priority: { name: 'Lowest' } },
      update: { labels: [{ add: 'new' }, { remove: 'drop' }] },
    });
    expect(put.status).toBe(204);
    const after1 = sim.getIssue(issue.id);
    expect(after1?.labels).toEqual(['keep', 'new']);
    expect(after1?.priority).toBe('Lowest');
    // Same clock instant: still strictly increasing.
    await call(sim, 'POST', `/rest/api/3/issue/${issue.id}/comment`, {
      body: {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x' }] }],
      },
    });
    const after2 = sim.getIssue(issue.id);
    expect(after1!.updated.getTime()).toBeGreaterThan(before);
    expect(after2!.updated.getTime()).toBeGreaterThan(after1!.updated.getTime());
    const badPriority = await call(sim, 'PUT', `/rest/api/3/issue/${issue.id}`, {
      fields: { priority: { name: 'P9' } },
    });
    expect(badPriority.status).toBe(400);
    expect((badPriority.json as Json)['errors']['priority']).toMatch(/not valid/);
  });

  it('lists and applies workflow transitions', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    const list = await call(sim, 'GET', `/rest/api/3/issue/${issue.key}/transitions`);
    const transitions = (list.json as Json)['transitions'] as Json[];
    expect(transitions.map((t) => [t['name'], t['to']['statusCategory']['key']])).toEqual([
      ['In Progress', 'indeterminate'],
      ['Done', 'done'],
      ["Won't Do", 'done'],
    ]);
    expect(
      (
        await call(sim, 'POST', `/rest/api/3/issue/${issue.key}/transitions`, {
          transition: { id: '11' },
        })
      ).status,
    ).toBe(400);
    const done = transitions.find((t) => t['name'] === 'Done') as Json;
    expect(
      (
        await call(sim, 'POST', `/rest/api/3/issue/${issue.key}/transitions`, {
          transition: { id: done['id'] },
        })
      ).status,
    ).toBe(204);
    const snap = sim.getIssue(issue.id);
    expect(snap?.status).toBe('Done');
    expect(snap?.statusCategory).toBe('done');
  });

  it('keeps the id and answers old keys after a move to another project', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    const moved = sim.moveIssue(issue.key, 'OPS');
    expect(moved.key).toBe('OPS-1');
    expect(moved.id).toBe(issue.id);
    const byOldKey = await call(sim, 'GET', '/rest/api/3/issue/SUP-1?fields=project');
    expect((byOldKey.json as Json)['key']).toBe('OPS-1');
    expect((byOldKey.json as Json)['fields']['project']['key']).toBe('OPS');
    sim.deleteIssue(issue.id);
    expect((await call(sim, 'GET', `/rest/api/3/issue/${issue.id}`)).status).toBe(404);
  });

  it('stores issue properties', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    expect(
      (await call(sim, 'GET', `/rest/api/3/issue/${issue.id}/properties/googleCase`)).status,
    ).toBe(404);
    expect(
      (await call(sim, 'PUT', `/rest/api/3/issue/${issue.id}/properties/googleCase`, { name: 'n' }))
        .status,
    ).toBe(201);
    expect(
      (await call(sim, 'PUT', `/rest/api/3/issue/${issue.id}/properties/googleCase`, { name: 'm' }))
        .status,
    ).toBe(200);
    const got = await call(sim, 'GET', `/rest/api/3/issue/${issue.id}/properties/googleCase`);
    expect(got.json).toEqual({ key: 'googleCase', value: { name: 'm' } });
  });
});

describe('Jira simulator: JQL search', () => {
  async function seeded(): Promise<{ sim: JiraSimulator; clock: FakeClock }> {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({ now: clock.now });
    sim.createIssue({ summary: 'alpha one', labels: ['sync'], priority: 'High' }); // SUP-1 @10:00
    clock.advance(60_000);
    sim.createIssue({
      summary: 'beta two',
      labels: ['sync', 'google-case-7'],
      custom: { customfield_10050: 'organizations/1/cases/7' },
    }); // SUP-2 @10:01
    clock.advance(60_000);
    sim.createIssue({ summary: 'gamma', labels: ['other'], projectKey: 'OPS' }); // OPS-1 @10:02
    clock.advance(60_000);
    return { sim, clock };
  }

  it('supports the adapter subset: AND, parentheses, in, >=, epoch ms, ORDER BY', async () => {
    const { sim } = await seeded();
    const since = Date.parse('2026-11-30T10:01:00Z');
    const r = await search(sim, {
      jql: `(labels = sync) AND updated >= ${since} ORDER BY updated ASC`,
      fields: ['summary'],
    });
    expect(r.status).toBe(200);
    expect(keysOf(r)).toEqual(['SUP-2']);
    expect((r.json as Json)['isLast']).toBe(true);
    expect(
      keysOf(await search(sim, { jql: 'labels in (sync, other) ORDER BY updated DESC' })),
    ).toEqual(['OPS-1', 'SUP-2', 'SUP-1']);
    expect(
      keysOf(await search(sim, { jql: 'project = OPS OR priority = High ORDER BY created ASC' })),
    ).toEqual(['SUP-1', 'OPS-1']);
    expect(
      keysOf(await search(sim, { jql: 'updated > "2026/11/30 10:01" AND project in (SUP, OPS)' })),
    ).toEqual(['OPS-1']);
    expect(
      keysOf(await search(sim, { jql: 'cf[10050] ~ "\\"organizations/1/cases/7\\""' })),
    ).toEqual(['SUP-2']);
    expect(
      keysOf(await search(sim, { jql: 'customfield_10050 ~ "\\"organizations/1/cases/8\\""' })),
    ).toEqual([]);
    expect(
      keysOf(await search(sim, { jql: 'statusCategory != Done AND labels = "google-case-7"' })),
    ).toEqual(['SUP-2']);
    const viaGet = await call(
      sim,
      'GET',
      `/rest/api/3/search/jql?jql=${encodeURIComponent('labels = sync ORDER BY created DESC')}&fields=summary`,
    );
    expect(keysOf(viaGet)).toEqual(['SUP-2', 'SUP-1']);
  });

  it('returns only id by default and the requested fields and properties otherwise', async () => {
    const { sim } = await seeded();
    sim.setIssueProperty('SUP-2', 'googleCase', { name: 'organizations/1/cases/7' });
    const bare = (await search(sim, { jql: 'key = SUP-2' })).json as Json;
    expect(bare['issues'][0]['id']).toBe('10002');
    expect(bare['issues'][0]['fields']).toEqual({});
    const rich = (
      await search(sim, {
        jql: 'key = SUP-2',
        fields: ['summary', 'labels'],
        properties: ['googleCase'],
      })
    ).json as Json;
    expect(rich['issues'][0]['fields']).toEqual({
      summary: 'beta two',
      labels: ['sync', 'google-case-7'],
    });
    expect(rich['issues'][0]['properties']).toEqual({
      googleCase: { name: 'organizations/1/cases/7' },
    });
  });

  it('answers 400 with Jira envelope on syntax it does not know, unknown fields and unbounded queries', async () => {
    const { sim } = await seeded();
    for (const jql of [
      'labels = sync AND',
      'labels === sync',
      'nosuchfield = 1',
      'labels ~ sync',
      'updated >= "yesterday-ish"',
      'project = NOPE',
      'issueFunction in linkedIssuesOf("x")',
      'summary = "unterminated',
      'ORDER BY updated',
      '',
      'customfield_10050 = "organizations/1/cases/7"',
    ]) {
      const r = await search(sim, { jql });
      expect([jql, r.status]).toEqual([jql, 400]);
      expect(r.json).toEqual({ errorMessages: [expect.any(String)], errors: {} });
    }
    const unknownKey = await search(sim, { jql: 'labels = sync', startAt: 5 });
    expect(unknownKey.status).toBe(400);
  });

  it('pages with nextPageToken until isLast', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({ now: clock.now });
    for (let i = 0; i < 7; i++) {
      sim.createIssue({ summary: `n${i}`, labels: ['sync'] });
      clock.advance(1000);
    }
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const r = (
        await search(sim, {
          jql: 'labels = sync ORDER BY updated ASC',
          maxResults: 3,
          ...(token ? { nextPageToken: token } : {}),
        })
      ).json as Json;
      seen.push(...(r['issues'] as Json[]).map((i) => i['key'] as string));
      token = r['nextPageToken'] as string | undefined;
      expect(r['isLast']).toBe(token === undefined);
      pages++;
    } while (token !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual(['SUP-1', 'SUP-2', 'SUP-3', 'SUP-4', 'SUP-5', 'SUP-6', 'SUP-7']);
    const tampered = await search(sim, { jql: 'labels = other', nextPageToken: 'garbage' });
    expect(tampered.status).toBe(400);
  });

  it('lags behind writes by searchLagMs (GET /issue never does)', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({ now: clock.now, searchLagMs: 5000 });
    const issue = sim.createIssue({ summary: 'fresh', labels: ['sync'], priority: 'Low' });
    const q = { jql: 'labels = sync', fields: ['priority'] };
    expect(keysOf(await search(sim, q))).toEqual([]);
    expect((await call(sim, 'GET', `/rest/api/3/issue/${issue.id}`)).status).toBe(200);
    clock.advance(5000);
    expect(keysOf(await search(sim, q))).toEqual(['SUP-1']);
    sim.setPriority(issue.id, 'Highest');
    const stale = (await search(sim, q)).json as Json;
    expect(stale['issues'][0]['fields']['priority']['name']).toBe('Low');
    const reconciled = (await search(sim, { ...q, reconcileIssues: [Number(issue.id)] }))
      .json as Json;
    expect(reconciled['issues'][0]['fields']['priority']['name']).toBe('Highest');
    clock.advance(5000);
    const fresh = (await search(sim, q)).json as Json;
    expect(fresh['issues'][0]['fields']['priority']['name']).toBe('Highest');
  });
});

describe('Jira simulator: comments', () => {
  const adf = (text: string): Json => ({
    type: 'doc',
    version: 1,
    content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
  });

  it('makes JSM internal comments from sd.public.comment and stores other properties', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    const internal = await call(sim, 'POST', `/rest/api/3/issue/${issue.key}/comment`, {
      body: adf('secret'),
      properties: [
        { key: 'sd.public.comment', value: { internal: true } },
        { key: 'gcsSync', value: { mirrorOf: 'google:1' } },
      ],
    });
    expect(internal.status).toBe(201);
    expect(internal.json).toMatchObject({
      jsdPublic: false,
      author: { accountId: sim.apiUser.accountId },
    });
    const pub = await call(sim, 'POST', `/rest/api/3/issue/${issue.key}/comment`, {
      body: adf('hello'),
    });
    expect((pub.json as Json)['jsdPublic']).toBe(true);
    const id = (internal.json as Json)['id'] as string;
    const prop = await call(sim, 'GET', `/rest/api/3/comment/${id}/properties/gcsSync`);
    expect(prop.json).toEqual({ key: 'gcsSync', value: { mirrorOf: 'google:1' } });
    expect(
      (await call(sim, 'PUT', `/rest/api/3/comment/${id}/properties/other`, { a: 1 })).status,
    ).toBe(201);
    const listed = (
      await call(
        sim,
        'GET',
        `/rest/api/3/issue/${issue.key}/comment?expand=properties&orderBy=-created`,
      )
    ).json as Json;
    expect(listed['total']).toBe(2);
    expect(listed['comments'][0]['body']).toEqual(adf('hello'));
    expect(listed['comments'][1]['properties']).toEqual([
      { key: 'sd.public.comment', value: { internal: true } },
      { key: 'gcsSync', value: { mirrorOf: 'google:1' } },
      { key: 'other', value: { a: 1 } },
    ]);
    const plain = (await call(sim, 'GET', `/rest/api/3/issue/${issue.key}/comment`)).json as Json;
    expect(plain['comments'][0]).not.toHaveProperty('properties');
    expect(sim.getIssue(issue.id)?.comments.map((c) => [c.bodyText, c.public])).toEqual([
      ['secret', false],
      ['hello', true],
    ]);
  });

  it('rejects empty text nodes, empty and oversized bodies like Jira', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    const path = `/rest/api/3/issue/${issue.id}/comment`;
    expect((await call(sim, 'POST', path, { body: adf('') })).status).toBe(400);
    expect(
      (await call(sim, 'POST', path, { body: { type: 'doc', version: 1, content: [] } })).status,
    ).toBe(400);
    expect((await call(sim, 'POST', path, { body: 'wiki text' })).status).toBe(400);
    const big = await call(sim, 'POST', path, { body: adf('x'.repeat(32_768)) });
    expect(big.status).toBe(400);
    expect((big.json as Json)['errors']['comment']).toMatch(/32,767/);
  });

  it('pages comments with startAt/maxResults and orders by created', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({ now: clock.now });
    const issue = sim.createIssue({ summary: 's' });
    for (let i = 0; i < 5; i++) {
      sim.addComment(issue.id, { body: `c${i}`, displayName: 'Alice' });
      clock.advance(1000);
    }
    const page = (
      await call(
        sim,
        'GET',
        `/rest/api/3/issue/${issue.id}/comment?startAt=1&maxResults=2&orderBy=-created`,
      )
    ).json as Json;
    expect(page).toMatchObject({ startAt: 1, maxResults: 2, total: 5 });
    expect(
      (page['comments'] as Json[]).map((c) => c['body']['content'][0]['content'][0]['text']),
    ).toEqual(['c3', 'c2']);
    expect(
      (await call(sim, 'GET', `/rest/api/3/issue/${issue.id}/comment?orderBy=author`)).status,
    ).toBe(400);
  });

  it('takes JSM request comments (servicedeskapi)', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    const r = await call(sim, 'POST', `/rest/servicedeskapi/request/${issue.key}/comment`, {
      body: 'Hi customer',
      public: false,
    });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({
      body: 'Hi customer',
      public: false,
      author: { accountId: sim.apiUser.accountId },
    });
    expect(sim.getIssue(issue.id)?.comments[0]).toMatchObject({
      bodyText: 'Hi customer',
      public: false,
    });
  });
});

describe('Jira simulator: attachments', () => {
  function form(name: string, bytes: Buffer, type = 'application/octet-stream'): FormData {
    const fd = new FormData();
    fd.append('file', new Blob([bytes], { type }), name);
    return fd;
  }

  async function upload(
    sim: JiraSimulator,
    idOrKey: string,
    fd: FormData,
    xsrf = true,
  ): Promise<Res> {
    const res = await fetch(`${sim.url}/rest/api/3/issue/${idOrKey}/attachments`, {
      method: 'POST',
      headers: { authorization: auth(sim), ...(xsrf ? { 'x-atlassian-token': 'no-check' } : {}) },
      body: fd,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, headers: res.headers, json, text };
  }

  it('requires X-Atlassian-Token: no-check (403 XSRF check failed)', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    const r = await upload(sim, issue.id, form('a.txt', Buffer.from('abc')), false);
    expect(r.status).toBe(403);
    expect(r.text).toBe('XSRF check failed');
    expect(sim.getIssue(issue.id)?.attachments).toEqual([]);
  });

  it('stores uploads, lists them on the issue, and serves bytes via a 303 to a media URL', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    const bytes = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
    const up = await upload(sim, issue.id, form('résumé 日本.bin', bytes, 'application/pdf'));
    expect(up.status).toBe(200);
    const [meta] = up.json as Json[];
    expect(meta).toMatchObject({
      filename: 'résumé 日本.bin',
      size: bytes.length,
      mimeType: 'application/pdf',
      author: { accountId: sim.apiUser.accountId },
    });
    const fields = (await call(sim, 'GET', `/rest/api/3/issue/${issue.id}?fields=attachment`))
      .json as Json;
    expect(fields['fields']['attachment']).toHaveLength(1);
    expect((await call(sim, 'GET', `/rest/api/3/attachment/${meta!['id']}`)).json).toMatchObject({
      id: Number(meta!['id']),
      size: bytes.length,
    });

    const redirect = await fetch(`${sim.url}/rest/api/3/attachment/content/${meta!['id']}`, {
      headers: { authorization: auth(sim) },
      redirect: 'manual',
    });
    expect(redirect.status).toBe(303);
    const location = redirect.headers.get('location') as string;
    expect(location).toMatch(new RegExp(`^${sim.url}/_media/file/${meta!['id']}\\?token=`));
    const media = await fetch(location);
    expect(media.status).toBe(200);
    expect(Buffer.from(await media.arrayBuffer()).equals(bytes)).toBe(true);
    expect((await fetch(location.replace(/token=[^&]+/, 'token=forged'))).status).toBe(401);
    expect((await fetch(`${sim.url}/rest/api/3/attachment/content/${meta!['id']}`)).status).toBe(
      401,
    );
  });

  it('answers 413 for a file over the site limit, and reports the limit in /attachment/meta', async () => {
    const sim = await start({ uploadLimitBytes: 1000 });
    const issue = sim.createIssue({ summary: 's' });
    expect((await call(sim, 'GET', '/rest/api/3/attachment/meta')).json).toEqual({
      enabled: true,
      uploadLimit: 1000,
    });
    expect((await upload(sim, issue.id, form('ok.bin', Buffer.alloc(1000, 1)))).status).toBe(200);
    expect((await upload(sim, issue.id, form('big.bin', Buffer.alloc(1001, 1)))).status).toBe(413);
    expect(sim.getIssue(issue.id)?.attachments.map((a) => a.size)).toEqual([1000]);
  });

  it('serves media from another origin that refuses an Authorization header when separateMediaHost', async () => {
    const sim = await start({ separateMediaHost: true });
    const issue = sim.createIssue({ summary: 's' });
    const a = sim.addAttachment(issue.id, { filename: 'x.txt', content: Buffer.from('hello') });
    const redirect = await fetch(`${sim.url}/rest/api/3/attachment/content/${a.id}`, {
      headers: { authorization: auth(sim) },
      redirect: 'manual',
    });
    const location = redirect.headers.get('location') as string;
    expect(location.startsWith(sim.mediaUrl)).toBe(true);
    expect(sim.mediaUrl).not.toBe(sim.url);
    expect((await fetch(location, { headers: { authorization: auth(sim) } })).status).toBe(401);
    expect(await (await fetch(location)).text()).toBe('hello');
  });
});

describe('Jira simulator: faults, stats and control API', () => {
  it('injects statuses with Retry-After, counts, latency and dropped connections; never on /_control', async () => {
    const sim = await start();
    sim.faults.add({ status: 429, retryAfterSeconds: 7, count: 2, pathContains: '/myself' });
    const r1 = await call(sim, 'GET', '/rest/api/3/myself');
    expect(r1.status).toBe(429);
    expect(r1.headers.get('retry-after')).toBe('7');
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(429);
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(200);

    sim.faults.add({ drop: true, count: 1, method: 'GET' });
    await expect(call(sim, 'GET', '/rest/api/3/myself')).rejects.toThrow();
    sim.faults.add({ status: 500, pathContains: '/_control' });
    const control = await fetch(`${sim.url}/_control/issues`);
    expect(control.status).toBe(200);
    sim.faults.clear();

    sim.faults.add({ latencyMs: 30, count: 1 });
    const t0 = Date.now();
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
  });

  it('applies rate-based faults with the injected random source', async () => {
    const values = [0.9, 0.1];
    const sim = await start({ random: () => values.shift() ?? 0.99 });
    sim.faults.add({ status: 503, rate: 0.5 });
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(200);
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(503);
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(200);
  });

  it('goes down (503 everywhere) and counts requests by route', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    sim.setDown(true);
    expect((await call(sim, 'GET', `/rest/api/3/issue/${issue.id}`)).status).toBe(503);
    sim.setDown(false);
    await call(sim, 'GET', `/rest/api/3/issue/${issue.id}`);
    await call(sim, 'GET', `/rest/api/3/issue/${issue.key}`);
    expect(sim.stats()).toEqual({
      total: 3,
      byRoute: { 'GET /rest/api/3/issue/{issueIdOrKey}': 3 },
    });
    sim.resetStats();
    expect(sim.stats().total).toBe(0);
  });

  it('drives everything through /_control without auth', async () => {
    const sim = await start();
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${sim.url}/_control${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const created = (await (
      await post('/issues', {
        summary: 'From control',
        labels: ['sync'],
        priority: 'High',
        description: 'd',
      })
    ).json()) as Json;
    expect(created).toMatchObject({
      id: '10001',
      key: 'SUP-1',
      labels: ['sync'],
      priority: 'High',
      descriptionText: 'd',
    });
    expect(
      (await post('/issues/SUP-1/comments', { body: 'hello', displayName: 'Bob', public: false }))
        .status,
    ).toBe(201);
    const att = await fetch(
      `${sim.url}/_control/issues/SUP-1/attachments?filename=a.txt&mimeType=text/plain`,
      { method: 'POST', body: 'bytes!' },
    );
    expect(((await att.json()) as Json)['size']).toBe(6);
    expect((await post('/issues/SUP-1/priority', { priority: 'Low' })).status).toBe(204);
    expect((await post('/issues/SUP-1/transition', { to: 'Done' })).status).toBe(204);
    const moved = (await (await post('/issues/SUP-1/move', { projectKey: 'OPS' })).json()) as Json;
    expect(moved['key']).toBe('OPS-1');
    const got = (await (await fetch(`${sim.url}/_control/issues/10001`)).json()) as Json;
    expect(got).toMatchObject({ priority: 'Low', statusCategory: 'done', projectKey: 'OPS' });
    expect(got['comments'][0]).toMatchObject({
      bodyText: 'hello',
      public: false,
      author: { displayName: 'Bob' },
    });
    expect(got['attachments'][0]).toMatchObject({ filename: 'a.txt', size: 6 });

    expect((await post('/faults', { status: 500, count: 1 })).status).toBe(201);
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(500);
    expect((await post('/down', { down: true })).status).toBe(204);
    expect((await call(sim, 'GET', '/rest/api/3/myself')).status).toBe(503);
    await post('/down', { down: false });
    expect((await fetch(`${sim.url}/_control/faults`, { method: 'DELETE' })).status).toBe(204);
    const stats = (await (await fetch(`${sim.url}/_control/stats`)).json()) as Json;
    expect(stats['byRoute']['GET /rest/api/3/myself']).toBe(2);
    expect((await fetch(`${sim.url}/_control/issues/10001`, { method: 'DELETE' })).status).toBe(
      204,
    );
    expect(((await (await fetch(`${sim.url}/_control/issues`)).json()) as Json[]).length).toBe(0);
  });

  it('reports every API exchange (JSON bodies) to onExchange', async () => {
    const seen: {
      method: string;
      path: string;
      status: number;
      requestJson?: unknown;
      responseJson?: unknown;
      auth?: string;
    }[] = [];
    const sim = await start({
      onExchange: (ex) =>
        seen.push({
          method: ex.method,
          path: ex.path,
          status: ex.status,
          requestJson: ex.requestJson,
          responseJson: ex.responseJson,
          auth: ex.headers['authorization'],
        }),
    });
    await call(sim, 'POST', '/rest/api/3/search/jql', { jql: 'project = SUP' });
    await fetch(`${sim.url}/_control/issues`);
    expect(seen).toEqual([
      {
        method: 'POST',
        path: '/rest/api/3/search/jql',
        status: 200,
        requestJson: { jql: 'project = SUP' },
        responseJson: { issues: [], isLast: true },
        auth: 'Basic <redacted>',
      },
    ]);
  });
});

describe('Jira simulator: per-issue write limit', () => {
  const comment = (sim: JiraSimulator, issue: string, text = 'x'): Promise<Res> =>
    call(sim, 'POST', `/rest/api/3/issue/${issue}/comment`, {
      body: {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text }] }],
      },
    });

  it('refuses the 21st write to one issue within 2 s with 429, Retry-After and the reason', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({ now: clock.now });
    const issue = sim.createIssue({ summary: 's' });
    const other = sim.createIssue({ summary: 'other' });
    for (let i = 0; i < 20; i++) expect((await comment(sim, issue.id)).status).toBe(201);
    clock.advance(500);
    const refused = await comment(sim, issue.key); // the key names the same issue
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('2'); // 1.5 s left, rounded up
    expect(refused.headers.get('ratelimit-reason')).toBe('jira-per-issue-on-write');
    expect(refused.json).toEqual({ errorMessages: ['Rate limit exceeded.'], errors: {} });
    // Edits and transitions count too; reads and other issues do not.
    expect(
      (await call(sim, 'PUT', `/rest/api/3/issue/${issue.id}`, { fields: { summary: 'n' } }))
        .status,
    ).toBe(429);
    expect((await call(sim, 'GET', `/rest/api/3/issue/${issue.id}`)).status).toBe(200);
    expect((await comment(sim, other.id)).status).toBe(201);
    expect(sim.getIssue(issue.id)?.comments).toHaveLength(20);
    expect(sim.perIssueWriteRejections()).toBe(2);
    clock.advance(1500); // the first 20 writes were at t=0: they leave the window at t=2 s
    expect((await comment(sim, issue.id)).status).toBe(201);
  });

  it('enforces the long window: 100 writes per 30 s', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({ now: clock.now });
    const issue = sim.createIssue({ summary: 's' });
    for (let i = 0; i < 100; i++) {
      expect((await comment(sim, issue.id)).status).toBe(201);
      clock.advance(200); // 10 per 2 s: under the short window
    }
    const refused = await comment(sim, issue.id); // t = 20 s: the first write leaves at 30 s
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([429, '10']);
    clock.advance(10_000);
    expect((await comment(sim, issue.id)).status).toBe(201);
  });

  it('refuses an attachment upload over the limit after reading its body, storing nothing', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({
      now: clock.now,
      perIssueWriteLimits: [{ limit: 1, windowMs: 1000 }],
    });
    const issue = sim.createIssue({ summary: 's' });
    expect((await comment(sim, issue.id)).status).toBe(201);
    const form = new FormData();
    form.append('file', new Blob([Buffer.alloc(300_000, 1)]), 'big.bin');
    const res = await fetch(`${sim.url}/rest/api/3/issue/${issue.id}/attachments`, {
      method: 'POST',
      headers: { authorization: auth(sim), 'x-atlassian-token': 'no-check' },
      body: form,
    });
    expect([res.status, res.headers.get('retry-after')]).toEqual([429, '1']);
    expect(sim.getIssue(issue.id)?.attachments).toEqual([]);
  });

  it('can be turned off, or changed at run time (also through /_control/write-limits)', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({ now: clock.now, perIssueWriteLimits: false });
    const issue = sim.createIssue({ summary: 's' });
    for (let i = 0; i < 30; i++) expect((await comment(sim, issue.id)).status).toBe(201);
    sim.setPerIssueWriteLimits([{ limit: 2, windowMs: 1000 }]);
    expect((await comment(sim, issue.id)).status).toBe(201);
    expect((await comment(sim, issue.id)).status).toBe(201);
    expect((await comment(sim, issue.id)).status).toBe(429);
    const control = (path: string, init?: RequestInit): Promise<Response> =>
      fetch(`${sim.url}/_control${path}`, init);
    expect(await (await control('/write-limits')).json()).toEqual({
      limits: [{ limit: 2, windowMs: 1000 }],
      rejected: 1,
    });
    const post = (body: unknown): Promise<Response> =>
      control('/write-limits', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect((await post({ limits: 'lots' })).status).toBe(400);
    expect((await post({ limits: false })).status).toBe(204);
    expect((await comment(sim, issue.id)).status).toBe(201);
  });

  it('person writes (the programmatic and /_control APIs) are never limited', async () => {
    const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
    const sim = await start({
      now: clock.now,
      perIssueWriteLimits: [{ limit: 1, windowMs: 1000 }],
    });
    const issue = sim.createIssue({ summary: 's' });
    for (let i = 0; i < 5; i++) sim.addComment(issue.id, { body: `p${i}` });
    expect((await comment(sim, issue.id)).status).toBe(201);
    expect(sim.perIssueWriteRejections()).toBe(0);
  });
});

describe('Jira simulator: faults after the request was handled', () => {
  it('writes, then answers the injected status (or drops) instead of the real answer', async () => {
    const sim = await start();
    const issue = sim.createIssue({ summary: 's' });
    const body = {
      body: {
        type: 'doc',
        version: 1,
        content: [{ type: 'paragraph', content: [{ type: 'text', text: 'once' }] }],
      },
    };
    sim.faults.add({ status: 500, after: true, count: 1, method: 'POST' });
    const failed = await call(sim, 'POST', `/rest/api/3/issue/${issue.id}/comment`, body);
    expect(failed.status).toBe(500);
    expect(sim.getIssue(issue.id)?.comments).toHaveLength(1);
    sim.faults.add({ drop: true, after: true, count: 1, method: 'POST' });
    await expect(
      call(sim, 'POST', `/rest/api/3/issue/${issue.id}/comment`, body),
    ).rejects.toThrow();
    expect(sim.getIssue(issue.id)?.comments).toHaveLength(2);
    expect(() => sim.faults.add({ after: true, latencyMs: 5 })).toThrow(/after fault/);
  });
});
