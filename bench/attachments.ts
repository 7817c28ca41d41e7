// Section 3: attachments of 1, 50 and 200 MB through a real sync, each way, measured in
// the connector's own process: the compiled connector (dist/src/server.js) runs as a child
// process, the simulators run here. The file bytes are generated as a stream into the
// simulator's control upload, so neither process allocates a whole file to make it. The
// child's peak RSS is its VmHWM (reset through /proc/PID/clear_refs before each transfer),
// cross-checked by sampling VmRSS.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Readable } from 'node:stream';
import { freePort, procMemory, resetPeak, spawnConnector, waitFor200, type Spawned } from './proc';
import { mb, ms, row, type Row } from './table';
import { connectorEnv, PARENT, QUEUE, since, startSims, type Sims } from './world';

export const RSS_BAR_BYTES = 64 * 1024 * 1024;
const CHUNK = 64 * 1024;

/** Deterministic file bytes, `size` of them, as a stream of 64 KiB chunks; and their sha256. */
function fileStream(size: number, seed: number): Readable {
  const block = Buffer.alloc(CHUNK);
  for (let i = 0; i < CHUNK; i++) block[i] = (i * 31 + seed) % 251;
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(CHUNK, left);
      left -= n;
      this.push(n === CHUNK ? Buffer.from(block) : block.subarray(0, n));
    },
  });
}

async function fileSha256(size: number, seed: number): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of fileStream(size, seed)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** POSTs a generated file to a simulator's control upload, streaming. */
function controlUpload(url: string, size: number, seed: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) },
      },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode && res.statusCode < 300
            ? resolve()
            : reject(new Error(`control upload answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    fileStream(size, seed).pipe(req);
  });
}

interface Transfer {
  readonly wallMs: number;
  readonly rssBefore: number;
  readonly peak: number;
  readonly peakSource: 'VmHWM' | 'sampled VmRSS';
  readonly outcome: string;
}

async function measuredSync(
  conn: Spawned,
  url: string,
  path: string,
  body: unknown,
): Promise<Transfer> {
  const pid = conn.child.pid as number;
  // Settle first: whatever the previous step left for the GC is not this transfer's cost.
  await new Promise((r) => setTimeout(r, 300));
  const before = procMemory(pid);
  if (!before) throw new Error('cannot read the connector process memory from /proc');
  const hwmReset = resetPeak(pid);
  let sampled = before.rssBytes;
  const timer = setInterval(() => {
    const m = procMemory(pid);
    if (m) sampled = Math.max(sampled, m.rssBytes);
  }, 10);
  const t0 = performance.now();
  let outcome = '';
  try {
    const res = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: QUEUE,
      body: JSON.stringify(body),
    });
    const json = (await res.json()) as Record<string, unknown>;
    outcome = `${res.status} ${String(json.outcome)}`;
  } finally {
    clearInterval(timer);
  }
  const wallMs = since(t0);
  const after = procMemory(pid);
  const hwm = hwmReset && after ? after.hwmBytes : Number.NaN;
  const peak = Number.isFinite(hwm) ? Math.max(hwm, sampled) : sampled;
  return {
    wallMs,
    rssBefore: before.rssBytes,
    peak,
    peakSource: Number.isFinite(hwm) ? 'VmHWM' : 'sampled VmRSS',
    outcome,
  };
}

/**
 * One transfer in a fresh connector process: a new pair made by the connector, a 1 KB
 * warm-up attachment the same way (loads the streaming code paths), then the measured one.
 */
async function oneTransfer(
  sims: Sims,
  sizeMb: number,
  direction: 'google→jira' | 'jira→google',
  seed: number,
): Promise<Row[]> {
  const size = sizeMb * 1024 * 1024;
  const port = await freePort();
  const conn = spawnConnector({
    ...connectorEnv(sims),
    PORT: String(port),
    LOG_LEVEL: 'warn',
    LOG_FORMAT: 'json',
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor200(`${url}/healthz`, conn.child);
    const c = sims.google.createCase({
      parent: PARENT,
      displayName: `Attachment bench ${sizeMb} MB`,
      description: 'Seeded.',
      priority: 'P3',
    });
    const sync = async () => {
      const r = await fetch(`${url}/tasks/sync-google-case`, {
        method: 'POST',
        headers: QUEUE,
        body: JSON.stringify({ caseName: c.name }),
      });
      await r.arrayBuffer();
    };
    await sync();
    await sync();
    const issue = sims.jira.listIssues().find((x) => x.labels.includes(`google-case-${c.number}`));
    if (!issue) throw new Error('the connector did not create the ticket');
    const upload = (name: string, bytes: number) =>
      direction === 'google→jira'
        ? controlUpload(
            `${sims.google.url}/_control/cases/${c.number}/attachments?filename=${name}&mimeType=application/octet-stream`,
            bytes,
            seed,
          )
        : controlUpload(
            `${sims.jira.url}/_control/issues/${issue.key}/attachments?filename=${name}&mimeType=application/octet-stream`,
            bytes,
            seed,
          );
    const path =
      direction === 'google→jira' ? '/tasks/sync-google-case' : '/tasks/sync-company-case';
    const body = direction === 'google→jira' ? { caseName: c.name } : { caseId: issue.id };
    await upload('warm-up.bin', 1024);
    await measuredSync(conn, url, path, body);

    const filename = `bench-${sizeMb}mb.bin`;
    await upload(filename, size);
    const t = await measuredSync(conn, url, path, body);
    const target =
      direction === 'google→jira'
        ? sims.jira.getIssue(issue.key)?.attachments.find((a) => a.filename === filename)?.content
        : sims.google.getCase(c.name).attachments.find((a) => a.filename === filename)?.content;
    const intact =
      target !== undefined &&
      target.length === size &&
      createHash('sha256').update(target).digest('hex') === (await fileSha256(size, seed));
    const growth = t.peak - t.rssBefore;
    const scen = `${direction}, ${sizeMb} MB`;
    return [
      row(
        '3',
        scen,
        `peak RSS growth (${t.peakSource})`,
        `${mb(growth)} (${mb(t.rssBefore)} → ${mb(t.peak)})`,
        sizeMb >= 200 ? { text: '< 64 MB', ok: growth < RSS_BAR_BYTES } : undefined,
      ),
      row(
        '3',
        scen,
        'throughput (sync wall time)',
        `${(size / (1024 * 1024) / (t.wallMs / 1000)).toFixed(1)} MB/s (${ms(t.wallMs)})`,
      ),
      row(
        '3',
        scen,
        'arrived whole (size + sha256)',
        intact
          ? `${size.toLocaleString('en-US')} bytes`
          : `no (${t.outcome}, got ${target?.length ?? 'nothing'})`,
        { text: 'identical', ok: intact, count: true },
      ),
    ];
  } catch (e) {
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}\n--- connector output ---\n${conn.output()}`,
    );
  } finally {
    await conn.stop();
  }
}

export async function runAttachments(sizesMb: readonly number[]): Promise<Row[]> {
  const rows: Row[] = [];
  const largest = Math.max(...sizesMb) * 1024 * 1024;
  const sims: Sims = await startSims({ jiraUploadLimitBytes: largest + 1024 * 1024 });
  try {
    let seed = 1;
    for (const sizeMb of sizesMb) {
      for (const direction of ['google→jira', 'jira→google'] as const) {
        rows.push(...(await oneTransfer(sims, sizeMb, direction, seed++)));
      }
    }
  } finally {
    await sims.close();
  }
  return rows;
}
