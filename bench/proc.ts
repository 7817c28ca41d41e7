// Process helpers for the sections that measure another process: the compiled connector
// (dist/), its memory read from /proc, free ports, and the machine's description.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..');
export const SERVER_JS = path.join(REPO, 'dist', 'src', 'server.js');

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1
    ? (s[mid] as number)
    : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** `npm run build` (tsc to dist/). Returns null on success, else the end of its output. */
export function build(): string | null {
  const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: REPO, encoding: 'utf8' });
  if (r.status === 0 && fs.existsSync(SERVER_JS)) return null;
  return (
    `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n') ||
    `exit ${String(r.status)}`
  );
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface ProcMemory {
  /** VmRSS: resident now. */
  readonly rssBytes: number;
  /** VmHWM: peak resident since start or since resetPeak(). */
  readonly hwmBytes: number;
}

/** The memory of process `pid` from /proc (Linux); null elsewhere or when it is gone. */
export function procMemory(pid: number): ProcMemory | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text);
    return m?.[1] ? Number(m[1]) * 1024 : Number.NaN;
  };
  return { rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM') };
}

let clockTicks: number | undefined;

/** CPU time (user + system) process `pid` has used so far, in ms (10 ms resolution); NaN when unreadable. */
export function procCpuMs(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", fields start at field 3 (state): utime is field 14, stime 15.
    const ticks = Number(fields[11]) + Number(fields[12]);
    clockTicks ??=
      Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    return (ticks * 1000) / clockTicks;
  } catch {
    return Number.NaN;
  }
}

/** Resets VmHWM to the current RSS (writes 5 to /proc/PID/clear_refs). False when refused. */
export function resetPeak(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** GET url; resolves with the status, or null on a connection error. */
export function httpStatus(url: string): Promise<number | null> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? null));
    });
    req.on('error', () => resolve(null));
    req.setTimeout(2000, () => req.destroy());
  });
}

/** Polls `url` every `everyMs` until it answers 200; the time of the first 200 (performance.now()). */
export async function waitFor200(
  url: string,
  child: ChildProcess,
  timeoutMs = 30_000,
  everyMs = 2,
): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`the process exited with ${child.exitCode} before answering`);
    const status = await httpStatus(url);
    if (status === 200) return performance.now();
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error('no 200 before the timeout');
}

export interface Spawned {
  readonly child: ChildProcess;
  readonly spawnedAt: number;
  /** Everything it wrote (for error reports). */
  output(): string;
  stop(): Promise<void>;
}

/** Spawns `node [nodeArgs] dist/src/server.js` with exactly `env` (plus PATH). */
export function spawnConnector(
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): Spawned {
  let out = '';
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, SERVER_JS], {
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (b: Buffer) => {
    out = (out + b.toString('utf8')).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return {
    child,
    spawnedAt,
    output: () => out,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** One line describing the machine: cores, memory, CPU, OS, node. */
export function machine(): string {
  const cpu = os.cpus()[0]?.model?.trim() ?? 'unknown CPU';
  const memGb = (os.totalmem() / 1024 ** 3).toFixed(1);
  return `${os.availableParallelism()} cores (${cpu}), ${memGb} GB RAM, ${os.type()} ${os.release()}, node ${process.version}`;
}
