// Sync tasks, priority and closure both ways (SPEC §4).
import { syncCompanyCase, syncGoogleCase } from '../../../src/tasks/sync-pair';
import { MINUTE, SECOND } from '../../support/fake-clock';
import {
  cycle,
  linkedFromGoogle,
  linkedFromJira,
  makeDeps,
  mappingOf,
} from '../../support/task-deps';

describe('sync: priority', () => {
  it('carries a Google priority change into Jira', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 2 });
    deps.clock.advance(MINUTE);
    deps.support.person.setPriority(pair.caseName, 0);

    await cycle(deps);

    expect(deps.crm.ticket(pair.ticketId).priority).toBe(0);
    expect((await mappingOf(deps, pair.mappingId)).priority).toBe(0);
  });

  it('carries a Jira priority change into Google', async () => {
    const deps = makeDeps();
    const pair = await linkedFromJira(deps, { priority: 2 });
    deps.clock.advance(MINUTE);
    deps.crm.person.setPriority(pair.ticketId, 4);

    await cycle(deps);

    expect(deps.support.caseOf(pair.caseName).priority).toBe(4);
    expect((await mappingOf(deps, pair.mappingId)).priority).toBe(4);
  });

  it('lets the newest change win when both sides changed (Jira last)', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 2 });
    deps.clock.advance(MINUTE);
    deps.support.person.setPriority(pair.caseName, 1);
    deps.clock.advance(10 * SECOND);
    deps.crm.person.setPriority(pair.ticketId, 3);

    await syncGoogleCase(deps, pair.caseName);

    expect(deps.support.caseOf(pair.caseName).priority).toBe(3);
    expect(deps.crm.ticket(pair.ticketId).priority).toBe(3);
    expect((await mappingOf(deps, pair.mappingId)).priority).toBe(3);
  });

  it('lets the newest change win when both sides changed (Google last)', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 2 });
    deps.clock.advance(MINUTE);
    deps.crm.person.setPriority(pair.ticketId, 3);
    deps.clock.advance(10 * SECOND);
    deps.support.person.setPriority(pair.caseName, 1);

    await syncCompanyCase(deps, pair.ticketId);

    expect(deps.support.caseOf(pair.caseName).priority).toBe(1);
    expect(deps.crm.ticket(pair.ticketId).priority).toBe(1);
  });

  it('does not overwrite Jira when Google reports an unknown priority', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 1 });
    deps.clock.advance(MINUTE);
    deps.support.person.setPriority(pair.caseName, null);

    await cycle(deps);
    await syncGoogleCase(deps, pair.caseName);

    expect(deps.crm.ticket(pair.ticketId).priority).toBe(1);
    expect((await mappingOf(deps, pair.mappingId)).priority).toBe(1);
    expect(deps.support.caseOf(pair.caseName).priority).toBeNull();
  });

  it('still carries a Jira change into Google while Google reports an unknown priority', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps, { priority: 1 });
    deps.support.person.setPriority(pair.caseName, null);
    deps.clock.advance(MINUTE);
    deps.crm.person.setPriority(pair.ticketId, 0);

    await syncCompanyCase(deps, pair.ticketId);

    expect(deps.support.caseOf(pair.caseName).priority).toBe(0);
  });
});

describe('sync: closure', () => {
  it('closes the Jira ticket when the Google case closes, and resolves the pair at the case update time', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    deps.clock.advance(MINUTE);
    deps.support.person.addComment(pair.caseName, 'Fixed on our side, closing.');
    deps.support.person.close(pair.caseName);
    const closedAt = deps.support.caseOf(pair.caseName).updateTime;
    deps.clock.advance(MINUTE);

    await cycle(deps);

    expect(deps.crm.ticket(pair.ticketId).closed).toBe(true);
    // The closing comment arrived before the ticket closed.
    expect(deps.crm.comments(pair.ticketId).map((c) => c.body)).toEqual([
      expect.stringContaining('Fixed on our side, closing.'),
    ]);
    expect((await mappingOf(deps, pair.mappingId)).resolvedAt).toEqual(closedAt);
    // Resolved pairs are left alone afterwards.
    deps.clock.advance(MINUTE);
    await cycle(deps);
    expect(deps.crm.ticket(pair.ticketId).closed).toBe(true);
  });

  it('closes the Google case when the Jira ticket closes, and resolves the pair', async () => {
    const deps = makeDeps();
    const pair = await linkedFromJira(deps);
    deps.clock.advance(MINUTE);
    deps.crm.person.close(pair.ticketId);
    const closedAt = deps.crm.ticket(pair.ticketId).updateTime;

    await cycle(deps);

    expect(deps.support.caseOf(pair.caseName).closed).toBe(true);
    expect((await mappingOf(deps, pair.mappingId)).resolvedAt).toEqual(closedAt);
  });

  it('resolves a pair closed on both sides without writing to either', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    deps.clock.advance(MINUTE);
    deps.support.person.close(pair.caseName);
    deps.crm.person.close(pair.ticketId);

    await syncGoogleCase(deps, pair.caseName);

    expect((await mappingOf(deps, pair.mappingId)).resolvedAt).not.toBeNull();
  });
});
