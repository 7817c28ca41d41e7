// Every exchange with the Zendesk simulator, while every endpoint is exercised, checked
// against Zendesk's own OpenAPI (specs/zendesk-support.openapi.yaml) with the in-process
// validator, amended where Zendesk's document has gaps (tests/support/zendesk-openapi.ts
// names each one). The adapter's own traffic is checked in zendesk-crm-spec.test.ts. Skips,
// saying so, when the spec folder is not available.
import type { Exchange } from '../../src/sandbox/exchange';
import { startZendeskSimulator, type ZendeskSimulator } from '../../src/sandbox/zendesk';
import { preloadSpec } from '../support/openapi-check';
import { FakeClock, MINUTE, SECOND } from '../support/fake-clock';
import {
  amendedZendeskSpec as amendedSpec,
  zendeskProblemsOf as problemsOf,
  zendeskSpecAvailable as available,
} from '../support/zendesk-openapi';

if (!available) {
  console.log(
    'zendesk-spec.test: API specs not found (set API_SPECS_DIR); skipping OpenAPI checks',
  );
}
const maybe = available ? describe : describe.skip;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

maybe('Zendesk simulator traffic matches Zendesk OpenAPI', () => {
  let spec: string;
  let sim: ZendeskSimulator;
  let exchanges: Exchange[];
  let clock: FakeClock;

  beforeAll(() => {
    spec = amendedSpec();
    preloadSpec(spec);
  });
  beforeEach(async () => {
    exchanges = [];
    clock = new FakeClock();
    sim = await startZendeskSimulator({
      now: clock.now,
      uploadLimitBytes: 64,
      perTicketUpdateLimit: { updates: 6, perMs: MINUTE },
      onExchange: (ex) => exchanges.push(ex),
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  it('every endpoint, success and error answers: 0 violations; a broken exchange is caught', async () => {
    const grant = await fetch(`${sim.url}/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        grant_type: 'client_credentials',
        client_id: sim.oauthClientId,
        client_secret: sim.oauthClientSecret,
        scope: 'read write',
      }),
    });
    const auth = `Bearer ${((await grant.json()) as { access_token: string }).access_token}`;
    await fetch(`${sim.url}/oauth/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: 'x',
        client_secret: 'y',
      }),
    });
    const call = async (method: string, p: string, body?: unknown, authz = auth): Promise<Json> => {
      const res = await fetch(`${sim.url}${p}`, {
        method,
        headers: {
          authorization: authz,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return (await res.json()) as Json;
    };
    const upload = async (name: string, bytes: Buffer, type: string): Promise<Json> => {
      const res = await fetch(`${sim.url}/api/v2/uploads?filename=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers: { authorization: auth, 'content-type': type },
        body: bytes,
      });
      return (await res.json()) as Json;
    };

    const startTime = Math.floor(clock.ms / 1000) - 120;
    const person = sim.createTicket({
      subject: 'from zendesk',
      description: 'help',
      tags: ['Sync'],
    });
    sim.addComment(person.id, { body: 'more', authorName: 'Alice' });
    sim.addAttachment(person.id, {
      filename: 'log.txt',
      content: Buffer.from('log'),
      contentType: 'text/plain',
    });
    const up = await upload('trace.txt', Buffer.from('trace'), 'text/plain');
    const created = await call('POST', '/api/v2/tickets', {
      ticket: {
        subject: 'VM down',
        comment: { body: 'It is down.', public: false, uploads: [up['upload'].token] },
        external_id: 'organizations/1/cases/7',
        tags: ['synchronizewithgooglecloudsupport', 'google-case-7'],
        priority: 'high',
        group_id: 42,
        metadata: { google_sync: { comment: 'google:0' } },
      },
    });
    const id = created['ticket'].id as number;
    await call('GET', `/api/v2/tickets/${id}`);
    await call('GET', `/api/v2/tickets/${id}.json`);
    await call('GET', '/api/v2/tickets/999999');
    await call('GET', '/api/v2/tickets?external_id=organizations%2F1%2Fcases%2F7');
    await call('GET', '/api/v2/users/me');
    await call('GET', `/api/v2/users/${sim.apiUser.id}`);
    await call('GET', '/api/v2/users/1');
    await call('POST', '/api/v2/tickets', { ticket: { subject: 'no comment' } });
    clock.advance(SECOND);
    const updated = await call('PUT', `/api/v2/tickets/${id}`, {
      ticket: {
        priority: 'urgent',
        status: 'open',
        tags: ['synchronizewithgooglecloudsupport'],
        comment: { html_body: '<p>hi</p>', public: true },
        metadata: { google_sync: { comment: 'google:1' } },
      },
    });
    clock.advance(SECOND);
    await call('PUT', `/api/v2/tickets/${id}`, { ticket: { comment: { body: 'x' } } });
    await call('PUT', `/api/v2/tickets/${id}`, {
      ticket: { priority: 'low', safe_update: true, updated_stamp: updated['ticket'].updated_at },
    });
    await call('PUT', `/api/v2/tickets/${id}`, { ticket: { priority: 'bogus' } });
    await call('PUT', `/api/v2/tickets/${id}`, { ticket: { status: 'solved' } });
    for (let i = 0; i < 3; i++)
      await call('PUT', `/api/v2/tickets/${person.id}`, { ticket: { priority: 'low' } });
    sim.setStatus(person.id, 'closed');
    await call('PUT', `/api/v2/tickets/${person.id}`, { ticket: { comment: { body: 'late' } } });
    for (let i = 0; i < 4; i++)
      await call('PUT', `/api/v2/tickets/${person.id}`, { ticket: { priority: 'low' } });
    await call('GET', `/api/v2/tickets/${person.id}/comments?page[size]=1`);
    const page = await call(
      'GET',
      `/api/v2/tickets/${person.id}/comments?page[size]=1&sort=-created_at&include=users`,
    );
    await call(
      'GET',
      `/api/v2/tickets/${person.id}/comments?page[size]=1&page[after]=${page['meta'].after_cursor as string}`,
    );
    await call('GET', `/api/v2/tickets/${id}/comments?page=1&per_page=2`);
    await call('GET', `/api/v2/tickets/${id}/comments`);
    await upload('big.bin', Buffer.alloc(100), 'application/octet-stream');
    sim.deleteTicket(person.id);
    clock.advance(2 * MINUTE);
    await call(
      'GET',
      `/api/v2/incremental/tickets/cursor?start_time=${Math.floor(clock.ms / 1000)}`,
    );
    let exp = await call(
      'GET',
      `/api/v2/incremental/tickets/cursor?start_time=${startTime}&per_page=1`,
    );
    while (exp['end_of_stream'] !== true) {
      exp = await call(
        'GET',
        `/api/v2/incremental/tickets/cursor?cursor=${exp['after_cursor'] as string}&per_page=1`,
      );
    }
    for (let i = 0; i < 8; i++)
      await call(
        'GET',
        `/api/v2/incremental/tickets/cursor?cursor=${exp['after_cursor'] as string}`,
      );
    await call('GET', '/api/v2/users/me', undefined, 'Bearer expired-or-made-up');
    await call('GET', '/api/v2/users/me', undefined, 'Basic bm9wZQ==');
    sim.faults.add({ status: 503, count: 1 });
    await call('GET', '/api/v2/users/me');
    const content = (created['ticket'] && (await call('GET', `/api/v2/tickets/${id}/comments`)))[
      'comments'
    ][0].attachments[0].content_url as string;
    await fetch(content);
    await call('GET', `/api/v2/attachments/${up['upload'].attachment.id as number}`);
    await call('GET', '/api/v2/attachments/999999');

    const statuses = new Set(exchanges.map((e) => e.status));
    expect([...statuses].sort()).toEqual([200, 201, 400, 401, 404, 409, 413, 422, 429, 503]);
    const routes = new Set(
      exchanges.map(
        (e) =>
          `${e.method} ${e.path.replace(/\/\d+(?=\/|$)/g, '/{id}').replace(/token\/\w+\/$/, 'token/{token}')}`,
      ),
    );
    expect([...routes].sort()).toEqual(
      [
        'GET /api/v2/attachments/{id}',
        'GET /api/v2/incremental/tickets/cursor',
        'GET /api/v2/tickets',
        'GET /api/v2/tickets/{id}',
        'GET /api/v2/tickets/{id}/comments',
        'GET /api/v2/users/me',
        'GET /api/v2/users/{id}',
        'GET /attachments/token/{token}',
        'POST /api/v2/tickets',
        'POST /api/v2/uploads',
        'POST /oauth/tokens',
        'PUT /api/v2/tickets/{id}',
      ].sort(),
    );
    // The two deliberately invalid requests are flagged as such (and only those).
    const invalid = (e: Exchange): boolean =>
      e.status === 422 &&
      ((e.method === 'POST' && (e.requestJson as Json)['ticket'].comment === undefined) ||
        (e.requestJson as Json)['ticket']?.priority === 'bogus');
    expect(problemsOf(spec, exchanges.filter(invalid))).toEqual([
      expect.stringMatching(/request body at \/ticket: must have required property 'comment'/),
      expect.stringMatching(/request body at \/ticket\/priority: must be equal to one of/),
    ]);
    expect(
      problemsOf(
        spec,
        exchanges.filter((e) => !invalid(e)),
      ),
    ).toEqual([]);

    // Not vacuous: a ticket answer whose priority Zendesk does not know is flagged.
    const show = exchanges.find(
      (e) => e.method === 'GET' && /^\/api\/v2\/tickets\/\d+$/.test(e.path) && e.status === 200,
    ) as Exchange;
    const broken = {
      ...show,
      responseJson: { ticket: { ...(show.responseJson as Json)['ticket'], priority: 'P1' } },
    };
    expect(problemsOf(spec, [broken]).join('\n')).toMatch(/priority/);
  });
});
