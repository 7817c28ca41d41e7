// Attachment bytes between the connector and Jira: a download streamed from Jira's media
// redirect, an upload streamed as multipart (jira-stream.ts), checked against the site's
// upload limit (read once) and paced like any write to the issue.
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { SyncError, TooLargeError } from '../../domain/errors';
import type { Attachment } from '../../domain/types';
import type { JiraClient } from './jira-client';
import { JIRA_SOURCE as SOURCE, parseJiraResponse as parse } from './jira-errors';
import { toAttachment } from './jira-mapping';
import { attachmentMetaSchema, attachmentSchema, type JiraAttachment } from './jira-schemas';
import { downloadStream, uploadStream } from './jira-stream';

export class JiraAttachmentTransfer {
  private uploadLimit: Promise<number> | undefined;

  constructor(private readonly jira: JiraClient) {}

  async download(attachmentId: string): Promise<Readable> {
    if (!/^\d+$/.test(attachmentId))
      throw new SyncError('permanent', 'Invalid Jira attachment id', { source: SOURCE });
    // Retried until the headers arrive; a stream that breaks later is the caller's retry.
    return this.jira.repeating('idempotent', () =>
      downloadStream(`${this.jira.baseUrl}/rest/api/3/attachment/content/${attachmentId}`, {
        authorization: this.jira.authorization,
        timeoutMs: this.jira.timeoutMs,
        budget: this.jira.budget,
      }),
    );
  }

  async upload(
    ticketId: string,
    file: { filename: string; mimeType: string; sizeBytes: number; content: Readable },
  ): Promise<Attachment> {
    // Until the request pipes it, a failing source must not become an unhandled 'error'
    // (uploadStream checks `errored` before sending).
    const ignoreUntilPiped = (): void => undefined;
    file.content.on('error', ignoreUntilPiped);
    let limit: number;
    let me: string;
    try {
      [limit, me] = await Promise.all([this.uploadLimitBytes(), this.jira.connectorAccountId()]);
    } catch (e) {
      file.content.destroy();
      throw e;
    }
    if (file.sizeBytes > limit) {
      file.content.destroy();
      throw new TooLargeError('Attachment exceeds the Jira site upload limit', {
        limitBytes: limit,
        source: SOURCE,
      });
    }
    let json: unknown;
    try {
      // One attempt only (the source stream is spent by it), but paced like any write.
      await this.jira.acquireWrite(ticketId);
    } catch (e) {
      file.content.off('error', ignoreUntilPiped);
      file.content.destroy();
      throw e;
    }
    try {
      json = await uploadStream(
        `${this.jira.baseUrl}/rest/api/3/issue/${encodeURIComponent(ticketId)}/attachments`,
        file,
        {
          authorization: this.jira.authorization,
          timeoutMs: this.jira.timeoutMs,
          budget: this.jira.budget,
        },
      );
    } catch (e) {
      if (e instanceof TooLargeError) {
        throw new TooLargeError('Attachment exceeds the Jira site upload limit', {
          limitBytes: limit,
          source: SOURCE,
        });
      }
      throw e;
    } finally {
      file.content.off('error', ignoreUntilPiped);
    }
    const list = parse('POST attachments', z.array(attachmentSchema).min(1), json);
    return toAttachment(list[0] as JiraAttachment, me);
  }

  async uploadLimitBytes(): Promise<number> {
    this.uploadLimit ??= this.jira
      .call('GET attachment/meta', attachmentMetaSchema, () =>
        this.jira.api.issueAttachments.getAttachmentMeta<unknown>(),
      )
      .then(
        (meta) => (meta.enabled ? meta.uploadLimit : 0),
        (e: unknown) => {
          this.uploadLimit = undefined;
          throw e;
        },
      );
    return this.uploadLimit;
  }
}
