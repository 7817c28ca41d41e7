// PollGoogleForUpdates and PollCompanyForUpdates (reference "Tasks", SPEC §4).
import type { SyncTask } from '../../../src/ports/task-queue';
import { SyncError } from '../../../src/domain/errors';
import type { NewCaseMapping } from '../../../src/domain/mapping';
import type { SupportCases } from '../../../src/ports/support-cases';
import { pollCompany, pollGoogle } from '../../../src/tasks/poll';
import { DAY, MINUTE, SECOND } from '../../support/fake-clock';
import { instrument, STORE_WRITES } from '../../support/instrument';
import { makeDeps, type TestDeps } from '../../support/task-deps';

async function setPolled(deps: TestDeps, side: 'google' | 'company', at: Date): Promise<void> {
  const g = await deps.memory.getGlobal();
  await deps.memory.saveGlobal(
    side === 'google'
      ? { google_last_polled_at: at, company_last_polled_at: g.company_last_polled_at }
      : { google_last_polled_at: g.google_last_polled_at, company_last_polled_at: at },
    g.version,
  );
}

function syncedMapping(deps: TestDeps, o: Partial<NewCaseMapping>): NewCaseMapping {
  const now = deps.clock.now();
  return {
    googleCaseName: null,
    companyCaseID: null,
    companyCaseKey: null,
    newContentAt: now,
    resolvedAt: null,
    companyUpdatesSyncedAt: now,
    googleUpdatesSyncedAt: now,
    outageCommentSentToGoogle: false,
    outageCommentSentToCompany: false,
    priority: 2,
    origin: 'google',
    googlePendingSince: null,
    companyPendingSince: null,
    counterpartCreationStartedAt: null,
    ...o,
  };
}

/** What a queued task names, with a `?` for a task of another kind than expected. */
const named = (t: SyncTask, kind: SyncTask['kind']): string => {
  const ref = 'caseName' in t ? t.caseName : 'caseId' in t ? t.caseId : t.mappingId;
  return t.kind === kind ? ref : `?${ref}`;
};
const googleTasks = (deps: TestDeps) =>
  deps.queue.tasks.map((t) => named(t.task, 'sync-google-case'));
const companyTasks = (deps: TestDeps) =>
  deps.queue.tasks.map((t) => named(t.task, 'sync-company-case'));

describe('pollGoogle', () => {
  it('first poll searches 30 days back and adopts a recent open case', async () => {
    const deps = makeDeps();
    const now = deps.clock.now();
    const gcase = deps.support.person.createCase({
      priority: 1,
      createTime: deps.clock.ago(29 * DAY),
    });
    const probe = instrument<SupportCases>(deps.support);

    await pollGoogle({ ...deps, support: probe.api } as TestDeps);

    const search = probe.calls.find((c) => c.method === 'searchUpdated');
    expect(search?.args[0]).toBe('organizations/1');
    expect(search?.args[1]).toEqual(new Date(now.getTime() - 30 * DAY));
    const m = await deps.memory.findByGoogleCase(gcase.name);
    expect(m).toMatchObject({
      googleCaseName: gcase.name,
      companyCaseID: null,
      newContentAt: now,
      resolvedAt: null,
      companyUpdatesSyncedAt: now,
      googleUpdatesSyncedAt: null,
      outageCommentSentToGoogle: false,
      outageCommentSentToCompany: false,
      priority: 1,
      origin: 'google',
    });
    expect(googleTasks(deps)).toEqual([gcase.name]);
    expect((await deps.memory.getGlobal()).google_last_polled_at).toEqual(now);
  });

  it('never adopts a case created more than 30 days ago, even when it changed today', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase({ createTime: deps.clock.ago(31 * DAY) });
    deps.support.person.addComment(gcase.name, 'still broken');

    await pollGoogle(deps);

    expect(await deps.memory.findByGoogleCase(gcase.name)).toBeNull();
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('never adopts a closed case it does not know', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase({ closed: true });

    await pollGoogle(deps);

    expect(await deps.memory.findByGoogleCase(gcase.name)).toBeNull();
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('does not adopt a case the connector created from a Jira ticket', async () => {
    const deps = makeDeps();
    const mirror = await deps.support.create({
      parent: 'organizations/1',
      displayName: 'Database latency spikes',
      description: 'CONTENT MIRRORED FROM COMPANY CASE SUP-7:\nSince the upgrade…',
      priority: 2,
      classificationId: '100152',
      testCase: false,
    });

    await pollGoogle(deps);

    expect(await deps.memory.findByGoogleCase(mirror.name)).toBeNull();
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('searches since last_polled_at minus GOOGLE_POLLING_WINDOW', async () => {
    const deps = makeDeps();
    await setPolled(deps, 'google', deps.clock.ago(MINUTE));
    // Window 30 min: since = now − 31 min.
    const inside = deps.support.person.createCase({ createTime: deps.clock.ago(30 * MINUTE) });
    const outside = deps.support.person.createCase({ createTime: deps.clock.ago(32 * MINUTE) });

    await pollGoogle(deps);

    expect(googleTasks(deps)).toEqual([inside.name]);
    expect(await deps.memory.findByGoogleCase(inside.name)).not.toBeNull();
    expect(await deps.memory.findByGoogleCase(outside.name)).toBeNull();
  });

  it('reads every page of the search', async () => {
    const deps = makeDeps({ google: { pageSize: 2 } });
    const cases = [1, 2, 3, 4, 5].map((i) =>
      deps.support.person.createCase({ createTime: deps.clock.ago(i * MINUTE) }),
    );

    await pollGoogle(deps);

    expect(googleTasks(deps).sort()).toEqual(cases.map((c) => c.name).sort());
    for (const c of cases) expect(await deps.memory.findByGoogleCase(c.name)).not.toBeNull();
  });

  it('enqueues one task per changed case when a case changes while the poll pages', async () => {
    const deps = makeDeps({ google: { pageSize: 2 } });
    const [a, b, c] = [1, 2, 3].map(() => deps.support.person.createCase());
    // While the poll reads page 2, someone comments on case c (not read yet): search pages
    // by case number with a cursor, so c is read once, with its new update time.
    deps.support.onNext(
      'searchUpdated',
      () => void deps.support.person.addComment(c?.name ?? '', 'news'),
      {
        when: (args) => args[2] !== undefined,
      },
    );

    await pollGoogle(deps);

    expect(googleTasks(deps)).toEqual([a?.name, b?.name, c?.name]);
    expect(deps.queue.duplicates).toEqual([]);
    // A second poll within the same minute sees the same changes: its enqueues collapse.
    deps.clock.advance(SECOND);
    await pollGoogle(deps);
    expect(googleTasks(deps)).toEqual([a?.name, b?.name, c?.name]);
    expect(deps.queue.duplicates.map((d) => d.task)).toEqual(
      [a, b, c].map((x) => ({ kind: 'sync-google-case', caseName: x?.name })),
    );
  });

  it('marks a changed mapping pending and enqueues its sync', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase({ createTime: deps.clock.ago(2 * DAY) });
    const m = await deps.memory.insert(
      syncedMapping(deps, {
        googleCaseName: gcase.name,
        companyCaseID: '10001',
        googleUpdatesSyncedAt: deps.clock.ago(DAY),
      }),
    );
    await setPolled(deps, 'google', deps.clock.ago(MINUTE));
    const comment = deps.support.person.addComment(gcase.name, 'an update');

    await pollGoogle(deps);

    expect((await deps.memory.get(m.id))?.googlePendingSince).toEqual(comment.createTime);
    expect(googleTasks(deps)).toEqual([gcase.name]);
  });

  it('does not enqueue a resolved mapping', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase();
    await deps.memory.insert(
      syncedMapping(deps, {
        googleCaseName: gcase.name,
        companyCaseID: '10001',
        resolvedAt: deps.clock.now(),
      }),
    );
    deps.clock.advance(SECOND);
    deps.support.person.addComment(gcase.name, 'after closing');

    await pollGoogle(deps);

    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('advances the cursor to the poll start only after every case was enqueued', async () => {
    const deps = makeDeps();
    const start = deps.clock.now();
    const a = deps.support.person.createCase();
    const b = deps.support.person.createCase();
    deps.queue.failNext(new SyncError('retry', 'queue down'), {
      when: (args) => (args[0] as { caseName?: string }).caseName === b.name,
    });

    await expect(pollGoogle(deps)).rejects.toThrow('queue down');
    expect((await deps.memory.getGlobal()).google_last_polled_at).toBeNull();

    // The retry (the poll takes a while: the clock moves during its search) enqueues both
    // and moves the cursor to the time the poll started.
    const retryStart = deps.clock.advance(10 * SECOND);
    deps.support.onNext('searchUpdated', () => void deps.clock.advance(20 * SECOND));
    await pollGoogle(deps);
    expect(googleTasks(deps).sort()).toEqual([a.name, b.name].sort());
    expect((await deps.memory.getGlobal()).google_last_polled_at).toEqual(retryStart);
    expect(retryStart.getTime()).toBeGreaterThan(start.getTime());
  });

  it('with many unchanged open mappings makes one search and no mapping write (O(changed))', async () => {
    const deps = makeDeps();
    for (let i = 0; i < 200; i += 1) {
      const c = deps.support.person.createCase({ createTime: deps.clock.ago(3 * DAY) });
      await deps.memory.insert(
        syncedMapping(deps, {
          googleCaseName: c.name,
          companyCaseID: String(50000 + i),
          googleUpdatesSyncedAt: deps.clock.ago(2 * DAY),
        }),
      );
    }
    await setPolled(deps, 'google', deps.clock.ago(MINUTE));
    const google = instrument<SupportCases>(deps.support);

    await pollGoogle({ ...deps, support: google.api } as TestDeps);

    expect(google.count()).toBe(1);
    expect(deps.storeProbe.count(['insert', 'update', 'delete', 'recordMirroredItem'])).toBe(0);
    expect(deps.storeProbe.count(STORE_WRITES)).toBe(1); // the cursor
    expect(deps.storeProbe.count()).toBeLessThanOrEqual(5);
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('re-polls a synced case inside the window without writing its mapping', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase({ createTime: deps.clock.ago(10 * MINUTE) });
    await deps.memory.insert(
      syncedMapping(deps, {
        googleCaseName: gcase.name,
        companyCaseID: '10001',
        googleUpdatesSyncedAt: deps.clock.ago(5 * MINUTE),
      }),
    );
    await setPolled(deps, 'google', deps.clock.ago(MINUTE));

    await pollGoogle(deps);

    expect(googleTasks(deps)).toEqual([gcase.name]);
    expect(deps.storeProbe.count(['insert', 'update'])).toBe(0);
  });
});

describe('pollCompany', () => {
  it('first poll searches 30 days back and adopts a recent selected ticket', async () => {
    const deps = makeDeps();
    const now = deps.clock.now();
    const t = deps.crm.person.createTicket({ priority: 3, createTime: deps.clock.ago(29 * DAY) });
    const unselected = deps.crm.person.createTicket({ selected: false });

    await pollCompany(deps);

    expect(await deps.memory.findByCompanyCase(t.id)).toMatchObject({
      googleCaseName: null,
      companyCaseID: t.id,
      companyCaseKey: t.key,
      newContentAt: now,
      resolvedAt: null,
      companyUpdatesSyncedAt: null,
      googleUpdatesSyncedAt: now,
      priority: 3,
      origin: 'company',
    });
    expect(await deps.memory.findByCompanyCase(unselected.id)).toBeNull();
    expect(companyTasks(deps)).toEqual([t.id]);
    expect((await deps.memory.getGlobal()).company_last_polled_at).toEqual(now);
  });

  it('never adopts old or closed tickets', async () => {
    const deps = makeDeps();
    const old = deps.crm.person.createTicket({ createTime: deps.clock.ago(31 * DAY) });
    deps.crm.person.addComment(old.id, 'bump');
    const closed = deps.crm.person.createTicket();
    deps.crm.person.close(closed.id);

    await pollCompany(deps);

    expect(await deps.memory.findByCompanyCase(old.id)).toBeNull();
    expect(await deps.memory.findByCompanyCase(closed.id)).toBeNull();
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('does not adopt a ticket holding a Google case name that is already mapped', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase();
    // The Google case's pair exists (its ticket was created, the save of its id was lost).
    const m = await deps.memory.insert(syncedMapping(deps, { googleCaseName: gcase.name }));
    const ticket = await deps.crm.create({
      summary: 'x',
      description: 'CONTENT MIRRORED FROM GOOGLE SUPPORT:\n…',
      priority: 2,
      googleCaseName: gcase.name,
    });

    await pollCompany(deps);

    expect(await deps.memory.findByCompanyCase(ticket.id)).toBeNull();
    expect((await deps.memory.listOpen()).items.map((x) => x.id)).toEqual([m.id]);
    expect(deps.queue.tasks).toHaveLength(0);
  });

  it('searches since last_polled_at minus COMPANY_POLLING_WINDOW, across pages', async () => {
    const deps = makeDeps({ jira: { pageSize: 2 } });
    await setPolled(deps, 'company', deps.clock.ago(MINUTE));
    // Window 5 min: since = now − 6 min.
    const inside = [1, 2, 3, 4, 5].map((i) =>
      deps.crm.person.createTicket({ createTime: deps.clock.ago(i * MINUTE) }),
    );
    const outside = deps.crm.person.createTicket({ createTime: deps.clock.ago(7 * MINUTE) });

    await pollCompany(deps);

    expect(companyTasks(deps).sort()).toEqual(inside.map((t) => t.id).sort());
    expect(await deps.memory.findByCompanyCase(outside.id)).toBeNull();
  });

  it('leaves the cursor unchanged when an enqueue fails, and rethrows', async () => {
    const deps = makeDeps();
    await setPolled(deps, 'company', deps.clock.ago(MINUTE));
    const before = await deps.memory.getGlobal();
    deps.crm.person.createTicket();
    deps.queue.failNext(new SyncError('retry', 'queue down'));

    await expect(pollCompany(deps)).rejects.toThrow('queue down');

    expect(await deps.memory.getGlobal()).toEqual(before);
  });

  it('with many unchanged open mappings makes one search and no mapping write (O(changed))', async () => {
    const deps = makeDeps();
    for (let i = 0; i < 200; i += 1) {
      const t = deps.crm.person.createTicket({ createTime: deps.clock.ago(3 * DAY) });
      await deps.memory.insert(
        syncedMapping(deps, {
          googleCaseName: `organizations/1/cases/${9000 + i}`,
          companyCaseID: t.id,
          origin: 'company',
        }),
      );
    }
    await setPolled(deps, 'company', deps.clock.ago(MINUTE));
    const crm = instrument(deps.crm);

    await pollCompany({ ...deps, crm: crm.api });

    expect(crm.count()).toBe(1);
    expect(deps.storeProbe.count(STORE_WRITES)).toBe(1);
    expect(deps.storeProbe.count()).toBeLessThanOrEqual(5);
  });
});
