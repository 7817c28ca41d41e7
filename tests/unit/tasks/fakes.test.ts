// The fakes the use-case tests rely on behave like the services they stand for.
import { NotFoundError, SyncError, TooLargeError } from '../../../src/domain/errors';
import { FakeClock, MINUTE } from '../../support/fake-clock';
import { FakeCrm } from '../../support/fake-crm';
import { FakeSupportCases } from '../../support/fake-support-cases';
import { instrument } from '../../support/instrument';
import { RecordingTaskQueue } from '../../support/recording-queue';
import { readAll, readableOf } from '../../support/streams';

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

  it('refuses a comment over 12,800 characters like Google (permanent 400) and 404s as null or NotFoundError', async () => {
    const google = new FakeSupportCases(new FakeClock());
    const c = google.person.createCase();
    await expect(google.addComment(c.name, 'x'.repeat(12801))).rejects.toMatchObject({
      kind: 'permanent',
      status: 400,
    });
    await expect(google.addComment(c.name, 'x'.repeat(12800))).resolves.toBeDefined();
    expect(await google.get('organizations/1/cases/999')).toBeNull();
    await expect(google.listComments('organizations/1/cases/999')).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('pages its search and honours update_time >', async () => {
    const clock = new FakeClock();
    const google = new FakeSupportCases(clock, { pageSize: 2 });
    const old = google.person.createCase();
    clock.advance(MINUTE);
    const since = clock.now();
    const fresh = [1, 2, 3].map(() => google.person.createCase({ createTime: clock.advance(1) }));
    const names: string[] = [];
    let token: string | undefined;
    do {
      const page = await google.searchUpdated('organizations/1', since, token);
      names.push(...page.items.map((c) => c.name));
      token = page.nextPageToken;
    } while (token);
    expect(names.sort()).toEqual(fresh.map((c) => c.name).sort());
    expect(names).not.toContain(old.name);
  });

  it('streams attachments both ways byte for byte', async () => {
    const google = new FakeSupportCases(new FakeClock());
    const c = google.person.createCase();
    const bytes = Buffer.alloc(200_000, 7);
    const up = await google.upload(c.name, {
      filename: 'a.bin',
      mimeType: 'application/octet-stream',
      sizeBytes: bytes.length,
      content: readableOf(bytes),
    });
    expect(up.author.isConnector).toBe(true);
    expect((await readAll(await google.download(c.name, up.id))).equals(bytes)).toBe(true);
  });
});

describe('FakeCrm', () => {
  it('stores mirrorOf and visibility, and the connector as author', async () => {
    const crm = new FakeCrm(new FakeClock());
    const t = crm.person.createTicket();
    const c = await crm.addComment(t.id, 'hello', { visibility: 'internal', mirrorOf: 'google:3' });
    expect(crm.comments(t.id)).toEqual([
      expect.objectContaining({
        id: c.id,
        isPublic: false,
        mirrorOf: 'google:3',
        author: expect.objectContaining({ isConnector: true }),
      }),
    ]);
  });

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

  it('refuses an upload over the limit with TooLargeError, and get of a deleted ticket is null', async () => {
    const crm = new FakeCrm(new FakeClock(), { uploadLimitBytes: 100 });
    const t = crm.person.createTicket();
    const bytes = Buffer.alloc(101);
    await expect(
      crm.upload(t.id, {
        filename: 'f',
        mimeType: 'x/y',
        sizeBytes: 50,
        content: readableOf(bytes),
      }),
    ).rejects.toBeInstanceOf(TooLargeError);
    expect(crm.attachments(t.id)).toHaveLength(0);
    crm.person.deleteTicket(t.id);
    expect(await crm.get(t.id)).toBeNull();
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
