// Every request the ZendeskCrm adapter sends, and every answer the simulator gives it, checked
// against Zendesk's OpenAPI (specs/zendesk-support.openapi.yaml) as amended for its
// documented gaps (tests/support/zendesk-openapi.ts): every Crm call, the OAuth grant and
// its renewal after a 401, the export's cursor and 429, a safe update's 409, uploads and
// downloads, a 404, and diagnose. Skips, saying so, when the spec folder is not available.
import { Readable } from 'node:stream';
import { ZendeskCrm, type ZendeskCrmOptions } from '../../src/adapters/zendesk/zendesk-crm';
import { DEFAULT_ZENDESK_SYNC_TAG as TAG } from '../../src/domain/settings';
import type { Exchange } from '../../src/sandbox/exchange';
import { startZendeskSimulator, type ZendeskSimulator } from '../../src/sandbox/zendesk';
import { FakeClock, MINUTE, SECOND } from '../support/fake-clock';
import { preloadSpec } from '../support/openapi-check';
import { readAll } from '../support/streams';
import { DEFAULT_SETTINGS } from '../support/task-deps';
import {
  amendedZendeskSpec,
  zendeskProblemsOf as problemsOf,
  zendeskSpecAvailable as available,
} from '../support/zendesk-openapi';

if (!available) {
  console.log(
    'zendesk-crm-spec.test: API specs not found (set API_SPECS_DIR); skipping OpenAPI checks',
  );
}
const maybe = available ? describe : describe.skip;

maybe('ZendeskCrm traffic matches Zendesk OpenAPI', () => {
  let spec: string;
  let sim: ZendeskSimulator;
  let exchanges: Exchange[];
  let clock: FakeClock;

  beforeAll(() => {
    spec = amendedZendeskSpec();
    preloadSpec(spec);
  });
  beforeEach(async () => {
    exchanges = [];
    clock = new FakeClock();
    sim = await startZendeskSimulator({
      now: () => clock.now(),
      tokenTtlSeconds: 600,
      exportRequestsPerMinute: 2,
      perTicketUpdateLimit: false,
      onExchange: (ex) => exchanges.push(ex),
    });
  });
  afterEach(async () => {
    await sim.close();
  });

  const crmFor = (over: Partial<ZendeskCrmOptions> = {}): ZendeskCrm =>
    new ZendeskCrm({
      baseUrl: sim.url,
      auth: { kind: 'oauth', clientId: sim.oauthClientId, clientSecret: sim.oauthClientSecret },
      pageSize: 1,
      requestTimeoutMs: 5000,
      now: () => clock.ms,
      retry: {
        now: () => clock.ms,
        sleep: async (ms) => void clock.advance(ms),
        random: () => 0,
        budgetMs: 2 * MINUTE,
      },
      ...over,
    });

  it('every adapter call, its retries and its error answers: 0 violations', async () => {
    const crm = crmFor();
    const start = clock.now();
    const person = sim.createTicket({ subject: 'from zendesk', description: 'help', tags: [TAG] });
    sim.createTicket({ subject: 'not selected', description: 'x' });
    sim.addComment(person.id, { body: 'more', public: true, authorName: 'Alice' });
    sim.addAttachment(person.id, {
      filename: 'log.txt',
      content: Buffer.from('log'),
      contentType: 'text/plain',
    });
    const ticket = await crm.create({
      summary: 'VM down',
      description: 'It is down.',
      priority: 1,
      googleCaseName: 'organizations/1/cases/77',
    });
    clock.advance(2 * MINUTE);
    let token: string | undefined;
    do token = (await crm.searchUpdated(start, token)).nextPageToken;
    while (token !== undefined);
    await crm.get(ticket.id);
    await crm.get('999999');
    await crm.findByGoogleCase('organizations/1/cases/77');
    await crm.linkGoogleCase(String(person.id), 'organizations/1/cases/78');
    sim.faults.add({
      method: 'PUT',
      pathContains: `/api/v2/tickets/${ticket.id}`,
      status: 409,
      count: 1,
    });
    await crm.setPriority(ticket.id, 3);
    await crm.addComment(ticket.id, '[Google Comment 1 by Jane]\nhello', {
      visibility: 'internal',
      mirrorOf: 'google:1',
    });
    await crm.addComment(ticket.id, 'Syncing has resumed.', { visibility: 'public' });
    await crm.listComments(String(person.id));
    await crm.listComments(String(person.id), new Date(clock.ms - MINUTE));
    const [theirs] = await crm.listAttachments(String(person.id));
    const att = await crm.upload(ticket.id, {
      filename: 'résumé.json',
      mimeType: 'application/json',
      sizeBytes: 5,
      content: Readable.from([Buffer.from('{"a":')]),
    });
    await readAll(await crm.download(ticket.id, att.id));
    await readAll(await crm.download(String(person.id), theirs?.id ?? ''));
    await crm.download(ticket.id, '999999').catch(() => undefined);
    clock.advance(590 * SECOND); // inside the renewal margin: a new grant
    await crm.get(ticket.id);
    sim.faults.add({ method: 'GET', status: 401, count: 1 }); // a revoked token: a new grant
    await crm.close(ticket.id);
    await crm.close(ticket.id);
    await crm.diagnose(DEFAULT_SETTINGS);
    const legacy = crmFor({ auth: { kind: 'token', email: sim.email, apiToken: sim.apiToken } });
    await legacy.get(ticket.id);

    const statuses = new Set(exchanges.map((e) => e.status));
    expect([...statuses].sort()).toEqual([200, 201, 401, 404, 409, 429]);
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
        'GET /attachments/token/{token}',
        'POST /api/v2/tickets',
        'POST /api/v2/uploads',
        'POST /oauth/tokens',
        'PUT /api/v2/tickets/{id}',
      ].sort(),
    );
    expect(problemsOf(spec, exchanges)).toEqual([]);

    // Not vacuous: an update body with a field Zendesk does not know is flagged.
    const put = exchanges.find((e) => e.method === 'PUT' && e.status === 200) as Exchange;
    const broken = {
      ...put,
      requestJson: {
        ticket: { ...(put.requestJson as { ticket: object }).ticket, status: 'done' },
      },
    };
    expect(problemsOf(spec, [broken]).join('\n')).toMatch(/status/);
  });
});
