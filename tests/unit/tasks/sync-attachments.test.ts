// Sync tasks, attachments both ways (SPEC §4): streamed, byte-identical, once, and a file
// over Jira's upload limit becomes a comment naming it instead of an endless retry.
import { randomBytes } from 'node:crypto';
import { SyncError } from '../../../src/domain/errors';
import type { MirroredItem } from '../../../src/domain/mapping';
import { syncCompanyCase, syncGoogleCase } from '../../../src/tasks/sync-pair';
import { MINUTE } from '../../support/fake-clock';
import { cycle, linkedFromGoogle, linkedFromJira, makeDeps } from '../../support/task-deps';

const NOW_SYNCING = /^This case is now syncing with Company Case: /;

describe('sync: attachments', () => {
  it('copies a Google attachment into Jira byte for byte, once', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    const bytes = randomBytes(300_000);
    deps.support.person.addAttachment(pair.caseName, {
      filename: 'sosreport.tar.xz',
      mimeType: 'application/x-xz',
      content: bytes,
    });

    await syncGoogleCase(deps, pair.caseName);
    deps.clock.advance(MINUTE);
    await cycle(deps);

    const [copy, ...others] = deps.crm.attachments(pair.ticketId);
    expect(others).toHaveLength(0);
    expect(copy).toMatchObject({
      filename: 'sosreport.tar.xz',
      mimeType: 'application/x-xz',
      sizeBytes: bytes.length,
    });
    expect(deps.crm.bytes(pair.ticketId, copy?.id ?? '').equals(bytes)).toBe(true);
    // Not echoed back to Google.
    expect(deps.support.attachments(pair.caseName)).toHaveLength(1);
  });

  it('copies a Jira attachment into Google byte for byte, once', async () => {
    const deps = makeDeps();
    const pair = await linkedFromJira(deps);
    const bytes = randomBytes(150_001);
    deps.crm.person.addAttachment(pair.ticketId, {
      filename: 'trace.har',
      mimeType: 'application/json',
      content: bytes,
    });

    await syncCompanyCase(deps, pair.ticketId);
    deps.clock.advance(MINUTE);
    await cycle(deps);

    const [copy, ...others] = deps.support.attachments(pair.caseName);
    expect(others).toHaveLength(0);
    expect(copy).toMatchObject({
      filename: 'trace.har',
      mimeType: 'application/json',
      sizeBytes: bytes.length,
    });
    expect(deps.support.bytes(pair.caseName, copy?.id ?? '').equals(bytes)).toBe(true);
    expect(deps.crm.attachments(pair.ticketId)).toHaveLength(1);
  });

  it('writes a comment naming a file over the Jira upload limit, once, and never retries it', async () => {
    const deps = makeDeps({ jira: { uploadLimitBytes: 1024 * 1024 } });
    const pair = await linkedFromGoogle(deps);
    deps.support.person.addAttachment(pair.caseName, {
      filename: 'core.dump',
      content: Buffer.alloc(3 * 1024 * 1024),
    });
    const small = deps.support.person.addAttachment(pair.caseName, {
      filename: 'small.txt',
      content: 'ok',
    });

    await syncGoogleCase(deps, pair.caseName);
    deps.clock.advance(MINUTE);
    await cycle(deps);
    await syncGoogleCase(deps, pair.caseName);

    expect(deps.crm.attachments(pair.ticketId).map((a) => a.filename)).toEqual([small.filename]);
    const notices = deps.crm.comments(pair.ticketId);
    expect(notices.map((c) => c.body)).toEqual([
      '[Attachment not mirrored] "core.dump" (3.0 MB) from the Google case exceeds the Jira upload limit of 1.0 MB.',
    ]);
    // The notice is the connector's: it does not travel to Google.
    expect(
      deps.support.comments(pair.caseName).filter((c) => !NOW_SYNCING.test(c.body)),
    ).toHaveLength(0);
  });

  it('turns a TooLargeError at upload time into the same notice', async () => {
    const deps = makeDeps({ jira: { uploadLimitBytes: 10 * 1024 * 1024 } });
    const pair = await linkedFromGoogle(deps);
    deps.support.person.addAttachment(pair.caseName, {
      filename: 'big.iso',
      content: Buffer.alloc(2 * 1024 * 1024),
    });
    // The site's limit dropped after the connector read it.
    deps.crm.onNext('upload', () => {
      deps.crm.uploadLimit = 1024 * 1024;
    });

    await syncGoogleCase(deps, pair.caseName);
    await syncGoogleCase(deps, pair.caseName);

    expect(deps.crm.attachments(pair.ticketId)).toHaveLength(0);
    expect(deps.crm.comments(pair.ticketId).map((c) => c.body)).toEqual([
      '[Attachment not mirrored] "big.iso" (2.0 MB) from the Google case exceeds the Jira upload limit of 1.0 MB.',
    ]);
  });

  it('does not upload twice when the record was lost after the upload', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    const bytes = randomBytes(10_000);
    deps.support.person.addAttachment(pair.caseName, { filename: 'a.log', content: bytes });
    deps.storeProbe.failNext(
      'recordMirroredItem',
      new SyncError('retry', 'datastore unavailable'),
      {
        when: (args) => (args[0] as MirroredItem).kind === 'attachment',
      },
    );

    await expect(syncGoogleCase(deps, pair.caseName)).rejects.toThrow('datastore unavailable');
    await syncGoogleCase(deps, pair.caseName);
    await syncGoogleCase(deps, pair.caseName);

    expect(deps.crm.attachments(pair.ticketId)).toHaveLength(1);
    expect(deps.support.attachments(pair.caseName)).toHaveLength(1);
  });

  it('mirrors same-named files from both sides without mixing them up', async () => {
    const deps = makeDeps();
    const pair = await linkedFromGoogle(deps);
    const g = randomBytes(100);
    const j = randomBytes(200);
    deps.support.person.addAttachment(pair.caseName, { filename: 'screenshot.png', content: g });
    deps.crm.person.addAttachment(pair.ticketId, { filename: 'screenshot.png', content: j });

    await syncGoogleCase(deps, pair.caseName);
    await syncCompanyCase(deps, pair.ticketId);

    const onJira = deps.crm.attachments(pair.ticketId);
    const onGoogle = deps.support.attachments(pair.caseName);
    expect(onJira).toHaveLength(2);
    expect(onGoogle).toHaveLength(2);
    expect(onJira.map((a) => deps.crm.bytes(pair.ticketId, a.id).toString('hex')).sort()).toEqual(
      [g.toString('hex'), j.toString('hex')].sort(),
    );
    expect(
      onGoogle.map((a) => deps.support.bytes(pair.caseName, a.id).toString('hex')).sort(),
    ).toEqual([g.toString('hex'), j.toString('hex')].sort());
  });
});
