// A stateful HTTP simulator of Zendesk Support in Zendesk's real wire format (work in
// progress: the interface in types.ts is fixed; the implementation lands next).
import type { ZendeskSimulator, ZendeskSimulatorOptions } from './types';

export type {
  ZendeskAttachmentInput,
  ZendeskAttachmentSnapshot,
  ZendeskCommentInput,
  ZendeskCommentSnapshot,
  ZendeskPersonRef,
  ZendeskPriority,
  ZendeskSimStats,
  ZendeskSimulator,
  ZendeskSimulatorOptions,
  ZendeskStatus,
  ZendeskTicketInput,
  ZendeskTicketSnapshot,
} from './types';
export type { FaultSpec } from '../faults';

export async function startZendeskSimulator(
  _opts: ZendeskSimulatorOptions = {},
): Promise<ZendeskSimulator> {
  throw new Error('the Zendesk simulator is not implemented yet');
}
