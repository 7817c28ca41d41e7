// The control API (`/_control/...`): no auth, no faults, not counted. Tests, the sandbox
// runner and the README drive the simulated people (customers, Google engineers), faults,
// the down switch and the stats with it. Answers use Google's error envelope too.
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { FaultSpec } from '../faults';
import type { ServedRouteConfig } from './api-route';
import { consume, drain, MAX_JSON_BYTES, readBody } from './body';
import { requestUrl } from './context';
import { invalid, SimHttpError } from './errors';
import { SIM_PRIORITIES, type SimCaseDetail } from './records';
import type { SimRuntime } from './runtime';
import type { GoogleSimulator } from './types';
import { attachmentJson, caseJson, commentJson } from './wire-json';

const controlCaseSchema = z.object({
  parent: z.string().optional(),
  displayName: z.string().min(1),
  description: z.string(),
  priority: z.enum(SIM_PRIORITIES).optional(),
  createTime: z.iso.datetime({ offset: true }).optional(),
  creatorDisplayName: z.string().optional(),
  classificationId: z.string().optional(),
  testCase: z.boolean().optional(),
});
const controlCommentSchema = z.object({
  body: z.string(),
  displayName: z.string().optional(),
  googleSupport: z.boolean().optional(),
});
const controlFaultSchema = z.object({
  status: z.number().int().optional(),
  retryAfterSeconds: z.number().int().nonnegative().optional(),
  count: z.number().int().positive().optional(),
  rate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().int().nonnegative().optional(),
  drop: z.boolean().optional(),
  pathContains: z.string().optional(),
  method: z.string().optional(),
});
const controlStates = [
  'NEW',
  'IN_PROGRESS_GOOGLE_SUPPORT',
  'ACTION_REQUIRED',
  'SOLUTION_PROVIDED',
  'CLOSED',
] as const;

export const CONTROL_CONTENT_TYPE = 'application/json; charset=utf-8';

function json(reply: FastifyReply, status: number, body: unknown): void {
  void reply.code(status).header('content-type', CONTROL_CONTENT_TYPE).send(JSON.stringify(body));
}

/** Unknown control routes (any path under /_control that no route below takes). */
export async function controlNotFound(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  await drain(request.raw);
  json(reply, 404, {
    error: { code: 404, message: 'Unknown control route.', status: 'NOT_FOUND' },
  });
}

async function controlFailure(
  request: FastifyRequest,
  reply: FastifyReply,
  e: unknown,
): Promise<void> {
  await drain(request.raw);
  if (e instanceof SimHttpError) {
    return json(reply, e.status, {
      error: { code: e.status, message: e.message, status: e.grpcStatus },
    });
  }
  const message =
    e instanceof z.ZodError ? 'Invalid control request.' : e instanceof Error ? e.message : 'error';
  json(reply, 400, { error: { code: 400, message, status: 'INVALID_ARGUMENT' } });
}

type ControlHandler = (
  request: FastifyRequest<{ Params: Record<string, string> }>,
  reply: FastifyReply,
) => Promise<void> | void;

function controlRoute(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  handler: ControlHandler,
): void {
  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      await handler(request as FastifyRequest<{ Params: Record<string, string> }>, reply);
    } catch (e) {
      await controlFailure(request, reply, e);
    }
  };
  const config: ServedRouteConfig = { serve };
  app.route({ method, url, config, handler: serve });
}

async function readControlJson(request: FastifyRequest): Promise<unknown> {
  const buf = await readBody(request.raw, MAX_JSON_BYTES);
  if (buf.length === 0) return {};
  return JSON.parse(buf.toString('utf8')) as unknown;
}

export const controlRoutes: FastifyPluginAsync<{ rt: SimRuntime; sim: GoogleSimulator }> = async (
  app,
  { rt, sim },
) => {
  const { state } = rt;
  const caseNameFor = (num: string | undefined): string =>
    state.nameOf(state.recordByNumber(num ?? ''));
  const detailJson = (d: SimCaseDetail): Record<string, unknown> => ({
    ...caseJson(d),
    comments: d.comments.map((c) => commentJson(c)),
    attachments: d.attachments.map((a) => attachmentJson(a)),
  });

  // --- cases and what people do on them -------------------------------------------------
  controlRoute(app, 'GET', '/cases', (_req, reply) =>
    json(reply, 200, { cases: sim.listCases().map((c) => caseJson(c)) }),
  );
  controlRoute(app, 'POST', '/cases', async (req, reply) => {
    const { createTime, ...rest } = controlCaseSchema.parse(await readControlJson(req));
    const c = sim.createCase({
      ...rest,
      ...(createTime ? { createTime: new Date(createTime) } : {}),
    });
    json(reply, 200, caseJson(c));
  });
  controlRoute(app, 'GET', '/cases/:num', (req, reply) =>
    json(reply, 200, detailJson(sim.getCase(caseNameFor(req.params.num)))),
  );
  controlRoute(app, 'POST', '/cases/:num/comments', async (req, reply) => {
    const input = controlCommentSchema.parse(await readControlJson(req));
    json(reply, 200, commentJson(sim.addComment(caseNameFor(req.params.num), input)));
  });
  controlRoute(app, 'POST', '/cases/:num/attachments', async (req, reply) => {
    const name = caseNameFor(req.params.num);
    const params = requestUrl(req.raw.url).searchParams;
    const filename = params.get('filename');
    if (!filename) throw invalid('filename is required.');
    const chunks: Buffer[] = [];
    let size = 0;
    await consume(req.raw, (chunk) => {
      chunks.push(chunk);
      size += chunk.length;
    });
    const actor = state.personActor(
      params.get('googleSupport') !== 'false',
      params.get('displayName') ?? undefined,
    );
    const { rec, attachment } = state.addAttachment(
      name,
      {
        filename,
        mimeType: params.get('mimeType') ?? 'application/octet-stream',
        chunks,
        sizeBytes: size,
      },
      actor,
    );
    json(reply, 200, attachmentJson(state.attachmentMeta(rec, attachment)));
  });
  controlRoute(app, 'GET', '/cases/:num/attachments/:attId/content', async (req, reply) => {
    const att = state.attachment(caseNameFor(req.params.num), req.params.attId ?? '');
    await reply
      .code(200)
      .headers({ 'content-type': att.mimeType, 'content-length': String(att.sizeBytes) })
      .send(Readable.from(att.chunks));
  });
  controlRoute(app, 'POST', '/cases/:num/priority', async (req, reply) => {
    const input = z.object({ priority: z.enum(SIM_PRIORITIES) }).parse(await readControlJson(req));
    json(reply, 200, caseJson(sim.setPriority(caseNameFor(req.params.num), input.priority)));
  });
  controlRoute(app, 'POST', '/cases/:num/state', async (req, reply) => {
    const input = z.object({ state: z.enum(controlStates) }).parse(await readControlJson(req));
    json(reply, 200, caseJson(sim.setState(caseNameFor(req.params.num), input.state)));
  });
  controlRoute(app, 'POST', '/cases/:num/close', (req, reply) =>
    json(reply, 200, caseJson(sim.closeCase(caseNameFor(req.params.num)))),
  );

  // --- faults, the down switch, stats -----------------------------------------------------
  controlRoute(app, 'GET', '/faults', (_req, reply) =>
    json(reply, 200, { faults: rt.faults.list() }),
  );
  controlRoute(app, 'POST', '/faults', async (req, reply) => {
    const spec: FaultSpec = controlFaultSchema.parse(await readControlJson(req));
    json(reply, 200, { id: rt.faults.add(spec) });
  });
  controlRoute(app, 'DELETE', '/faults', (_req, reply) => {
    rt.faults.clear();
    json(reply, 200, {});
  });
  controlRoute(app, 'POST', '/down', async (req, reply) => {
    const input = z.object({ down: z.boolean() }).parse(await readControlJson(req));
    sim.setDown(input.down);
    json(reply, 200, { down: input.down });
  });
  controlRoute(app, 'GET', '/stats', (_req, reply) => json(reply, 200, sim.stats()));
  controlRoute(app, 'DELETE', '/stats', (_req, reply) => {
    sim.resetStats();
    json(reply, 200, sim.stats());
  });
};
