// The chaos suite's judge (ChaosWorld.check) on hand-made states of both simulators, no
// connector: it accepts a correctly mirrored pair and names each way a pair can be wrong
// (duplicate, missing, out of order, echo, a second ticket, a second notice, other bytes).
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';
import { seededRandom } from '../support/chaos-random';
import {
  ChaosWorld,
  mirroredText,
  nowSyncing,
  SYNC_LABEL,
  type Pair,
} from '../support/chaos-world';

let google: GoogleSimulator;
let jira: JiraSimulator;
let world: ChaosWorld;

beforeEach(async () => {
  google = await startGoogleSimulator();
  jira = await startJiraSimulator();
  world = new ChaosWorld(google, jira, seededRandom(7), 'judge');
});
afterEach(async () => {
  await Promise.all([google.close(), jira.close()]);
});

/** What the connector would write for a case opened on Google: the ticket and the notice. */
function mirrorGoogleCase(pair: Pair): string {
  const issue = jira.createIssue({
    summary: pair.summary,
    description: `CONTENT MIRRORED FROM GOOGLE SUPPORT:\n${pair.description}`,
    labels: [SYNC_LABEL, `google-case-${pair.caseNumber ?? ''}`],
  });
  google.addComment(pair.caseName!, { body: nowSyncing(issue.key), googleSupport: false });
  return issue.key;
}

/** A pair with two comments and one attachment each way, mirrored correctly. */
function convergedPair() {
  const pair = world.openGoogleCase();
  const key = mirrorGoogleCase(pair);
  const g1 = world.googleComment(pair);
  const g2 = world.googleComment(pair);
  const j1 = world.jiraComment(pair, true);
  const j2 = world.jiraComment(pair, false);
  const ga = world.googleAttachment(pair);
  const ja = world.jiraAttachment(pair);
  jira.addComment(key, { body: mirroredText(g1), public: false });
  jira.addComment(key, { body: mirroredText(g2), public: false });
  google.addComment(pair.caseName!, { body: mirroredText(j1), googleSupport: false });
  google.addComment(pair.caseName!, { body: mirroredText(j2), googleSupport: false });
  jira.addAttachment(key, { filename: ga.filename, content: ga.content });
  google.addAttachment(pair.caseName!, {
    filename: ja.filename,
    content: ja.content,
    googleSupport: false,
  });
  return { pair, key, g1, g2, j1, j2, ga, ja };
}

test('a correctly mirrored pair has no problems and every item is counted', () => {
  convergedPair();
  const r = world.check();
  expect(r.problems).toEqual([]);
  expect(r.checked).toEqual({ pairs: 1, comments: 4, attachments: 2, notices: 1 });
});

test('a comment mirrored twice is reported as duplicated', () => {
  const { key, g1 } = convergedPair();
  jira.addComment(key, { body: mirroredText(g1), public: false });
  expect(world.check().problems).toEqual([
    expect.stringContaining(`Google comments in Jira: duplicated ${g1.id}×2`),
  ]);
});

test('a comment not mirrored is reported as missing', () => {
  const { pair } = convergedPair();
  const j3 = world.jiraComment(pair);
  expect(world.check().problems).toEqual([
    expect.stringContaining(`Jira comments on Google: missing ${j3.id}`),
  ]);
});

test('copies in another order than the originals are reported', () => {
  const pair = world.openGoogleCase();
  const key = mirrorGoogleCase(pair);
  const g1 = world.googleComment(pair);
  const g2 = world.googleComment(pair);
  jira.addComment(key, { body: mirroredText(g2), public: false });
  jira.addComment(key, { body: mirroredText(g1), public: false });
  expect(world.check().problems).toEqual([
    expect.stringContaining(`out of order: got ${g2.id},${g1.id} want ${g1.id},${g2.id}`),
  ]);
});

test('an echo, a second notice and a second ticket are each reported', () => {
  const { pair, key, j1 } = convergedPair();
  jira.addComment(key, { body: mirroredText(j1), public: false }); // a copy of a Jira comment came back to Jira
  google.addComment(pair.caseName!, { body: nowSyncing(key), googleSupport: false });
  mirrorGoogleCase(pair); // a second ticket (and its notice)
  const problems = world.check().problems.join('\n');
  expect(problems).toContain('echo: something the connector wrote on Google came back to Jira');
  expect(problems).toContain('2 Jira tickets mirror it');
  expect(problems).toContain('Jira holds 2 tickets for 1 pairs');
  expect(problems).toMatch(/"now syncing" written [23] times/);
});

test('a Google comment mirrored as a public Jira comment is reported (internal by default)', () => {
  const pair = world.openGoogleCase();
  const key = mirrorGoogleCase(pair);
  const g1 = world.googleComment(pair);
  jira.addComment(key, { body: mirroredText(g1), public: true });
  expect(world.check().problems).toEqual([expect.stringContaining('is public in Jira')]);
});

test('a copied attachment with other bytes is reported', () => {
  const pair = world.openGoogleCase();
  const key = mirrorGoogleCase(pair);
  const ga = world.googleAttachment(pair);
  jira.addAttachment(key, {
    filename: ga.filename,
    content: Buffer.concat([ga.content, Buffer.from('x')]),
  });
  expect(world.check().problems).toEqual([
    expect.stringContaining(`Google attachment ${ga.id} differs in Jira`),
  ]);
});

test('a ticket opened in Jira without its Google case is reported, not skipped', () => {
  world.openJiraTicket();
  expect(world.check().problems).toEqual(
    expect.arrayContaining([
      'Google holds 0 cases for 1 pairs',
      expect.stringContaining('0 Google cases mirror it'),
    ]),
  );
});

test('every text and file name a person wrote is kept for the log scan', () => {
  const { pair, g1, j1, ga, ja } = convergedPair();
  expect(world.secrets).toEqual(
    expect.arrayContaining([
      pair.summary,
      pair.description,
      g1.body,
      j1.body,
      ga.filename,
      ja.filename,
    ]),
  );
});
