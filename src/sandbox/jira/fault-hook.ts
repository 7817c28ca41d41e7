// Generic Fastify hook for the shared FaultRegistry (no Jira specifics, so that another
// simulator can use it): latency, dropped connections and injected statuses before the
// request is handled, and the fault a route must apply once it has been (`after`).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultRegistry, FiredFault } from '../faults';

export interface FaultHookOptions {
  readonly faults: FaultRegistry;
  /** Requests faults never apply to (the control API). */
  readonly skip: (request: FastifyRequest) => boolean;
  /** Answers a fault's status in the simulated API's own error format. */
  readonly answer: (reply: FastifyReply, fault: FiredFault) => FastifyReply;
}

const fired = new WeakMap<FastifyRequest, FiredFault>();

/** Destroys the connection without an answer (Fastify sends nothing more). */
export function dropConnection(request: FastifyRequest, reply: FastifyReply): void {
  reply.hijack();
  request.raw.socket.destroy();
}

/** The fault that fired for this request and applies once it has been handled, if any. */
export function afterFault(request: FastifyRequest): FiredFault | undefined {
  const f = fired.get(request);
  return f?.after === true ? f : undefined;
}

/** onRequest hook: matches the request (path with query) against the registry. */
export function faultHook(opts: FaultHookOptions) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    if (opts.skip(request)) return undefined;
    const url = new URL(request.url, 'http://127.0.0.1');
    const fault = opts.faults.match(request.method, `${url.pathname}${url.search}`);
    if (fault === undefined) return undefined;
    fired.set(request, fault);
    if (fault.latencyMs !== undefined && fault.latencyMs > 0) {
      await new Promise((r) => setTimeout(r, fault.latencyMs));
    }
    if (fault.after) return undefined;
    if (fault.drop) {
      dropConnection(request, reply);
      return reply;
    }
    if (fault.status !== undefined) return opts.answer(reply, fault);
    return undefined;
  };
}
