// The Cloud Support API v2 simulator (see simulator.ts): its public entry.
export { startGoogleSimulator } from './simulator';
export type { GoogleSimulator, GoogleSimulatorOptions, SimStats } from './types';
export type { FaultSpec } from '../faults';
export type { SimProjectQuota } from './project-quota';
export { GOOGLE_DEFAULT_PROJECT_QUOTA } from './project-quota';
export { FaultRegistry } from '../faults';
/** The API methods that write (stats keys), e.g. to count a run's writes. */
export { WRITE_ROUTES as GOOGLE_WRITE_ROUTES } from './routing';
export {
  DEFAULT_GOOGLE_PARENT,
  MAX_COMMENT_CHARS,
  SIM_PRIORITIES,
  type SimActor,
  type SimAttachment,
  type SimCase,
  type SimCaseDetail,
  type SimComment,
  type SimPriority,
  type SimState,
} from './records';
export {
  emulatorReachable,
  ensurePushSubscription,
  deleteSubscription,
  type CaseEventPublishing,
  type PublisherStats,
} from './pubsub-publisher';
export { startOidcRelay, type OidcRelay } from './oidc-relay';
export type { CaseEventType } from './records';
