// A Fastify onRequest hook for the shared FaultRegistry: latency, dropped connections and
// error statuses before the request is handled, or (`after`) once it has been. Generic
// over the answer, which each simulator words in its own API's error format.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FaultRegistry, FiredFault } from '../faults';
import { drain } from './body';

export interface FaultHookOptions {
  readonly faults: FaultRegistry;
  /** Waits (cancellable: a delay that never ends leaves the request to die with its socket). */
  readonly delay: (ms: number) => Promise<void>;
  /** Requests that faults never apply to, and the method and path-with-query they match on. */
  readonly target: (request: FastifyRequest) => { method: string; pathWithQuery: string } | null;
  /** An `after` fault: keep it for the answer (the request runs first). */
  readonly defer: (request: FastifyRequest, fault: FiredFault) => void;
  /** Answers an injected status (the request body has been drained). */
  readonly answer: (request: FastifyRequest, reply: FastifyReply, fault: FiredFault) => void;
}

export function faultHook(
  opts: FaultHookOptions,
): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  return async (request, reply) => {
    const target = opts.target(request);
    if (!target) return;
    const fault = opts.faults.match(target.method, target.pathWithQuery);
    if (!fault) return;
    if (fault.latencyMs) await opts.delay(fault.latencyMs);
    if (request.raw.destroyed) {
      reply.hijack();
      return;
    }
    if (fault.after) {
      opts.defer(request, fault);
    } else if (fault.drop) {
      reply.hijack();
      request.raw.socket.destroy();
    } else if (fault.status !== undefined) {
      await drain(request.raw);
      opts.answer(request, reply, fault);
    }
  };
}
