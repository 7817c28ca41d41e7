// Sync tasks, creation and linking (reference SyncGoogleUpdatesToCompany /
// SyncCompanyUpdatesToGoogle, SPEC §3.4 and §4).
import { SyncError } from '../../../src/domain/errors';
import type { CaseMapping } from '../../../src/domain/mapping';
import { SEARCH_LAG_MS } from '../../../src/domain/plan-link';
import { syncCompanyCase, syncGoogleCase } from '../../../src/tasks/sync-pair';
import { HOUR, SECOND } from '../../support/fake-clock';
import { cycle, makeDeps, mappingOf } from '../../support/task-deps';

const nowSyncing = (key: string) => `This case is now syncing with Company Case: ${key}`;

describe('sync: a Google case becomes a Jira ticket', () => {
  it('creates the ticket (summary, mirrored description, priority, component, case name) and announces it once', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase({
      displayName: 'VM does not boot',
      description: 'Instance x fails.',
      priority: 1,
    });

    await cycle(deps);

    const [ticket, ...others] = deps.crm.allTickets();
    expect(others).toHaveLength(0);
    expect(ticket).toMatchObject({
      summary: 'VM does not boot',
      description: 'CONTENT MIRRORED FROM GOOGLE SUPPORT:\nInstance x fails.',
      priority: 1,
      googleCaseName: gcase.name,
      components: ['Google Cloud'],
      selected: true,
      closed: false,
    });
    const m = await deps.memory.findByGoogleCase(gcase.name);
    expect(m).toMatchObject({
      companyCaseID: ticket?.id,
      companyCaseKey: ticket?.key,
      priority: 1,
      resolvedAt: null,
    });
    expect(deps.support.comments(gcase.name).map((c) => c.body)).toEqual([
      nowSyncing(ticket?.key ?? ''),
    ]);

    // More syncs, more polls: still one ticket, still one announcement.
    await syncGoogleCase(deps, gcase.name);
    deps.clock.advance(60 * SECOND);
    await cycle(deps);
    deps.clock.advance(60 * SECOND);
    await cycle(deps);
    expect(deps.crm.allTickets()).toHaveLength(1);
    expect(
      deps.support.comments(gcase.name).filter((c) => c.body === nowSyncing(ticket?.key ?? '')),
    ).toHaveLength(1);
  });

  it('links to a Jira ticket that already holds the case name instead of creating one', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase();
    const existing = deps.crm.person.createTicket({ googleCaseName: gcase.name, selected: false });

    await syncGoogleCase(deps, gcase.name);

    expect(deps.crm.allTickets().map((t) => t.id)).toEqual([existing.id]);
    expect((await deps.memory.findByGoogleCase(gcase.name))?.companyCaseID).toBe(existing.id);
    expect(deps.support.comments(gcase.name).map((c) => c.body)).toEqual([
      nowSyncing(existing.key),
    ]);
  });

  it('creates no second ticket when the save after the create was lost and search lags', async () => {
    const deps = makeDeps({ jira: { searchLagMs: 30 * SECOND } });
    const gcase = deps.support.person.createCase();
    deps.storeProbe.failNext('update', new SyncError('retry', 'datastore unavailable'), {
      when: (args) => (args[0] as CaseMapping).companyCaseID !== null,
    });

    await expect(syncGoogleCase(deps, gcase.name)).rejects.toThrow('datastore unavailable');
    expect(deps.crm.allTickets()).toHaveLength(1);

    // The queue retries at once, then again 10 s later: the ticket is not searchable yet.
    await expect(syncGoogleCase(deps, gcase.name)).rejects.toMatchObject({ kind: 'retry' });
    deps.clock.advance(10 * SECOND);
    await expect(syncGoogleCase(deps, gcase.name)).rejects.toMatchObject({ kind: 'retry' });
    expect(deps.crm.allTickets()).toHaveLength(1);

    deps.clock.advance(SEARCH_LAG_MS);
    await expect(syncGoogleCase(deps, gcase.name)).resolves.toMatchObject({ outcome: 'done' });
    const [ticket, ...others] = deps.crm.allTickets();
    expect(others).toHaveLength(0);
    expect((await deps.memory.findByGoogleCase(gcase.name))?.companyCaseID).toBe(ticket?.id);
    expect(deps.support.comments(gcase.name).map((c) => c.body)).toEqual([
      nowSyncing(ticket?.key ?? ''),
    ]);
  });

  it('creates no second ticket when Jira created it but the answer was lost', async () => {
    const deps = makeDeps({ jira: { searchLagMs: 30 * SECOND } });
    const gcase = deps.support.person.createCase();
    deps.crm.failNext('create', new SyncError('retry', 'socket hang up'), { after: true });

    await expect(syncGoogleCase(deps, gcase.name)).rejects.toThrow('socket hang up');
    deps.clock.advance(10 * SECOND);
    await expect(syncGoogleCase(deps, gcase.name)).rejects.toMatchObject({ kind: 'retry' });
    deps.clock.advance(SEARCH_LAG_MS);
    await syncGoogleCase(deps, gcase.name);

    expect(deps.crm.allTickets()).toHaveLength(1);
    expect((await deps.memory.findByGoogleCase(gcase.name))?.companyCaseID).toBe(
      deps.crm.allTickets()[0]?.id,
    );
  });

  it('uses the case priority when it is known and P2 when Google reports none', async () => {
    const deps = makeDeps();
    const unknown = deps.support.person.createCase({ priority: null });

    await syncGoogleCase(deps, unknown.name);

    expect(deps.crm.allTickets()[0]?.priority).toBe(2);
  });
});

describe('sync: a Jira ticket becomes a Google case', () => {
  it('creates the case (classification, mirrored description, priority), links the ticket and announces it once', async () => {
    const deps = makeDeps();
    const ticket = deps.crm.person.createTicket({
      summary: 'Database latency spikes',
      description: 'p99 doubled.',
      priority: 3,
    });

    await cycle(deps);

    const [gcase, ...others] = deps.support.allCases();
    expect(others).toHaveLength(0);
    expect(gcase).toMatchObject({
      parent: 'organizations/1',
      displayName: 'Database latency spikes',
      description: `CONTENT MIRRORED FROM COMPANY CASE ${ticket.key}:\np99 doubled.`,
      priority: 3,
      classificationId: '100152',
      testCase: false,
      closed: false,
    });
    expect(deps.crm.ticket(ticket.id).googleCaseName).toBe(gcase?.name);
    const m = await deps.memory.findByCompanyCase(ticket.id);
    expect(m).toMatchObject({
      googleCaseName: gcase?.name,
      companyCaseKey: ticket.key,
      priority: 3,
    });
    expect(deps.support.comments(gcase?.name ?? '').map((c) => c.body)).toEqual([
      nowSyncing(ticket.key),
    ]);

    deps.clock.advance(60 * SECOND);
    await cycle(deps);
    deps.clock.advance(60 * SECOND);
    await cycle(deps);
    expect(deps.support.allCases()).toHaveLength(1);
    expect(deps.crm.allTickets()).toHaveLength(1);
    expect(deps.support.comments(gcase?.name ?? '')).toHaveLength(1);
  });

  it('opens trial cases under SUPPORT_CASE_PARENT when SUPPORT_TEST_CASES is set', async () => {
    const deps = makeDeps({
      settings: { supportCaseParent: 'projects/sandbox', supportTestCases: true },
    });
    const ticket = deps.crm.person.createTicket();

    await syncCompanyCase(deps, ticket.id);

    expect(deps.support.allCases()).toEqual([
      expect.objectContaining({ parent: 'projects/sandbox', testCase: true }),
    ]);
  });

  it('links to the Google case a ticket already names instead of creating one', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase();
    const ticket = deps.crm.person.createTicket({ googleCaseName: gcase.name });

    await syncCompanyCase(deps, ticket.id);

    expect(deps.support.allCases().map((c) => c.name)).toEqual([gcase.name]);
    const m = await deps.memory.findByCompanyCase(ticket.id);
    expect(m?.googleCaseName).toBe(gcase.name);
    expect(deps.crm.allTickets()).toHaveLength(1);
  });

  it('creates no second case when the link was lost after the create', async () => {
    const deps = makeDeps();
    const ticket = deps.crm.person.createTicket();
    deps.crm.failNext('linkGoogleCase', new SyncError('retry', 'jira 503', { status: 503 }));

    await expect(syncCompanyCase(deps, ticket.id)).rejects.toThrow('jira 503');
    expect(deps.support.allCases()).toHaveLength(1);

    deps.clock.advance(10 * SECOND);
    await syncCompanyCase(deps, ticket.id);

    const [gcase, ...others] = deps.support.allCases();
    expect(others).toHaveLength(0);
    expect(deps.crm.ticket(ticket.id).googleCaseName).toBe(gcase?.name);
    expect((await deps.memory.findByCompanyCase(ticket.id))?.googleCaseName).toBe(gcase?.name);
  });

  it('creates no second case when Google created it but the answer was lost', async () => {
    const deps = makeDeps();
    const ticket = deps.crm.person.createTicket();
    deps.support.failNext('create', new SyncError('retry', 'connection reset'), { after: true });

    await expect(syncCompanyCase(deps, ticket.id)).rejects.toThrow('connection reset');
    deps.clock.advance(30 * SECOND);
    await syncCompanyCase(deps, ticket.id);

    const [gcase, ...others] = deps.support.allCases();
    expect(others).toHaveLength(0);
    expect(deps.crm.ticket(ticket.id).googleCaseName).toBe(gcase?.name);
  });

  it('drops the ticket when SUPPORT_CLASSIFICATION_ID is unset, creating nothing', async () => {
    const deps = makeDeps({ settings: { supportClassificationId: null } });
    const ticket = deps.crm.person.createTicket();

    await expect(syncCompanyCase(deps, ticket.id)).resolves.toMatchObject({ outcome: 'dropped' });

    expect(deps.support.allCases()).toHaveLength(0);
    expect(deps.log.at('error')).not.toHaveLength(0);
  });
});

describe('sync: pairs that cannot be synced', () => {
  it('drops a case outside SUPPORT_PARENT without touching anything', async () => {
    const deps = makeDeps();
    const foreign = deps.support.person.createCase({ parent: 'organizations/2' });

    await expect(syncGoogleCase(deps, foreign.name)).resolves.toMatchObject({ outcome: 'dropped' });

    expect(deps.crm.allTickets()).toHaveLength(0);
    expect(await deps.memory.findByGoogleCase(foreign.name)).toBeNull();
    expect(deps.support.comments(foreign.name)).toHaveLength(0);
    expect(deps.log.at('error').map((l) => l.fields.caseName)).toContain(foreign.name);
  });

  it('resolves and drops a pair whose Jira ticket was deleted', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase();
    await syncGoogleCase(deps, gcase.name);
    const m = (await deps.memory.findByGoogleCase(gcase.name)) as CaseMapping;
    deps.crm.person.deleteTicket(m.companyCaseID ?? '');
    deps.clock.advance(SECOND);
    deps.support.person.addComment(gcase.name, 'hello?');

    await expect(syncGoogleCase(deps, gcase.name)).resolves.toMatchObject({ outcome: 'dropped' });

    expect((await mappingOf(deps, m.id)).resolvedAt).toEqual(deps.clock.now());
    expect(deps.crm.allTickets()).toHaveLength(0);
    // Resolved: later syncs skip it instead of recreating a ticket.
    await expect(syncGoogleCase(deps, gcase.name)).resolves.toMatchObject({ outcome: 'skipped' });
    expect(deps.crm.allTickets()).toHaveLength(0);
  });

  it('drops a Jira ticket that disappeared before its first sync', async () => {
    const deps = makeDeps();
    await expect(syncCompanyCase(deps, '99999')).resolves.toMatchObject({ outcome: 'dropped' });
    expect(deps.support.allCases()).toHaveLength(0);
  });
});

describe('sync: a counterpart created late', () => {
  it('still gets the comments made before it, beyond the polling windows, once', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase();
    deps.support.person.addComment(gcase.name, 'first words, long before the ticket exists');
    const ticket = deps.crm.person.createTicket();
    deps.crm.person.addComment(ticket.id, 'an early Jira comment');
    deps.clock.advance(2 * HOUR);

    await syncGoogleCase(deps, gcase.name);
    await syncCompanyCase(deps, ticket.id);
    await cycle(deps);

    const m = await deps.memory.findByGoogleCase(gcase.name);
    expect(deps.crm.comments(m?.companyCaseID ?? '').map((c) => c.mirrorOf)).toEqual([
      expect.stringMatching(/^google:/),
    ]);
    const mirror = await deps.memory.findByCompanyCase(ticket.id);
    expect(
      deps.support
        .comments(mirror?.googleCaseName ?? '')
        .filter((c) => c.body.startsWith('[Company Comment')),
    ).toHaveLength(1);
  });
});
