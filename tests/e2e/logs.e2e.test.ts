// Logs are JSON for Cloud Logging and never hold a secret, case text, comment body or file
// name; run once per CRM (SPEC §6; the CRM differences live in tests/support/crm-worlds.ts).
import { startHarness, PARENT, type DeskHarness } from '../support/e2e-harness';
import { CRMS } from '../support/crm-worlds';

let h: DeskHarness;
afterEach(async () => {
  await h?.close();
});

describe.each(CRMS.map((world) => [world.label, world] as const))('logs (%s)', (_name, world) => {
  test('a full sync logs severity and message, correlates traces, and leaks nothing', async () => {
    h = await startHarness({ world });
    const secrets = {
      description: 'DESC-canary-7f3a the database password is hunter2',
      summary: 'SUMMARY-canary-91bd',
      googleBody: 'GBODY-canary-55e1 please call me at +1 555 0100',
      deskBody: 'JBODY-canary-0c77 customer data inside',
      filename: 'FILENAME-canary-a9.txt',
      deskFile: 'JFILE-canary-b3.log',
    };
    const c = h.google.createCase({
      parent: PARENT,
      displayName: secrets.summary,
      description: secrets.description,
      priority: 'P2',
    });
    await h.round();
    const key = h.desk.listTickets()[0]!.key;
    h.google.addComment(c.name, { body: secrets.googleBody, displayName: 'Alex' });
    h.google.addAttachment(c.name, { filename: secrets.filename, content: Buffer.from('x') });
    h.desk.addComment(key, { body: secrets.deskBody, displayName: 'Sam' });
    h.desk.addAttachment(key, {
      filename: secrets.deskFile,
      mimeType: 'text/plain',
      content: Buffer.from('y'),
    });
    h.crm.faults.add({ status: 500, count: 2 });
    await h.round().catch(() => undefined);
    await h.round();
    // A request with Cloud Trace context and a queue retry count.
    await fetch(`${h.connector.url}/tasks/sync-google-case`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'X-AppEngine-QueueName': 'sync',
        'X-AppEngine-TaskRetryCount': '3',
        'X-Cloud-Trace-Context': '105445aa7843bc8bf206b12000100000/1;o=1',
      },
      body: JSON.stringify({ caseName: c.name }),
    });

    // It did sync, both ways.
    expect(h.desk.getTicket(key)!.comments.some((x) => x.body.includes(secrets.googleBody))).toBe(
      true,
    );
    expect(h.google.getCase(c.name).comments.some((x) => x.body.includes(secrets.deskBody))).toBe(
      true,
    );
    expect(h.logs.length).toBeGreaterThan(10);
    for (const line of h.logs) {
      expect(typeof line.severity).toBe('string');
      expect(typeof line.message).toBe('string');
    }
    const all = JSON.stringify(h.logs);
    for (const canary of [
      ...Object.values(secrets),
      'hunter2',
      ...h.crm.secrets,
      h.google.token,
      'DESC-canary',
      'GBODY-canary',
      'JBODY-canary',
      'FILENAME-canary',
      'JFILE-canary',
    ]) {
      expect(all).not.toContain(canary);
    }
    const traced = h.logs.filter((l) => l['logging.googleapis.com/trace'] !== undefined);
    expect(traced.length).toBeGreaterThan(0);
    expect(String(traced[0]!['logging.googleapis.com/trace'])).toContain(
      '105445aa7843bc8bf206b12000100000',
    );
    expect(traced.some((l) => l.taskRetryCount === 3)).toBe(true);
  });
});
