// The ServiceNow desk world for the end-to-end suites (SPEC §6: they run once per CRM; here
// once per table, incident and sn_customerservice_case): starts the ServiceNow simulator,
// gives the connector env that points at it (SERVICENOW_TABLE), and drives it as an agent
// would, reading it back in the neutral DeskTicket shape of crm-worlds.ts. Where ServiceNow
// differs, the difference is stated here, not in the scenarios:
// - a ticket's id is its sys_id (32 hex), its key its number (INC0010001, CS0001001): what
//   the connector writes in texts; a comment's id (in `[Company Comment {id} by …]`) is the
//   journal entry's sys_id, 32 hex (commentIdPattern);
// - priorities: incident `impact/urgency` pairs (P0=1/1 … P4=3/3, all distinct, so every
//   level comes back as itself); case `priority` 1–4 (P3 and P4 share 4, and ServiceNow →
//   Google takes the first level listed, so a person's 4 comes back P3);
// - there is no description comment: the description is a field, comments are journal
//   entries (`comments` public, `work_notes` internal);
// - the sync marker is the checkbox u_sync_google_cloud_support of the default
//   SERVICENOW_SYNC_QUERY; the poll selects by that query alone, so a linked record whose box
//   was unticked waits for its pair's next sync, as in Jira;
// - the upload limit is com.glide.attachment.max_size (MB, in sys_properties), which the
//   connector reads: the notice names the figure, as Jira's does;
// - timestamps (sys_created_on, sys_updated_on) are whole seconds, and journal entries and
//   files are read in (sys_created_on, sys_id) order: the simulator and the connector share
//   the world's clock, which each person action moves a second forward (a person does not
//   write twice within a second; the Zendesk world does the same); no test sleeps.
import {
  DEFAULT_SERVICENOW_PRIORITY_MAPS,
  parseServiceNowPriorityMap,
  serviceNowPriorityFields,
  type ServiceNowTable,
} from '../../src/domain/servicenow-priority';
import { DEFAULT_SERVICENOW_SYNC_QUERY } from '../../src/domain/servicenow-query';
import { seedServiceNowSandbox } from '../../src/sandbox/seed';
import {
  startServiceNowSimulator,
  type ServiceNowSimulator,
  type ServiceNowSimulatorOptions,
} from '../../src/sandbox/servicenow';
// Types only: crm-worlds.ts lists this world in CRMS, so a value import would be a cycle.
import type {
  CrmWorld,
  DeskDriver,
  DeskOptions,
  DeskTicket,
  GooglePriority,
  WorldClock,
} from './crm-worlds';

const GOOGLE_PRIORITIES: readonly GooglePriority[] = ['P0', 'P1', 'P2', 'P3', 'P4'];
const index = (p: GooglePriority): 0 | 1 | 2 | 3 | 4 =>
  GOOGLE_PRIORITIES.indexOf(p) as 0 | 1 | 2 | 3 | 4;

/** A person does not write twice within the second (ServiceNow times are whole seconds). */
const PERSON_STEP_MS = 1000;
const MB = 1024 * 1024;

/** Real time plus an offset that only moves forward (crm-worlds.ts's WorldClock). */
function worldClock(): WorldClock {
  let offsetMs = 0;
  return {
    now: () => new Date(Date.now() + offsetMs),
    advance: (ms) => {
      if (ms < 0) throw new RangeError('the world clock only moves forward');
      offsetMs += ms;
    },
  };
}

/** The simulator's options, plus the neutral upload limit every world takes. */
export type ServiceNowWorldOptions = ServiceNowSimulatorOptions & DeskOptions;

export type ServiceNowWorld = CrmWorld<ServiceNowSimulator, ServiceNowWorldOptions> & {
  readonly table: ServiceNowTable;
};

/** The CRM priority (`impact/urgency` or `priority`) of the default map for each level. */
function deskValues(table: ServiceNowTable): readonly string[] {
  const map = parseServiceNowPriorityMap(table, DEFAULT_SERVICENOW_PRIORITY_MAPS[table]);
  return GOOGLE_PRIORITIES.map((p) => map.values[index(p)]);
}

/** c_IncidentManagementStateModel.md (6 Resolved, 7 Closed, 8 Canceled); case-api.md (3 Closed, 6 Resolved). */
function isClosed(table: ServiceNowTable, state: string): boolean {
  return table === 'incident' ? ['6', '7', '8'].includes(state) : ['3', '6'].includes(state);
}

/**
 * What setUnmappedPriority sets. Incident: the pair 1/3, which the default map does not list;
 * the connector reads it by the priority the instance derives (3, as P2's 2/2 does), so, as
 * for an unmapped Jira priority, neither side changes (every derived priority 1–5 is some
 * level's, so an incident has no priority the connector cannot read at all). Case: no
 * priority (case-api.md lists 1–4, all mapped; the integer field may be empty).
 */
const UNMAPPED: Readonly<Record<ServiceNowTable, Record<string, string>>> = {
  incident: { impact: '1', urgency: '3' },
  sn_customerservice_case: { priority: '' },
};

function driver(sn: ServiceNowSimulator, table: ServiceNowTable, clock: WorldClock): DeskDriver {
  const map = parseServiceNowPriorityMap(table, DEFAULT_SERVICENOW_PRIORITY_MAPS[table]);
  const step = (): void => clock.advance(PERSON_STEP_MS);
  const syncField = sn.syncField ?? 'u_sync_google_cloud_support';
  const read = (key: string): DeskTicket | null => {
    const r = sn.getRecord(key);
    if (!r || r.table !== table) return null;
    return {
      id: r.sys_id,
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
      step();
      const r = sn.createRecord(table, {
        short_description: summary,
        description,
        authorName: 'Sam (Service Desk)',
        fields: serviceNowPriorityFields(map, index(priority)),
      });
      return { key: r.number };
    },
    addComment: (key, c) => {
      step();
      sn.addJournal(key, {
        body: c.body,
        element: c.public === false ? 'work_notes' : 'comments',
        authorName: c.displayName,
      });
    },
    addAttachment: (key, a) => {
      step();
      sn.addAttachment(key, { filename: a.filename, content: a.content, contentType: a.mimeType });
    },
    setPriority: (key, p) => {
      step();
      sn.update(key, serviceNowPriorityFields(map, index(p)));
    },
    close: (key) => {
      step();
      sn.resolve(key);
    },
    deleteTicket: (key) => {
      step();
      sn.deleteRecord(key);
    },
    removeSyncMarker: (key) => {
      step();
      sn.update(key, { [syncField]: 'false' });
    },
    setUnmappedPriority: (key) => {
      step();
      sn.update(key, UNMAPPED[table]);
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

/** Texts people wrote in the ServiceNow simulator (descriptions, journal entries, file names). */
function texts(sn: ServiceNowSimulator, table: ServiceNowTable): string[] {
  return sn.listRecords(table).flatMap((r) => {
    const d = sn.getRecord(r.sys_id);
    return d
      ? [
          d.short_description,
          d.description,
          ...d.journal.map((j) => j.value),
          ...d.attachments.map((a) => a.file_name),
        ]
      : [];
  });
}

/** The ServiceNow world for one table. */
export function servicenowWorld(table: ServiceNowTable = 'incident'): ServiceNowWorld {
  const values = deskValues(table);
  return {
    name: 'servicenow',
    label: `servicenow ${table}`,
    displayName: 'ServiceNow',
    table,
    readsUploadLimit: true,
    commentIdPattern: '[0-9a-f]{32}',
    start: async (opts = {}) => {
      const { uploadLimitBytes, ...simOpts } = opts;
      const clock = worldClock();
      const sn = await startServiceNowSimulator({
        now: clock.now,
        ...(uploadLimitBytes !== undefined ? { maxAttachmentMb: uploadLimitBytes / MB } : {}),
        ...simOpts,
      });
      return {
        crm: 'servicenow',
        sim: sn,
        clock,
        faults: sn.faults,
        setDown: (down) => sn.setDown(down),
        seedSandbox: (google, parent) => {
          // `npm run sandbox -- --crm servicenow` seeds the same; a person's writes take a second.
          clock.advance(PERSON_STEP_MS);
          const s = seedServiceNowSandbox(google, sn, table, parent);
          return { caseName: s.caseName, ticketKey: s.number };
        },
        connectorEnv: {
          CRM: 'servicenow',
          SERVICENOW_INSTANCE_URL: sn.url,
          SERVICENOW_TABLE: table,
          SERVICENOW_OAUTH_CLIENT_ID: sn.oauthClientId,
          SERVICENOW_OAUTH_CLIENT_SECRET: sn.oauthClientSecret,
        },
        driver: driver(sn, table, clock),
        secrets: [sn.oauthClientSecret, sn.password],
        texts: () => texts(sn, table),
        close: () => sn.close(),
      };
    },
    deskPriority: (p) => values[index(p)] as string,
    googlePriorityOf: (p) =>
      GOOGLE_PRIORITIES[values.indexOf(values[index(p)] as string)] as GooglePriority,
    pollsLinkedTicketsWithoutMarker: false,
  };
}
