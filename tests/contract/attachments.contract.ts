// The attachment part of the Crm and SupportCases contracts: both ports list, download and
// upload attachments of an item (a ticket, a case) the same way.
import type { ItemAuthor } from '../../src/domain/types';
import type { Crm } from '../../src/ports/crm';
import { readAll } from '../support/streams';
import { NON_ASCII_NAME, patternBytes, uploadOf } from './port-contract-helpers';

export interface AttachmentsWorld {
  readonly port: Pick<Crm, 'listAttachments' | 'download' | 'upload'>;
  /** How the port marks the connector as the author. */
  readonly connectorAuthor: Partial<ItemAuthor>;
  /** A new item (ticket or case) opened by a person; returns its id or name. */
  newItem(): Promise<string>;
  /** A person attaches a file. */
  addAttachment(item: string, filename: string, bytes: Buffer): Promise<void>;
  /** The files the service holds for the item, oldest first. */
  storedFiles(item: string): Promise<readonly { filename: string; bytes: Buffer }[]>;
  advance(ms: number): void;
}

export function describeAttachments(w: () => AttachmentsWorld): void {
  describe('attachments', () => {
    it('round-trips a few KB byte for byte, marked as the connector’s', async () => {
      const { port, connectorAuthor, newItem, storedFiles } = w();
      const item = await newItem();
      const data = patternBytes(5000, 3);
      const att = await port.upload(item, uploadOf('heap.dump', data));
      expect(att).toMatchObject({
        filename: 'heap.dump',
        mimeType: 'application/octet-stream',
        sizeBytes: 5000,
        author: connectorAuthor,
      });
      expect((await readAll(await port.download(item, att.id))).equals(data)).toBe(true);
      const stored = await storedFiles(item);
      expect(stored.map((a) => a.filename)).toEqual(['heap.dump']);
      expect(stored[0]?.bytes.equals(data)).toBe(true);
    });

    it('round-trips a zero-byte file and a non-ASCII file name', async () => {
      const { port, newItem, storedFiles } = w();
      const item = await newItem();
      const empty = await port.upload(
        item,
        uploadOf('empty.txt', Buffer.alloc(0), { mimeType: 'text/plain' }),
      );
      const text = Buffer.from('こんにちは\r\n--not-a-boundary\r\n', 'utf8');
      const intl = await port.upload(
        item,
        uploadOf(NON_ASCII_NAME, text, { mimeType: 'text/plain; charset=utf-8' }),
      );
      expect(empty.sizeBytes).toBe(0);
      expect(intl.filename).toBe(NON_ASCII_NAME);
      expect((await readAll(await port.download(item, empty.id))).length).toBe(0);
      expect((await readAll(await port.download(item, intl.id))).equals(text)).toBe(true);
      expect((await storedFiles(item)).map((a) => a.filename)).toEqual([
        'empty.txt',
        NON_ASCII_NAME,
      ]);
    });

    it('lists attachments oldest first, telling people’s from the connector’s', async () => {
      const { port, newItem, addAttachment, advance } = w();
      const item = await newItem();
      advance(1000);
      await addAttachment(item, 'log.txt', Buffer.from('abc'));
      advance(1000);
      await port.upload(item, uploadOf('mine.bin', Buffer.from('xyz!')));
      const list = await port.listAttachments(item);
      expect(list.map((a) => [a.filename, a.sizeBytes, a.author.isConnector])).toEqual([
        ['log.txt', 3, false],
        ['mine.bin', 4, true],
      ]);
      expect(list[0]!.createTime.getTime()).toBeLessThan(list[1]!.createTime.getTime());
      expect((await readAll(await port.download(item, list[0]!.id))).toString()).toBe('abc');
    });
  });
}
