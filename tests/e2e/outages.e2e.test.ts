// Outages end to end (issue 4 item 4), once per CRM: one side's API down for longer than
// the latency tolerance. The reachable side gets exactly one outage notice, detect-outages
// answers 500 while it lasts, and after recovery each side gets exactly one "Syncing has
// resumed.". The connector, both simulators and the local queue's timers share the world's
// clock (crm-worlds.ts), which the test moves forward; each minute ends with a quiet
// connector (nothing in flight, no retry due), so what detect-outages meets is fixed.
import { startHarness, PARENT, type DeskHarness } from '../support/e2e-harness';
import { CRMS } from '../support/crm-worlds';

const MINUTE = 60_000;
const OUTAGE = /^This case has not synced properly in .+\.$/;
const RESUMED = 'Syncing has resumed.';

let h: DeskHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const detect = async (w: DeskHarness) => (await w.cron('/tasks/detect-outages')).status;

/** One cron minute: the queue's retries that fall due, both polls, and what they queue. */
async function minute(w: DeskHarness): Promise<void> {
  w.advance(MINUTE);
  await w.settle();
  // While a side is down its poll answers 500 (the cron retries it next minute).
  await w.cron('/tasks/poll-google');
  await w.cron('/tasks/poll-company');
  await w.settle();
}

const googleTexts = (w: DeskHarness, name: string) =>
  w.google.getCase(name).comments.map((c) => c.body);
const deskTexts = (w: DeskHarness, key: string) =>
  w.desk.getTicket(key)!.comments.map((c) => c.body);

async function linkedPair(w: DeskHarness) {
  const c = w.google.createCase({
    parent: PARENT,
    displayName: 'outage drill',
    description: 'd',
    priority: 'P2',
  });
  await minute(w);
  await minute(w);
  const key = w.desk.listTickets()[0]!.key;
  expect(await detect(w)).toBe(200);
  return { name: c.name, key };
}

describe.each(CRMS.map((world) => [world.label, world] as const))(
  'outages (%s)',
  (_name, world) => {
    test.each(['crm', 'google'] as const)(
      '%s down past the tolerance: one notice on the other side, 500 meanwhile, one resume per side',
      async (down) => {
        const w = (h = await startHarness({ world, queueTime: 'world' }));
        const { name, key } = await linkedPair(w);
        const setDown = (d: boolean) => (down === 'crm' ? w.crm.setDown(d) : w.google.setDown(d));
        setDown(true);

        const statuses: number[] = [];
        for (let i = 1; i <= 20; i++) {
          await minute(w);
          if (i % 5 === 0) statuses.push(await detect(w));
        }
        // P2, fresh pair: tolerance 10 minutes; detect-outages runs every 5 minutes.
        expect(statuses).toEqual([200, 500, 500, 500]);
        const reachable = down === 'crm' ? googleTexts(w, name) : deskTexts(w, key);
        expect(reachable.filter((t) => OUTAGE.test(t))).toHaveLength(1);

        setDown(false);
        await minute(w);
        await minute(w);
        expect(await detect(w)).toBe(200);
        w.advance(5 * MINUTE);
        await w.settle();
        expect(await detect(w)).toBe(200);

        const g = googleTexts(w, name);
        const d = deskTexts(w, key);
        expect(g.filter((t) => t === RESUMED)).toHaveLength(1);
        expect(d.filter((t) => t === RESUMED)).toHaveLength(1);
        expect(
          g.filter((t) => OUTAGE.test(t)).length + d.filter((t) => OUTAGE.test(t)).length,
        ).toBe(1);
        // The connector's notices are never mirrored to the other side.
        expect(
          d.some(
            (t) =>
              t.includes('[Google Comment') &&
              (t.includes('not synced properly') || t.includes(RESUMED)),
          ),
        ).toBe(false);
        expect(g.some((t) => t.includes('[Company Comment'))).toBe(false);
      },
    );
  },
);
