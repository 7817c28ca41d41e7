// Outages end to end (issue 4 item 4): one side's API down for longer than the latency
// tolerance. The reachable side gets exactly one outage notice, detect-outages answers 500
// while it lasts, and after recovery each side gets exactly one "Syncing has resumed.".
// The connector and both simulators share a clock that the test moves forward.
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';
import type { RunningConnector } from '../../src/server';
import { cronOn, PARENT, startConnector } from '../support/e2e-harness';

const MINUTE = 60_000;
const OUTAGE = /^This case has not synced properly in .+\.$/;
const RESUMED = 'Syncing has resumed.';

interface World {
  google: GoogleSimulator;
  jira: JiraSimulator;
  connector: RunningConnector;
  advance(ms: number): void;
  cron(path: string): Promise<number>;
}

let world: World | undefined;
afterEach(async () => {
  if (!world) return;
  await world.connector.close();
  await Promise.all([world.google.close(), world.jira.close()]);
  world = undefined;
});

async function startWorld(): Promise<World> {
  let offset = 0;
  const now = () => new Date(Date.now() + offset);
  const google = await startGoogleSimulator({ now });
  const jira = await startJiraSimulator({ now });
  const connector = await startConnector(google, jira, [], { clock: { now } });
  const cron = async (path: string) => (await cronOn(connector, path)).status;
  return { google, jira, connector, cron, advance: (ms) => (offset += ms) };
}

/** One cron minute: both polls; the queue delivers in the background. */
async function minute(w: World): Promise<void> {
  w.advance(MINUTE);
  await w.cron('/tasks/poll-google');
  await w.cron('/tasks/poll-company');
}

const googleTexts = (w: World, name: string) => w.google.getCase(name).comments.map((c) => c.body);
const jiraTexts = (w: World, key: string) => w.jira.getIssue(key)!.comments.map((c) => c.bodyText);

async function linkedPair(w: World) {
  const c = w.google.createCase({
    parent: PARENT,
    displayName: 'outage drill',
    description: 'd',
    priority: 'P2',
  });
  await minute(w);
  await w.connector.localQueue!.idle();
  await minute(w);
  await w.connector.localQueue!.idle();
  const key = w.jira.listIssues()[0]!.key;
  expect(await w.cron('/tasks/detect-outages')).toBe(200);
  return { name: c.name, key };
}

test.each(['jira', 'google'] as const)(
  '%s down past the tolerance: one notice on the other side, 500 meanwhile, one resume per side',
  async (down) => {
    const w = (world = await startWorld());
    const { name, key } = await linkedPair(w);
    (down === 'jira' ? w.jira : w.google).setDown(true);

    const statuses: number[] = [];
    for (let i = 1; i <= 20; i++) {
      await minute(w);
      if (i % 5 === 0) statuses.push(await w.cron('/tasks/detect-outages'));
    }
    // P2, fresh pair: tolerance 10 minutes; detect-outages runs every 5 minutes.
    expect(statuses).toEqual([200, 500, 500, 500]);
    const reachable = down === 'jira' ? googleTexts(w, name) : jiraTexts(w, key);
    expect(reachable.filter((t) => OUTAGE.test(t))).toHaveLength(1);

    (down === 'jira' ? w.jira : w.google).setDown(false);
    await minute(w);
    await w.connector.localQueue!.idle();
    await minute(w);
    await w.connector.localQueue!.idle();
    expect(await w.cron('/tasks/detect-outages')).toBe(200);
    w.advance(5 * MINUTE);
    expect(await w.cron('/tasks/detect-outages')).toBe(200);

    const g = googleTexts(w, name);
    const j = jiraTexts(w, key);
    expect(g.filter((t) => t === RESUMED)).toHaveLength(1);
    expect(j.filter((t) => t === RESUMED)).toHaveLength(1);
    expect(g.filter((t) => OUTAGE.test(t)).length + j.filter((t) => OUTAGE.test(t)).length).toBe(1);
    // The connector's notices are never mirrored to the other side.
    expect(
      j.some(
        (t) =>
          t.includes('[Google Comment') &&
          (t.includes('not synced properly') || t.includes(RESUMED)),
      ),
    ).toBe(false);
    expect(g.some((t) => t.includes('[Company Comment'))).toBe(false);
  },
);
