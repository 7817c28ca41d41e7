// The Jira Cloud REST v3 answers the adapter reads, as zod schemas: every upstream JSON is
// checked against one of these at the boundary (jira-errors.ts parseJiraResponse).
import { z } from 'zod';

const jiraDate = z.string().transform((s, ctx) => {
  const d = new Date(s.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: 'invalid date' });
    return z.NEVER;
  }
  return d;
});

const userSchema = z.object({
  accountId: z.string().optional(),
  displayName: z.string().optional(),
});

export const attachmentSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  filename: z.string(),
  mimeType: z.string().optional(),
  size: z.number(),
  created: jiraDate,
  author: userSchema.optional(),
});

export const issueSchema = z.object({
  id: z.string(),
  key: z.string(),
  fields: z
    .object({
      summary: z.string().optional(),
      description: z.unknown().optional(),
      priority: z.object({ name: z.string() }).nullable().optional(),
      status: z.object({ statusCategory: z.object({ key: z.string() }).optional() }).optional(),
      project: z.object({ key: z.string() }).optional(),
      created: jiraDate.optional(),
      updated: jiraDate.optional(),
      attachment: z.array(attachmentSchema).optional(),
    })
    .catchall(z.unknown()),
  properties: z.record(z.string(), z.unknown()).optional(),
});
export type JiraIssue = z.infer<typeof issueSchema>;

export const searchSchema = z.object({
  issues: z.array(issueSchema),
  nextPageToken: z.string().nullable().optional(),
  isLast: z.boolean().optional(),
});

export const createdSchema = z.object({ id: z.string(), key: z.string() });

const propertyListSchema = z.array(z.object({ key: z.string(), value: z.unknown() })).optional();

export const commentSchema = z.object({
  id: z.string(),
  author: userSchema.optional(),
  body: z.unknown(),
  created: jiraDate,
  jsdPublic: z.boolean().optional(),
  properties: propertyListSchema,
});
export type JiraComment = z.infer<typeof commentSchema>;

export const commentPageSchema = z.object({
  startAt: z.number().optional(),
  total: z.number().optional(),
  comments: z.array(commentSchema),
});

export const transitionsSchema = z.object({
  transitions: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      to: z.object({ statusCategory: z.object({ key: z.string() }).optional() }).optional(),
    }),
  ),
});

export const myselfSchema = z.object({ accountId: z.string() });
export const attachmentMetaSchema = z.object({ enabled: z.boolean(), uploadLimit: z.number() });
export const caseNameProperty = z.object({ name: z.string() });
export const mirrorProperty = z.object({ mirrorOf: z.string() });
export type JiraAttachment = z.infer<typeof attachmentSchema>;
export type JiraSearchPage = z.infer<typeof searchSchema>;
