// What the route plugins share: the state module, the fault registry, the per-issue write
// limit, stats, the "down" switch and the listeners' origins (known once they listen).
import { FaultRegistry } from '../faults';
import type { Exchange } from '../exchange';
import { JiraState } from './state';
import {
  apiUserFor,
  DEFAULT_ISSUE_TYPES,
  DEFAULT_PRIORITIES,
  type JiraSimCustomField,
  SIM_TRANSITIONS,
  type JiraSimProject,
  type SimTransition,
  type SimUser,
} from './state-model';
import { JIRA_PER_ISSUE_WRITE_LIMITS, PerIssueWriteLimit } from './write-limit';
import { JIRA_DEFAULT_BURST_LIMIT, TenantBurstLimit } from './burst-limit';
import type { JiraSimulatorOptions, SimStats } from './types';
import { JiraWebhooks } from './webhooks';

const DEFAULT_PROJECTS: JiraSimProject[] = [
  { key: 'SUP', id: '10000', name: 'Support', components: ['Google Cloud'], type: 'service_desk' },
  { key: 'OPS', id: '10001', name: 'Operations', components: [], type: 'software' },
];
const DEFAULT_CUSTOM_FIELDS: JiraSimCustomField[] = [
  { id: 'customfield_10050', name: 'Google Case' },
];

export interface SimContext {
  readonly state: JiraState;
  readonly faults: FaultRegistry;
  readonly writeLimit: PerIssueWriteLimit;
  /** The tenant's burst limit (burst-limit.ts). */
  readonly burst: TenantBurstLimit;
  readonly email: string;
  readonly apiToken: string;
  readonly apiUser: SimUser;
  /** The one Authorization header the API accepts. */
  readonly expectedAuth: string;
  readonly uploadLimit: number;
  readonly transitions: readonly SimTransition[];
  readonly onExchange: ((ex: Exchange) => void) | undefined;
  /** Admin webhooks (webhooks.ts); managing them needs `apiUserIsAdmin`. */
  readonly webhooks: JiraWebhooks;
  readonly apiUserIsAdmin: boolean;
  stats: SimStats;
  down: boolean;
  /** Origin of the API listener (set once it listens). */
  base: string;
  /** Origin of the media host (the API origin unless `separateMediaHost`). */
  mediaBase: string;
}

export function createContext(opts: JiraSimulatorOptions): SimContext {
  const email = opts.email ?? 'connector@example.com';
  const apiToken = opts.apiToken ?? 'sandbox-token';
  const apiUser = apiUserFor(email, opts.callerDisplayName ?? 'Google Sync Connector');
  const ctx: Omit<SimContext, 'webhooks'> & { webhooks?: JiraWebhooks } = {
    state: new JiraState({
      projects: opts.projects ?? DEFAULT_PROJECTS,
      priorities: opts.priorities ?? [...DEFAULT_PRIORITIES],
      issueTypes: opts.issueTypes ?? [...DEFAULT_ISSUE_TYPES],
      customFields: opts.customFields ?? DEFAULT_CUSTOM_FIELDS,
      apiUser,
      now: opts.now ?? (() => new Date()),
      searchLagMs: opts.searchLagMs ?? 0,
    }),
    faults: new FaultRegistry(opts.random ?? Math.random),
    writeLimit: new PerIssueWriteLimit(
      opts.perIssueWriteLimits === false
        ? []
        : (opts.perIssueWriteLimits ?? JIRA_PER_ISSUE_WRITE_LIMITS),
    ),
    burst: new TenantBurstLimit(opts.burstLimit ?? JIRA_DEFAULT_BURST_LIMIT),
    email,
    apiToken,
    apiUser,
    expectedAuth: `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`,
    uploadLimit: opts.uploadLimitBytes ?? 10 * 1024 * 1024,
    transitions: opts.transitions ?? SIM_TRANSITIONS,
    onExchange: opts.onExchange,
    apiUserIsAdmin: opts.apiUserIsAdmin ?? true,
    stats: { total: 0, byRoute: {} },
    down: false,
    base: '',
    mediaBase: '',
  };
  ctx.webhooks = new JiraWebhooks(ctx as SimContext, {
    ...(opts.webhookRetryDelaysMs ? { retryDelaysMs: opts.webhookRetryDelaysMs } : {}),
  });
  return ctx as SimContext;
}
