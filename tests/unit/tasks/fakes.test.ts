// What only the fakes do (search lag, fault switches, writes at a standing clock); how they
// behave like the services is the Crm and SupportCases contracts (tests/contract/).
import { SyncError } from '../../../src/domain/errors';
import { FakeClock, MINUTE } from '../../support/fake-clock';
import { FakeCrm } from '../../support/fake-crm';
import { FakeSupportCases } from '../../support/fake-support-cases';
import { instrument } from '../../support/instrument';
import { RecordingTaskQueue } from '../../support/recording-queue';

describe('FakeSupportCases', () => {
  it('lists comments oldest first, filtered by since, and bumps updateTime strictly on every write', async () => {
    const clock = new FakeClock();
    const google = new FakeSupportCases(clock);
    const c = google.person.createCase();
    const first = google.person.addComment(c.name, 'one');
    clock.advance(MINUTE);
    const second = await google.addComment(c.name, 'two');
    const third = google.person.addComment(c.name, 'three', { googleSupport: false });
    expect((await google.listComments(c.name)).map((x) => x.body)).toEqual(['one', 'two', 'three']);
    expect((await google.listComments(c.name, first.createTime)).map((x) => x.id)).toEqual([
      second.id,
      third.id,
    ]);
    expect(Number(second.id)).toBeGreaterThan(Number(first.id));
    expect(second.author).toEqual(
      expect.objectContaining({ isConnector: true, isGoogleSupport: false }),
    );
    expect(first.author.isGoogleSupport).toBe(true);
    expect(third.author).toEqual(
      expect.objectContaining({ isConnector: false, isGoogleSupport: false }),
    );
    // Two writes at the same instant: the second still moves updateTime forward.
    const before = (await google.get(c.name))?.updateTime.getTime() ?? 0;
    await google.setPriority(c.name, 1);
    expect((await google.get(c.name))?.updateTime.getTime()).toBeGreaterThan(before);
  });
});

describe('FakeCrm', () => {
  it('hides new tickets from search for searchLagMs', async () => {
    const clock = new FakeClock();
    const crm = new FakeCrm(clock, { searchLagMs: 30_000 });
    await crm.create({
      summary: 's',
      description: 'd',
      priority: 2,
      googleCaseName: 'organizations/1/cases/5',
    });
    expect(await crm.findByGoogleCase('organizations/1/cases/5')).toBeNull();
    expect((await crm.searchUpdated(clock.ago(MINUTE))).items).toHaveLength(0);
    clock.advance(30_000);
    expect(await crm.findByGoogleCase('organizations/1/cases/5')).not.toBeNull();
    expect((await crm.searchUpdated(clock.ago(MINUTE))).items).toHaveLength(1);
  });

  it('fails on demand, before or after the write', async () => {
    const crm = new FakeCrm(new FakeClock());
    const t = crm.person.createTicket();
    crm.failNext('addComment', new SyncError('retry', 'boom'), { after: true });
    await expect(crm.addComment(t.id, 'x', { visibility: 'public' })).rejects.toThrow('boom');
    expect(crm.comments(t.id)).toHaveLength(1);
    crm.failNext('addComment', new SyncError('retry', 'boom'));
    await expect(crm.addComment(t.id, 'y', { visibility: 'public' })).rejects.toThrow('boom');
    expect(crm.comments(t.id)).toHaveLength(1);
  });
});

describe('RecordingTaskQueue and instrument()', () => {
  it('drops an enqueue whose dedupKey was seen', async () => {
    const q = new RecordingTaskQueue(new FakeClock());
    await q.enqueue({ kind: 'sync-company-case', caseId: '1' }, { dedupKey: 'k' });
    await q.enqueue({ kind: 'sync-company-case', caseId: '1' }, { dedupKey: 'k' });
    await q.enqueue({ kind: 'sync-company-case', caseId: '1' });
    expect(q.tasks).toHaveLength(2);
    expect(q.duplicates).toHaveLength(1);
  });

  it('counts calls and injects faults without changing the wrapped object', async () => {
    const crm = new FakeCrm(new FakeClock());
    const probe = instrument(crm);
    const t = crm.person.createTicket();
    await probe.api.get(t.id);
    probe.failNext('get', new Error('x'));
    await expect(probe.api.get(t.id)).rejects.toThrow('x');
    expect(probe.count('get')).toBe(2);
    expect(await crm.get(t.id)).not.toBeNull();
  });
});
