// The Zendesk simulator's wire format over real HTTP: auth (OAuth grant, expiry, API token),
// tickets, safe updates, closed tickets, tags, comments' cursor pages, the cursor export and
// its limit, uploads attached by token, the attachment host, the upload limit and faults.
import {
  startZendeskSimulator,
  type ZendeskSimulator,
  type ZendeskSimulatorOptions,
} from '../../src/sandbox/zendesk';
import { FakeClock, MINUTE, SECOND } from '../support/fake-clock';

interface Answer {
  status: number;
  headers: Headers;
  json: Record<string, unknown>;
}

describe('Zendesk simulator over HTTP', () => {
  let sim: ZendeskSimulator;
  let clock: FakeClock;
  let basic: string;

  const start = async (opts: ZendeskSimulatorOptions = {}): Promise<void> => {
    clock = new FakeClock();
    sim = await startZendeskSimulator({ now: clock.now, ...opts });
    basic = `Basic ${Buffer.from(`${sim.email}/token:${sim.apiToken}`).toString('base64')}`;
  };
  afterEach(async () => {
    await sim.close();
  });

  const call = async (
    method: string,
    path: string,
    body?: unknown,
    auth: string | null = basic,
  ): Promise<Answer> => {
    const res = await fetch(`${sim.url}${path}`, {
      method,
      headers: {
        ...(auth !== null ? { authorization: auth } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return {
      status: res.status,
      headers: res.headers,
      json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };
  const ticketOf = (a: Answer): Record<string, unknown> =>
    a.json['ticket'] as Record<string, unknown>;

  it('OAuth client credentials: token, bearer use, expiry on the clock, wrong secret', async () => {
    await start({ tokenTtlSeconds: 600 });
    const grant = await call(
      'POST',
      '/oauth/tokens',
      {
        grant_type: 'client_credentials',
        client_id: sim.oauthClientId,
        client_secret: sim.oauthClientSecret,
        scope: 'read write',
      },
      null,
    );
    expect(grant.status).toBe(201);
    expect(grant.json).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      scope: 'read write',
      expires_in: 600,
    });
    const bearer = `Bearer ${grant.json['access_token'] as string}`;
    const me = await call('GET', '/api/v2/users/me', undefined, bearer);
    expect(me.status).toBe(200);
    expect(me.json['user']).toMatchObject({
      id: sim.apiUser.id,
      name: sim.apiUser.name,
      email: sim.email,
      role: 'admin',
    });
    clock.advance(600 * SECOND);
    const expired = await call('GET', '/api/v2/users/me', undefined, bearer);
    expect(expired.status).toBe(401);
    expect(expired.json['error']).toBe('invalid_token');

    const form = await fetch(`${sim.url}/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: sim.oauthClientId,
        client_secret: sim.oauthClientSecret,
        scope: 'read',
      }),
    });
    expect(form.status).toBe(201);
    const readOnly = `Bearer ${((await form.json()) as { access_token: string }).access_token}`;
    expect(
      (await call('POST', '/api/v2/tickets', { ticket: { comment: { body: 'x' } } }, readOnly))
        .status,
    ).toBe(403);

    const wrong = await call(
      'POST',
      '/oauth/tokens',
      { grant_type: 'client_credentials', client_id: sim.oauthClientId, client_secret: 'nope' },
      null,
    );
    expect(wrong.status).toBe(401);
    expect(wrong.json['error']).toBe('invalid_client');
    expect((await call('GET', '/api/v2/users/me', undefined, 'Bearer made-up')).json['error']).toBe(
      'invalid_token',
    );
    expect((await call('GET', '/api/v2/users/me', undefined, null)).status).toBe(401);
    const badBasic = `Basic ${Buffer.from(`${sim.email}/token:wrong`).toString('base64')}`;
    expect(await call('GET', '/api/v2/users/me', undefined, badBasic)).toMatchObject({
      status: 401,
      json: { error: "Couldn't authenticate you" },
    });
  });

  it('tickets: create with comment, show, .json twin, list by external_id, tags lowercased, users', async () => {
    await start();
    const created = await call('POST', '/api/v2/tickets', {
      ticket: {
        subject: 'VM down',
        comment: { body: 'It is down.', public: false },
        external_id: 'organizations/1/cases/7',
        tags: ['SynchronizeWithGoogleCloudSupport', 'Google Case-7'],
        priority: 'high',
        group_id: 42,
      },
    });
    expect(created.status).toBe(201);
    const t = ticketOf(created);
    expect(created.headers.get('location')).toBe(
      `${sim.url}/api/v2/tickets/${t['id'] as number}.json`,
    );
    expect(t).toMatchObject({
      subject: 'VM down',
      description: 'It is down.',
      external_id: 'organizations/1/cases/7',
      tags: ['synchronizewithgooglecloudsupport', 'google', 'case-7'],
      priority: 'high',
      group_id: 42,
      status: 'new',
      requester_id: sim.apiUser.id,
    });
    expect(t['updated_at']).toBe('2026-03-02T10:00:00Z');
    const shown = await call('GET', `/api/v2/tickets/${t['id'] as number}.json`);
    expect(ticketOf(shown)['id']).toBe(t['id']);
    sim.createTicket({ subject: 'other', description: 'd' });
    const listed = await call(
      'GET',
      `/api/v2/tickets?external_id=${encodeURIComponent('organizations/1/cases/7')}`,
    );
    expect((listed.json['tickets'] as unknown[]).length).toBe(1);
    expect(await call('GET', '/api/v2/tickets/999')).toMatchObject({
      status: 404,
      json: { error: 'RecordNotFound', description: 'Not found' },
    });
    expect((await call('POST', '/api/v2/tickets', { ticket: { subject: 's' } })).status).toBe(422);
    const person = sim.createTicket({ subject: 'p', description: 'hello', requesterName: 'Alice' });
    const alice = await call('GET', `/api/v2/users/${person.requester.id}`);
    expect(alice.json['user']).toMatchObject({ name: 'Alice', role: 'end-user' });
    expect(sim.getTicket(t['id'] as number)?.comments[0]).toMatchObject({
      body: 'It is down.',
      public: false,
    });
  });

  it('updates: comment with metadata, safe_update 409 on a stale stamp, closed is read-only, solved assigns', async () => {
    await start();
    const t = sim.createTicket({ subject: 's', description: 'd', tags: ['A'] });
    expect(sim.getTicket(t.id)?.tags).toEqual(['a']);
    clock.advance(5 * SECOND);
    const upd = await call('PUT', `/api/v2/tickets/${t.id}`, {
      ticket: {
        priority: 'urgent',
        tags: ['X', 'y'],
        comment: { html_body: '<p>from <b>Google</b></p>', public: false },
        metadata: { google_sync: { comment: 'google:1' } },
      },
    });
    expect(upd.status).toBe(200);
    expect(ticketOf(upd)).toMatchObject({ priority: 'urgent', tags: ['x', 'y'], status: 'open' });
    expect((upd.json['audit'] as Record<string, unknown>)['metadata']).toMatchObject({
      custom: { google_sync: { comment: 'google:1' } },
    });
    const comments = await call('GET', `/api/v2/tickets/${t.id}/comments`);
    expect((comments.json['comments'] as Record<string, unknown>[])[1]).toMatchObject({
      type: 'Comment',
      author_id: sim.apiUser.id,
      body: 'from Google',
      plain_body: 'from Google',
      html_body: '<p>from <b>Google</b></p>',
      public: false,
      metadata: { custom: { google_sync: { comment: 'google:1' } } },
    });

    const stamp = ticketOf(upd)['updated_at'] as string;
    clock.advance(SECOND);
    sim.addComment(t.id, { body: 'customer says hi', authorName: 'Bob' });
    const stale = await call('PUT', `/api/v2/tickets/${t.id}`, {
      ticket: { priority: 'low', safe_update: true, updated_stamp: stamp },
    });
    expect(stale.status).toBe(409);
    expect(stale.json['error']).toBe('UpdateConflict');
    const fresh = ticketOf(await call('GET', `/api/v2/tickets/${t.id}`))['updated_at'];
    const ok = await call('PUT', `/api/v2/tickets/${t.id}`, {
      ticket: { priority: 'low', safe_update: true, updated_stamp: fresh },
    });
    expect(ok.status).toBe(200);

    const solved = await call('PUT', `/api/v2/tickets/${t.id}`, { ticket: { status: 'solved' } });
    expect(ticketOf(solved)).toMatchObject({ status: 'solved', assignee_id: sim.apiUser.id });
    sim.setStatus(t.id, 'closed');
    const closed = await call('PUT', `/api/v2/tickets/${t.id}`, {
      ticket: { comment: { body: 'late' } },
    });
    expect(closed.status).toBe(422);
    expect(closed.json).toEqual({
      error: 'RecordInvalid',
      description: 'Record validation errors',
      details: { status: [{ description: 'Status: closed prevents ticket update' }] },
    });
    expect(sim.getTicket(t.id)?.comments).toHaveLength(3);
  });

  it('comments: cursor pages with page[size] / page[after], meta.has_more and links.next', async () => {
    await start();
    const t = sim.createTicket({ subject: 's', description: 'c0' });
    for (let i = 1; i < 5; i++) {
      clock.advance(SECOND);
      sim.addComment(t.id, { body: `c${i}`, public: i % 2 === 0, authorName: 'Alice' });
    }
    const bodies: string[] = [];
    let next: string | null = `/api/v2/tickets/${t.id}/comments?page[size]=2`;
    let pages = 0;
    while (next !== null) {
      const page = await call('GET', next);
      pages += 1;
      bodies.push(...(page.json['comments'] as { body: string }[]).map((c) => c.body));
      const meta = page.json['meta'] as { has_more: boolean };
      const link = (page.json['links'] as { next: string | null }).next;
      next = meta.has_more && link !== null ? link.slice(sim.url.length) : null;
    }
    expect(bodies).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(pages).toBe(3);
    const withUsers = await call(
      'GET',
      `/api/v2/tickets/${t.id}/comments?include=users&sort=-created_at`,
    );
    expect((withUsers.json['comments'] as { body: string }[])[0]?.body).toBe('c4');
    expect((withUsers.json['users'] as { name: string }[]).map((u) => u.name)).toEqual([
      'Alice',
      'Customer',
    ]);
  });

  it('cursor export: start_time at least a minute old, the cursor loop, deleted tickets, 10 requests/minute', async () => {
    await start();
    const startTime = Math.floor(clock.ms / 1000) - 120;
    const ids = [1, 2, 3].map((i) => sim.createTicket({ subject: `t${i}`, description: 'd' }).id);
    clock.advance(2 * MINUTE);
    const tooRecent = await call(
      'GET',
      `/api/v2/incremental/tickets/cursor?start_time=${Math.floor(clock.ms / 1000) - 30}`,
    );
    expect(tooRecent.status).toBe(400);
    expect(tooRecent.json['error']).toBe('InvalidValue');
    let answer = await call(
      'GET',
      `/api/v2/incremental/tickets/cursor?start_time=${startTime}&per_page=2`,
    );
    const seen: number[] = [];
    for (;;) {
      expect(answer.status).toBe(200);
      seen.push(...(answer.json['tickets'] as { id: number }[]).map((t) => t.id));
      if (answer.json['end_of_stream'] === true) break;
      expect(answer.json['after_url']).toContain('/api/v2/incremental/tickets/cursor.json?cursor=');
      answer = await call(
        'GET',
        `/api/v2/incremental/tickets/cursor?cursor=${answer.json['after_cursor'] as string}&per_page=2`,
      );
    }
    expect(seen).toEqual(ids);
    const resume = answer.json['after_cursor'] as string;
    clock.advance(SECOND);
    sim.deleteTicket(ids[0] as number);
    const later = await call('GET', (answer.json['after_url'] as string).slice(sim.url.length));
    expect(later.json['tickets']).toEqual([
      expect.objectContaining({ id: ids[0], status: 'deleted' }),
    ]);
    expect(resume).not.toBe(later.json['after_cursor']);
    // 4 export calls so far (the refused start_time counts too); the 11th within the minute is refused.
    for (let i = 0; i < 6; i++)
      expect(
        (await call('GET', `/api/v2/incremental/tickets/cursor?cursor=${resume}`)).status,
      ).toBe(200);
    const limited = await call('GET', `/api/v2/incremental/tickets/cursor?cursor=${resume}`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    clock.advance(MINUTE);
    expect((await call('GET', `/api/v2/incremental/tickets/cursor?cursor=${resume}`)).status).toBe(
      200,
    );
  });

  it('uploads: streamed bytes, token attached to a comment, content host refuses credentials, size limit, token expiry', async () => {
    await start({ uploadLimitBytes: 1024 });
    const t = sim.createTicket({ subject: 's', description: 'd' });
    const bytes = Buffer.from('%PDF-1.7 fake pdf bytes');
    const up = await fetch(
      `${sim.url}/api/v2/uploads?filename=${encodeURIComponent('report é.pdf')}`,
      {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/pdf' },
        body: bytes,
      },
    );
    expect(up.status).toBe(201);
    const upload = (
      (await up.json()) as { upload: { token: string; attachment: Record<string, unknown> } }
    ).upload;
    expect(upload.attachment).toMatchObject({
      file_name: 'report é.pdf',
      content_type: 'application/pdf',
      size: bytes.length,
    });
    const jsonFile = await fetch(
      `${sim.url}/api/v2/uploads?filename=a.json&token=${upload.token}`,
      {
        method: 'POST',
        headers: { authorization: basic, 'content-type': 'application/json' },
        body: '{"not": "parsed"',
      },
    );
    expect(jsonFile.status).toBe(201);
    const upd = await call('PUT', `/api/v2/tickets/${t.id}`, {
      ticket: { comment: { body: 'Attached', public: true, uploads: [upload.token] } },
    });
    expect(upd.status).toBe(200);
    const comment = (await call('GET', `/api/v2/tickets/${t.id}/comments`)).json['comments'] as {
      attachments: Record<string, unknown>[];
    }[];
    const attachments = comment[1]?.attachments ?? [];
    expect(attachments.map((a) => a['file_name'])).toEqual(['report é.pdf', 'a.json']);
    const url = attachments[0]?.['content_url'] as string;
    expect(url.startsWith(`${sim.contentUrl}/`)).toBe(true);
    expect(sim.contentUrl).not.toBe(sim.url);
    const download = await fetch(url);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    // ShowAttachment: the attachment's JSON by id, at the `url` it advertises.
    const shown = await call('GET', `/api/v2/attachments/${attachments[0]?.['id'] as number}`);
    expect(shown.status).toBe(200);
    expect(shown.json['attachment']).toMatchObject({ file_name: 'report é.pdf', content_url: url });
    expect(attachments[0]?.['url']).toBe(
      `${sim.url}/api/v2/attachments/${attachments[0]?.['id'] as number}.json`,
    );
    expect((await call('GET', '/api/v2/attachments/999999')).status).toBe(404);
    const leaked = await fetch(url, { headers: { authorization: basic } });
    expect(leaked.status).toBe(403);
    expect(sim.contentAuthRefusals()).toBe(1);
    expect(sim.getTicket(t.id)?.comments[1]?.attachments[1]?.content.toString()).toBe(
      '{"not": "parsed"',
    );

    const big = await fetch(`${sim.url}/api/v2/uploads?filename=big.bin`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/octet-stream' },
      body: Buffer.alloc(4096, 1),
    });
    expect(big.status).toBe(413);

    const late = await fetch(`${sim.url}/api/v2/uploads?filename=late.txt`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'text/plain' },
      body: 'late',
    });
    const lateToken = ((await late.json()) as { upload: { token: string } }).upload.token;
    clock.advance(61 * MINUTE);
    await call('PUT', `/api/v2/tickets/${t.id}`, {
      ticket: { comment: { body: 'too late', uploads: [lateToken] } },
    });
    expect(sim.getTicket(t.id)?.comments[2]?.attachments).toEqual([]);
  });

  it('per-ticket update limit, faults (429, 500 after the write, drop), down, stats', async () => {
    await start({ perTicketUpdateLimit: { updates: 2, perMs: MINUTE } });
    const t = sim.createTicket({ subject: 's', description: 'd' });
    const put = (p: string): Promise<Answer> =>
      call('PUT', `/api/v2/tickets/${t.id}`, { ticket: { priority: p } });
    expect((await put('low')).status).toBe(200);
    expect((await put('high')).status).toBe(200);
    const limited = await put('urgent');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('60');
    expect(limited.json).toEqual({
      errors: [{ code: 'TooManyRequests', title: 'Too many requests to update' }],
    });
    clock.advance(MINUTE);

    sim.faults.add({ status: 429, retryAfterSeconds: 7, count: 1, pathContains: '/users/me' });
    const faulted = await call('GET', '/api/v2/users/me');
    expect(faulted.status).toBe(429);
    expect(faulted.headers.get('retry-after')).toBe('7');
    sim.faults.add({ status: 500, after: true, count: 1, method: 'PUT' });
    expect((await put('urgent')).status).toBe(500);
    expect(sim.getTicket(t.id)?.priority).toBe('urgent');
    sim.faults.add({ drop: true, count: 1 });
    await expect(call('GET', `/api/v2/tickets/${t.id}`)).rejects.toThrow();
    sim.setDown(true);
    expect((await call('GET', `/api/v2/tickets/${t.id}`)).status).toBe(503);
    sim.setDown(false);
    expect((await call('GET', `/api/v2/tickets/${t.id}`)).status).toBe(200);
    const control = await fetch(`${sim.url}/_control/tickets/${t.id}`);
    expect(((await control.json()) as { priority: string }).priority).toBe('urgent');
    expect(sim.stats().byRoute['PUT /api/v2/tickets/{ticket_id}']).toBe(4);
    expect(sim.stats().requests).toBe(8); // /_control is not counted
  });

  it('the perTicketUpdateLimit can be turned off', async () => {
    await start({ perTicketUpdateLimit: false });
    const t = sim.createTicket({ subject: 's', description: 'd' });
    for (let i = 0; i < 40; i++) {
      expect(
        (
          await call('PUT', `/api/v2/tickets/${t.id}`, {
            ticket: { priority: i % 2 ? 'low' : 'high' },
          })
        ).status,
      ).toBe(200);
    }
  });
});
