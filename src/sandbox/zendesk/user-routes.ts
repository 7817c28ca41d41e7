// The OAuth client-credentials grant (CreateTokenForGrantType, POST /oauth/tokens: JSON
// body as the docs say, form bodies as OAuth clients send them) and users (ShowCurrentUser
// with its `authenticity_token`, ShowUser).
import type { FastifyInstance } from 'fastify';
import { route, type ZdRoutesOptions } from './app';
import { asRecord } from './ticket-input';
import { notFound } from './wire';

export async function oauthRoutes(app: FastifyInstance, { ctx }: ZdRoutesOptions): Promise<void> {
  // CreateTokenForGrantType declares 201 for a new token.
  route(app, 'POST', '/oauth/tokens', ({ body, request }) => ({
    status: 201,
    json: ctx.auth.grant(asRecord(body) ?? {}, request.headers.authorization),
  }));
}

export async function userRoutes(app: FastifyInstance, { ctx }: ZdRoutesOptions): Promise<void> {
  const { state, wire } = ctx;
  route(app, 'GET', '/api/v2/users/me', () => ({
    status: 200,
    json: { user: { ...wire.user(state.apiUser), authenticity_token: 'sim-csrf-token' } },
  }));
  route(app, 'GET', '/api/v2/users/{user_id}', ({ params }) => {
    const u = state.user(Number(params['user_id']));
    if (!u) throw notFound();
    return { status: 200, json: { user: wire.user(u) } };
  });
}
