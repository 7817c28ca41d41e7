// `npm run sandbox [-- --crm jira|zendesk|servicenow [--table incident|sn_customerservice_case]]`:
// both API simulators and the connector wired to them (memory store, local queue, local
// scheduler reading cron.yaml/queue.yaml), one case seeded on each side, and a running log
// of what crosses between them. No account or credentials needed. The desk is `--crm NAME`,
// else `CRM`, else jira; ServiceNow's table is `--table NAME`, else SERVICENOW_TABLE, else incident.
// Push (README "Push") is on unless `--no-push` (or SANDBOX_PUSH=off): the desk's simulator
// pushes to the connector (Jira: the admin webhook, registered through the simulator's API
// as the doctor registers it; Zendesk: a webhook and its trigger), and the Google simulator
// publishes case events to a Pub/Sub emulator when PUBSUB_EMULATOR_HOST answers, pushed to
// the connector through the OIDC relay (the token the emulator does not send).
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose';
import {
  deleteSubscription,
  emulatorReachable,
  ensurePushSubscription,
  startGoogleSimulator,
  startOidcRelay,
  type GoogleSimulator,
  type OidcRelay,
} from './google';
import { startJiraSimulator, type JiraSimulator } from './jira';
import { setUpZendeskPush, startZendeskSimulator, type ZendeskSimulator } from './zendesk';
import { startServiceNowSimulator, type ServiceNowSimulator, type TaskTable } from './servicenow';
import { registerJiraWebhook } from '../adapters/webhooks/jira-webhook-registration';
import { DEFAULT_SYNC_JQL, DEFAULT_ZENDESK_SYNC_TAG } from '../domain/settings';
import { startServer } from '../server';
import { CRMS, type CrmName } from '../config';
import { seedServiceNowSandbox, seedSandbox, seedZendeskSandbox } from './seed';

const PARENT = 'organizations/123456789012';

type Say = (line: string) => void;

function port(name: string, dflt: number): number {
  const v = Number(process.env[name] ?? dflt);
  return Number.isInteger(v) ? v : dflt;
}

/** `--crm NAME` or `--crm=NAME`, else CRM, else jira; anything else is refused with the choices. */
function chosenCrm(argv: readonly string[]): CrmName {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--crm') {
      value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new Error(`--crm needs a value: one of ${CRMS.join(', ')}`);
      i++;
    } else if (a.startsWith('--crm=')) value = a.slice('--crm='.length);
  }
  value = (value ?? process.env.CRM?.trim()) || 'jira';
  if (!(CRMS as readonly string[]).includes(value))
    throw new Error(
      `unknown CRM "${value}": choose one of ${CRMS.join(', ')} (--crm NAME or CRM=NAME)`,
    );
  return value as CrmName;
}

const SN_TABLES: readonly TaskTable[] = ['incident', 'sn_customerservice_case'];

/** `--table NAME` or `--table=NAME`, else SERVICENOW_TABLE, else incident. */
function chosenTable(argv: readonly string[]): TaskTable {
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--table') value = argv[++i];
    else if (a.startsWith('--table=')) value = a.slice('--table='.length);
  }
  value = (value ?? process.env.SERVICENOW_TABLE?.trim()) || 'incident';
  if (!(SN_TABLES as readonly string[]).includes(value))
    throw new Error(
      `unknown table "${value}": choose one of ${SN_TABLES.join(', ')} (--table NAME)`,
    );
  return value as TaskTable;
}

/** `--no-push` or SANDBOX_PUSH=off: the polls only. */
function pushWanted(argv: readonly string[]): boolean {
  if (argv.includes('--no-push')) return false;
  return !['off', 'false', '0', 'no'].includes(
    (process.env.SANDBOX_PUSH ?? '').trim().toLowerCase(),
  );
}

/** One desk of the sandbox: its simulator, the connector's variables for it, seed and watch. */
interface Desk {
  readonly env: Record<string, string>;
  /** Makes the desk push to the connector (after it listens); returns what to print. */
  connectPush(connectorUrl: string): Promise<string>;
  banner(say: Say): void;
  seed(google: GoogleSimulator): string;
  watch(say: Say, seen: Set<string>): void;
  close(): Promise<void>;
}

/** The sandbox's webhook secret (a fixed, public value: the sandbox holds no real data). */
const SANDBOX_WEBHOOK_SECRET = 'sandbox-webhook-secret';

async function jiraDesk(push: boolean): Promise<Desk> {
  const jira: JiraSimulator = await startJiraSimulator({ port: port('SANDBOX_JIRA_PORT', 8092) });
  return {
    env: {
      JIRA_BASE_URL: jira.url,
      JIRA_EMAIL: jira.email,
      JIRA_API_TOKEN: jira.apiToken,
      JIRA_PROJECT_KEY: 'SUP',
      // POST /webhooks/jira is on (README "Push"): the simulator's webhook signs with it.
      ...(push ? { JIRA_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET } : {}),
    },
    connectPush: async (connectorUrl) => {
      const r = await registerJiraWebhook({
        baseUrl: jira.url,
        email: jira.email,
        apiToken: jira.apiToken,
        url: `${connectorUrl}/webhooks/jira`,
        jql: DEFAULT_SYNC_JQL,
        secret: SANDBOX_WEBHOOK_SECRET,
      });
      if (!r.ok) throw new Error(`the Jira webhook was not registered: ${r.detail}`);
      return `Jira push ON: admin webhook ${r.id} → ${connectorUrl}/webhooks/jira for "${DEFAULT_SYNC_JQL}" (registered through ${jira.url}/rest/webhooks/1.0/webhook, as npm run doctor -- --register-webhooks does)`;
    },
    banner: (say) => {
      say(
        `Jira simulator                  ${jira.url}   (control API: ${jira.url}/_control/issues)`,
      );
      if (push)
        say(`Jira webhook secret             ${SANDBOX_WEBHOOK_SECRET}   (POST /webhooks/jira)`);
    },
    seed: (google) => {
      const s = seedSandbox(google, jira, PARENT);
      return `seeded Google case ${s.caseName} and Jira ticket ${s.issueKey}`;
    },
    watch: (say, seen) => {
      for (const i of jira.listIssues()) {
        const detail = jira.getIssue(i.key);
        if (!detail) continue;
        if (!seen.has(i.id)) {
          seen.add(i.id);
          say(`Jira    ticket ${i.key} "${i.summary}" [${i.priority}, ${i.statusCategory}]`);
        }
        for (const cm of detail.comments) {
          const k = `${i.id}#c${cm.id}`;
          if (seen.has(k)) continue;
          seen.add(k);
          say(
            `Jira    ${i.key} ${cm.public ? 'public' : 'internal'} comment by ${cm.author.displayName}: ${firstLine(cm.bodyText)}`,
          );
        }
        for (const a of detail.attachments) {
          const k = `${i.id}#a${a.id}`;
          if (!seen.has(k)) {
            seen.add(k);
            say(`Jira    ${i.key} attachment ${a.filename} (${a.size} bytes)`);
          }
        }
        const sk = `${i.id}@${i.statusCategory}/${i.priority}`;
        if (!seen.has(sk)) {
          seen.add(sk);
          if (seen.has(`${i.id}@seen`))
            say(`Jira    ${i.key} is now ${i.priority}, ${i.statusCategory}`);
          seen.add(`${i.id}@seen`);
        }
      }
    },
    close: () => jira.close(),
  };
}

async function zendeskDesk(push: boolean): Promise<Desk> {
  const zd: ZendeskSimulator = await startZendeskSimulator({
    port: port('SANDBOX_ZENDESK_PORT', 8093),
  });
  return {
    env: {
      ZENDESK_BASE_URL: zd.url,
      ZENDESK_OAUTH_CLIENT_ID: zd.oauthClientId,
      ZENDESK_OAUTH_CLIENT_SECRET: zd.oauthClientSecret,
      ...(push ? { ZENDESK_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET } : {}),
    },
    connectPush: async (connectorUrl) => {
      const r = await setUpZendeskPush(zd, `${connectorUrl}/webhooks/zendesk`, {
        tag: DEFAULT_ZENDESK_SYNC_TAG,
        signingSecret: SANDBOX_WEBHOOK_SECRET,
      });
      return `Zendesk push ON: webhook ${r.webhookId} → ${connectorUrl}/webhooks/zendesk, fired by trigger ${r.triggerId} on tickets tagged ${DEFAULT_ZENDESK_SYNC_TAG} (created through ${zd.url}/api/v2/webhooks and /api/v2/triggers)`;
    },
    banner: (say) => {
      if (push)
        say(`Zendesk webhook secret          ${SANDBOX_WEBHOOK_SECRET}   (POST /webhooks/zendesk)`);
      say(`Zendesk simulator               ${zd.url}   (control API: ${zd.url}/_control/tickets)`);
      say(`Zendesk attachment host         ${zd.contentUrl}   (refuses credentials)`);
    },
    seed: (google) => {
      const s = seedZendeskSandbox(google, zd, PARENT);
      return `seeded Google case ${s.caseName} and Zendesk ticket ${s.ticketId}`;
    },
    watch: (say, seen) => {
      for (const t of zd.listTickets()) {
        const detail = zd.getTicket(t.id);
        if (!detail) continue;
        const id = `zd${t.id}`;
        const pri = t.priority ?? 'no priority';
        if (!seen.has(id)) {
          seen.add(id);
          say(
            `Zendesk ticket ${t.id} "${t.subject}" [${pri}, ${t.status}] tags: ${t.tags.join(' ')}`,
          );
        }
        // The first comment is the ticket's description, shown with the ticket above.
        for (const cm of detail.comments.slice(1)) {
          const k = `${id}#c${cm.id}`;
          if (seen.has(k)) continue;
          seen.add(k);
          if (cm.body.trim() !== '')
            say(
              `Zendesk ${t.id} ${cm.public ? 'public' : 'internal'} comment by ${cm.author.name}: ${firstLine(cm.body)}`,
            );
          for (const a of cm.attachments)
            say(`Zendesk ${t.id} attachment ${a.file_name} (${a.size} bytes)`);
        }
        const sk = `${id}@${t.status}/${pri}`;
        if (!seen.has(sk)) {
          seen.add(sk);
          if (seen.has(`${id}@seen`)) say(`Zendesk ${t.id} is now ${pri}, ${t.status}`);
          seen.add(`${id}@seen`);
        }
      }
    },
    close: () => zd.close(),
  };
}

async function serviceNowDesk(table: TaskTable): Promise<Desk> {
  const sn: ServiceNowSimulator = await startServiceNowSimulator({
    port: port('SANDBOX_SERVICENOW_PORT', 8094),
  });
  const label = table === 'incident' ? 'incident' : 'case';
  return {
    env: {
      SERVICENOW_INSTANCE_URL: sn.url,
      SERVICENOW_TABLE: table,
      SERVICENOW_OAUTH_CLIENT_ID: sn.oauthClientId,
      SERVICENOW_OAUTH_CLIENT_SECRET: sn.oauthClientSecret,
    },
    banner: (say) =>
      say(`ServiceNow simulator (${table})  ${sn.url}   (control API: ${sn.url}/_control/records)`),
    seed: (google) => {
      const s = seedServiceNowSandbox(google, sn, table, PARENT);
      return `seeded Google case ${s.caseName} and ServiceNow ${label} ${s.number}`;
    },
    watch: (say, seen) => {
      for (const r of sn.listRecords(table)) {
        const d = sn.getRecord(r.sys_id);
        if (!d) continue;
        const id = `sn${r.sys_id}`;
        const pri =
          table === 'incident'
            ? `impact ${r.impact}/urgency ${r.urgency} → priority ${r.priority}`
            : `priority ${r.priority}`;
        if (!seen.has(id)) {
          seen.add(id);
          say(
            `ServiceNow ${label} ${r.number} "${r.short_description}" [${pri}, state ${r.state}]${r.correlation_id ? ` ↔ ${r.correlation_id}` : ''}`,
          );
        }
        for (const j of d.journal) {
          const k = `${id}#j${j.sys_id}`;
          if (seen.has(k)) continue;
          seen.add(k);
          say(
            `ServiceNow ${r.number} ${j.element === 'comments' ? 'comment' : 'work note'} by ${j.authorName}: ${firstLine(j.value)}`,
          );
        }
        for (const a of d.attachments) {
          const k = `${id}#a${a.sys_id}`;
          if (seen.has(k)) continue;
          seen.add(k);
          say(
            `ServiceNow ${r.number} attachment ${a.file_name} (${a.size_bytes} bytes) by ${a.sys_created_by}`,
          );
        }
        const sk = `${id}@${r.state}/${r.priority}/${r.correlation_id}`;
        if (!seen.has(sk)) {
          seen.add(sk);
          if (seen.has(`${id}@seen`))
            say(
              `ServiceNow ${r.number} is now ${pri}, state ${r.state}${r.close_code ? ` (${r.close_code})` : ''}${r.correlation_id ? ` ↔ ${r.correlation_id}` : ''}`,
            );
          seen.add(`${id}@seen`);
        }
      }
    },
    // ServiceNow pushes nothing yet (no outbound REST message is modelled): the poll finds
    // its changes.
    connectPush: () =>
      Promise.resolve('ServiceNow push: not built (no webhook route); the poll finds its changes'),
    close: () => sn.close(),
  };
}

/** The sandbox's Pub/Sub names (the emulator keeps them in memory). */
const PUBSUB = {
  project: 'sandbox-project',
  topic: 'cloud-support-case-events',
  subscription: 'case-events-push',
  audience: 'https://sandbox.example.com/webhooks/google',
  serviceAccount: 'pubsub-push@sandbox-project.iam.gserviceaccount.com',
} as const;

/** The Google side of the push: on when PUBSUB_EMULATOR_HOST answers; else why not. */
async function googlePush(
  push: boolean,
  connectorUrl: () => string,
): Promise<
  { on: true; host: string; relay: OidcRelay; keys: JWTVerifyGetKey } | { on: false; why: string }
> {
  if (!push) return { on: false, why: '--no-push' };
  const host = process.env.PUBSUB_EMULATOR_HOST?.trim();
  if (!host)
    return {
      on: false,
      why: 'no Pub/Sub emulator: PUBSUB_EMULATOR_HOST is unset (eval "$(scripts/pubsub-emulator.sh start)" to start one)',
    };
  if (!(await emulatorReachable(host)))
    return { on: false, why: `no Pub/Sub emulator answers at PUBSUB_EMULATOR_HOST=${host}` };
  const relay = await startOidcRelay({
    target: () => `${connectorUrl()}/webhooks/google`,
    audience: PUBSUB.audience,
    serviceAccountEmail: PUBSUB.serviceAccount,
  });
  return { on: true, host, relay, keys: createLocalJWKSet(relay.jwks) };
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const crm = chosenCrm(argv);
  const table = crm === 'servicenow' ? chosenTable(argv) : 'incident';
  const push = pushWanted(argv);
  let connectorUrl = '';
  const gpush = await googlePush(push, () => connectorUrl);
  const google = await startGoogleSimulator({
    port: port('SANDBOX_GOOGLE_PORT', 8091),
    ...(gpush.on
      ? {
          publishCaseEvents: {
            emulatorHost: gpush.host,
            project: PUBSUB.project,
            topic: PUBSUB.topic,
          },
        }
      : {}),
  });
  const desk =
    crm === 'zendesk'
      ? await zendeskDesk(push)
      : crm === 'servicenow'
        ? await serviceNowDesk(table)
        : await jiraDesk(push);
  const connector = await startServer(
    {
      PORT: String(port('PORT', 8080)),
      SUPPORT_PARENT: PARENT,
      SUPPORT_CLASSIFICATION_ID: '100H41Q3DTMN0TBKCKD0SGRVNO3MK6KL5P4M2R1N3Q3G6P2QRAPE',
      SUPPORT_TEST_CASES: 'true',
      CLOUDSUPPORT_EMULATOR_HOST: google.host,
      CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
      CRM: crm,
      ...desk.env,
      STORE: 'memory',
      TASK_QUEUE: 'local',
      SCHEDULER: 'local',
      // The status page at /admin/, without IAP: the page says so in a red banner.
      ADMIN_PAGE: 'local',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
      LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
      ...(gpush.on
        ? {
            GOOGLE_PUSH_AUDIENCE: PUBSUB.audience,
            GOOGLE_PUSH_SERVICE_ACCOUNT: PUBSUB.serviceAccount,
          }
        : {}),
    },
    gpush.on ? { googlePushKeys: gpush.keys } : {},
  );
  connectorUrl = connector.url;

  const say: Say = (line) =>
    process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
  say(
    `Google Cloud Support simulator  ${google.url}   (control API: ${google.url}/_control/cases)`,
  );
  desk.banner(say);
  say(`Connector                       ${connector.url}   (polls every minute, as cron.yaml says)`);
  say(`Status page (NO IAP, local only) ${connector.url}/admin/`);
  if (push) say(await desk.connectPush(connector.url));
  else say('push OFF (--no-push): changes are found by the polls only');
  if (gpush.on) {
    await ensurePushSubscription(gpush.host, PUBSUB.project, {
      name: PUBSUB.subscription,
      topic: PUBSUB.topic,
      pushEndpoint: gpush.relay.url,
      audience: PUBSUB.audience,
      serviceAccountEmail: PUBSUB.serviceAccount,
    });
    say(
      `Google push ON: case events → Pub/Sub emulator ${gpush.host} (projects/${PUBSUB.project}/topics/${PUBSUB.topic}) → push subscription → OIDC relay ${gpush.relay.url} → ${connector.url}/webhooks/google`,
    );
    say(
      "                                (the relay adds the OIDC token the emulator does not send; the connector trusts the relay's key, in the sandbox only)",
    );
  } else say(`Google push OFF: ${gpush.why}; Google changes are found by the poll`);

  say(desk.seed(google));

  // Print what crosses: new tickets, cases and comments on either side, as they appear.
  const seen = new Set<string>();
  const watch = () => {
    for (const c of google.listCases()) {
      const detail = google.getCase(c.name);
      if (!detail) continue;
      if (!seen.has(c.name)) {
        seen.add(c.name);
        say(`Google  case ${c.name} "${c.displayName}" [${c.priority}, ${c.state}]`);
      }
      for (const cm of detail.comments) {
        const k = `${c.name}#c${cm.name}`;
        if (seen.has(k)) continue;
        seen.add(k);
        say(
          `Google  ${c.name.split('/').pop()} comment by ${cm.creator.displayName}: ${firstLine(cm.body)}`,
        );
      }
      for (const a of detail.attachments) {
        const k = `${c.name}#a${a.name}`;
        if (!seen.has(k)) {
          seen.add(k);
          say(`Google  ${c.name.split('/').pop()} attachment ${a.filename} (${a.sizeBytes} bytes)`);
        }
      }
      const sk = `${c.name}@${c.state}/${c.priority}`;
      if (!seen.has(sk)) {
        seen.add(sk);
        if (seen.has(`${c.name}@seen`))
          say(`Google  ${c.name.split('/').pop()} is now ${c.priority}, ${c.state}`);
        seen.add(`${c.name}@seen`);
      }
    }
    desk.watch(say, seen);
  };
  watch();
  const timer = setInterval(watch, 1000);
  // Do not wait up to a minute for the first cron tick: fire both polls once now.
  await connector.scheduler?.runNow('/tasks/poll-google');
  await connector.scheduler?.runNow('/tasks/poll-company');
  say('first polls done; the scheduler now polls every minute. Ctrl-C to stop.');

  const stop = async () => {
    clearInterval(timer);
    if (gpush.on) await deleteSubscription(gpush.host, PUBSUB.project, PUBSUB.subscription);
    await connector.close();
    if (gpush.on) await gpush.relay.close();
    await Promise.all([google.close(), desk.close()]);
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  const limit = Number(process.env.SANDBOX_EXIT_AFTER_SECONDS ?? 0);
  if (limit > 0) setTimeout(() => void stop(), limit * 1000).unref();
}

function firstLine(s: string): string {
  const line = s.split('\n').find((l) => l.trim() !== '') ?? '';
  return line.length > 90 ? `${line.slice(0, 87)}...` : line;
}

main().catch((e: unknown) => {
  process.stderr.write(`sandbox failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
