// DRY_RUN=true (README "Dry run"): polls and plans as usual, writes nothing to either side,
// says each write once (`would …`, ids only) and records it as a `dry-run` item; turning it
// off then writes everything once, for real.
import type { MirroredItem } from '../../../src/domain/mapping';
import { detectOutages } from '../../../src/tasks/detect-outages';
import { HOUR, MINUTE } from '../../support/fake-clock';
import {
  cycle,
  linkedFromGoogle,
  makeDeps,
  mappingOf,
  type TestDeps,
} from '../../support/task-deps';

/** What both fakes hold: any write of the connector changes it. */
function world(deps: TestDeps): string {
  return JSON.stringify({ cases: deps.support.allCases(), tickets: deps.crm.allTickets() });
}

/** The `would …` lines as `message side itemId`. */
function said(deps: TestDeps): string[] {
  return deps.log.lines
    .filter((l) => l.message.startsWith('would '))
    .map((l) => `${l.message} ${String(l.fields.side)} ${String(l.fields.itemId)}`);
}

function live(deps: TestDeps): TestDeps {
  return { ...deps, settings: { ...deps.settings, dryRun: false } };
}

function dryRunRecords(items: readonly MirroredItem[]): string[] {
  return items.filter((r) => r.kind === 'dry-run').map((r) => `${r.sourceSide} ${r.sourceId}`);
}

describe('DRY_RUN', () => {
  it('new pairs on both sides: adopted, never created, each creation said once', async () => {
    const deps = makeDeps({ settings: { dryRun: true } });
    const gcase = deps.support.person.createCase({ priority: 1 });
    deps.support.person.addComment(gcase.name, 'Which instance is affected?');
    const ticket = deps.crm.person.createTicket({ summary: 'BigQuery quota exceeded' });
    deps.crm.person.addComment(ticket.id, 'Job ids attached next.');
    const before = world(deps);

    for (let i = 0; i < 4; i += 1) {
      await cycle(deps);
      deps.clock.advance(MINUTE);
    }

    expect(world(deps)).toBe(before);
    expect(said(deps).sort()).toEqual([
      'would create Google case google case',
      'would create ticket company ticket',
    ]);
    for (const l of deps.log.lines.filter((x) => x.message.startsWith('would ')))
      expect(l).toMatchObject({ level: 'info', fields: { task: 'sync', dryRun: true } });
    // The status page lists the same actions, once each, among the recent task runs.
    const runs = (await deps.memory.listTaskRuns(200)).filter((r) => r.task === 'dry-run');
    expect(runs.map((r) => `${r.ref} ${r.reason}`).sort()).toEqual([
      `${ticket.id} would create-case on google`,
      `${gcase.name} would create-ticket on company`,
    ]);
    const fromGoogle = await deps.memory.findByGoogleCase(gcase.name);
    const fromJira = await deps.memory.findByCompanyCase(ticket.id);
    expect(fromGoogle?.companyCaseID).toBeNull();
    expect(fromJira?.googleCaseName).toBeNull();
    expect(fromGoogle?.counterpartCreationStartedAt).toBeNull();
    expect(dryRunRecords(await deps.memory.listMirroredItems(fromGoogle?.id ?? ''))).toEqual([
      'company create-ticket:ticket',
    ]);
    expect((await deps.memory.getGlobal()).google_last_polled_at).not.toBeNull();

    // Going live: the same store, the next minute's polls (still within their windows).
    const real = live(deps);
    await cycle(real);
    await cycle(real);
    expect(deps.crm.allTickets()).toHaveLength(2);
    expect(deps.support.allCases()).toHaveLength(2);
    const mirrored = deps.crm.comments(deps.crm.allTickets()[1]?.id ?? '');
    expect(mirrored.map((c) => c.body)).toEqual([
      expect.stringMatching(/^\[Google Comment .+\]\nWhich instance is affected\?$/),
    ]);
    const onGoogle = deps.support.comments(
      (await deps.memory.findByCompanyCase(ticket.id))?.googleCaseName ?? '',
    );
    expect(onGoogle.map((c) => c.body)).toEqual([
      expect.stringMatching(/^This case is now syncing with Company Case: /),
      expect.stringMatching(/^\[Company Comment .+\]\nJob ids attached next\.$/),
    ]);
    const settled = world(deps);
    await cycle(real);
    expect(world(deps)).toBe(settled);
  });

  it('a linked pair: comments, attachments, priority and closure said once each, then written once', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 2 });
    await cycle(deps);
    const dry: TestDeps = { ...deps, settings: { ...deps.settings, dryRun: true } };
    deps.clock.advance(MINUTE);
    deps.support.person.addComment(pair.caseName, 'Please send the serial console output.');
    deps.crm.person.addComment(pair.ticketId, 'Console output attached.');
    deps.crm.person.addAttachment(pair.ticketId, { filename: 'console.log', content: 'boot…' });
    deps.support.person.setPriority(pair.caseName, 1);
    const before = world(deps);
    const mappingBefore = await mappingOf(deps, pair.mappingId);

    for (let i = 0; i < 5; i += 1) {
      deps.clock.advance(MINUTE);
      await cycle(dry);
    }
    deps.support.person.close(pair.caseName);
    const closedBefore = world(deps);
    for (let i = 0; i < 3; i += 1) {
      deps.clock.advance(MINUTE);
      await cycle(dry);
    }

    expect(closedBefore).not.toBe(before);
    expect(world(deps)).toBe(closedBefore);
    const g = deps.support.comments(pair.caseName).find((c) => !c.author.isConnector);
    const c = deps.crm.comments(pair.ticketId)[0];
    const att = deps.crm.attachments(pair.ticketId)[0];
    expect(said(deps).sort()).toEqual(
      [
        `would mirror attachment google ${att?.id}`,
        `would mirror comment company ${g?.id}`,
        `would mirror comment google ${c?.id}`,
        'would set priority company P1',
        'would close company closed',
      ].sort(),
    );
    // Nothing of the cases' texts or file names in the log.
    expect(deps.log.text()).not.toContain('console.log');
    expect(deps.log.text()).not.toContain('serial console');
    // The mapping is kept as it was: sync times, agreed priority, not resolved.
    const kept = await mappingOf(deps, pair.mappingId);
    expect(kept.priority).toBe(mappingBefore.priority);
    expect(kept.resolvedAt).toBeNull();
    expect(kept.googleUpdatesSyncedAt).toEqual(mappingBefore.googleUpdatesSyncedAt);
    // The records a status page lists: one per said action.
    expect(dryRunRecords(await deps.memory.listMirroredItems(pair.mappingId))).toHaveLength(5);

    // Going live: everything once, for real; nothing said again.
    const saidInDryRun = said(deps);
    deps.clock.advance(MINUTE);
    await cycle(deps);
    await cycle(deps);
    expect(said(deps)).toEqual(saidInDryRun);
    const ticket = deps.crm.ticket(pair.ticketId);
    expect(ticket.closed).toBe(true);
    expect(ticket.priority).toBe(1);
    expect(deps.crm.comments(pair.ticketId).filter((x) => x.mirrorOf)).toHaveLength(1);
    expect(
      deps.support.comments(pair.caseName).filter((x) => x.body.startsWith('[Company Comment')),
    ).toHaveLength(1);
    expect(deps.support.attachments(pair.caseName)).toHaveLength(1);
    expect((await mappingOf(deps, pair.mappingId)).resolvedAt).not.toBeNull();
  });

  it('outage detection says a pending pair`s notice once per outage, not every 5 minutes', async () => {
    const deps = makeDeps({ settings: { dryRun: true } });
    const gcase = deps.support.person.createCase({ priority: 0 });
    const before = world(deps);
    await cycle(deps);

    let outages = 0;
    for (let t = 0; t < 3 * HOUR; t += 5 * MINUTE) {
      deps.clock.advance(5 * MINUTE);
      await cycle(deps);
      const r = await detectOutages(deps);
      outages = r.outages;
      expect(r.notices).toBe(0);
    }

    expect(outages).toBe(1);
    expect(world(deps)).toBe(before);
    const m = await deps.memory.findByGoogleCase(gcase.name);
    expect(said(deps)).toEqual([
      'would create ticket company ticket',
      `would post outage notice google ${m?.newContentAt.getTime()}`,
    ]);
    expect(m).toMatchObject({ outageDetectedAt: null, outageCommentSentToGoogle: false });

    // Going live hours later: rewind the poll cursors (README), then everything happens once.
    const real = live(deps);
    const global = await deps.memory.getGlobal();
    await deps.memory.saveGlobal(
      { google_last_polled_at: null, company_last_polled_at: null },
      global.version,
    );
    await cycle(real);
    await cycle(real);
    expect(deps.crm.allTickets()).toHaveLength(1);
    expect((await detectOutages(real)).outages).toBe(0);
    expect(deps.support.comments(gcase.name).map((c) => c.body)).toEqual([
      expect.stringMatching(/^This case is now syncing with Company Case: /),
    ]);
  });
});
