// Limits and bad input end to end (issue 4 item 3): each gets a clear outcome and loses nothing.
import { startHarness, PARENT, type Harness } from '../support/e2e-harness';

const LABEL = 'synchronizeWithGoogleCloudSupport';
let h: Harness;
afterEach(async () => {
  await h?.close();
});

async function pairFromGoogle(harness: Harness, priority: 'P1' | 'P2' = 'P2') {
  const c = harness.google.createCase({
    parent: PARENT,
    displayName: 'limits',
    description: 'd',
    priority,
  });
  await harness.round();
  const issue = harness.jira
    .listIssues()
    .find((i) =>
      harness.jira
        .getIssue(i.key)!
        .descriptionText.startsWith('CONTENT MIRRORED FROM GOOGLE SUPPORT:'),
    )!;
  return { name: c.name, key: issue.key };
}

describe('limits and bad input', () => {
  test('a Jira comment over 12,800 characters reaches Google as numbered parts that rebuild it', async () => {
    h = await startHarness();
    const { name, key } = await pairFromGoogle(h);
    // (No trailing spaces: Jira's rich text keeps none at the end of a paragraph.)
    const paragraph = Array(20)
      .fill('Stack trace line with details about the failing request and its context.')
      .join(' ');
    const body = Array.from({ length: 30 }, (_, i) => `${i}: ${paragraph}`).join('\n\n');
    expect(body.length).toBeGreaterThan(40_000);
    h.jira.addComment(key, { body, displayName: 'Sam' });
    await h.round();
    const parts = h.google
      .getCase(name)
      .comments.map((c) => c.body)
      .filter((b) => b.startsWith('[Company Comment'));
    expect(parts.length).toBeGreaterThanOrEqual(4);
    const header = /^\[Company Comment (\d+) by Sam\] \(part (\d+)\/(\d+)\)\n/;
    parts.forEach((p, i) => {
      const m = header.exec(p);
      expect(m).not.toBeNull();
      expect(Number(m![2])).toBe(i + 1);
      expect(Number(m![3])).toBe(parts.length);
      expect(p.length).toBeLessThanOrEqual(12_800);
    });
    expect(parts.map((p) => p.replace(header, '')).join('')).toBe(body);
  });

  test('an attachment over the Jira upload limit becomes a comment naming it, once, with no endless retries', async () => {
    h = await startHarness({ jiraOptions: { uploadLimitBytes: 1024 * 1024 } });
    const { name, key } = await pairFromGoogle(h);
    h.google.addAttachment(name, {
      filename: 'core dump.bin',
      content: Buffer.alloc(3 * 1024 * 1024, 7),
    });
    h.google.addAttachment(name, { filename: 'small.txt', content: Buffer.from('fits') });
    await h.round();
    await h.round();
    const issue = h.jira.getIssue(key)!;
    expect(issue.attachments.map((a) => a.filename)).toEqual(['small.txt']);
    const notices = issue.comments.filter((c) => c.bodyText.includes('core dump.bin'));
    expect(notices).toHaveLength(1);
    expect(notices[0]!.bodyText).toMatch(/3\.0 MB/);
    expect(notices[0]!.bodyText).toMatch(/1\.0 MB/);
    expect(notices[0]!.bodyText).toMatch(/limit/);
    expect(h.connector.localQueue!.stats().pending).toBe(0);
    // The notice is never mirrored back to Google.
    expect(h.google.getCase(name).comments.some((c) => c.body.includes('core dump.bin'))).toBe(
      false,
    );
  });

  test('Jira ADF with mentions, code, tables and links arrives in Google as readable text', async () => {
    h = await startHarness();
    const { name, key } = await pairFromGoogle(h);
    const adf = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            { type: 'text', text: 'Hi ' },
            { type: 'mention', attrs: { id: 'abc', text: '@Alex Support' } },
            { type: 'text', text: ', see ' },
            {
              type: 'text',
              text: 'the runbook',
              marks: [{ type: 'link', attrs: { href: 'https://example.com/runbook' } }],
            },
          ],
        },
        {
          type: 'codeBlock',
          attrs: { language: 'bash' },
          content: [{ type: 'text', text: 'gcloud sql instances list' }],
        },
        {
          type: 'table',
          content: [
            {
              type: 'tableRow',
              content: [
                {
                  type: 'tableHeader',
                  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'zone' }] }],
                },
                {
                  type: 'tableHeader',
                  content: [{ type: 'paragraph', content: [{ type: 'text', text: 'errors' }] }],
                },
              ],
            },
            {
              type: 'tableRow',
              content: [
                {
                  type: 'tableCell',
                  content: [
                    { type: 'paragraph', content: [{ type: 'text', text: 'europe-west1-b' }] },
                  ],
                },
                {
                  type: 'tableCell',
                  content: [{ type: 'paragraph', content: [{ type: 'text', text: '42' }] }],
                },
              ],
            },
          ],
        },
      ],
    };
    h.jira.addComment(key, { adf, displayName: 'Sam' });
    await h.round();
    const mirrored = h.google
      .getCase(name)
      .comments.find((c) => c.body.startsWith('[Company Comment'))!.body;
    expect(mirrored).toContain('@Alex Support');
    expect(mirrored).toContain('the runbook (https://example.com/runbook)');
    expect(mirrored).toContain('```bash\ngcloud sql instances list\n```');
    expect(mirrored).toMatch(/\| zone \| errors \|/);
    expect(mirrored).toMatch(/\| europe-west1-b \| 42 \|/);
    expect(mirrored).not.toContain('"type"');
  });

  test('Google text arrives in Jira verbatim, without markup surprises', async () => {
    h = await startHarness();
    const { name, key } = await pairFromGoogle(h);
    const body =
      'Use *bold* and _this_ and {code} and [link](http://x) and h1. heading\n\n- not a list?\n<b>html</b>';
    h.google.addComment(name, { body, displayName: 'Alex' });
    await h.round();
    const mirrored = h.jira
      .getIssue(key)!
      .comments.find((c) => c.bodyText.startsWith('[Google Comment'))!;
    expect(mirrored.bodyText.split('\n').slice(1).join('\n')).toBe(body);
  });

  test('a Jira user who types "[Google Comment 1 by X]" does not stop Google comment 1 from being mirrored', async () => {
    h = await startHarness();
    const { name, key } = await pairFromGoogle(h);
    // The first Google comment id after the "now syncing" notice; type its header in Jira first.
    h.jira.addComment(key, {
      body: '[Google Comment 2 by Alex]\nquoting what I expect Google to say',
      displayName: 'Sam',
    });
    await h.round();
    const g = h.google.addComment(name, { body: 'the real comment', displayName: 'Alex' });
    await h.round();
    const id = g.name.split('/').pop();
    const jira = h.jira.getIssue(key)!.comments.map((c) => c.bodyText);
    expect(
      jira.filter((t) => t === `[Google Comment ${id} by Alex]\nthe real comment`),
    ).toHaveLength(1);
    // And the user's comment itself reached Google.
    expect(
      h.google
        .getCase(name)
        .comments.filter((c) => c.body.includes('quoting what I expect Google to say')),
    ).toHaveLength(1);
  });

  test('a deleted Jira ticket resolves the pair and is dropped; a moved one keeps syncing by id', async () => {
    h = await startHarness();
    const a = await pairFromGoogle(h);
    const b = h.jira.createIssue({ summary: 'will move', labels: [LABEL], priority: 'Medium' });
    await h.round();
    await h.round();
    const bCase = h.google
      .listCases()
      .find((c) => c.description.startsWith(`CONTENT MIRRORED FROM COMPANY CASE ${b.key}:`))!;
    h.jira.deleteIssue(a.key);
    h.jira.moveIssue(b.key, 'OPS');
    const moved = h.jira.getIssue(b.id)!;
    expect(moved.key.startsWith('OPS-')).toBe(true);
    h.google.addComment(a.name, { body: 'anyone there?', displayName: 'Alex' });
    h.jira.addComment(moved.key, { body: 'still here after the move', displayName: 'Sam' });
    await h.round();
    await h.round();
    expect(h.connector.localQueue!.stats().pending).toBe(0);
    expect(h.jira.listIssues().filter((i) => i.summary === 'limits')).toHaveLength(0); // not re-created
    expect(
      h.google
        .getCase(bCase.name)
        .comments.filter((c) => c.body.endsWith('still here after the move')),
    ).toHaveLength(1);
    const mapping = await h.connector.store.findByGoogleCase(a.name);
    expect(mapping?.resolvedAt).not.toBeNull();
    expect(h.logs.some((l) => l.message === 'ticket gone; pair resolved')).toBe(true);
  });

  test('a Google case outside SUPPORT_PARENT is logged and dropped', async () => {
    h = await startHarness();
    const other = h.google.createCase({
      parent: 'organizations/999',
      displayName: 'elsewhere',
      description: 'd',
      priority: 'P2',
    });
    await h.round();
    const res = await fetch(`${h.connector.url}/tasks/sync-google-case`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-AppEngine-QueueName': 'sync' },
      body: JSON.stringify({ caseName: other.name }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ outcome: 'dropped', reason: 'case-outside-parent' });
    expect(h.jira.listIssues()).toHaveLength(0);
    expect(
      h.logs.some(
        (l) => l.severity === 'ERROR' && l.message === 'case outside SUPPORT_PARENT dropped',
      ),
    ).toBe(true);
  });
});
