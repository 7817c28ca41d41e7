// Builds the TaskDeps of a use-case test: honest fakes of both upstreams, the real
// in-memory store behind a counting/fault wrapper, a recording queue, a fake clock and a
// capturing logger. Every call returns fresh state.
import { MemoryMappingStore } from '../../src/adapters/local/memory-mapping-store';
import type { CaseMapping } from '../../src/domain/mapping';
import type { SyncSettings } from '../../src/domain/settings';
import type { MappingStore } from '../../src/ports/mapping-store';
import type { TaskDeps, TaskOutcome } from '../../src/tasks/deps';
import { pollCompany, pollGoogle } from '../../src/tasks/poll';
import { syncCompanyCase, syncGoogleCase } from '../../src/tasks/sync-pair';
import { postQueuedOutageNotices } from '../../src/tasks/outage-notices';
import { FakeClock, MINUTE } from './fake-clock';
import { FakeCrm, type FakeCrmOptions } from './fake-crm';
import { FakeSupportCases, type FakeSupportCasesOptions } from './fake-support-cases';
import { instrument, type Instrumented } from './instrument';
import { RecordingTaskQueue } from './recording-queue';
import { TestLogger } from './test-logger';

export const DEFAULT_SETTINGS: SyncSettings = Object.freeze({
  supportParent: 'organizations/1',
  supportCaseParent: 'organizations/1',
  supportClassificationId: '100152',
  supportTestCases: false,
  googlePollingWindowMs: 30 * MINUTE,
  companyPollingWindowMs: 5 * MINUTE,
  googleCommentsVisibility: 'internal',
  commentsToGoogle: 'all',
  dryRun: false,
});

/** TaskDeps whose ports are the test doubles, typed so that tests reach their helpers. */
export interface TestDeps extends TaskDeps {
  readonly support: FakeSupportCases;
  readonly crm: FakeCrm;
  readonly queue: RecordingTaskQueue;
  readonly clock: FakeClock;
  readonly log: TestLogger;
  /** The instrumented store (pass-through to `memory`). */
  readonly store: MappingStore;
  /** Counts and faults of `store`. */
  readonly storeProbe: Instrumented<MappingStore>;
  /** The MemoryMappingStore behind `store` (reads here are not counted). */
  readonly memory: MemoryMappingStore;
}

export interface MakeDepsOptions {
  readonly clock?: FakeClock;
  readonly settings?: Partial<SyncSettings>;
  readonly google?: FakeSupportCasesOptions;
  readonly jira?: FakeCrmOptions;
  /** Page size of the store's listOpen / listResolvedBefore. */
  readonly storePageSize?: number;
}

export function makeDeps(opts: MakeDepsOptions = {}): TestDeps {
  const clock = opts.clock ?? new FakeClock();
  const memory = new MemoryMappingStore({ pageSize: opts.storePageSize });
  const storeProbe = instrument<MappingStore>(memory);
  let ids = 0;
  return {
    support: new FakeSupportCases(clock, opts.google),
    crm: new FakeCrm(clock, opts.jira),
    store: storeProbe.api,
    storeProbe,
    memory,
    queue: new RecordingTaskQueue(clock),
    clock,
    settings: { ...DEFAULT_SETTINGS, ...opts.settings },
    log: new TestLogger(),
    newId: () => `worker-${++ids}`,
  };
}

export interface QueueRun {
  readonly outcomes: TaskOutcome[];
  readonly errors: unknown[];
}

/**
 * Runs the queue's backlog once, in order, like a queue delivering each task once: a task
 * that throws is reported in `errors` (a real queue would retry it later).
 */
export async function runQueued(deps: TestDeps): Promise<QueueRun> {
  const outcomes: TaskOutcome[] = [];
  const errors: unknown[] = [];
  for (const task of deps.queue.take()) {
    try {
      outcomes.push(
        task.kind === 'sync-google-case'
          ? await syncGoogleCase(deps, task.caseName)
          : task.kind === 'sync-company-case'
            ? await syncCompanyCase(deps, task.caseId)
            : await postQueuedOutageNotices(deps, task.mappingId),
      );
    } catch (e) {
      errors.push(e);
    }
  }
  return { outcomes, errors };
}

/** One cron minute: both polls, then every task they queued. Throws if any task failed. */
export async function cycle(deps: TestDeps): Promise<QueueRun> {
  await pollGoogle(deps);
  await pollCompany(deps);
  const run = await runQueued(deps);
  if (run.errors.length > 0) throw run.errors[0];
  return run;
}

export interface LinkedPair {
  readonly caseName: string;
  readonly ticketId: string;
  readonly ticketKey: string;
  readonly mappingId: string;
}

/** A case opened in Google's console, mirrored into Jira by one sync. */
export async function linkedFromGoogle(
  deps: TestDeps,
  opts: Parameters<FakeSupportCases['person']['createCase']>[0] = {},
): Promise<LinkedPair> {
  const gcase = deps.support.person.createCase(opts);
  await syncGoogleCase(deps, gcase.name);
  return pairOf(deps, gcase.name);
}

/** A ticket opened in Jira, mirrored into Google by one sync. */
export async function linkedFromJira(
  deps: TestDeps,
  opts: Parameters<FakeCrm['person']['createTicket']>[0] = {},
): Promise<LinkedPair> {
  const ticket = deps.crm.person.createTicket(opts);
  await syncCompanyCase(deps, ticket.id);
  const m = await deps.memory.findByCompanyCase(ticket.id);
  if (!m?.googleCaseName) throw new Error('the ticket was not linked');
  return pairOf(deps, m.googleCaseName);
}

async function pairOf(deps: TestDeps, caseName: string): Promise<LinkedPair> {
  const m = await deps.memory.findByGoogleCase(caseName);
  if (!m?.companyCaseID || !m.companyCaseKey) throw new Error('the case was not linked');
  return { caseName, ticketId: m.companyCaseID, ticketKey: m.companyCaseKey, mappingId: m.id };
}

/** The stored mapping (not counted by the probe). */
export async function mappingOf(deps: TestDeps, id: string): Promise<CaseMapping> {
  const m = await deps.memory.get(id);
  if (!m) throw new Error(`no mapping ${id}`);
  return m;
}
