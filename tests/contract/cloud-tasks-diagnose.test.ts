// The doctor's Cloud Tasks check against an injected client (there is no Cloud Tasks
// emulator): the repository's queue.yaml compared with what getQueue answers.
import path from 'node:path';
import { diagnoseCloudTasksQueue } from '../../src/adapters/cloud-tasks/cloud-tasks-diagnose';
import { loadQueueConfig } from '../../src/adapters/local/queue-yaml';

const NAME = 'projects/p/locations/europe-west1/queues/sync';
const [sync] = loadQueueConfig(path.resolve(__dirname, '../../queue.yaml')).filter(
  (q) => q.name === 'sync',
);
if (!sync) throw new Error('queue.yaml has no sync queue');
const dur = (s: number) => ({ seconds: String(Math.trunc(s)), nanos: 0 });

/** What Cloud Tasks holds after `gcloud app deploy queue.yaml`. */
const deployed = {
  name: NAME,
  state: 'RUNNING',
  retryConfig: {
    minBackoff: dur(sync.retry.minBackoffSeconds),
    maxBackoff: dur(sync.retry.maxBackoffSeconds),
    maxDoublings: sync.retry.maxDoublings,
    maxAttempts: sync.retry.taskRetryLimit === undefined ? -1 : sync.retry.taskRetryLimit + 1,
    maxRetryDuration: dur(sync.retry.taskAgeLimitSeconds ?? 0),
  },
};
const client = (answer: () => object) => ({
  getQueue: async (req: { name: string }) => {
    expect(req.name).toBe(NAME);
    return [answer()] as const;
  },
});

describe('doctor: Cloud Tasks queue vs queue.yaml', () => {
  it('a queue deployed from queue.yaml passes', async () => {
    const c = await diagnoseCloudTasksQueue(
      client(() => deployed),
      NAME,
      sync,
    );
    expect(c).toMatchObject({ status: 'ok' });
  });

  it('other retry parameters fail, naming each difference and the fix', async () => {
    const drifted = {
      ...deployed,
      retryConfig: { ...deployed.retryConfig, maxBackoff: dur(30), maxDoublings: 1 },
    };
    const c = await diagnoseCloudTasksQueue(
      client(() => drifted),
      NAME,
      sync,
    );
    expect(c.status).toBe('fail');
    expect(c.detail).toContain(`max backoff 30 (queue.yaml: ${sync.retry.maxBackoffSeconds})`);
    expect(c.detail).toContain(`max doublings 1 (queue.yaml: ${sync.retry.maxDoublings})`);
    expect(c.fix).toContain('gcloud app deploy queue.yaml');
  });

  it('a paused queue fails', async () => {
    const c = await diagnoseCloudTasksQueue(
      client(() => ({ ...deployed, state: 'PAUSED' })),
      NAME,
      sync,
    );
    expect(c).toMatchObject({ status: 'fail' });
    expect(c.detail).toContain('state PAUSED');
  });

  it('a missing queue and an unreadable one say what to do', async () => {
    const failing = (code: number) => ({
      getQueue: async () => {
        throw Object.assign(new Error('x'), { code });
      },
    });
    expect(await diagnoseCloudTasksQueue(failing(5), NAME, sync)).toMatchObject({
      status: 'fail',
      fix: 'deploy queue.yaml: gcloud app deploy queue.yaml',
    });
    const denied = await diagnoseCloudTasksQueue(failing(7), NAME, sync);
    expect(denied.status).toBe('fail');
    expect(denied.detail).toContain('gRPC code 7');
    expect(denied.fix).toContain('roles/cloudtasks.viewer');
  });
});
