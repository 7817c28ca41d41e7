// Wire JSON of the simulated records (proto3 JSON mapping: camelCase, false / empty values
// are omitted).
import type { SimActor, SimAttachment, SimCase, SimComment } from './records';

type Json = Record<string, unknown>;

export function actorJson(a: SimActor): Json {
  const out: Json = { displayName: a.displayName };
  if (a.email !== undefined) out.email = a.email;
  if (a.username !== undefined) out.username = a.username;
  if (a.googleSupport) out.googleSupport = true;
  return out;
}

export function caseJson(c: SimCase): Json {
  const out: Json = {
    name: c.name,
    displayName: c.displayName,
    description: c.description,
    classification: { id: c.classification.id, displayName: c.classification.displayName },
    timeZone: c.timeZone,
    state: c.state,
    createTime: c.createTime.toISOString(),
    updateTime: c.updateTime.toISOString(),
    creator: actorJson(c.creator),
    languageCode: c.languageCode,
    priority: c.priority,
  };
  if (c.subscriberEmailAddresses.length > 0)
    out.subscriberEmailAddresses = [...c.subscriberEmailAddresses];
  if (c.contactEmail !== undefined) out.contactEmail = c.contactEmail;
  if (c.escalated) out.escalated = true;
  if (c.testCase) out.testCase = true;
  return out;
}

export function commentJson(c: SimComment): Json {
  return {
    name: c.name,
    createTime: c.createTime.toISOString(),
    creator: actorJson(c.creator),
    body: c.body,
    plainTextBody: c.body,
  };
}

export function attachmentJson(a: Omit<SimAttachment, 'content'>): Json {
  return {
    name: a.name,
    createTime: a.createTime.toISOString(),
    creator: actorJson(a.creator),
    filename: a.filename,
    mimeType: a.mimeType,
    sizeBytes: String(a.sizeBytes),
  };
}
