// Crm.diagnose() on ServiceNow (`npm run doctor`), read-only: who the integration user is and
// how it authenticates, its roles, that every field the sync query and the adapter name
// exists on the table or its parents (sys_dictionary), the sync query itself and how many
// records it selects, read access to sys_journal_field (entries hidden from the user would
// never be mirrored), the close code, the priority map and the attachment limit. Never writes.
import { checkOf, type Check } from '../../domain/checks';
import { SyncError } from '../../domain/errors';
import type { ServiceNowPriorityMap, ServiceNowTable } from '../../domain/servicenow-priority';
import { syncQueryProblems } from '../../domain/servicenow-query';
import type { SyncSettings } from '../../domain/settings';
import { PRIORITIES } from '../../domain/types';
import { totalCount } from './servicenow-client';
import type { ServiceNowCrm } from './servicenow-crm';
import { closeCodeField } from './servicenow-mapping';
import { journalSchema, listOf, roleSchema } from './servicenow-schemas';

const answer = (e: unknown): string =>
  e instanceof SyncError && e.status !== undefined ? `HTTP ${e.status}` : (e as Error).message;

/** The roles that let the integration user work the table (SPEC §6.2, README). */
const ROLES: Readonly<Record<ServiceNowTable, readonly string[]>> = {
  incident: ['itil', 'sn_incident_write', 'admin'],
  sn_customerservice_case: ['sn_customerservice_agent', 'admin'],
};

export async function diagnoseServiceNow(
  crm: ServiceNowCrm,
  o: {
    table: ServiceNowTable;
    syncQuery: string;
    map: ServiceNowPriorityMap;
    fields: readonly string[];
  },
  _settings: SyncSettings,
): Promise<Check[]> {
  const sn = crm.sn;
  const checks: Check[] = [];
  const auth = checkOf('crm', 'crm.auth', 'ServiceNow integration user');
  try {
    const me = await sn.connector();
    checks.push(
      auth.ok(
        `${me.name} (${me.userName}), ${sn.authKind === 'oauth' ? 'OAuth client credentials' : 'basic auth'}`,
      ),
    );
  } catch (e) {
    checks.push(
      auth.fail(
        `who am I (sys_user): ${answer(e)}`,
        'check SERVICENOW_INSTANCE_URL and the credentials',
      ),
    );
    return checks;
  }

  const roles = checkOf('crm', 'crm.roles', 'roles');
  try {
    const { result } = await sn.call(
      'GET sys_user_has_role',
      'GET',
      '/api/now/table/sys_user_has_role',
      listOf(roleSchema),
      {
        query: {
          sysparm_query: 'user=javascript:gs.getUserID()',
          sysparm_fields: 'role',
          sysparm_display_value: 'true',
          sysparm_exclude_reference_link: 'true',
          sysparm_limit: 500,
        },
      },
    );
    const held = result.map((r) => r.role);
    const wanted = ROLES[o.table];
    checks.push(
      held.some((r) => wanted.includes(r))
        ? roles.ok(held.filter((r) => wanted.includes(r)).join(', '))
        : roles.warn(
            held.length === 0
              ? 'no role readable for the integration user'
              : `holds ${held.slice(0, 10).join(', ')}`,
            `grant ${wanted[0]} (the role that reads and writes ${o.table})`,
          ),
    );
  } catch (e) {
    checks.push(
      roles.warn(`sys_user_has_role: ${answer(e)}`, 'let the integration user read its roles'),
    );
  }

  const fields = checkOf('crm', 'crm.fields', 'fields on the table');
  try {
    const c = await crm.checkFields();
    const where =
      c.how === 'dictionary'
        ? `sys_dictionary on ${c.tables.join(' → ')}`
        : 'a record of the table (sys_dictionary not readable)';
    checks.push(
      c.missing.length === 0
        ? fields.ok(`${o.fields.length} fields found (${where})`)
        : fields.fail(
            `${o.table} has no field ${c.missing.join(', ')} (${where}); ServiceNow ignores unknown query terms, so the sync would widen`,
            'create the field (e.g. the u_sync_google_cloud_support checkbox) or fix SERVICENOW_SYNC_QUERY',
          ),
    );
  } catch (e) {
    checks.push(
      fields.fail(`fields: ${answer(e)}`, 'grant read access to sys_dictionary and sys_db_object'),
    );
  }

  const query = checkOf('crm', 'crm.sync-query', 'sync query');
  const problems = syncQueryProblems(o.syncQuery);
  let sample: string | null = null;
  if (problems.length > 0)
    checks.push(query.fail(`"${o.syncQuery}" ${problems.join('; ')}`, 'fix SERVICENOW_SYNC_QUERY'));
  else
    try {
      const s = await crm.sampleRecordId();
      sample = s.id;
      checks.push(
        query.ok(
          `"${o.syncQuery}" matches ${s.total ?? (s.id ? 'some' : 0)} records of ${o.table} now`,
        ),
      );
    } catch (e) {
      checks.push(
        query.fail(`GET ${o.table}: ${answer(e)}`, 'check SERVICENOW_TABLE and the table role'),
      );
    }

  const journal = checkOf('crm', 'crm.journal', 'journal read access');
  try {
    const { data, headers } = await sn.answer(
      'GET sys_journal_field',
      'GET',
      '/api/now/table/sys_journal_field',
      listOf(journalSchema),
      {
        query: {
          sysparm_query: `name=${o.table}${sample ? `^element_id=${sample}` : ''}^elementINcomments,work_notes`,
          sysparm_fields: 'sys_id,element,value,sys_created_on,sys_created_by',
          sysparm_limit: 1,
        },
      },
    );
    const total = totalCount(headers);
    if (total !== undefined && total > 0 && data.result.length === 0)
      checks.push(
        journal.fail(
          `sys_journal_field holds ${total} entries of ${o.table} the integration user cannot read`,
          'create a read ACL on sys_journal_field for the integration user’s role (comments and work notes are journal entries)',
        ),
      );
    else if (data.result.length > 0) checks.push(journal.ok('comments and work notes readable'));
    else
      checks.push(
        journal.warn(
          'no journal entry to read yet',
          'check again once a synced record has a comment',
        ),
      );
  } catch (e) {
    checks.push(
      journal.fail(`sys_journal_field: ${answer(e)}`, 'grant read access to sys_journal_field'),
    );
  }

  const code = checkOf('crm', 'crm.close-code', 'close code');
  try {
    checks.push(code.ok(`${closeCodeField(o.table)} "${await crm.resolveCode()}" (sys_choice)`));
  } catch (e) {
    checks.push(
      code.fail(
        `sys_choice: ${answer(e)}`,
        `let the integration user read sys_choice for ${o.table}.${closeCodeField(o.table)}`,
      ),
    );
  }

  checks.push(
    checkOf('crm', 'crm.priorities', 'priority map').ok(
      `${o.table === 'incident' ? 'impact/urgency ' : 'priority '}${PRIORITIES.map((p) => `P${p}=${o.map.values[p]}`).join(',')}`,
    ),
  );

  const limit = checkOf('crm', 'crm.upload-limit', 'upload limit');
  try {
    const l = await crm.attachmentLimit();
    const mb = (l.bytes / (1024 * 1024)).toFixed(0);
    checks.push(
      l.readable
        ? limit.ok(
            `${mb} MB per file (com.glide.attachment.max_size and the 60 s transaction quota)`,
          )
        : limit.warn(
            `${mb} MB assumed: com.glide.attachment.max_size is not readable`,
            'let the integration user read that sys_properties row',
          ),
    );
  } catch (e) {
    checks.push(
      limit.warn(
        `sys_properties: ${answer(e)}`,
        'let the integration user read com.glide.attachment.max_size',
      ),
    );
  }
  return checks;
}
