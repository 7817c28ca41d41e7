import {
  backoffSeconds,
  cronRetryAllowed,
  GaeConfigError,
  nextRun,
  parseCronYaml,
  parseDurationSeconds,
  parseQueueYaml,
  parseRate,
  parseSchedule,
  queueRetryAllowed,
  taskHttpRequest,
  taskIdForDedupKey,
} from '../../src/adapters/local/gae-yaml';

const at = (iso: string): Date => new Date(iso);

describe('backoffSeconds (Cloud Tasks / Cloud Scheduler semantics)', () => {
  it('doubles max_doublings times, then grows linearly, capped at max_backoff', () => {
    const retry = { minBackoffSeconds: 10, maxBackoffSeconds: 300, maxDoublings: 3 };
    // The documented example: 10s, 20s, 40s, 80s, 160s, 240s, 300s, 300s.
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffSeconds(retry, n))).toEqual([
      10, 20, 40, 80, 160, 240, 300, 300,
    ]);
  });

  it('grows linearly from the start with max_doublings 0', () => {
    const retry = { minBackoffSeconds: 5, maxBackoffSeconds: 1000, maxDoublings: 0 };
    expect([1, 2, 3, 4].map((n) => backoffSeconds(retry, n))).toEqual([5, 10, 15, 20]);
  });

  it('uses the App Engine queue defaults sensibly (0.1 s doubling up to an hour)', () => {
    const retry = { minBackoffSeconds: 0.1, maxBackoffSeconds: 3600, maxDoublings: 16 };
    expect(backoffSeconds(retry, 1)).toBeCloseTo(0.1);
    expect(backoffSeconds(retry, 2)).toBeCloseTo(0.2);
    expect(backoffSeconds(retry, 40)).toBe(3600);
  });
});

describe('retry limits', () => {
  const backoff = { minBackoffSeconds: 1, maxBackoffSeconds: 10, maxDoublings: 2 };

  it('retries a queue task forever when no limit is set', () => {
    expect(queueRetryAllowed(backoff, 10_000, 10 * 86400)).toBe(true);
  });

  it('stops at task_retry_limit when only it is set', () => {
    const retry = { ...backoff, taskRetryLimit: 2 };
    expect(queueRetryAllowed(retry, 0, 0)).toBe(true);
    expect(queueRetryAllowed(retry, 1, 0)).toBe(true);
    expect(queueRetryAllowed(retry, 2, 0)).toBe(false);
  });

  it('retries until both limits are reached when both are set', () => {
    const retry = { ...backoff, taskRetryLimit: 2, taskAgeLimitSeconds: 60 };
    expect(queueRetryAllowed(retry, 5, 30)).toBe(true); // age not reached
    expect(queueRetryAllowed(retry, 1, 90)).toBe(true); // count not reached
    expect(queueRetryAllowed(retry, 2, 60)).toBe(false);
  });

  it('does not retry a cron run without retry limits, and honours job limits', () => {
    expect(cronRetryAllowed(backoff, 0, 0)).toBe(false);
    const retry = { ...backoff, jobRetryLimit: 1, jobAgeLimitSeconds: 30 };
    expect(cronRetryAllowed(retry, 0, 0)).toBe(true);
    expect(cronRetryAllowed(retry, 1, 10)).toBe(true);
    expect(cronRetryAllowed(retry, 1, 30)).toBe(false);
  });
});

describe('parseRate / parseDurationSeconds', () => {
  it('converts rates to tasks per second', () => {
    expect(parseRate('5/s')).toBe(5);
    expect(parseRate('30/m')).toBe(0.5);
    expect(parseRate('36/h')).toBeCloseTo(0.01);
    expect(parseRate('8.64/d')).toBeCloseTo(0.0001);
    expect(parseRate('0')).toBe(0);
    expect(() => parseRate('5 per second')).toThrow(GaeConfigError);
  });

  it('converts App Engine time values', () => {
    expect(parseDurationSeconds('30s')).toBe(30);
    expect(parseDurationSeconds('2m')).toBe(120);
    expect(parseDurationSeconds('1.5h')).toBe(5400);
    expect(parseDurationSeconds('2d')).toBe(172800);
    expect(() => parseDurationSeconds('10')).toThrow(GaeConfigError);
  });
});

describe('parseQueueYaml', () => {
  it('reads settings and applies App Engine defaults where unset', () => {
    const [q, bare] = parseQueueYaml(`
queue:
  - name: sync
    target: worker
    rate: 30/m
    bucket_size: 7
    max_concurrent_requests: 3
    retry_parameters:
      task_retry_limit: 4
      task_age_limit: 2h
      min_backoff_seconds: 5
      max_backoff_seconds: 600
      max_doublings: 5
  - name: bare
`);
    expect(q).toEqual({
      name: 'sync',
      target: 'worker',
      ratePerSecond: 0.5,
      bucketSize: 7,
      maxConcurrentRequests: 3,
      retry: {
        taskRetryLimit: 4,
        taskAgeLimitSeconds: 7200,
        minBackoffSeconds: 5,
        maxBackoffSeconds: 600,
        maxDoublings: 5,
      },
    });
    expect(bare).toEqual({
      name: 'bare',
      ratePerSecond: 5,
      bucketSize: 5,
      maxConcurrentRequests: 1000,
      retry: { minBackoffSeconds: 0.1, maxBackoffSeconds: 3600, maxDoublings: 16 },
    });
    expect(bare?.retry.taskRetryLimit).toBeUndefined();
  });

  it('ignores pull queues', () => {
    expect(parseQueueYaml('queue:\n  - name: p\n    mode: pull\n')).toEqual([]);
  });

  it('rejects what App Engine rejects, naming the problem', () => {
    expect(() => parseQueueYaml('queue:\n  - name: "bad name"\n')).toThrow(
      /queue\.name|\[a-zA-Z0-9-\]/,
    );
    expect(() => parseQueueYaml('queue:\n  - name: q\n    rate: fast\n')).toThrow(/rate/);
    expect(() =>
      parseQueueYaml(
        'queue:\n  - name: q\n    retry_parameters:\n      min_backoff_seconds: 10\n      max_backoff_seconds: 1\n',
      ),
    ).toThrow(/min_backoff_seconds/);
    expect(() => parseQueueYaml('queue: [')).toThrow(/not valid YAML/);
  });
});

describe('parseCronYaml', () => {
  it('reads jobs, schedules, targets and retry parameters with Cloud Scheduler defaults', () => {
    const [job, plain] = parseCronYaml(`
cron:
  - description: "poll"
    url: /tasks/poll-google
    schedule: every 1 minutes
    target: default
    retry_parameters:
      job_retry_limit: 2
      job_age_limit: 30s
      min_backoff_seconds: 5
  - url: /tasks/weekly
    schedule: every monday 09:00
    timezone: Europe/Paris
`);
    expect(job).toEqual({
      url: '/tasks/poll-google',
      description: 'poll',
      target: 'default',
      schedule: { kind: 'interval', source: 'every 1 minutes', timezone: 'UTC', everyMinutes: 1 },
      retry: {
        jobRetryLimit: 2,
        jobAgeLimitSeconds: 30,
        minBackoffSeconds: 5,
        maxBackoffSeconds: 3600,
        maxDoublings: 5,
      },
    });
    expect(plain?.schedule).toEqual({
      kind: 'at',
      source: 'every monday 09:00',
      timezone: 'Europe/Paris',
      weekdays: [1],
      at: { hour: 9, minute: 0 },
    });
    expect(plain?.retry).toEqual({
      minBackoffSeconds: 5,
      maxBackoffSeconds: 3600,
      maxDoublings: 5,
    });
  });

  it('rejects a retry limit above 5, a bad timezone and an unsupported schedule', () => {
    expect(() =>
      parseCronYaml(
        'cron:\n  - url: /a\n    schedule: every 1 minutes\n    retry_parameters:\n      job_retry_limit: 6\n',
      ),
    ).toThrow(GaeConfigError);
    expect(() =>
      parseCronYaml(
        'cron:\n  - url: /a\n    schedule: every 1 minutes\n    timezone: Mars/Olympus\n',
      ),
    ).toThrow(/\/a: unknown timezone/);
    expect(() =>
      parseCronYaml('cron:\n  - url: /a\n    schedule: 1st monday of month 09:00\n'),
    ).toThrow(/unsupported schedule/);
  });
});

describe('parseSchedule', () => {
  it.each([
    ['every 1 minutes', { kind: 'interval', everyMinutes: 1 }],
    ['every 5 mins', { kind: 'interval', everyMinutes: 5 }],
    ['every 24 hours', { kind: 'interval', everyMinutes: 1440 }],
    ['every 1 hour', { kind: 'interval', everyMinutes: 60 }],
    [
      'every 2 hours synchronized',
      {
        kind: 'interval',
        everyMinutes: 120,
        window: { from: { hour: 0, minute: 0 }, to: { hour: 23, minute: 59 } },
      },
    ],
    [
      'every 5 minutes from 10:00 to 14:00',
      {
        kind: 'interval',
        everyMinutes: 5,
        window: { from: { hour: 10, minute: 0 }, to: { hour: 14, minute: 0 } },
      },
    ],
    [
      'every day 03:00',
      { kind: 'at', weekdays: [1, 2, 3, 4, 5, 6, 7], at: { hour: 3, minute: 0 } },
    ],
    [
      'every mon, wed,friday 9:30',
      { kind: 'at', weekdays: [1, 3, 5], at: { hour: 9, minute: 30 } },
    ],
  ])('parses "%s"', (text, expected) => {
    expect(parseSchedule(text)).toMatchObject(expected);
  });

  it.each([
    'every',
    'each 5 minutes',
    'every 0 minutes',
    'every 5 seconds',
    'every day 25:00',
    'every funday 10:00',
    'every 5 minutes from 10:00',
  ])('rejects "%s"', (text) => {
    expect(() => parseSchedule(text)).toThrow(GaeConfigError);
  });
});

describe('nextRun', () => {
  it('counts a plain interval from the previous run', () => {
    const s = parseSchedule('every 5 minutes');
    expect(nextRun(s, at('2026-03-01T10:02:30Z'))).toEqual(at('2026-03-01T10:07:30Z'));
    expect(nextRun(parseSchedule('every 24 hours'), at('2026-03-01T10:02:30Z'))).toEqual(
      at('2026-03-02T10:02:30Z'),
    );
  });

  it('aligns a windowed interval on the window start and stays inside it', () => {
    const s = parseSchedule('every 5 minutes from 10:00 to 14:00');
    expect(nextRun(s, at('2026-03-01T10:02:30Z'))).toEqual(at('2026-03-01T10:05:00Z'));
    expect(nextRun(s, at('2026-03-01T10:05:00Z'))).toEqual(at('2026-03-01T10:10:00Z'));
    expect(nextRun(s, at('2026-03-01T13:58:00Z'))).toEqual(at('2026-03-01T14:00:00Z'));
    expect(nextRun(s, at('2026-03-01T14:00:00Z'))).toEqual(at('2026-03-02T10:00:00Z'));
    expect(nextRun(s, at('2026-03-01T06:00:00Z'))).toEqual(at('2026-03-01T10:00:00Z'));
  });

  it('handles a window that wraps midnight', () => {
    const s = parseSchedule('every 60 minutes from 22:00 to 02:00');
    expect(nextRun(s, at('2026-03-01T23:30:00Z'))).toEqual(at('2026-03-02T00:00:00Z'));
    expect(nextRun(s, at('2026-03-02T02:00:00Z'))).toEqual(at('2026-03-02T22:00:00Z'));
  });

  it('runs "every day HH:MM" at that time, strictly after', () => {
    const s = parseSchedule('every day 03:00');
    expect(nextRun(s, at('2026-03-01T02:59:59Z'))).toEqual(at('2026-03-01T03:00:00Z'));
    expect(nextRun(s, at('2026-03-01T03:00:00Z'))).toEqual(at('2026-03-02T03:00:00Z'));
  });

  it('runs on the given weekdays', () => {
    const s = parseSchedule('every monday 09:00');
    // 2026-03-04 is a Wednesday.
    expect(nextRun(s, at('2026-03-04T12:00:00Z'))).toEqual(at('2026-03-09T09:00:00Z'));
    expect(nextRun(s, at('2026-03-09T08:00:00Z'))).toEqual(at('2026-03-09T09:00:00Z'));
  });

  it('uses the IANA timezone, across a DST change', () => {
    const s = parseSchedule('every day 09:00', 'Europe/Paris');
    // Paris is UTC+1 until 2026-03-29, then UTC+2.
    expect(nextRun(s, at('2026-03-28T12:00:00Z'))).toEqual(at('2026-03-29T07:00:00Z'));
    expect(nextRun(s, at('2026-03-27T12:00:00Z'))).toEqual(at('2026-03-28T08:00:00Z'));
  });
});

describe('the App Engine task contract', () => {
  it('maps each SyncTask to its route and JSON body', () => {
    expect(
      taskHttpRequest({ kind: 'sync-google-case', caseName: 'organizations/1/cases/2' }),
    ).toEqual({
      relativeUri: '/tasks/sync-google-case',
      body: { caseName: 'organizations/1/cases/2' },
    });
    expect(taskHttpRequest({ kind: 'sync-company-case', caseId: '10042' })).toEqual({
      relativeUri: '/tasks/sync-company-case',
      body: { caseId: '10042' },
    });
  });

  it('makes valid, spread, distinct task ids from dedup keys', () => {
    const a = taskIdForDedupKey('google:organizations/1/cases/2@2026-03-01T10:00');
    const b = taskIdForDedupKey('google_organizations_1_cases_2_2026-03-01T10_00');
    expect(a).toMatch(/^[0-9a-f]{16}-google_organizations_1_cases_2_2026-03-01T10_00$/);
    expect(b.slice(17)).toBe(a.slice(17)); // same sanitised key…
    expect(a).not.toBe(b); // …distinct ids thanks to the hash prefix
    expect(taskIdForDedupKey('x'.repeat(2000))).toHaveLength(500);
    expect(taskIdForDedupKey('k')).toBe(taskIdForDedupKey('k'));
  });
});
