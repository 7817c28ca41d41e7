// `npm run sandbox`: both API simulators and the connector wired to them (memory store,
// local queue, local scheduler reading cron.yaml/queue.yaml), one case seeded on each side,
// and a running log of what crosses between them. No account or credentials needed.
import { startGoogleSimulator } from './google';
import { startJiraSimulator } from './jira';
import { startServer } from '../server';
import { seedSandbox } from './seed';

const PARENT = 'organizations/123456789012';

function port(name: string, dflt: number): number {
  const v = Number(process.env[name] ?? dflt);
  return Number.isInteger(v) ? v : dflt;
}

async function main(): Promise<void> {
  const google = await startGoogleSimulator({ port: port('SANDBOX_GOOGLE_PORT', 8091) });
  const jira = await startJiraSimulator({ port: port('SANDBOX_JIRA_PORT', 8092) });
  const connector = await startServer({
    PORT: String(port('PORT', 8080)),
    SUPPORT_PARENT: PARENT,
    SUPPORT_CLASSIFICATION_ID: '100H41Q3DTMN0TBKCKD0SGRVNO3MK6KL5P4M2R1N3Q3G6P2QRAPE',
    SUPPORT_TEST_CASES: 'true',
    CLOUDSUPPORT_EMULATOR_HOST: google.host,
    CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
    JIRA_BASE_URL: jira.url,
    JIRA_EMAIL: jira.email,
    JIRA_API_TOKEN: jira.apiToken,
    JIRA_PROJECT_KEY: 'SUP',
    STORE: 'memory',
    TASK_QUEUE: 'local',
    SCHEDULER: 'local',
    // The status page at /admin/, without IAP: the page says so in a red banner.
    ADMIN_PAGE: 'local',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    LOG_FORMAT: process.env.LOG_FORMAT ?? 'pretty',
  });

  const say = (line: string) =>
    process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
  say(
    `Google Cloud Support simulator  ${google.url}   (control API: ${google.url}/_control/cases)`,
  );
  say(`Jira simulator                  ${jira.url}   (control API: ${jira.url}/_control/issues)`);
  say(`Connector                       ${connector.url}   (polls every minute, as cron.yaml says)`);
  say(`Status page (NO IAP, local only) ${connector.url}/admin/`);

  const seeded = seedSandbox(google, jira, PARENT);
  say(`seeded Google case ${seeded.caseName} and Jira ticket ${seeded.issueKey}`);

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
  };
  watch();
  const timer = setInterval(watch, 1000);
  // Do not wait up to a minute for the first cron tick: fire both polls once now.
  await connector.scheduler?.runNow('/tasks/poll-google');
  await connector.scheduler?.runNow('/tasks/poll-company');
  say('first polls done; the scheduler now polls every minute. Ctrl-C to stop.');

  const stop = async () => {
    clearInterval(timer);
    await connector.close();
    await Promise.all([google.close(), jira.close()]);
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
