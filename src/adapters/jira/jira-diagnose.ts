// Crm.diagnose() on Jira Cloud (`npm run doctor`), read-only: who the API user is, the
// project and issue type, every priority name of JIRA_PRIORITY_MAP, a transition into the
// done category (read from an open ticket of the project), the Google case field, the sync
// JQL (parsed and counted by /search/approximate-count), the site's upload limit and the
// comment visibility the project offers. Raw Jira shapes stay in this folder.
import { z } from 'zod';
import { checkOf, type Check } from '../../domain/checks';
import { SyncError } from '../../domain/errors';
import type { SyncSettings } from '../../domain/settings';
import { PRIORITIES } from '../../domain/types';
import type { JiraClient } from './jira-client';
import type { JiraCrmOptions } from './jira-options';
import { jqlString } from './jira-mapping';
import { attachmentMetaSchema, transitionsSchema } from './jira-schemas';

/** The adapter's options, with its defaults applied. */
export type JiraDiagnoseOptions = JiraCrmOptions &
  Required<Pick<JiraCrmOptions, 'issueType' | 'syncJql' | 'priorityNames'>>;

const myselfSchema = z.object({
  accountId: z.string(),
  displayName: z.string().optional(),
  emailAddress: z.string().optional(),
});
const projectSchema = z.object({
  key: z.string(),
  projectTypeKey: z.string().optional(),
  issueTypes: z.array(z.object({ name: z.string() })).optional(),
});
const prioritiesSchema = z.object({
  values: z.array(z.object({ name: z.string() })),
  isLast: z.boolean().optional(),
});
const openIssueSchema = z.object({
  issues: z.array(
    z.object({
      key: z.string(),
      fields: z.object({ status: z.object({ name: z.string() }).optional() }).passthrough(),
    }),
  ),
});
const fieldsSchema = z.array(
  z.object({
    id: z.string(),
    name: z.string(),
    schema: z.object({ type: z.string(), custom: z.string().optional() }).optional(),
  }),
);
const countSchema = z.object({ count: z.number() });
const TEXT_FIELDS = new Set([
  'com.atlassian.jira.plugin.system.customfieldtypes:textfield',
  'com.atlassian.jira.plugin.system.customfieldtypes:textarea',
]);

const statusOf = (e: unknown): number | undefined =>
  e instanceof SyncError ? e.status : undefined;
const answer = (e: unknown): string =>
  statusOf(e) !== undefined ? `HTTP ${String(statusOf(e))}` : (e as Error).message;
/** Jira's own words for a refused request (`errorMessages`), e.g. a JQL syntax error. */
function jiraMessages(e: unknown): string | undefined {
  const body = (e as { response?: unknown } | null)?.response;
  const msgs = (body as { errorMessages?: unknown } | undefined)?.errorMessages;
  return Array.isArray(msgs) && msgs.length > 0 ? msgs.map(String).join(' ') : undefined;
}
const list = (names: readonly string[]): string =>
  names.length > 8 ? `${names.slice(0, 8).join(', ')}, …` : names.join(', ');

export async function diagnoseJira(
  jira: JiraClient,
  o: JiraDiagnoseOptions,
  settings: SyncSettings,
): Promise<Check[]> {
  const auth = checkOf('crm', 'crm.auth', 'auth');
  try {
    const me = await jira.call('GET myself', myselfSchema, () =>
      jira.api.myself.getCurrentUser<unknown>({}),
    );
    const name = me.displayName ?? me.accountId;
    const out = [auth.ok(`as ${name} <${me.emailAddress ?? o.email}> on ${jira.baseUrl}`)];
    return out.concat(await afterAuth(jira, o, settings));
  } catch (e) {
    const later = ['project', 'issue type', 'priority names', 'done transition', 'case field'];
    const rest = [...later, 'sync JQL', 'upload limit', 'comment visibility'].map((t) =>
      checkOf('crm', `crm.${t.replace(/ /g, '-')}`, t).skipped('not checked: auth failed'),
    );
    const status = statusOf(e);
    const fail =
      status === 401 || status === 403
        ? auth.fail(
            `Jira rejected JIRA_EMAIL ${o.email} with its API token (${status})`,
            `create an API token for ${o.email} at https://id.atlassian.com/manage-profile/security/api-tokens and set JIRA_API_TOKEN (or the secret JIRA_API_TOKEN_SECRET names)`,
          )
        : auth.fail(
            `${jira.baseUrl} did not answer /myself (${answer(e)})`,
            'check JIRA_BASE_URL (https://SITE.atlassian.net) and the network path to it',
          );
    return [fail, ...rest];
  }
}

async function afterAuth(
  jira: JiraClient,
  o: JiraDiagnoseOptions,
  settings: SyncSettings,
): Promise<Check[]> {
  const out: Check[] = [];
  const project = checkOf('crm', 'crm.project', 'project');
  const issueType = checkOf('crm', 'crm.issue-type', 'issue type');
  const visibility = checkOf('crm', 'crm.comment-visibility', 'comment visibility');
  let type: string | undefined;
  try {
    const p = await jira.call('GET project', projectSchema, () =>
      jira.api.projects.getProject<unknown>({ projectIdOrKey: o.projectKey, expand: 'issueTypes' }),
    );
    type = p.projectTypeKey;
    out.push(project.ok(`${p.key} (${type ?? 'unknown type'})`));
    const types = (p.issueTypes ?? []).map((t) => t.name);
    out.push(
      types.includes(o.issueType)
        ? issueType.ok(o.issueType)
        : issueType.fail(
            `"${o.issueType}" is not an issue type of ${o.projectKey}`,
            `set JIRA_ISSUE_TYPE to one of: ${list(types)}`,
          ),
    );
  } catch (e) {
    out.push(
      project.fail(
        `${o.projectKey} was not found or is not visible to ${o.email} (${answer(e)})`,
        'set JIRA_PROJECT_KEY to a project the account can browse (Browse Projects permission)',
      ),
      issueType.skipped('not checked: no project'),
    );
  }
  out.push(await priorities(jira, o));
  out.push(
    type === undefined
      ? checkOf('crm', 'crm.done-transition', 'done transition').skipped('not checked: no project')
      : await doneTransition(jira, o),
  );
  out.push(await caseField(jira, o));
  out.push(await syncJql(jira, o));
  out.push(await uploadLimit(jira));
  if (type === undefined) out.push(visibility.skipped('not checked: no project'));
  else if (type === 'service_desk')
    out.push(
      visibility.ok(
        `JSM project: internal and public comments (Google comments arrive ${settings.googleCommentsVisibility}, JIRA_COMMENTS_TO_GOOGLE=${settings.commentsToGoogle})`,
      ),
    );
  else
    out.push(
      visibility.warn(
        `${o.projectKey} is a ${type} project: comments have no internal/public visibility, so Google comments are visible to everyone who sees the ticket`,
        'use a Jira Service Management project to keep mirrored comments internal',
      ),
    );
  return out;
}

async function priorities(jira: JiraClient, o: JiraDiagnoseOptions): Promise<Check> {
  const c = checkOf('crm', 'crm.priority-names', 'priority names');
  const names: string[] = [];
  try {
    for (let startAt = 0; startAt < 1000; startAt += 100) {
      const page = await jira.call('GET priority/search', prioritiesSchema, () =>
        jira.api.issuePriorities.searchPriorities<unknown>({ startAt, maxResults: 100 }),
      );
      names.push(...page.values.map((p) => p.name));
      if (page.isLast !== false || page.values.length === 0) break;
    }
  } catch (e) {
    return c.fail(`priorities not readable (${answer(e)})`, 'check the account’s permissions');
  }
  const missing = PRIORITIES.filter((p) => !names.includes(o.priorityNames[p]));
  if (missing.length === 0)
    return c.ok(PRIORITIES.map((p) => `P${p}=${o.priorityNames[p]}`).join(', '));
  const which = missing.map((p) => `"${o.priorityNames[p]}" (P${p})`).join(', ');
  return c.fail(
    `${which} ${missing.length === 1 ? 'is not a priority' : 'are not priorities'} of this site`,
    `set JIRA_PRIORITY_MAP to names from: ${list(names)}`,
  );
}

async function doneTransition(jira: JiraClient, o: JiraDiagnoseOptions): Promise<Check> {
  const c = checkOf('crm', 'crm.done-transition', 'done transition');
  const jql = `project = ${jqlString(o.projectKey)} AND issuetype = ${jqlString(o.issueType)} AND statusCategory != Done ORDER BY updated DESC`;
  try {
    const { issues } = await jira.call('POST search/jql', openIssueSchema, () =>
      jira.api.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost<unknown>({
        jql,
        maxResults: 1,
        fields: ['status'],
      }),
    );
    const issue = issues[0];
    if (issue === undefined)
      return c.warn(
        `not checked: no open ${o.issueType} in ${o.projectKey} to read the workflow's transitions from`,
        'open one ticket there and run the doctor again',
      );
    const { transitions } = await jira.call('GET transitions', transitionsSchema, () =>
      jira.api.issues.getTransitions<unknown>({ issueIdOrKey: issue.key }),
    );
    const wanted = o.doneTransition?.toLowerCase();
    const t =
      wanted === undefined
        ? transitions.find((x) => x.to?.statusCategory?.key === 'done')
        : transitions.find((x) => x.id === o.doneTransition || x.name.toLowerCase() === wanted);
    const from = `from "${issue.fields.status?.name ?? '?'}" (${issue.key})`;
    const names = transitions.map((x) => `${x.name} (${x.id})`);
    if (t === undefined)
      return c.fail(
        wanted === undefined
          ? `no transition into a done status ${from}; available: ${list(names) || 'none'}`
          : `JIRA_DONE_TRANSITION "${o.doneTransition ?? ''}" is not available ${from}`,
        wanted === undefined
          ? `add a transition into a Done-category status to the ${o.projectKey} ${o.issueType} workflow, or set JIRA_DONE_TRANSITION`
          : `set JIRA_DONE_TRANSITION to one of: ${list(names)}`,
      );
    if (t.to?.statusCategory?.key !== 'done')
      return c.warn(
        `"${t.name}" ${from} does not lead to a done status`,
        'closed Google cases would leave the ticket open: pick a transition into Done',
      );
    return c.ok(`"${t.name}" (${t.id}) ${from}`);
  } catch (e) {
    return c.fail(
      `transitions not readable (${answer(e)})`,
      'check the account’s Browse Projects and Transition Issues permissions',
    );
  }
}

async function caseField(jira: JiraClient, o: JiraDiagnoseOptions): Promise<Check> {
  const c = checkOf('crm', 'crm.case-field', 'case field');
  const id = o.googleCaseField;
  if (id === undefined)
    return c.ok('JIRA_GOOGLE_CASE_FIELD unset: a label google-case-<number> and an issue property');
  try {
    const fields = await jira.call('GET field', fieldsSchema, () =>
      jira.api.issueFields.getFields<unknown>(),
    );
    const f = fields.find((x) => x.id === id);
    const text = fields.filter((x) => TEXT_FIELDS.has(x.schema?.custom ?? ''));
    const fix = `set JIRA_GOOGLE_CASE_FIELD to a text field (${list(text.map((x) => `${x.id} "${x.name}"`)) || 'none on this site'}), or unset it to use labels`;
    if (f === undefined) return c.fail(`${id} is not a field of this site`, fix);
    if (f.schema?.type !== 'string' || !TEXT_FIELDS.has(f.schema.custom ?? ''))
      return c.fail(
        `${id} "${f.name}" is not a text field (${f.schema?.custom ?? f.schema?.type ?? '?'})`,
        fix,
      );
    return c.ok(`${id} "${f.name}" (text field)`);
  } catch (e) {
    return c.fail(`fields not readable (${answer(e)})`, 'check the account’s permissions');
  }
}

async function syncJql(jira: JiraClient, o: JiraDiagnoseOptions): Promise<Check> {
  const c = checkOf('crm', 'crm.sync-jql', 'sync JQL');
  let said: string | undefined;
  try {
    const { count } = await jira.call('POST search/approximate-count', countSchema, async () => {
      try {
        return await jira.api.issueSearch.countIssues<unknown>({ jql: o.syncJql });
      } catch (e) {
        said = jiraMessages(e);
        throw e;
      }
    });
    return c.ok(`"${o.syncJql}" matches ${count} ticket${count === 1 ? '' : 's'} now`);
  } catch (e) {
    if (statusOf(e) === 400)
      return c.fail(
        `"${o.syncJql}" does not parse: ${said ?? 'Jira refused it (400)'}`,
        'fix JIRA_SYNC_JQL (try it in the issue search of the site)',
      );
    return c.fail(
      `"${o.syncJql}" could not be counted (${answer(e)})`,
      'check the account’s Browse Projects permission',
    );
  }
}

async function uploadLimit(jira: JiraClient): Promise<Check> {
  const c = checkOf('crm', 'crm.upload-limit', 'upload limit');
  try {
    const meta = await jira.call('GET attachment/meta', attachmentMetaSchema, () =>
      jira.api.issueAttachments.getAttachmentMeta<unknown>(),
    );
    if (!meta.enabled)
      return c.fail(
        'attachments are disabled on this site',
        'turn attachments on (Settings > System > Attachments), or Google files cannot be mirrored',
      );
    const mib = meta.uploadLimit / (1024 * 1024);
    return c.ok(`${Number.isInteger(mib) ? mib : mib.toFixed(1)} MiB per file`);
  } catch (e) {
    return c.fail(
      `attachment settings not readable (${answer(e)})`,
      'check the account’s permissions',
    );
  }
}
