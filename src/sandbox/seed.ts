// The cases the sandbox starts with (one on each side, each with a comment by a person),
// shared by `npm run sandbox` and the tests that run over the sandbox's seeded cases.
import type { GoogleSimulator } from './google';
import type { JiraSimulator } from './jira';

export interface Seeded {
  readonly caseName: string;
  readonly issueKey: string;
}

export function seedSandbox(google: GoogleSimulator, jira: JiraSimulator, parent: string): Seeded {
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
  return { caseName: gcase.name, issueKey: issue.key };
}
