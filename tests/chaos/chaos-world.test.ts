// The chaos suite's judge (ChaosWorld.check) on hand-made states, once per CRM, no
// connector: people write through the chaos desk (chaos-desks.ts); what the connector would
// write in the CRM is written through the CRM's real adapter (makeCrm, as server.ts builds
// it, over HTTP to the simulator), so a Zendesk upload is a "[file attached]" comment by the
// API user and a mirrored comment carries its audit metadata, exactly as in a chaos run.
// The judge must accept correctly mirrored pairs and name each way a pair can be wrong
// (duplicate, missing, out of order, echo, a second ticket, a second notice, other bytes,
// a public mirror), for every CRM (ServiceNow on both tables: the chaos run uses one); and
// for Zendesk, tell the files' carrier comments from comments without hiding a stray one.
import { Readable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { makeCrm } from '../../src/wiring';
import type { Crm } from '../../src/ports/crm';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';
import type { ZendeskSimulator } from '../../src/sandbox/zendesk';
import { FILE_ATTACHED_TEXT } from '../../src/adapters/zendesk/zendesk-crm';
import {
  CHAOS_DESKS,
  zendeskChaos,
  type ChaosDesk,
  type ChaosDeskKind,
} from '../support/chaos-desks';
import { seededRandom } from '../support/chaos-random';
import {
  ChaosWorld,
  mirroredText,
  nowSyncing,
  type LedgerComment,
  type Pair,
} from '../support/chaos-world';
import { PARENT } from '../support/e2e-harness';

interface Judged {
  google: GoogleSimulator;
  desk: ChaosDesk;
  world: ChaosWorld;
  /** The connector's side of the CRM: its real adapter. */
  crm: Crm;
}

/** A Google simulator, the desk, the world and the CRM adapter; closed after each test. */
function judged(kind: ChaosDeskKind): () => Judged {
  let current: Judged | undefined;
  beforeEach(async () => {
    const google = await startGoogleSimulator();
    const desk = await kind.start();
    const crm = await makeCrm(
      loadConfig({ SUPPORT_PARENT: PARENT, ...desk.started.connectorEnv }),
      { maxAttempts: 1 },
    );
    current = { google, desk, crm, world: new ChaosWorld(google, desk, seededRandom(7), 'judge') };
  });
  afterEach(async () => {
    if (current) await Promise.all([current.google.close(), current.desk.close()]);
    current = undefined;
  });
  return () => {
    if (!current) throw new Error('no judged state outside a test');
    return current;
  };
}

/** The connector's ticket for a case opened on Google, and its notice on the case. */
async function mirrorGoogleCase(j: Judged, pair: Pair): Promise<{ id: string; key: string }> {
  const t = await j.crm.create({
    summary: pair.summary,
    description: `CONTENT MIRRORED FROM GOOGLE SUPPORT:\n${pair.description}`,
    priority: 2,
    googleCaseName: pair.caseName!,
  });
  j.google.addComment(pair.caseName!, { body: nowSyncing(t.key), googleSupport: false });
  return { id: t.id, key: t.key };
}

/** The connector's copy of a Google comment in the CRM (internal unless told otherwise). */
async function mirrorIntoDesk(
  j: Judged,
  ticketId: string,
  c: LedgerComment,
  visibility: 'internal' | 'public' = 'internal',
): Promise<void> {
  await j.crm.addComment(ticketId, mirroredText(c), { visibility, mirrorOf: `google:${c.id}` });
}

/** The connector's upload of a file into the CRM. */
async function uploadIntoDesk(
  j: Judged,
  ticketId: string,
  file: { filename: string; content: Buffer },
): Promise<void> {
  await j.crm.upload(ticketId, {
    filename: file.filename,
    mimeType: 'application/octet-stream',
    sizeBytes: file.content.length,
    content: Readable.from([file.content]),
  });
}

/** A pair opened on Google with two comments and one attachment each way, mirrored correctly. */
async function convergedPair(j: Judged) {
  const { world, google } = j;
  const pair = world.openGoogleCase();
  const { id, key } = await mirrorGoogleCase(j, pair);
  const g1 = world.googleComment(pair);
  const g2 = world.googleComment(pair);
  const j1 = world.deskComment(pair, true);
  const j2 = world.deskComment(pair, false);
  const ga = world.googleAttachment(pair);
  const ja = world.deskAttachment(pair);
  await mirrorIntoDesk(j, id, g1);
  await mirrorIntoDesk(j, id, g2);
  google.addComment(pair.caseName!, { body: mirroredText(j1), googleSupport: false });
  google.addComment(pair.caseName!, { body: mirroredText(j2), googleSupport: false });
  await uploadIntoDesk(j, id, ga);
  google.addAttachment(pair.caseName!, {
    filename: ja.filename,
    content: ja.content,
    googleSupport: false,
  });
  return { pair, id, key, g1, g2, j1, j2, ga, ja };
}

/** Every chaos desk (ServiceNow's two tables included). */
const JUDGED = CHAOS_DESKS.map((kind) => ({
  title: kind.variant ? `${kind.label} (${kind.variant})` : kind.label,
  kind,
}));

describe.each(JUDGED)('the chaos judge on $title', ({ kind }) => {
  const state = judged(kind);
  const crm = kind.label; // how the judge names the CRM in its problems

  test('a correctly mirrored pair opened on Google has no problems and every item is counted', async () => {
    await convergedPair(state());
    const r = state().world.check();
    expect(r.problems).toEqual([]);
    expect(r.checked).toEqual({ pairs: 1, comments: 4, attachments: 2, notices: 1 });
  });

  test(`a correctly mirrored pair opened in ${crm} has no problems`, async () => {
    const j = state();
    const pair = j.world.openTicket();
    const key = pair.ticketKey!;
    const ticketId = await idOf(j, key);
    const gc = j.google.createCase({
      parent: PARENT,
      displayName: pair.summary,
      description: `CONTENT MIRRORED FROM COMPANY CASE ${key}:\n${pair.description}`,
      priority: 'P2',
    });
    await j.crm.linkGoogleCase(ticketId, gc.name);
    j.google.addComment(gc.name, { body: nowSyncing(key), googleSupport: false });
    const d1 = j.world.deskComment(pair, true);
    const g1 = j.world.googleComment(pair);
    j.google.addComment(gc.name, { body: mirroredText(d1), googleSupport: false });
    await mirrorIntoDesk(j, ticketId, g1);
    const r = j.world.check();
    expect(r.problems).toEqual([]);
    expect(r.checked).toEqual({ pairs: 1, comments: 2, attachments: 0, notices: 1 });
  });

  test('a comment mirrored twice is reported as duplicated', async () => {
    const j = state();
    const { id, g1 } = await convergedPair(j);
    await mirrorIntoDesk(j, id, g1);
    expect(j.world.check().problems).toEqual([
      expect.stringContaining(`Google comments in ${crm}: duplicated ${g1.id}×2`),
    ]);
  });

  test('a comment not mirrored is reported as missing', async () => {
    const j = state();
    const { pair } = await convergedPair(j);
    const j3 = j.world.deskComment(pair);
    expect(j.world.check().problems).toEqual([
      expect.stringContaining(`${crm} comments on Google: missing ${j3.id}`),
    ]);
  });

  test('an attachment not mirrored is reported as missing', async () => {
    const j = state();
    const { pair } = await convergedPair(j);
    const ga2 = j.world.googleAttachment(pair);
    expect(j.world.check().problems).toEqual([
      expect.stringContaining(`Google attachments in ${crm}: missing ${ga2.filename}`),
    ]);
  });

  test('copies in another order than the originals are reported', async () => {
    const j = state();
    const pair = j.world.openGoogleCase();
    const { id } = await mirrorGoogleCase(j, pair);
    const g1 = j.world.googleComment(pair);
    const g2 = j.world.googleComment(pair);
    await mirrorIntoDesk(j, id, g2);
    await mirrorIntoDesk(j, id, g1);
    expect(j.world.check().problems).toEqual([
      expect.stringContaining(`out of order: got ${g2.id},${g1.id} want ${g1.id},${g2.id}`),
    ]);
  });

  test('an echo, a second notice and a second ticket are each reported', async () => {
    const j = state();
    const { pair, id, key, j1 } = await convergedPair(j);
    // A copy of a CRM comment came back to the CRM.
    await j.crm.addComment(id, mirroredText(j1), { visibility: 'internal' });
    j.google.addComment(pair.caseName!, { body: nowSyncing(key), googleSupport: false });
    await mirrorGoogleCase(j, pair); // a second ticket (and its notice)
    const problems = j.world.check().problems.join('\n');
    expect(problems).toContain(`echo: something the connector wrote on Google came back to ${crm}`);
    expect(problems).toContain(`2 ${crm} tickets mirror it`);
    expect(problems).toContain(`${crm} holds 2 tickets for 1 pairs`);
    expect(problems).toMatch(/"now syncing" written [23] times/);
  });

  test('a mirrored Google comment that came back to Google is reported as an echo', async () => {
    const j = state();
    const { pair, g1 } = await convergedPair(j);
    j.google.addComment(pair.caseName!, {
      body: `[Company Comment 1 by Sam]\n${mirroredText(g1)}`,
      googleSupport: false,
    });
    expect(j.world.check().problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('echo: a mirrored Google comment came back to Google'),
      ]),
    );
  });

  test(`a Google comment mirrored as a public ${crm} comment is reported (internal by default)`, async () => {
    const j = state();
    const pair = j.world.openGoogleCase();
    const { id } = await mirrorGoogleCase(j, pair);
    const g1 = j.world.googleComment(pair);
    await mirrorIntoDesk(j, id, g1, 'public');
    expect(j.world.check().problems).toEqual([expect.stringContaining(`is public in ${crm}`)]);
  });

  test('a copied attachment with other bytes is reported', async () => {
    const j = state();
    const pair = j.world.openGoogleCase();
    const { id } = await mirrorGoogleCase(j, pair);
    const ga = j.world.googleAttachment(pair);
    await uploadIntoDesk(j, id, {
      filename: ga.filename,
      content: Buffer.concat([ga.content, Buffer.from('x')]),
    });
    expect(j.world.check().problems).toEqual([
      expect.stringContaining(`Google attachment ${ga.id} differs in ${crm}`),
    ]);
  });

  test(`a ticket opened in ${crm} without its Google case is reported, not skipped`, () => {
    const j = state();
    j.world.openTicket();
    expect(j.world.check().problems).toEqual(
      expect.arrayContaining([
        'Google holds 0 cases for 1 pairs',
        expect.stringContaining('0 Google cases mirror it'),
      ]),
    );
  });

  test(`a case opened on Google without its ${crm} ticket is reported, not skipped`, () => {
    const j = state();
    j.world.openGoogleCase();
    expect(j.world.check().problems).toEqual(
      expect.arrayContaining([
        `${crm} holds 0 tickets for 1 pairs`,
        expect.stringContaining(`0 ${crm} tickets mirror it`),
      ]),
    );
  });

  test('every text and file name a person wrote is kept for the log scan', async () => {
    const { pair, g1, j1, ga, ja } = await convergedPair(state());
    expect(state().world.secrets).toEqual(
      expect.arrayContaining([
        pair.summary,
        pair.description,
        g1.body,
        j1.body,
        ga.filename,
        ja.filename,
      ]),
    );
  });
});

/** The CRM's ticket id behind its reference (Jira: key → id; Zendesk: the id itself; ServiceNow: number → sys_id). */
async function idOf(j: Judged, key: string): Promise<string> {
  const id = j.desk.started.driver.getTicket(key)?.id;
  const t = id === undefined ? null : await j.crm.get(id);
  if (!t) throw new Error(`no ticket ${key}`);
  return t.id;
}

// Zendesk stores a ticket differently (description as first comment, files carried by
// comments): the desk's reading must hide those and only those.
describe('the chaos judge on Zendesk: descriptions and file carriers', () => {
  const state = judged(zendeskChaos);
  const sim = () => state().desk.started.sim as ZendeskSimulator;

  test('the description and the files carrier comments are not judged as comments', async () => {
    const j = state();
    const { id } = await convergedPair(j);
    const raw = sim().getTicket(Number(id))!;
    // The description, 2 people's comments, the person's file (empty body), 2 mirrored
    // Google comments and the connector's upload ("[file attached]" by the API user).
    expect(raw.comments.map((c) => c.body.slice(0, 15))).toEqual([
      'CONTENT MIRRORE',
      'CHAOS-judge-cbo',
      'CHAOS-judge-cbo',
      '',
      '[Google Comment',
      '[Google Comment',
      FILE_ATTACHED_TEXT,
    ]);
    expect(raw.comments[3]!.attachments).toHaveLength(1);
    expect(raw.comments[6]!.attachments).toHaveLength(1);
    expect(raw.comments[6]!.author.id).toBe(sim().apiUser.id);
    expect(raw.comments[6]!.public).toBe(false);
    expect(j.world.check().problems).toEqual([]);
  });

  test("a person's file mirrored to Google as a comment is reported", async () => {
    const j = state();
    const { pair, id, ja } = await convergedPair(j);
    const carrier = sim()
      .getTicket(Number(id))!
      .comments.find((c) => c.attachments.some((a) => String(a.id) === ja.id))!;
    j.google.addComment(pair.caseName!, {
      body: `[Company Comment ${carrier.id} by Sam]\n`,
      googleSupport: false,
    });
    expect(j.world.check().problems).toEqual([
      expect.stringContaining(`Zendesk comments on Google: unexpected ${carrier.id}`),
    ]);
  });

  test('a "[file attached]" comment of the connector that carries no file is a comment, reported', async () => {
    const j = state();
    const { id } = await convergedPair(j);
    await j.crm.addComment(id, FILE_ATTACHED_TEXT, { visibility: 'internal' });
    expect(j.world.check().problems).toEqual([
      expect.stringContaining('Google comments in Zendesk: unexpected ?[file attach'),
    ]);
  });

  test('a mirrored Google file that is public in Zendesk is reported', async () => {
    const j = state();
    const pair = j.world.openGoogleCase();
    const { id } = await mirrorGoogleCase(j, pair);
    const ga = j.world.googleAttachment(pair);
    sim().addAttachment(Number(id), {
      filename: ga.filename,
      content: ga.content,
      public: true,
      authorName: sim().apiUser.name,
    });
    expect(j.world.check().problems).toEqual([
      expect.stringContaining('a mirrored Google attachment is public in Zendesk'),
    ]);
  });
});
