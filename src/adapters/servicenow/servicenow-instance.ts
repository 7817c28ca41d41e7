// What the adapter reads once from the instance's own settings: the close (resolution) code
// from sys_choice (incident close_code, case resolution_code: a data policy of stock
// instances wants one to resolve), and the attachment limit, com.glide.attachment.max_size
// (MB) where the integration user may read sys_properties, else 1024 MB
// (c_AttachmentAPI.md), never more than the REST transaction quota lets through at the
// assumed rate; read at most once an hour.
import type { ServiceNowTable } from '../../domain/servicenow-priority';
import { SERVICENOW_DEFAULT_MAX_BYTES } from './servicenow-attachments';
import type { ServiceNowClient } from './servicenow-client';
import { permanent } from './servicenow-errors';
import { closeCodeField } from './servicenow-mapping';
import { choiceSchema, listOf, propertySchema } from './servicenow-schemas';

/** Close codes preferred when the instance offers them (stock incident and case choices). */
const PREFERRED_CODES = [
  'Solution provided',
  'Solved (Permanently)',
  'Solved Remotely (Permanently)',
  'Solved - Fixed by Support/Guidance provided',
];
const LIMIT_TTL_MS = 60 * 60_000;

export class InstanceSettings {
  private code: Promise<string> | undefined;
  private limit: { bytes: number; readable: boolean; at: number } | undefined;

  constructor(
    private readonly sn: ServiceNowClient,
    private readonly table: ServiceNowTable,
    private readonly opts: { transactionQuotaMs?: number; uploadBytesPerSecond?: number },
  ) {}

  /** The close (resolution) code: read once from the instance's sys_choice rows. */
  closeCode(): Promise<string> {
    this.code ??= this.sn
      .call('GET sys_choice', 'GET', '/api/now/table/sys_choice', listOf(choiceSchema), {
        query: {
          sysparm_query: `name=${this.table}^element=${closeCodeField(this.table)}^inactive=false^ORDERBYsequence`,
          sysparm_fields: 'value,label,language',
          sysparm_limit: 200,
        },
      })
      .then(({ result }) => {
        const usable = result.filter((c) => c.language === '' || c.language === 'en');
        const code =
          PREFERRED_CODES.map((p) => usable.find((c) => c.label === p || c.value === p)).find(
            (c) => c !== undefined,
          )?.value ?? usable[0]?.value;
        if (code === undefined)
          throw permanent(
            `ServiceNow offers no ${closeCodeField(this.table)} choice for ${this.table} (sys_choice)`,
          );
        return code;
      });
    this.code.catch(() => {
      this.code = undefined;
    });
    return this.code;
  }

  async attachmentLimit(): Promise<{ bytes: number; readable: boolean }> {
    const now = this.sn.now();
    if (this.limit !== undefined && now - this.limit.at < LIMIT_TTL_MS)
      return { bytes: this.limit.bytes, readable: this.limit.readable };
    const { result } = await this.sn.call(
      'GET sys_properties',
      'GET',
      '/api/now/table/sys_properties',
      listOf(propertySchema),
      {
        query: {
          sysparm_query: 'name=com.glide.attachment.max_size',
          sysparm_fields: 'value',
          sysparm_limit: 1,
        },
      },
    );
    const mb = Number(result[0]?.value ?? 'NaN');
    const readable = Number.isFinite(mb) && mb > 0;
    const max = readable ? Math.floor(mb * 1024 * 1024) : SERVICENOW_DEFAULT_MAX_BYTES;
    const quota =
      ((this.opts.transactionQuotaMs ?? 60_000) / 1000) *
      (this.opts.uploadBytesPerSecond ?? 8 * 1024 * 1024);
    this.limit = { bytes: Math.floor(Math.min(max, quota)), readable, at: now };
    return { bytes: this.limit.bytes, readable };
  }
}
