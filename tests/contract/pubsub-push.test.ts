// Google case events through a real Pub/Sub push subscription: the Cloud SDK's Pub/Sub
// emulator (started by jest's global set-up) pushes to POST /webhooks/google of a connector
// app with the real OIDC check (a local RSA key stands in for Google's JWKS).
//
// The emulator accepts a push subscription's oidcToken settings but sends no token (its
// requests carry no Authorization header), where Pub/Sub signs one for the subscription's
// service account. So the emulator pushes to a relay, which adds the token Pub/Sub would
// add and forwards the request unchanged (headers, raw body); and one subscription pushes
// straight to the connector, to show that a push without a token is refused.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair, type KeyLike } from 'jose';
import { buildApp } from '../../src/app';
import { createLogger } from '../../src/adapters/log/pino-logger';
import { PubSubPushSource } from '../../src/adapters/webhooks/pubsub-push';
import { makeDeps, type TestDeps } from '../support/task-deps';
import { pubsubEmulatorHost } from '../support/pubsub-emulator';

const emulator = pubsubEmulatorHost();
const AUDIENCE = 'https://sync.example.com/webhooks/google';
const PUSH_SA = 'pubsub-push@sandbox-project.iam.gserviceaccount.com';
const CASE = 'organizations/123456789012/cases/50000042';

if (emulator.kind === 'missing') {
  if (emulator.failInCi) {
    describe('Pub/Sub push', () => {
      it('needs the Pub/Sub emulator in CI', () => {
        throw new Error(`no Pub/Sub emulator in CI: ${emulator.reason}`);
      });
    });
  } else {
    describe.skip(`Pub/Sub push (SKIPPED: ${emulator.reason})`, () => {
      it('pushes case events from the Pub/Sub emulator to /webhooks/google', () => undefined);
    });
  }
} else {
  const base = `http://${emulator.host}/v1`;
  const project = `push-test-${process.pid}`;
  let deps: TestDeps;
  let app: ReturnType<typeof buildApp>;
  let appUrl: string;
  let relay: Server;
  let relayUrl: string;
  let privateKey: KeyLike;
  const lines: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  const relayed: IncomingHttpHeaders[] = [];

  /** Resolves once `pred` holds, re-checked after each log line and each relayed push. */
  const until = async (pred: () => boolean): Promise<void> => {
    while (!pred()) await new Promise<void>((r) => waiters.push(r));
  };
  const wake = () => waiters.splice(0).forEach((w) => w());

  const api = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${base}/projects/${project}/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
  const subscribe = (name: string, topic: string, endpoint: string) =>
    api('PUT', `subscriptions/${name}`, {
      topic: `projects/${project}/topics/${topic}`,
      ackDeadlineSeconds: 10,
      pushConfig: {
        pushEndpoint: endpoint,
        oidcToken: { serviceAccountEmail: PUSH_SA, audience: AUDIENCE },
      },
    });
  const publish = (
    topic: string,
    message: { attributes?: Record<string, string>; data?: string },
  ) => api('POST', `topics/${topic}:publish`, { messages: [message] });

  beforeAll(async () => {
    const rsa = await generateKeyPair('RS256');
    privateKey = rsa.privateKey;
    const keys = createLocalJWKSet({
      keys: [{ ...(await exportJWK(rsa.publicKey)), kid: 'push-key', alg: 'RS256' }],
    });
    deps = makeDeps();
    const { log: _log, ...rest } = deps;
    const sink = new Writable({
      write: (c: Buffer, _e, cb) => {
        for (const l of c.toString().split('\n').filter(Boolean))
          lines.push(JSON.parse(l) as Record<string, unknown>);
        wake();
        cb();
      },
    });
    app = buildApp({
      ...rest,
      logger: createLogger({ level: 'info', format: 'json', destination: sink }),
      webhooks: {
        sources: [
          // Real time: the tokens below are signed now, and so are the emulator's messages.
          new PubSubPushSource({ audience: AUDIENCE, serviceAccountEmail: PUSH_SA, keys }),
        ],
        coalesceWindowMs: 10_000,
      },
    });
    appUrl = await app.listen({ port: 0, host: '127.0.0.1' });

    // The relay: what Pub/Sub adds to a push that the emulator does not, an OIDC token.
    relay = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        relayed.push(req.headers);
        void (async () => {
          const token = await new SignJWT({ email: PUSH_SA, email_verified: true })
            .setProtectedHeader({ alg: 'RS256', kid: 'push-key', typ: 'JWT' })
            .setIssuer('https://accounts.google.com')
            .setAudience(AUDIENCE)
            .setSubject('112233445566778899')
            .setIssuedAt()
            .setExpirationTime('1h')
            .sign(privateKey);
          const answer = await fetch(`${appUrl}/webhooks/google`, {
            method: 'POST',
            headers: {
              'content-type': req.headers['content-type'] ?? 'application/json',
              authorization: `Bearer ${token}`,
            },
            body: Buffer.concat(chunks),
          });
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
          wake();
        })();
      });
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', () => r()));
    relayUrl = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;

    await api('PUT', 'topics/case-events', {});
    await subscribe('case-events-push', 'case-events', `${relayUrl}/push`);
    await api('PUT', 'topics/unauthenticated', {});
    await subscribe('unauthenticated-push', 'unauthenticated', `${appUrl}/webhooks/google`);
  });

  afterAll(async () => {
    // Stop the emulator's redeliveries to this process before closing it.
    for (const s of ['case-events-push', 'unauthenticated-push'])
      await fetch(`${base}/projects/${project}/subscriptions/${s}`, { method: 'DELETE' }).catch(
        () => undefined,
      );
    relay?.closeAllConnections();
    await new Promise<void>((r) => (relay ? relay.close(() => r()) : r()));
    await app?.close();
  });

  describe('Pub/Sub push (emulator)', () => {
    it('a case event pushed with its OIDC token enqueues a sync of the case its attributes name', async () => {
      await publish('case-events', { attributes: { caseName: CASE, eventType: 'UPDATED' } });
      await until(() => deps.queue.tasks.length >= 1);
      expect(deps.queue.tasks.map((t) => t.task)).toEqual([
        { kind: 'sync-google-case', caseName: CASE },
      ]);
      // What the emulator pushed: JSON, and no token of its own.
      expect(relayed[0]?.['content-type']).toMatch(/^application\/json/);
      expect(relayed[0]?.authorization).toBeUndefined();
    });

    it('reads the case name from the message data when the attributes have none', async () => {
      const other = 'organizations/123456789012/cases/50000043';
      const data = Buffer.from(JSON.stringify({ case: { name: other } })).toString('base64');
      await publish('case-events', { data });
      await until(() => deps.queue.tasks.some((t) => JSON.stringify(t.task).includes(other)));
      expect(deps.queue.tasks.at(-1)?.task).toEqual({ kind: 'sync-google-case', caseName: other });
    });

    it('logs and ignores a message that names no case (answered 200: not redelivered)', async () => {
      const before = deps.queue.tasks.length;
      await publish('case-events', { data: Buffer.from('{"state":"CLOSED"}').toString('base64') });
      await until(() => lines.some((l) => l.message === 'push ignored'));
      expect(lines.find((l) => l.message === 'push ignored')).toMatchObject({
        source: 'google',
        reason: 'no-case-name',
      });
      expect(deps.queue.tasks).toHaveLength(before);
    });

    it('refuses a push without an OIDC token with 401', async () => {
      const before = deps.queue.tasks.length;
      await publish('unauthenticated', { attributes: { caseName: CASE } });
      await until(() => lines.some((l) => l.message === 'push refused'));
      expect(lines.find((l) => l.message === 'push refused')).toMatchObject({
        source: 'google',
        reason: 'missing',
      });
      expect(deps.queue.tasks).toHaveLength(before);
    });
  });
}
