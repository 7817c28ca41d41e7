// Pausing a pair from the status page: polls do not enqueue it, the outage detector
// ignores it, its sync tasks answer skipped: paused; resuming queues both syncs, which
// catch up on what changed meanwhile. A failed sync leaves its error class on the pair.
import { ConflictError, SyncError } from '../../../src/domain/errors';
import {
  applyAdminAction,
  recordSyncFailure,
  syncCompanyCaseUnlessPaused,
  syncGoogleCaseUnlessPaused,
  taskRunOf,
} from '../../../src/tasks/admin-actions';
import { detectOutages } from '../../../src/tasks/detect-outages';
import { pollGoogle } from '../../../src/tasks/poll';
import { DAY } from '../../support/fake-clock';
import { linkedFromGoogle, makeDeps, runQueued } from '../../support/task-deps';

describe('pause and resume', () => {
  it('a paused pair is skipped by the polls, the outage detector and its syncs', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    await runQueued(deps);
    expect((await applyAdminAction(deps, 'pause', pair.mappingId, 'ops@example.com')).ok).toBe(
      true,
    );

    deps.support.person.addComment(pair.caseName, 'Any news?');
    deps.queue.tasks.splice(0);
    await pollGoogle(deps);
    expect(deps.queue.tasks).toEqual([]);
    expect(await syncGoogleCaseUnlessPaused(deps, pair.caseName)).toEqual({
      outcome: 'skipped',
      reason: 'paused',
    });
    expect(await syncCompanyCaseUnlessPaused(deps, pair.ticketId)).toEqual({
      outcome: 'skipped',
      reason: 'paused',
    });
    expect(deps.crm.comments(pair.ticketId).some((c) => c.body.includes('Any news?'))).toBe(false);

    deps.clock.advance(2 * DAY);
    const report = await detectOutages(deps);
    expect(report).toMatchObject({ outages: 0, notices: 0 });

    const resumed = await applyAdminAction(deps, 'resume', pair.mappingId, 'ops@example.com');
    expect(resumed).toMatchObject({ ok: true, enqueued: 2 });
    await runQueued(deps);
    expect(deps.crm.comments(pair.ticketId).some((c) => c.body.includes('Any news?'))).toBe(true);
    expect(deps.log.lines.filter((l) => l.message === 'admin action')).toHaveLength(2);
  });

  it('records the class and kind of a failed sync, never its message, and a good sync clears it', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    await recordSyncFailure(
      deps,
      { caseName: pair.caseName },
      new SyncError('retry', 'upstream said: secret case text'),
    );
    const failed = await deps.memory.get(pair.mappingId);
    expect(failed).toMatchObject({ lastError: 'SyncError/retry', lastErrorAt: deps.clock.now() });
    deps.support.person.addComment(pair.caseName, 'More logs.');
    await syncGoogleCaseUnlessPaused(deps, pair.caseName);
    expect(await deps.memory.get(pair.mappingId)).toMatchObject({
      lastError: null,
      lastErrorAt: null,
    });
  });
});

describe('task runs', () => {
  const at = new Date('2026-03-01T10:00:00Z');
  it('records what a run did or why it failed, and nothing for an idle run or a lost race', () => {
    expect(
      taskRunOf('poll-google', null, at, { outcome: { outcome: 'done', changed: 0 } }),
    ).toBeNull();
    expect(
      taskRunOf('sync-google-case', 'organizations/1/cases/2', at, {
        error: new ConflictError('pair is being synced by another worker'),
      }),
    ).toBeNull();
    expect(
      taskRunOf('poll-google', null, at, { outcome: { outcome: 'done', changed: 2, adopted: 1 } }),
    ).toEqual({
      task: 'poll-google',
      at,
      outcome: 'done',
      ref: null,
      reason: null,
      counts: { changed: 2, adopted: 1 },
    });
    expect(
      taskRunOf('sync-company-case', '10042', at, {
        error: new SyncError('rate-limited', 'Jira said: case text'),
      }),
    ).toEqual({
      task: 'sync-company-case',
      at,
      outcome: 'failed',
      ref: '10042',
      reason: 'SyncError/rate-limited',
      counts: {},
    });
  });
});
