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
    deleteRecord: (sysId) => {
      const t = state.findTask(sysId);
      if (t) state.delete(t.table, sysId);
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
