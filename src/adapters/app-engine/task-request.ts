// The App Engine task contract (SPEC §3.1, plus post-outage-notices), shared by the Cloud Tasks queue (production)
// and the local queue: which route and JSON body each SyncTask becomes, and how a dedup key
// becomes a task id.
import { createHash } from 'node:crypto';
import type { SyncTask } from '../../ports/task-queue';

const TASK_ROUTES = {
  'sync-google-case': '/tasks/sync-google-case',
  'sync-company-case': '/tasks/sync-company-case',
  'post-outage-notices': '/tasks/post-outage-notices',
} as const satisfies Record<SyncTask['kind'], string>;

/** The POST a queued SyncTask becomes: route and JSON body. */
export function taskHttpRequest(task: SyncTask): {
  relativeUri: string;
  body: { caseName: string } | { caseId: string } | { mappingId: string };
} {
  switch (task.kind) {
    case 'sync-google-case':
      return { relativeUri: TASK_ROUTES[task.kind], body: { caseName: task.caseName } };
    case 'sync-company-case':
      return { relativeUri: TASK_ROUTES[task.kind], body: { caseId: task.caseId } };
    case 'post-outage-notices':
      return { relativeUri: TASK_ROUTES[task.kind], body: { mappingId: task.mappingId } };
  }
}

const TASK_ID_MAX = 500;

/**
 * A Cloud Tasks task id for a dedup key: `<first 16 hex chars of sha256(key)>-<key with
 * every character outside [A-Za-z0-9_-] replaced by _>`, at most 500 characters. The hash
 * prefix spreads ids over the key space (Cloud Tasks advises against sequential names) and
 * keeps two keys that sanitise alike distinct.
 */
export function taskIdForDedupKey(key: string): string {
  const hash = createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 16);
  return `${hash}-${key.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, TASK_ID_MAX);
}
