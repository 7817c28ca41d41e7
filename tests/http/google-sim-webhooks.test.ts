// The Cloud Support simulator's case events through the real Pub/Sub emulator (started by
// jest's global set-up): the simulator publishes one message per case change; a push
// subscription pushes them to the OIDC relay (the emulator sends no token), which adds the
// token Pub/Sub would and forwards to a receiver; the connector's PubSubPushSource, given
// the relay's key set, verifies each push and reads the case name from it.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet } from 'jose';
import { PubSubPushSource } from '../../src/adapters/webhooks/pubsub-push';
import {
  deleteSubscription,
  ensurePushSubscription,
  startGoogleSimulator,
  startOidcRelay,
  type GoogleSimulator,
  type OidcRelay,
} from '../../src/sandbox/google';
import { pubsubEmulatorHost } from '../support/pubsub-emulator';

const emulator = pubsubEmulatorHost();
const AUDIENCE = 'https://sync.example.com/webhooks/google';
const PUSH_SA = 'pubsub-push@sandbox-project.iam.gserviceaccount.com';

if (emulator.kind === 'missing') {
  if (emulator.failInCi) {
    describe('Google simulator case events', () => {
      it('needs the Pub/Sub emulator in CI', () => {
        throw new Error(`no Pub/Sub emulator in CI: ${emulator.reason}`);
      });
    });
  } else {
    describe.skip(`Google simulator case events (SKIPPED: ${emulator.reason})`, () => {
      it('publishes case events to Pub/Sub', () => undefined);
    });
  }
} else {
  const host = emulator.host;
  const project = `sim-events-${process.pid}`;
  let google: GoogleSimulator;
  let relay: OidcRelay;
  let receiver: Server;
  let pushes: Array<{ headers: IncomingHttpHeaders; raw: Buffer }>;
  let waiters: Array<() => void>;

  const until = async (pred: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 20_000;
    while (!pred()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200).unref();
      });
    }
  };

  beforeAll(async () => {
    pushes = [];
    waiters = [];
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        pushes.push({ headers: req.headers, raw: Buffer.concat(chunks) });
        res.writeHead(200).end('{}');
        waiters.splice(0).forEach((w) => w());
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
    const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/google`;
    relay = await startOidcRelay({ target, audience: AUDIENCE, serviceAccountEmail: PUSH_SA });
    google = await startGoogleSimulator({
      publishCaseEvents: { emulatorHost: host, project, topic: 'case-events' },
    });
    await ensurePushSubscription(host, project, {
      name: 'case-events-push',
      topic: 'case-events',
      pushEndpoint: relay.url,
      audience: AUDIENCE,
      serviceAccountEmail: PUSH_SA,
    });
  });

  afterAll(async () => {
    await deleteSubscription(host, project, 'case-events-push');
    await google?.close();
    await relay?.close();
    receiver?.closeAllConnections();
    await new Promise<void>((r) => (receiver ? receiver.close(() => r()) : r()));
  });

  it('publishes created, comment, attachment and update events; each push verifies and names the case', async () => {
    const source = new PubSubPushSource({
      audience: AUDIENCE,
      serviceAccountEmail: PUSH_SA,
      keys: createLocalJWKSet(relay.jwks),
    });
    const c = google.createCase({ displayName: 'Events', description: 'Hi' });
    google.addComment(c.name, { body: 'A comment.' });
    google.addAttachment(c.name, { filename: 'a.txt', content: Buffer.from('abc') });
    google.setPriority(c.name, 'P1');
    await google.caseEventsIdle();
    expect(google.caseEventStats()).toEqual({ published: 4, failed: 0, lastError: null });
    await until(() => pushes.length >= 4, 'four pushes');
    const types: string[] = [];
    for (const p of pushes) {
      const d = { headers: p.headers as Record<string, string>, rawBody: p.raw };
      expect(await source.authenticate(d)).toEqual({ ok: true });
      expect(await source.read(d)).toMatchObject({
        kind: 'sync',
        trigger: { side: 'google', caseName: c.name },
      });
      const msg = (JSON.parse(p.raw.toString('utf8')) as { message: Record<string, any> }).message; // eslint-disable-line @typescript-eslint/no-explicit-any
      expect(msg.attributes.caseName).toBe(c.name);
      expect(JSON.parse(Buffer.from(msg.data, 'base64').toString('utf8'))).toMatchObject({
        name: c.name,
      });
      types.push(msg.attributes.eventType);
    }
    expect(types.sort()).toEqual([
      'ATTACHMENT_ADDED',
      'CASE_CREATED',
      'CASE_UPDATED',
      'COMMENT_ADDED',
    ]);
    // Without the relay's token (straight from the emulator) the connector would refuse it.
    const bare = {
      headers: { 'content-type': 'application/json' },
      rawBody: pushes[0]?.raw as Buffer,
    };
    expect(await source.authenticate(bare)).toMatchObject({ ok: false, reason: 'missing' });
    expect(relay.stats().forwarded).toBeGreaterThanOrEqual(4);
  });

  it('an unreachable emulator fails the simulator’s start, saying so', async () => {
    await expect(
      startGoogleSimulator({
        publishCaseEvents: { emulatorHost: '127.0.0.1:9', project, topic: 'x' },
      }),
    ).rejects.toThrow('the Pub/Sub emulator at 127.0.0.1:9 does not answer');
  });
}
