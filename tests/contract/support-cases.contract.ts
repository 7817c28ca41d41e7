// One contract for every SupportCases: run against GoogleSupportCases (over HTTP, on the
// Cloud Support simulator) and against FakeSupportCases, so the fake the use-case tests
// rely on behaves like the real adapter. The "world" acts as people in Google's console
// and looks at what the service holds without going through the port.
import { PRIORITIES, type Priority, type SupportCase } from '../../src/domain/types';
import type { SupportCases } from '../../src/ports/support-cases';
import { DEFAULT_SETTINGS } from '../support/task-deps';
import { describeAttachments } from './attachments.contract';
import {
  allPages,
  expectNotFound,
  freshForEachTest,
  syncErrorOf,
  uploadOf,
} from './port-contract-helpers';

/** A case as the service itself holds it. */
export interface ObservedCase {
  readonly priority: Priority | null;
  readonly closed: boolean;
  readonly testCase: boolean;
  readonly classificationId: string | null;
  /** Oldest first. */
  readonly comments: readonly { readonly body: string }[];
  /** Oldest first. */
  readonly attachments: readonly { readonly filename: string; readonly bytes: Buffer }[];
}

export interface SupportWorld {
  /** The parent the cases live under, and another one. */
  readonly parent: string;
  readonly otherParent: string;
  /** A case name under `parent` that does not exist. */
  readonly unknownCaseName: string;
  /** The page size searchUpdated uses here. */
  readonly pageSize: number;
  /** A customer opens a case; returns its name. */
  createCase(o: {
    displayName: string;
    description: string;
    priority?: Priority;
    parent?: string;
  }): Promise<string>;
  /** A Google support engineer (`googleSupport`) or a customer comments. */
  addComment(caseName: string, body: string, o: { googleSupport: boolean }): Promise<void>;
  addAttachment(caseName: string, filename: string, bytes: Buffer): Promise<void>;
  close(caseName: string): Promise<void>;
  readCase(caseName: string): Promise<ObservedCase>;
  now(): Date;
  advance(ms: number): void;
}

export interface SupportCasesUnderTest {
  readonly support: SupportCases;
  readonly world: SupportWorld;
  close(): Promise<void>;
}

export type MakeSupportCases = () => Promise<SupportCasesUnderTest>;

const COMMENT_MAX_CHARS = 12_800;
const PREFIX = 'CONTENT MIRRORED FROM COMPANY CASE SUP-7:';

export function describeSupportCases(name: string, makeSupport: MakeSupportCases): void {
  describe(`SupportCases contract: ${name}`, () => {
    let support: SupportCases;
    let world: SupportWorld;
    freshForEachTest(makeSupport, (made) => ({ support, world } = made));

    const names = (cases: readonly SupportCase[]): string[] => cases.map((c) => c.name);
    const searchAll = async (after: Date) =>
      allPages((token) => support.searchUpdated(world.parent, after, token));
    const newCase = (i: number | string) =>
      world.createCase({ displayName: `case ${i}`, description: `text ${i}` });

    describe('searchUpdated', () => {
      it('returns cases of the parent updated strictly after the instant', async () => {
        await newCase('old');
        world.advance(60_000);
        const cutoff = world.now();
        world.advance(1);
        const fresh = await world.createCase({
          displayName: 'fresh',
          description: 'd-fresh',
          priority: 1,
        });
        await world.createCase({
          displayName: 'elsewhere',
          description: 'x',
          parent: world.otherParent,
        });

        const { items } = await searchAll(cutoff);
        expect(items).toEqual([
          {
            name: fresh,
            displayName: 'fresh',
            description: 'd-fresh',
            priority: 1,
            closed: false,
            createTime: world.now(),
            updateTime: world.now(),
          },
        ]);
        expect((await searchAll(world.now())).items).toEqual([]);
      });

      it('pages until done, each case once, even when cases change while paging', async () => {
        const start = world.now();
        world.advance(1);
        const created: string[] = [];
        for (let i = 0; i < 2 * world.pageSize + 1; i++) created.push(await newCase(i));

        const first = await support.searchUpdated(world.parent, start);
        expect(first.items).toHaveLength(world.pageSize);
        expect(first.nextPageToken).toBeDefined();
        // While the caller pages, people write to a case already read and to one not yet.
        world.advance(1000);
        const read = first.items[0]!.name;
        const unread = created.find((n) => !names(first.items).includes(n))!;
        await world.addComment(read, 'news', { googleSupport: true });
        await world.addComment(unread, 'news', { googleSupport: true });
        const rest = await allPages((token) =>
          support.searchUpdated(world.parent, start, token ?? first.nextPageToken),
        );
        const seen = [...names(first.items), ...names(rest.items)];
        expect(seen.sort()).toEqual([...created].sort());
        expect(rest.pages).toBeGreaterThanOrEqual(2);
      });

      it('finds a case again after someone writes to it', async () => {
        const c = await newCase('x');
        const cutoff = world.now();
        world.advance(1000);
        expect((await support.searchUpdated(world.parent, cutoff)).items).toEqual([]);
        await world.addComment(c, 'news', { googleSupport: true });
        expect(names((await searchAll(cutoff)).items)).toEqual([c]);
      });
    });

    describe('get and create', () => {
      it('gets a case; null for a case that does not exist', async () => {
        const c = await world.createCase({
          displayName: 'Disk full',
          description: 'help',
          priority: 0,
        });
        await world.close(c);
        expect(await support.get(c)).toMatchObject({
          name: c,
          displayName: 'Disk full',
          description: 'help',
          priority: 0,
          closed: true,
        });
        expect(await support.get(world.unknownCaseName)).toBeNull();
        // The same case number under another parent is another (missing) case.
        expect(await support.get(c.replace(world.parent, world.otherParent))).toBeNull();
      });

      it('creates a case with classification, priority and the test flag', async () => {
        const created = await support.create({
          parent: world.parent,
          displayName: 'VM down',
          description: 'CONTENT MIRRORED FROM COMPANY CASE SUP-1:\nbody',
          priority: 2,
          classificationId: '100IK2AKCLHMGRJ9',
          testCase: true,
        });
        expect(created).toMatchObject({
          displayName: 'VM down',
          description: 'CONTENT MIRRORED FROM COMPANY CASE SUP-1:\nbody',
          priority: 2,
          closed: false,
        });
        expect(created.name.startsWith(`${world.parent}/cases/`)).toBe(true);
        expect(await support.get(created.name)).toEqual(created);
        expect(await world.readCase(created.name)).toMatchObject({
          priority: 2,
          closed: false,
          testCase: true,
          classificationId: '100IK2AKCLHMGRJ9',
        });
        expect(names((await searchAll(new Date(0))).items)).toEqual([created.name]);
      });
    });

    describe('findByDescriptionPrefix', () => {
      it('finds a case of the parent updated since, by the start of its description', async () => {
        await world.createCase({ displayName: 'too old', description: `${PREFIX} stale` });
        world.advance(10_000);
        const since = world.now();
        world.advance(1);
        for (let i = 0; i < 2 * world.pageSize; i++) await newCase(i);
        await world.createCase({
          displayName: 'elsewhere',
          description: `${PREFIX} other org`,
          parent: world.otherParent,
        });
        await world.createCase({ displayName: 'not at the start', description: `x ${PREFIX}` });
        const wanted = await world.createCase({
          displayName: 'mine',
          description: `${PREFIX}\nthe text`,
        });

        expect((await support.findByDescriptionPrefix(world.parent, PREFIX, since))?.name).toBe(
          wanted,
        );
        expect(
          await support.findByDescriptionPrefix(
            world.parent,
            'CONTENT MIRRORED FROM COMPANY CASE SUP-8:',
            since,
          ),
        ).toBeNull();
        expect(await support.findByDescriptionPrefix(world.parent, PREFIX, world.now())).toBeNull();
      });
    });

    describe('setPriority and close', () => {
      it('round-trips each priority P0–P4 and bumps the update time', async () => {
        const c = await newCase('p');
        let last = (await support.get(c))!.updateTime.getTime();
        for (const p of PRIORITIES) {
          world.advance(1000);
          await support.setPriority(c, p);
          const got = await support.get(c);
          expect(got?.priority).toBe(p);
          expect(got!.updateTime.getTime()).toBeGreaterThan(last);
          last = got!.updateTime.getTime();
          expect((await world.readCase(c)).priority).toBe(p);
        }
      });

      it('closes a case; closing it again succeeds and changes nothing', async () => {
        const c = await newCase('c');
        await support.close(c);
        const closed = await support.get(c);
        expect(closed?.closed).toBe(true);
        world.advance(1000);
        await support.close(c);
        expect(await support.get(c)).toEqual(closed);
        expect((await world.readCase(c)).closed).toBe(true);
      });

      it('changes the priority of a closed case, which stays closed', async () => {
        const c = await world.createCase({ displayName: 'x', description: 'd', priority: 3 });
        await world.close(c);
        await support.setPriority(c, 1);
        expect(await support.get(c)).toMatchObject({ priority: 1, closed: true });
        expect(await world.readCase(c)).toMatchObject({ priority: 1, closed: true });
      });
    });

    describe('comments', () => {
      it('lists comments oldest first with their authors', async () => {
        const c = await newCase('comments');
        world.advance(1000);
        await world.addComment(c, 'first, from Google', { googleSupport: true });
        world.advance(1000);
        await world.addComment(c, 'second, from the customer', { googleSupport: false });
        world.advance(1000);
        const mine = await support.addComment(c, '[Company Comment 10001 by Kim]\nthird');
        expect(mine).toMatchObject({
          body: '[Company Comment 10001 by Kim]\nthird',
          isPublic: true,
          author: { isConnector: true, isGoogleSupport: false },
        });

        const list = await support.listComments(c);
        expect(
          list.map((x) => [x.body, x.author.isConnector, x.author.isGoogleSupport, x.isPublic]),
        ).toEqual([
          ['first, from Google', false, true, true],
          ['second, from the customer', false, false, true],
          ['[Company Comment 10001 by Kim]\nthird', true, false, true],
        ]);
        expect(list[2]?.id).toBe(mine.id);
        expect(list[0]!.createTime.getTime()).toBeLessThan(list[1]!.createTime.getTime());
        expect((await world.readCase(c)).comments.map((x) => x.body)).toEqual(
          list.map((x) => x.body),
        );
      });

      it('lists only comments created after `since`', async () => {
        const c = await newCase('since');
        for (let i = 0; i < 5; i++) {
          world.advance(1000);
          await world.addComment(c, `c${i}`, { googleSupport: i % 2 === 0 });
        }
        const all = await support.listComments(c);
        expect(all.map((x) => x.body)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
        const recent = await support.listComments(c, all[2]!.createTime);
        expect(recent.map((x) => x.body)).toEqual(['c3', 'c4']);
        expect(await support.listComments(c, world.now())).toEqual([]);
      });

      it(`refuses a comment over ${COMMENT_MAX_CHARS} characters (permanent), keeps one at the limit`, async () => {
        const c = await newCase('long');
        const e = await syncErrorOf(support.addComment(c, 'x'.repeat(COMMENT_MAX_CHARS + 1)));
        expect([e.kind, e.status]).toEqual(['permanent', 400]);
        expect((await world.readCase(c)).comments).toEqual([]);
        await support.addComment(c, 'é'.repeat(COMMENT_MAX_CHARS));
        expect((await world.readCase(c)).comments).toHaveLength(1);
      });
    });

    describe('diagnose', () => {
      it('checks the set-up read-only: the identity, the parent, nothing failing here', async () => {
        await newCase(1);
        const settings = {
          ...DEFAULT_SETTINGS,
          supportParent: world.parent,
          supportCaseParent: world.parent,
          supportClassificationId: null,
        };
        const before = await searchAll(new Date(0));
        const checks = await support.diagnose(settings);
        expect(checks.find((c) => c.id === 'google.credentials')?.status).toBe('ok');
        expect(checks.find((c) => c.id === 'google.parent')?.status).toBe('ok');
        expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
        expect(await searchAll(new Date(0))).toEqual(before);
      });
    });

    describeAttachments(() => ({
      port: support,
      connectorAuthor: { isConnector: true, isGoogleSupport: false },
      newItem: () => newCase('files'),
      addAttachment: (name, filename, bytes) => world.addAttachment(name, filename, bytes),
      storedFiles: async (name) => (await world.readCase(name)).attachments,
      advance: (ms) => world.advance(ms),
    }));

    describe('errors', () => {
      it('raises NotFoundError (permanent) for a case that does not exist', async () => {
        const missing = world.unknownCaseName;
        await expectNotFound({
          setPriority: () => support.setPriority(missing, 1),
          close: () => support.close(missing),
          listComments: () => support.listComments(missing),
          addComment: () => support.addComment(missing, 'x'),
          listAttachments: () => support.listAttachments(missing),
          upload: () => support.upload(missing, uploadOf('a.txt', Buffer.from('abc'))),
        });
      });

      it('raises NotFoundError for an attachment that does not exist', async () => {
        const c = await newCase('missing file');
        await world.addAttachment(c, 'a.bin', Buffer.from([1, 2, 3]));
        await expectNotFound({ download: () => support.download(c, 'nope') });
      });
    });
  });
}
