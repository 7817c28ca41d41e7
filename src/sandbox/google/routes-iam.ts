// Cloud Resource Manager v3 `testIamPermissions` on an organization or project: which of
// the asked permissions the caller holds there (from the simulator's `parentAccess`).
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { sendJson } from './answers';
import { apiRoute } from './api-route';
import { readJson } from './body';
import { parseWith } from './request-schemas';
import type { SimRuntime } from './runtime';

const bodySchema = z.strictObject({ permissions: z.array(z.string()).optional() });
/** Support permissions a viewer lacks (Tech Support Viewer vs Editor). */
const WRITE_PERMISSIONS = new Set([
  'cloudsupport.techCases.create',
  'cloudsupport.techCases.update',
  'cloudsupport.techCases.close',
  'cloudsupport.techCases.escalate',
]);

export const iamRoutes: FastifyPluginAsync<{ rt: SimRuntime }> = async (app, { rt }) => {
  apiRoute(app, rt, {
    id: 'resourcemanager.testIamPermissions',
    method: 'POST',
    template: '/v3/{parent}:testIamPermissions',
    handler: async (ctx, route) => {
      const body = parseWith(bodySchema, await readJson(ctx.req, ctx.headers, ctx));
      const access = rt.access(route.parent);
      const granted = (body.permissions ?? []).filter(
        (p) =>
          p.startsWith('cloudsupport.') &&
          (access === 'edit' || (access === 'view' && !WRITE_PERMISSIONS.has(p))),
      );
      sendJson(rt, ctx, 200, granted.length > 0 ? { permissions: granted } : {});
    },
  });
};
