// DRY_RUN=true end to end: the real adapters over HTTP on both simulators, seeded like
// `npm run sandbox`. Hours of polls, syncs and outage detection write nothing to either
// simulator and say each would-be action once; a connector with DRY_RUN off on the same
// store then mirrors everything for real, once. Connector and simulators share a clock
// that the test moves forward.
import { MemoryMappingStore } from '../../src/adapters/local/memory-mapping-store';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';
import { seedSandbox } from '../../src/sandbox/seed';
import type { RunningConnector } from '../../src/server';
import { cronOn, leakedInto, peopleTexts, PARENT, startConnector } from '../support/e2e-harness';

const MINUTE = 60_000;

let google: GoogleSimulator | undefined;
let jira: JiraSimulator | undefined;
let connector: RunningConnector | undefined;
afterEach(async () => {
  await connector?.close();
  await Promise.all([google?.close(), jira?.close()]);
  connector = google = jira = undefined;
});

/** Everything both simulators hold (cases, tickets, their comments and attachments). */
function held(g: GoogleSimulator, j: JiraSimulator): string {
  return JSON.stringify({
    cases: g.listCases().map((c) => g.getCase(c.name)),
    issues: j.listIssues().map((i) => j.getIssue(i.key)),
  });
}

describe('DRY_RUN end to end', () => {
  test('the sandbox`s seeded cases: nothing written for hours, each action said once; then live, once', async () => {
    let offset = 0;
    const now = () => new Date(Date.now() + offset);
    google = await startGoogleSimulator({ now });
    jira = await startJiraSimulator({ now });
    const seeded = seedSandbox(google, jira, PARENT);
    const before = held(google, jira);
    const store = new MemoryMappingStore();
    const logs: Record<string, unknown>[] = [];
    connector = await startConnector(google, jira, logs, {
      store,
      clock: { now },
      env: { DRY_RUN: 'true' },
    });
    const c = connector;
    const round = async () => {
      expect((await cronOn(c, '/tasks/poll-google')).status).toBe(200);
      expect((await cronOn(c, '/tasks/poll-company')).status).toBe(200);
      await c.localQueue?.idle();
    };

    // Two hours: polls every 5 minutes (each re-syncs the pairs), outage detection too.
    const detected: number[] = [];
    for (let t = 0; t < 2 * 60 * MINUTE; t += 5 * MINUTE) {
      await round();
      detected.push((await cronOn(c, '/tasks/detect-outages')).status);
      offset += 5 * MINUTE;
    }

    expect(held(google, jira)).toBe(before);
    expect(logs.find((l) => l.message === 'connector listening')).toMatchObject({
      dryRun: true,
    });
    const said = logs
      .filter((l) => String(l.message).startsWith('would '))
      .map((l) => `${String(l.message)} ${String(l.side)}`);
    expect(said.sort()).toEqual([
      'would create Google case google',
      'would create ticket company',
      'would post outage notice company',
      'would post outage notice google',
    ]);
    for (const l of logs.filter((x) => String(x.message).startsWith('would ')))
      expect(l).toMatchObject({ severity: 'INFO', mappingId: expect.any(String) });
    // Unlinked pairs are outages (detect-outages says so: 500), never failing syncs.
    expect(detected.at(-1)).toBe(500);
    expect(logs.filter((l) => l.message === 'task failed')).toEqual([]);
    expect(leakedInto(logs, peopleTexts(google, jira, [jira.apiToken, google.token]))).toEqual([]);
    const mapped = await store.findByGoogleCase(seeded.caseName);
    expect(mapped?.companyCaseID).toBeNull();
    const records = await store.listMirroredItems(mapped?.id ?? '');
    expect(records.map((r) => `${r.kind} ${r.sourceId}`)).toEqual([
      'dry-run create-ticket:ticket',
      expect.stringMatching(/^dry-run outage-notice:\d+$/),
    ]);
    await c.close();
    connector = undefined;

    // Going live on the same store: rewind the poll cursors (README), then run as usual.
    const global = await store.getGlobal();
    await store.saveGlobal(
      { google_last_polled_at: null, company_last_polled_at: null },
      global.version,
    );
    const liveLogs: Record<string, unknown>[] = [];
    connector = await startConnector(google, jira, liveLogs, { store, clock: { now } });
    const l = connector;
    for (let i = 0; i < 3; i += 1) {
      offset += MINUTE;
      expect((await cronOn(l, '/tasks/poll-google')).status).toBe(200);
      expect((await cronOn(l, '/tasks/poll-company')).status).toBe(200);
      await l.localQueue?.idle();
    }
    expect((await cronOn(l, '/tasks/detect-outages')).status).toBe(200);

    expect(google.listCases()).toHaveLength(2);
    expect(jira.listIssues()).toHaveLength(2);
    const fromGoogle = await store.findByGoogleCase(seeded.caseName);
    const ticket = jira.getIssue(fromGoogle?.companyCaseKey ?? '')!;
    expect(ticket.comments.map((x) => x.bodyText)).toEqual([
      expect.stringMatching(/^\[Google Comment .+\]\nHello, I am looking into it\./),
    ]);
    const fromJira = await store.findByCompanyCase(jira.getIssue(seeded.issueKey)!.id);
    const gcase = google.getCase(fromJira?.googleCaseName ?? '');
    expect(gcase.comments.map((x) => x.body)).toEqual([
      `This case is now syncing with Company Case: ${seeded.issueKey}`,
      expect.stringMatching(/^\[Company Comment .+\]\nJob ids are attached/),
    ]);
    expect(
      google.getCase(seeded.caseName).comments.filter((x) => x.body.startsWith('This case is now')),
    ).toHaveLength(1);
    const settled = held(google, jira);
    offset += MINUTE;
    expect((await cronOn(l, '/tasks/poll-google')).status).toBe(200);
    expect((await cronOn(l, '/tasks/poll-company')).status).toBe(200);
    await l.localQueue?.idle();
    expect(held(google, jira)).toBe(settled);
    expect(liveLogs.filter((x) => String(x.message).startsWith('would '))).toEqual([]);
  });
});
