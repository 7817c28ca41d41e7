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

  it('ignores recently added pairs (not linked yet, or never synced)', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase({ priority: 0 });
    const longAgo = deps.clock.ago(DAY);
    await deps.memory.insert({
      googleCaseName: gcase.name,
      companyCaseID: null,
      companyCaseKey: null,
      newContentAt: longAgo,
      resolvedAt: null,
      companyUpdatesSyncedAt: longAgo,
      googleUpdatesSyncedAt: null,
      outageCommentSentToGoogle: false,
      outageCommentSentToCompany: false,
      priority: 0,
      origin: 'google',
      googlePendingSince: longAgo,
      companyPendingSince: null,
      counterpartCreationStartedAt: null,
    });
    const ticket = deps.crm.person.createTicket({ priority: 0 });
    await deps.memory.insert({
      googleCaseName: 'organizations/1/cases/777',
      companyCaseID: ticket.id,
      companyCaseKey: ticket.key,
      newContentAt: longAgo,
      resolvedAt: null,
      companyUpdatesSyncedAt: null,
      googleUpdatesSyncedAt: longAgo,
      outageCommentSentToGoogle: false,
      outageCommentSentToCompany: false,
      priority: 0,
      origin: 'company',
      googlePendingSince: null,
      companyPendingSince: longAgo,
      counterpartCreationStartedAt: null,
    });

    const result = await detectOutages(deps);

    expect(result.outages).toBe(0);
    expect(deps.support.comments(gcase.name)).toHaveLength(0);
    expect(deps.crm.comments(ticket.id)).toHaveLength(0);
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

  it('ignores resolved pairs', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 0 });
    await setMapping(deps, pair.mappingId, { resolvedAt: deps.clock.now() });
    deps.clock.advance(DAY);

    expect((await detectOutages(deps)).outages).toBe(0);
    expect(notices(deps, pair)).toEqual({ google: [], jira: [] });
  });
});
