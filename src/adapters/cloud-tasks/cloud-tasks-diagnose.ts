// The doctor's queue check (`npm run doctor`): the Cloud Tasks queue exists and has the
// retry parameters of queue.yaml (`getQueue`, read-only).
import type { protos } from '@google-cloud/tasks';
import { checkOf, type Check } from '../../domain/checks';
import type { QueueSettings } from '../local/queue-yaml';

type Queue = protos.google.cloud.tasks.v2.IQueue;

/** The part of `CloudTasksClient` the check calls. */
export interface CloudTasksQueueReader {
  getQueue(request: { name: string }): Promise<readonly [Queue, ...unknown[]]>;
}

const seconds = (d: protos.google.protobuf.IDuration | null | undefined): number =>
  Number(d?.seconds ?? 0) + (d?.nanos ?? 0) / 1e9;

export async function diagnoseCloudTasksQueue(
  client: CloudTasksQueueReader,
  name: string,
  expected: QueueSettings,
): Promise<Check> {
  const c = checkOf('queue', 'queue.cloud-tasks', 'Cloud Tasks queue');
  let queue: Queue;
  try {
    [queue] = await client.getQueue({ name });
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 5)
      return c.fail(`${name} does not exist`, 'deploy queue.yaml: gcloud app deploy queue.yaml');
    return c.fail(
      `${name} not readable (gRPC code ${String(code ?? '?')})`,
      'grant the doctor’s identity roles/cloudtasks.viewer, and check GOOGLE_CLOUD_PROJECT / CLOUD_TASKS_LOCATION',
    );
  }
  const r = queue.retryConfig ?? {};
  const want = expected.retry;
  const diffs: string[] = [];
  const compare = (what: string, got: number, wanted: number): void => {
    if (Math.abs(got - wanted) > 1e-6) diffs.push(`${what} ${got} (queue.yaml: ${wanted})`);
  };
  compare('min backoff', seconds(r.minBackoff), want.minBackoffSeconds);
  compare('max backoff', seconds(r.maxBackoff), want.maxBackoffSeconds);
  compare('max doublings', r.maxDoublings ?? 0, want.maxDoublings);
  // Cloud Tasks: -1 attempts = unlimited; queue.yaml: no task_retry_limit.
  compare(
    'max attempts',
    r.maxAttempts ?? -1,
    want.taskRetryLimit === undefined ? -1 : want.taskRetryLimit + 1,
  );
  compare('max retry duration', seconds(r.maxRetryDuration), want.taskAgeLimitSeconds ?? 0);
  if (queue.state !== undefined && queue.state !== null && String(queue.state) !== 'RUNNING')
    diffs.push(`state ${String(queue.state)}`);
  if (diffs.length > 0)
    return c.fail(
      `${name}: ${diffs.join(', ')}`,
      'deploy queue.yaml again: gcloud app deploy queue.yaml (and resume the queue if paused)',
    );
  return c.ok(
    `${name} (retry as queue.yaml: ${want.minBackoffSeconds}–${want.maxBackoffSeconds} s, ${want.maxDoublings} doublings)`,
  );
}
