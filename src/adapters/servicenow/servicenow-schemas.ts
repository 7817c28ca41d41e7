// zod schemas for every ServiceNow answer the adapter reads (reference/servicenow pages):
// Table API rows are objects of strings (the database values; reference fields as plain
// sys_ids with sysparm_exclude_reference_link=true), wrapped in `result`. Only the fields
// used are checked; unknown ones are ignored.
import { z } from 'zod';

const s = z.string();
const opt = z.string().optional().default('');

export const tokenSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.coerce.number().optional(),
});

export const recordSchema = z
  .object({
    sys_id: s,
    number: opt,
    short_description: opt,
    description: opt,
    state: opt,
    impact: opt,
    urgency: opt,
    priority: opt,
    correlation_id: opt,
    sys_created_on: s,
    sys_updated_on: s,
  })
  .passthrough();
export type SnRecord = z.infer<typeof recordSchema>;

export const journalSchema = z.object({
  sys_id: s,
  element: s,
  value: opt,
  sys_created_on: s,
  sys_created_by: opt,
});
export type SnJournal = z.infer<typeof journalSchema>;

export const attachmentSchema = z.object({
  sys_id: s,
  file_name: s,
  content_type: opt,
  size_bytes: z.coerce.number().int().nonnegative(),
  sys_created_on: s,
  sys_created_by: opt,
  created_by_name: z.string().optional(),
});
export type SnAttachment = z.infer<typeof attachmentSchema>;

export const attachmentRefSchema = z.object({ sys_id: s, table_sys_id: s, sys_created_on: s });

export const userSchema = z.object({ sys_id: s, user_name: opt, name: opt });
export const roleSchema = z.object({ role: opt });
export const dbObjectSchema = z.object({ sys_id: s, name: s, super_class: opt });
export const dictionarySchema = z.object({ name: s, element: s });
export const choiceSchema = z.object({ value: s, label: opt, language: opt });
export const propertySchema = z.object({ value: opt });
export const idSchema = z.object({ sys_id: s });

export const listOf = <T extends z.ZodTypeAny>(row: T) => z.object({ result: z.array(row) });
export const oneOf = <T extends z.ZodTypeAny>(row: T) => z.object({ result: row });
