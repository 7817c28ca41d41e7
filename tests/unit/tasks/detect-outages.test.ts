// DetectOutages (reference "Tasks", SPEC §3.4): the priority × freshness table, one notice
// per side, retried when a side refused it, "Syncing has resumed." after recovery.
import { SyncError } from '../../../src/domain/errors';
import type { NewCaseMapping } from '../../../src/domain/mapping';
import { detectOutages } from '../../../src/tasks/detect-outages';
import { DAY, HOUR, MINUTE } from '../../support/fake-clock';
import {
  cycle,
  linkedFromGoogle,
  makeDeps,
  mappingOf,
  runQueued,
  type LinkedPair,
  type TestDeps,
} from '../../support/task-deps';
import { pollCompany, pollGoogle } from '../../../src/tasks/poll';
import { syncGoogleCase } from '../../../src/tasks/sync-pair';

const OUTAGE = /^This case has not synced properly in .+\.$/;
const RESUMED = 'Syncing has resumed.';

function notices(deps: TestDeps, pair: LinkedPair) {
  const pick = (bodies: string[]) => bodies.filter((b) => OUTAGE.test(b) || b === RESUMED);
  return {
    google: pick(deps.support.comments(pair.caseName).map((c) => c.body)),
    jira: pick(deps.crm.comments(pair.ticketId).map((c) => c.body)),
  };
}

/** Polls run every minute but every sync of the pair fails (Jira's comment API is down). */
async function minutesOfFailingSyncs(deps: TestDeps, minutes: number): Promise<void> {
  for (let i = 0; i < minutes; i += 1) {
    deps.clock.advance(MINUTE);
    await pollGoogle(deps);
    await pollCompany(deps);
    const run = await runQueued(deps);
    for (const e of run.errors) if (!(e instanceof SyncError)) throw e;
  }
}

async function setMapping(
  deps: TestDeps,
  id: string,
  patch: Partial<NewCaseMapping>,
): Promise<void> {
  await deps.memory.update({ ...(await mappingOf(deps, id)), ...patch });
}

describe('detectOutages', () => {
  it('a fresh P0 pair 11 minutes behind is an outage: one notice on each side', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 0 });
    deps.crm.failNext('listComments', new SyncError('retry', 'jira 503', { status: 503 }), {
      times: 1000,
    });
    deps.clock.advance(MINUTE);
    deps.support.person.addComment(pair.caseName, 'urgent: prod is down');

    await minutesOfFailingSyncs(deps, 9); // 10 minutes behind: within tolerance
    expect((await detectOutages(deps)).outages).toBe(0);
    expect(notices(deps, pair)).toEqual({ google: [], jira: [] });

    await minutesOfFailingSyncs(deps, 1); // 11 minutes behind
    const result = await detectOutages(deps);

    expect(result.outages).toBe(1);
    expect(notices(deps, pair)).toEqual({
      google: ['This case has not synced properly in 11 minutes.'],
      jira: ['This case has not synced properly in 11 minutes.'],
    });
    expect(await mappingOf(deps, pair.mappingId)).toMatchObject({
      outageCommentSentToGoogle: true,
      outageCommentSentToCompany: true,
    });

    // Still behind five minutes later: counted again, but no second notice.
    await minutesOfFailingSyncs(deps, 5);
    expect((await detectOutages(deps)).outages).toBe(1);
    expect(notices(deps, pair).google).toHaveLength(1);
    expect(notices(deps, pair).jira).toHaveLength(1);
  });

  it('a stale P4 pair 60 minutes behind is not an outage (tolerance 240 minutes)', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 4 });
    await setMapping(deps, pair.mappingId, { newContentAt: deps.clock.ago(2 * DAY) });

    deps.clock.advance(60 * MINUTE);
    expect((await detectOutages(deps)).outages).toBe(0);
    deps.clock.advance(180 * MINUTE); // 240 minutes: still within
    expect((await detectOutages(deps)).outages).toBe(0);
    expect(notices(deps, pair)).toEqual({ google: [], jira: [] });

    deps.clock.advance(MINUTE); // 241 minutes
    expect((await detectOutages(deps)).outages).toBe(1);
    expect(notices(deps, pair).google).toEqual([
      'This case has not synced properly in 4 hours 1 minute.',
    ]);
  });

  it('uses the default column between one hour and one day of freshness', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 4 });
    await setMapping(deps, pair.mappingId, { newContentAt: deps.clock.ago(2 * HOUR) });

    deps.clock.advance(30 * MINUTE);
    expect((await detectOutages(deps)).outages).toBe(0);
    deps.clock.advance(MINUTE);
    expect((await detectOutages(deps)).outages).toBe(1);
  });

  it('a pair whose counterpart was never created: not yet within tolerance, then the side that exists is told once', async () => {
    const deps = makeDeps();
    // Jira refuses to create tickets, Google refuses to create cases: no pair gets linked.
    deps.crm.failNext('create', new SyncError('retry', 'jira 503', { status: 503 }), {
      times: 1000,
    });
    deps.support.failNext('create', new SyncError('retry', 'google 503', { status: 503 }), {
      times: 1000,
    });
    const gcase = deps.support.person.createCase({ priority: 0 });
    const ticket = deps.crm.person.createTicket({ priority: 0 });
    await minutesOfFailingSyncs(deps, 5);
    const fromGoogle = await deps.memory.findByGoogleCase(gcase.name);
    const fromJira = await deps.memory.findByCompanyCase(ticket.id);
    expect(fromGoogle?.companyCaseID).toBeNull();
    expect(fromJira?.googleCaseName).toBeNull();

    expect(await detectOutages(deps)).toMatchObject({ outages: 0, notices: 0 });
    expect(deps.support.comments(gcase.name)).toHaveLength(0);
    expect(deps.crm.comments(ticket.id)).toHaveLength(0);

    // Adopted 11 minutes ago (first poll a minute in): the failing syncs of the last minute
    // post the notices under their lease, or detect-outages does; once per side either way.
    await minutesOfFailingSyncs(deps, 7);
    expect(await detectOutages(deps)).toMatchObject({ outages: 2, skipped: 0 });
    await minutesOfFailingSyncs(deps, 5);
    expect(await detectOutages(deps)).toMatchObject({ outages: 2, notices: 0 });

    const told = (bodies: string[]) => bodies.filter((b) => OUTAGE.test(b));
    expect(told(deps.support.comments(gcase.name).map((c) => c.body))).toEqual([
      'This case has not synced properly in 11 minutes.',
    ]);
    expect(told(deps.crm.comments(ticket.id).map((c) => c.body))).toEqual([
      'This case has not synced properly in 11 minutes.',
    ]);
  });

  it('retries a side that refused the notice at the next run, without repeating the other side', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 0 });
    deps.clock.advance(15 * MINUTE);
    deps.support.failNext('addComment', new SyncError('retry', 'google 503', { status: 503 }));

    expect((await detectOutages(deps)).outages).toBe(1);
    expect(notices(deps, pair)).toEqual({
      google: [],
      jira: ['This case has not synced properly in 15 minutes.'],
    });
    expect(await mappingOf(deps, pair.mappingId)).toMatchObject({
      outageCommentSentToGoogle: false,
      outageCommentSentToCompany: true,
    });

    deps.clock.advance(5 * MINUTE);
    expect((await detectOutages(deps)).outages).toBe(1);
    expect(notices(deps, pair)).toEqual({
      google: ['This case has not synced properly in 20 minutes.'],
      jira: ['This case has not synced properly in 15 minutes.'],
    });
  });

  it('counts every pair in outage, across store pages', async () => {
    const deps = makeDeps({ storePageSize: 2 });
    const pairs: LinkedPair[] = [];
    for (let i = 0; i < 5; i += 1) pairs.push(await linkedFromGoogle(deps, { priority: 0 }));
    deps.clock.advance(20 * MINUTE);

    expect((await detectOutages(deps)).outages).toBe(5);
    for (const p of pairs) expect(notices(deps, p).jira).toHaveLength(1);
  });

  it('posts "Syncing has resumed." once on each side that got a notice, and notices are never mirrored', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 0 });
    deps.clock.advance(12 * MINUTE);
    await detectOutages(deps);
    expect(notices(deps, pair).google).toHaveLength(1);

    // Syncing works again: polls and syncs catch up.
    deps.clock.advance(MINUTE);
    await cycle(deps);
    const result = await detectOutages(deps);
    deps.clock.advance(5 * MINUTE);
    await cycle(deps);
    const again = await detectOutages(deps);

    expect(result.outages).toBe(0);
    expect(again.outages).toBe(0);
    expect(notices(deps, pair)).toEqual({
      google: ['This case has not synced properly in 12 minutes.', RESUMED],
      jira: ['This case has not synced properly in 12 minutes.', RESUMED],
    });
    expect(await mappingOf(deps, pair.mappingId)).toMatchObject({
      outageCommentSentToGoogle: false,
      outageCommentSentToCompany: false,
    });
    // Nothing but the notices and the link announcement was written.
    expect(deps.crm.comments(pair.ticketId)).toHaveLength(2);
    expect(deps.support.comments(pair.caseName)).toHaveLength(3);
  });

  describe('a pair whose lease is held', () => {
    const STUCK = 'a-sync-still-running';
    const holdLease = (deps: TestDeps, pair: LinkedPair) =>
      deps.memory.acquireLease(`mapping:${pair.mappingId}`, STUCK, deps.clock.now(), 10 * MINUTE);
    const freeLease = (deps: TestDeps, pair: LinkedPair) =>
      deps.memory.releaseLease(`mapping:${pair.mappingId}`, STUCK);

    it('is reported as skipped, still counts as an outage, and its queued notice task posts both notices once the lease is free', async () => {
      const deps = makeDeps();
      const pair = await linkedFromGoogle(deps, { priority: 0 });
      let jiraDown = true;
      deps.crm.failNext('listComments', new SyncError('retry', 'jira 503', { status: 503 }), {
        times: 1000,
        when: () => jiraDown,
      });
      deps.clock.advance(15 * MINUTE);
      expect(await holdLease(deps, pair)).toBe(true);

      const busy = await detectOutages(deps);
      expect(busy).toMatchObject({ outages: 1, notices: 0, skipped: 1 });
      expect(notices(deps, pair)).toEqual({ google: [], jira: [] });
      expect(deps.log.find('pair busy: its notices are queued')).toHaveLength(1);
      expect(deps.log.find('outage detection done')[0]?.fields).toMatchObject({ skipped: 1 });
      expect(deps.queue.pending()).toEqual([
        { kind: 'post-outage-notices', mappingId: pair.mappingId },
      ]);
      // The route answers 500 meanwhile, and cron's retry of it queues no second task.
      expect(await detectOutages(deps)).toMatchObject({ outages: 1, skipped: 1 });
      expect(deps.queue.duplicates).toHaveLength(1);

      // While the lease is held the task fails with a conflict (the queue retries it) ...
      const held = await runQueued(deps);
      expect(held.errors).toEqual([expect.objectContaining({ kind: 'conflict' })]);
      expect(notices(deps, pair)).toEqual({ google: [], jira: [] });
      // ... and once the holder is done, its retry posts the notices.
      await freeLease(deps, pair);
      await deps.queue.enqueue({ kind: 'post-outage-notices', mappingId: pair.mappingId });
      expect((await runQueued(deps)).errors).toEqual([]);
      expect(notices(deps, pair)).toEqual({
        google: ['This case has not synced properly in 15 minutes.'],
        jira: ['This case has not synced properly in 15 minutes.'],
      });
      expect(await detectOutages(deps)).toMatchObject({ outages: 1, notices: 0, skipped: 0 });

      // Recovery while the lease is held again: "Syncing has resumed." goes the same way.
      jiraDown = false;
      deps.clock.advance(MINUTE);
      await cycle(deps);
      expect(await holdLease(deps, pair)).toBe(true);
      expect(await detectOutages(deps)).toMatchObject({ outages: 0, notices: 0, skipped: 1 });
      await freeLease(deps, pair);
      expect((await runQueued(deps)).errors).toEqual([]);
      expect(await detectOutages(deps)).toMatchObject({ outages: 0, notices: 0, skipped: 0 });
      expect(notices(deps, pair)).toEqual({
        google: ['This case has not synced properly in 15 minutes.', RESUMED],
        jira: ['This case has not synced properly in 15 minutes.', RESUMED],
      });
    });

    it('a burst of syncs overlapping detect-outages on many pairs ends with exactly one notice of each kind per side', async () => {
      const deps = makeDeps({ storePageSize: 3 });
      const pairs: LinkedPair[] = [];
      for (let i = 0; i < 12; i += 1) pairs.push(await linkedFromGoogle(deps, { priority: 0 }));
      let jiraDown = true;
      deps.crm.failNext('listComments', new SyncError('retry', 'jira 503', { status: 503 }), {
        times: 100_000,
        when: () => jiraDown,
      });
      deps.clock.advance(15 * MINUTE);

      /** Every pair's sync and detect-outages at once, then the queue until it is empty. */
      const burst = async () => {
        const [report] = await Promise.all([
          detectOutages(deps),
          ...pairs.map((p) => syncGoogleCase(deps, p.caseName).catch(() => undefined)),
        ]);
        for (let i = 0; i < 5 && deps.queue.pending().length > 0; i += 1) await runQueued(deps);
        return report;
      };

      const first = await burst();
      expect(first.outages).toBe(12);
      expect(first.skipped).toBeGreaterThan(0); // the overlap really happened
      await burst();
      for (const p of pairs) {
        expect(notices(deps, p)).toEqual({
          google: ['This case has not synced properly in 15 minutes.'],
          jira: ['This case has not synced properly in 15 minutes.'],
        });
      }

      jiraDown = false;
      deps.clock.advance(MINUTE);
      await pollGoogle(deps);
      await pollCompany(deps);
      await burst();
      deps.clock.advance(5 * MINUTE);
      expect((await burst()).outages).toBe(0);
      for (const p of pairs) {
        expect(notices(deps, p)).toEqual({
          google: ['This case has not synced properly in 15 minutes.', RESUMED],
          jira: ['This case has not synced properly in 15 minutes.', RESUMED],
        });
      }
    });
  });

  it('ignores resolved pairs', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 0 });
    await setMapping(deps, pair.mappingId, { resolvedAt: deps.clock.now() });
    deps.clock.advance(DAY);

    expect((await detectOutages(deps)).outages).toBe(0);
    expect(notices(deps, pair)).toEqual({ google: [], jira: [] });
  });
});
