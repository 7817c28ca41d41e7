// zod schemas for every Zendesk answer the adapter reads (specs/zendesk-support.openapi.yaml):
// only the fields used, unknown ones ignored, dates parsed.
import { z } from 'zod';

const date = z.coerce.date();
const id = z.number().int();

export const tokenSchema = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.number().nullable().optional(),
});

export const userSchema = z.object({
  id,
  name: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  role: z.string().nullable().optional(),
});
export const meSchema = z.object({ user: userSchema });

export const ticketSchema = z.object({
  id,
  subject: z.string().nullable().optional(),
  description: z.string().nullable().optional(),
  status: z.string(),
  priority: z.string().nullable().optional(),
  tags: z.array(z.string()).nullable().optional(),
  external_id: z.string().nullable().optional(),
  created_at: date,
  updated_at: date,
});
export type ZendeskTicket = z.infer<typeof ticketSchema>;

export const ticketResponseSchema = z.object({
  ticket: ticketSchema,
  audit: z
    .object({
      created_at: date.optional(),
      events: z.array(z.object({ type: z.string(), id: id.optional() }).passthrough()).optional(),
    })
    .passthrough()
    .nullable()
    .optional(),
});
export const ticketsSchema = z.object({ tickets: z.array(ticketSchema) });

export const exportSchema = z.object({
  tickets: z.array(ticketSchema),
  after_cursor: z.string().nullable().optional(),
  end_of_stream: z.boolean(),
});

export const attachmentSchema = z.object({
  id,
  file_name: z.string(),
  content_url: z.string(),
  content_type: z.string().nullable().optional(),
  size: z.number().int().nonnegative(),
});
export type ZendeskAttachment = z.infer<typeof attachmentSchema>;
export const attachmentResponseSchema = z.object({ attachment: attachmentSchema });

export const commentSchema = z.object({
  id,
  author_id: id.nullable().optional(),
  body: z.string().nullable().optional(),
  public: z.boolean(),
  created_at: date,
  attachments: z.array(attachmentSchema).nullable().optional(),
  metadata: z.record(z.string(), z.unknown()).nullable().optional(),
});
export type ZendeskComment = z.infer<typeof commentSchema>;

/**
 * The Comment event of an update's audit (Zendesk docs, "Ticket Audit events reference"):
 * the comment just written, without its created_at (the audit's).
 */
export const auditCommentEventSchema = z.object({
  type: z.literal('Comment'),
  id,
  author_id: id,
  body: z.string().nullable().optional(),
  public: z.boolean(),
  attachments: z.array(attachmentSchema).nullable().optional(),
});

export const commentsSchema = z.object({
  comments: z.array(commentSchema),
  users: z.array(userSchema).optional(),
  meta: z
    .object({ has_more: z.boolean().optional(), after_cursor: z.string().nullable().optional() })
    .optional(),
});

export const uploadSchema = z.object({
  upload: z.object({ token: z.string().min(1), attachment: attachmentSchema }),
});

/** The connector's audit metadata on a comment it wrote (`metadata.custom.gcsSync`). */
export const mirrorMetadataSchema = z.object({ mirrorOf: z.string().optional() }).passthrough();
