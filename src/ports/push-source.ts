/**
 * A push path (webhook) into the connector: Jira's or Zendesk's webhook, Google's Pub/Sub
 * push. A delivery is only a trigger: it names a ticket or case to sync now, and the sync
 * reads the truth as the polls do. An adapter proves where a delivery came from and reads
 * what it names; vendor shapes stay in the adapter.
 */
export type PushSourceName = 'jira' | 'zendesk' | 'google';

export type PushHeaders = Readonly<Record<string, string | string[] | undefined>>;

/** A delivery as received: its headers and the raw bytes its signature covers. */
export interface PushDelivery {
  readonly headers: PushHeaders;
  readonly rawBody: Buffer;
}

/** What a pushed event asks for: a sync of one side's ticket or case. */
export type PushTrigger =
  | { readonly side: 'company'; readonly caseId: string }
  | { readonly side: 'google'; readonly caseName: string };

export type PushEvent =
  | {
      readonly kind: 'sync';
      readonly trigger: PushTrigger;
      /** The sender's id of this delivery (the same on its retries), when it sends one. */
      readonly deliveryId: string | null;
    }
  | {
      readonly kind: 'ignore';
      /** A constant, e.g. `own-change`, `no-ticket`, `event-type`. */
      readonly reason: string;
      readonly deliveryId: string | null;
    };

export type PushAuth =
  | { readonly ok: true }
  /** `reason` is a constant (missing, mismatch, stale, …): never the signature or token. */
  | { readonly ok: false; readonly reason: string };

export interface PushSource {
  readonly name: PushSourceName;
  /** Checks the delivery's proof of origin (signature or token); never throws for bad input. */
  authenticate(delivery: PushDelivery): Promise<PushAuth>;
  /** What an authenticated delivery names; a body it cannot read is `ignore`, not an error. */
  read(delivery: PushDelivery): Promise<PushEvent>;
}
