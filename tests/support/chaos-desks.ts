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
import { DEFAULT_SYNC_LABEL, DEFAULT_ZENDESK_SYNC_TAG } from '../../src/domain/settings';
import { FILE_ATTACHED_TEXT } from '../../src/adapters/zendesk/zendesk-crm';
import type { Exchange } from '../../src/sandbox/exchange';
import type { FaultRegistry } from '../../src/sandbox/faults';
import type { JiraSimulator } from '../../src/sandbox/jira';
import type { ZendeskPriority, ZendeskSimulator } from '../../src/sandbox/zendesk';
import { pick, type Random } from './chaos-random';
import { jiraWorld, zendeskWorld, type CrmName, type StartedDesk } from './crm-worlds';

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
  /** The CRM's name in problems and figures: `Jira`, `Zendesk`. */
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
  /** Starts the CRM's simulator (its real limits on) and wraps it. */
  start(opts?: { random?: Random; now?: () => Date }): Promise<ChaosDesk>;
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
export const CHAOS_DESKS: readonly ChaosDeskKind[] = [jiraChaos, zendeskChaos];
