// `npm run doctor` with CRM=servicenow against the simulators, the real adapters over HTTP:
// the ServiceNow lines are named `servicenow`, a good set-up has no ✗, and each broken
// set-up gives its ✗ line with the fix: the journal not readable, a field of the sync query
// missing (the boot guard's ConfigError, shown as the CRM's set-up line). Never prints a
// secret.
import { runDoctor } from '../../src/doctor';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';
import { startServiceNowSimulator, type ServiceNowSimulator } from '../../src/sandbox/servicenow';

const ORG = 'organizations/4242';
const PASSWORD = 'sn-secret-password-4711';
let google: GoogleSimulator;
let sn: ServiceNowSimulator;
afterEach(async () => {
  await Promise.all([google.close(), sn.close()]);
});

async function start(o: Parameters<typeof startServiceNowSimulator>[0] = {}) {
  google = await startGoogleSimulator({ classifications: [{ id: 'cls', displayName: 'Compute' }] });
  sn = await startServiceNowSimulator({ password: PASSWORD, ...o });
  const r = sn.createRecord('incident', { short_description: 'open incident' });
  sn.addJournal(r.sys_id, { body: 'a comment', element: 'comments' });
}

const env = (over: Record<string, string> = {}) => ({
  SUPPORT_PARENT: ORG,
  SUPPORT_CLASSIFICATION_ID: 'cls',
  CLOUDSUPPORT_EMULATOR_HOST: google.host,
  CLOUDSUPPORT_EMULATOR_TOKEN: google.token,
  CRM: 'servicenow',
  SERVICENOW_INSTANCE_URL: sn.url,
  SERVICENOW_USER: sn.userName,
  SERVICENOW_PASSWORD: PASSWORD,
  STORE: 'memory',
  TASK_QUEUE: 'local',
  SCHEDULER: 'local',
  METADATA_SERVER_DETECTION: 'none',
  ...over,
});
const line = (output: string, title: string): string =>
  output.split('\n').find((l) => l.includes(title)) ?? `(no line "${title}")`;

describe('npm run doctor with CRM=servicenow', () => {
  it('a good set-up: the servicenow lines are ✓, nothing fails', async () => {
    await start();
    const r = await runDoctor(env());
    expect(r.checks.filter((c) => c.status === 'fail')).toEqual([]);
    expect(line(r.output, 'integration user')).toMatch(
      /^✓ servicenow +ServiceNow integration user +Google Sync Connector \(google.sync\), basic auth/,
    );
    expect(line(r.output, 'journal read access')).toMatch(/^✓ servicenow/);
    expect(line(r.output, 'sync query')).toMatch(/matches 1 records of incident/);
    expect(r.output).not.toContain(PASSWORD);
  });

  it('the journal hidden from the integration user: ✗ with the ACL to create', async () => {
    await start();
    sn.setJournalReadable(false);
    const r = await runDoctor(env());
    expect(line(r.output, 'journal read access')).toMatch(
      /^✗ servicenow +journal read access +sys_journal_field holds 1 entries of incident the integration user cannot read — create a read ACL on sys_journal_field/,
    );
    expect(r.exitCode).toBe(1);
  });

  it('a field of the sync query missing: ✗ naming it (the boot guard)', async () => {
    await start();
    const r = await runDoctor(env({ SERVICENOW_SYNC_QUERY: 'active=true^u_sycn=true' }));
    expect(line(r.output, 'u_sycn')).toMatch(/^✗ servicenow .*has no field u_sycn/);
    expect(r.exitCode).toBe(1);
    expect(r.output).not.toContain(PASSWORD);
  });
});
