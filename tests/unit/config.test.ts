import { ConfigError, loadConfig } from '../../src/config';

const GOOD = {
  SUPPORT_PARENT: 'organizations/123',
  JIRA_BASE_URL: 'https://example.atlassian.net',
  JIRA_EMAIL: 'bot@example.com',
  JIRA_API_TOKEN: 'secret-token-value',
  JIRA_PROJECT_KEY: 'SUP',
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

describe('loadConfig', () => {
  test('defaults of SPEC §3.2 off App Engine', () => {
    const c = loadConfig(GOOD);
    expect(c.port).toBe(8080);
    expect(c.settings.supportCaseParent).toBe('organizations/123');
    expect(c.settings.googlePollingWindowMs).toBe(30 * 60 * 1000);
    expect(c.settings.companyPollingWindowMs).toBe(5 * 60 * 1000);
    expect(c.settings.googleCommentsVisibility).toBe('internal');
    expect(c.settings.commentsToGoogle).toBe('all');
    expect(c.settings.dryRun).toBe(false);
    expect(c.jira.syncJql).toBe('labels = synchronizeWithGoogleCloudSupport');
    expect(c.jira.issueType).toBe('Task');
    expect(c.jira.priorityNames).toEqual({
      0: 'Highest',
      1: 'High',
      2: 'Medium',
      3: 'Low',
      4: 'Lowest',
    });
    expect([c.store, c.taskQueue, c.scheduler]).toEqual(['datastore', 'local', 'local']);
    expect(Object.isFrozen(c)).toBe(true);
  });

  test('DRY_RUN is a boolean like the others', () => {
    expect(loadConfig({ ...GOOD, DRY_RUN: 'true' }).settings.dryRun).toBe(true);
    expect(loadConfig({ ...GOOD, DRY_RUN: '0' }).settings.dryRun).toBe(false);
    expect(problems({ ...GOOD, DRY_RUN: 'maybe' })).toEqual(['DRY_RUN must be true or false']);
  });

  test('on App Engine the defaults are Cloud Tasks and no local scheduler', () => {
    const c = loadConfig({ ...GOOD, GAE_ENV: 'standard', GOOGLE_CLOUD_PROJECT: 'p' });
    expect([c.store, c.taskQueue, c.scheduler]).toEqual(['datastore', 'cloud-tasks', 'off']);
  });

  test('one error lists every problem, without echoing secrets', () => {
    const list = problems({
      PORT: 'eighty',
      SUPPORT_PARENT: 'org/1',
      JIRA_BASE_URL: 'ftp://x',
      JIRA_API_TOKEN_SECRET: 'not-a-secret-name',
      JIRA_PROJECT_KEY: 'sup',
      JIRA_PRIORITY_MAP: 'P0=Highest',
      GOOGLE_POLLING_WINDOW: '30 minutes',
      STORE: 'redis',
      JIRA_GOOGLE_COMMENTS_VISIBILITY: 'secret',
      JIRA_GOOGLE_CASE_FIELD: 'Google case',
    });
    const text = list.join('\n');
    for (const key of [
      'PORT',
      'SUPPORT_PARENT',
      'JIRA_BASE_URL',
      'JIRA_EMAIL',
      'JIRA_API_TOKEN_SECRET',
      'JIRA_PROJECT_KEY',
      'JIRA_PRIORITY_MAP',
      'GOOGLE_POLLING_WINDOW',
      'STORE',
      'JIRA_GOOGLE_COMMENTS_VISIBILITY',
      'JIRA_GOOGLE_CASE_FIELD',
    ]) {
      expect(text).toContain(key);
    }
    expect(list.length).toBeGreaterThanOrEqual(11);
  });

  test('a missing token is reported; the token value never appears in messages', () => {
    expect(problems({ ...GOOD, JIRA_API_TOKEN: '' }).join('\n')).toContain(
      'JIRA_API_TOKEN or JIRA_API_TOKEN_SECRET is required',
    );
    const e = (() => {
      try {
        loadConfig({ ...GOOD, SUPPORT_PARENT: 'bad' });
      } catch (x) {
        return x as Error;
      }
      return null;
    })();
    expect(e?.message).not.toContain('secret-token-value');
  });
});
