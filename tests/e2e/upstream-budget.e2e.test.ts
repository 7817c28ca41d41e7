// A burst of syncs against a Jira whose tenant burst limit is low (the simulator's
// X-RateLimit-* headers and 429s, src/sandbox/jira/burst-limit.ts): the connector's Jira
// budget (src/adapters/http/upstream-budget.ts) paces its calls to the refill rate, so the
// whole catch-up lands with few or no 429s, every comment exactly once, nothing dropped.
import type { TaskOutcome } from '../../src/adapters/local/local-task-queue';
import { PARENT, startHarness, type Harness } from '../support/e2e-harness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const CASES = 16;
const COMMENTS = 3;

test('a burst of syncs against a low Jira burst limit completes with few 429s and nothing lost', async () => {
  const outcomes: TaskOutcome[] = [];
  h = await startHarness({
    // 20 requests, refilled at 20 a second: a catch-up of hundreds of calls must be paced.
    jiraOptions: { burstLimit: { capacity: 20, refillPerSecond: 20 } },
    onQueueOutcome: (o) => outcomes.push(o),
  });
  const harness = h;
  const names = Array.from(
    { length: CASES },
    (_, i) =>
      harness.google.createCase({
        parent: PARENT,
        displayName: `burst ${i}`,
        description: 'd',
        priority: 'P2',
      }).name,
  );
  // Round 1: one sync per new case at once, each creating its ticket.
  await harness.round();
  for (const name of names)
    for (let i = 0; i < COMMENTS; i++)
      harness.google.addComment(name, { body: `update ${i} on ${name}`, displayName: 'Alex' });
  const callsBefore = harness.jira.stats().total;
  // Round 2: the catch-up, every pair with new comments, all at once.
  await harness.round();
  const jiraCalls = harness.jira.stats().total;

  const tickets = harness.jira
    .listIssues()
    .map((i) => harness.jira.getIssue(i.key)!)
    .filter((i) => i.descriptionText.startsWith('CONTENT MIRRORED FROM GOOGLE SUPPORT:'));
  expect(tickets).toHaveLength(CASES);
  for (const t of tickets) {
    const mirrored = t.comments
      .map((c) => c.bodyText)
      .filter((b) => b.startsWith('[Google Comment'))
      .map((b) => b.split('\n').slice(1).join('\n'));
    expect(mirrored).toHaveLength(COMMENTS);
    expect(new Set(mirrored).size).toBe(COMMENTS);
  }
  // The round-2 traffic was far over one bucket, so it was paced, not refused.
  expect(jiraCalls - callsBefore).toBeGreaterThan(3 * 20);
  const refused = harness.jira.burstRejections();
  expect(refused / jiraCalls).toBeLessThan(0.02);
  // Nothing was given up; tasks the budget sent back (503 + Retry-After) came back later.
  expect(outcomes.filter((o) => o.outcome === 'gave-up')).toEqual([]);
  expect(harness.connector.localQueue?.stats()).toMatchObject({ gaveUp: 0 });
});
