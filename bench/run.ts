// `npm run bench`: what the connector costs an operator — upstream API calls (quota),
// Datastore operations (money), memory (instance class) and start-up (cold starts) —
// measured against the simulators, printed as one plain-text table (SPEC §5).
//
//   npm run bench                      full sizes (≈ 3 minutes on 2 cores, plus ≈ 8 for section 6)
//   npm run bench -- --small           tiny sizes (100 mappings, 1 MB, 10 cases, 10 changes): for CI
//   npm run bench -- --check           exit 1 when a COUNT bar fails (calls, operations,
//                                      writes, mirrored items, bytes); times and memory never fail it
//   npm run bench -- --sections=1,3    only some sections
//
// Section 6 (latency) uses PUBSUB_EMULATOR_HOST, else starts a Pub/Sub emulator of its own
// (scripts/pubsub-emulator.sh); without one, its Google push rows say NOT MEASURED.
import { execFileSync } from 'node:child_process';
import { runAttachments } from './attachments';
import { runCatchUp } from './catch-up';
import { runLatency } from './latency';
import { startPubSubEmulator } from '../tests/support/pubsub-emulator';
import { runPollCost } from './poll-cost';
import { runPollCostServiceNow } from './poll-cost-servicenow';
import { build, machine, REPO } from './proc';
import { runStartup } from './startup';
import { runSyncCost } from './sync-cost';
import { failedCountBars, renderTable, row, type Row } from './table';

interface Options {
  readonly small: boolean;
  readonly check: boolean;
  readonly sections: ReadonlySet<string>;
}

function parseArgs(argv: readonly string[]): Options {
  let small = false;
  let check = false;
  let sections = new Set(['1', '2', '3', '4', '5', '6']);
  for (const a of argv) {
    if (a === '--small') small = true;
    else if (a === '--check') check = true;
    else if (a.startsWith('--sections='))
      sections = new Set(
        a
          .slice('--sections='.length)
          .split(',')
          .map((s) => s.trim()),
      );
    else if (a === '--help' || a === '-h') {
      process.stdout.write(
        'usage: npm run bench -- [--small] [--check] [--sections=1,2,3,4,5,6]\n',
      );
      process.exit(0);
    } else {
      process.stderr.write(`unknown argument ${a}\n`);
      process.exit(2);
    }
  }
  return { small, check, sections };
}

function gitDescribe(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: REPO,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync('git', ['status', '--porcelain'], { cwd: REPO, encoding: 'utf8' }).trim() !== '';
    return `${head}${dirty ? ' + uncommitted changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

const SIZES = {
  full: {
    poll: [100, 1_000, 10_000],
    pollReps: 5,
    comments: [1, 10, 100],
    attachmentsMb: [1, 50, 200],
    startupRuns: 7,
    catchUpCases: 1_000,
    // At Zendesk's 700 requests a minute, 1,000 cases (about 33 calls each) would take
    // 47 minutes of bench: 100 cases, extrapolated.
    catchUpZendeskCases: 100,
    latencyChanges: 100,
  },
  small: {
    poll: [100],
    pollReps: 1,
    comments: [1, 10],
    attachmentsMb: [1],
    startupRuns: 3,
    catchUpCases: 10,
    catchUpZendeskCases: 10,
    latencyChanges: 10,
  },
} as const;

async function main(): Promise<void> {
  const opts = parseArgs(process.argv.slice(2));
  const sizes = opts.small ? SIZES.small : SIZES.full;
  const rows: Row[] = [];
  const log = (line: string) =>
    process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const started = performance.now();

  const section = async (id: string, title: string, fn: () => Promise<Row[]>) => {
    if (!opts.sections.has(id)) return;
    log(`section ${id}: ${title}`);
    const t0 = performance.now();
    try {
      rows.push(...(await fn()));
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      process.stderr.write(`${message}\n`);
      rows.push(
        row(id, title, 'section failed', message.split('\n')[0] ?? 'error', {
          text: 'runs',
          ok: false,
          count: true,
        }),
      );
    }
    log(`section ${id} took ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };

  let built: string | null | undefined;
  const needBuild = async (): Promise<void> => {
    if (built === undefined) {
      log('npm run build (the child processes run dist/src/server.js)');
      built = build();
    }
    if (built !== null) throw new Error(`npm run build failed:\n${built}`);
  };

  await section('1', 'poll cost vs open mappings', async () => [
    ...(await runPollCost(sizes.poll, [0, 10], sizes.pollReps)).rows,
    ...(await runPollCostServiceNow(sizes.poll, [0, 10], ['incident', 'sn_customerservice_case']))
      .rows,
  ]);
  await section('2', 'sync cost per mirrored comment', () => runSyncCost(sizes.comments));
  await section('3', 'attachments streamed through the connector process', async () => {
    await needBuild();
    return runAttachments(sizes.attachmentsMb);
  });
  await section('4', 'start-up of the production entry point', async () => {
    await needBuild();
    return runStartup(sizes.startupRuns, true);
  });
  await section('5', 'catch-up after an outage', () =>
    runCatchUp(sizes.catchUpCases, sizes.catchUpZendeskCases),
  );
  await section('6', 'propagation latency, push vs poll only', async () => {
    let host = process.env.PUBSUB_EMULATOR_HOST ?? null;
    let stop: (() => void) | null = null;
    if (host === null) {
      log('starting a Pub/Sub emulator (PUBSUB_EMULATOR_HOST is unset)');
      const started = await startPubSubEmulator('bench');
      if (started.ok) {
        host = started.emulator.host;
        stop = started.emulator.stop;
      } else log(`NO PUB/SUB EMULATOR: ${started.reason}`);
    }
    try {
      return await runLatency({ changes: sizes.latencyChanges, pubsubHost: host, log });
    } finally {
      stop?.();
    }
  });

  const failed = failedCountBars(rows);
  const missed = rows.filter((r) => r.ok === false && r.countBar !== true);
  const out = [
    '',
    `command: npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    `date:    ${new Date().toISOString()}`,
    `machine: ${machine()}`,
    `commit:  ${gitDescribe()}`,
    `took:    ${((performance.now() - started) / 1000).toFixed(0)} s`,
    '',
    renderTable(rows),
    '',
    `count bars: ${failed.length === 0 ? 'all met' : `${failed.length} FAILED`}; other bars (time, memory): ${missed.length === 0 ? 'all met' : `${missed.length} missed`}`,
    '',
  ];
  process.stdout.write(out.join('\n'));
  if (opts.check && failed.length > 0) process.exitCode = 1;
}

main().then(
  // Simulators and child processes are closed by each section; leftover keep-alive sockets must not hold the run open.
  () => process.exit(process.exitCode ?? 0),
  (e: unknown) => {
    process.stderr.write(
      `bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`,
    );
    process.exit(1);
  },
);
