// Sync tasks write nothing when nothing changed, and mirror nothing twice: not on a retry,
// not when the same task runs several times at once (SPEC §4, §5).
import { ConflictError, SyncError } from '../../../src/domain/errors';
import type { Crm } from '../../../src/ports/crm';
import type { SupportCases } from '../../../src/ports/support-cases';
import { syncCompanyCase, syncGoogleCase } from '../../../src/tasks/sync-pair';
import { MINUTE } from '../../support/fake-clock';
import { CRM_WRITES, GOOGLE_WRITES, instrument, STORE_WRITES } from '../../support/instrument';
import {
  cycle,
  linkedFromGoogle,
  linkedFromJira,
  makeDeps,
  type TestDeps,
} from '../../support/task-deps';

function settled(results: PromiseSettledResult<unknown>[]) {
  return {
    done: results.filter((r) => r.status === 'fulfilled').length,
    conflicts: results.filter((r) => r.status === 'rejected' && r.reason instanceof ConflictError)
      .length,
    other: results.filter((r) => r.status === 'rejected' && !(r.reason instanceof ConflictError)),
  };
}

describe('sync: idempotence', () => {
  it('a re-sync of an unchanged pair writes nothing, upstream or in the store', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    deps.support.person.addComment(pair.caseName, 'g');
    deps.crm.person.addComment(pair.ticketId, 'j');
    deps.support.person.addAttachment(pair.caseName, { filename: 'a', content: 'aaa' });
    deps.clock.advance(MINUTE);
    await cycle(deps);
    deps.clock.advance(MINUTE);
    await cycle(deps);

    const google = instrument<SupportCases>(deps.support);
    const crm = instrument<Crm>(deps.crm);
    deps.storeProbe.reset();
    const counted = { ...deps, support: google.api, crm: crm.api } as TestDeps;
    deps.clock.advance(MINUTE);
    await syncGoogleCase(counted, pair.caseName);
    await syncCompanyCase(counted, pair.ticketId);

    expect(google.count(GOOGLE_WRITES)).toBe(0);
    expect(crm.count(CRM_WRITES)).toBe(0);
    expect(deps.storeProbe.count(STORE_WRITES)).toBe(0);
  });

  it('five concurrent deliveries of a new case create one ticket and one copy of each comment', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase();
    const g = deps.support.person.addComment(gcase.name, 'first words');

    const results = await Promise.allSettled(
      [1, 2, 3, 4, 5].map(() => syncGoogleCase(deps, gcase.name)),
    );

    const s = settled(results);
    expect(s.other).toEqual([]);
    expect(s.done).toBeGreaterThanOrEqual(1);
    expect(deps.crm.allTickets()).toHaveLength(1);
    const ticketId = deps.crm.allTickets()[0]?.id ?? '';
    expect(deps.crm.comments(ticketId).map((c) => c.mirrorOf)).toEqual([`google:${g.id}`]);
    expect(deps.support.comments(gcase.name).filter((c) => c.author.isConnector)).toHaveLength(1);
    // The queue retries the ones that lost the lease: still nothing twice.
    for (let i = 0; i < s.conflicts; i += 1) await syncGoogleCase(deps, gcase.name);
    expect(deps.crm.allTickets()).toHaveLength(1);
    expect(deps.crm.comments(ticketId)).toHaveLength(1);
  });

  it('five concurrent deliveries on a linked pair mirror each new comment once', async () => {
    const deps = makeDeps();
    const pair = await linkedFromJira(deps);
    const comments = [1, 2, 3].map((i) => deps.crm.person.addComment(pair.ticketId, `j${i}`));
    deps.support.person.addComment(pair.caseName, 'g1');

    const results = await Promise.allSettled([
      syncCompanyCase(deps, pair.ticketId),
      syncGoogleCase(deps, pair.caseName),
      syncCompanyCase(deps, pair.ticketId),
      syncGoogleCase(deps, pair.caseName),
      syncCompanyCase(deps, pair.ticketId),
    ]);
    expect(settled(results).other).toEqual([]);
    await syncCompanyCase(deps, pair.ticketId);

    const mirrored = deps.support
      .comments(pair.caseName)
      .filter((c) => c.body.startsWith('[Company Comment'));
    expect(mirrored.map((c) => c.body)).toEqual(
      comments.map((c) => `[Company Comment ${c.id} by Jira Agent]\nj${c.body.slice(1)}`),
    );
    expect(deps.crm.comments(pair.ticketId).filter((c) => c.mirrorOf)).toHaveLength(1);
  });

  it('a retried task after an upstream failure mirrors the remaining items once', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    const ids = [1, 2, 3, 4].map((i) => deps.support.person.addComment(pair.caseName, `g${i}`).id);
    // Jira fails on the third comment: the first two are written, the task fails.
    deps.crm.failNext('addComment', new SyncError('retry', 'jira 502', { status: 502 }), {
      when: (args) => String(args[1]).endsWith('\ng3'),
    });

    await expect(syncGoogleCase(deps, pair.caseName)).rejects.toThrow('jira 502');
    await syncGoogleCase(deps, pair.caseName);
    await syncGoogleCase(deps, pair.caseName);

    expect(deps.crm.comments(pair.ticketId).map((c) => c.mirrorOf)).toEqual(
      ids.map((id) => `google:${id}`),
    );
  });

  it('does not lose the remaining parts of a split comment when Google failed midway', async () => {
    const deps = makeDeps();
    const pair = await linkedFromJira(deps);
    const body = 'word '.repeat(6000); // 30,000 characters: 3 parts
    deps.crm.person.addComment(pair.ticketId, body);
    deps.support.failNext('addComment', new SyncError('retry', 'google 503', { status: 503 }), {
      when: (args) => String(args[1]).includes('(part 2/'),
    });

    await expect(syncCompanyCase(deps, pair.ticketId)).rejects.toThrow('google 503');
    await syncCompanyCase(deps, pair.ticketId);
    await syncCompanyCase(deps, pair.ticketId);

    const parts = deps.support
      .comments(pair.caseName)
      .filter((c) => c.body.startsWith('[Company Comment'));
    expect(parts.map((c) => /\(part (\d+\/\d+)\)/.exec(c.body)?.[1])).toEqual([
      '1/3',
      '2/3',
      '3/3',
    ]);
  });
});
