// The ServiceNow desk world (tests/support/servicenow-world.ts) keeps its promises, checked
// through the connector's own view (ServiceNowCrm with the world's connector env): what a
// person does through the driver is what the adapter reads, the priority claims hold, and
// what the connector writes reads back through the driver.
import { ServiceNowCrm } from '../../src/adapters/servicenow/servicenow-crm';
import { priorityToGoogle } from '../../src/domain/priority';
import { servicenowWorld } from '../support/servicenow-world';

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
          now: () => desk.clock?.now().getTime() ?? Date.now(),
        });
        const before = new Date((desk.clock?.now().getTime() ?? Date.now()) - 1000);
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
        const comments = await crm.listComments(t!.id);
        expect(comments.map((c) => [c.body, c.isPublic, c.author.displayName])).toEqual([
          ['Any news?', true, 'Sam'],
          ['internal', false, 'Sam'],
        ]);
        expect((await crm.listAttachments(t!.id)).map((a) => a.filename)).toEqual(['df.txt']);
        for (const p of ['P0', 'P1', 'P2', 'P3', 'P4'] as const) {
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
      } finally {
        await desk.close();
      }
    });
  });
}
