// TaskQueue on Cloud Tasks (production): each SyncTask becomes an App Engine HTTP task on
// the queue of queue.yaml, POSTed by Cloud Tasks to the route of SPEC §3.1.
import type { protos } from '@google-cloud/tasks';
import { backOff } from 'exponential-backoff';
import { SyncError, type ErrorKind } from '../../domain/errors';
import type { EnqueueOptions, EnqueueResult, SyncTask, TaskQueue } from '../../ports/task-queue';
import { taskHttpRequest, taskIdForDedupKey } from '../app-engine/task-request';

type CreateTaskRequest = protos.google.cloud.tasks.v2.ICreateTaskRequest;

/**
 * The part of `CloudTasksClient` (@google-cloud/tasks v2) this adapter calls. A real client
 * satisfies it; tests pass a fake that records requests.
 */
export interface CloudTasksClientLike {
  createTask(request: CreateTaskRequest): Promise<unknown>;
}

export interface CloudTasksQueueOptions {
  readonly client: CloudTasksClientLike;
  readonly project: string;
  /** The App Engine application's region (where queue.yaml's queues live). */
  readonly location: string;
  /** Queue name from queue.yaml. */
  readonly queue: string;
  /** App Engine routing; unset: the queue's target (queue.yaml) or the default service. */
  readonly service?: string;
  readonly version?: string;
  /** Retries of UNAVAILABLE / DEADLINE_EXCEEDED (defaults: 4 attempts from 200 ms, ≤ 2 s apart). */
  readonly retry?: {
    readonly attempts?: number;
    readonly startingDelayMs?: number;
    readonly maxDelayMs?: number;
  };
}

/** gRPC status codes (google.rpc.Code) that matter here. */
const GRPC = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;

/** The HTTP status each gRPC code maps to (google.rpc.Code documentation). */
// prettier-ignore
const HTTP_FOR_GRPC: Readonly<Record<number, number>> = {
  1: 499, 2: 500, 3: 400, 4: 504, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409,
  11: 400, 12: 501, 13: 500, 14: 503, 15: 500, 16: 401,
};

const TRANSIENT: ReadonlySet<number> = new Set([GRPC.UNAVAILABLE, GRPC.DEADLINE_EXCEEDED]);

export class CloudTasksQueue implements TaskQueue {
  private readonly client: CloudTasksClientLike;
  private readonly parent: string;
  private readonly routing?: { service?: string; version?: string };
  private readonly retry: { attempts: number; startingDelayMs: number; maxDelayMs: number };

  constructor(opts: CloudTasksQueueOptions) {
    this.client = opts.client;
    this.parent = `projects/${opts.project}/locations/${opts.location}/queues/${opts.queue}`;
    if (opts.service !== undefined || opts.version !== undefined) {
      this.routing = {
        ...(opts.service === undefined ? {} : { service: opts.service }),
        ...(opts.version === undefined ? {} : { version: opts.version }),
      };
    }
    this.retry = {
      attempts: opts.retry?.attempts ?? 4,
      startingDelayMs: opts.retry?.startingDelayMs ?? 200,
      maxDelayMs: opts.retry?.maxDelayMs ?? 2000,
    };
  }

  /** The request createTask receives for this task (exposed for tests and diagnostics). */
  buildRequest(task: SyncTask, opts: EnqueueOptions = {}): CreateTaskRequest {
    const { relativeUri, body } = taskHttpRequest(task);
    return {
      parent: this.parent,
      task: {
        ...(opts.dedupKey === undefined
          ? {}
          : { name: `${this.parent}/tasks/${taskIdForDedupKey(opts.dedupKey)}` }),
        ...(opts.notBefore === undefined ? {} : { scheduleTime: timestamp(opts.notBefore) }),
        appEngineHttpRequest: {
          httpMethod: 'POST',
          relativeUri,
          headers: { 'Content-Type': 'application/json' },
          // `bytes` field: the client takes a Buffer (gRPC) and base64-encodes it itself (REST).
          body: Buffer.from(JSON.stringify(body), 'utf8'),
          ...(this.routing ? { appEngineRouting: this.routing } : {}),
        },
      },
    };
  }

  async enqueue(task: SyncTask, opts: EnqueueOptions = {}): Promise<EnqueueResult> {
    const request = this.buildRequest(task, opts);
    try {
      await backOff(() => this.client.createTask(request), {
        numOfAttempts: Math.max(1, this.retry.attempts),
        startingDelay: this.retry.startingDelayMs,
        maxDelay: this.retry.maxDelayMs,
        timeMultiple: 2,
        jitter: 'full',
        // A retried create of a named task that did land answers ALREADY_EXISTS: success.
        retry: (e: unknown) => TRANSIENT.has(grpcCode(e) ?? -1),
      });
      return 'created';
    } catch (e) {
      const code = grpcCode(e);
      // A duplicate enqueue collapsed by its name (also: a retried create that had landed).
      if (code === GRPC.ALREADY_EXISTS) return 'duplicate';
      throw classify(code, e);
    }
  }
}

/** google.protobuf.Timestamp of a Date (whole seconds and the milliseconds as nanos). */
function timestamp(d: Date): { seconds: number; nanos: number } {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

function grpcCode(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null) return undefined;
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

function kindForGrpc(code: number | undefined): ErrorKind {
  switch (code) {
    case GRPC.RESOURCE_EXHAUSTED:
      return 'rate-limited';
    case GRPC.INVALID_ARGUMENT:
    case GRPC.NOT_FOUND:
    case GRPC.PERMISSION_DENIED:
    case GRPC.FAILED_PRECONDITION:
    case GRPC.OUT_OF_RANGE:
    case GRPC.UNIMPLEMENTED:
    case GRPC.UNAUTHENTICATED:
      return 'permanent';
    default:
      // UNAVAILABLE and DEADLINE_EXCEEDED after the retries, INTERNAL, UNKNOWN, ABORTED,
      // CANCELLED, and errors without a gRPC code (network, credentials refresh).
      return 'retry';
  }
}

function classify(code: number | undefined, cause: unknown): SyncError {
  const status = code === undefined ? undefined : HTTP_FOR_GRPC[code];
  return new SyncError(
    kindForGrpc(code),
    code === undefined
      ? 'Cloud Tasks createTask failed'
      : `Cloud Tasks createTask failed (gRPC code ${code})`,
    { source: 'cloud-tasks', cause, ...(status === undefined ? {} : { status }) },
  );
}
