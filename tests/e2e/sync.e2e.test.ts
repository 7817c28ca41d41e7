// End-to-end scenarios through the real app (server.ts wiring), the Google simulator and
// one CRM simulator over HTTP, the memory store and the local queue; run once per CRM
// (SPEC §6; the CRM differences live in tests/support/crm-worlds.ts). Each test builds its
// own harness.
import { startHarness, PARENT, type DeskHarness } from '../support/e2e-harness';
import { CRMS } from '../support/crm-worlds';
import { GOOGLE_WRITE_ROUTES } from '../../src/sandbox/google';

let h: DeskHarness;
afterEach(async () => {
  await h?.close();
});

function onlyTicket(harness: DeskHarness) {
  const tickets = harness.desk.listTickets();
  expect(tickets).toHaveLength(1);
  return tickets[0]!;
}

function onlyCase(harness: DeskHarness) {
  const cases = harness.google.listCases();
  expect(cases).toHaveLength(1);
  return harness.google.getCase(cases[0]!.name)!;
}

describe.each(CRMS.map((world) => [world.label, world] as const))(
  'end to end over HTTP (%s)',
  (_name, world) => {
    const start = (opts: { duplicateDelivery?: number } = {}) => startHarness({ world, ...opts });
    const ticket = (key: string) => h.desk.getTicket(key)!;

    test('a Google case becomes one ticket and the case is told once', async () => {
      h = await start();
      const c = h.google.createCase({
        parent: PARENT,
        displayName: 'VM unreachable',
        description: 'Since 09:00.',
        priority: 'P1',
      });
      await h.round();
      await h.round();
      const t = onlyTicket(h);
      expect(t.summary).toBe('VM unreachable');
      expect(t.description.startsWith('CONTENT MIRRORED FROM GOOGLE SUPPORT:')).toBe(true);
      expect(t.description).toContain('Since 09:00.');
      expect(t.priority).toBe(world.deskPriority('P1'));
      expect(t.selected).toBe(true);
      const gc = h.google.getCase(c.name)!;
      const notices = gc.comments.filter(
        (x) => x.body === `This case is now syncing with Company Case: ${t.key}`,
      );
      expect(notices).toHaveLength(1);
      expect(h.google.listCases()).toHaveLength(1);
    });

    test('a ticket selected for sync becomes one Google case', async () => {
      h = await start();
      const i = h.desk.createTicket({
        summary: 'Quota exceeded',
        description: 'Nightly loads fail.',
        priority: 'P0',
      });
      await h.round();
      await h.round();
      const gc = onlyCase(h);
      expect(gc.displayName).toBe('Quota exceeded');
      expect(gc.description.startsWith(`CONTENT MIRRORED FROM COMPANY CASE ${i.key}:`)).toBe(true);
      expect(gc.priority).toBe('P0');
      expect(h.desk.listTickets()).toHaveLength(1);
      expect(ticket(i.key).comments).toHaveLength(0);
    });

    test('comments cross both ways in order, attributed, without echo', async () => {
      h = await start();
      const c = h.google.createCase({
        parent: PARENT,
        displayName: 'Disk errors',
        description: 'd',
        priority: 'P2',
      });
      await h.round();
      const key = onlyTicket(h).key;
      h.google.addComment(c.name, { body: 'G1: which zone?', displayName: 'Alex' });
      h.google.addComment(c.name, { body: 'G2: and which disk type?', displayName: 'Alex' });
      h.desk.addComment(key, { body: 'J1: europe-west1-b', displayName: 'Sam' });
      h.desk.addComment(key, { body: 'J2: pd-ssd', displayName: 'Sam', public: false });
      await h.round();
      await h.round();
      await h.round();
      const t = ticket(key);
      const mirrored = t.comments.filter((x) => x.body.startsWith('[Google Comment'));
      expect(mirrored.map((x) => x.body.split('\n')[1])).toEqual([
        'G1: which zone?',
        'G2: and which disk type?',
      ]);
      expect(mirrored[0]!.body.split('\n')[0]).toMatch(/^\[Google Comment \d+ by Alex\]$/);
      expect(mirrored.every((x) => x.public === false)).toBe(true); // *_GOOGLE_COMMENTS_VISIBILITY=internal
      const gc = h.google.getCase(c.name)!;
      const fromDesk = gc.comments.filter((x) => x.body.startsWith('[Company Comment'));
      expect(fromDesk.map((x) => x.body.split('\n')[1])).toEqual([
        'J1: europe-west1-b',
        'J2: pd-ssd',
      ]);
      // The CRM comment's own id, in the CRM's form (crm-worlds.ts: commentIdPattern).
      for (const x of fromDesk)
        expect(x.body.split('\n')[0]).toMatch(
          new RegExp(`^\\[Company Comment ${world.commentIdPattern} by Sam\\]$`),
        );
      // No echo: nothing mirrored back, counts stable after more rounds.
      const before = [ticket(key).comments.length, h.google.getCase(c.name)!.comments.length];
      await h.round();
      expect([ticket(key).comments.length, h.google.getCase(c.name)!.comments.length]).toEqual(
        before,
      );
      expect(t.comments.some((x) => x.body.includes('[Company Comment'))).toBe(false);
      expect(gc.comments.some((x) => x.body.includes('[Google Comment'))).toBe(false);
    });

    test('attachments cross both ways byte-identical', async () => {
      h = await start();
      const c = h.google.createCase({
        parent: PARENT,
        displayName: 'Logs',
        description: 'd',
        priority: 'P3',
      });
      await h.round();
      const key = onlyTicket(h).key;
      const big = Buffer.alloc(3 * 1024 * 1024 + 7);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) % 251;
      h.google.addAttachment(c.name, {
        filename: 'trace ü.bin',
        mimeType: 'application/octet-stream',
        content: big,
      });
      h.desk.addAttachment(key, {
        filename: 'empty.txt',
        mimeType: 'text/plain',
        content: Buffer.alloc(0),
      });
      h.desk.addAttachment(key, {
        filename: '日本.log',
        mimeType: 'text/plain',
        content: Buffer.from('line 1\nline 2\n'),
      });
      await h.round();
      await h.round();
      const t = ticket(key);
      const gotBig = t.attachments.find((a) => a.filename === 'trace ü.bin');
      expect(gotBig && Buffer.compare(gotBig.content, big)).toBe(0);
      const gc = h.google.getCase(c.name)!;
      expect(gc.attachments.find((a) => a.filename === 'empty.txt')?.content.length).toBe(0);
      expect(gc.attachments.find((a) => a.filename === '日本.log')?.content.toString()).toBe(
        'line 1\nline 2\n',
      );
      // Nothing comes back: each side holds its own file plus the mirrored ones, once.
      await h.round();
      expect(ticket(key).attachments).toHaveLength(3);
      expect(h.google.getCase(c.name)!.attachments).toHaveLength(3);
    });

    test('priority crosses both ways', async () => {
      h = await start();
      const c = h.google.createCase({
        parent: PARENT,
        displayName: 'P',
        description: 'd',
        priority: 'P3',
      });
      await h.round();
      const key = onlyTicket(h).key;
      expect(ticket(key).priority).toBe(world.deskPriority('P3'));
      h.google.setPriority(c.name, 'P1');
      await h.round();
      expect(ticket(key).priority).toBe(world.deskPriority('P1'));
      h.desk.setPriority(key, 'P4');
      await h.round();
      expect(h.google.getCase(c.name)!.priority).toBe(world.googlePriorityOf('P4'));
    });

    test('closing on Google closes the ticket; closing the ticket closes the case', async () => {
      h = await start();
      const c = h.google.createCase({
        parent: PARENT,
        displayName: 'close me',
        description: 'd',
        priority: 'P2',
      });
      const i = h.desk.createTicket({ summary: 'close me too', description: 'd', priority: 'P2' });
      await h.round();
      await h.round();
      const ticketForCase = h.desk.listTickets().find((x) => x.key !== i.key)!;
      const caseForTicket = h.google.listCases().find((x) => x.name !== c.name)!;
      h.google.closeCase(c.name);
      h.desk.close(i.key);
      await h.round();
      expect(ticket(ticketForCase.key).closed).toBe(true);
      expect(h.google.getCase(caseForTicket.name)!.state).toBe('CLOSED');
    });

    test('a re-sync of an unchanged pair writes nothing upstream', async () => {
      h = await start();
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
      const deskWritesBefore = h.desk.writeCount();
      const deskRequestsBefore = h.desk.requestCount();
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
      expect(googleReads).toBeGreaterThan(0); // the sync did run and read both sides
      expect(h.desk.requestCount()).toBeGreaterThan(deskRequestsBefore);
      expect(googleWrites).toBe(0);
      expect(h.desk.writeCount() - deskWritesBefore).toBe(0);
    });

    test('the same sync task delivered five times at once creates one ticket and no duplicate comment', async () => {
      h = await start({ duplicateDelivery: 5 });
      const c = h.google.createCase({
        parent: PARENT,
        displayName: 'dup',
        description: 'd',
        priority: 'P2',
      });
      h.google.addComment(c.name, { body: 'only once please', displayName: 'Alex' });
      for (let i = 0; i < 4; i++) await h.round();
      const t = onlyTicket(h);
      expect(t.comments.filter((x) => x.body.includes('only once please'))).toHaveLength(1);
      expect(
        h.google
          .getCase(c.name)!
          .comments.filter((x) => x.body.startsWith('This case is now syncing')),
      ).toHaveLength(1);
    });
  },
);
