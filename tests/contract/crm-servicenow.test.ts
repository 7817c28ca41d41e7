// The Crm contract for ServiceNowCrm, over HTTP against the ServiceNow simulator, once per
// table (incident and sn_customerservice_case).
import { ServiceNowCrm } from '../../src/adapters/servicenow/servicenow-crm';
import {
  defaultServiceNowPriorityMap,
  priorityFromServiceNow,
  serviceNowPriorityFields,
  type ServiceNowTable,
} from '../../src/domain/servicenow-priority';
import { DEFAULT_SERVICENOW_SYNC_QUERY } from '../../src/domain/servicenow-query';
import { startServiceNowSimulator } from '../../src/sandbox/servicenow';
import type { Priority } from '../../src/domain/types';
import { FakeClock } from '../support/fake-clock';
import { describeCrm, type ObservedTicket } from './crm.contract';

const PAGE_SIZE = 2;

for (const table of [
  'incident',
  'sn_customerservice_case',
] as const satisfies readonly ServiceNowTable[]) {
  describeCrm(`ServiceNowCrm (${table}) on the ServiceNow simulator`, async () => {
    const clock = new FakeClock();
    const sim = await startServiceNowSimulator({ now: () => clock.now(), maxAttachmentMb: 1 });
    const map = defaultServiceNowPriorityMap(table);
    const crm = new ServiceNowCrm({
      instanceUrl: sim.url,
      auth: { kind: 'oauth', clientId: sim.oauthClientId, clientSecret: sim.oauthClientSecret },
      table,
      pageSize: PAGE_SIZE,
      requestTimeoutMs: 5000,
      now: () => clock.ms,
      retry: { maxAttempts: 1 },
    });
    const record = (id: string) => {
      const found = sim.getRecord(id);
      if (!found) throw new Error(`no record ${id}`);
      return found;
    };
    return {
      crm,
      close: () => sim.close(),
      world: {
        unknownTicketId: 'f'.repeat(32),
        unknownAttachmentId: 'e'.repeat(32),
        pageSize: PAGE_SIZE,
        createTicket: async (o) =>
          sim.createRecord(table, {
            short_description: o.summary,
            description: o.description ?? 'opened by an agent',
            selected: o.selected !== false,
          }).sys_id,
        addComment: async (id, body, o) => {
          sim.addJournal(id, { body, element: o.public ? 'comments' : 'work_notes' });
        },
        addAttachment: async (id, filename, content) => {
          sim.addAttachment(id, { filename, content });
        },
        setPriority: async (id, p) => {
          sim.update(id, serviceNowPriorityFields(map, p));
        },
        close: async (id) => sim.resolve(id),
        deleteTicket: async (id) => sim.deleteRecord(id),
        readTicket: async (id): Promise<ObservedTicket> => {
          const r = record(id);
          return {
            summary: r.short_description,
            // The level mark the connector leaves in correlation_display (P3 and P4 share case priority 4).
            priority: (() => {
              const byValue = priorityFromServiceNow(map, r);
              const m = / \(P([0-4])\)$/.exec(r.correlation_display);
              const marked = m ? (Number(m[1]) as Priority) : null;
              return marked !== null &&
                Object.entries(serviceNowPriorityFields(map, marked)).every(
                  ([k, v]) => r.fields[k] === v,
                )
                ? marked
                : byValue;
            })(),
            closed:
              table === 'incident'
                ? ['6', '7', '8'].includes(r.state)
                : ['3', '6'].includes(r.state),
            googleCaseName: r.correlation_id === '' ? null : r.correlation_id,
            selected: sim.matchesQuery(id, DEFAULT_SERVICENOW_SYNC_QUERY),
            comments: r.journal.map((j) => ({ body: j.value, isPublic: j.element === 'comments' })),
            attachments: r.attachments.map((a) => ({ filename: a.file_name, bytes: a.content })),
          };
        },
        now: () => clock.now(),
        advance: (ms) => void clock.advance(ms),
        // The Table API is read-your-writes: nothing to wait for.
        settle: () => undefined,
      },
    };
  });
}
