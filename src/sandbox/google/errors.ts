// Errors the simulator answers with Google's envelope: `{"error":{"code","message","status"}}`.

/** An error the simulator answers with Google's envelope. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly grpcStatus: string,
    message: string,
  ) {
    super(message);
    this.name = 'SimHttpError';
  }
}

export const GRPC_STATUS_FOR_HTTP: Readonly<Record<number, string>> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'DEADLINE_EXCEEDED',
  409: 'ABORTED',
  413: 'INVALID_ARGUMENT',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  502: 'UNAVAILABLE',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

export const invalid = (message: string): SimHttpError =>
  new SimHttpError(400, 'INVALID_ARGUMENT', message);
export const notFound = (message: string): SimHttpError =>
  new SimHttpError(404, 'NOT_FOUND', message);

/** The canonical status for an HTTP code (for injected faults). */
export function grpcFor(status: number): string {
  return GRPC_STATUS_FOR_HTTP[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION');
}

/** The message of an injected fault, like Google's front ends word them. */
export function faultMessage(status: number): string {
  if (status === 429) return 'Quota exceeded for quota metric and limit.';
  if (status === 503) return 'The service is currently unavailable.';
  if (status >= 500) return 'Internal error encountered.';
  return 'Injected error.';
}
