// A stateful HTTP simulator of the Cloud Support API v2 (CSAPI), speaking the real wire
// format for every endpoint the GoogleSupportCases adapter calls, with fault injection,
// a control API (`/_control/...`, no auth) and an exchange hook for spec checking.
//
// Decisions where the public documentation is silent (recorded here on purpose):
// - Closing a case that is already closed answers 200 with the case, unchanged.
// - Lists are newest first (comments, like the real API; attachments likewise). Search
//   returns cases in case-number order; page tokens are opaque and stable under writes.
// - Default page sizes follow the discovery document (10); the maximum is 100.
// - No attachment size limit is documented for CSAPI: uploads of any size are accepted
//   unless the `maxUploadBytes` option is set (then 413 with status INVALID_ARGUMENT).
// - Unknown JSON field names are rejected with 400 INVALID_ARGUMENT, as Google's JSON
//   parser does ("Invalid JSON payload received. Unknown name ...").
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { FaultRegistry } from '../faults';
import { buildGoogleSimApp } from './app';
import {
  DEFAULT_GOOGLE_PARENT,
  SANDBOX_CLASSIFICATIONS,
  type PersonAttachmentInput,
  type SimAttachment,
  type SimCase,
  type SimCaseDetail,
  type SimComment,
  type SimPriority,
  type SimState,
} from './records';
import { CaseEventPublisher } from './pubsub-publisher';
import { SimRuntime } from './runtime';
import { GoogleSimState } from './state';
import type { GoogleSimulator, GoogleSimulatorOptions, SimStats } from './types';
import type { SimProjectQuota } from './project-quota';

class GoogleSimulatorServer implements GoogleSimulator {
  readonly faults: FaultRegistry;
  readonly token: string;
  url = '';
  host = '';
  private readonly state: GoogleSimState;
  private readonly rt: SimRuntime;
  private readonly app: FastifyInstance;
  readonly publisher: CaseEventPublisher | null;

  constructor(opts: GoogleSimulatorOptions) {
    this.publisher = opts.publishCaseEvents ? new CaseEventPublisher(opts.publishCaseEvents) : null;
    const publisher = this.publisher;
    const now = opts.now ?? (() => new Date());
    this.token = opts.token ?? 'sandbox-token';
    this.faults = new FaultRegistry(opts.random ?? Math.random);
    const callerEmail = opts.callerEmail ?? 'connector@sandbox-project.iam.gserviceaccount.com';
    this.state = new GoogleSimState({
      now,
      firstCaseNumber: opts.firstCaseNumber ?? 50_000_001,
      defaultParent: opts.defaultParent ?? DEFAULT_GOOGLE_PARENT,
      caller: {
        displayName: opts.callerDisplayName ?? 'Connector Service Account',
        email: callerEmail,
        username: callerEmail,
        googleSupport: false,
      },
      classifications: opts.classifications,
      ...(publisher ? { onCaseEvent: (name, event) => publisher.publish(name, event) } : {}),
    });
    this.rt = new SimRuntime({
      state: this.state,
      faults: this.faults,
      token: this.token,
      maxUploadBytes: opts.maxUploadBytes,
      onExchange: opts.onExchange,
      classifications: opts.classifications ?? SANDBOX_CLASSIFICATIONS,
      parentAccess: opts.parentAccess,
      projectQuota: opts.projectQuota,
    });
    this.app = buildGoogleSimApp(this.rt, this);
  }

  async listen(port: number): Promise<void> {
    await this.app.listen({ port, host: '127.0.0.1' });
    const addr = this.app.server.address() as AddressInfo;
    this.host = `127.0.0.1:${addr.port}`;
    this.url = `http://${this.host}`;
  }

  caseEventStats() {
    return this.publisher?.stats() ?? null;
  }

  async caseEventsIdle(): Promise<void> {
    await this.publisher?.idle();
  }

  async close(): Promise<void> {
    this.publisher?.close();
    this.rt.cancelDelays();
    await this.app.close();
  }

  setDown(down: boolean): void {
    this.rt.down = down;
  }

  setProjectQuota(quota: SimProjectQuota | false): void {
    this.rt.quota.set(quota);
  }

  quotaRejections(): number {
    return this.rt.quota.rejections();
  }

  stats(): SimStats {
    return this.rt.stats();
  }

  resetStats(): void {
    this.rt.resetStats();
  }

  // --- person API ---------------------------------------------------------------------

  createCase(input: Parameters<GoogleSimulator['createCase']>[0]): SimCase {
    return this.state.personCreate(input);
  }

  addComment(
    caseName: string,
    input: { body: string; displayName?: string; googleSupport?: boolean },
  ): SimComment {
    const actor = this.state.personActor(input.googleSupport ?? true, input.displayName);
    const { rec, comment } = this.state.addComment(caseName, input.body, actor);
    return this.state.commentSnapshot(rec, comment);
  }

  addAttachment(caseName: string, input: PersonAttachmentInput): SimAttachment {
    const actor = this.state.personActor(input.googleSupport ?? true, input.displayName);
    const { rec, attachment } = this.state.addAttachment(
      caseName,
      {
        filename: input.filename,
        mimeType: input.mimeType ?? 'application/octet-stream',
        chunks: [input.content],
        sizeBytes: input.content.length,
      },
      actor,
    );
    return this.state.attachmentSnapshot(rec, attachment);
  }

  setPriority(caseName: string, priority: SimPriority): SimCase {
    return this.state.setPriority(caseName, priority);
  }

  closeCase(caseName: string): SimCase {
    return this.state.snapshot(this.state.close(caseName));
  }

  setState(caseName: string, state: SimState): SimCase {
    return this.state.setState(caseName, state);
  }

  getCase(caseName: string): SimCaseDetail {
    return this.state.detail(caseName);
  }

  hasCase(caseName: string): boolean {
    return this.state.has(caseName);
  }

  listCases(): SimCase[] {
    return this.state.list();
  }
}

export async function startGoogleSimulator(
  opts: GoogleSimulatorOptions = {},
): Promise<GoogleSimulator> {
  const sim = new GoogleSimulatorServer(opts);
  await sim.publisher?.ensureTopic();
  await sim.listen(opts.port ?? 0);
  return sim;
}
