// Request messages, strict: unknown names are rejected like Google's JSON parser does
// ("Invalid JSON payload received. Unknown name ...").
import { z } from 'zod';
import { invalid } from './errors';
import { SIM_PRIORITIES } from './records';

const actorSchema = z.strictObject({
  displayName: z.string().optional(),
  email: z.string().optional(),
  googleSupport: z.boolean().optional(),
  username: z.string().optional(),
});
const priorityField = z.enum(['PRIORITY_UNSPECIFIED', ...SIM_PRIORITIES]);
export const caseBodySchema = z.strictObject({
  name: z.string().optional(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  classification: z
    .strictObject({ id: z.string().optional(), displayName: z.string().optional() })
    .optional(),
  timeZone: z.string().optional(),
  subscriberEmailAddresses: z.array(z.string()).optional(),
  state: z.string().optional(),
  createTime: z.string().optional(),
  updateTime: z.string().optional(),
  creator: actorSchema.optional(),
  contactEmail: z.string().optional(),
  escalated: z.boolean().optional(),
  testCase: z.boolean().optional(),
  languageCode: z.string().optional(),
  priority: priorityField.optional(),
});
export const commentBodySchema = z.strictObject({
  name: z.string().optional(),
  createTime: z.string().optional(),
  creator: actorSchema.optional(),
  body: z.string().optional(),
  plainTextBody: z.string().optional(),
});
export const attachmentMetaSchema = z.strictObject({
  attachment: z
    .strictObject({
      name: z.string().optional(),
      createTime: z.string().optional(),
      creator: actorSchema.optional(),
      filename: z.string().optional(),
      mimeType: z.string().optional(),
      sizeBytes: z.string().optional(),
    })
    .optional(),
});
export const emptyBodySchema = z.strictObject({});

export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue && issue.code === 'unrecognized_keys') {
    const where = issue.path.length ? ` at '${issue.path.join('.')}'` : '';
    throw invalid(
      `Invalid JSON payload received. Unknown name "${issue.keys[0] ?? ''}"${where}: Cannot find field.`,
    );
  }
  throw invalid(
    `Invalid JSON payload received. Invalid value at '${issue?.path.join('.') ?? ''}'.`,
  );
}
