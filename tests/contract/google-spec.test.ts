// Every request the GoogleSupportCases adapter sends, and every answer the simulator
// gives, checked against the official Cloud Support v2 description (OpenAPI form).
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { googleSupportCasesForEmulator } from '../../src/adapters/google/google-support-cases';
import type { Exchange } from '../../src/sandbox/exchange';
import { startGoogleSimulator, type GoogleSimulator } from '../../src/sandbox/google';
import { checkExchange, SPEC_FILES, specsDir } from '../support/openapi-check';
import { DEFAULT_SETTINGS } from '../support/task-deps';

const dir = specsDir();
const maybe = dir ? describe : describe.skip;
if (!dir) {
  console.log(
    'google-spec: API descriptions not found (set API_SPECS_DIR); skipping the spec checks',
  );
}

const ORG = 'organizations/4242';

maybe('Cloud Support traffic matches the official API description', () => {
  const specPath = path.join(dir ?? '', SPEC_FILES.cloudSupport);
  let sim: GoogleSimulator;
  let exchanges: Exchange[];

  beforeEach(async () => {
    exchanges = [];
    sim = await startGoogleSimulator({
      defaultParent: ORG,
      onExchange: (ex) => exchanges.push(ex),
    });
  });
  afterEach(() => sim.close());

  function problems(): string[] {
    return exchanges.flatMap((ex) => checkExchange(specPath, ex));
  }

  it('checks every port method, success and error answers alike', async () => {
    // Injected 429s are checked one by one here: no budget pausing after them.
    const cases = googleSupportCasesForEmulator(sim.host, sim.token, { budget: false });
    const seeded = sim.createCase({ displayName: 'From console', description: 'help' });
    sim.addComment(seeded.name, { body: 'Google here' });
    sim.addAttachment(seeded.name, {
      filename: 'trace.txt',
      mimeType: 'text/plain',
      content: Buffer.from('trace'),
    });

    const created = await cases.create({
      parent: ORG,
      displayName: 'From Jira',
      description: 'CONTENT MIRRORED FROM COMPANY CASE SUP-1:\nbody',
      priority: 2,
      classificationId: 'cls-1',
      testCase: true,
    });
    await cases.searchUpdated(ORG, new Date(0));
    await cases.findByDescriptionPrefix(
      ORG,
      'CONTENT MIRRORED FROM COMPANY CASE SUP-1:',
      new Date(0),
    );
    await cases.get(created.name);
    await cases.get(`${ORG}/cases/1`);
    await cases.setPriority(created.name, 0);
    await cases.addComment(created.name, 'from the connector');
    await cases.listComments(seeded.name);
    await cases.listComments(seeded.name, new Date(0));
    await expect(cases.addComment(created.name, 'x'.repeat(12_801))).rejects.toThrow();
    const att = await cases.upload(created.name, {
      filename: 'résumé 日本.txt',
      mimeType: 'text/plain',
      sizeBytes: 5,
      content: Readable.from([Buffer.from('hello')]),
    });
    await cases.listAttachments(created.name);
    const down = await cases.download(created.name, att.id);
    for await (const _ of down) {
      /* drain */
    }
    // Beyond the adapters' 20 s retry budget: the 429 reaches the caller at once.
    sim.faults.add({ status: 429, retryAfterSeconds: 3600, count: 1 });
    await expect(cases.searchUpdated(ORG, new Date(0))).rejects.toThrow();
    await cases.close(created.name);
    await cases.close(created.name);

    const routes = new Set(exchanges.map((ex) => `${ex.method} ${ex.status}`));
    expect(routes.has('POST 200')).toBe(true);
    expect(exchanges.map((ex) => ex.status)).toEqual(expect.arrayContaining([200, 400, 404, 429]));
    expect(exchanges.some((ex) => ex.path.startsWith('/upload/v2/'))).toBe(true);
    expect(exchanges.some((ex) => ex.path.endsWith(':download'))).toBe(true);
    // the adapter asks for gzip and decodes it (the simulator compresses JSON like Google)
    expect(
      exchanges.find((ex) => ex.responseJson !== undefined)?.responseHeaders['content-encoding'],
    ).toBe('gzip');
    expect(problems()).toEqual([]);
  });

  it('diagnose (npm run doctor): classification search and error answers', async () => {
    const settings = {
      ...DEFAULT_SETTINGS,
      supportParent: ORG,
      supportCaseParent: ORG,
      supportClassificationId: '100H41Q3DTMN0TBKCKD0SGRVNO3MK6KL5P4M2R1N3Q3G6P2QRAPE',
    };
    const checks = await googleSupportCasesForEmulator(sim.host, sim.token).diagnose(settings);
    expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
    await googleSupportCasesForEmulator(sim.host, 'wrong').diagnose(settings);
    const v2 = exchanges.filter((ex) => ex.path.startsWith('/v2/'));
    expect(new Set(v2.map((ex) => `${ex.method} ${ex.path} ${ex.status}`))).toEqual(
      new Set([
        `GET /v2/${ORG}/cases:search 200`,
        `GET /v2/${ORG}/cases:search 401`,
        'GET /v2/caseClassifications:search 200',
        'GET /v2/caseClassifications:search 401',
      ]),
    );
    // testIamPermissions is Cloud Resource Manager's (/v3/), not in this description.
    expect(v2.flatMap((ex) => checkExchange(specPath, ex))).toEqual([]);
  });

  it('flags traffic that breaks the description (the check has teeth)', () => {
    const bad: Exchange = {
      method: 'GET',
      path: `/v2/${ORG}/cases:search`,
      query: { pageSize: 'many' },
      headers: {},
      status: 200,
      responseHeaders: { 'content-type': 'application/json' },
      responseJson: { cases: [{ name: 1 }] },
    };
    expect(checkExchange(specPath, bad).length).toBeGreaterThan(0);
  });
});
