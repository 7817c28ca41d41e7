// The Crm contract for ZendeskCrm, over HTTP against the Zendesk simulator.
import { ZendeskCrm } from '../../src/adapters/zendesk/zendesk-crm';
import { DEFAULT_ZENDESK_SYNC_TAG } from '../../src/domain/settings';
import { DEFAULT_ZENDESK_PRIORITIES, priorityFromZendesk } from '../../src/domain/zendesk-priority';
import { startZendeskSimulator } from '../../src/sandbox/zendesk';
import { FakeClock } from '../support/fake-clock';
import { describeCrm, type ObservedTicket } from './crm.contract';

/** The export gives nothing for the most recent minute. */
const EXPORT_LAG_MS = 61_000;
const PAGE_SIZE = 2;
const LEVEL_TAG = /^google-priority-p([0-4])$/;

describeCrm('ZendeskCrm on the Zendesk simulator', async () => {
  const clock = new FakeClock();
  const sim = await startZendeskSimulator({
    now: () => clock.now(),
    uploadLimitBytes: 64 * 1024,
    exportRequestsPerMinute: 0,
    perTicketUpdateLimit: false,
  });
  const crm = new ZendeskCrm({
    baseUrl: sim.url,
    auth: { kind: 'oauth', clientId: sim.oauthClientId, clientSecret: sim.oauthClientSecret },
    pageSize: PAGE_SIZE,
    uploadLimitBytes: 64 * 1024,
    requestTimeoutMs: 5000,
    now: () => clock.ms,
    retry: { maxAttempts: 1 },
  });
  const ticket = (id: string) => {
    const found = sim.getTicket(Number(id));
    if (!found) throw new Error(`no ticket ${id}`);
    return found;
  };
  return {
    crm,
    close: () => sim.close(),
    world: {
      unknownTicketId: '999999',
      unknownAttachmentId: '999999',
      pageSize: PAGE_SIZE,
      createTicket: async (o) =>
        String(
          sim.createTicket({
            subject: o.summary,
            description: o.description ?? 'opened by an agent',
            tags: o.selected === false ? [] : [DEFAULT_ZENDESK_SYNC_TAG],
            requesterName: 'Alice Agent',
          }).id,
        ),
      addComment: async (id, body, o) => {
        sim.addComment(Number(id), { body, public: o.public, authorName: 'Alice Agent' });
      },
      addAttachment: async (id, filename, content) => {
        sim.addAttachment(Number(id), { filename, content, authorName: 'Alice Agent' });
      },
      setPriority: async (id, p) =>
        sim.setPriority(Number(id), DEFAULT_ZENDESK_PRIORITIES.toZendesk[p]),
      close: async (id) => sim.setStatus(Number(id), 'solved'),
      deleteTicket: async (id) => sim.deleteTicket(Number(id)),
      readTicket: async (id): Promise<ObservedTicket> => {
        const t = ticket(id);
        const levelTag = t.tags.map((x) => LEVEL_TAG.exec(x)).find((m) => m !== null);
        const byValue = priorityFromZendesk(DEFAULT_ZENDESK_PRIORITIES, t.priority);
        const tagged = levelTag ? (Number(levelTag[1]) as 0 | 1 | 2 | 3 | 4) : null;
        return {
          summary: t.subject,
          priority:
            tagged !== null && DEFAULT_ZENDESK_PRIORITIES.toZendesk[tagged] === t.priority
              ? tagged
              : byValue,
          closed: t.status === 'solved' || t.status === 'closed',
          googleCaseName: t.external_id,
          selected: t.tags.includes(DEFAULT_ZENDESK_SYNC_TAG),
          // The first comment is the description.
          comments: t.comments.slice(1).map((c) => ({ body: c.body, isPublic: c.public })),
          attachments: t.comments.flatMap((c) =>
            c.attachments.map((a) => ({ filename: a.file_name, bytes: a.content })),
          ),
        };
      },
      now: () => clock.now(),
      advance: (ms) => void clock.advance(ms),
      settle: () => void clock.advance(EXPORT_LAG_MS),
    },
  };
});
