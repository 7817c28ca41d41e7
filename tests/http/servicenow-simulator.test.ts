// The ServiceNow simulator's wire behaviour over HTTP, as ServiceNow's own pages describe it
// (/work/shared/reference/servicenow/): auth, the Table API and what bites in it (unknown
// query terms ignored, sysparm_limit before ACLs, the Link header), journal entries and
// their read access, the incident's derived priority, state rules, the error envelope,
// the Attachment API and its size property, the rate-limit rule, faults.
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../src/sandbox/servicenow';
import { FakeClock, SECOND } from '../support/fake-clock';

let sim: ServiceNowSimulator;
let clock: FakeClock;
afterEach(async () => {
  await sim?.close();
});

async function start(opts: Parameters<typeof startServiceNowSimulator>[0] = {}) {
  clock = new FakeClock();
  sim = await startServiceNowSimulator({ now: clock.now, ...opts });
  return sim;
}

const basic = (s: ServiceNowSimulator) =>
  `Basic ${Buffer.from(`${s.userName}:${s.password}`).toString('base64')}`;

async function api(
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string>; raw?: Buffer } = {},
) {
  const res = await fetch(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: basic(sim),
      accept: 'application/json',
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.raw !== undefined
      ? { body: init.raw }
      : init.body !== undefined
        ? { body: JSON.stringify(init.body) }
        : {}),
  });
  const text = await res.text();
  const json = text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON, asserted field by field
  return { status: res.status, headers: res.headers, json: json as any };
}

describe('ServiceNow simulator', () => {
  it('authenticates basic auth and OAuth client credentials; refuses with the envelope', async () => {
    await start();
    const none = await api('/api/now/table/incident', { headers: { authorization: 'Basic eDp5' } });
    expect(none.status).toBe(401);
    expect(none.json).toEqual({
      error: { message: 'User Not Authenticated', detail: 'Required to provide Auth information' },
      status: 'failure',
    });
    const tok = await fetch(`${sim.url}/oauth_token.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sim.oauthClientId,
        client_secret: sim.oauthClientSecret,
      }).toString(),
    });
    const grant = (await tok.json()) as { access_token: string; expires_in: number };
    expect(grant.expires_in).toBe(1800);
    const ok = await api('/api/now/table/incident', {
      headers: { authorization: `Bearer ${grant.access_token}` },
    });
    expect(ok.status).toBe(200);
    clock.advance(1801 * SECOND);
    const expired = await api('/api/now/table/incident', {
      headers: { authorization: `Bearer ${grant.access_token}` },
    });
    expect(expired.status).toBe(401);
    const bad = await fetch(`${sim.url}/oauth_token.do`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&client_id=x&client_secret=y',
    });
    expect(bad.status).toBe(401);
  });

  it('ignores unknown query terms (the whole table comes back) and applies the known ones', async () => {
    await start();
    const a = sim.createRecord('incident', { short_description: 'a' });
    sim.createRecord('incident', { short_description: 'b', selected: false });
    const all = await api('/api/now/table/incident?sysparm_query=u_no_such_field=true');
    expect(all.json.result).toHaveLength(2);
    const sel = await api(
      '/api/now/table/incident?sysparm_query=active=true^u_sync_google_cloud_support=true&sysparm_fields=sys_id,number,bogus',
    );
    expect(sel.json.result).toEqual([{ sys_id: a.sys_id, number: a.number }]);
    const or = await api(
      `/api/now/table/incident?sysparm_query=short_description=zzz^ORnumber=${a.number}`,
    );
    expect(or.json.result.map((r: { sys_id: string }) => r.sys_id)).toEqual([a.sys_id]);
  });

  it('applies sysparm_limit before ACLs: a short page, with Link rel="next" and X-Total-Count', async () => {
    await start();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(sim.createRecord('incident', { short_description: `r${i}` }).sys_id);
      clock.advance(SECOND);
    }
    sim.hideRecord(ids[1]!);
    sim.hideRecord(ids[2]!);
    const q = 'sysparm_query=ORDERBYsys_created_on&sysparm_fields=sys_id&sysparm_limit=3';
    const first = await api(`/api/now/table/incident?${q}`);
    expect(first.json.result).toEqual([{ sys_id: ids[0] }]);
    expect(first.headers.get('x-total-count')).toBe('5');
    expect(first.headers.get('link')).toMatch(/sysparm_offset=3[^>]*>;rel="next"/);
    const second = await api(`/api/now/table/incident?${q}&sysparm_offset=3`);
    expect(second.json.result).toEqual([{ sys_id: ids[3] }, { sys_id: ids[4] }]);
    expect(second.headers.get('link')).not.toMatch(/rel="next"/);
    expect((await api(`/api/now/table/incident/${ids[1]}`)).status).toBe(404);
  });

  it('derives incident priority from impact and urgency; a case keeps its priority', async () => {
    await start();
    const inc = sim.createRecord('incident', { short_description: 'x' });
    expect(inc.priority).toBe('5');
    const patched = await api(`/api/now/table/incident/${inc.sys_id}`, {
      method: 'PATCH',
      body: { impact: '1', urgency: '3', priority: '1' },
    });
    expect(patched.json.result).toMatchObject({ impact: '1', urgency: '3', priority: '3' });
    const cs = await api('/api/now/table/sn_customerservice_case', {
      method: 'POST',
      body: { short_description: 'c', priority: '2' },
    });
    expect(cs.status).toBe(201);
    expect(cs.json.result).toMatchObject({ priority: '2', state: '1', active: 'true' });
    expect(cs.json.result.number).toMatch(/^CS\d{7}$/);
    expect(cs.headers.get('location')).toContain(cs.json.result.sys_id);
  });

  it('writes journal entries by PATCHing comments / work_notes; hides them without read access', async () => {
    await start();
    const inc = sim.createRecord('incident', { short_description: 'x' });
    const before = inc.sys_updated_on.getTime();
    clock.advance(SECOND);
    const r = await api(`/api/now/table/incident/${inc.sys_id}`, {
      method: 'PATCH',
      body: { work_notes: 'internal', comments: 'public' },
    });
    expect(r.json.result).toMatchObject({ work_notes: '', comments: '' });
    expect(Date.parse(`${r.json.result.sys_updated_on.replace(' ', 'T')}Z`)).toBeGreaterThan(
      before,
    );
    const q = `sysparm_query=element_id=${inc.sys_id}^ORDERBYsys_created_on&sysparm_fields=element,value,sys_created_by`;
    const j = await api(`/api/now/table/sys_journal_field?${q}`);
    expect(j.json.result).toEqual(
      expect.arrayContaining([
        { element: 'work_notes', value: 'internal', sys_created_by: sim.userName },
        { element: 'comments', value: 'public', sys_created_by: sim.userName },
      ]),
    );
    sim.setJournalReadable(false);
    const hidden = await api(`/api/now/table/sys_journal_field?${q}`);
    expect(hidden.json.result).toEqual([]);
    expect(hidden.headers.get('x-total-count')).toBe('2');
  });

  it('enforces state rules: resolving needs a close code and notes; a closed incident is read-only', async () => {
    await start();
    const inc = sim.createRecord('incident', { short_description: 'x' });
    const bare = await api(`/api/now/table/incident/${inc.sys_id}`, {
      method: 'PATCH',
      body: { state: '6' },
    });
    expect(bare.status).toBe(403);
    expect(bare.json.error.message).toBe('Operation Failed');
    expect(bare.json.error.detail).toMatch(/Resolution code, Resolution notes/);
    const ok = await api(`/api/now/table/incident/${inc.sys_id}`, {
      method: 'PATCH',
      body: { state: '6', close_code: 'Solution provided', close_notes: 'done' },
    });
    expect(ok.json.result).toMatchObject({ state: '6', active: 'true' });
    sim.resolve(inc.sys_id, { closed: true });
    const ro = await api(`/api/now/table/incident/${inc.sys_id}`, {
      method: 'PATCH',
      body: { comments: 'too late' },
    });
    expect(ro.status).toBe(403);
    expect(ro.json.error.detail).toMatch(/ACL/);
    const codes = await api(
      '/api/now/table/sys_choice?sysparm_query=name=incident^element=close_code^inactive=false&sysparm_fields=value',
    );
    expect(codes.json.result.map((c: { value: string }) => c.value)).toContain('Solution provided');
  });

  it('aborts writes with a business rule (403 with its message); 404 and bad tables in the envelope', async () => {
    await start();
    const inc = sim.createRecord('incident', { short_description: 'x' });
    sim.addBusinessRule({
      table: 'incident',
      field: 'work_notes',
      message: 'Work notes are locked',
    });
    const r = await api(`/api/now/table/incident/${inc.sys_id}`, {
      method: 'PATCH',
      body: { work_notes: 'x' },
    });
    expect(r.status).toBe(403);
    expect(r.json).toEqual({
      error: { message: 'Operation Failed', detail: 'Work notes are locked' },
      status: 'failure',
    });
    const missing = await api(`/api/now/table/incident/${'0'.repeat(32)}`);
    expect(missing.status).toBe(404);
    expect(missing.json.status).toBe('failure');
    expect((await api('/api/now/table/nope')).status).toBe(400);
  });

  it('describes fields through sys_dictionary on the table and its parents (sys_db_object)', async () => {
    await start();
    const obj = await api(
      '/api/now/table/sys_db_object?sysparm_query=name=incident&sysparm_fields=name,super_class&sysparm_exclude_reference_link=true',
    );
    const parent = obj.json.result[0].super_class as string;
    const task = await api(`/api/now/table/sys_db_object/${parent}?sysparm_fields=name`);
    expect(task.json.result.name).toBe('task');
    const dict = await api(
      '/api/now/table/sys_dictionary?sysparm_query=nameINincident,task^elementINcorrelation_id,close_code,u_sync_google_cloud_support&sysparm_fields=name,element',
    );
    expect(dict.json.result).toEqual(
      expect.arrayContaining([
        { name: 'task', element: 'correlation_id' },
        { name: 'incident', element: 'close_code' },
        { name: 'incident', element: 'u_sync_google_cloud_support' },
      ]),
    );
    sim.dropField('incident', 'u_sync_google_cloud_support');
    const after = await api(
      '/api/now/table/sys_dictionary?sysparm_query=name=incident^element=u_sync_google_cloud_support',
    );
    expect(after.json.result).toEqual([]);
    const me = await api(
      '/api/now/table/sys_user?sysparm_query=sys_id=javascript:gs.getUserID()&sysparm_fields=user_name',
    );
    expect(me.json.result).toEqual([{ user_name: sim.userName }]);
  });

  it('streams attachments in and out; the size property limits them; sys_updated_on stays', async () => {
    await start({ maxAttachmentMb: 1 });
    const inc = sim.createRecord('incident', { short_description: 'x' });
    clock.advance(5 * SECOND);
    const body = Buffer.from('hello, world');
    const up = await api(
      `/api/now/attachment/file?table_name=incident&table_sys_id=${inc.sys_id}&file_name=${encodeURIComponent('ré sumé.txt')}`,
      { method: 'POST', raw: body, headers: { 'content-type': 'text/plain' } },
    );
    expect(up.status).toBe(201);
    expect(up.json.result).toMatchObject({
      file_name: 'ré sumé.txt',
      size_bytes: '12',
      content_type: 'text/plain',
      table_sys_id: inc.sys_id,
    });
    expect(sim.getRecord(inc.sys_id)?.sys_updated_on).toEqual(inc.sys_updated_on);
    const list = await api(
      `/api/now/attachment?sysparm_query=table_sys_id=${inc.sys_id}^ORDERBYsys_created_on`,
    );
    expect(list.json.result.map((a: { sys_id: string }) => a.sys_id)).toEqual([
      up.json.result.sys_id,
    ]);
    const file = await fetch(`${sim.url}/api/now/attachment/${up.json.result.sys_id}/file`, {
      headers: { authorization: basic(sim) },
    });
    expect(Buffer.from(await file.arrayBuffer()).equals(body)).toBe(true);
    expect(file.headers.get('x-attachment-metadata')).toContain('size_bytes');
    const big = await api(
      `/api/now/attachment/file?table_name=incident&table_sys_id=${inc.sys_id}&file_name=big.bin`,
      {
        method: 'POST',
        raw: Buffer.alloc(1024 * 1024 + 1),
        headers: { 'content-type': 'application/octet-stream' },
      },
    );
    expect(big.status).toBe(413);
    const nowhere = await api(
      `/api/now/attachment/file?table_name=incident&table_sys_id=${'0'.repeat(32)}&file_name=a.txt`,
      { method: 'POST', raw: body, headers: { 'content-type': 'text/plain' } },
    );
    expect(nowhere.status).toBe(404);
    expect(sim.getRecord(inc.sys_id)?.attachments).toHaveLength(1);
  });

  it('answers the rate-limit rule with its headers, then 429 + Retry-After; faults in the envelope', async () => {
    await start({ rateLimitPerHour: 2 });
    const a = await api('/api/now/table/incident');
    expect(a.headers.get('x-ratelimit-limit')).toBe('2');
    expect(Number(a.headers.get('x-ratelimit-reset'))).toBeGreaterThan(clock.ms / 1000);
    expect(a.headers.get('x-ratelimit-rule')).toMatch(/^[0-9a-f]{32}$/);
    await api('/api/now/table/incident');
    const refused = await api('/api/now/table/incident');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.json.error.message).toBe('Rate limit exceeded');
    await sim.close();
    await start();
    sim.faults.add({ status: 429, retryAfterSeconds: 7, count: 1 });
    const f = await api('/api/now/table/incident');
    expect([f.status, f.headers.get('retry-after'), f.json.status]).toEqual([429, '7', 'failure']);
    sim.setDown(true);
    expect((await api('/api/now/table/incident')).status).toBe(503);
  });
});
