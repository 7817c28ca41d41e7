// The simulator's routes as data: Jira's path template (`{param}`, also the stats key), the
// handler returning a SimReply, and whether the route reads its body itself or needs no
// basic auth. Fastify routes them; the table answers what Fastify cannot: which template a
// request that matched no route still names (for 405 and stats), exactly as Jira paths split.
import type { FastifyRequest } from 'fastify';
import type { SimReply } from './wire';

export interface SimRequest {
  readonly request: FastifyRequest;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  readonly body: unknown;
}

export type SimHandler = (r: SimRequest) => SimReply | Promise<SimReply>;

export interface SimRoute {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly template: string;
  readonly handler: SimHandler;
  /** Reads the request body itself (multipart). */
  readonly raw?: boolean;
  /** No basic auth (media URLs carry a token). */
  readonly noAuth?: boolean;
}

export interface RouteMatch {
  readonly route?: SimRoute;
  /** The path matches a route, but not with this method (405). */
  readonly methodMismatch: boolean;
}

/** `/issue/{issueIdOrKey}` → `/issue/:issueIdOrKey`. */
export function fastifyUrl(template: string): string {
  return template.replace(/\{([^}]+)\}/g, ':$1');
}

export class RouteTable {
  private readonly routes: SimRoute[] = [];
  private readonly byUrl = new Map<string, SimRoute>();

  add(route: SimRoute): void {
    const key = `${route.method} ${fastifyUrl(route.template)}`;
    if (this.byUrl.has(key)) return;
    this.byUrl.set(key, route);
    this.routes.push(route);
  }

  /** The route Fastify matched for `request` (none for its 404 handler or empty params). */
  routed(request: FastifyRequest): SimRoute | undefined {
    if (request.is404) return undefined;
    const route = this.byUrl.get(`${request.method} ${request.routeOptions.url ?? ''}`);
    const params = (request.params ?? {}) as Record<string, string>;
    // Jira paths never match with an empty segment in place of a parameter.
    return route !== undefined && Object.values(params).every((v) => v !== '') ? route : undefined;
  }

  /** Matches like Jira's path segments do (decoded params, no empty ones). */
  match(method: string, path: string): RouteMatch {
    const parts = path.split('/').slice(1);
    let methodMismatch = false;
    for (const r of this.routes) {
      const segments = r.template.split('/').slice(1);
      if (segments.length !== parts.length) continue;
      const ok = segments.every((seg, i) => {
        const part = parts[i] as string;
        if (!seg.startsWith('{')) return seg === part;
        if (part === '') return false;
        try {
          decodeURIComponent(part);
          return true;
        } catch {
          return false;
        }
      });
      if (!ok) continue;
      if (r.method !== method) {
        methodMismatch = true;
        continue;
      }
      return { route: r, methodMismatch: false };
    }
    return { methodMismatch };
  }
}
