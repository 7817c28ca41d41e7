// One contract for every Crm: run against JiraCrm (over HTTP, on the Jira simulator) and
// against FakeCrm, and the bar a new CRM (Zendesk, ServiceNow) passes to be admitted. Each
// implementation comes with a small, CRM-neutral "world": a person working in that CRM,
// and a way to look at what the CRM holds without going through the port.
import { TooLargeError } from '../../src/domain/errors';
import { PRIORITIES, type CrmTicket, type Priority } from '../../src/domain/types';
import type { Crm } from '../../src/ports/crm';
import { DEFAULT_SETTINGS } from '../support/task-deps';
import { describeAttachments } from './attachments.contract';
import {
  allPages,
  expectNotFound,
  freshForEachTest,
  patternBytes,
  syncErrorOf,
  uploadOf,
} from './port-contract-helpers';

/** A ticket as the CRM itself holds it. */
export interface ObservedTicket {
  readonly summary: string;
  readonly priority: Priority | null;
  readonly closed: boolean;
  readonly googleCaseName: string | null;
  /** Selected for sync (Jira: the sync JQL's label). */
  readonly selected: boolean;
  /** Oldest first. */
  readonly comments: readonly { readonly body: string; readonly isPublic: boolean }[];
  /** Oldest first. */
  readonly attachments: readonly { readonly filename: string; readonly bytes: Buffer }[];
}

/** People working in the CRM, and the CRM's clock. */
export interface CrmWorld {
  /** A ticket id that does not exist. */
  readonly unknownTicketId: string;
  /** An attachment id that does not exist. */
  readonly unknownAttachmentId: string;
  /** The page size searchUpdated uses here (small, so paging is exercised). */
  readonly pageSize: number;
  /** An agent opens a ticket; `selected` (default true) selects it for sync. */
  createTicket(o: { summary: string; description?: string; selected?: boolean }): Promise<string>;
  addComment(ticketId: string, body: string, o: { public: boolean }): Promise<void>;
  addAttachment(ticketId: string, filename: string, bytes: Buffer): Promise<void>;
  setPriority(ticketId: string, priority: Priority): Promise<void>;
  close(ticketId: string): Promise<void>;
  deleteTicket(ticketId: string): Promise<void>;
  readTicket(ticketId: string): Promise<ObservedTicket>;
  now(): Date;
  advance(ms: number): void;
  /** Moves the clock past the search index lag, so that every write is searchable. */
  settle(): void;
}

export interface CrmUnderTest {
  readonly crm: Crm;
  readonly world: CrmWorld;
  close(): Promise<void>;
}

export type MakeCrm = () => Promise<CrmUnderTest>;

const CASE = 'organizations/123/cases/4567';
/** Same case number in another organization. */
const SAME_NUMBER_ELSEWHERE = 'organizations/999/cases/4567';

const newTicket = (over: Partial<Parameters<Crm['create']>[0]> = {}) => ({
  summary: 'VM unreachable in us-east1',
  description: 'CONTENT MIRRORED FROM GOOGLE SUPPORT:\nline 2\n\nparagraph',
  priority: 1 as Priority,
  googleCaseName: CASE,
  ...over,
});

export function describeCrm(name: string, makeCrm: MakeCrm): void {
  describe(`Crm contract: ${name}`, () => {
    let crm: Crm;
    let world: CrmWorld;
    freshForEachTest(makeCrm, (made) => ({ crm, world } = made));

    const ids = (tickets: readonly CrmTicket[]): string[] => tickets.map((t) => t.id);
    const searchAll = async (after: Date) => allPages((token) => crm.searchUpdated(after, token));

    describe('searchUpdated', () => {
      it('selects only tickets chosen for sync, updated at or after the instant', async () => {
        const old = await world.createTicket({ summary: 'old' });
        world.advance(60_000);
        const cutoff = world.now();
        const fresh = await world.createTicket({ summary: 'fresh' });
        await world.createTicket({ summary: 'not synced', selected: false });
        world.settle();

        const { items } = await searchAll(cutoff);
        expect(ids(items)).toEqual([fresh]);
        expect(items[0]).toMatchObject({ id: fresh, summary: 'fresh', closed: false });
        expect(ids((await searchAll(new Date(cutoff.getTime() + 1))).items)).toEqual([]);
        expect(ids((await searchAll(new Date(0))).items).sort()).toEqual([old, fresh].sort());
      });

      it('pages until done, each selected ticket once', async () => {
        const start = world.now();
        const created: string[] = [];
        for (let i = 0; i < 2 * world.pageSize + 1; i++) {
          created.push(await world.createTicket({ summary: `t${i}` }));
          world.advance(1000);
        }
        world.settle();
        const { items, pages } = await searchAll(start);
        expect(ids(items).sort()).toEqual([...created].sort());
        expect(pages).toBeGreaterThanOrEqual(3);
      });

      it('selects a ticket again after someone changes it', async () => {
        const t = await world.createTicket({ summary: 's' });
        world.settle();
        const cutoff = world.now();
        world.advance(1000);
        expect((await crm.searchUpdated(new Date(cutoff.getTime() + 1))).items).toEqual([]);
        await world.addComment(t, 'news', { public: true });
        world.settle();
        const { items } = await searchAll(new Date(cutoff.getTime() + 1));
        expect(ids(items)).toEqual([t]);
      });

      it('selects the tickets it creates', async () => {
        const start = world.now();
        const t = await crm.create(newTicket());
        world.settle();
        const { items } = await searchAll(start);
        expect(ids(items)).toEqual([t.id]);
        expect(items[0]?.googleCaseName).toBe(CASE);
        expect((await world.readTicket(t.id)).selected).toBe(true);
      });
    });

    describe('get', () => {
      it('maps a ticket opened by a person', async () => {
        const id = await world.createTicket({ summary: 'from the crm', description: 'Hello' });
        const t = await crm.get(id);
        expect(t).toMatchObject({
          id,
          summary: 'from the crm',
          description: 'Hello',
          closed: false,
          googleCaseName: null,
        });
        expect(t?.createTime).toEqual(world.now());
        expect(t?.key).toEqual(expect.any(String));
      });

      it('is null for an unknown or a deleted ticket', async () => {
        const id = await world.createTicket({ summary: 'doomed' });
        await world.deleteTicket(id);
        expect(await crm.get(id)).toBeNull();
        expect(await crm.get(world.unknownTicketId)).toBeNull();
      });
    });

    describe('create, findByGoogleCase, linkGoogleCase', () => {
      it('creates a ticket that holds the case name, description and priority', async () => {
        const t = await crm.create(newTicket());
        expect(t).toMatchObject({
          summary: 'VM unreachable in us-east1',
          description: 'CONTENT MIRRORED FROM GOOGLE SUPPORT:\nline 2\n\nparagraph',
          priority: 1,
          closed: false,
          googleCaseName: CASE,
        });
        expect(await crm.get(t.id)).toEqual(t);
        expect(await world.readTicket(t.id)).toMatchObject({
          summary: 'VM unreachable in us-east1',
          priority: 1,
          closed: false,
          googleCaseName: CASE,
          selected: true,
        });
      });

      it('finds the ticket holding a case name, exactly that one', async () => {
        expect(await crm.findByGoogleCase(CASE)).toBeNull();
        const elsewhere = await crm.create(newTicket({ googleCaseName: SAME_NUMBER_ELSEWHERE }));
        world.settle();
        expect(await crm.findByGoogleCase(CASE)).toBeNull();
        const t = await crm.create(newTicket());
        world.settle();
        expect((await crm.findByGoogleCase(CASE))?.id).toBe(t.id);
        expect((await crm.findByGoogleCase(SAME_NUMBER_ELSEWHERE))?.id).toBe(elsewhere.id);
        expect(await crm.findByGoogleCase('organizations/123/cases/1')).toBeNull();
      });

      it('links a ticket opened by a person to a case', async () => {
        const id = await world.createTicket({ summary: 'from the crm' });
        await crm.linkGoogleCase(id, CASE);
        expect((await crm.get(id))?.googleCaseName).toBe(CASE);
        expect((await world.readTicket(id)).googleCaseName).toBe(CASE);
        world.settle();
        expect((await crm.findByGoogleCase(CASE))?.id).toBe(id);
      });
    });

    describe('setPriority and close', () => {
      it('round-trips each priority P0–P4', async () => {
        const id = await world.createTicket({ summary: 's' });
        for (const p of PRIORITIES) {
          await crm.setPriority(id, p);
          expect((await crm.get(id))?.priority).toBe(p);
          expect((await world.readTicket(id)).priority).toBe(p);
        }
      });

      it('sees a priority a person sets', async () => {
        const id = await world.createTicket({ summary: 's' });
        await world.setPriority(id, 3);
        expect((await crm.get(id))?.priority).toBe(3);
      });

      it('closes a ticket; closing it again is fine', async () => {
        const id = await world.createTicket({ summary: 's' });
        await crm.close(id);
        expect((await crm.get(id))?.closed).toBe(true);
        expect((await world.readTicket(id)).closed).toBe(true);
        await crm.close(id);
        expect((await crm.get(id))?.closed).toBe(true);
      });

      it('closing a ticket a person closed is fine', async () => {
        const id = await world.createTicket({ summary: 's' });
        await world.close(id);
        expect((await crm.get(id))?.closed).toBe(true);
        await expect(crm.close(id)).resolves.toBeUndefined();
        expect((await world.readTicket(id)).closed).toBe(true);
      });
    });

    describe('comments', () => {
      it('lists comments oldest first with visibility, authors and mirror marks', async () => {
        const id = await world.createTicket({ summary: 's' });
        await world.addComment(id, 'first from agent', { public: true });
        world.advance(1000);
        await world.addComment(id, 'internal note', { public: false });
        world.advance(1000);
        const mirrored = await crm.addComment(id, '[Google Comment 7 by Jane]\nHello\n\nWorld', {
          visibility: 'internal',
          mirrorOf: 'google:7',
        });
        world.advance(1000);
        const notice = await crm.addComment(id, 'Public notice', { visibility: 'public' });

        expect(mirrored).toMatchObject({
          body: '[Google Comment 7 by Jane]\nHello\n\nWorld',
          isPublic: false,
          mirrorOf: 'google:7',
          author: { isConnector: true },
        });
        expect(notice).toMatchObject({ isPublic: true, author: { isConnector: true } });
        expect(notice.mirrorOf).toBeUndefined();

        const list = await crm.listComments(id);
        expect(
          list.map((c) => [c.body, c.isPublic, c.author.isConnector, c.mirrorOf ?? null]),
        ).toEqual([
          ['first from agent', true, false, null],
          ['internal note', false, false, null],
          ['[Google Comment 7 by Jane]\nHello\n\nWorld', false, true, 'google:7'],
          ['Public notice', true, true, null],
        ]);
        expect(list.map((c) => c.id).slice(2)).toEqual([mirrored.id, notice.id]);
        expect(list[0]?.createTime.getTime()).toBeLessThan(list[1]!.createTime.getTime());
        expect((await world.readTicket(id)).comments).toEqual([
          { body: 'first from agent', isPublic: true },
          { body: 'internal note', isPublic: false },
          { body: '[Google Comment 7 by Jane]\nHello\n\nWorld', isPublic: false },
          { body: 'Public notice', isPublic: true },
        ]);
      });

      it('lists only comments created after `since`, across pages', async () => {
        const id = await world.createTicket({ summary: 's' });
        const count = 2 * world.pageSize + 3;
        for (let i = 0; i < count; i++) {
          await world.addComment(id, `c${i}`, { public: true });
          world.advance(1000);
        }
        const all = await crm.listComments(id);
        expect(all.map((c) => c.body)).toEqual(Array.from({ length: count }, (_, i) => `c${i}`));
        const recent = await crm.listComments(id, all[count - 3]!.createTime);
        expect(recent.map((c) => c.body)).toEqual([`c${count - 2}`, `c${count - 1}`]);
        expect(await crm.listComments(id, world.now())).toEqual([]);
      });
    });

    describe('diagnose', () => {
      it('checks the set-up read-only: the API user, nothing failing here', async () => {
        await world.createTicket({ summary: 'open ticket' });
        const before = await searchAll(new Date(0));
        const checks = await crm.diagnose(DEFAULT_SETTINGS);
        expect(checks.find((c) => c.id === 'crm.auth')?.status).toBe('ok');
        expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
        expect(checks.every((c) => c.system === 'crm')).toBe(true);
        expect(await searchAll(new Date(0))).toEqual(before);
      });
    });

    describeAttachments(() => ({
      port: crm,
      connectorAuthor: { isConnector: true },
      newItem: () => world.createTicket({ summary: 's' }),
      addAttachment: (id, filename, bytes) => world.addAttachment(id, filename, bytes),
      storedFiles: async (id) => (await world.readTicket(id)).attachments,
      advance: (ms) => world.advance(ms),
    }));

    describe('upload limit', () => {
      it('has a positive upload limit and refuses a larger file with TooLargeError', async () => {
        const id = await world.createTicket({ summary: 's' });
        const limit = await crm.uploadLimitBytes();
        expect(limit).toBeGreaterThan(0);
        const big = uploadOf('big.bin', patternBytes(limit + 1));
        const e = await syncErrorOf(crm.upload(id, big));
        expect(e).toBeInstanceOf(TooLargeError);
        expect(e.kind).toBe('permanent');
        expect(big.content.destroyed).toBe(true);
        // Announced under the limit, more bytes than the limit in fact.
        const liar = uploadOf('liar.bin', patternBytes(limit + 1), { sizeBytes: 10 });
        expect(await syncErrorOf(crm.upload(id, liar))).toBeInstanceOf(TooLargeError);
        expect((await world.readTicket(id)).attachments).toEqual([]);
        expect(await crm.listAttachments(id)).toEqual([]);
      });
    });

    describe('errors', () => {
      it('raises NotFoundError (permanent) for a ticket that does not exist', async () => {
        const missing = world.unknownTicketId;
        await expectNotFound({
          linkGoogleCase: () => crm.linkGoogleCase(missing, CASE),
          setPriority: () => crm.setPriority(missing, 1),
          close: () => crm.close(missing),
          listComments: () => crm.listComments(missing),
          addComment: () => crm.addComment(missing, 'x', { visibility: 'public' }),
          listAttachments: () => crm.listAttachments(missing),
          upload: () => crm.upload(missing, uploadOf('a.txt', Buffer.from('abc'))),
        });
      });

      it('raises NotFoundError for an attachment that does not exist', async () => {
        const id = await world.createTicket({ summary: 's' });
        await world.addAttachment(id, 'a.txt', Buffer.from('abc'));
        await expectNotFound({ download: () => crm.download(id, world.unknownAttachmentId) });
      });
    });
  });
}
