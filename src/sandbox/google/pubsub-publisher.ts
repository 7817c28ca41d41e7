// Optional case-event publishing of the Cloud Support simulator to a Pub/Sub topic (the
// Cloud SDK's Pub/Sub emulator, PUBSUB_EMULATOR_HOST): one message per change of a case
// (created, updated, comment added, attachment added), the case name in the `caseName`
// attribute and in the data (JSON `{"name", "eventType"}`), as the connector's Pub/Sub push
// source reads it (src/adapters/webhooks/pubsub-push.ts). Google's own event payload is not
// documented publicly: these names are the simulator's. Messages are published in the
// background, in order, through the emulator's REST API; `idle()` waits for them.
// Also the emulator's admin calls the sandbox and the bench need (topic, push subscription).
import type { CaseEventType } from './records';

export interface CaseEventPublishing {
  /** `host:port` of the Pub/Sub emulator. */
  readonly emulatorHost: string;
  readonly project: string;
  readonly topic: string;
}

export interface PublisherStats {
  readonly published: number;
  readonly failed: number;
  /** The last failure's reason (HTTP status or error name), if any. */
  readonly lastError: string | null;
}

export class CaseEventPublisher {
  private chain: Promise<void> = Promise.resolve();
  private pending = 0;
  private published = 0;
  private failed = 0;
  private lastError: string | null = null;
  private closed = false;

  constructor(private readonly opts: CaseEventPublishing) {}

  private get topicPath(): string {
    return `projects/${this.opts.project}/topics/${this.opts.topic}`;
  }

  /** Creates the topic if it is not there yet; throws, saying so, when the emulator does not answer. */
  async ensureTopic(): Promise<void> {
    await ensureTopic(this.opts.emulatorHost, this.opts.project, this.opts.topic);
  }

  publish(caseName: string, eventType: CaseEventType): void {
    if (this.closed) return;
    const data = Buffer.from(JSON.stringify({ name: caseName, eventType })).toString('base64');
    const body = JSON.stringify({ messages: [{ data, attributes: { caseName, eventType } }] });
    this.pending += 1;
    this.chain = this.chain.then(async () => {
      try {
        const res = await fetch(`http://${this.opts.emulatorHost}/v1/${this.topicPath}:publish`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await res.arrayBuffer();
        if (res.ok) this.published += 1;
        else {
          this.failed += 1;
          this.lastError = `HTTP ${res.status}`;
        }
      } catch (e) {
        this.failed += 1;
        this.lastError = e instanceof Error ? e.name : 'error';
      } finally {
        this.pending -= 1;
      }
    });
  }

  stats(): PublisherStats {
    return { published: this.published, failed: this.failed, lastError: this.lastError };
  }

  /** Resolves once every message published so far has been sent (or has failed). */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.chain;
  }

  close(): void {
    this.closed = true;
  }
}

async function emulatorCall(host: string, method: string, path: string, body?: unknown) {
  let res: Response;
  try {
    res = await fetch(`http://${host}/v1/${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  } catch (e) {
    throw new Error(
      `the Pub/Sub emulator at ${host} does not answer (${e instanceof Error ? e.name : 'error'})`,
    );
  }
  const text = await res.text();
  return { status: res.status, text };
}

/** Creates a topic on the emulator (already there is fine). */
export async function ensureTopic(host: string, project: string, topic: string): Promise<void> {
  const r = await emulatorCall(host, 'PUT', `projects/${project}/topics/${topic}`, {});
  if (r.status !== 200 && r.status !== 409)
    throw new Error(`the Pub/Sub emulator refused topic ${topic}: HTTP ${r.status}`);
}

/** Creates (or replaces) a push subscription on the emulator. */
export async function ensurePushSubscription(
  host: string,
  project: string,
  s: {
    readonly name: string;
    readonly topic: string;
    readonly pushEndpoint: string;
    readonly audience: string;
    readonly serviceAccountEmail: string;
  },
): Promise<void> {
  const path = `projects/${project}/subscriptions/${s.name}`;
  await emulatorCall(host, 'DELETE', path);
  const r = await emulatorCall(host, 'PUT', path, {
    topic: `projects/${project}/topics/${s.topic}`,
    ackDeadlineSeconds: 10,
    pushConfig: {
      pushEndpoint: s.pushEndpoint,
      oidcToken: { serviceAccountEmail: s.serviceAccountEmail, audience: s.audience },
    },
  });
  if (r.status !== 200)
    throw new Error(`the Pub/Sub emulator refused subscription ${s.name}: HTTP ${r.status}`);
}

/** Deletes a subscription (stops the emulator's pushes and redeliveries); errors ignored. */
export async function deleteSubscription(host: string, project: string, name: string) {
  await emulatorCall(host, 'DELETE', `projects/${project}/subscriptions/${name}`).catch(
    () => undefined,
  );
}

/** Whether an emulator answers at `host` (within a second). */
export async function emulatorReachable(host: string): Promise<boolean> {
  try {
    const res = await fetch(`http://${host}/`, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
