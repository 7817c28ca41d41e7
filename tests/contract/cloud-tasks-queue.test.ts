// CloudTasksQueue with an injected fake client (no Cloud Tasks emulator exists). The fake
// records createTask requests, keeps task names like Cloud Tasks does, and can answer the
// gRPC errors the adapter must handle. The requests are also checked against the real
// protobuf definitions shipped with @google-cloud/tasks.
import { protos, type CloudTasksClient } from '@google-cloud/tasks';
import {
  CloudTasksQueue,
  type CloudTasksClientLike,
} from '../../src/adapters/cloud-tasks/cloud-tasks-queue';
import { SyncError } from '../../src/domain/errors';

type CreateTaskRequest = protos.google.cloud.tasks.v2.ICreateTaskRequest;

// Compile-time proof that the real client fits the subset the adapter takes.
const realClientFits = (c: CloudTasksClient): CloudTasksClientLike => c;
void realClientFits;

/** An error shaped like google-gax's GoogleError. */
function grpcError(code: number, details = 'upstream detail'): Error {
  return Object.assign(new Error(`${code} ${details}`), { code, details });
}

class FakeTasksClient implements CloudTasksClientLike {
  readonly requests: CreateTaskRequest[] = [];
  readonly tasks = new Map<string, CreateTaskRequest>();
  /** What the next calls answer, in order: a gRPC code to fail with, or 'ok'. */
  readonly script: Array<number | 'ok' | { landThenFail: number }> = [];

  async createTask(request: CreateTaskRequest): Promise<unknown> {
    this.requests.push(request);
    const step = this.script.shift() ?? 'ok';
    if (typeof step === 'number') throw grpcError(step);
    const name = request.task?.name ?? `${request.parent ?? ''}/tasks/auto-${this.requests.length}`;
    if (this.tasks.has(name))
      throw grpcError(6, 'ALREADY_EXISTS: the task already exists or was deleted recently');
    this.tasks.set(name, request);
    if (typeof step === 'object') throw grpcError(step.landThenFail); // created, but the answer was lost
    return [{ ...request.task, name }, undefined, undefined];
  }
}

const PARENT = 'projects/my-proj/locations/europe-west1/queues/sync';

function makeQueue(client: FakeTasksClient, extra: { service?: string; attempts?: number } = {}) {
  return new CloudTasksQueue({
    client,
    project: 'my-proj',
    location: 'europe-west1',
    queue: 'sync',
    ...(extra.service === undefined ? {} : { service: extra.service }),
    retry: { attempts: extra.attempts ?? 4, startingDelayMs: 0, maxDelayMs: 0 },
  });
}

const bodyOf = (r: CreateTaskRequest | undefined): unknown =>
  JSON.parse(Buffer.from(r?.task?.appEngineHttpRequest?.body as Uint8Array).toString('utf8'));

describe('CloudTasksQueue', () => {
  it('creates an App Engine HTTP task: POST to the route of SPEC §3.1 with a JSON body', async () => {
    const client = new FakeTasksClient();
    const q = makeQueue(client);
    await q.enqueue({ kind: 'sync-google-case', caseName: 'organizations/1/cases/2' });
    await q.enqueue({ kind: 'sync-company-case', caseId: '10042' });

    expect(client.requests).toHaveLength(2);
    const [g, c] = client.requests;
    expect(g?.parent).toBe(PARENT);
    expect(g?.task?.name).toBeUndefined(); // no dedup key: Cloud Tasks names it
    expect(g?.task?.appEngineHttpRequest).toMatchObject({
      httpMethod: 'POST',
      relativeUri: '/tasks/sync-google-case',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(g?.task?.appEngineHttpRequest?.appEngineRouting).toBeUndefined();
    expect(bodyOf(g)).toEqual({ caseName: 'organizations/1/cases/2' });
    expect(c?.task?.appEngineHttpRequest?.relativeUri).toBe('/tasks/sync-company-case');
    expect(bodyOf(c)).toEqual({ caseId: '10042' });
  });

  it('builds requests the real Cloud Tasks v2 protobuf accepts, body bytes intact', () => {
    const q = makeQueue(new FakeTasksClient(), { service: 'default' });
    const request = q.buildRequest(
      { kind: 'sync-company-case', caseId: '10042' },
      { dedupKey: 'company:10042' },
    );
    const Msg = protos.google.cloud.tasks.v2.CreateTaskRequest;
    const msg = Msg.fromObject(request as Record<string, unknown>);
    expect(Msg.verify(msg)).toBeNull();
    const decoded = Msg.toObject(Msg.decode(Msg.encode(msg).finish()), {
      enums: String,
      bytes: String,
    });
    expect(decoded.parent).toBe(PARENT);
    expect(decoded.task?.appEngineHttpRequest).toMatchObject({
      httpMethod: 'POST',
      relativeUri: '/tasks/sync-company-case',
      appEngineRouting: { service: 'default' },
      headers: { 'Content-Type': 'application/json' },
    });
    // bytes travel as base64 on the REST transport: the JSON survives the round trip.
    const body = decoded.task?.appEngineHttpRequest?.body as unknown as string;
    expect(JSON.parse(Buffer.from(body, 'base64').toString('utf8'))).toEqual({ caseId: '10042' });
  });

  it('names a task after its dedup key: hash prefix, sanitised, at most 500 characters', async () => {
    const client = new FakeTasksClient();
    const q = makeQueue(client);
    await q.enqueue(
      { kind: 'sync-google-case', caseName: 'organizations/1/cases/2' },
      { dedupKey: 'google:organizations/1/cases/2@t1' },
    );
    await q.enqueue({ kind: 'sync-company-case', caseId: '1' }, { dedupKey: 'k'.repeat(1000) });

    const [a, b] = client.requests.map((r) => r.task?.name ?? '');
    expect(a).toMatch(
      new RegExp(`^${PARENT}/tasks/[0-9a-f]{16}-google_organizations_1_cases_2_t1$`),
    );
    const id = (b ?? '').slice(`${PARENT}/tasks/`.length);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(id).toHaveLength(500);
  });

  it('sends notBefore as the task scheduleTime and says created or duplicate', async () => {
    const client = new FakeTasksClient();
    const q = makeQueue(client);
    const task = { kind: 'sync-company-case', caseId: '10042' } as const;
    const at = new Date(Date.UTC(2026, 0, 1, 0, 0, 10, 250));
    await expect(q.enqueue(task, { dedupKey: 'push-trail', notBefore: at })).resolves.toBe(
      'created',
    );
    await expect(q.enqueue(task, { dedupKey: 'push-trail', notBefore: at })).resolves.toBe(
      'duplicate',
    );
    expect(client.tasks.size).toBe(1);
    const sent = client.requests[0]?.task;
    expect(sent?.scheduleTime).toEqual({ seconds: at.getTime() / 1000 - 0.25, nanos: 250_000_000 });
    // The real protobuf takes it as a google.protobuf.Timestamp.
    const Msg = protos.google.cloud.tasks.v2.CreateTaskRequest;
    const msg = Msg.fromObject(client.requests[0] as Record<string, unknown>);
    expect(Msg.verify(msg)).toBeNull();
    const decoded = Msg.decode(Msg.encode(msg).finish());
    expect(Number(decoded.task?.scheduleTime?.seconds)).toBe(Math.floor(at.getTime() / 1000));
    expect(decoded.task?.scheduleTime?.nanos).toBe(250_000_000);
    await q.enqueue(task);
    expect(client.requests[2]?.task?.scheduleTime).toBeUndefined();
  });

  it('treats ALREADY_EXISTS as success: a duplicate enqueue collapses into one task', async () => {
    const client = new FakeTasksClient();
    const q = makeQueue(client);
    const task = { kind: 'sync-google-case', caseName: 'organizations/1/cases/2' } as const;
    await expect(q.enqueue(task, { dedupKey: 'poll-1:2' })).resolves.toBe('created');
    await expect(q.enqueue(task, { dedupKey: 'poll-1:2' })).resolves.toBe('duplicate');
    expect(client.requests).toHaveLength(2);
    expect(client.tasks.size).toBe(1);
  });

  it('retries UNAVAILABLE and DEADLINE_EXCEEDED, then succeeds', async () => {
    const client = new FakeTasksClient();
    client.script.push(14, 4);
    await makeQueue(client).enqueue({ kind: 'sync-company-case', caseId: '7' }, { dedupKey: 'c7' });
    expect(client.requests).toHaveLength(3);
    expect(client.tasks.size).toBe(1);
  });

  it('a retried create whose first attempt did land ends in ALREADY_EXISTS: success, one task', async () => {
    const client = new FakeTasksClient();
    client.script.push({ landThenFail: 4 });
    await makeQueue(client).enqueue({ kind: 'sync-company-case', caseId: '7' }, { dedupKey: 'c7' });
    expect(client.requests).toHaveLength(2);
    expect(client.tasks.size).toBe(1);
  });

  it('gives up after the retries with SyncError("retry")', async () => {
    const client = new FakeTasksClient();
    client.script.push(14, 14, 14, 14, 14);
    const err = await makeQueue(client, { attempts: 3 })
      .enqueue({ kind: 'sync-company-case', caseId: '7' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect(err).toMatchObject({ kind: 'retry', status: 503, source: 'cloud-tasks' });
    expect(client.requests).toHaveLength(3);
  });

  it.each([
    [7, 'permanent', 403],
    [16, 'permanent', 401],
    [3, 'permanent', 400],
    [5, 'permanent', 404],
    [8, 'rate-limited', 429],
    [13, 'retry', 500],
  ])('classifies gRPC code %i as %s without retrying it', async (code, kind, status) => {
    const client = new FakeTasksClient();
    client.script.push(code);
    const err = await makeQueue(client)
      .enqueue({ kind: 'sync-company-case', caseId: '7' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyncError);
    expect(err).toMatchObject({ kind, status });
    expect((err as Error).message).not.toContain('upstream detail');
    expect(client.requests).toHaveLength(1);
  });

  it('classifies an error without a gRPC code (network, credentials) as retry', async () => {
    const client: CloudTasksClientLike = {
      createTask: () => Promise.reject(new Error('socket hang up')),
    };
    const q = new CloudTasksQueue({
      client,
      project: 'p',
      location: 'l',
      queue: 'q',
      retry: { startingDelayMs: 0 },
    });
    await expect(q.enqueue({ kind: 'sync-company-case', caseId: '7' })).rejects.toMatchObject({
      kind: 'retry',
    });
  });
});
