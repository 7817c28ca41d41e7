// Limits and bad input end to end (issue 4 item 3), once per CRM: each gets a clear outcome
// (a log line and the task's outcome) and loses nothing elsewhere. The CRM differences live
// in tests/support/crm-worlds.ts; what exists in one CRM only is in its own describe below.
import { startHarness, PARENT, type DeskHarness } from '../support/e2e-harness';
import {
  CRMS,
  jiraWorld,
  servicenowCaseWorld,
  servicenowIncidentWorld,
  zendeskWorld,
  type CrmWorld,
} from '../support/crm-worlds';
import type { ServiceNowSimulator } from '../../src/sandbox/servicenow';

let h: DeskHarness<unknown> | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const MB = 1024 * 1024;

/** A Google case and the ticket the connector made of it. */
async function pairFromGoogle(harness: DeskHarness<unknown>, priority: 'P1' | 'P2' = 'P2') {
  const c = harness.google.createCase({
    parent: PARENT,
    displayName: 'limits',
    description: 'd',
    priority,
  });
  await harness.round();
  const ticket = harness.desk
    .listTickets()
    .find((t) => t.description.startsWith('CONTENT MIRRORED FROM GOOGLE SUPPORT:'))!;
  return { name: c.name, key: ticket.key };
}

/** A ticket a person selected for sync and the Google case the connector made of it. */
async function pairFromDesk(harness: DeskHarness<unknown>, summary = 'from the desk') {
  const t = harness.desk.createTicket({ summary, description: 'd', priority: 'P2' });
  await harness.round();
  await harness.round();
  const gcase = harness.google
    .listCases()
    .find((c) => c.description.startsWith(`CONTENT MIRRORED FROM COMPANY CASE ${t.key}:`))!;
  return { name: gcase.name, key: t.key };
}

const googleBodies = (harness: DeskHarness<unknown>, name: string) =>
  harness.google.getCase(name).comments.map((c) => c.body);
const deskBodies = (harness: DeskHarness<unknown>, key: string) =>
  harness.desk.getTicket(key)!.comments.map((c) => c.body);
const failedTasks = (harness: DeskHarness<unknown>) =>
  harness.logs.filter((l) => /task (failed|dropped)/.test(String(l.message)));

describe.each(CRMS.map((world) => [world.label, world] as const))(
  'limits and bad input (%s)',
  (_name, world: CrmWorld) => {
    test('a ticket comment over 12,800 characters reaches Google as numbered parts that rebuild it', async () => {
      h = await startHarness({ world });
      const { name, key } = await pairFromGoogle(h);
      // (No trailing spaces: Jira's rich text keeps none at the end of a paragraph.)
      const paragraph = Array(20)
        .fill('Stack trace line with details about the failing request and its context.')
        .join(' ');
      const body = Array.from({ length: 30 }, (_, i) => `${i}: ${paragraph}`).join('\n\n');
      expect(body.length).toBeGreaterThan(40_000);
      h.desk.addComment(key, { body, displayName: 'Sam' });
      await h.round();
      const parts = googleBodies(h, name).filter((b) => b.startsWith('[Company Comment'));
      expect(parts.length).toBeGreaterThanOrEqual(4);
      const header = new RegExp(
        `^\\[Company Comment (${world.commentIdPattern}) by Sam\\] \\(part (\\d+)\\/(\\d+)\\)\\n`,
      );
      parts.forEach((p, i) => {
        const m = header.exec(p);
        expect(m).not.toBeNull();
        expect(Number(m![2])).toBe(i + 1);
        expect(Number(m![3])).toBe(parts.length);
        expect(p.length).toBeLessThanOrEqual(12_800);
      });
      expect(parts.map((p) => p.replace(header, '')).join('')).toBe(body);
      // Nothing comes back, and a later round writes no part again.
      await h.round();
      expect(googleBodies(h, name).filter((b) => b.startsWith('[Company Comment'))).toHaveLength(
        parts.length,
      );
      expect(deskBodies(h, key).some((b) => b.includes('[Google Comment'))).toBe(false);
    });

    test('an attachment over the CRM upload limit becomes a comment naming it, once, with no endless retries', async () => {
      h = await startHarness({ world, crmOptions: { uploadLimitBytes: 1 * MB } });
      const { name, key } = await pairFromGoogle(h);
      h.google.addAttachment(name, {
        filename: 'core dump.bin',
        content: Buffer.alloc(3 * MB, 7),
      });
      h.google.addAttachment(name, { filename: 'small.txt', content: Buffer.from('fits') });
      await h.round();
      await h.round();
      const t = h.desk.getTicket(key)!;
      expect(t.attachments.map((a) => a.filename)).toEqual(['small.txt']);
      const notices = t.comments.filter((c) => c.body.includes('core dump.bin'));
      expect(notices).toHaveLength(1);
      // The limit's figure where the CRM tells it (world.readsUploadLimit), else none.
      expect(notices[0]!.body).toBe(
        `[Attachment not mirrored] "core dump.bin" (3.0 MB) from the Google case exceeds the ` +
          `${world.displayName} upload limit${world.readsUploadLimit ? ' of 1.0 MB' : ''}.`,
      );
      expect(h.connector.localQueue!.stats().pending).toBe(0);
      expect(failedTasks(h)).toEqual([]);
      // The notice is never mirrored back to Google.
      expect(googleBodies(h, name).some((b) => b.includes('core dump.bin'))).toBe(false);
    });

    test('Google text arrives on the ticket verbatim, without markup surprises', async () => {
      h = await startHarness({ world });
      const { name, key } = await pairFromGoogle(h);
      const body =
        'Use *bold* and _this_ and {code} and [link](http://x) and h1. heading\n\n- not a list?\n<b>html</b>';
      h.google.addComment(name, { body, displayName: 'Alex' });
      await h.round();
      const mirrored = deskBodies(h, key).find((b) => b.startsWith('[Google Comment'))!;
      expect(mirrored.split('\n').slice(1).join('\n')).toBe(body);
    });

    test('a person who types "[Google Comment 3 by Alex]" does not stop Google comment 3 from being mirrored', async () => {
      h = await startHarness({ world });
      const { name, key } = await pairFromGoogle(h);
      // Google comment ids run per case: 1 is the "now syncing" notice, 2 will be the
      // person's comment mirrored from the ticket, 3 the real comment typed below.
      h.desk.addComment(key, {
        body: '[Google Comment 3 by Alex]\nquoting what I expect Google to say',
        displayName: 'Sam',
      });
      await h.round();
      const g = h.google.addComment(name, { body: 'the real comment', displayName: 'Alex' });
      await h.round();
      expect(g.name.split('/').pop()).toBe('3');
      expect(
        deskBodies(h, key).filter((t) => t === '[Google Comment 3 by Alex]\nthe real comment'),
      ).toHaveLength(1);
      // And the person's comment itself reached Google, once, as theirs.
      expect(
        googleBodies(h, name).filter(
          (b) =>
            new RegExp(`^\\[Company Comment ${world.commentIdPattern} by Sam\\]\\n`).test(b) &&
            b.includes('quoting what I expect Google to say'),
        ),
      ).toHaveLength(1);
      await h.round();
      expect(deskBodies(h, key).filter((t) => t.endsWith('\nthe real comment'))).toHaveLength(1);
    });

    test('a deleted ticket resolves the pair and is not re-created; other pairs keep syncing', async () => {
      h = await startHarness({ world });
      const a = await pairFromGoogle(h);
      const b = await pairFromDesk(h, 'stays');
      h.desk.deleteTicket(a.key);
      h.google.addComment(a.name, { body: 'anyone there?', displayName: 'Alex' });
      h.desk.addComment(b.key, { body: 'still here', displayName: 'Sam' });
      await h.round();
      await h.round();
      expect(h.connector.localQueue!.stats().pending).toBe(0);
      expect(h.desk.getTicket(a.key)).toBeNull();
      expect(h.desk.listTickets().filter((t) => t.summary === 'limits')).toHaveLength(0); // not re-created
      expect(googleBodies(h, b.name).filter((x) => x.endsWith('\nstill here'))).toHaveLength(1);
      const mapping = await h.connector.store.findByGoogleCase(a.name);
      expect(mapping?.resolvedAt).not.toBeNull();
      expect(
        h.logs.filter((l) => l.severity === 'ERROR' && l.message === 'ticket gone; pair resolved'),
      ).toHaveLength(1);
      // Resolved: later Google comments are left alone (no retries, nothing re-created).
      h.google.addComment(a.name, { body: 'hello?', displayName: 'Alex' });
      await h.round();
      expect(h.desk.listTickets()).toHaveLength(1);
      expect(h.logs.filter((l) => l.message === 'ticket gone; pair resolved')).toHaveLength(1);
      expect(failedTasks(h)).toEqual([]);
    });

    test('the sync marker taken off a linked ticket: the pair keeps syncing, nothing is resolved or re-created', async () => {
      h = await startHarness({ world });
      const fromGoogle = await pairFromGoogle(h);
      const fromDesk = await pairFromDesk(h);
      for (const p of [fromGoogle, fromDesk]) h.desk.removeSyncMarker(p.key);
      expect(h.desk.getTicket(fromDesk.key)!.selected).toBe(false);
      await h.round();
      // Past GOOGLE_POLLING_WINDOW (30 minutes), so that the Google poll stops re-reading the
      // cases (which would sync the pairs anyway), then one poll to move its cursor there.
      h.crm.clock.advance(31 * 60_000);
      await h.round();
      // A desk-only change: seen by the poll only where a linked ticket stays selected.
      h.desk.addComment(fromDesk.key, { body: 'desk only', displayName: 'Sam' });
      await h.round();
      expect(h.logs.filter((l) => l.task === 'poll-google').at(-1)).toMatchObject({ changed: 0 });
      expect(googleBodies(h, fromDesk.name).filter((b) => b.endsWith('\ndesk only'))).toHaveLength(
        world.pollsLinkedTicketsWithoutMarker ? 1 : 0,
      );
      // A change on both sides: the Google one syncs the pair both ways, whatever the marker.
      for (const p of [fromGoogle, fromDesk]) {
        h.google.addComment(p.name, { body: `from Google ${p.key}`, displayName: 'Alex' });
        h.desk.addComment(p.key, { body: `from the desk ${p.key}`, displayName: 'Sam' });
      }
      await h.round();
      await h.round();
      for (const p of [fromGoogle, fromDesk]) {
        expect(
          deskBodies(h, p.key).filter((b) => b.endsWith(`\nfrom Google ${p.key}`)),
        ).toHaveLength(1);
        expect(
          googleBodies(h, p.name).filter((b) => b.endsWith(`\nfrom the desk ${p.key}`)),
        ).toHaveLength(1);
        expect((await h.connector.store.findByGoogleCase(p.name))?.resolvedAt).toBeNull();
      }
      expect(googleBodies(h, fromDesk.name).filter((b) => b.endsWith('\ndesk only'))).toHaveLength(
        1,
      );
      expect(h.desk.listTickets()).toHaveLength(2);
      expect(h.google.listCases()).toHaveLength(2);
      expect(failedTasks(h)).toEqual([]);
    });

    test('a priority the map does not know: not mirrored, nothing crashes; a later Google change wins', async () => {
      h = await startHarness({ world });
      const { name, key } = await pairFromDesk(h);
      expect(h.google.getCase(name).priority).toBe('P2');
      h.desk.setUnmappedPriority(key);
      const unmapped = h.desk.getTicket(key)!.priority;
      await h.round();
      await h.round();
      expect(h.google.getCase(name).priority).toBe('P2'); // not mirrored
      expect(h.desk.getTicket(key)!.priority).toBe(unmapped); // not overwritten either
      expect(failedTasks(h)).toEqual([]);
      h.google.setPriority(name, 'P1');
      await h.round();
      expect(h.desk.getTicket(key)!.priority).toBe(world.deskPriority('P1'));
      expect(h.google.getCase(name).priority).toBe('P1');
      expect(failedTasks(h)).toEqual([]);
    });

    test('a Google case outside SUPPORT_PARENT is logged and dropped', async () => {
      h = await startHarness({ world });
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
      expect(h.desk.listTickets()).toHaveLength(0);
      expect(
        h.logs.some(
          (l) => l.severity === 'ERROR' && l.message === 'case outside SUPPORT_PARENT dropped',
        ),
      ).toBe(true);
    });
  },
);

describe('limits and bad input: Jira only', () => {
  test('Jira ADF with mentions, code, tables and links arrives in Google as readable text', async () => {
    const jh = await startHarness({ world: jiraWorld });
    h = jh;
    const { name, key } = await pairFromGoogle(jh);
    const jira = jh.crm.sim;
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
    jira.addComment(key, { adf, displayName: 'Sam' });
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

  test('a Jira ticket moved to another project keeps syncing by its id', async () => {
    const jh = await startHarness({ world: jiraWorld });
    h = jh;
    const b = await pairFromDesk(jh, 'will move');
    const jira = jh.crm.sim;
    const id = jira.getIssue(b.key)!.id;
    jira.moveIssue(b.key, 'OPS');
    const moved = jira.getIssue(id)!;
    expect(moved.key.startsWith('OPS-')).toBe(true);
    jira.addComment(moved.key, { body: 'still here after the move', displayName: 'Sam' });
    h.google.addComment(b.name, { body: 'and Google follows', displayName: 'Alex' });
    await jh.round();
    await jh.round();
    expect(jh.connector.localQueue!.stats().pending).toBe(0);
    expect(
      googleBodies(jh, b.name).filter((c) => c.endsWith('still here after the move')),
    ).toHaveLength(1);
    expect(
      jira.getIssue(id)!.comments.filter((c) => c.bodyText.endsWith('\nand Google follows')),
    ).toHaveLength(1);
    expect((await jh.connector.store.findByGoogleCase(b.name))?.resolvedAt).toBeNull();
  });
});

describe('limits and bad input: Zendesk only', () => {
  test('a Google file over Zendesk`s 50 MB limit is never sent: one comment names it and the limit', async () => {
    const zh = await startHarness({ world: zendeskWorld });
    h = zh;
    const { name, key } = await pairFromGoogle(zh);
    zh.google.addAttachment(name, { filename: 'disk.img', content: Buffer.alloc(51 * MB) });
    await zh.round();
    await zh.round();
    const t = zh.desk.getTicket(key)!;
    expect(t.attachments).toEqual([]);
    expect(t.comments.map((c) => c.body)).toEqual([
      '[Attachment not mirrored] "disk.img" (51.0 MB) from the Google case exceeds the Zendesk upload limit of 50.0 MB.',
    ]);
    // Planned from the limit: the bytes never left Google, nothing was uploaded.
    expect(zh.crm.sim.stats().byRoute['POST /api/v2/uploads'] ?? 0).toBe(0);
    expect(zh.google.getCase(name).comments.some((c) => c.body.includes('disk.img'))).toBe(false);
    expect(failedTasks(zh)).toEqual([]);
  });

  test('a Google comment and file for a closed (read-only) ticket are logged and dropped, not retried; the closure still reaches Google', async () => {
    const zh = await startHarness({ world: zendeskWorld });
    h = zh;
    const { name, key } = await pairFromGoogle(zh);
    // Zendesk closes a solved ticket by itself after a few days; closed tickets refuse
    // every update (SPEC §6.1). Meanwhile Google support writes once more.
    zh.crm.clock.advance(1000);
    zh.crm.sim.setStatus(Number(key), 'closed');
    const g = zh.google.addComment(name, { body: 'one more thing', displayName: 'Alex' });
    zh.google.addAttachment(name, { filename: 'late.txt', content: Buffer.from('late') });
    await zh.round();

    const t = zh.desk.getTicket(key)!;
    expect(t.comments).toEqual([]);
    expect(t.attachments).toEqual([]);
    const dropped = zh.logs.filter((l) => l.message === 'item dropped: the target is read-only');
    expect(dropped.map((l) => `${String(l.item)} ${String(l.side)}`).sort()).toEqual([
      'attachment google',
      'comment google',
    ]);
    expect(dropped.find((l) => l.item === 'comment')).toMatchObject({
      severity: 'WARNING',
      sourceId: g.name.split('/').pop(),
    });
    // Nothing lost elsewhere: the ticket's closure closed the case, and the pair resolved.
    expect(zh.google.getCase(name).state).toBe('CLOSED');
    expect((await zh.connector.store.findByGoogleCase(name))?.resolvedAt).not.toBeNull();
    expect(failedTasks(zh)).toEqual([]);

    // Not retried: later rounds (the polls' windows still see both sides) try nothing again.
    const attempts = dropped.length;
    await zh.round();
    await zh.round();
    expect(
      zh.logs.filter((l) => l.message === 'item dropped: the target is read-only'),
    ).toHaveLength(attempts);
    expect(
      zh.logs.filter((l) => l.message === 'zendesk ticket closed: write dropped'),
    ).toHaveLength(attempts);
    expect(zh.connector.localQueue!.stats().pending).toBe(0);
  });
});

// What only a ServiceNow instance does to the connector, for both tables: its business
// rules, its dictionary and its ACLs, each with one clear outcome (a log line, the task's
// outcome) and nothing lost elsewhere. (A deleted record is the shared scenario above; the
// simulator models these as README "With ServiceNow" lists.)
describe.each([servicenowIncidentWorld, servicenowCaseWorld].map((w) => [w.table, w] as const))(
  'limits and bad input: ServiceNow only (%s)',
  (table, world) => {
    const start = async (): Promise<DeskHarness<ServiceNowSimulator>> => {
      const sh = await startHarness({ world });
      h = sh;
      return sh;
    };
    const refusals = (sh: DeskHarness<unknown>) =>
      sh.logs.filter(
        (l) =>
          l.message ===
          'servicenow refused the request (ACL, data policy or business rule): dropped',
      );

    test('a business rule refusing work notes: that Google comment is dropped once with ServiceNow`s message logged; the rest of the pair syncs', async () => {
      const sh = await start();
      const { name, key } = await pairFromGoogle(sh);
      sh.crm.sim.addBusinessRule({ table, field: 'work_notes', message: 'Work notes are frozen' });
      const g = sh.google.addComment(name, { body: 'refused by the rule', displayName: 'Alex' });
      sh.desk.addComment(key, { body: 'customer-visible reply', displayName: 'Sam' });
      sh.google.setPriority(name, 'P1');
      await sh.round();
      await sh.round();
      // ServiceNow's own words reach the operator, once; the item is recorded as dropped.
      expect(refusals(sh)).toEqual([
        expect.objectContaining({
          severity: 'WARNING',
          op: `PATCH ${table} (comment)`,
          snDetail: 'Work notes are frozen',
        }),
      ]);
      expect(sh.logs.filter((l) => l.message === 'item dropped: the target is read-only')).toEqual([
        expect.objectContaining({
          item: 'comment',
          side: 'google',
          sourceId: g.name.split('/').pop(),
        }),
      ]);
      expect(deskBodies(sh, key)).toEqual(['customer-visible reply']);
      // The rest of the pair: the ServiceNow comment reached Google, the priority the record.
      expect(
        googleBodies(sh, name).filter((b) => b.endsWith('\ncustomer-visible reply')),
      ).toHaveLength(1);
      expect(sh.desk.getTicket(key)!.priority).toBe(world.deskPriority('P1'));
      // Not retried: later syncs of the pair (Google changes again) do not send it again.
      sh.google.addComment(name, { body: 'second try', displayName: 'Alex' });
      await sh.round();
      expect(refusals(sh)).toHaveLength(2); // the new comment, refused once
      expect(failedTasks(sh)).toEqual([]);
      expect(sh.connector.localQueue!.stats().pending).toBe(0);
    });

    test('a field of the sync query missing from the table: the boot fails naming it, and nothing syncs (the ignored term would sync every record)', async () => {
      const sh = await start();
      sh.crm.sim.dropField(table, 'u_sync_google_cloud_support');
      // Had the instance's silently ignored query term been used, this record would sync.
      sh.desk.createTicket({ summary: 'would widen the sync', description: 'd', priority: 'P2' });
      sh.google.createCase({
        parent: PARENT,
        displayName: 'waits',
        description: 'd',
        priority: 'P2',
      });
      await expect(sh.connector.ready()).rejects.toThrow(
        `SERVICENOW_TABLE=${table} has no field u_sync_google_cloud_support`,
      );
      expect((await sh.cron('/tasks/poll-company')).status).toBe(500);
      expect(sh.logs.filter((l) => l.route === '/tasks/poll-company').at(-1)).toMatchObject({
        severity: 'ERROR',
        error: 'ConfigError',
      });
      // (server.ts's main() stops the boot on this error, so no sync task runs on App Engine.)
      await sh.connector.localQueue!.idle();
      expect(sh.google.listCases()).toHaveLength(1); // the person's own case only
      expect(sh.desk.listTickets()).toHaveLength(1); // the person's own record only
      expect(sh.crm.sim.listRecords(table).every((r) => r.correlation_id === '')).toBe(true);
    });

    test('the journal hidden from the integration user: the sync says which grant is missing, writes no comment twice, and catches up once readable', async () => {
      const sh = await start();
      const { name, key } = await pairFromGoogle(sh);
      sh.crm.sim.setJournalReadable(false);
      sh.google.addComment(name, { body: 'while hidden', displayName: 'Alex' });
      sh.desk.addComment(key, { body: 'desk while hidden', displayName: 'Sam' });
      await sh.round();
      await sh.round();
      const unreadable = sh.logs.filter(
        (l) => l.message === 'servicenow journal not readable: grant read on sys_journal_field',
      );
      expect(unreadable.length).toBeGreaterThan(0);
      expect(unreadable[0]).toMatchObject({ severity: 'ERROR', table });
      expect(failedTasks(sh).map((l) => l.message)).toEqual(
        expect.arrayContaining(['task dropped: permanent failure']),
      );
      expect(failedTasks(sh).every((l) => l.message === 'task dropped: permanent failure')).toBe(
        true,
      );
      expect(sh.connector.localQueue!.stats().pending).toBe(0); // dropped, not retried forever
      // Nothing crossed while unreadable; nothing was written twice either.
      expect(googleBodies(sh, name).filter((b) => b.includes('desk while hidden'))).toEqual([]);
      expect(
        deskBodies(sh, key).filter((b) => b.endsWith('\nwhile hidden')).length,
      ).toBeLessThanOrEqual(1);
      // Once readable (the grant made), a change of the pair catches up on both, once each.
      sh.crm.sim.setJournalReadable(true);
      sh.google.addComment(name, { body: 'after the grant', displayName: 'Alex' });
      await sh.round();
      await sh.round();
      expect(deskBodies(sh, key).filter((b) => b.endsWith('\nwhile hidden'))).toHaveLength(1);
      expect(deskBodies(sh, key).filter((b) => b.endsWith('\nafter the grant'))).toHaveLength(1);
      expect(googleBodies(sh, name).filter((b) => b.endsWith('\ndesk while hidden'))).toHaveLength(
        1,
      );
    });
  },
);
