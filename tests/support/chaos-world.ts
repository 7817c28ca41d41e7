// The people of the chaos suite and what they wrote: Google cases and CRM tickets opened
// during the run, comments (Google engineers; CRM users, public and internal) and small
// attachments on both sides of every pair, all kept in a ledger in creation order. `check()`
// compares the Google simulator and the CRM (through its chaos desk, chaos-desks.ts) with
// the ledger and lists every way they differ from "each person's item mirrored exactly
// once, in creation order, byte-identical, nothing mirrored back, one ticket per case, one
// 'now syncing' notice". The rules are the same for every CRM; how a CRM stores a ticket
// (Zendesk's description as first comment, files carried by comments) is the desk's.
import type { GoogleSimulator, SimCaseDetail } from '../../src/sandbox/google';
import type { ChaosDesk, ChaosTicket } from './chaos-desks';
import { intBetween, pick, type Random } from './chaos-random';
import { PARENT } from './e2e-harness';

const GOOGLE_PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
const GOOGLE_PEOPLE = ['Alex (Google Support)', 'Priya (Google Support)'] as const;
const DESK_PEOPLE = ['Sam', 'Dana Ürün'] as const;
const PHRASES = [
  'which zone is the VM in?',
  'serial console output attached — see the trace',
  'still failing after the restart: 502s from the LB',
  'rolled back to the previous revision; errors stopped at 10:42',
  'can you share the request ids? (the ones with "deadline exceeded")',
  '日本のリージョンでも同じです',
] as const;

export type Side = 'google' | 'company';

export interface Pair {
  readonly index: number;
  /** Where a person opened it. */
  readonly origin: Side;
  /** The case a person opened (origin google). */
  readonly caseName?: string;
  readonly caseNumber?: string;
  /** The ticket a person opened (origin company). */
  readonly ticketKey?: string;
  readonly summary: string;
  readonly description: string;
}

export interface LedgerComment {
  readonly pair: number;
  readonly side: Side;
  readonly id: string;
  readonly body: string;
  readonly displayName: string;
  /** CRM only: a public (customer-visible) or internal comment. */
  readonly isPublic?: boolean;
}

export interface LedgerAttachment {
  readonly pair: number;
  readonly side: Side;
  readonly id: string;
  readonly filename: string;
  readonly content: Buffer;
}

export interface CheckResult {
  /** Empty when converged. */
  readonly problems: string[];
  readonly checked: { pairs: number; comments: number; attachments: number; notices: number };
}

export function nowSyncing(ticketKey: string): string {
  return `This case is now syncing with Company Case: ${ticketKey}`;
}

/** SPEC §3.4: a person's comment as the connector must write it on the other side. */
export function mirroredText(c: LedgerComment): string {
  const header = c.side === 'google' ? 'Google Comment' : 'Company Comment';
  return `[${header} ${c.id} by ${c.displayName}]\n${c.body}`;
}

export class ChaosWorld {
  readonly pairs: Pair[] = [];
  readonly comments: LedgerComment[] = [];
  readonly attachments: LedgerAttachment[] = [];
  /** Every text and file name a person wrote: none may appear in the connector's logs. */
  readonly secrets: string[] = [];
  private n = 0;

  constructor(
    private readonly google: GoogleSimulator,
    private readonly desk: ChaosDesk,
    private readonly random: Random,
    /** Makes every text of this run unique. */
    private readonly runId: string,
  ) {}

  private tag(what: string): string {
    this.n += 1;
    return `CHAOS-${this.runId}-${what}${this.n}`;
  }

  openGoogleCase(): Pair {
    const summary = `${this.tag('summary')} Cloud SQL failover loops`;
    const description = `${this.tag('desc')} since 09:00 UTC, replica lag > 10 min`;
    const c = this.google.createCase({
      parent: PARENT,
      displayName: summary,
      description,
      priority: pick(this.random, GOOGLE_PRIORITIES),
    });
    const pair: Pair = {
      index: this.pairs.length,
      origin: 'google',
      caseName: c.name,
      caseNumber: c.number,
      summary,
      description,
    };
    this.pairs.push(pair);
    this.secrets.push(summary, description);
    return pair;
  }

  /** A person opens a ticket selected for sync in the CRM. */
  openTicket(): Pair {
    const summary = `${this.tag('summary')} GKE nodes NotReady`;
    const description = `${this.tag('desc')} node pool np-2 in europe-west1`;
    const t = this.desk.openTicket({ summary, description }, this.random);
    const pair: Pair = {
      index: this.pairs.length,
      origin: 'company',
      ticketKey: t.key,
      summary,
      description,
    };
    this.pairs.push(pair);
    this.secrets.push(summary, description);
    return pair;
  }

  /** The Google case of a pair: the one a person opened, or the connector's copy once it exists. */
  caseNameOf(pair: Pair): string | null {
    if (pair.caseName) return pair.caseName;
    return this.casesMirroring(pair)[0]?.name ?? null;
  }

  /** The CRM ticket of a pair: the one a person opened, or the connector's copy once it exists. */
  ticketKeyOf(pair: Pair): string | null {
    if (pair.ticketKey) return pair.ticketKey;
    return this.ticketsMirroring(pair)[0]?.key ?? null;
  }

  private casesMirroring(pair: Pair) {
    const prefix = `CONTENT MIRRORED FROM COMPANY CASE ${pair.ticketKey ?? ''}:`;
    return this.google.listCases().filter((c) => c.description.startsWith(prefix));
  }

  private ticketsMirroring(pair: Pair): ChaosTicket[] {
    return pair.caseName ? this.desk.ticketsMirroring(pair.caseName) : [];
  }

  /**
   * People write on both sides of every pair whose side exists: each time, a Google comment
   * and a CRM comment each with probability 0.55 (sometimes two in a row), an attachment
   * on each side with probability 0.2. Returns how many items were added.
   */
  activity(): number {
    let added = 0;
    for (const pair of this.pairs) {
      const caseName = this.caseNameOf(pair);
      const key = this.ticketKeyOf(pair);
      if (caseName && this.random() < 0.55) {
        const burst = this.random() < 0.3 ? 2 : 1;
        for (let k = 0; k < burst; k += 1) this.googleComment(pair);
        added += burst;
      }
      if (key && this.random() < 0.55) {
        const burst = this.random() < 0.3 ? 2 : 1;
        for (let k = 0; k < burst; k += 1) this.deskComment(pair);
        added += burst;
      }
      if (caseName && this.random() < 0.2) {
        this.googleAttachment(pair);
        added += 1;
      }
      if (key && this.random() < 0.2) {
        this.deskAttachment(pair);
        added += 1;
      }
    }
    return added;
  }

  private sideOf(pair: Pair, side: Side): string {
    const ref = side === 'google' ? this.caseNameOf(pair) : this.ticketKeyOf(pair);
    if (!ref) throw new Error(`pair ${pair.index} has no ${side} side yet`);
    return ref;
  }

  /** A Google engineer comments on the pair's case. */
  googleComment(pair: Pair): LedgerComment {
    const body = `${this.tag('gbody')} ${pick(this.random, PHRASES)}`;
    const displayName = pick(this.random, GOOGLE_PEOPLE);
    const c = this.google.addComment(this.sideOf(pair, 'google'), { body, displayName });
    return this.keepComment({ pair: pair.index, side: 'google', id: c.id, body, displayName });
  }

  /** A CRM user comments on the pair's ticket, publicly or internally. */
  deskComment(pair: Pair, isPublic = this.random() < 0.6): LedgerComment {
    const body = `${this.tag('cbody')} ${pick(this.random, PHRASES)}`;
    const displayName = pick(this.random, DESK_PEOPLE);
    const c = this.desk.addComment(this.sideOf(pair, 'company'), { body, displayName, isPublic });
    return this.keepComment({
      pair: pair.index,
      side: 'company',
      id: c.id,
      body,
      displayName,
      isPublic,
    });
  }

  private keepComment(c: LedgerComment): LedgerComment {
    this.comments.push(c);
    this.secrets.push(c.body);
    return c;
  }

  private bytes(): Buffer {
    const b = Buffer.alloc(intBetween(this.random, 1, 4096));
    for (let i = 0; i < b.length; i += 1) b[i] = Math.floor(this.random() * 256);
    return b;
  }

  /** A Google engineer attaches a small file to the pair's case. */
  googleAttachment(pair: Pair): LedgerAttachment {
    const filename = `${this.tag('gfile')}-trace.bin`;
    const content = this.bytes();
    const a = this.google.addAttachment(this.sideOf(pair, 'google'), {
      filename,
      mimeType: 'application/octet-stream',
      content,
      displayName: pick(this.random, GOOGLE_PEOPLE),
    });
    return this.keepAttachment({ pair: pair.index, side: 'google', id: a.id, filename, content });
  }

  /** A CRM user attaches a small file to the pair's ticket. */
  deskAttachment(pair: Pair): LedgerAttachment {
    const filename = `${this.tag('cfile')} logs ü.txt`;
    const content = this.bytes();
    const a = this.desk.addAttachment(this.sideOf(pair, 'company'), {
      filename,
      mimeType: 'text/plain',
      content,
      displayName: pick(this.random, DESK_PEOPLE),
    });
    return this.keepAttachment({ pair: pair.index, side: 'company', id: a.id, filename, content });
  }

  private keepAttachment(a: LedgerAttachment): LedgerAttachment {
    this.attachments.push(a);
    this.secrets.push(a.filename);
    return a;
  }

  /** Both sides against the ledger: every difference from the converged state. */
  check(): CheckResult {
    const problems: string[] = [];
    const checked = { pairs: 0, comments: 0, attachments: 0, notices: 0 };
    const crm = this.desk.label;
    const cases = this.google.listCases();
    const tickets = this.desk.listTickets();
    if (cases.length !== this.pairs.length)
      problems.push(`Google holds ${cases.length} cases for ${this.pairs.length} pairs`);
    if (tickets.length !== this.pairs.length)
      problems.push(`${crm} holds ${tickets.length} tickets for ${this.pairs.length} pairs`);

    for (const pair of this.pairs) {
      const copies =
        pair.origin === 'google' ? this.ticketsMirroring(pair) : this.casesMirroring(pair);
      const label =
        pair.origin === 'google'
          ? `pair ${pair.index} (case ${pair.caseName ?? ''})`
          : `pair ${pair.index} (ticket ${pair.ticketKey ?? ''})`;
      if (copies.length !== 1) {
        problems.push(
          `${label}: ${copies.length} ${pair.origin === 'google' ? `${crm} tickets` : 'Google cases'} mirror it`,
        );
        if (copies.length === 0) continue;
      }
      const caseName = this.caseNameOf(pair) as string;
      const key = this.ticketKeyOf(pair) as string;
      const gc = this.google.getCase(caseName);
      const ticket = this.desk.getTicket(key);
      if (!ticket) {
        problems.push(`${label}: ticket ${key} vanished`);
        continue;
      }
      checked.pairs += 1;
      this.checkCopyFields(label, pair, gc, ticket, problems);
      checked.notices += this.checkComments(label, pair, gc, ticket, problems);
      checked.comments += this.comments.filter((c) => c.pair === pair.index).length;
      this.checkAttachments(label, pair, gc, ticket, problems);
      checked.attachments += this.attachments.filter((a) => a.pair === pair.index).length;
    }
    return { problems, checked };
  }

  private checkCopyFields(
    label: string,
    pair: Pair,
    gc: SimCaseDetail,
    ticket: ChaosTicket,
    problems: string[],
  ): void {
    if (pair.origin === 'google') {
      if (ticket.summary !== pair.summary) problems.push(`${label}: ticket summary differs`);
      if (ticket.description !== `CONTENT MIRRORED FROM GOOGLE SUPPORT:\n${pair.description}`)
        problems.push(`${label}: ticket description differs`);
      if (!ticket.selected)
        problems.push(`${label}: the ${this.desk.label} ticket is not selected for sync`);
    } else {
      if (gc.displayName !== pair.summary) problems.push(`${label}: case display name differs`);
      if (
        gc.description !== `CONTENT MIRRORED FROM COMPANY CASE ${ticket.key}:\n${pair.description}`
      )
        problems.push(`${label}: case description differs`);
    }
  }

  /** Comments both ways; returns the number of notices checked. */
  private checkComments(
    label: string,
    pair: Pair,
    gc: SimCaseDetail,
    ticket: ChaosTicket,
    problems: string[],
  ): number {
    const crm = this.desk.label;
    const fromGoogle = this.comments.filter((c) => c.pair === pair.index && c.side === 'google');
    const fromDesk = this.comments.filter((c) => c.pair === pair.index && c.side === 'company');
    const googleIds = new Set(fromGoogle.map((c) => c.id));
    const deskIds = new Set(fromDesk.map((c) => c.id));

    // Google: the people's comments, one notice, and the CRM comments' copies in order.
    const lost = fromGoogle.filter((c) => !gc.comments.some((x) => x.id === c.id));
    if (lost.length > 0)
      problems.push(`${label}: Google lost comments ${lost.map((c) => c.id).join(',')}`);
    const byConnectorOnGoogle = gc.comments.filter((x) => !googleIds.has(x.id));
    const notices = byConnectorOnGoogle.filter((x) => x.body === nowSyncing(ticket.key));
    if (notices.length !== 1)
      problems.push(`${label}: "now syncing" written ${notices.length} times on the case`);
    const onGoogle = byConnectorOnGoogle
      .filter((x) => x.body !== nowSyncing(ticket.key))
      .map((x) => x.body);
    const wantOnGoogle = fromDesk.map(mirroredText);
    diffSequence(`${label}: ${crm} comments on Google`, onGoogle, wantOnGoogle, headerId, problems);
    if (gc.comments.some((x) => x.body.includes('[Google Comment')))
      problems.push(`${label}: echo: a mirrored Google comment came back to Google`);

    // CRM: the people's comments and the Google comments' copies (internal) in order.
    const lostD = fromDesk.filter((c) => !ticket.comments.some((x) => x.id === c.id));
    if (lostD.length > 0)
      problems.push(`${label}: ${crm} lost comments ${lostD.map((c) => c.id).join(',')}`);
    const byConnectorOnDesk = ticket.comments.filter((x) => !deskIds.has(x.id));
    const onDesk = byConnectorOnDesk.map((x) => x.body);
    const wantOnDesk = fromGoogle.map(mirroredText);
    diffSequence(`${label}: Google comments in ${crm}`, onDesk, wantOnDesk, headerId, problems);
    if (byConnectorOnDesk.some((x) => x.public))
      problems.push(
        `${label}: a mirrored Google comment is public in ${crm} (mirrored Google comments are internal by default)`,
      );
    if (
      ticket.comments.some(
        (x) => x.body.includes('[Company Comment') || x.body.includes('now syncing'),
      )
    )
      problems.push(`${label}: echo: something the connector wrote on Google came back to ${crm}`);
    return notices.length;
  }

  private checkAttachments(
    label: string,
    pair: Pair,
    gc: SimCaseDetail,
    ticket: ChaosTicket,
    problems: string[],
  ): void {
    const crm = this.desk.label;
    const fromGoogle = this.attachments.filter((a) => a.pair === pair.index && a.side === 'google');
    const fromDesk = this.attachments.filter((a) => a.pair === pair.index && a.side === 'company');
    const googleIds = new Set(fromGoogle.map((a) => a.id));
    const deskIds = new Set(fromDesk.map((a) => a.id));

    const lostG = fromGoogle.filter((a) => !gc.attachments.some((x) => x.id === a.id));
    if (lostG.length > 0)
      problems.push(`${label}: Google lost attachments ${lostG.map((a) => a.id).join(',')}`);
    const lost = fromDesk.filter((a) => !ticket.attachments.some((x) => x.id === a.id));
    if (lost.length > 0)
      problems.push(`${label}: ${crm} lost attachments ${lost.map((a) => a.id).join(',')}`);
    const onGoogle = gc.attachments.filter((a) => !googleIds.has(a.id));
    diffSequence(
      `${label}: ${crm} attachments on Google`,
      onGoogle.map((a) => a.filename),
      fromDesk.map((a) => a.filename),
      (s) => s,
      problems,
    );
    const onDesk = ticket.attachments.filter((a) => !deskIds.has(a.id));
    diffSequence(
      `${label}: Google attachments in ${crm}`,
      onDesk.map((a) => a.filename),
      fromGoogle.map((a) => a.filename),
      (s) => s,
      problems,
    );
    if (onDesk.some((a) => a.public === true))
      problems.push(
        `${label}: a mirrored Google attachment is public in ${crm} (mirrored Google items are internal by default)`,
      );

    for (const src of fromDesk) {
      const copy = onGoogle.find((a) => a.filename === src.filename);
      if (copy && Buffer.compare(copy.content, src.content) !== 0)
        problems.push(
          `${label}: ${crm} attachment ${src.id} differs on Google (${copy.content.length} vs ${src.content.length} bytes)`,
        );
    }
    for (const src of fromGoogle) {
      const copy = onDesk.find((a) => a.filename === src.filename);
      if (copy && Buffer.compare(copy.content, src.content) !== 0)
        problems.push(
          `${label}: Google attachment ${src.id} differs in ${crm} (${copy.content.length} vs ${src.content.length} bytes)`,
        );
    }
  }
}

/** The source id in a mirrored comment's header, for short problem reports. */
function headerId(text: string): string {
  return /^\[(?:Google|Company) Comment (\S+) by /.exec(text)?.[1] ?? `?${text.slice(0, 12)}`;
}

/** Reports how `got` differs from `want` (missing, duplicated, unexpected, out of order). */
function diffSequence(
  what: string,
  got: readonly string[],
  want: readonly string[],
  id: (s: string) => string,
  problems: string[],
): void {
  if (got.length === want.length && got.every((g, i) => g === want[i])) return;
  const count = (xs: readonly string[]) =>
    xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
  const g = count(got);
  const w = count(want);
  const missing = want.filter((x) => !g.has(x)).map(id);
  const duplicated = [...g].filter(([, n]) => n > 1).map(([x, n]) => `${id(x)}×${n}`);
  const unexpected = [...g.keys()].filter((x) => !w.has(x)).map(id);
  const parts: string[] = [];
  if (missing.length) parts.push(`missing ${missing.join(',')}`);
  if (duplicated.length) parts.push(`duplicated ${duplicated.join(',')}`);
  if (unexpected.length) parts.push(`unexpected ${unexpected.join(',')}`);
  if (parts.length === 0)
    parts.push(`out of order: got ${got.map(id).join(',')} want ${want.map(id).join(',')}`);
  problems.push(`${what}: ${parts.join('; ')}`);
}
