// The ServiceNow desk world for the end-to-end and chaos suites (SPEC §6: they run once per
// CRM): starts the ServiceNow simulator for one table (incident or sn_customerservice_case),
// gives the connector env that points at it, and drives it as an agent would, reading it
// back in the neutral DeskTicket shape of crm-worlds.ts. Where ServiceNow differs:
// - a ticket's key is its number (INC0010001, CS0001001): what the connector writes in texts;
// - priorities: incident `impact/urgency` pairs (P0=1/1 … P4=3/3, all distinct, so every
//   level comes back as itself); case `priority` 1–4 (P3 and P4 share 4, and ServiceNow →
//   Google takes the first level listed, so a person's 4 comes back P3);
// - there is no description comment: the description is a field, comments are journal
//   entries (`comments` public, `work_notes` internal);
// - timestamps are whole seconds, so the simulator and the connector share a clock that each
//   person action moves a second forward (as the Zendesk world does); no test sleeps.
import type { Clock } from '../../src/ports/clock';
import {
  DEFAULT_SERVICENOW_PRIORITY_MAPS,
  parseServiceNowPriorityMap,
  serviceNowPriorityFields,
  type ServiceNowTable,
} from '../../src/domain/servicenow-priority';
import { DEFAULT_SERVICENOW_SYNC_QUERY } from '../../src/domain/servicenow-query';
import {
  startServiceNowSimulator,
  type ServiceNowSimulator,
  type ServiceNowSimulatorOptions,
} from '../../src/sandbox/servicenow';
import type { CrmWorld, DeskDriver, DeskTicket, GooglePriority, StartedDesk } from './crm-worlds';

const GOOGLE_PRIORITIES: readonly GooglePriority[] = ['P0', 'P1', 'P2', 'P3', 'P4'];
const index = (p: GooglePriority): 0 | 1 | 2 | 3 | 4 =>
  GOOGLE_PRIORITIES.indexOf(p) as 0 | 1 | 2 | 3 | 4;

/**
 * The world's shape: crm-worlds.ts's CrmWorld with the name `servicenow` (its CrmName union
 * does not list it yet; once it does, this is `CrmWorld<ServiceNowSimulator, …>`).
 */
export type ServiceNowWorld = Omit<
  CrmWorld<ServiceNowSimulator, ServiceNowSimulatorOptions>,
  'name' | 'start'
> & {
  readonly name: 'servicenow';
  readonly table: ServiceNowTable;
  start(
    opts?: ServiceNowSimulatorOptions,
  ): Promise<Omit<StartedDesk<ServiceNowSimulator>, 'crm'> & { readonly crm: 'servicenow' }>;
};

function steppedClock(): Clock & { step(): void } {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    step: () => {
      offsetMs += 1000;
    },
  };
}

/** The CRM priority (`impact/urgency` or `priority`) of the default map for each level. */
function deskValues(table: ServiceNowTable): readonly string[] {
  const map = parseServiceNowPriorityMap(table, DEFAULT_SERVICENOW_PRIORITY_MAPS[table]);
  return [0, 1, 2, 3, 4].map((p) => map.values[p as 0 | 1 | 2 | 3 | 4]);
}

function isClosed(table: ServiceNowTable, state: string): boolean {
  return table === 'incident' ? ['6', '7', '8'].includes(state) : ['3', '6'].includes(state);
}

function driver(
  sn: ServiceNowSimulator,
  table: ServiceNowTable,
  clock: { step(): void },
): DeskDriver {
  const map = parseServiceNowPriorityMap(table, DEFAULT_SERVICENOW_PRIORITY_MAPS[table]);
  const read = (key: string): DeskTicket | null => {
    const r = sn.getRecord(key);
    if (!r || r.table !== table) return null;
    return {
      key: r.number,
      summary: r.short_description,
      description: r.description,
      priority: table === 'incident' ? `${r.impact}/${r.urgency}` : r.priority,
      selected: sn.matchesQuery(r.sys_id, DEFAULT_SERVICENOW_SYNC_QUERY),
      closed: isClosed(table, r.state),
      comments: r.journal.map((j) => ({ body: j.value, public: j.element === 'comments' })),
      attachments: r.attachments.map((a) => ({ filename: a.file_name, content: a.content })),
    };
  };
  return {
    createTicket: ({ summary, description, priority }) => {
      clock.step();
      const r = sn.createRecord(table, {
        short_description: summary,
        description,
        authorName: 'Sam (Service Desk)',
        fields: serviceNowPriorityFields(map, index(priority)),
      });
      return { key: r.number };
    },
    addComment: (key, c) => {
      clock.step();
      sn.addJournal(key, {
        body: c.body,
        element: c.public === false ? 'work_notes' : 'comments',
        authorName: c.displayName,
      });
    },
    addAttachment: (key, a) => {
      clock.step();
      sn.addAttachment(key, { filename: a.filename, content: a.content, contentType: a.mimeType });
    },
    setPriority: (key, p) => {
      clock.step();
      sn.update(key, serviceNowPriorityFields(map, index(p)));
    },
    close: (key) => {
      clock.step();
      sn.resolve(key);
    },
    getTicket: read,
    listTickets: () => sn.listRecords(table).map((r) => read(r.number) as DeskTicket),
    requestCount: () => sn.stats().requests,
    writeCount: () =>
      Object.entries(sn.stats().byRoute)
        .filter(([route]) => !route.startsWith('GET') && !route.includes('oauth_token'))
        .reduce((n, [, v]) => n + v, 0),
  };
}

/** The ServiceNow world for one table. */
export function servicenowWorld(table: ServiceNowTable = 'incident'): ServiceNowWorld {
  const values = deskValues(table);
  return {
    name: 'servicenow',
    table,
    start: async (opts) => {
      const clock = steppedClock();
      const sn = await startServiceNowSimulator({ now: clock.now, ...opts });
      return {
        crm: 'servicenow',
        sim: sn,
        clock,
        connectorEnv: {
          CRM: 'servicenow',
          SERVICENOW_INSTANCE_URL: sn.url,
          SERVICENOW_TABLE: table,
          SERVICENOW_OAUTH_CLIENT_ID: sn.oauthClientId,
          SERVICENOW_OAUTH_CLIENT_SECRET: sn.oauthClientSecret,
        },
        driver: driver(sn, table, clock),
        secrets: [sn.oauthClientSecret, sn.password],
        texts: () =>
          sn.listRecords(table).flatMap((r) => {
            const d = sn.getRecord(r.sys_id);
            return d
              ? [
                  d.short_description,
                  d.description,
                  ...d.journal.map((j) => j.value),
                  ...d.attachments.map((a) => a.file_name),
                ]
              : [];
          }),
        close: () => sn.close(),
      };
    },
    deskPriority: (p) => values[index(p)] as string,
    googlePriorityOf: (p) =>
      GOOGLE_PRIORITIES[values.indexOf(values[index(p)] as string)] as GooglePriority,
  };
}
