// Classifies Datastore (gRPC) failures into the connector's error kinds, once.
import { ConflictError, SyncError, type ErrorKind } from '../../domain/errors';

/** gRPC status codes the store cares about. */
export const GRPC = {
  cancelled: 1,
  unknown: 2,
  invalidArgument: 3,
  deadlineExceeded: 4,
  notFound: 5,
  alreadyExists: 6,
  permissionDenied: 7,
  resourceExhausted: 8,
  failedPrecondition: 9,
  aborted: 10,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
} as const;

export function grpcCode(e: unknown): number | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  const code = (e as { code: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

/** Transaction contention: the whole transaction may simply be run again. */
export function isAborted(e: unknown): boolean {
  return grpcCode(e) === GRPC.aborted;
}

function kindForGrpc(code: number | undefined): ErrorKind {
  switch (code) {
    case GRPC.resourceExhausted:
      return 'rate-limited';
    case GRPC.invalidArgument:
    case GRPC.notFound:
    case GRPC.permissionDenied:
    case GRPC.failedPrecondition:
    case GRPC.unauthenticated:
      return 'permanent';
    case GRPC.aborted:
    case GRPC.alreadyExists:
      return 'conflict';
    default:
      // cancelled, unknown, deadline, internal, unavailable, network errors without a code.
      return 'retry';
  }
}

/**
 * Our own errors pass through; SDK errors become a SyncError whose message names the
 * operation and the gRPC code only (Datastore messages may quote keys).
 */
export function toStoreError(e: unknown, operation: string): SyncError {
  if (e instanceof SyncError) return e;
  const code = grpcCode(e);
  const kind = kindForGrpc(code);
  const message = `datastore ${operation} failed${code === undefined ? '' : ` (gRPC ${code})`}`;
  if (kind === 'conflict') return new ConflictError(message, { cause: e });
  return new SyncError(kind, message, { source: 'datastore', cause: e });
}
