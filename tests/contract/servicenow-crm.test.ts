// ServiceNow-specific behaviour of ServiceNowCrm, over HTTP against the ServiceNow
// simulator: OAuth renewal, the poll's keyset pages through ACL-shortened pages and its
// sys_attachment read, the fields guard, closure with the instance's close code, priorities
// through impact/urgency, limits; and bad input: a record deleted, a query field missing,
// the journal unreadable, a business rule's 403, 429 + Retry-After.
import { Readable } from 'node:stream';
import {
  ServiceNowCrm,
  type ServiceNowCrmOptions,
} from '../../src/adapters/servicenow/servicenow-crm';
import { NotFoundError, SyncError, TooLargeError } from '../../src/domain/errors';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../src/sandbox/servicenow';
import type { Exchange } from '../../src/sandbox/exchange';
import { ConfigError, loadConfig } from '../../src/config';
import { makeCrm } from '../../src/wiring';
import { DEFAULT_SETTINGS } from '../support/task-deps';
import { FakeClock, MINUTE, SECOND } from '../support/fake-clock';
import { readAll } from '../support/streams';
import { allPages, syncErrorOf, uploadOf } from './port-contract-helpers';

interface Logged {
  level: 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

interface World {
  sim: ServiceNowSimulator;
  clock: FakeClock;
  exchanges: Exchange[];
  logs: Logged[];
  crm(over?: Partial<ServiceNowCrmOptions>): ServiceNowCrm;
}

async function world(simOpts: Parameters<typeof startServiceNowSimulator>[0] = {}): Promise<World> {
  const clock = new FakeClock();
  const exchanges: Exchange[] = [];
  const logs: Logged[] = [];
  const sim = await startServiceNowSimulator({
    now: () => clock.now(),
    onExchange: (ex) => exchanges.push(ex),
    ...simOpts,
  });
  return {
    sim,
    clock,
    exchanges,
    logs,
    crm: (over = {}) =>
      new ServiceNowCrm({
        instanceUrl: sim.url,
        auth: { kind: 'basic', user: sim.userName, password: sim.password },
        table: 'incident',
        now: () => clock.ms,
        requestTimeoutMs: 5000,
        retry: {
          now: () => clock.ms,
          sleep: async (ms) => void clock.advance(ms),
          random: () => 0,
        },
        log: {
          warn: (fields, message) => logs.push({ level: 'warn', fields, message }),
          error: (fields, message) => logs.push({ level: 'error', fields, message }),
        },
        ...over,
      }),
  };
}

let w: World;
afterEach(async () => {
  await w?.sim.close();
});

const calls = (path: string, method?: string): number =>
  w.exchanges.filter((e) => e.path.includes(path) && (method === undefined || e.method === method))
    .length;

const CASE = 'organizations/123/cases/4567';

describe('ServiceNowCrm on the ServiceNow simulator', () => {
  it('fetches an OAuth token once, renews it before expires_in, and once on a 401', async () => {
    w = await world({ tokenTtlSeconds: 600 });
    const crm = w.crm({
      auth: { kind: 'oauth', clientId: w.sim.oauthClientId, clientSecret: w.sim.oauthClientSecret },
    });
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    await crm.get(id);
    await crm.get(id);
    expect(calls('/oauth_token.do')).toBe(1);
    w.clock.advance(541 * SECOND); // inside the 60 s renewal margin
    await crm.get(id);
    expect(calls('/oauth_token.do')).toBe(2);
    w.clock.advance(601 * SECOND); // expired on the instance before our renewal time? no: renewed above
    await crm.get(id);
    expect(calls('/oauth_token.do')).toBe(3);
    const auth = w.exchanges
      .filter((e) => e.path.startsWith('/api/'))
      .map((e) => e.headers['authorization']);
    expect(auth.every((a) => a === 'Bearer <redacted>')).toBe(true);
  });

  it('pages through ACL-shortened and ACL-emptied pages, never stopping on a short one', async () => {
    w = await world();
    const start = w.clock.now();
    const ids: string[] = [];
    for (let i = 0; i < 9; i++) {
      ids.push(w.sim.createRecord('incident', { short_description: `r${i}` }).sys_id);
      w.clock.advance(SECOND);
    }
    // Page size 3: the second page (r3..r5) is entirely hidden, the first one partly.
    for (const i of [1, 3, 4, 5, 7]) w.sim.hideRecord(ids[i]!);
    const crm = w.crm({ pageSize: 3 });
    const { items } = await allPages((t) => crm.searchUpdated(start, t));
    expect(items.map((t) => t.id)).toEqual([ids[0], ids[2], ids[6], ids[8]]);
    const polls = w.exchanges.filter(
      (e) =>
        e.path === '/api/now/table/incident' &&
        e.query['sysparm_query']?.includes('sys_updated_on>='),
    );
    expect(polls.some((e) => e.query['sysparm_offset'] === '3')).toBe(true);
    expect(
      polls.every((e) =>
        e.query['sysparm_query']?.endsWith('^ORDERBYsys_updated_on^ORDERBYsys_id'),
      ),
    ).toBe(true);
  });

  it('reports a record whose only change is an attachment (sys_updated_on unchanged), at the file’s time', async () => {
    w = await world();
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    w.clock.advance(10 * MINUTE);
    const cutoff = w.clock.now();
    w.clock.advance(5 * SECOND);
    w.sim.addAttachment(id, { filename: 'trace.txt', content: Buffer.from('t') });
    const { items } = await allPages((t) => w.crm().searchUpdated(cutoff, t));
    expect(items.map((t) => [t.id, t.updateTime.getTime()])).toEqual([
      [id, cutoff.getTime() + 5 * SECOND],
    ]);
    expect(calls('/api/now/table/sys_attachment')).toBe(1);
  });

  it('refuses to poll when a field of the sync query is missing (the instance would ignore it)', async () => {
    w = await world({ syncField: null });
    w.sim.createRecord('incident', { short_description: 'would sync by mistake' });
    const crm = w.crm();
    expect((await crm.checkFields()).missing).toEqual(['u_sync_google_cloud_support']);
    const e = await syncErrorOf(crm.searchUpdated(new Date(0)));
    expect(e.kind).toBe('permanent');
    expect(e.message).toMatch(/no field u_sync_google_cloud_support/);
    expect(calls('/api/now/table/incident')).toBe(0);
    const typo = w.crm({ syncQuery: 'active=true^u_sycn=true' });
    expect((await typo.checkFields()).missing).toEqual(['u_sycn']);
    const checks = await crm.diagnose(DEFAULT_SETTINGS);
    expect(checks.find((c) => c.id === 'crm.fields')).toMatchObject({ status: 'fail' });
  });

  it('checks fields through a record when sys_dictionary is not readable; fails when nothing is', async () => {
    w = await world();
    w.sim.setDictionaryReadable(false);
    const crm = w.crm({ syncQuery: 'active=true^u_sycn=true' });
    const none = await syncErrorOf(crm.checkFields());
    expect(none.message).toMatch(/cannot be checked/);
    w.sim.createRecord('incident', { short_description: 'x' });
    expect(await crm.checkFields()).toMatchObject({ how: 'record', missing: ['u_sycn'] });
  });

  it('treats a deleted record as gone: get is null, writes and reads raise NotFoundError', async () => {
    w = await world();
    const crm = w.crm();
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    w.sim.deleteRecord(id);
    expect(await crm.get(id)).toBeNull();
    for (const call of [
      () => crm.addComment(id, 'x', { visibility: 'internal' }),
      () => crm.listComments(id),
      () => crm.setPriority(id, 1),
      () => crm.upload(id, uploadOf('a.txt', Buffer.from('abc'))),
    ])
      expect(await syncErrorOf(call())).toBeInstanceOf(NotFoundError);
    expect((await syncErrorOf(crm.get('not-a-sys-id'))).kind).toBe('permanent');
  });

  it('refuses to read comments when the journal is hidden, and never writes a comment twice', async () => {
    w = await world();
    const crm = w.crm();
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    w.sim.addJournal(id, { body: 'hello', element: 'comments' });
    w.sim.setJournalReadable(false);
    const e = await syncErrorOf(crm.listComments(id));
    expect(e.kind).toBe('permanent');
    expect(e.message).toMatch(/sys_journal_field/);
    const add = await syncErrorOf(
      crm.addComment(id, '[Google Comment 1 by A]\nhi', { visibility: 'internal' }),
    );
    expect(add.kind).toBe('permanent');
    expect(w.sim.getRecord(id)?.journal.map((j) => j.value)).toEqual([
      'hello',
      '[Google Comment 1 by A]\nhi',
    ]);
    expect(w.logs.filter((l) => l.level === 'error').map((l) => l.fields)).toEqual([
      { table: 'incident', ticketId: id },
      { table: 'incident', ticketId: id },
    ]);
    const checks = await crm.diagnose(DEFAULT_SETTINGS);
    expect(checks.find((c) => c.id === 'crm.journal')).toMatchObject({ status: 'fail' });
  });

  it('logs a business rule’s 403 with ServiceNow’s message and drops the write without retrying', async () => {
    w = await world();
    const crm = w.crm();
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    w.sim.addBusinessRule({
      table: 'incident',
      field: 'work_notes',
      message: 'Work notes are frozen during the change freeze',
    });
    const before = calls(`/api/now/table/incident/${id}`, 'PATCH');
    const e = await syncErrorOf(crm.addComment(id, 'x', { visibility: 'internal' }));
    // The item is dropped for good, the rest of the pair syncs (mirror-items: ReadOnlyTargetError).
    expect([e.name, e.kind, (e.cause as { status?: number }).status]).toEqual([
      'ReadOnlyTargetError',
      'permanent',
      403,
    ]);
    expect(e.message).toMatch(/change freeze/);
    expect(calls(`/api/now/table/incident/${id}`, 'PATCH') - before).toBe(1);
    expect(w.logs).toContainEqual({
      level: 'warn',
      fields: expect.objectContaining({
        snMessage: 'Operation Failed',
        snDetail: 'Work notes are frozen during the change freeze',
      }),
      message: expect.stringMatching(/refused/),
    });
    expect(w.sim.getRecord(id)?.journal).toEqual([]);
  });

  it('waits for Retry-After on a 429 and then succeeds', async () => {
    w = await world();
    const crm = w.crm();
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    w.sim.faults.add({ status: 429, retryAfterSeconds: 7, count: 1, method: 'PATCH' });
    const t0 = w.clock.ms;
    await crm.setPriority(id, 0);
    expect(w.clock.ms - t0).toBeGreaterThanOrEqual(7000);
    expect(w.sim.getRecord(id)).toMatchObject({ impact: '1', urgency: '1', priority: '1' });
    expect(w.exchanges.filter((e) => e.status === 429)).toHaveLength(1);
  });

  it('resolves an incident with a close code from sys_choice and notes; a closed one refuses comments', async () => {
    w = await world();
    const crm = w.crm();
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    await crm.close(id);
    expect(w.sim.getRecord(id)).toMatchObject({
      state: '6',
      close_code: 'Solution provided',
      active: true,
    });
    expect(w.sim.getRecord(id)?.close_notes).toMatch(/Google Cloud Support case was closed/);
    w.sim.resolve(id, { closed: true });
    await crm.close(id);
    const e = await syncErrorOf(crm.addComment(id, 'late', { visibility: 'public' }));
    expect([e.name, e.kind, (e.cause as { status?: number }).status]).toEqual([
      'ReadOnlyTargetError',
      'permanent',
      403,
    ]);
  });

  it('resolves a case with its resolution code; priorities go through priority, not impact', async () => {
    w = await world();
    const crm = w.crm({ table: 'sn_customerservice_case' });
    const t = await crm.create({
      summary: 's',
      description: 'd',
      priority: 0,
      googleCaseName: CASE,
    });
    expect(w.sim.getRecord(t.id)).toMatchObject({
      priority: '1',
      correlation_id: CASE,
      correlation_display: 'Google Cloud Support',
    });
    await crm.setPriority(t.id, 4);
    expect(w.sim.getRecord(t.id)).toMatchObject({
      priority: '4',
      correlation_display: 'Google Cloud Support (P4)',
    });
    expect((await crm.get(t.id))?.priority).toBe(4);
    w.sim.update(t.id, { priority: '2' });
    expect((await crm.get(t.id))?.priority).toBe(1);
    await crm.close(t.id);
    expect(w.sim.getRecord(t.id)).toMatchObject({
      state: '6',
      close_code: '1', // labelled "Solved - Fixed by Support/Guidance provided"
    });
  });

  it('reads an incident whose impact/urgency pair is not in the map by its derived priority', async () => {
    w = await world();
    const crm = w.crm();
    const id = w.sim.createRecord('incident', {
      short_description: 'x',
      impact: '1',
      urgency: '3',
    }).sys_id;
    expect(w.sim.getRecord(id)?.priority).toBe('3');
    expect((await crm.get(id))?.priority).toBe(2);
  });

  it('falls back to 1024 MB (capped by the transaction quota) when sys_properties is unreadable', async () => {
    w = await world();
    w.sim.setPropertiesReadable(false);
    const crm = w.crm();
    expect(await crm.attachmentLimit()).toEqual({ bytes: 60 * 8 * 1024 * 1024, readable: false });
    const big = w.crm({ uploadBytesPerSecond: 100 * 1024 * 1024 });
    expect((await big.attachmentLimit()).bytes).toBe(1024 * 1024 * 1024);
  });

  it('treats an upload the instance refuses for its size, or cancels at the quota, as too large', async () => {
    w = await world({ maxAttachmentMb: 1, transactionQuotaMs: 60_000 });
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    const crm = w.crm({ uploadLimitBytes: 10 * 1024 * 1024 });
    const refused = await syncErrorOf(
      crm.upload(id, uploadOf('big.bin', Buffer.alloc(2 * 1024 * 1024))),
    );
    expect(refused).toBeInstanceOf(TooLargeError);
    // A slow stream (40 s a chunk on the connector's clock) that the instance cancels with a 500.
    w.sim.faults.add({ status: 500, pathContains: '/attachment/file', count: 1 });
    const clock = w.clock;
    const slow = Readable.from(
      (async function* () {
        for (let i = 0; i < 3; i++) {
          clock.advance(40 * SECOND);
          yield Buffer.alloc(1024);
        }
      })(),
    );
    const e = await syncErrorOf(
      crm.upload(id, {
        filename: 'slow.bin',
        mimeType: 'application/octet-stream',
        sizeBytes: 3072,
        content: slow,
      }),
    );
    expect(e).toBeInstanceOf(TooLargeError);
    expect(e.message).toMatch(/transaction quota/);
    expect(w.sim.getRecord(id)?.attachments).toEqual([]);
    // A quick 500 is a failure to retry, not a size problem.
    w.sim.faults.add({ status: 500, pathContains: '/attachment/file', count: 1 });
    const quick = await syncErrorOf(crm.upload(id, uploadOf('q.bin', Buffer.from('q'))));
    expect([quick instanceof TooLargeError, quick.kind]).toEqual([false, 'retry']);
  });

  it('streams a download; links with correlation_id and correlation_display', async () => {
    w = await world();
    const crm = w.crm();
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    const a = w.sim.addAttachment(id, { filename: 'a.bin', content: Buffer.from('abcdef') });
    expect((await readAll(await crm.download(id, a.sys_id))).toString()).toBe('abcdef');
    await crm.linkGoogleCase(id, CASE);
    expect(w.sim.getRecord(id)).toMatchObject({
      correlation_id: CASE,
      correlation_display: 'Google Cloud Support',
    });
    expect(
      (await syncErrorOf(crm.linkGoogleCase(id, 'organizations/1/cases/2^ORactive=true'))).kind,
    ).toBe('permanent');
  });

  it('diagnoses read-only: roles, fields, query count, journal, close code, limit', async () => {
    w = await world({ roles: ['snc_platform_rest_api_access'] });
    const crm = w.crm();
    w.sim.createRecord('incident', { short_description: 'x' });
    const writes = () =>
      w.exchanges.filter((e) => e.method !== 'GET' && !e.path.includes('oauth')).length;
    const checks = await crm.diagnose(DEFAULT_SETTINGS);
    expect(Object.fromEntries(checks.map((c) => [c.id, c.status]))).toEqual({
      'crm.auth': 'ok',
      'crm.roles': 'warn',
      'crm.fields': 'ok',
      'crm.sync-query': 'ok',
      'crm.journal': 'warn',
      'crm.close-code': 'ok',
      'crm.priorities': 'ok',
      'crm.upload-limit': 'ok',
    });
    expect(checks.find((c) => c.id === 'crm.sync-query')?.detail).toMatch(/matches 1 records/);
    expect(writes()).toBe(0);
    const bad = await w.crm({ syncQuery: 'active=true^NQstate=1' }).diagnose(DEFAULT_SETTINGS);
    expect(bad.find((c) => c.id === 'crm.sync-query')?.status).toBe('fail');
  });

  it('does not mistake a person’s comment that quotes a header for a mirror', async () => {
    w = await world();
    const crm = w.crm();
    const id = w.sim.createRecord('incident', { short_description: 'x' }).sys_id;
    w.sim.addJournal(id, {
      body: '[Google Comment 9 by Bo]\ncopied',
      element: 'work_notes',
      authorName: 'Sam Agent',
    });
    const [c] = await crm.listComments(id);
    expect(c).toMatchObject({
      author: { displayName: 'Sam Agent', isConnector: false },
      isPublic: false,
    });
    expect(c?.mirrorOf).toBeUndefined();
    expect(c instanceof Object && !(c instanceof SyncError)).toBe(true);
  });

  it('fails the boot (makeCrm) when a field of SERVICENOW_SYNC_QUERY is missing, naming it', async () => {
    w = await world({ syncField: null });
    const env = {
      SUPPORT_PARENT: 'organizations/1',
      CRM: 'servicenow',
      SERVICENOW_INSTANCE_URL: w.sim.url,
      SERVICENOW_USER: w.sim.userName,
      SERVICENOW_PASSWORD: w.sim.password,
    };
    const e = await makeCrm(loadConfig(env)).then(
      () => null,
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).message).toMatch(/no field u_sync_google_cloud_support/);
    expect((e as ConfigError).message).not.toContain(w.sim.password);
    const ok = await makeCrm(loadConfig({ ...env, SERVICENOW_SYNC_QUERY: 'active=true' }));
    expect(await ok.get('f'.repeat(32))).toBeNull();
    // An instance that cannot be asked at boot is logged; the adapter checks before polling.
    w.sim.setDown(true);
    const logged: string[] = [];
    const later = await makeCrm(
      loadConfig(env),
      { maxAttempts: 1 },
      {
        warn: (_f, m) => logged.push(m),
      },
    );
    expect(logged).toEqual([
      'servicenow fields not checked at boot: checked again before the first poll',
    ]);
    w.sim.setDown(false);
    expect((await syncErrorOf(later.searchUpdated(new Date(0)))).message).toMatch(/no field/);
  });
});
