// The ServiceNow desk world (tests/support/servicenow-world.ts) keeps its promises, checked
// through the connector's own view (ServiceNowCrm with the world's connector env): what a
// person does through the driver is what the adapter reads, the priority claims hold, the
// ids have the forms the world states, and what the connector writes reads back through
// the driver.
import { ServiceNowCrm } from '../../src/adapters/servicenow/servicenow-crm';
import { priorityToGoogle } from '../../src/domain/priority';
import { servicenowWorld } from '../support/servicenow-world';

const GOOGLE_PRIORITIES = ['P0', 'P1', 'P2', 'P3', 'P4'] as const;

for (const table of ['incident', 'sn_customerservice_case'] as const) {
  describe(`servicenowWorld(${table})`, () => {
    it('drives the simulator as a person; the adapter sees it; the connector’s writes read back', async () => {
      const world = servicenowWorld(table);
      const desk = await world.start();
      try {
        const env = desk.connectorEnv;
        expect(env).toMatchObject({ CRM: 'servicenow', SERVICENOW_TABLE: table });
        const crm = new ServiceNowCrm({
          instanceUrl: env['SERVICENOW_INSTANCE_URL'] as string,
          auth: {
            kind: 'oauth',
            clientId: env['SERVICENOW_OAUTH_CLIENT_ID'] as string,
            clientSecret: env['SERVICENOW_OAUTH_CLIENT_SECRET'] as string,
          },
          table,
          now: () => desk.clock.now().getTime(),
        });
        const before = new Date(desk.clock.now().getTime() - 1000);
        const { key } = desk.driver.createTicket({
          summary: 'Disk full',
          description: 'On vm-1',
          priority: 'P1',
        });
        expect(key).toMatch(table === 'incident' ? /^INC\d{7}$/ : /^CS\d{7}$/);
        desk.driver.addComment(key, { body: 'Any news?', displayName: 'Sam' });
        desk.driver.addComment(key, { body: 'internal', displayName: 'Sam', public: false });
        desk.driver.addAttachment(key, {
          filename: 'df.txt',
          mimeType: 'text/plain',
          content: Buffer.from('100%'),
        });
        const found = [];
        let token: string | undefined;
        do {
          const page = await crm.searchUpdated(before, token);
          found.push(...page.items);
          token = page.nextPageToken;
        } while (token);
        const t = found.find((x) => x.key === key);
        expect(t).toMatchObject({
          summary: 'Disk full',
          description: 'On vm-1',
          priority: 1,
          closed: false,
        });
        expect(desk.driver.getTicket(key)?.id).toBe(t!.id);
        const comments = await crm.listComments(t!.id);
        expect(comments.map((c) => [c.body, c.isPublic, c.author.displayName])).toEqual([
          ['Any news?', true, 'Sam'],
          ['internal', false, 'Sam'],
        ]);
        const idForm = new RegExp(`^${world.commentIdPattern}$`);
        for (const c of comments) expect(c.id).toMatch(idForm);
        // Each person action is a second later (whole-second journal times stay in order).
        expect(comments[1]!.createTime.getTime() - comments[0]!.createTime.getTime()).toBe(1000);
        expect((await crm.listAttachments(t!.id)).map((a) => a.filename)).toEqual(['df.txt']);
        for (const p of GOOGLE_PRIORITIES) {
          desk.driver.setPriority(key, p);
          const read = (await crm.get(t!.id))?.priority;
          expect([p, priorityToGoogle(read!)]).toEqual([p, world.googlePriorityOf(p)]);
          expect(desk.driver.getTicket(key)?.priority).toBe(world.deskPriority(p));
        }
        await crm.addComment(t!.id, '[Google Comment 1 by Alex]\nhi', { visibility: 'internal' });
        await crm.close(t!.id);
        const seen = desk.driver.getTicket(key);
        expect(seen).toMatchObject({ selected: true, closed: true });
        expect(seen?.comments.at(-1)).toEqual({
          body: '[Google Comment 1 by Alex]\nhi',
          public: false,
        });
        expect(desk.driver.writeCount()).toBe(2); // the comment PATCH and the close PATCH
        expect(desk.texts()).toContain('Any news?');
        desk.driver.close(key);
        expect(desk.driver.listTickets().map((x) => x.key)).toEqual([key]);

        // The bad inputs the limits suite drives, as the connector sees them.
        const other = desk.driver.createTicket({ summary: 'b', description: 'd', priority: 'P2' });
        const otherId = desk.driver.getTicket(other.key)!.id;
        desk.driver.setUnmappedPriority(other.key);
        const unmapped = desk.driver.getTicket(other.key)!.priority;
        expect(unmapped).not.toBe(world.deskPriority('P2'));
        expect(GOOGLE_PRIORITIES.map((p) => world.deskPriority(p))).not.toContain(unmapped);
        // Incident: read by the derived priority (P2's); case: none.
        expect((await crm.get(otherId))?.priority).toBe(table === 'incident' ? 2 : null);
        desk.driver.removeSyncMarker(other.key);
        expect(desk.driver.getTicket(other.key)?.selected).toBe(false);
        const since = new Date(desk.clock.now().getTime() - 5000);
        const polled = await crm.searchUpdated(since);
        expect(polled.items.map((x) => x.key)).not.toContain(other.key);
        desk.driver.deleteTicket(other.key);
        expect(desk.driver.getTicket(other.key)).toBeNull();
        expect(await crm.get(otherId)).toBeNull();
      } finally {
        await desk.close();
      }
    });
  });
}
