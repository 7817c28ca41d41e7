// Sync tasks, comments both ways (SPEC §3.4, §4): attributed, in creation order, once,
// never echoed back, split for Google's 12,800-character limit.
import { ReadOnlyTargetError, SyncError } from '../../../src/domain/errors';
import type { MirroredItem } from '../../../src/domain/mapping';
import { syncCompanyCase, syncGoogleCase } from '../../../src/tasks/sync-pair';
import { MINUTE, SECOND } from '../../support/fake-clock';
import {
  cycle,
  linkedFromGoogle,
  linkedFromJira,
  makeDeps,
  type TestDeps,
} from '../../support/task-deps';

const NOW_SYNCING = /^This case is now syncing with Company Case: /;

/** Google comments that are not the connector's "now syncing" notice. */
function googleBodies(deps: TestDeps, caseName: string): string[] {
  return deps.support
    .comments(caseName)
    .map((c) => c.body)
    .filter((b) => !NOW_SYNCING.test(b));
}

function jiraBodies(deps: TestDeps, ticketId: string): string[] {
  return deps.crm.comments(ticketId).map((c) => c.body);
}

describe('sync: comments', () => {
  it('mirrors Google comments into Jira in creation order, attributed, internal, marked', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    deps.clock.advance(MINUTE);
    const c1 = deps.support.person.addComment(pair.caseName, 'Please send logs.', { by: 'Ada' });
    deps.clock.advance(SECOND);
    const c2 = deps.support.person.addComment(pair.caseName, 'Also the serial console.', {
      by: 'Ada',
    });
    const c3 = deps.support.person.addComment(pair.caseName, 'Uploading now.', {
      by: 'Grace',
      googleSupport: false,
    });

    await syncGoogleCase(deps, pair.caseName);

    expect(deps.crm.comments(pair.ticketId)).toEqual([
      expect.objectContaining({
        body: `[Google Comment ${c1.id} by Ada]\nPlease send logs.`,
        isPublic: false,
        mirrorOf: `google:${c1.id}`,
      }),
      expect.objectContaining({
        body: `[Google Comment ${c2.id} by Ada]\nAlso the serial console.`,
        isPublic: false,
      }),
      expect.objectContaining({
        body: `[Google Comment ${c3.id} by Grace]\nUploading now.`,
        isPublic: false,
      }),
    ]);
  });

  it('writes mirrored Google comments as public replies when JIRA_GOOGLE_COMMENTS_VISIBILITY=public', async () => {
    const deps = makeDeps({ settings: { googleCommentsVisibility: 'public' } });
    const pair = await linkedFromGoogle(deps);
    deps.support.person.addComment(pair.caseName, 'Hello');

    await syncGoogleCase(deps, pair.caseName);

    expect(deps.crm.comments(pair.ticketId).map((c) => c.isPublic)).toEqual([true]);
  });

  it('mirrors Jira comments into Google in creation order, attributed', async () => {
    const deps = makeDeps();
    const pair = await linkedFromJira(deps);
    deps.clock.advance(MINUTE);
    const j1 = deps.crm.person.addComment(pair.ticketId, 'Customer says it started at 9:00.', {
      by: 'Linus',
    });
    deps.clock.advance(SECOND);
    const j2 = deps.crm.person.addComment(pair.ticketId, 'Internal: escalate if no answer.', {
      by: 'Linus',
      isPublic: false,
    });

    await syncCompanyCase(deps, pair.ticketId);

    expect(googleBodies(deps, pair.caseName)).toEqual([
      `[Company Comment ${j1.id} by Linus]\nCustomer says it started at 9:00.`,
      `[Company Comment ${j2.id} by Linus]\nInternal: escalate if no answer.`,
    ]);
  });

  it('skips internal Jira comments when JIRA_COMMENTS_TO_GOOGLE=public', async () => {
    const deps = makeDeps({ settings: { commentsToGoogle: 'public' } });
    const pair = await linkedFromJira(deps);
    const pub = deps.crm.person.addComment(pair.ticketId, 'public reply', { isPublic: true });
    deps.crm.person.addComment(pair.ticketId, 'internal note', { isPublic: false });

    await syncCompanyCase(deps, pair.ticketId);
    await syncCompanyCase(deps, pair.ticketId);

    expect(googleBodies(deps, pair.caseName)).toEqual([
      `[Company Comment ${pub.id} by Jira Agent]\npublic reply`,
    ]);
  });

  it('mirrors both ways once and never echoes, over many poll/sync cycles', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    const g1 = deps.support.person.addComment(pair.caseName, 'g1');
    const j1 = deps.crm.person.addComment(pair.ticketId, 'j1');
    deps.clock.advance(SECOND);
    const g2 = deps.support.person.addComment(pair.caseName, 'g2');
    const j2 = deps.crm.person.addComment(pair.ticketId, 'j2');

    for (let i = 0; i < 5; i += 1) {
      deps.clock.advance(MINUTE);
      await cycle(deps);
    }
    // A second sync mirrors nothing.
    await syncGoogleCase(deps, pair.caseName);
    await syncCompanyCase(deps, pair.ticketId);

    expect(jiraBodies(deps, pair.ticketId)).toEqual([
      'j1',
      'j2',
      `[Google Comment ${g1.id} by Google Support Engineer]\ng1`,
      `[Google Comment ${g2.id} by Google Support Engineer]\ng2`,
    ]);
    expect(googleBodies(deps, pair.caseName)).toEqual([
      'g1',
      'g2',
      `[Company Comment ${j1.id} by Jira Agent]\nj1`,
      `[Company Comment ${j2.id} by Jira Agent]\nj2`,
    ]);
    // The "now syncing" notice stayed on Google.
    expect(jiraBodies(deps, pair.ticketId).some((b) => b.includes('now syncing'))).toBe(false);
  });

  it("never mirrors the connector's own notices back", async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    // Notices the connector wrote (outage, resumed) on each side.
    await deps.support.addComment(
      pair.caseName,
      'This case has not synced properly in 12 minutes.',
    );
    await deps.crm.addComment(pair.ticketId, 'This case has not synced properly in 12 minutes.', {
      visibility: 'internal',
    });
    await deps.crm.addComment(pair.ticketId, 'Syncing has resumed.', { visibility: 'internal' });

    deps.clock.advance(MINUTE);
    await cycle(deps);

    expect(googleBodies(deps, pair.caseName)).toEqual([
      'This case has not synced properly in 12 minutes.',
    ]);
    expect(jiraBodies(deps, pair.ticketId)).toEqual([
      'This case has not synced properly in 12 minutes.',
      'Syncing has resumed.',
    ]);
  });

  it('does not duplicate a Google comment when the record was lost after the write', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    const g1 = deps.support.person.addComment(pair.caseName, 'logs attached');
    deps.storeProbe.failNext(
      'recordMirroredItem',
      new SyncError('retry', 'datastore unavailable'),
      {
        when: (args) => (args[0] as MirroredItem).kind === 'comment',
      },
    );

    await expect(syncGoogleCase(deps, pair.caseName)).rejects.toThrow('datastore unavailable');
    expect(jiraBodies(deps, pair.ticketId)).toHaveLength(1);

    await syncGoogleCase(deps, pair.caseName);
    await syncGoogleCase(deps, pair.caseName);

    expect(jiraBodies(deps, pair.ticketId)).toEqual([
      `[Google Comment ${g1.id} by Google Support Engineer]\nlogs attached`,
    ]);
    const records = await deps.memory.listMirroredItems(pair.mappingId);
    expect(records.filter((r) => r.kind === 'comment' && r.sourceId === g1.id)).toHaveLength(1);
  });

  it('does not duplicate a Jira comment when the record was lost after the write', async () => {
    const deps = makeDeps();
    const pair = await linkedFromJira(deps);
    const j1 = deps.crm.person.addComment(pair.ticketId, 'any news?');
    deps.storeProbe.failNext(
      'recordMirroredItem',
      new SyncError('retry', 'datastore unavailable'),
      {
        when: (args) => (args[0] as MirroredItem).kind === 'comment',
      },
    );

    await expect(syncCompanyCase(deps, pair.ticketId)).rejects.toThrow('datastore unavailable');
    await syncCompanyCase(deps, pair.ticketId);
    await syncCompanyCase(deps, pair.ticketId);

    expect(googleBodies(deps, pair.caseName)).toEqual([
      `[Company Comment ${j1.id} by Jira Agent]\nany news?`,
    ]);
  });

  it('drops a comment a read-only ticket refuses: logged, recorded, never retried; the rest still syncs', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    deps.clock.advance(MINUTE);
    const g = deps.support.person.addComment(pair.caseName, 'one more thing', { by: 'Ada' });
    deps.crm.faults.failNext('addComment', new ReadOnlyTargetError('ticket closed'));
    deps.crm.person.close(pair.ticketId);

    const outcome = await syncGoogleCase(deps, pair.caseName);

    expect(outcome).toMatchObject({ outcome: 'done', comments: 0, dropped: 1 });
    expect(deps.crm.faults.pending()).toBe(0);
    expect(jiraBodies(deps, pair.ticketId)).toEqual([]);
    // The ticket's closure still reached Google (it came after the dropped comment).
    expect(deps.support.caseOf(pair.caseName).closed).toBe(true);
    const records = await deps.memory.listMirroredItems(pair.mappingId);
    expect(records.filter((r) => r.kind === 'comment' && r.sourceId === g.id)).toEqual([
      expect.objectContaining({ targetIds: [] }),
    ]);
    expect(
      deps.log.lines.filter((l) => l.message === 'item dropped: the target is read-only'),
    ).toEqual([expect.objectContaining({ level: 'warn' })]);
  });

  it('never retries a dropped comment: the next sync (the ticket writable again) writes nothing', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    deps.clock.advance(MINUTE);
    deps.support.person.addComment(pair.caseName, 'one more thing', { by: 'Ada' });
    deps.crm.faults.failNext('addComment', new ReadOnlyTargetError('ticket closed'));
    await syncGoogleCase(deps, pair.caseName);

    deps.clock.advance(MINUTE);
    const again = await syncGoogleCase(deps, pair.caseName);

    expect(again).toMatchObject({ outcome: 'done', comments: 0 });
    expect(again).not.toHaveProperty('dropped');
    expect(jiraBodies(deps, pair.ticketId)).toEqual([]);
  });

  it('still mirrors a Google comment when a Jira user typed its header', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    const g = deps.support.person.addComment(pair.caseName, 'the real one', { by: 'Ada' });
    const typed = deps.crm.person.addComment(
      pair.ticketId,
      `[Google Comment ${g.id} by Ada]\nquoted by hand`,
    );

    await syncGoogleCase(deps, pair.caseName);

    expect(jiraBodies(deps, pair.ticketId)).toEqual([
      `[Google Comment ${g.id} by Ada]\nquoted by hand`,
      `[Google Comment ${g.id} by Ada]\nthe real one`,
    ]);
    // The Jira user's comment is a comment like any other: it reaches Google.
    expect(googleBodies(deps, pair.caseName)).toEqual([
      'the real one',
      `[Company Comment ${typed.id} by Jira Agent]\n[Google Comment ${g.id} by Ada]\nquoted by hand`,
    ]);
  });

  it('splits a Jira comment over 12,800 characters into numbered parts on Google', async () => {
    const deps = makeDeps();
    const pair = await linkedFromJira(deps);
    const paragraph = 'Stack trace line that goes on and on. '.repeat(20) + '\n\n';
    const body = paragraph.repeat(40); // ~30,000 characters
    const j = deps.crm.person.addComment(pair.ticketId, body, { by: 'Linus' });

    await syncCompanyCase(deps, pair.ticketId);
    await syncCompanyCase(deps, pair.ticketId);

    const parts = googleBodies(deps, pair.caseName);
    expect(parts.length).toBeGreaterThanOrEqual(3);
    const header = new RegExp(
      `^\\[Company Comment ${j.id} by Linus\\] \\(part (\\d+)/${parts.length}\\)\\n`,
    );
    let rebuilt = '';
    parts.forEach((p, i) => {
      expect(p.length).toBeLessThanOrEqual(12800);
      const m = header.exec(p);
      expect(m?.[1]).toBe(String(i + 1));
      rebuilt += p.slice(m?.[0].length ?? 0);
    });
    expect(rebuilt).toBe(body);
  });

  it('keeps the order of comments written while a sync ran late', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    const ids: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      deps.clock.advance(7 * SECOND);
      ids.push(deps.support.person.addComment(pair.caseName, `update ${i}`).id);
    }

    await syncGoogleCase(deps, pair.caseName);

    expect(deps.crm.comments(pair.ticketId).map((c) => c.mirrorOf)).toEqual(
      ids.map((id) => `google:${id}`),
    );
  });

  it('logs ids only: never comment bodies, descriptions or file names', async () => {
    const deps = makeDeps();
    const gcase = deps.support.person.createCase({
      displayName: 'SECRET-TITLE',
      description: 'SECRET-DESCRIPTION',
    });
    deps.support.person.addComment(gcase.name, 'SECRET-GOOGLE-BODY');
    deps.support.person.addAttachment(gcase.name, { filename: 'SECRET-FILE.txt', content: 'x' });
    await cycle(deps);
    const ticketId = deps.crm.allTickets()[0]?.id ?? '';
    deps.crm.person.addComment(ticketId, 'SECRET-JIRA-BODY');
    deps.clock.advance(MINUTE);
    await cycle(deps);

    expect(googleBodies(deps, gcase.name)).toHaveLength(2);
    expect(deps.log.lines.length).toBeGreaterThan(0);
    expect(deps.log.text()).not.toMatch(/SECRET/);
  });
});
