// DRY_RUN=true end to end, once per CRM: the real adapters over HTTP on both simulators,
// seeded like `npm run sandbox -- --crm NAME`. Hours of polls, syncs and outage detection
// write nothing to either simulator and say each would-be action once; a connector with
// DRY_RUN off on the same store then mirrors everything for real, once. Connector and
// simulators share the world's clock (crm-worlds.ts), which the test moves forward.
import { MemoryMappingStore } from '../../src/adapters/local/memory-mapping-store';
import { GOOGLE_WRITE_ROUTES, startGoogleSimulator } from '../../src/sandbox/google';
import type { GoogleSimulator } from '../../src/sandbox/google';
import type { RunningConnector } from '../../src/server';
import { CRMS, type StartedDesk } from '../support/crm-worlds';
import { cronOn, leakedInto, peopleTexts, PARENT, startConnector } from '../support/e2e-harness';

const MINUTE = 60_000;

let google: GoogleSimulator | undefined;
let desk: StartedDesk | undefined;
let connector: RunningConnector | undefined;
afterEach(async () => {
  await connector?.close();
  await Promise.all([google?.close(), desk?.close()]);
  connector = google = desk = undefined;
});

/** Everything both simulators hold (cases, tickets, their comments and attachments). */
function held(g: GoogleSimulator, d: StartedDesk): string {
  return JSON.stringify({
    cases: g.listCases().map((c) => g.getCase(c.name)),
    tickets: d.driver.listTickets(),
  });
}

function googleWrites(g: GoogleSimulator): number {
  const byRoute = g.stats().byRoute;
  return [...GOOGLE_WRITE_ROUTES].reduce((n, r) => n + (byRoute[r] ?? 0), 0);
}

describe.each(CRMS.map((world) => [world.label, world] as const))(
  'DRY_RUN end to end (%s)',
  (_name, world) => {
    test('the sandbox`s seeded cases: nothing written for hours, each action said once; then live, once', async () => {
      const d = (desk = await world.start());
      const g = (google = await startGoogleSimulator({ now: d.clock.now }));
      const seeded = d.seedSandbox(g, PARENT);
      const before = held(g, d);
      const deskWritesBefore = d.driver.writeCount();
      g.resetStats();
      const store = new MemoryMappingStore();
      const logs: Record<string, unknown>[] = [];
      connector = await startConnector(g, d, logs, { store, env: { DRY_RUN: 'true' } });
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
        d.clock.advance(5 * MINUTE);
      }

      expect(held(g, d)).toBe(before);
      expect(googleWrites(g)).toBe(0);
      expect(d.driver.writeCount() - deskWritesBefore).toBe(0);
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
      expect(leakedInto(logs, peopleTexts(g, d))).toEqual([]);
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
      connector = await startConnector(g, d, liveLogs, { store });
      const l = connector;
      const liveRound = async () => {
        d.clock.advance(MINUTE);
        expect((await cronOn(l, '/tasks/poll-google')).status).toBe(200);
        expect((await cronOn(l, '/tasks/poll-company')).status).toBe(200);
        await l.localQueue?.idle();
      };
      for (let i = 0; i < 3; i += 1) await liveRound();
      expect((await cronOn(l, '/tasks/detect-outages')).status).toBe(200);

      expect(g.listCases()).toHaveLength(2);
      expect(d.driver.listTickets()).toHaveLength(2);
      const fromGoogle = await store.findByGoogleCase(seeded.caseName);
      const ticket = d.driver.getTicket(fromGoogle?.companyCaseKey ?? '')!;
      expect(ticket.comments.map((x) => x.body)).toEqual([
        expect.stringMatching(/^\[Google Comment .+\]\nHello, I am looking into it\./),
      ]);
      const fromDesk = await store.findByCompanyCase(d.driver.getTicket(seeded.ticketKey)!.id);
      const gcase = g.getCase(fromDesk?.googleCaseName ?? '');
      expect(gcase.comments.map((x) => x.body)).toEqual([
        `This case is now syncing with Company Case: ${seeded.ticketKey}`,
        expect.stringMatching(/^\[Company Comment .+\]\nJob ids are attached/),
      ]);
      expect(
        g.getCase(seeded.caseName).comments.filter((x) => x.body.startsWith('This case is now')),
      ).toHaveLength(1);
      const settled = held(g, d);
      await liveRound();
      expect(held(g, d)).toBe(settled);
      expect(liveLogs.filter((x) => String(x.message).startsWith('would '))).toEqual([]);
    });
  },
);
