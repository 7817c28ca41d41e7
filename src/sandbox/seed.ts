// The cases the sandbox starts with (one on each side, each with a comment by a person),
// shared by `npm run sandbox` and the tests that run over the sandbox's seeded cases.
import type { GoogleSimulator } from './google';
import type { JiraSimulator } from './jira';
import type { ZendeskSimulator } from './zendesk';
import type { ServiceNowSimulator, TaskTable } from './servicenow';

export interface Seeded {
  readonly caseName: string;
  readonly issueKey: string;
}

function seedGoogle(google: GoogleSimulator, parent: string): string {
  const gcase = google.createCase({
    parent,
    displayName: 'Sandbox: VM cannot reach Cloud SQL',
    description: 'Since 09:00 our VMs in europe-west1 time out when connecting to Cloud SQL.',
    priority: 'P2',
  });
  google.addComment(gcase.name, {
    body: 'Hello, I am looking into it. Which instance is affected?',
    displayName: 'Alex (Google Support)',
  });
  return gcase.name;
}

export function seedSandbox(google: GoogleSimulator, jira: JiraSimulator, parent: string): Seeded {
  const caseName = seedGoogle(google, parent);
  const issue = jira.createIssue({
    summary: 'Sandbox: BigQuery job quota exceeded',
    description: 'Our nightly load jobs fail with quotaExceeded since yesterday.',
    labels: ['synchronizeWithGoogleCloudSupport'],
    priority: 'High',
  });
  jira.addComment(issue.key, {
    body: 'Job ids are attached in the next comment.',
    displayName: 'Sam (Support Desk)',
  });
  return { caseName, issueKey: issue.key };
}

/** The same two cases with Zendesk as the desk: the ticket carries the sync tag. */
export function seedZendeskSandbox(
  google: GoogleSimulator,
  zendesk: ZendeskSimulator,
  parent: string,
): { readonly caseName: string; readonly ticketId: number } {
  const caseName = seedGoogle(google, parent);
  const ticket = zendesk.createTicket({
    subject: 'Sandbox: BigQuery job quota exceeded',
    description: 'Our nightly load jobs fail with quotaExceeded since yesterday.',
    tags: ['synchronizewithgooglecloudsupport'], // the connector's default ZENDESK_SYNC_TAG
    priority: 'high',
    requesterName: 'Sam (Support Desk)',
  });
  zendesk.addComment(ticket.id, {
    body: 'Job ids are attached in the next comment.',
    authorName: 'Sam (Support Desk)',
  });
  return { caseName, ticketId: ticket.id };
}

/**
 * The same two cases with ServiceNow as the desk: an incident (or a CSM case) with the sync
 * checkbox ticked and a customer-visible comment.
 */
export function seedServiceNowSandbox(
  google: GoogleSimulator,
  sn: ServiceNowSimulator,
  table: TaskTable,
  parent: string,
): { readonly caseName: string; readonly number: string } {
  const caseName = seedGoogle(google, parent);
  const r = sn.createRecord(table, {
    short_description: 'Sandbox: BigQuery job quota exceeded',
    description: 'Our nightly load jobs fail with quotaExceeded since yesterday.',
    selected: true, // u_sync_google_cloud_support, the default SERVICENOW_SYNC_QUERY's checkbox
    authorName: 'Sam (Service Desk)',
    ...(table === 'incident' ? { impact: '1', urgency: '2' } : { priority: '2' }),
  });
  sn.addJournal(r.sys_id, {
    body: 'Job ids are attached in the next comment.',
    element: 'comments',
    authorName: 'Sam (Service Desk)',
  });
  return { caseName, number: r.number };
}
