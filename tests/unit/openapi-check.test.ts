import * as path from 'node:path';
import type { Exchange } from '../../src/sandbox/exchange';
import { checkExchange, preloadSpec, SPEC_FILES, specsDir } from '../support/openapi-check';

const dir = specsDir();
if (dir === null) {
  console.warn(
    'openapi-check tests skipped: no API descriptions (set API_SPECS_DIR to the specs folder)',
  );
}
const describeWithSpecs = dir === null ? describe.skip : describe;

function exchange(
  partial: Partial<Exchange> & Pick<Exchange, 'method' | 'path' | 'status'>,
): Exchange {
  return { query: {}, headers: {}, responseHeaders: {}, ...partial };
}

const json = { 'content-type': 'application/json; charset=UTF-8' };

function googleCase(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'projects/acme-prod/cases/43595344',
    displayName: 'Disk latency on prod cluster',
    description: 'p99 write latency above 2 s since 09:00',
    classification: { id: '100H41Q3DTMN0TBKCKD0SGRVNO', displayName: 'Compute Engine > VM' },
    timeZone: 'Europe/Paris',
    priority: 'P2',
    state: 'IN_PROGRESS_GOOGLE_SUPPORT',
    createTime: '2026-11-30T10:00:00.123456Z',
    updateTime: '2026-11-30T11:30:00Z',
    creator: { displayName: 'Ops Bot', googleSupport: false, username: 'ops@acme.example' },
    escalated: false,
    testCase: false,
    languageCode: 'en-US',
    ...overrides,
  };
}

function jiraComment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: '10010',
    self: 'https://acme.atlassian.net/rest/api/3/issue/10001/comment/10010',
    author: {
      accountId: '5b10ac8d82e05b22cc7d4ef5',
      accountType: 'atlassian',
      active: true,
      displayName: 'Sync Bot',
      avatarUrls: { '48x48': 'https://avatar-management.example/48.png' },
      self: 'https://acme.atlassian.net/rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef5',
      timeZone: 'Europe/Paris',
    },
    body: {
      type: 'doc',
      version: 1,
      content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hello' }] }],
    },
    created: '2026-11-30T10:00:00.000+0000',
    updated: '2026-11-30T10:00:00.000+0000',
    jsdPublic: true,
    ...overrides,
  };
}

describeWithSpecs('checkExchange', () => {
  const specsFolder = dir ?? '';
  const csapi = path.join(specsFolder, SPEC_FILES.cloudSupport);
  const jira = path.join(specsFolder, SPEC_FILES.jiraPlatform);
  const jsm = path.join(specsFolder, SPEC_FILES.jiraServiceDesk);
  const loadMs: Record<string, number> = {};

  beforeAll(() => {
    for (const file of [csapi, jira, jsm]) loadMs[path.basename(file)] = preloadSpec(file);
  });

  describe('Cloud Support API v2', () => {
    it('passes a valid cases.search exchange', () => {
      const problems = checkExchange(
        csapi,
        exchange({
          method: 'GET',
          path: '/v2/projects/acme-prod/cases:search',
          query: { query: 'state=OPEN', pageSize: '50', pageToken: 'abc' },
          status: 200,
          responseHeaders: json,
          responseJson: {
            cases: [googleCase(), googleCase({ name: 'projects/acme-prod/cases/2' })],
            nextPageToken: 'n2',
          },
        }),
      );
      expect(problems).toEqual([]);
    });

    it('reports a case whose priority is a number', () => {
      const problems = checkExchange(
        csapi,
        exchange({
          method: 'GET',
          path: '/v2/projects/acme-prod/cases:search',
          status: 200,
          responseHeaders: json,
          responseJson: { cases: [googleCase({ priority: 2 })] },
        }),
      );
      expect(problems.length).toBeGreaterThan(0);
      for (const problem of problems) {
        expect(problem).toContain(
          'cloudsupport.cases.search (GET /v2/{v2Id}/{v2Id1}/cases:search): response 200 body at /cases/0/priority',
        );
      }
      expect(problems.some((p) => p.endsWith('must be string'))).toBe(true);
    });

    it('reports an unknown priority value and lists the allowed ones', () => {
      const problems = checkExchange(
        csapi,
        exchange({
          method: 'GET',
          path: '/v2/organizations/123/cases/456',
          status: 200,
          responseJson: googleCase({ priority: 'URGENT' }),
        }),
      );
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('cloudsupport.cases.get');
      expect(problems[0]).toContain('"P4"');
    });

    it('reports an unknown path', () => {
      const problems = checkExchange(
        csapi,
        exchange({
          method: 'GET',
          path: '/v2/projects/acme-prod/widgets',
          status: 200,
          responseJson: {},
        }),
      );
      expect(problems).toHaveLength(1);
      expect(problems[0]).toContain('unknown path');
    });

    it('matches the colon-suffixed :close path to cases.close', () => {
      const close = (responseJson: unknown): string[] =>
        checkExchange(
          csapi,
          exchange({
            method: 'POST',
            path: '/v2/projects/acme-prod/cases/43595344:close',
            headers: { 'Content-Type': 'application/json' },
            requestJson: {},
            status: 200,
            responseHeaders: json,
            responseJson,
          }),
        );
      expect(close(googleCase({ state: 'CLOSED' }))).toEqual([]);
      const bad = close(googleCase({ state: 'DONE' }));
      expect(bad).toHaveLength(1);
      expect(bad[0]).toContain(
        'cloudsupport.cases.close (POST /v2/{v2Id}/{v2Id1}/cases/{casesId}:close)',
      );
      // ':close' is a custom method, not part of the case id: PATCH there is not cases.patch
      const patch = checkExchange(
        csapi,
        exchange({
          method: 'PATCH',
          path: '/v2/projects/acme-prod/cases/43595344:close',
          status: 200,
        }),
      );
      expect(patch).toHaveLength(1);
      expect(patch[0]).toContain('PATCH is not declared');
    });

    it('checks query parameters: types, unknown names, required ones', () => {
      const problems = checkExchange(
        csapi,
        exchange({
          method: 'GET',
          path: '/v2/projects/acme-prod/cases/1/attachments/a1:download',
          query: { prettyPrint: 'sometimes', colour: 'blue' },
          status: 200,
          responseHeaders: { 'content-type': 'application/octet-stream' },
        }),
      );
      expect(problems).toHaveLength(3);
      expect(
        problems.some(
          (p) => p.includes("parameter 'prettyPrint'") && p.includes('must be boolean'),
        ),
      ).toBe(true);
      expect(
        problems.some((p) => p.includes("parameter 'colour'") && p.includes('not declared')),
      ).toBe(true);
      expect(
        problems.some((p) => p.includes("parameter 'alt'") && p.includes('required but missing')),
      ).toBe(true);
    });

    it('accepts a binary download and a multipart upload without reading their bodies', () => {
      const download = checkExchange(
        csapi,
        exchange({
          method: 'GET',
          path: '/v2/projects/acme-prod/cases/1/attachments/a1:download',
          query: { alt: 'media' },
          status: 200,
          responseHeaders: { 'content-type': 'application/octet-stream' },
        }),
      );
      expect(download).toEqual([]);
      const upload = checkExchange(
        csapi,
        exchange({
          method: 'POST',
          path: '/upload/v2/projects/acme-prod/cases/1/attachments',
          query: { uploadType: 'multipart' },
          headers: { 'content-type': 'multipart/related; boundary=xyz' },
          status: 200,
          responseHeaders: json,
          responseJson: {
            attachment: { name: 'projects/acme-prod/cases/1/attachments/a1', filename: 'log.txt' },
          },
        }),
      );
      expect(upload).toEqual([]);
    });

    it('checks Google error envelopes against the default response', () => {
      const ok = checkExchange(
        csapi,
        exchange({
          method: 'GET',
          path: '/v2/projects/acme-prod/cases/999',
          status: 404,
          responseJson: { error: { code: 404, message: 'not found', status: 'NOT_FOUND' } },
        }),
      );
      expect(ok).toEqual([]);
      const bad = checkExchange(
        csapi,
        exchange({
          method: 'GET',
          path: '/v2/projects/acme-prod/cases/999',
          status: 404,
          responseJson: { error: { code: '404' } },
        }),
      );
      expect(bad).toEqual([expect.stringContaining('/error/code: must be integer')]);
      const missing = checkExchange(
        csapi,
        exchange({ method: 'GET', path: '/v2/projects/acme-prod/cases/999', status: 404 }),
      );
      expect(missing).toEqual([
        expect.stringContaining('missing: the spec declares application/json'),
      ]);
    });
  });

  describe('Jira Cloud platform v3', () => {
    it('passes a valid comment create (request and response)', () => {
      const problems = checkExchange(
        jira,
        exchange({
          method: 'POST',
          path: '/rest/api/3/issue/SUP-12/comment',
          headers: { 'Content-Type': 'application/json', Authorization: 'Basic eDp5' },
          requestJson: {
            body: {
              type: 'doc',
              version: 1,
              content: [{ type: 'paragraph', content: [{ type: 'text', text: 'hi' }] }],
            },
            visibility: { type: 'role', value: 'Administrators', identifier: null },
          },
          status: 201,
          responseHeaders: json,
          responseJson: jiraComment(),
        }),
      );
      expect(problems).toEqual([]);
    });

    it('reports a request missing a required field', () => {
      const problems = checkExchange(
        jira,
        exchange({
          method: 'POST',
          path: '/rest/api/3/issue/SUP-12/remotelink',
          headers: { 'content-type': 'application/json' },
          requestJson: { globalId: 'gcs:projects/acme-prod/cases/1', relationship: 'Google case' },
          status: 201,
          responseJson: {
            id: 10000,
            self: 'https://acme.atlassian.net/rest/api/3/issue/SUP-12/remotelink/10000',
          },
        }),
      );
      expect(problems).toEqual([
        expect.stringMatching(
          /^createOrUpdateRemoteIssueLink .*request body: must have required property 'object'$/,
        ),
      ]);
    });

    it('reports an unknown enum value and wrong types, but accepts Jira date-times', () => {
      const problems = checkExchange(
        jira,
        exchange({
          method: 'POST',
          path: '/rest/api/3/issue/10001/comment',
          requestJson: { body: 'x', visibility: { type: 'team', value: 'x' } },
          status: 201,
          responseJson: jiraComment({ created: 1764496800000, author: { accountId: 7 } }),
        }),
      );
      expect(problems).toHaveLength(3);
      expect(
        problems.some(
          (p) => p.includes('request body at /visibility/type') && p.includes('"role"'),
        ),
      ).toBe(true);
      expect(
        problems.some((p) => p.includes('response 201 body at /created: must be string')),
      ).toBe(true);
      expect(
        problems.some((p) => p.includes('response 201 body at /author/accountId: must be string')),
      ).toBe(true);
    });

    it('follows the spec on additional properties', () => {
      // Comment allows extra fields; UserDetails does not.
      expect(
        checkExchange(
          jira,
          exchange({
            method: 'GET',
            path: '/rest/api/3/issue/SUP-1/comment/10010',
            status: 200,
            responseJson: jiraComment({ extra: 1 }),
          }),
        ),
      ).toEqual([]);
      const problems = checkExchange(
        jira,
        exchange({
          method: 'GET',
          path: '/rest/api/3/issue/SUP-1/comment/10010',
          status: 200,
          responseJson: jiraComment({ author: { accountId: 'a', nickname: 'b' } }),
        }),
      );
      expect(problems).toEqual([
        expect.stringContaining("/author: must NOT have additional properties: 'nickname'"),
      ]);
    });

    it('reports an undeclared status and an undeclared method', () => {
      const teapot = checkExchange(
        jira,
        exchange({
          method: 'POST',
          path: '/rest/api/3/issue/SUP-1/transitions',
          requestJson: { transition: { id: '31' } },
          status: 418,
        }),
      );
      expect(teapot).toEqual([expect.stringContaining('response 418: status not declared')]);
      const transitioned = checkExchange(
        jira,
        exchange({
          method: 'POST',
          path: '/rest/api/3/issue/SUP-1/transitions',
          requestJson: { transition: { id: '31' } },
          status: 204,
        }),
      );
      expect(transitioned).toEqual([]);
      const wrongMethod = checkExchange(
        jira,
        exchange({ method: 'PATCH', path: '/rest/api/3/issue/SUP-1/comment', status: 200 }),
      );
      expect(wrongMethod).toEqual([
        expect.stringContaining('PATCH is not declared there (declared: GET, POST)'),
      ]);
    });

    it('skips multipart attachment bodies but keeps checking the route and the response', () => {
      const upload = (responseJson: unknown): string[] =>
        checkExchange(
          jira,
          exchange({
            method: 'POST',
            path: '/rest/api/3/issue/SUP-1/attachments',
            headers: {
              'content-type': 'multipart/form-data; boundary=----x',
              'X-Atlassian-Token': 'no-check',
            },
            status: 200,
            responseJson,
          }),
        );
      expect(
        upload([
          {
            id: '10100',
            filename: 'log.txt',
            size: 1200,
            mimeType: 'text/plain',
            created: '2026-11-30T10:00:00.000+0000',
          },
        ]),
      ).toEqual([]);
      expect(upload([{ id: '10100', size: '1200' }])).toEqual([
        expect.stringContaining('/0/size: must be integer'),
      ]);
    });
  });

  describe('Jira Service Management', () => {
    it('checks a request comment against the JSM spec', () => {
      const ok = checkExchange(
        jsm,
        exchange({
          method: 'POST',
          path: '/rest/servicedeskapi/request/SUP-12/comment',
          requestJson: { body: 'Update from Google support', public: false },
          status: 201,
          responseJson: {
            id: '1000',
            body: 'Update from Google support',
            public: false,
            created: {
              epochMillis: 1764496800000,
              iso8601: '2026-11-30T10:00:00+0000',
              jira: '2026-11-30T10:00:00.000+0000',
            },
            _links: {
              self: 'https://acme.atlassian.net/rest/servicedeskapi/request/10001/comment/1000',
            },
          },
        }),
      );
      expect(ok).toEqual([]);
      const bad = checkExchange(
        jsm,
        exchange({
          method: 'POST',
          path: '/rest/servicedeskapi/request/SUP-12/comment',
          requestJson: { body: 'x', public: 'no', internal: true },
          status: 201,
          responseJson: { id: '1000' },
        }),
      );
      expect(bad).toHaveLength(2);
      expect(bad.some((p) => p.includes('/public: must be boolean'))).toBe(true);
      expect(bad.some((p) => p.includes("additional properties: 'internal'"))).toBe(true);
    });
  });

  it('loads each spec once (the Jira platform one in a few seconds at most)', () => {
    expect(loadMs[SPEC_FILES.jiraPlatform]).toBeGreaterThan(0);
    expect(loadMs[SPEC_FILES.jiraPlatform]).toBeLessThan(5000);
    expect(preloadSpec(jira)).toBe(0);
  });
});
