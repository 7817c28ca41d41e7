// End-to-end scenarios through the real app (server.ts wiring), both simulators over HTTP,
// the memory store and the local queue. Each test builds its own harness.
import { startHarness, PARENT, type Harness } from '../support/e2e-harness';
import { GOOGLE_WRITE_ROUTES } from '../../src/sandbox/google';

const LABEL = 'synchronizeWithGoogleCloudSupport';
let h: Harness;
afterEach(async () => {
  await h?.close();
});

function onlyIssue(harness: Harness) {
  const issues = harness.jira.listIssues();
  expect(issues).toHaveLength(1);
  return harness.jira.getIssue(issues[0]!.key)!;
}

function onlyCase(harness: Harness) {
  const cases = harness.google.listCases();
  expect(cases).toHaveLength(1);
  return harness.google.getCase(cases[0]!.name)!;
}

describe('end to end over HTTP', () => {
  test('a Google case becomes one Jira ticket and the case is told once', async () => {
    h = await startHarness();
    const c = h.google.createCase({
      parent: PARENT,
      displayName: 'VM unreachable',
      description: 'Since 09:00.',
      priority: 'P1',
    });
    await h.round();
    await h.round();
    const issue = onlyIssue(h);
    expect(issue.summary).toBe('VM unreachable');
    expect(issue.descriptionText.startsWith('CONTENT MIRRORED FROM GOOGLE SUPPORT:')).toBe(true);
    expect(issue.descriptionText).toContain('Since 09:00.');
    expect(issue.priority).toBe('High');
    expect(issue.labels).toContain(LABEL);
    const gc = h.google.getCase(c.name)!;
    const notices = gc.comments.filter(
      (x) => x.body === `This case is now syncing with Company Case: ${issue.key}`,
    );
    expect(notices).toHaveLength(1);
    expect(h.google.listCases()).toHaveLength(1);
  });

  test('a marked Jira ticket becomes one Google case', async () => {
    h = await startHarness();
    const i = h.jira.createIssue({
      summary: 'Quota exceeded',
      description: 'Nightly loads fail.',
      labels: [LABEL],
      priority: 'Highest',
    });
    await h.round();
    await h.round();
    const gc = onlyCase(h);
    expect(gc.displayName).toBe('Quota exceeded');
    expect(gc.description.startsWith(`CONTENT MIRRORED FROM COMPANY CASE ${i.key}:`)).toBe(true);
    expect(gc.priority).toBe('P0');
    expect(h.jira.listIssues()).toHaveLength(1);
    expect(h.jira.getIssue(i.key)!.comments).toHaveLength(0);
  });

  test('comments cross both ways in order, attributed, without echo', async () => {
    h = await startHarness();
    const c = h.google.createCase({
      parent: PARENT,
      displayName: 'Disk errors',
      description: 'd',
      priority: 'P2',
    });
    await h.round();
    const key = onlyIssue(h).key;
    h.google.addComment(c.name, { body: 'G1: which zone?', displayName: 'Alex' });
    h.google.addComment(c.name, { body: 'G2: and which disk type?', displayName: 'Alex' });
    h.jira.addComment(key, { body: 'J1: europe-west1-b', displayName: 'Sam' });
    h.jira.addComment(key, { body: 'J2: pd-ssd', displayName: 'Sam', public: false });
    await h.round();
    await h.round();
    await h.round();
    const issue = h.jira.getIssue(key)!;
    const mirrored = issue.comments.filter((x) => x.bodyText.startsWith('[Google Comment'));
    expect(mirrored.map((x) => x.bodyText.split('\n')[1])).toEqual([
      'G1: which zone?',
      'G2: and which disk type?',
    ]);
    expect(mirrored[0]!.bodyText.split('\n')[0]).toMatch(/^\[Google Comment \d+ by Alex\]$/);
    expect(mirrored.every((x) => x.public === false)).toBe(true); // JIRA_GOOGLE_COMMENTS_VISIBILITY=internal
    const gc = h.google.getCase(c.name)!;
    const fromJira = gc.comments.filter((x) => x.body.startsWith('[Company Comment'));
    expect(fromJira.map((x) => x.body.split('\n')[1])).toEqual([
      'J1: europe-west1-b',
      'J2: pd-ssd',
    ]);
    expect(fromJira[0]!.body.split('\n')[0]).toMatch(/^\[Company Comment \d+ by Sam\]$/);
    // No echo: nothing mirrored back, counts stable after more rounds.
    const before = [
      h.jira.getIssue(key)!.comments.length,
      h.google.getCase(c.name)!.comments.length,
    ];
    await h.round();
    expect([
      h.jira.getIssue(key)!.comments.length,
      h.google.getCase(c.name)!.comments.length,
    ]).toEqual(before);
    expect(issue.comments.some((x) => x.bodyText.includes('[Company Comment'))).toBe(false);
    expect(gc.comments.some((x) => x.body.includes('[Google Comment'))).toBe(false);
  });

  test('attachments cross both ways byte-identical', async () => {
    h = await startHarness();
    const c = h.google.createCase({
      parent: PARENT,
      displayName: 'Logs',
      description: 'd',
      priority: 'P3',
    });
    await h.round();
    const key = onlyIssue(h).key;
    const big = Buffer.alloc(3 * 1024 * 1024 + 7);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) % 251;
    h.google.addAttachment(c.name, {
      filename: 'trace ü.bin',
      mimeType: 'application/octet-stream',
      content: big,
    });
    h.jira.addAttachment(key, {
      filename: 'empty.txt',
      mimeType: 'text/plain',
      content: Buffer.alloc(0),
    });
    h.jira.addAttachment(key, {
      filename: '日本.log',
      mimeType: 'text/plain',
      content: Buffer.from('line 1\nline 2\n'),
    });
    await h.round();
    await h.round();
    const issue = h.jira.getIssue(key)!;
    const gotBig = issue.attachments.find((a) => a.filename === 'trace ü.bin');
    expect(gotBig && Buffer.compare(gotBig.content, big)).toBe(0);
    const gc = h.google.getCase(c.name)!;
    expect(gc.attachments.find((a) => a.filename === 'empty.txt')?.content.length).toBe(0);
    expect(gc.attachments.find((a) => a.filename === '日本.log')?.content.toString()).toBe(
      'line 1\nline 2\n',
    );
    // Nothing comes back: each side holds its own file plus the mirrored ones, once.
    await h.round();
    expect(h.jira.getIssue(key)!.attachments).toHaveLength(3);
    expect(h.google.getCase(c.name)!.attachments).toHaveLength(3);
  });

  test('priority crosses both ways', async () => {
    h = await startHarness();
    const c = h.google.createCase({
      parent: PARENT,
      displayName: 'P',
      description: 'd',
      priority: 'P3',
    });
    await h.round();
    const key = onlyIssue(h).key;
    expect(h.jira.getIssue(key)!.priority).toBe('Low');
    h.google.setPriority(c.name, 'P1');
    await h.round();
    expect(h.jira.getIssue(key)!.priority).toBe('High');
    h.jira.setPriority(key, 'Lowest');
    await h.round();
    expect(h.google.getCase(c.name)!.priority).toBe('P4');
  });

  test('closing on Google closes the ticket; closing in Jira closes the case', async () => {
    h = await startHarness();
    const c = h.google.createCase({
      parent: PARENT,
      displayName: 'close me',
      description: 'd',
      priority: 'P2',
    });
    const i = h.jira.createIssue({ summary: 'close me too', labels: [LABEL], priority: 'Medium' });
    await h.round();
    await h.round();
    const ticketForCase = h.jira.listIssues().find((x) => x.key !== i.key)!;
    const caseForTicket = h.google.listCases().find((x) => x.name !== c.name)!;
    h.google.closeCase(c.name);
    h.jira.transition(i.key, 'Done');
    await h.round();
    expect(h.jira.getIssue(ticketForCase.key)!.statusCategory).toBe('done');
    expect(h.google.getCase(caseForTicket.name)!.state).toBe('CLOSED');
  });

  test('a re-sync of an unchanged pair writes nothing upstream', async () => {
    h = await startHarness();
    const c = h.google.createCase({
      parent: PARENT,
      displayName: 'steady',
      description: 'd',
      priority: 'P2',
    });
    h.google.addComment(c.name, { body: 'hello', displayName: 'Alex' });
    await h.round();
    await h.round();
    h.google.resetStats();
    h.jira.resetStats();
    const res = await fetch(`${h.connector.url}/tasks/sync-google-case`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-AppEngine-QueueName': 'sync' },
      body: JSON.stringify({ caseName: c.name }),
    });
    expect(res.status).toBe(200);
    const googleWriteRoutes = [...GOOGLE_WRITE_ROUTES];
    const googleStats = h.google.stats().byRoute;
    const googleReads = Object.values(googleStats).reduce((n, v) => n + v, 0);
    const googleWrites = googleWriteRoutes.reduce((n, r) => n + (googleStats[r] ?? 0), 0);
    const jiraStats = Object.entries(h.jira.stats().byRoute);
    const jiraWrites = jiraStats
      .filter(([route]) => !route.startsWith('GET') && !route.includes('search/jql'))
      .reduce((n, [, v]) => n + v, 0);
    expect(googleReads).toBeGreaterThan(0); // the sync did run and read both sides
    expect(jiraStats.length).toBeGreaterThan(0);
    expect(googleWrites).toBe(0);
    expect(jiraWrites).toBe(0);
  });

  test('the same sync task delivered five times at once creates one ticket and no duplicate comment', async () => {
    h = await startHarness({ duplicateDelivery: 5 });
    const c = h.google.createCase({
      parent: PARENT,
      displayName: 'dup',
      description: 'd',
      priority: 'P2',
    });
    h.google.addComment(c.name, { body: 'only once please', displayName: 'Alex' });
    for (let i = 0; i < 4; i++) await h.round();
    const issue = onlyIssue(h);
    expect(issue.comments.filter((x) => x.bodyText.includes('only once please'))).toHaveLength(1);
    expect(
      h.google
        .getCase(c.name)!
        .comments.filter((x) => x.body.startsWith('This case is now syncing')),
    ).toHaveLength(1);
  });
});
