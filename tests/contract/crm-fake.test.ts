// The Crm contract for FakeCrm, the fake the use-case tests rely on.
import { FakeClock } from '../support/fake-clock';
import { FakeCrm } from '../support/fake-crm';
import { filesIn } from './port-contract-helpers';
import { describeCrm } from './crm.contract';

const SEARCH_LAG_MS = 1000;
const PAGE_SIZE = 2;

describeCrm('FakeCrm', async () => {
  const clock = new FakeClock();
  const crm = new FakeCrm(clock, {
    pageSize: PAGE_SIZE,
    searchLagMs: SEARCH_LAG_MS,
    uploadLimitBytes: 64 * 1024,
  });
  return {
    crm,
    close: async () => undefined,
    world: {
      unknownTicketId: '999999',
      unknownAttachmentId: '999999',
      pageSize: PAGE_SIZE,
      createTicket: async (o) => crm.person.createTicket(o).id,
      addComment: async (id, body, o) =>
        void crm.person.addComment(id, body, { isPublic: o.public }),
      addAttachment: async (id, filename, content) =>
        void crm.person.addAttachment(id, { filename, content }),
      setPriority: async (id, p) => crm.person.setPriority(id, p),
      close: async (id) => crm.person.close(id),
      deleteTicket: async (id) => crm.person.deleteTicket(id),
      readTicket: async (id) => {
        const t = crm.ticket(id);
        return {
          summary: t.summary,
          priority: t.priority,
          closed: t.closed,
          googleCaseName: t.googleCaseName,
          selected: t.selected,
          comments: crm.comments(id).map((c) => ({ body: c.body, isPublic: c.isPublic })),
          attachments: filesIn(crm, id),
        };
      },
      now: () => clock.now(),
      advance: (ms) => void clock.advance(ms),
      settle: () => void clock.advance(SEARCH_LAG_MS + 1),
    },
  };
});
