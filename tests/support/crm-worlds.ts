// CRM-neutral "desk worlds" for the end-to-end tests (SPEC §6: e2e runs once per CRM). A
// world knows how to start its CRM's simulator, the connector env that points at it, and
// drives it as a person would (create a ticket selected for sync, comment, attach, set
// priority, close) and reads it back in one neutral shape. Where a CRM legitimately differs
// from another (priority maps, the description as first comment, write routes, id forms),
// the difference lives here, not in the scenarios. ServiceNow's worlds (one per table) are
// in servicenow-world.ts.
import { startJiraSimulator, type JiraSimulator } from '../../src/sandbox/jira';
import type { GoogleSimulator } from '../../src/sandbox/google';
import type { FaultRegistry } from '../../src/sandbox/faults';
import { seedSandbox, seedZendeskSandbox } from '../../src/sandbox/seed';
import type { Clock } from '../../src/ports/clock';
import {
  startZendeskSimulator,
  type ZendeskPriority,
  type ZendeskSimulator,
} from '../../src/sandbox/zendesk';
import { servicenowWorld } from './servicenow-world';

export type GooglePriority = 'P0' | 'P1' | 'P2' | 'P3' | 'P4';

export interface DeskComment {
  body: string;
  public: boolean;
}

export interface DeskAttachment {
  filename: string;
  content: Buffer;
}

/** A ticket as the scenarios see it, whatever the CRM. */
export interface DeskTicket {
  /** The CRM's own id (the pair's `companyCaseID`: Jira issue id, Zendesk ticket id, ServiceNow sys_id). */
  id: string;
  /** The reference the connector writes in texts (Jira key, Zendesk ticket id, ServiceNow number). */
  key: string;
  summary: string;
  description: string;
  /** The CRM's own priority name (e.g. `High`, `high`). */
  priority: string | null;
  /** Carries the CRM's sync marker (Jira label, Zendesk tag, ServiceNow checkbox). */
  selected: boolean;
  closed: boolean;
  /** Comments, oldest first, without the description (Zendesk's first comment). */
  comments: DeskComment[];
  attachments: DeskAttachment[];
}

/** A person working in the CRM, and what the scenarios read back. */
export interface DeskDriver {
  createTicket(input: { summary: string; description: string; priority: GooglePriority }): {
    key: string;
  };
  addComment(key: string, input: { body: string; displayName: string; public?: boolean }): void;
  addAttachment(key: string, input: { filename: string; mimeType: string; content: Buffer }): void;
  /** Sets the CRM priority that the map gives for `p` (Google → CRM direction). */
  setPriority(key: string, p: GooglePriority): void;
  close(key: string): void;
  /** Deletes the ticket (it answers 404 from then on). */
  deleteTicket(key: string): void;
  /** Takes the sync marker off the ticket (Jira label, Zendesk tag, ServiceNow checkbox); nothing else changes. */
  removeSyncMarker(key: string): void;
  /**
   * Sets a priority the connector's default map does not know: Jira, a site priority
   * outside JIRA_PRIORITY_MAP (`Blocker`); Zendesk, no priority at all (its four values
   * are all mapped, and a ticket may have none); ServiceNow, see servicenow-world.ts.
   */
  setUnmappedPriority(key: string): void;
  getTicket(key: string): DeskTicket | null;
  listTickets(): DeskTicket[];
  /** Requests that changed the CRM so far (API writes; token grants and reads excluded). */
  writeCount(): number;
  /** Requests the CRM's API answered so far. */
  requestCount(): number;
}

/** The world's clock: real time plus an offset that only moves forward. */
export interface WorldClock extends Clock {
  /** Moves the world (simulators and connector) `ms` forward. */
  advance(ms: number): void;
}

/** One started CRM simulator, as the harness uses it. */
export interface StartedDesk<S = unknown> {
  readonly crm: CrmName;
  readonly sim: S;
  /** Connector env for this CRM (merged into startConnector's env). */
  readonly connectorEnv: Record<string, string>;
  readonly driver: DeskDriver;
  /**
   * The clock the CRM simulator reads; the harness gives it to the connector and the Google
   * simulator too, so that a test moves the whole world forward without sleeping.
   */
  readonly clock: WorldClock;
  /** Fault injection on the CRM's API (next N requests answer a status, and so on). */
  readonly faults: FaultRegistry;
  /** The CRM's API answers 503 to everything while down. */
  setDown(down: boolean): void;
  /** Seeds what `npm run sandbox -- --crm NAME` starts with: one case, one selected ticket. */
  seedSandbox(google: GoogleSimulator, parent: string): { caseName: string; ticketKey: string };
  /** Credentials the connector holds for the CRM (must never appear in logs). */
  readonly secrets: readonly string[];
  /** Texts people wrote in the CRM (for the log-leak scan). */
  texts(): string[];
  close(): Promise<void>;
}

export type CrmName = 'jira' | 'zendesk' | 'servicenow';

/** Simulator options every world takes, whatever its CRM. */
export interface DeskOptions {
  /**
   * The largest file the CRM accepts. Jira: the site's attachment setting (the connector
   * reads it); Zendesk: what its upload endpoint accepts before answering 413; ServiceNow:
   * com.glide.attachment.max_size (the connector reads it), in whole MB.
   */
  uploadLimitBytes?: number;
}

export interface CrmWorld<S = unknown, O = DeskOptions> {
  readonly name: CrmName;
  /** The world in test names: the CRM, and for ServiceNow its table (`servicenow incident`). */
  readonly label: string;
  /** How the connector's notices name the CRM (`Jira`, `Zendesk`, `ServiceNow`). */
  readonly displayName: string;
  /**
   * The form of the CRM's comment ids, as a RegExp source, for the header of a CRM comment
   * mirrored into Google (`[Company Comment {id} by …]`): Jira and Zendesk ids are numbers
   * (`\d+`), ServiceNow journal entries' ids are sys_ids (32 hex).
   */
  readonly commentIdPattern: string;
  /**
   * Whether the connector can read the CRM's upload limit before sending a file. Jira: yes,
   * the site's attachment setting. Zendesk: it publishes none, so the connector knows only
   * the documented 50 MB; a lower limit shows as a 413, and the notice names no figure.
   */
  readonly readsUploadLimit: boolean;
  start(opts?: O): Promise<StartedDesk<S>>;
  /** The CRM priority the connector's default map gives a Google priority. */
  deskPriority(p: GooglePriority): string;
  /** The Google priority the connector's default map gives the CRM value of `p`. */
  googlePriorityOf(p: GooglePriority): GooglePriority;
  /**
   * Whether the company poll still sees a linked ticket whose sync marker was taken off.
   * Jira: no, JIRA_SYNC_JQL (`labels = …`) selects by the label alone, so such a ticket's
   * own changes wait for the pair's next sync (a Google change, Sync now). Zendesk: yes,
   * the export is filtered to tickets with the tag or a link (`external_id`, SPEC §6.1).
   */
  readonly pollsLinkedTicketsWithoutMarker: boolean;
}

const GOOGLE_PRIORITIES: readonly GooglePriority[] = ['P0', 'P1', 'P2', 'P3', 'P4'];
const index = (p: GooglePriority): number => GOOGLE_PRIORITIES.indexOf(p);

// --- Jira ------------------------------------------------------------------------------

const JIRA_LABEL = 'synchronizeWithGoogleCloudSupport';
/** JIRA_PRIORITY_MAP's default, P0..P4. */
const JIRA_PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'] as const;
/** A priority of the Jira world's site that JIRA_PRIORITY_MAP does not name. */
const JIRA_UNMAPPED_PRIORITY = 'Blocker';

/**
 * A clock on real time plus an offset the test (and, in the Zendesk world, each person
 * action) moves forward.
 */
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

/** The connector env that points at a Jira simulator. */
export function jiraConnectorEnv(jira: JiraSimulator): Record<string, string> {
  return {
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.apiToken,
    JIRA_PROJECT_KEY: 'SUP',
  };
}

/** Texts people wrote in the Jira simulator (summaries, descriptions, comments, file names). */
export function jiraTexts(jira: JiraSimulator): string[] {
  return jira.listIssues().flatMap((i) => {
    const d = jira.getIssue(i.key);
    return d
      ? [
          d.summary,
          d.descriptionText,
          ...d.comments.map((x) => x.bodyText),
          ...d.attachments.map((a) => a.filename),
        ]
      : [];
  });
}

function jiraDriver(jira: JiraSimulator): DeskDriver {
  const read = (key: string): DeskTicket | null => {
    const d = jira.getIssue(key);
    if (!d) return null;
    return {
      id: d.id,
      key: d.key,
      summary: d.summary,
      description: d.descriptionText,
      priority: d.priority,
      selected: d.labels.includes(JIRA_LABEL),
      closed: d.statusCategory === 'done',
      comments: d.comments.map((c) => ({ body: c.bodyText, public: c.public })),
      attachments: d.attachments.map((a) => ({ filename: a.filename, content: a.content })),
    };
  };
  return {
    createTicket: ({ summary, description, priority }) =>
      jira.createIssue({
        summary,
        description,
        labels: [JIRA_LABEL],
        priority: JIRA_PRIORITIES[index(priority)],
      }),
    addComment: (key, c) => {
      jira.addComment(key, { body: c.body, displayName: c.displayName, public: c.public });
    },
    addAttachment: (key, a) => {
      jira.addAttachment(key, a);
    },
    setPriority: (key, p) => {
      jira.setPriority(key, JIRA_PRIORITIES[index(p)]!);
    },
    close: (key) => {
      jira.transition(key, 'Done');
    },
    deleteTicket: (key) => {
      jira.deleteIssue(key);
    },
    removeSyncMarker: (key) => {
      const d = jira.getIssue(key)!;
      jira.setLabels(
        key,
        d.labels.filter((l) => l !== JIRA_LABEL),
      );
    },
    setUnmappedPriority: (key) => {
      jira.setPriority(key, JIRA_UNMAPPED_PRIORITY);
    },
    getTicket: read,
    listTickets: () => jira.listIssues().map((i) => read(i.key)!),
    requestCount: () => jira.stats().total,
    writeCount: () =>
      Object.entries(jira.stats().byRoute)
        .filter(([route]) => !route.startsWith('GET') && !route.includes('search/jql'))
        .reduce((n, [, v]) => n + v, 0),
  };
}

export const jiraWorld: CrmWorld<JiraSimulator, Parameters<typeof startJiraSimulator>[0]> = {
  name: 'jira',
  label: 'jira',
  displayName: 'Jira',
  commentIdPattern: '\\d+',
  readsUploadLimit: true,
  start: async (opts) => {
    const clock = worldClock();
    const jira = await startJiraSimulator({
      now: clock.now,
      priorities: [JIRA_UNMAPPED_PRIORITY, ...JIRA_PRIORITIES],
      ...opts,
    });
    return {
      crm: 'jira',
      sim: jira,
      clock,
      faults: jira.faults,
      setDown: (down) => jira.setDown(down),
      seedSandbox: (google, parent) => {
        const s = seedSandbox(google, jira, parent);
        return { caseName: s.caseName, ticketKey: s.issueKey };
      },
      connectorEnv: jiraConnectorEnv(jira),
      driver: jiraDriver(jira),
      secrets: [jira.apiToken],
      texts: () => jiraTexts(jira),
      close: () => jira.close(),
    };
  },
  deskPriority: (p) => JIRA_PRIORITIES[index(p)]!,
  googlePriorityOf: (p) => p,
  pollsLinkedTicketsWithoutMarker: false,
};

// --- Zendesk ---------------------------------------------------------------------------

/** ZENDESK_SYNC_TAG's default (Zendesk lowercases tags). */
const ZENDESK_TAG = 'synchronizewithgooglecloudsupport';
/**
 * ZENDESK_PRIORITY_MAP's default `P0=urgent,P1=high,P2=normal,P3=low,P4=low`: P3 and P4
 * share `low`, and Zendesk → Google takes the first level listed, so `low` comes back P3.
 */
const ZENDESK_PRIORITIES: readonly ZendeskPriority[] = ['urgent', 'high', 'normal', 'low', 'low'];

/**
 * Zendesk timestamps are whole seconds, so a person's change in the same second as the
 * connector's last write looks older than that sync. The Zendesk world runs the simulator
 * and the connector on one clock (worldClock) that each person action moves a second
 * forward (a person does not answer within the second); no test sleeps.
 */
const PERSON_STEP_MS = 1000;

function zendeskDriver(zd: ZendeskSimulator, clock: WorldClock): DeskDriver {
  const id = (key: string): number => Number(key);
  const step = (): void => clock.advance(PERSON_STEP_MS);
  const read = (key: string): DeskTicket | null => {
    const t = zd.getTicket(id(key));
    if (!t) return null;
    return {
      id: String(t.id),
      key: String(t.id),
      summary: t.subject,
      description: t.description,
      priority: t.priority,
      selected: t.tags.includes(ZENDESK_TAG),
      closed: t.status === 'solved' || t.status === 'closed',
      // Zendesk's first comment is the ticket's description, not a comment.
      comments: t.comments.slice(1).map((c) => ({ body: c.body, public: c.public })),
      attachments: t.comments.flatMap((c) =>
        c.attachments.map((a) => ({ filename: a.file_name, content: a.content })),
      ),
    };
  };
  return {
    createTicket: ({ summary, description, priority }) => {
      step();
      const t = zd.createTicket({
        subject: summary,
        description,
        tags: [ZENDESK_TAG],
        priority: ZENDESK_PRIORITIES[index(priority)]!,
      });
      return { key: String(t.id) };
    },
    addComment: (key, c) => {
      step();
      zd.addComment(id(key), { body: c.body, authorName: c.displayName, public: c.public });
    },
    addAttachment: (key, a) => {
      step();
      zd.addAttachment(id(key), {
        filename: a.filename,
        content: a.content,
        contentType: a.mimeType,
      });
    },
    setPriority: (key, p) => {
      step();
      zd.setPriority(id(key), ZENDESK_PRIORITIES[index(p)]!);
    },
    close: (key) => {
      step();
      zd.setStatus(id(key), 'solved');
    },
    deleteTicket: (key) => {
      step();
      zd.deleteTicket(id(key));
    },
    removeSyncMarker: (key) => {
      step();
      const t = zd.getTicket(id(key))!;
      zd.setTags(
        id(key),
        t.tags.filter((x) => x !== ZENDESK_TAG),
      );
    },
    setUnmappedPriority: (key) => {
      step();
      zd.setPriority(id(key), null);
    },
    getTicket: read,
    listTickets: () => zd.listTickets().map((t) => read(String(t.id))!),
    requestCount: () => zd.stats().requests,
    writeCount: () =>
      Object.entries(zd.stats().byRoute)
        .filter(([route]) => !route.startsWith('GET') && !route.includes('/oauth/'))
        .reduce((n, [, v]) => n + v, 0),
  };
}

export const zendeskWorld: CrmWorld<ZendeskSimulator, Parameters<typeof startZendeskSimulator>[0]> =
  {
    name: 'zendesk',
    label: 'zendesk',
    displayName: 'Zendesk',
    commentIdPattern: '\\d+',
    readsUploadLimit: false,
    start: async (opts) => {
      const clock = worldClock();
      const zd = await startZendeskSimulator({ now: clock.now, ...opts });
      return {
        crm: 'zendesk',
        sim: zd,
        clock,
        faults: zd.faults,
        setDown: (down) => zd.setDown(down),
        seedSandbox: (google, parent) => {
          // `npm run sandbox -- --crm zendesk` seeds the same; a person's writes take a second.
          clock.advance(PERSON_STEP_MS);
          const s = seedZendeskSandbox(google, zd, parent);
          return { caseName: s.caseName, ticketKey: String(s.ticketId) };
        },
        connectorEnv: {
          CRM: 'zendesk',
          ZENDESK_BASE_URL: zd.url,
          ZENDESK_OAUTH_CLIENT_ID: zd.oauthClientId,
          ZENDESK_OAUTH_CLIENT_SECRET: zd.oauthClientSecret,
        },
        driver: zendeskDriver(zd, clock),
        secrets: [zd.oauthClientSecret],
        texts: () =>
          zd.listTickets().flatMap((t) => {
            const d = zd.getTicket(t.id);
            return d
              ? [
                  d.subject,
                  d.description,
                  ...d.comments.map((c) => c.body),
                  ...d.comments.flatMap((c) => c.attachments.map((a) => a.file_name)),
                ]
              : [];
          }),
        close: () => zd.close(),
      };
    },
    deskPriority: (p) => ZENDESK_PRIORITIES[index(p)]!,
    googlePriorityOf: (p) =>
      GOOGLE_PRIORITIES[ZENDESK_PRIORITIES.indexOf(ZENDESK_PRIORITIES[index(p)]!)]!,
    pollsLinkedTicketsWithoutMarker: true,
  };

/** ServiceNow, one world per SERVICENOW_TABLE. */
export const servicenowIncidentWorld = servicenowWorld('incident');
export const servicenowCaseWorld = servicenowWorld('sn_customerservice_case');

/** The CRMs every end-to-end scenario runs against (SPEC §6; ServiceNow for both tables). */
export const CRMS: readonly CrmWorld[] = [
  jiraWorld,
  zendeskWorld,
  servicenowIncidentWorld,
  servicenowCaseWorld,
];
