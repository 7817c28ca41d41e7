// Crm.diagnose() on Zendesk (`npm run doctor`), read-only: who the API identity is (and
// whether it is an admin, as the incremental export requires), the auth form (legacy API
// tokens stop working on 2027-04-30), the sync tag, the priority map, and one request to
// the incremental export. Never writes.
import { checkOf, type Check } from '../../domain/checks';
import { SyncError } from '../../domain/errors';
import type { SyncSettings } from '../../domain/settings';
import { ZENDESK_PRIORITIES, type ZendeskPriorityMap } from '../../domain/zendesk-priority';
import { PRIORITIES } from '../../domain/types';
import type { ZendeskClient } from './zendesk-client';
import { exportSchema, meSchema } from './zendesk-schemas';

const answer = (e: unknown): string =>
  e instanceof SyncError && e.status !== undefined ? `HTTP ${e.status}` : (e as Error).message;

export async function diagnoseZendesk(
  zd: ZendeskClient,
  o: { syncTag: string; map: ZendeskPriorityMap },
  _settings: SyncSettings,
): Promise<Check[]> {
  const checks: Check[] = [];
  const auth = checkOf('crm', 'crm.auth', 'Zendesk API identity');
  let role: string | undefined;
  try {
    const { user } = await zd.call('GET users/me', 'GET', '/api/v2/users/me', meSchema);
    role = user.role ?? undefined;
    if (user.id <= 0) {
      checks.push(
        auth.fail('the API answered an anonymous user', 'check the OAuth client or the API token'),
      );
    } else {
      checks.push(
        auth.ok(
          `user ${user.id}${role ? ` (${role})` : ''}, ${zd.authKind === 'oauth' ? 'OAuth client credentials' : 'API token'}`,
        ),
      );
    }
  } catch (e) {
    checks.push(
      auth.fail(`GET /api/v2/users/me: ${answer(e)}`, 'check ZENDESK_BASE_URL and the credentials'),
    );
    return checks;
  }
  const legacy = checkOf('crm', 'crm.auth-form', 'Zendesk authentication form');
  checks.push(
    zd.authKind === 'token'
      ? legacy.warn(
          'legacy API token: Zendesk deactivates every API token on 2027-04-30',
          'create an OAuth client and set ZENDESK_OAUTH_CLIENT_ID and ZENDESK_OAUTH_CLIENT_SECRET',
        )
      : legacy.ok('OAuth client credentials'),
  );

  const tag = checkOf('crm', 'crm.sync-tag', 'sync tag');
  checks.push(
    /^[a-z0-9_\-/:.]+$/.test(o.syncTag)
      ? tag.ok(o.syncTag)
      : tag.fail(
          `"${o.syncTag}" is not a Zendesk tag`,
          'use lowercase letters, digits, - and _ only',
        ),
  );

  const prio = checkOf('crm', 'crm.priorities', 'priority map');
  const values = PRIORITIES.map((p) => o.map.toZendesk[p]);
  const bad = values.filter((v) => !(ZENDESK_PRIORITIES as readonly string[]).includes(v));
  checks.push(
    bad.length > 0
      ? prio.fail(
          `unknown Zendesk priorities: ${bad.join(', ')}`,
          'use urgent, high, normal or low',
        )
      : prio.ok(PRIORITIES.map((p) => `P${p}=${o.map.toZendesk[p]}`).join(',')),
  );

  const exp = checkOf('crm', 'crm.export', 'incremental ticket export');
  try {
    const start = Math.floor(zd.now() / 1000) - 3600;
    const page = await zd.call(
      'GET incremental/tickets/cursor',
      'GET',
      '/api/v2/incremental/tickets/cursor',
      exportSchema,
      { query: { start_time: start, per_page: 1 } },
    );
    checks.push(
      exp.ok(page.end_of_stream ? 'reachable, nothing changed in the last hour' : 'reachable'),
    );
  } catch (e) {
    const forbidden = e instanceof SyncError && e.status === 403;
    checks.push(
      exp.fail(
        `GET /api/v2/incremental/tickets/cursor: ${answer(e)}`,
        forbidden
          ? 'the incremental export needs an admin identity'
          : 'check the network path and the Zendesk plan',
      ),
    );
  }
  return checks;
}
