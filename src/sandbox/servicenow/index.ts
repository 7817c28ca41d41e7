// A stateful HTTP simulator of a ServiceNow instance, built from ServiceNow's own pages in
// /work/shared/reference/servicenow/ (it publishes no OpenAPI): the Table API over incident,
// sn_customerservice_case and the system tables the connector reads (sys_journal_field,
// sys_attachment, sys_dictionary, sys_db_object, sys_choice, sys_properties, sys_user,
// sys_user_has_role), the Attachment API, basic auth and the OAuth client-credentials
// grant. The behaviours that bite are modelled, each where it lives, citing its page:
// unknown query terms ignored (query.ts), sysparm_limit applied before ACLs (short pages
// with more to come) and the Link / X-Total-Count headers (table-routes.ts), journal
// entries hidden without read access (state.ts), the incident's derived priority and the
// state rules (records.ts), the error envelope (wire.ts), the inbound rate-limit rule and
// its headers (context.ts, app.ts), the attachment size property (attachment-routes.ts).
// Plus fault injection, the "down" switch, stats, an exchange hook, a person API and
// /_control, like the other simulators.
//
// Not modelled (an adapter relying on any of these is not tested by this simulator):
// versioned URLs (/api/now/v2/…) and XML; sysparm_view, sysparm_query_category,
// sysparm_query_no_domain, sysparm_no_count, sysparm_suppress_pagination_header,
// sysparm_input_display_value, name-value filters on GET, X-no-response-body; display values
// other than references' (choice labels, dates in the user's time zone); DELETE, attachment
// rename and attributes, POST /attachment/upload; the encoded-query language beyond = != < <=
// > >= LIKE NOTLIKE STARTSWITH ENDSWITH IN NOT IN ISEMPTY ISNOTEMPTY ^ ^OR ^NQ ORDERBY(DESC),
// one-level dot-walks and javascript:gs.getUserID() (no BETWEEN, relative dates, DYNAMIC,
// RLQUERY…), and `=` is case-sensitive here where instances' collation often is not;
// glide.invalid_query.returns_no_rows (always off); ACLs beyond per-record read hiding, the
// journal / sys_properties / dictionary read switches and closed records being read-only (no
// field-level ACLs, roles grant nothing, no table-level 403 on reads); domain separation;
// business rules other than "abort this write" (no rules that change values, no
// notifications, no On Hold → In Progress when the caller updates, no state-transition
// model: any state number is accepted); data policies other than resolution code and notes
// on resolve/close (CSM's account/contact requirements); choice lists other than the close
// codes (the stock values of a recent release, English only); custom priority lookup rules
// (the stock matrix only); journal length limits (case-api.md's 4,000 characters is not
// enforced), comments_and_work_notes and the activity stream's formatting; configurable
// numbering; glide.attachment.extensions, compression, image fields, encryption_context and
// creation_time on uploads; the size refusal's 413 and the quota cancellation's 500 are
// assumptions (the pages do not say), and the quota is measured on the simulator's clock
// from the start of the upload's handler; rate-limit rules other than one per-user hourly
// count (no 30-second commit delay, no rule priorities); OAuth beyond client_credentials
// with the secret in the form (no refresh tokens, scopes, client basic auth); sessions,
// cookies, X-UserToken, CORS; a hibernating instance's HTML page (down is a 503 envelope);
// the CSM Case API itself (/api/sn_customerservice/case: the adapter uses the Table API on
// sn_customerservice_case); optimistic locking (sys_mod_count is counted, never checked).
import type { AddressInfo } from 'node:net';
import { buildServiceNowApp } from './app';
import { createContext } from './context';
import { personApi } from './person';
import type { ServiceNowSimulator, ServiceNowSimulatorOptions } from './types';

export type {
  ServiceNowSimulator,
  ServiceNowSimulatorOptions,
  SnAttachmentSnapshot,
  SnJournalSnapshot,
  SnRecordDetail,
  SnRecordInput,
  SnRecordSnapshot,
  SnSimStats,
  TaskTable,
} from './types';

export async function startServiceNowSimulator(
  opts: ServiceNowSimulatorOptions = {},
): Promise<ServiceNowSimulator> {
  const ctx = createContext(opts);
  const { state } = ctx;
  const person = personApi(state);
  const app = buildServiceNowApp(ctx, person);
  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  ctx.base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  return {
    url: ctx.base,
    userName: ctx.userName,
    password: ctx.password,
    oauthClientId: ctx.clientId,
    oauthClientSecret: ctx.clientSecret,
    syncField: ctx.syncField,
    faults: ctx.faults,
    setDown: (down) => {
      ctx.down = down;
    },
    stats: () => ({ requests: ctx.stats.requests, byRoute: { ...ctx.stats.byRoute } }),
    createRecord: person.create,
    addJournal: person.journal,
    addAttachment: person.attachment,
    update: person.update,
    resolve: person.resolve,
    deleteRecord: (sysIdOrNumber) => {
      const t = state.findTask(sysIdOrNumber);
      if (t) state.delete(t.table, t.row['sys_id'] ?? '');
    },
    hideRecord: (sysId, hidden = true) => {
      if (hidden) state.hidden.add(sysId);
      else state.hidden.delete(sysId);
    },
    setJournalReadable: (r) => {
      state.journalReadable = r;
    },
    setPropertiesReadable: (r) => {
      state.propertiesReadable = r;
    },
    setDictionaryReadable: (r) => {
      state.dictionaryReadable = r;
    },
    dropField: (table, field) => {
      state.schema.dropField(table, field);
      state.refreshCatalog();
    },
    addBusinessRule: (rule) =>
      state.addRule({
        table: rule.table ?? null,
        on: rule.on ?? 'both',
        ...(rule.field !== undefined ? { field: rule.field } : {}),
        message: rule.message,
      }),
    removeBusinessRule: (id) => {
      const i = state.rules.findIndex((r) => r.id === id);
      if (i >= 0) state.rules.splice(i, 1);
    },
    grantRole: (role) => state.grantRole(role),
    revokeRole: (role) => state.revokeRole(role),
    getRecord: person.snapshot,
    listRecords: person.list,
    matchesQuery: (sysId, query) => {
      const t = state.findTask(sysId);
      if (!t) return false;
      return state.select(t.table, state.parse(t.table, query)).some((r) => r['sys_id'] === sysId);
    },
    close: () => app.close(),
  };
}
