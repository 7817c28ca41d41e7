// The two desks section 5 catches up on, each with the Cloud Support simulator beside it and
// every simulator at its default rate limits (Jira: tenant burst bucket and per-issue write
// limit; Zendesk: the account's requests per minute; Google: the project's quota): how to
// seed linked pairs, point the connector at them, count their calls and their 429s, and
// read what was mirrored. Jira reuses world.ts; Zendesk is here (world.ts is Jira-bound).
import { startGoogleSimulator, type GoogleSimulator } from '../src/sandbox/google';
import { startZendeskSimulator } from '../src/sandbox/zendesk';
import { googleCaseTag } from '../src/adapters/zendesk/zendesk-mapping';
import type { CaseMapping } from '../src/domain/mapping';
import type { CountingMappingStore } from './counting-store';
import { connectorEnv, PARENT, seedPairs, ShiftedClock, startSims } from './world';

type Store = Pick<CountingMappingStore, 'insert' | 'recordMirroredItem'>;

export interface CatchUpPair {
  readonly caseName: string;
  readonly ticketId: string;
}

export interface CatchUpDesk {
  readonly name: 'Jira' | 'Zendesk';
  readonly google: GoogleSimulator;
  readonly env: Record<string, string>;
  /** `n` linked pairs last synced at `at` (older than the polling windows). */
  seed(store: Store, n: number, at: Date): Promise<CatchUpPair[]>;
  /** Requests answered by the desk's simulator since resetStats. */
  deskCalls(): number;
  /** Every 429 answered so far, by any simulator (their rate limits' own counters). */
  refusals(): { google: number; desk: number };
  resetStats(): void;
  /** First lines of the ticket's comments mirrored from Google. */
  mirrored(ticketId: string): string[];
  close(): Promise<void>;
}

const firstLines = (bodies: readonly string[]): string[] =>
  bodies.filter((b) => b.startsWith('[Google Comment')).map((b) => b.split('\n')[0] ?? '');

export async function jiraDesk(): Promise<CatchUpDesk> {
  const sims = await startSims();
  return {
    name: 'Jira',
    google: sims.google,
    env: connectorEnv(sims),
    seed: async (store, n, at) =>
      (await seedPairs(sims, store, n, at)).map((p) => ({
        caseName: p.caseName,
        ticketId: p.issueKey,
      })),
    deskCalls: () => sims.jira.stats().total,
    refusals: () => ({
      google: sims.google.quotaRejections(),
      desk: sims.jira.burstRejections() + sims.jira.perIssueWriteRejections(),
    }),
    resetStats: () => {
      sims.google.resetStats();
      sims.jira.resetStats();
    },
    mirrored: (key) => firstLines((sims.jira.getIssue(key)?.comments ?? []).map((c) => c.bodyText)),
    close: () => sims.close(),
  };
}

const ZENDESK_TAG = 'synchronizewithgooglecloudsupport';

export async function zendeskDesk(): Promise<CatchUpDesk> {
  const clock = new ShiftedClock();
  const google = await startGoogleSimulator({ now: clock.now });
  const zd = await startZendeskSimulator({ now: clock.now });
  let statsBase = 0;
  const env: Record<string, string> = {
    PORT: '0',
    SUPPORT_PARENT: PARENT,
    SUPPORT_CLASSIFICATION_ID: 'sandbox-classification',
    CLOUDSUPPORT_EMULATOR_HOST: google.host,
    CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
    CRM: 'zendesk',
    ZENDESK_BASE_URL: zd.url,
    ZENDESK_OAUTH_CLIENT_ID: zd.oauthClientId,
    ZENDESK_OAUTH_CLIENT_SECRET: zd.oauthClientSecret,
    STORE: 'memory',
    TASK_QUEUE: 'local',
    SCHEDULER: 'off',
  };
  return {
    name: 'Zendesk',
    google,
    env,
    seed: async (store, n, at) => {
      const saved = clock.offsetMs;
      clock.offsetMs = at.getTime() - Date.now();
      const pairs: CatchUpPair[] = [];
      try {
        for (let i = 0; i < n; i++) {
          const c = google.createCase({
            parent: PARENT,
            displayName: `Bench case ${i}`,
            description: `Seeded case ${i}.`,
            priority: 'P3',
            createTime: at,
          });
          const t = zd.createTicket({
            subject: `Bench case ${i}`,
            description: `CONTENT MIRRORED FROM GOOGLE SUPPORT:\nSeeded case ${i}.`,
            tags: [ZENDESK_TAG, googleCaseTag(c.name)],
            priority: 'low',
            externalId: c.name,
          });
          const m: CaseMapping = await store.insert({
            googleCaseName: c.name,
            companyCaseID: String(t.id),
            companyCaseKey: String(t.id),
            newContentAt: at,
            resolvedAt: null,
            companyUpdatesSyncedAt: at,
            googleUpdatesSyncedAt: at,
            outageCommentSentToGoogle: false,
            outageCommentSentToCompany: false,
            priority: 3,
            origin: 'google',
            googlePendingSince: null,
            companyPendingSince: null,
            counterpartCreationStartedAt: null,
          });
          const notice = google.addComment(c.name, {
            body: `This case is now syncing with Company Case: ${t.id}`,
            displayName: 'Connector Service Account',
            googleSupport: false,
          });
          await store.recordMirroredItem({
            mappingId: m.id,
            kind: 'notice',
            sourceSide: 'google',
            sourceId: 'now-syncing',
            targetIds: [notice.id],
            createdAt: at,
          });
          pairs.push({ caseName: c.name, ticketId: String(t.id) });
        }
      } finally {
        clock.offsetMs = saved;
      }
      return pairs;
    },
    deskCalls: () => zd.stats().requests - statsBase,
    refusals: () => ({
      google: google.quotaRejections(),
      // The per-ticket update limit (30 per 10 min) is not reached by 10 comments a ticket.
      desk: zd.accountRateLimitRejections(),
    }),
    resetStats: () => {
      google.resetStats();
      statsBase = zd.stats().requests;
    },
    mirrored: (id) => firstLines((zd.getTicket(Number(id))?.comments ?? []).map((c) => c.body)),
    close: async () => {
      await Promise.all([google.close(), zd.close()]);
    },
  };
}
