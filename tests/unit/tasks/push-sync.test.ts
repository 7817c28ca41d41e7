// Pushed events only enqueue syncs, coalesced per ticket in the queue by task names: the
// first event of a window is synced at once, later ones by one trailing sync at the
// window's end, the rest collapse. Driven on the recording queue (which keeps names as
// Cloud Tasks does) and a fake clock.
import { enqueuePushedSync, RecentDeliveries } from '../../../src/tasks/push-sync';
import { FakeClock, SECOND, T0 } from '../../support/fake-clock';
import { RecordingTaskQueue } from '../../support/recording-queue';
import { TestLogger } from '../../support/test-logger';

const WINDOW = 10 * SECOND;

function setUp() {
  const clock = new FakeClock(T0); // T0 is on a window boundary
  const queue = new RecordingTaskQueue(clock);
  const log = new TestLogger();
  return { clock, queue, log, deps: { clock, queue, log } };
}

describe('enqueuePushedSync', () => {
  it('enqueues the leading sync of a ticket at once', async () => {
    const { deps, queue, log } = setUp();
    const r = await enqueuePushedSync(deps, 'jira', { side: 'company', caseId: '10042' }, WINDOW);
    expect(r).toMatchObject({ outcome: 'enqueued', edge: 'leading', task: 'sync-company-case' });
    expect(queue.tasks).toHaveLength(1);
    expect(queue.tasks[0]).toMatchObject({ task: { kind: 'sync-company-case', caseId: '10042' } });
    expect(queue.tasks[0]?.notBefore).toBeUndefined();
    expect(log.find('push enqueued')[0]?.fields).toMatchObject({
      source: 'jira',
      caseId: '10042',
      edge: 'leading',
    });
  });

  it('turns a storm of 100 events in a second into two syncs: one now, one at the window end', async () => {
    const { deps, queue, clock } = setUp();
    const edges: string[] = [];
    for (let i = 0; i < 100; i++) {
      edges.push(
        (await enqueuePushedSync(deps, 'jira', { side: 'company', caseId: '7' }, WINDOW)).edge,
      );
      clock.advance(10);
    }
    expect(edges[0]).toBe('leading');
    expect(edges[1]).toBe('trailing');
    expect(edges.slice(2).every((e) => e === 'coalesced')).toBe(true);
    expect(queue.tasks).toHaveLength(2);
    // The trailing sync starts after every event of its window.
    expect(queue.tasks[1]?.notBefore?.getTime()).toBe(T0.getTime() + WINDOW);
    expect(queue.duplicates.length).toBe(2 * 98 + 1);
  });

  it('coalesces per ticket and per side: another ticket or a Google case gets its own syncs', async () => {
    const { deps, queue } = setUp();
    await enqueuePushedSync(deps, 'jira', { side: 'company', caseId: '1' }, WINDOW);
    await enqueuePushedSync(deps, 'jira', { side: 'company', caseId: '2' }, WINDOW);
    await enqueuePushedSync(
      deps,
      'google',
      { side: 'google', caseName: 'organizations/1/cases/1' },
      WINDOW,
    );
    expect(queue.tasks.map((t) => t.task)).toEqual([
      { kind: 'sync-company-case', caseId: '1' },
      { kind: 'sync-company-case', caseId: '2' },
      { kind: 'sync-google-case', caseName: 'organizations/1/cases/1' },
    ]);
  });

  it('starts over in the next window: an event after the window is synced at once', async () => {
    const { deps, queue, clock } = setUp();
    await enqueuePushedSync(deps, 'zendesk', { side: 'company', caseId: '5' }, WINDOW);
    clock.advance(WINDOW);
    const r = await enqueuePushedSync(deps, 'zendesk', { side: 'company', caseId: '5' }, WINDOW);
    expect(r.edge).toBe('leading');
    expect(queue.tasks).toHaveLength(2);
    expect(queue.tasks[1]?.notBefore).toBeUndefined();
  });

  it('treats a queue that does not say duplicate as having queued the sync', async () => {
    const { clock, log } = setUp();
    const seen: unknown[] = [];
    const queue = { enqueue: async (t: unknown) => void seen.push(t) };
    const deps = { clock, log, queue };
    await enqueuePushedSync(deps, 'jira', { side: 'company', caseId: '9' }, WINDOW);
    await enqueuePushedSync(deps, 'jira', { side: 'company', caseId: '9' }, WINDOW);
    expect(seen).toHaveLength(2); // two leading enqueues: that queue collapses by name itself
  });
});

describe('RecentDeliveries', () => {
  it('remembers ids for its TTL and at most its bound, oldest forgotten first', () => {
    const recent = new RecentDeliveries(1000, 3);
    const t = (ms: number) => new Date(T0.getTime() + ms);
    recent.record('a', t(0));
    expect(recent.has('a', t(999))).toBe(true);
    expect(recent.has('a', t(1000))).toBe(false);
    recent.record('b', t(10));
    recent.record('c', t(20));
    recent.record('d', t(30));
    expect(recent.has('a', t(40))).toBe(false); // beyond the bound of 3
    expect(['b', 'c', 'd'].every((id) => recent.has(id, t(40)))).toBe(true);
  });
});
