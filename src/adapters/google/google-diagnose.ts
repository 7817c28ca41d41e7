// SupportCases.diagnose() on the Cloud Support API v2 (`npm run doctor`), read-only: which
// identity the credentials are, a search under SUPPORT_PARENT, the classification in
// caseClassifications:search, whether the identity may create cases under
// SUPPORT_CASE_PARENT (Cloud Resource Manager testIamPermissions, which writes nothing),
// and SUPPORT_TEST_CASES. Raw Google shapes stay in this folder.
import { z } from 'zod';
import type { cloudsupport_v2, GlobalOptions } from 'googleapis/build/src/apis/cloudsupport';
import { checkOf, type Check } from '../../domain/checks';
import { SyncError } from '../../domain/errors';
import type { SyncSettings } from '../../domain/settings';
import type { GoogleCaller } from './google-call';

export interface GoogleDiagnoseDeps {
  readonly api: cloudsupport_v2.Cloudsupport;
  /** The client options (auth, root URL, fetch) for the Resource Manager client. */
  readonly global: GlobalOptions;
  readonly caller: GoogleCaller;
  readonly identity: () => Promise<string | undefined>;
}

const CREATE = 'cloudsupport.techCases.create';
const LIST = 'cloudsupport.techCases.list';
const EDITOR = 'roles/cloudsupport.techSupportEditor';
const MAX_PAGES = 20;

const searchSchema = z.object({ cases: z.array(z.unknown()).optional() });
const classificationsSchema = z.object({
  caseClassifications: z
    .array(z.object({ id: z.string().optional(), displayName: z.string().optional() }))
    .optional(),
  nextPageToken: z.string().optional(),
});
const permissionsSchema = z.object({ permissions: z.array(z.string()).optional() });

/** The HTTP status (or a network reason) of a failed call, for a check's detail. */
function answer(e: unknown): string {
  if (e instanceof SyncError && e.status !== undefined) return `HTTP ${e.status}`;
  return e instanceof Error ? e.message : 'unknown error';
}

/** `gcloud organizations …` or `gcloud projects …` for a parent. */
function grantCommand(parent: string, member: string, role: string): string {
  const [kind, id] = parent.split('/');
  const group = kind === 'projects' ? 'projects' : 'organizations';
  return `gcloud ${group} add-iam-policy-binding ${id ?? ''} --member=serviceAccount:${member} --role=${role}`;
}

export async function diagnoseGoogle(
  deps: GoogleDiagnoseDeps,
  settings: SyncSettings,
): Promise<Check[]> {
  const out: Check[] = [];
  const emulator = deps.global.auth === undefined;
  const creds = checkOf('google', 'google.credentials', 'credentials');
  let email: string | undefined;
  try {
    email = await deps.identity();
    if (email === undefined) {
      out.push(
        creds.warn(
          'credentials found, but without a service account email (user credentials?)',
          'run the doctor as the service account the connector uses (on App Engine: the app’s)',
        ),
      );
    } else {
      out.push(
        creds.ok(`${email} (${emulator ? 'the simulator’s connector identity' : 'from ADC'})`),
      );
    }
  } catch {
    out.push(
      creds.fail(
        'no Application Default Credentials found',
        'on App Engine the app’s service account is used; elsewhere run `gcloud auth application-default login` or set GOOGLE_APPLICATION_CREDENTIALS to a key of the connector’s service account',
      ),
    );
    return out;
  }
  const who = email ?? 'the caller';
  const member = email ?? 'SERVICE_ACCOUNT_EMAIL';

  out.push(await readParent(deps, settings.supportParent, who, member));
  out.push(await classification(deps, settings.supportClassificationId));
  out.push(await mayCreate(deps, settings.supportCaseParent, who, member));
  const test = checkOf('google', 'google.test-cases', 'test cases');
  out.push(
    settings.supportTestCases
      ? test.warn(
          'SUPPORT_TEST_CASES=true: cases opened from Jira are test cases, which Google does not work on',
          'set SUPPORT_TEST_CASES=false for go-live',
        )
      : test.ok('SUPPORT_TEST_CASES=false: cases opened from Jira are real cases'),
  );
  return out;
}

async function readParent(
  deps: GoogleDiagnoseDeps,
  parent: string,
  who: string,
  member: string,
): Promise<Check> {
  const c = checkOf('google', 'google.parent', 'SUPPORT_PARENT');
  try {
    const page = await deps.caller.json('cases.search', searchSchema, ({ opts }) =>
      deps.api.cases.search({ parent, pageSize: 1 }, opts),
    );
    return c.ok(`${parent}: search works (${(page.cases ?? []).length > 0 ? 'has' : 'no'} cases)`);
  } catch (e) {
    const status = e instanceof SyncError ? e.status : undefined;
    if (status === 401)
      return c.fail(
        `${parent}: the credentials were rejected (401)`,
        'check the credentials (CLOUDSUPPORT_EMULATOR_TOKEN for a simulator, ADC otherwise)',
      );
    if (status === 403)
      return c.fail(
        `${who} may not read cases under ${parent} (403 PERMISSION_DENIED)`,
        `grant ${EDITOR} (or roles/cloudsupport.techSupportViewer to read only) on ${parent}: ${grantCommand(parent, member, EDITOR)}`,
      );
    if (status === 404)
      return c.fail(
        `${parent} does not exist (404)`,
        'set SUPPORT_PARENT to organizations/ID or projects/ID of the account with the support plan',
      );
    return c.fail(
      `${parent}: search failed (${answer(e)})`,
      'check the network path to cloudsupport.googleapis.com and that the Cloud Support API is enabled',
    );
  }
}

async function classification(deps: GoogleDiagnoseDeps, id: string | null): Promise<Check> {
  const c = checkOf('google', 'google.classification', 'classification');
  if (id === null)
    return c.warn(
      'SUPPORT_CLASSIFICATION_ID unset: tickets opened in Jira do not open Google cases',
      'set SUPPORT_CLASSIFICATION_ID to an id from caseClassifications:search to turn that direction on',
    );
  const seen: { id: string; name: string }[] = [];
  try {
    let pageToken: string | undefined;
    for (let i = 0; i < MAX_PAGES; i++) {
      const page = await deps.caller.json(
        'caseClassifications.search',
        classificationsSchema,
        ({ opts }) => deps.api.caseClassifications.search({ pageSize: 100, pageToken }, opts),
      );
      for (const k of page.caseClassifications ?? [])
        if (k.id !== undefined) seen.push({ id: k.id, name: k.displayName ?? '' });
      pageToken = page.nextPageToken || undefined;
      if (pageToken === undefined) break;
    }
  } catch (e) {
    return c.fail(
      `caseClassifications:search failed (${answer(e)})`,
      'fix the credentials first (see above)',
    );
  }
  const found = seen.find((k) => k.id === id);
  if (found) return c.ok(`${id} "${found.name}"`);
  const some = seen.slice(0, 5).map((k) => `${k.id} (${k.name})`);
  return c.fail(
    `"${id}" is not a classification of caseClassifications:search`,
    `set SUPPORT_CLASSIFICATION_ID to one of: ${some.join(', ')}${seen.length > 5 ? ', …' : ''}`,
  );
}

async function mayCreate(
  deps: GoogleDiagnoseDeps,
  parent: string,
  who: string,
  member: string,
): Promise<Check> {
  const c = checkOf('google', 'google.create', 'may create cases');
  let granted: readonly string[];
  try {
    const { cloudresourcemanager_v3 } =
      await import('googleapis/build/src/apis/cloudresourcemanager');
    const rm = new cloudresourcemanager_v3.Cloudresourcemanager(deps.global);
    const params = { resource: parent, requestBody: { permissions: [CREATE, LIST] } };
    const res = await deps.caller.json('testIamPermissions', permissionsSchema, ({ opts }) =>
      parent.startsWith('projects/')
        ? rm.projects.testIamPermissions(params, opts)
        : rm.organizations.testIamPermissions(params, opts),
    );
    granted = res.permissions ?? [];
  } catch (e) {
    return c.warn(
      `not checked: testIamPermissions on ${parent} failed (${answer(e)})`,
      'enable the Cloud Resource Manager API (cloudresourcemanager.googleapis.com) for the doctor to check this',
    );
  }
  if (granted.includes(CREATE)) return c.ok(`${who} holds ${CREATE} on ${parent}`);
  return c.fail(
    `${who} lacks ${CREATE} on ${parent}: cases opened in Jira would fail with 403`,
    `grant the ${parent.startsWith('projects/') ? 'project' : 'organization'}-level role ${EDITOR} (Tech Support Editor; Viewer can only read): ${grantCommand(parent, member, EDITOR)}`,
  );
}
