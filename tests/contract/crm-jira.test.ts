// The Crm contract for JiraCrm, over HTTP against the Jira simulator.
import { GOOGLE_CASE_PROPERTY, JiraCrm } from '../../src/adapters/jira/jira-crm';
import { DEFAULT_JIRA_PRIORITY_NAMES as DEFAULT_PRIORITY_NAMES } from '../../src/domain/priority';
import { DEFAULT_SYNC_LABEL } from '../../src/domain/settings';
import { PRIORITIES, type Priority } from '../../src/domain/types';
import { startJiraSimulator } from '../../src/sandbox/jira';
import { FakeClock } from '../support/fake-clock';
import { describeCrm, type ObservedTicket } from './crm.contract';

const SEARCH_LAG_MS = 1000;
const PAGE_SIZE = 2;

function priorityOf(name: string): Priority | null {
  return PRIORITIES.find((p) => DEFAULT_PRIORITY_NAMES[p] === name) ?? null;
}

describeCrm('JiraCrm on the Jira simulator', async () => {
  const clock = new FakeClock();
  const sim = await startJiraSimulator({
    now: () => clock.now(),
    searchLagMs: SEARCH_LAG_MS,
    uploadLimitBytes: 64 * 1024,
    perIssueWriteLimits: false,
  });
  const crm = new JiraCrm({
    baseUrl: sim.url,
    email: sim.email,
    apiToken: sim.apiToken,
    projectKey: 'SUP',
    pageSize: PAGE_SIZE,
    requestTimeoutMs: 5000,
    perIssueWriteLimits: false,
    retry: { maxAttempts: 1 },
  });
  const issue = (id: string) => {
    const found = sim.getIssue(id);
    if (!found) throw new Error(`no issue ${id}`);
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
        sim.createIssue({
          summary: o.summary,
          description: o.description,
          labels: o.selected === false ? [] : [DEFAULT_SYNC_LABEL],
        }).id,
      addComment: async (id, body, o) => {
        sim.addComment(id, { body, displayName: 'Alice Agent', public: o.public });
      },
      addAttachment: async (id, filename, content) => {
        sim.addAttachment(id, { filename, content, displayName: 'Alice Agent' });
      },
      setPriority: async (id, p) => sim.setPriority(id, DEFAULT_PRIORITY_NAMES[p]),
      close: async (id) => sim.transition(id, 'Done'),
      deleteTicket: async (id) => sim.deleteIssue(id),
      readTicket: async (id): Promise<ObservedTicket> => {
        const i = issue(id);
        const link = i.properties[GOOGLE_CASE_PROPERTY] as { name?: string } | undefined;
        return {
          summary: i.summary,
          priority: priorityOf(i.priority),
          closed: i.statusCategory === 'done',
          googleCaseName: link?.name ?? null,
          selected: i.labels.includes(DEFAULT_SYNC_LABEL),
          comments: i.comments.map((c) => ({ body: c.bodyText, isPublic: c.public })),
          attachments: i.attachments.map((a) => ({ filename: a.filename, bytes: a.content })),
        };
      },
      now: () => clock.now(),
      advance: (ms) => void clock.advance(ms),
      settle: () => void clock.advance(SEARCH_LAG_MS + 1),
    },
  };
});
