// What is specific to JiraCrm (ADF, labels and properties, JQL, request counts, streaming,
// error classification), against the Jira simulator over HTTP. The port's behaviour is the
// Crm contract (crm.contract.ts).
import { createHash } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { JiraCrm, type JiraCrmOptions } from '../../src/adapters/jira/jira-crm';
import { NotFoundError, SyncError, TooLargeError } from '../../src/domain/errors';
import {
  startJiraSimulator,
  type JiraSimulator,
  type JiraSimulatorOptions,
} from '../../src/sandbox/jira';
import { FakeClock } from '../support/fake-clock';
import { patternBytes as bytes } from './port-contract-helpers';

const CASE = 'organizations/123/cases/4567';
/** One attempt per call: these tests check classification (retries: rate-limits.test.ts). */
const NO_RETRY = { retry: { maxAttempts: 1 } } as const;
const sims: JiraSimulator[] = [];

afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.close()));
});

async function setup(
  simOpts: JiraSimulatorOptions = {},
  crmOpts: Partial<JiraCrmOptions> = {},
): Promise<{ sim: JiraSimulator; crm: JiraCrm; clock: FakeClock }> {
  const clock = new FakeClock(Date.parse('2026-11-30T10:00:00Z'));
  const sim = await startJiraSimulator({ now: clock.now, ...simOpts });
  sims.push(sim);
  const crm = new JiraCrm({
    baseUrl: sim.url,
    email: sim.email,
    apiToken: sim.apiToken,
    projectKey: 'SUP',
    requestTimeoutMs: 5000,
    // These tests classify single answers (an injected 429 included): the site budget,
    // which would pause on such a 429, is tested in upstream-budget and rate-limit tests.
    budget: false,
    ...crmOpts,
  });
  return { sim, crm, clock };
}

async function errorOf(p: Promise<unknown>): Promise<SyncError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(SyncError);
    return e as SyncError;
  }
  throw new Error('expected a rejection');
}

async function drain(stream: Readable): Promise<Buffer> {
  const hash = createHash('sha256');
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size <= 64 * 1024) parts.push(chunk as Buffer);
  }
  return Object.assign(Buffer.concat(parts), { sha: hash.digest('hex'), total: size });
}

function chunked(buf: Buffer, chunk = 64 * 1024): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= buf.length) {
        this.push(null);
        return;
      }
      this.push(buf.subarray(offset, offset + chunk));
      offset += chunk;
    },
  });
}

describe('JiraCrm: tickets (label + property mode)', () => {
  it('creates a ticket selected by the sync JQL, holding the case via label + issue property, in one request', async () => {
    const { sim, crm } = await setup();
    const ticket = await crm.create({
      summary: 'VM unreachable\nin us-east1',
      description: 'CONTENT MIRRORED FROM GOOGLE SUPPORT:\nline 2\n\nparagraph',
      priority: 1,
      googleCaseName: CASE,
    });
    expect(ticket).toMatchObject({
      id: '10001',
      key: 'SUP-1',
      summary: 'VM unreachable in us-east1',
      description: 'CONTENT MIRRORED FROM GOOGLE SUPPORT:\nline 2\n\nparagraph',
      priority: 1,
      closed: false,
      googleCaseName: CASE,
      projectKey: 'SUP',
    });
    const snap = sim.getIssue(ticket.id);
    expect(snap).toMatchObject({
      labels: ['synchronizeWithGoogleCloudSupport', 'google-case-4567'],
      components: ['Google Cloud'],
      priority: 'High',
      issueType: 'Task',
      properties: { googleCase: { name: CASE } },
    });
    expect(sim.stats().byRoute['POST /rest/api/3/issue']).toBe(1);
    expect(
      sim.stats().byRoute['PUT /rest/api/3/issue/{issueIdOrKey}/properties/{propertyKey}'],
    ).toBeUndefined();
    const page = await crm.searchUpdated(new Date(0));
    expect(page.items.map((t) => t.id)).toEqual([ticket.id]);
  });

  it('keeps summaries within Jira limits', async () => {
    const { sim, crm } = await setup();
    const t = await crm.create({
      summary: 'x'.repeat(400),
      description: '',
      priority: 4,
      googleCaseName: CASE,
    });
    expect(t.summary).toHaveLength(255);
    expect(sim.getIssue(t.id)?.priority).toBe('Lowest');
  });

  it('maps get(): priority by name (unknown → null), closed by status category, case from property', async () => {
    const { sim, crm } = await setup({
      priorities: ['Highest', 'High', 'Medium', 'Low', 'Lowest', 'Trivial'],
    });
    const issue = sim.createIssue({
      summary: 'from jira',
      description: 'Hello\n\nWorld',
      priority: 'Trivial',
    });
    const t = await crm.get(issue.id);
    expect(t).toMatchObject({
      id: issue.id,
      key: issue.key,
      summary: 'from jira',
      description: 'Hello\n\nWorld',
      priority: null,
      closed: false,
      googleCaseName: null,
      projectKey: 'SUP',
    });
    expect(t?.createTime).toEqual(issue.created);
    sim.transition(issue.id, "Won't Do");
    sim.setPriority(issue.id, 'Highest');
    sim.setIssueProperty(issue.id, 'googleCase', { name: CASE });
    const again = await crm.get(issue.key);
    expect(again).toMatchObject({ closed: true, priority: 0, googleCaseName: CASE });
    expect(again!.updateTime.getTime()).toBeGreaterThanOrEqual(t!.updateTime.getTime());
  });

  it('get() still finds a ticket moved to another project, by id or by its old key', async () => {
    const { sim, crm } = await setup();
    const a = sim.createIssue({ summary: 'a' });
    sim.moveIssue(a.id, 'OPS');
    expect(await crm.get(a.id)).toMatchObject({ id: a.id, key: 'OPS-1', projectKey: 'OPS' });
    expect(await crm.get('SUP-1')).toMatchObject({ id: a.id, key: 'OPS-1' });
  });

  it('searchUpdated: sync JQL, updated at or after (ms precision), ascending, one page per call', async () => {
    const { sim, crm, clock } = await setup({}, { pageSize: 2 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        sim.createIssue({ summary: `t${i}`, labels: ['synchronizeWithGoogleCloudSupport'] }).id,
      );
      clock.advance(1500);
    }
    sim.createIssue({ summary: 'not synced', labels: ['other'] });
    const cutoff = sim.getIssue(ids[1] as string)!.updated;
    const got: string[] = [];
    let token: string | undefined;
    let calls = 0;
    do {
      const page = await crm.searchUpdated(cutoff, token);
      got.push(...page.items.map((t) => t.id));
      token = page.nextPageToken;
      calls++;
    } while (token !== undefined);
    expect(got).toEqual(ids.slice(1));
    expect(calls).toBe(2);
    // A write moves a ticket to the end (updated ASC).
    sim.setPriority(ids[0] as string, 'Low');
    const last = await crm.searchUpdated(new Date(clock.ms - 1));
    expect(last.items.map((t) => t.id)).toEqual([ids[0]]);
  });

  it('searchUpdated honours a custom sync JQL (an ORDER BY in it is ignored)', async () => {
    const { sim, crm } = await setup(
      {},
      { syncJql: 'project = OPS AND statusCategory != Done ORDER BY created DESC' },
    );
    sim.createIssue({ summary: 'sup', labels: ['synchronizeWithGoogleCloudSupport'] });
    const ops = sim.createIssue({ summary: 'ops', projectKey: 'OPS' });
    const done = sim.createIssue({ summary: 'ops done', projectKey: 'OPS' });
    sim.transition(done.id, 'Done');
    expect((await crm.searchUpdated(new Date(0))).items.map((t) => t.id)).toEqual([ops.id]);
  });

  it('findByGoogleCase: by label, confirmed by the property; null when absent', async () => {
    const { sim, crm } = await setup();
    // Same case number in another organization: same label, other property.
    const other = sim.createIssue({ summary: 'other org', labels: ['google-case-4567'] });
    sim.setIssueProperty(other.id, 'googleCase', { name: 'organizations/999/cases/4567' });
    expect(await crm.findByGoogleCase(CASE)).toBeNull();
    const created = await crm.create({
      summary: 's',
      description: 'd',
      priority: 2,
      googleCaseName: CASE,
    });
    expect((await crm.findByGoogleCase(CASE))?.id).toBe(created.id);
    expect(await crm.findByGoogleCase('organizations/123/cases/1')).toBeNull();
  });

  it('findByGoogleCase is eventually consistent (search lag)', async () => {
    const { crm, clock } = await setup({ searchLagMs: 10_000 });
    const created = await crm.create({
      summary: 's',
      description: 'd',
      priority: 2,
      googleCaseName: CASE,
    });
    expect(await crm.get(created.id)).not.toBeNull();
    expect(await crm.findByGoogleCase(CASE)).toBeNull();
    clock.advance(10_000);
    expect((await crm.findByGoogleCase(CASE))?.id).toBe(created.id);
  });

  it('linkGoogleCase: label + property on a ticket created in Jira, in one request', async () => {
    const { sim, crm } = await setup();
    const issue = sim.createIssue({
      summary: 'from jira',
      labels: ['synchronizeWithGoogleCloudSupport'],
    });
    await crm.linkGoogleCase(issue.id, CASE);
    expect(sim.getIssue(issue.id)).toMatchObject({
      labels: ['synchronizeWithGoogleCloudSupport', 'google-case-4567'],
      properties: { googleCase: { name: CASE } },
    });
    expect(sim.stats().byRoute['PUT /rest/api/3/issue/{issueIdOrKey}']).toBe(1);
    expect((await crm.get(issue.id))?.googleCaseName).toBe(CASE);
    expect((await crm.findByGoogleCase(CASE))?.id).toBe(issue.id);
  });

  it('setPriority writes the configured priority name', async () => {
    const { sim, crm } = await setup(
      {},
      { priorityNames: { 0: 'Highest', 1: 'Highest', 2: 'High', 3: 'Medium', 4: 'Low' } },
    );
    const issue = sim.createIssue({ summary: 's' });
    await crm.setPriority(issue.id, 1);
    expect(sim.getIssue(issue.id)?.priority).toBe('Highest');
    await crm.setPriority(issue.id, 4);
    expect(sim.getIssue(issue.id)?.priority).toBe('Low');
    expect((await crm.get(issue.id))?.priority).toBe(4);
  });
});

describe('JiraCrm: custom field mode', () => {
  const field = 'customfield_10050';

  it('creates, links and finds via the custom field, without label or property', async () => {
    const { sim, crm } = await setup({}, { googleCaseField: field });
    const t = await crm.create({
      summary: 's',
      description: 'd',
      priority: 3,
      googleCaseName: CASE,
    });
    const snap = sim.getIssue(t.id);
    expect(snap?.custom[field]).toBe(CASE);
    expect(snap?.labels).toEqual(['synchronizeWithGoogleCloudSupport']);
    expect(snap?.properties).toEqual({});
    expect(t.googleCaseName).toBe(CASE);

    // A ticket whose field merely contains the same words is not a match.
    const decoy = sim.createIssue({ summary: 'decoy', custom: { [field]: `${CASE}/extra` } });
    expect((await crm.findByGoogleCase(CASE))?.id).toBe(t.id);
    const other = 'organizations/123/cases/99';
    await crm.linkGoogleCase(decoy.id, other);
    expect(sim.getIssue(decoy.id)?.custom[field]).toBe(other);
    expect((await crm.findByGoogleCase(other))?.id).toBe(decoy.id);
    expect(
      (await crm.searchUpdated(new Date(0))).items.map((x) => [x.id, x.googleCaseName]),
    ).toEqual([[t.id, CASE]]);
  });

  it('refuses a malformed field id at construction', () => {
    expect(
      () =>
        new JiraCrm({
          baseUrl: 'http://127.0.0.1:1',
          email: 'e',
          apiToken: 't',
          projectKey: 'SUP',
          googleCaseField: 'Google Case',
        }),
    ).toThrow();
  });
});

describe('JiraCrm: close', () => {
  it('uses the configured transition, by name or id', async () => {
    const { sim, crm } = await setup({}, { doneTransition: "won't do" });
    const a = sim.createIssue({ summary: 'a' });
    await crm.close(a.id);
    expect(sim.getIssue(a.id)?.status).toBe("Won't Do");
    const { sim: sim2, crm: crm2 } = await setup({}, { doneTransition: '31' });
    const b = sim2.createIssue({ summary: 'b' });
    await crm2.close(b.id);
    expect(sim2.getIssue(b.id)?.status).toBe('Done');
  });

  it('does nothing on a ticket already done; fails permanently when no transition matches', async () => {
    const { sim, crm } = await setup({}, { doneTransition: 'Resolve this issue' });
    const done = sim.createIssue({ summary: 'a' });
    sim.transition(done.id, 'Done');
    sim.resetStats();
    await crm.close(done.id);
    expect(
      sim.stats().byRoute['POST /rest/api/3/issue/{issueIdOrKey}/transitions'],
    ).toBeUndefined();
    const open = sim.createIssue({ summary: 'b' });
    const e = await errorOf(crm.close(open.id));
    expect(e.kind).toBe('permanent');
    expect(sim.getIssue(open.id)?.status).toBe('To Do');
  });
});

describe('JiraCrm: comments', () => {
  it('adds internal and public comments with the mirror mark in one request each', async () => {
    const { sim, crm } = await setup();
    const issue = sim.createIssue({ summary: 's' });
    const internal = await crm.addComment(issue.id, '[Google Comment 7 by Jane]\nHello\n\nWorld', {
      visibility: 'internal',
      mirrorOf: 'google:7',
    });
    const pub = await crm.addComment(issue.id, 'Public notice', { visibility: 'public' });
    expect(internal).toMatchObject({
      body: '[Google Comment 7 by Jane]\nHello\n\nWorld',
      isPublic: false,
      mirrorOf: 'google:7',
      author: { displayName: 'Google Sync Connector', isConnector: true },
    });
    expect(pub).toMatchObject({ isPublic: true, author: { isConnector: true } });
    expect(pub).not.toHaveProperty('mirrorOf');
    expect(sim.stats().byRoute['POST /rest/api/3/issue/{issueIdOrKey}/comment']).toBe(2);
    expect(
      sim.stats().byRoute['PUT /rest/api/3/comment/{commentId}/properties/{propertyKey}'],
    ).toBeUndefined();
    const comments = sim.getIssue(issue.id)!.comments;
    expect(comments.map((c) => [c.public, c.properties])).toEqual([
      [false, { 'sd.public.comment': { internal: true }, gcsSync: { mirrorOf: 'google:7' } }],
      [true, { 'sd.public.comment': { internal: false } }],
    ]);
  });

  it('reads an ADF comment (mention, link) as readable text', async () => {
    const { sim, crm } = await setup();
    const issue = sim.createIssue({ summary: 's' });
    sim.addComment(issue.id, {
      displayName: 'Carol',
      adf: {
        type: 'doc',
        version: 1,
        content: [
          {
            type: 'paragraph',
            content: [
              { type: 'mention', attrs: { id: 'x', text: '@Alice' } },
              { type: 'text', text: ' see ' },
              {
                type: 'text',
                text: 'docs',
                marks: [{ type: 'link', attrs: { href: 'https://d.test' } }],
              },
            ],
          },
        ],
      },
    });
    const list = await crm.listComments(issue.id);
    expect(list.map((c) => [c.author.displayName, c.body])).toEqual([
      ['Carol', '@Alice see docs (https://d.test)'],
    ]);
    expect(list[0]!.createTime.toISOString()).toBe('2026-11-30T10:00:00.000Z');
  });

  it('pages newest first and stops once older than since', async () => {
    const { sim, crm, clock } = await setup({}, { pageSize: 2 });
    const issue = sim.createIssue({ summary: 's' });
    for (let i = 0; i < 7; i++) {
      sim.addComment(issue.id, { body: `c${i}`, displayName: 'Alice' });
      clock.advance(1000);
    }
    const all = await crm.listComments(issue.id);
    expect(all.map((c) => c.body)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6']);
    sim.resetStats();
    const since = all[4]!.createTime;
    const recent = await crm.listComments(issue.id, since);
    expect(recent.map((c) => c.body)).toEqual(['c5', 'c6']);
    // Page 1 (c6, c5) is all newer; page 2 (c4, c3) reaches `since`: no third page.
    expect(sim.stats().byRoute['GET /rest/api/3/issue/{issueIdOrKey}/comment']).toBe(2);
  });

  it('fetches /myself once per adapter', async () => {
    const { sim, crm } = await setup();
    const issue = sim.createIssue({ summary: 's' });
    await crm.listComments(issue.id);
    await crm.addComment(issue.id, 'x', { visibility: 'public' });
    await crm.listComments(issue.id);
    expect(sim.stats().byRoute['GET /rest/api/3/myself']).toBe(1);
  });
});

describe('JiraCrm: attachments', () => {
  it('round-trips a multi-MB file byte for byte, streamed', async () => {
    const { sim, crm } = await setup({ uploadLimitBytes: 20 * 1024 * 1024 });
    const issue = sim.createIssue({ summary: 's' });
    const data = bytes(6 * 1024 * 1024 + 123);
    const att = await crm.upload(issue.id, {
      filename: 'dump.tar.gz',
      mimeType: 'application/gzip',
      sizeBytes: data.length,
      content: chunked(data),
    });
    expect(att).toMatchObject({
      filename: 'dump.tar.gz',
      mimeType: 'application/gzip',
      sizeBytes: data.length,
      author: { isConnector: true },
    });
    const stored = sim.getIssue(issue.id)!.attachments[0]!;
    expect(stored.content.equals(data)).toBe(true);
    const down = (await drain(await crm.download(issue.id, att.id))) as Buffer & {
      sha: string;
      total: number;
    };
    expect(down.total).toBe(data.length);
    expect(down.sha).toBe(createHash('sha256').update(data).digest('hex'));
    expect(sim.stats().byRoute['GET /_media/file/{id}']).toBe(1);
  });

  it('sends a quoted file name and a malformed MIME type safely', async () => {
    const { sim, crm } = await setup();
    const issue = sim.createIssue({ summary: 's' });
    const quoted = await crm.upload(issue.id, {
      filename: 'say "hi".txt',
      mimeType: 'weird type\r\nX: y',
      sizeBytes: 1,
      content: Readable.from([Buffer.from('x')]),
    });
    expect(quoted.mimeType).toBe('application/octet-stream');
    const listed = await crm.listAttachments(issue.id);
    expect(listed.map((a) => [a.filename, a.sizeBytes])).toEqual([['say %22hi%22.txt', 1]]);
  });

  it('lists attachments written by people with their authors', async () => {
    const { sim, crm } = await setup();
    const issue = sim.createIssue({ summary: 's' });
    sim.addAttachment(issue.id, {
      filename: 'log.txt',
      mimeType: 'text/plain',
      content: Buffer.from('abc'),
      displayName: 'Alice',
    });
    expect(await crm.listAttachments(issue.id)).toEqual([
      {
        id: expect.any(String),
        filename: 'log.txt',
        mimeType: 'text/plain',
        sizeBytes: 3,
        createTime: new Date('2026-11-30T10:00:00.000Z'),
        author: { displayName: 'Alice', isConnector: false },
      },
    ]);
    await expect(crm.listAttachments('999999')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reports the site limit (cached) and refuses larger files with TooLargeError', async () => {
    const { sim, crm } = await setup({ uploadLimitBytes: 4096 });
    const issue = sim.createIssue({ summary: 's' });
    expect(await crm.uploadLimitBytes()).toBe(4096);
    expect(await crm.uploadLimitBytes()).toBe(4096);
    expect(sim.stats().byRoute['GET /rest/api/3/attachment/meta']).toBe(1);
    const source = chunked(bytes(5000));
    const e = await errorOf(
      crm.upload(issue.id, {
        filename: 'big.bin',
        mimeType: 'application/octet-stream',
        sizeBytes: 5000,
        content: source,
      }),
    );
    expect(e).toBeInstanceOf(TooLargeError);
    expect((e as TooLargeError).limitBytes).toBe(4096);
    expect(source.destroyed).toBe(true);
    expect(
      sim.stats().byRoute['POST /rest/api/3/issue/{issueIdOrKey}/attachments'],
    ).toBeUndefined();
    // Announced size under the limit, real bytes over it: Jira's 413 maps to TooLargeError too.
    const e2 = await errorOf(
      crm.upload(issue.id, {
        filename: 'liar.bin',
        mimeType: 'application/octet-stream',
        sizeBytes: 10,
        content: chunked(bytes(5000)),
      }),
    );
    expect(e2).toBeInstanceOf(TooLargeError);
    expect(sim.getIssue(issue.id)?.attachments).toEqual([]);
  });

  it('follows the redirect to another media origin without sending the Authorization header', async () => {
    const { sim, crm } = await setup({ separateMediaHost: true });
    const issue = sim.createIssue({ summary: 's' });
    const a = sim.addAttachment(issue.id, { filename: 'x.bin', content: bytes(100_000, 7) });
    const got = await drain(await crm.download(issue.id, a.id));
    expect((got as Buffer & { sha: string }).sha).toBe(
      createHash('sha256').update(bytes(100_000, 7)).digest('hex'),
    );
  });

  it('classifies download failures and a missing attachment', async () => {
    const { sim, crm } = await setup({}, NO_RETRY);
    const issue = sim.createIssue({ summary: 's' });
    const a = sim.addAttachment(issue.id, { filename: 'x.bin', content: Buffer.from('abc') });
    expect(await errorOf(crm.download(issue.id, '77777'))).toBeInstanceOf(NotFoundError);
    sim.faults.add({ status: 429, retryAfterSeconds: 12, count: 1, pathContains: '/_media/' });
    const e = await errorOf(crm.download(issue.id, a.id));
    expect([e.kind, e.retryAfterSeconds]).toEqual(['rate-limited', 12]);
    sim.faults.add({ drop: true, count: 1, pathContains: '/attachment/content/' });
    expect((await errorOf(crm.download(issue.id, a.id))).kind).toBe('retry');
  });

  it('fails an upload whose source stream breaks, writing nothing', async () => {
    const { sim, crm } = await setup();
    const issue = sim.createIssue({ summary: 's' });
    const source = new PassThrough();
    source.write(bytes(1000));
    setImmediate(() => source.destroy(new SyncError('retry', 'google download broke')));
    const e = await errorOf(
      crm.upload(issue.id, {
        filename: 'x',
        mimeType: 'text/plain',
        sizeBytes: 5000,
        content: source,
      }),
    );
    expect(e.kind).toBe('retry');
    // Breaking mid-request (caches warm, the body is already flowing).
    let sent = 0;
    const midway = new Readable({
      read() {
        if (sent === 10) {
          this.destroy(new Error('socket hang up upstream'));
          return;
        }
        sent++;
        this.push(bytes(64 * 1024, sent));
      },
    });
    const e2 = await errorOf(
      crm.upload(issue.id, {
        filename: 'y',
        mimeType: 'text/plain',
        sizeBytes: 2_000_000,
        content: midway,
      }),
    );
    expect(e2.kind).toBe('retry');
    expect(e2.message).not.toMatch(/hang up/);
    expect(sim.getIssue(issue.id)?.attachments).toEqual([]);
  });
});

describe('JiraCrm: error classification', () => {
  it('404 → NotFoundError for writes on a missing ticket; messages carry method and status only', async () => {
    const { crm } = await setup();
    const e = await errorOf(crm.setPriority('999999', 1));
    expect(e).toBeInstanceOf(NotFoundError);
    expect(e.message).toMatch(/PUT/);
    expect(e.message).toMatch(/404/);
    expect(e.message).not.toMatch(/does not exist/);
    expect(e.cause).toBeUndefined();
  });

  it('429 with Retry-After → rate-limited with retryAfterSeconds', async () => {
    const { sim, crm } = await setup({}, NO_RETRY);
    sim.faults.add({ status: 429, retryAfterSeconds: 30, count: 1, pathContains: '/search/jql' });
    const e = await errorOf(crm.searchUpdated(new Date(0)));
    expect([e.kind, e.status, e.retryAfterSeconds, e.source]).toEqual([
      'rate-limited',
      429,
      30,
      'jira',
    ]);
    expect((await crm.searchUpdated(new Date(0))).items).toEqual([]);
  });

  it('500 and 503 → retry; 503 with Retry-After → rate-limited', async () => {
    const { sim, crm } = await setup({}, NO_RETRY);
    const issue = sim.createIssue({ summary: 's' });
    sim.faults.add({ status: 500, count: 1 });
    expect((await errorOf(crm.get(issue.id))).kind).toBe('retry');
    sim.setDown(true);
    const down = await errorOf(crm.listComments(issue.id));
    expect([down.kind, down.status]).toEqual(['retry', 503]);
    sim.setDown(false);
    sim.faults.add({ status: 503, retryAfterSeconds: 5, count: 1 });
    const e = await errorOf(crm.addComment(issue.id, 'x', { visibility: 'public' }));
    expect([e.kind, e.retryAfterSeconds]).toEqual(['rate-limited', 5]);
  });

  it('dropped connection and timeout → retry', async () => {
    const { sim, crm } = await setup({}, { requestTimeoutMs: 100, ...NO_RETRY });
    const issue = sim.createIssue({ summary: 's' });
    sim.faults.add({ drop: true, count: 1 });
    const dropped = await errorOf(crm.get(issue.id));
    expect([dropped.kind, dropped.status]).toEqual(['retry', undefined]);
    sim.faults.add({ drop: true, count: 1, pathContains: '/attachments' });
    expect(
      (
        await errorOf(
          crm.upload(issue.id, {
            filename: 'a',
            mimeType: 'text/plain',
            sizeBytes: 3,
            content: Readable.from([Buffer.from('abc')]),
          }),
        )
      ).kind,
    ).toBe('retry');
    sim.faults.add({ latencyMs: 400, count: 1, pathContains: `/issue/${issue.id}` });
    const slow = await errorOf(crm.close(issue.id));
    expect([slow.kind, slow.message]).toEqual(['retry', expect.stringMatching(/GET issue/)]);
  });

  it('401 (bad token) → permanent; the token never appears in the error', async () => {
    const { sim } = await setup();
    const crm = new JiraCrm({
      baseUrl: sim.url,
      email: sim.email,
      apiToken: 'wrong-token-123',
      projectKey: 'SUP',
    });
    const e = await errorOf(crm.searchUpdated(new Date(0)));
    expect([e.kind, e.status]).toEqual(['permanent', 401]);
    expect(JSON.stringify({ m: e.message, s: e.stack })).not.toMatch(/wrong-token-123/);
    expect(await errorOf(crm.uploadLimitBytes())).toMatchObject({ status: 401 });
  });

  it('400 from Jira (e.g. an unknown priority name) → permanent', async () => {
    const { sim } = await setup();
    const crm = new JiraCrm({
      baseUrl: sim.url,
      email: sim.email,
      apiToken: sim.apiToken,
      projectKey: 'SUP',
      priorityNames: { 0: 'P0', 1: 'P1', 2: 'P2', 3: 'P3', 4: 'P4' },
    });
    const e = await errorOf(
      crm.create({ summary: 's', description: 'd', priority: 0, googleCaseName: CASE }),
    );
    expect([e.kind, e.status]).toEqual(['permanent', 400]);
    expect(sim.listIssues()).toEqual([]);
  });
});
