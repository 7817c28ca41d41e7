// The push paths' variables (README "Push"), validated at boot with the rest.
import { ConfigError, loadConfig } from '../../src/config';

const JIRA = {
  SUPPORT_PARENT: 'organizations/123',
  JIRA_BASE_URL: 'https://example.atlassian.net',
  JIRA_EMAIL: 'bot@example.com',
  JIRA_API_TOKEN: 'secret-token-value',
  JIRA_PROJECT_KEY: 'SUP',
};
const ZENDESK = {
  SUPPORT_PARENT: 'organizations/123',
  CRM: 'zendesk',
  ZENDESK_BASE_URL: 'https://acme.zendesk.com',
  ZENDESK_OAUTH_CLIENT_ID: 'sync',
  ZENDESK_OAUTH_CLIENT_SECRET: 'client-secret',
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return [...(e as ConfigError).problems];
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig: push paths', () => {
  it('has none by default, and a 10 s coalescing window', () => {
    expect(loadConfig(JIRA).webhooks).toEqual({
      jira: null,
      zendesk: null,
      google: null,
      coalesceWindowMs: 10_000,
    });
  });

  it('reads the Jira webhook secret from the environment or names it in Secret Manager', () => {
    expect(loadConfig({ ...JIRA, JIRA_WEBHOOK_SECRET: 'a'.repeat(20) }).webhooks.jira).toEqual({
      value: 'a'.repeat(20),
      secretName: null,
    });
    const named = 'projects/p/secrets/jira-webhook-secret/versions/latest';
    expect(loadConfig({ ...JIRA, JIRA_WEBHOOK_SECRET_SECRET: named }).webhooks.jira).toEqual({
      value: null,
      secretName: named,
    });
  });

  it('reads the Zendesk signing secret with CRM=zendesk, and names the Jira one ignored there', () => {
    const c = loadConfig({
      ...ZENDESK,
      ZENDESK_WEBHOOK_SECRET_SECRET: 'projects/p/secrets/zendesk-webhook',
      JIRA_WEBHOOK_SECRET: 'x',
    });
    expect(c.webhooks.zendesk).toEqual({
      value: null,
      secretName: 'projects/p/secrets/zendesk-webhook',
    });
    expect(c.webhooks.jira).toBeNull();
    expect(c.ignoredVariables).toContain('JIRA_WEBHOOK_SECRET');
  });

  it('lists every bad push variable at once, never echoing a secret', () => {
    const p = problems({
      ...JIRA,
      JIRA_WEBHOOK_SECRET: 'short-secret',
      JIRA_WEBHOOK_SECRET_SECRET: 'jira-webhook',
      GOOGLE_PUSH_SERVICE_ACCOUNT: 'someone@gmail.com',
      PUSH_COALESCE_WINDOW: 'PT0.5S',
    });
    expect(p).toEqual([
      'JIRA_WEBHOOK_SECRET and JIRA_WEBHOOK_SECRET_SECRET are both set: set one of them',
      'JIRA_WEBHOOK_SECRET must be at least 16 characters',
      'JIRA_WEBHOOK_SECRET_SECRET must look like projects/P/secrets/NAME[/versions/V]',
      'GOOGLE_PUSH_AUDIENCE is required with GOOGLE_PUSH_SERVICE_ACCOUNT',
      'GOOGLE_PUSH_SERVICE_ACCOUNT must be a service account email (NAME@PROJECT.iam.gserviceaccount.com)',
      'PUSH_COALESCE_WINDOW must be between PT1S and PT10M',
    ]);
    expect(p.join('\n')).not.toContain('short-secret');
  });

  it('takes the Pub/Sub push audience and service account together', () => {
    const c = loadConfig({
      ...JIRA,
      GOOGLE_PUSH_AUDIENCE: 'https://sync.example.com/webhooks/google',
      GOOGLE_PUSH_SERVICE_ACCOUNT: 'pubsub-push@my-proj.iam.gserviceaccount.com',
      PUSH_COALESCE_WINDOW: 'PT30S',
    });
    expect(c.webhooks.google).toEqual({
      audience: 'https://sync.example.com/webhooks/google',
      serviceAccount: 'pubsub-push@my-proj.iam.gserviceaccount.com',
    });
    expect(c.webhooks.coalesceWindowMs).toBe(30_000);
    expect(problems({ ...JIRA, GOOGLE_PUSH_AUDIENCE: 'https://x' })).toEqual([
      'GOOGLE_PUSH_SERVICE_ACCOUNT is required with GOOGLE_PUSH_AUDIENCE',
    ]);
  });
});
