// The chaos suite's CRMs ("chaos desks"): one per CRM, created from that CRM's started
// simulator (crm-worlds.ts), so that ChaosWorld's people and judge stay CRM-neutral. A desk
// opens a ticket selected for sync with a random priority, lets a person comment (public or
// internal) and attach a file, reads tickets back in one neutral shape (comment ids, bodies
// and public flags; attachment ids, file names and bytes), finds the ticket that mirrors a
// Google case, and exposes the simulator's fault registry, request count and limit refusals.
//
// Where a CRM differs, the difference lives here, not in the judge:
// - Jira: the sync label, the mirror's label `google-case-N`; comments and attachments are
//   separate lists; the API's creating calls are POSTs.
// - Zendesk: the sync tag (lowercase); the mirror's `external_id` = the case name plus the
//   tag `google-case-n`; the description is the ticket's first comment (not a comment); a
//   file travels in a comment: a person's attachment is a comment with an empty body that
//   carries it, the connector's upload a comment "[file attached]" (FILE_ATTACHED_TEXT) by
//   the API user that carries it. Those carriers are attachments, not comments (a
//   "[file attached]" without a file, or by someone else, stays a comment, so a stray one is
//   still judged). A comment is added by PUT /api/v2/tickets/{id}, so the "write landed,
//   answer lost" faults also target that PUT.
// - ServiceNow (both tables, incident and sn_customerservice_case): the sync checkbox; the
//   mirror's correlation_id = the case name; comments are journal entries (`comments`
//   public, `work_notes` internal) with sys_ids, added by PATCHing the record, so the "write
//   landed, answer lost" faults also target the record's PATCH; files have no visibility of
//   their own. Its journal and file times are whole seconds and are read in
//   (sys_created_on, sys_id) order, so a person never writes twice on one record within the
//   same second: the desk moves the shared clock to the next second when they would (at most
//   a second per write; what two people write in one second has no order ServiceNow can
//   tell). ServiceNow has no limits of its own by default (rate-limit rules are an admin's).
import { DEFAULT_SYNC_LABEL, DEFAULT_ZENDESK_SYNC_TAG } from '../../src/domain/settings';
import { FILE_ATTACHED_TEXT } from '../../src/adapters/zendesk/zendesk-crm';
import type { Exchange } from '../../src/sandbox/exchange';
import type { FaultRegistry } from '../../src/sandbox/faults';
import type { JiraSimulator } from '../../src/sandbox/jira';
import type { ZendeskPriority, ZendeskSimulator } from '../../src/sandbox/zendesk';
import type { ServiceNowSimulator } from '../../src/sandbox/servicenow';
import {
  DEFAULT_SERVICENOW_PRIORITY_MAPS,
  parseServiceNowPriorityMap,
  serviceNowPriorityFields,
  type ServiceNowTable,
} from '../../src/domain/servicenow-priority';
import { DEFAULT_SERVICENOW_SYNC_QUERY } from '../../src/domain/servicenow-query';
import { pick, type Random } from './chaos-random';
import {
  jiraWorld,
  servicenowCaseWorld,
  servicenowIncidentWorld,
  zendeskWorld,
  type CrmName,
  type StartedDesk,
} from './crm-worlds';

export interface ChaosComment {
  readonly id: string;
  readonly body: string;
  readonly public: boolean;
}

export interface ChaosAttachment {
  readonly id: string;
  readonly filename: string;
  readonly content: Buffer;
  /** Whether the CRM shows the file to the customer (Zendesk: its comment's flag; Jira: none). */
  readonly public?: boolean;
}

/** A ticket as the judge reads it, whatever the CRM. */
export interface ChaosTicket {
  /** The reference the connector writes in texts (Jira key, Zendesk ticket id). */
  readonly key: string;
  readonly summary: string;
  readonly description: string;
  /** Carries the CRM's sync marker (Jira label, Zendesk tag). */
  readonly selected: boolean;
  /** Comments oldest first, without the description and without the files' carriers. */
  readonly comments: ChaosComment[];
  /** Attachments oldest first. */
  readonly attachments: ChaosAttachment[];
}

/** A request pattern of a fault spec (FaultSpec's `method` and `pathContains`). */
export interface RequestPattern {
  readonly method: string;
  readonly pathContains?: string;
}

export interface ChaosDesk {
  readonly crm: CrmName;
  /** The CRM's name in problems and figures: `Jira`, `Zendesk`, `ServiceNow`. */
  readonly label: string;
  /** The started simulator: what startConnector takes (connector env, credentials). */
  readonly started: StartedDesk;
  readonly faults: FaultRegistry;
  /**
   * The API calls that create something (a ticket, comment or file): the faults that let a
   * write land and then lose its answer target these.
   */
  readonly creatingWrites: readonly RequestPattern[];
  /** API requests the simulator has served. */
  requestCount(): number;
  /** Requests the CRM's own limits refused (429), by limit. */
  limitRefusals(): Record<string, number>;
  /** A person opens a ticket selected for sync, with a random priority. */
  openTicket(input: { summary: string; description: string }, random: Random): { key: string };
  /** A person comments; returns the comment's id. */
  addComment(
    key: string,
    input: { body: string; displayName: string; isPublic: boolean },
  ): { id: string };
  /** A person attaches a file; returns the attachment's id. */
  addAttachment(
    key: string,
    input: { filename: string; mimeType: string; content: Buffer; displayName: string },
  ): { id: string };
  getTicket(key: string): ChaosTicket | null;
  listTickets(): ChaosTicket[];
  /** The tickets that mirror this Google case (the connector's link on a ticket it created). */
  ticketsMirroring(caseName: string): ChaosTicket[];
  close(): Promise<void>;
}

export interface ChaosDeskKind {
  readonly crm: CrmName;
  readonly label: string;
  /** Which set-up of the CRM, where it has several (ServiceNow: the table). */
  readonly variant?: string;
  /**
   * Starts the CRM's simulator (its real limits on) and wraps it; on the shared clock
   * (`now`), which the desk may move forward (`advance`) where the CRM needs people's
   * writes a second apart.
   */
  start(opts?: {
    random?: Random;
    now?: () => Date;
    advance?: (ms: number) => void;
  }): Promise<ChaosDesk>;
}

const caseNumberOf = (caseName: string): string => caseName.split('/').pop() ?? '';

// --- Jira ------------------------------------------------------------------------------

const JIRA_PRIORITIES = ['Highest', 'High', 'Medium', 'Low'] as const;

function jiraChaosDesk(started: StartedDesk): ChaosDesk {
  const jira = started.sim as JiraSimulator;
  const read = (key: string): ChaosTicket | null => {
    const i = jira.getIssue(key);
    if (!i) return null;
    return {
      key: i.key,
      summary: i.summary,
      description: i.descriptionText,
      selected: i.labels.includes(DEFAULT_SYNC_LABEL),
      comments: i.comments.map((c) => ({ id: c.id, body: c.bodyText, public: c.public })),
      attachments: i.attachments.map((a) => ({
        id: a.id,
        filename: a.filename,
        content: a.content,
      })),
    };
  };
  const list = () => jira.listIssues().map((i) => read(i.key) as ChaosTicket);
  return {
    crm: 'jira',
    label: 'Jira',
    started,
    faults: jira.faults,
    creatingWrites: [{ method: 'POST' }],
    requestCount: () => jira.stats().total,
    limitRefusals: () => ({ 'per-issue writes': jira.perIssueWriteRejections() }),
    openTicket: ({ summary, description }, random) => {
      const i = jira.createIssue({
        summary,
        description,
        labels: [DEFAULT_SYNC_LABEL],
        priority: pick(random, JIRA_PRIORITIES),
      });
      return { key: i.key };
    },
    addComment: (key, c) => ({
      id: jira.addComment(key, { body: c.body, displayName: c.displayName, public: c.isPublic }).id,
    }),
    addAttachment: (key, a) => ({ id: jira.addAttachment(key, a).id }),
    getTicket: read,
    listTickets: list,
    ticketsMirroring: (caseName) => {
      const label = `google-case-${caseNumberOf(caseName)}`;
      return jira
        .listIssues()
        .filter((i) => i.labels.includes(label))
        .map((i) => read(i.key) as ChaosTicket);
    },
    close: () => started.close(),
  };
}

// --- Zendesk ---------------------------------------------------------------------------

const ZENDESK_PRIORITIES: readonly ZendeskPriority[] = ['urgent', 'high', 'normal', 'low'];

type ZendeskTicketDetail = NonNullable<ReturnType<ZendeskSimulator['getTicket']>>;
type ZendeskComment = ZendeskTicketDetail['comments'][number];

/**
 * The Zendesk limits' refusals, told apart from injected 429s by their bodies: the export's
 * "incremental export API requests per minute" and the per-ticket update limit's errors.
 */
function zendeskLimitCounter(): {
  onExchange: (ex: Exchange) => void;
  counts: Record<string, number>;
} {
  const counts: Record<string, number> = { 'export 10/min': 0, 'per-ticket updates': 0 };
  return {
    counts,
    onExchange: (ex) => {
      if (ex.status !== 429) return;
      const text = JSON.stringify(ex.responseJson ?? {});
      if (text.includes('incremental export')) counts['export 10/min']! += 1;
      else if (text.includes('Too many requests to update')) counts['per-ticket updates']! += 1;
    },
  };
}

function zendeskChaosDesk(started: StartedDesk, limits: Record<string, number>): ChaosDesk {
  const zd = started.sim as ZendeskSimulator;
  const apiUserId = zd.apiUser.id;
  /** A comment that only carries files: a person's (no text) or the connector's upload. */
  const isCarrier = (c: ZendeskComment): boolean =>
    c.attachments.length > 0 &&
    (c.body.trim() === '' || (c.body === FILE_ATTACHED_TEXT && c.author.id === apiUserId));
  const read = (key: string): ChaosTicket | null => {
    const t = zd.getTicket(Number(key));
    if (!t) return null;
    return {
      key: String(t.id),
      summary: t.subject,
      description: t.description,
      selected: t.tags.includes(DEFAULT_ZENDESK_SYNC_TAG),
      comments: t.comments
        .slice(1)
        .filter((c) => !isCarrier(c))
        .map((c) => ({ id: String(c.id), body: c.body, public: c.public })),
      attachments: t.comments.flatMap((c) =>
        c.attachments.map((a) => ({
          id: String(a.id),
          filename: a.file_name,
          content: a.content,
          public: c.public,
        })),
      ),
    };
  };
  return {
    crm: 'zendesk',
    label: 'Zendesk',
    started,
    faults: zd.faults,
    // Tickets and uploads are POSTs; a comment (with or without files) is a ticket update.
    creatingWrites: [{ method: 'POST' }, { method: 'PUT', pathContains: '/api/v2/tickets/' }],
    requestCount: () => zd.stats().requests,
    limitRefusals: () => ({ ...limits }),
    openTicket: ({ summary, description }, random) => {
      const t = zd.createTicket({
        subject: summary,
        description,
        tags: [DEFAULT_ZENDESK_SYNC_TAG],
        priority: pick(random, ZENDESK_PRIORITIES),
        requesterName: 'Sam',
      });
      return { key: String(t.id) };
    },
    addComment: (key, c) => ({
      id: String(
        zd.addComment(Number(key), { body: c.body, authorName: c.displayName, public: c.isPublic })
          .id,
      ),
    }),
    addAttachment: (key, a) => {
      const carrier = zd.addAttachment(Number(key), {
        filename: a.filename,
        content: a.content,
        contentType: a.mimeType,
        authorName: a.displayName,
      });
      const file = carrier.attachments[0];
      if (!file) throw new Error(`Zendesk comment ${carrier.id} carries no file`);
      return { id: String(file.id) };
    },
    getTicket: read,
    listTickets: () => zd.listTickets().map((t) => read(String(t.id)) as ChaosTicket),
    ticketsMirroring: (caseName) => {
      const tag = `google-case-${caseNumberOf(caseName).toLowerCase()}`;
      return zd
        .listTickets()
        .filter((t) => t.external_id === caseName && t.tags.includes(tag))
        .map((t) => read(String(t.id)) as ChaosTicket);
    },
    close: () => started.close(),
  };
}

// --- ServiceNow --------------------------------------------------------------------------

/** Levels P0–P3 of the default map (what a person picks, like the other desks' four). */
function serviceNowPriorities(table: ServiceNowTable): Record<string, string>[] {
  const map = parseServiceNowPriorityMap(table, DEFAULT_SERVICENOW_PRIORITY_MAPS[table]);
  return ([0, 1, 2, 3] as const).map((p) => serviceNowPriorityFields(map, p));
}

function serviceNowChaosDesk(
  started: StartedDesk,
  table: ServiceNowTable,
  clock: { now: () => Date; advance: (ms: number) => void },
): ChaosDesk {
  const sn = started.sim as ServiceNowSimulator;
  const priorities = serviceNowPriorities(table);
  const read = (key: string): ChaosTicket | null => {
    const r = sn.getRecord(key);
    if (!r || r.table !== table) return null;
    return {
      key: r.number,
      summary: r.short_description,
      description: r.description,
      selected: sn.matchesQuery(r.sys_id, DEFAULT_SERVICENOW_SYNC_QUERY),
      comments: r.journal.map((j) => ({
        id: j.sys_id,
        body: j.value,
        public: j.element === 'comments',
      })),
      attachments: r.attachments.map((a) => ({
        id: a.sys_id,
        filename: a.file_name,
        content: a.content,
      })),
    };
  };
  const second = (d: Date): number => Math.floor(d.getTime() / 1000);
  /** Moves the clock to the next second if `times` (the record's entries) hold this one. */
  const apart = (times: readonly Date[]): void => {
    const now = clock.now();
    if (times.some((t) => second(t) >= second(now))) clock.advance(1000 - (now.getTime() % 1000));
  };
  const record = (key: string) => {
    const r = sn.getRecord(key);
    if (!r) throw new Error(`no ServiceNow record ${key}`);
    return r;
  };
  return {
    crm: 'servicenow',
    label: 'ServiceNow',
    started,
    faults: sn.faults,
    // Records and files are POSTs; a comment (a journal entry) is a PATCH of the record.
    creatingWrites: [
      { method: 'POST' },
      { method: 'PATCH', pathContains: `/api/now/table/${table}/` },
    ],
    requestCount: () => sn.stats().requests,
    limitRefusals: () => ({}),
    openTicket: ({ summary, description }, random) => {
      const r = sn.createRecord(table, {
        short_description: summary,
        description,
        authorName: 'Sam',
        fields: pick(random, priorities),
      });
      return { key: r.number };
    },
    addComment: (key, c) => {
      apart(record(key).journal.map((j) => j.sys_created_on));
      return {
        id: sn.addJournal(key, {
          body: c.body,
          element: c.isPublic ? 'comments' : 'work_notes',
          authorName: c.displayName,
        }).sys_id,
      };
    },
    addAttachment: (key, a) => {
      apart(record(key).attachments.map((x) => x.sys_created_on));
      return {
        id: sn.addAttachment(key, {
          filename: a.filename,
          content: a.content,
          contentType: a.mimeType,
          authorName: a.displayName,
        }).sys_id,
      };
    },
    getTicket: read,
    listTickets: () => sn.listRecords(table).map((r) => read(r.number) as ChaosTicket),
    ticketsMirroring: (caseName) =>
      sn
        .listRecords(table)
        .filter((r) => r.correlation_id === caseName)
        .map((r) => read(r.number) as ChaosTicket),
    close: () => started.close(),
  };
}

/** The ServiceNow chaos desk on one table (its world's simulator, on the shared clock). */
function servicenowChaosOn(world: typeof servicenowIncidentWorld): ChaosDeskKind {
  return {
    crm: 'servicenow',
    label: 'ServiceNow',
    variant: world.table,
    start: async (opts = {}) => {
      const started = await world.start({
        ...(opts.random ? { random: opts.random } : {}),
        ...(opts.now ? { now: opts.now } : {}),
      });
      // Without a shared clock to move (the judge's tests), the world's own.
      const clock =
        opts.now && opts.advance
          ? { now: opts.now, advance: opts.advance }
          : { now: started.clock.now, advance: started.clock.advance };
      return serviceNowChaosDesk(started, world.table, clock);
    },
  };
}

/** ServiceNow on incident. */
export const servicenowChaos = servicenowChaosOn(servicenowIncidentWorld);
/** ServiceNow on sn_customerservice_case. */
export const servicenowCaseChaos = servicenowChaosOn(servicenowCaseWorld);

export const jiraChaos: ChaosDeskKind = {
  crm: 'jira',
  label: 'Jira',
  start: async (opts = {}) => jiraChaosDesk(await jiraWorld.start(opts)),
};

export const zendeskChaos: ChaosDeskKind = {
  crm: 'zendesk',
  label: 'Zendesk',
  start: async (opts = {}) => {
    const limits = zendeskLimitCounter();
    // Zendesk's real limits stay on (export 10/min, 30 updates per ticket per 10 min).
    const started = await zendeskWorld.start({
      ...(opts.random ? { random: opts.random } : {}),
      ...(opts.now ? { now: opts.now } : {}),
      onExchange: limits.onExchange,
    });
    return zendeskChaosDesk(started, limits.counts);
  },
};

/** The CRMs the chaos suite runs against (SPEC §6: chaos tests run once per CRM). */
export const CHAOS_DESKS: readonly ChaosDeskKind[] = [
  jiraChaos,
  zendeskChaos,
  servicenowChaos,
  servicenowCaseChaos,
];
