// Zendesk's OpenAPI (specs/zendesk-support.openapi.yaml) as the in-process validator reads
// it, with the gaps real traffic hits filled in: Zendesk's document describes real traffic
// less completely than Atlassian's (specs/README.md lists its gaps); each amendment names
// the gap it fills, and none loosens a schema the simulator's answers could otherwise break.
// Shared by the simulator's and the adapter's spec checks (tests/contract/zendesk-*spec*).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import type { Exchange } from '../../src/sandbox/exchange';
import { checkExchange } from './openapi-check';

const SPEC_FILE = 'zendesk-support.openapi.yaml';
const fromEnv = process.env['API_SPECS_DIR'];
const dir =
  fromEnv !== undefined && fromEnv !== ''
    ? path.resolve(fromEnv)
    : path.resolve(__dirname, '../..', '..', 'shared', 'specs');
/** Whether Zendesk's OpenAPI file is there (tests skip, saying so, when it is not). */
export const zendeskSpecAvailable = fs.existsSync(path.join(dir, SPEC_FILE));

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ERROR_BODY = {
  description: 'Zendesk error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['error'],
        properties: {
          error: { type: 'string' },
          description: { type: 'string' },
          error_description: { type: 'string' },
          details: { type: 'object' },
        },
      },
    },
  },
};
const ERRORS_BODY = {
  description: 'Zendesk errors list',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Errors' } } },
};
const query = (name: string, schema: Json = { type: 'string' }): Json => ({
  name,
  in: 'query',
  schema,
});

/** Zendesk's spec with the gaps real traffic hits filled in, written as JSON for the validator. */
export function amendedZendeskSpec(): string {
  const doc = parse(fs.readFileSync(path.join(dir, SPEC_FILE), 'utf8')) as Json;
  const paths = doc['paths'] as Json;
  const op = (p: string, m: string): Json => paths[p][m] as Json;
  const errors = (o: Json, codes: Record<string, Json>): void => {
    o['responses'] = { ...o['responses'], ...codes };
  };
  // Gap: error answers are almost never declared. Every operation can answer 401/403 (auth)
  // and 429/500/503 (rate limits, outages); these are the bodies Zendesk sends.
  const common = { '401': ERROR_BODY, '403': ERROR_BODY, '500': ERROR_BODY, '503': ERROR_BODY };
  const ops = [
    op('/api/v2/tickets', 'get'),
    op('/api/v2/tickets', 'post'),
    op('/api/v2/tickets/{ticket_id}', 'get'),
    op('/api/v2/tickets/{ticket_id}', 'put'),
    op('/api/v2/tickets/{ticket_id}/comments', 'get'),
    op('/api/v2/incremental/tickets/cursor', 'get'),
    op('/api/v2/uploads', 'post'),
    op('/api/v2/users/me', 'get'),
    op('/api/v2/users/{user_id}', 'get'),
    op('/api/v2/attachments/{attachment_id}', 'get'),
    op('/oauth/tokens', 'post'),
  ];
  for (const o of ops) errors(o, { ...common, '429': { description: 'Too many requests' } });
  for (const [p, m] of [
    ['/api/v2/tickets/{ticket_id}', 'get'],
    ['/api/v2/tickets/{ticket_id}', 'put'],
    ['/api/v2/tickets/{ticket_id}/comments', 'get'],
    ['/api/v2/users/{user_id}', 'get'],
    ['/api/v2/attachments/{attachment_id}', 'get'],
  ] as const)
    errors(op(p, m), { '404': ERROR_BODY });
  errors(op('/api/v2/tickets', 'post'), { '400': ERROR_BODY, '422': ERROR_BODY });
  // UpdateTicket: 409 for safe_update conflicts (described in PutTagsTicket), 422 for closed
  // tickets and invalid values, 429 per-ticket update limit (the Errors body of other updates).
  errors(op('/api/v2/tickets/{ticket_id}', 'put'), {
    '400': ERROR_BODY,
    '409': ERROR_BODY,
    '422': ERROR_BODY,
    '429': ERRORS_BODY,
  });
  // Gap: the cursor export requires start_time though follow-ups send only cursor; per_page.
  const exportPath = paths['/api/v2/incremental/tickets/cursor'] as Json;
  exportPath['parameters'] = [
    { ...(doc['components'].parameters.IncrementalUnixTime as Json), required: false },
    { $ref: '#/components/parameters/IncrementalCursor' },
    query('per_page', { type: 'integer' }),
  ];
  errors(op('/api/v2/incremental/tickets/cursor', 'get'), { '400': ERROR_BODY, '429': ERROR_BODY });
  // Gap: List Comments lacks its cursor and offset pagination parameters.
  op('/api/v2/tickets/{ticket_id}/comments', 'get')['parameters'].push(
    query('page[size]', { type: 'integer' }),
    query('page[after]'),
    query('page[before]'),
    query('sort', { type: 'string', enum: ['created_at', '-created_at'] }),
    query('page', { type: 'integer' }),
    query('per_page', { type: 'integer' }),
  );
  // Gap: POST /api/v2/uploads lacks filename, token and its binary body.
  const uploads = op('/api/v2/uploads', 'post');
  uploads['parameters'] = [query('filename'), query('token')];
  uploads['requestBody'] = { content: { '*/*': { schema: { type: 'string', format: 'binary' } } } };
  errors(uploads, { '400': ERROR_BODY, '413': ERROR_BODY });
  // Gap: POST /oauth/tokens is declared authenticated and without its body (JSON, or a form).
  const grant = {
    type: 'object',
    required: ['grant_type'],
    properties: {
      grant_type: { type: 'string' },
      client_id: { type: 'string' },
      client_secret: { type: 'string' },
      scope: { type: 'string' },
      expires_in: { type: 'integer' },
    },
  };
  const tokens = op('/oauth/tokens', 'post');
  tokens['requestBody'] = {
    content: {
      'application/json': { schema: grant },
      'application/x-www-form-urlencoded': { schema: grant },
    },
  };
  errors(tokens, { '400': ERROR_BODY, '401': ERROR_BODY });
  // Gap: `Location` is `format: url`, which the validator refuses for loopback hosts.
  op('/api/v2/tickets', 'post')['responses']['201'].headers.Location.schema = { type: 'string' };
  // Gap: real tickets carry null for unset values the schema types as plain strings and
  // integers, and the export lists deleted tickets with status "deleted".
  const ticket = doc['components'].schemas.TicketObject.properties as Json;
  for (const f of ['priority', 'type', 'external_id', 'assignee_id', 'group_id', 'organization_id'])
    ticket[f] = {
      ...ticket[f],
      nullable: true,
      ...(ticket[f].enum ? { enum: [...ticket[f].enum, null] } : {}),
    };
  ticket['status'] = { ...ticket['status'], enum: [...ticket['status'].enum, 'deleted'] };
  // Gap: an audit's Change event for tags carries the tag list, and a cleared value is null
  // (Zendesk docs, "Ticket audits" → Change event); the spec allows only string or integer.
  const event = doc['components'].schemas.AuditObject.properties.events.items.properties as Json;
  for (const f of ['value', 'previous_value'])
    event[f] = {
      oneOf: [
        { type: 'string' },
        { type: 'integer' },
        { type: 'array', items: { type: 'string' } },
        { type: 'null' },
      ],
    };

  const out = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'zendesk-spec-')),
    'zendesk-support.amended.json',
  );
  fs.writeFileSync(out, JSON.stringify(doc));
  return out;
}

/** Only the API host's traffic is in the spec (the attachment host is not part of it). */
export function zendeskProblemsOf(spec: string, exchanges: readonly Exchange[]): string[] {
  return exchanges
    .filter((ex) => ex.path.startsWith('/api/') || ex.path.startsWith('/oauth/'))
    .flatMap((ex) =>
      checkExchange(spec, ex).map((p) => `${ex.method} ${ex.path} → ${ex.status}: ${p}`),
    );
}
