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

  describe('CRM=zendesk', () => {
    const ZD = {
      SUPPORT_PARENT: 'organizations/123',
      CRM: 'zendesk',
      ZENDESK_BASE_URL: 'https://acme.zendesk.com',
      ZENDESK_OAUTH_CLIENT_ID: 'gcs-connector',
      ZENDESK_OAUTH_CLIENT_SECRET: 'oauth-secret-value',
    };

    test('defaults of SPEC §6.1; Jira variables not required, and named as ignored', () => {
      const c = loadConfig({ ...ZD, JIRA_PROJECT_KEY: 'SUP' });
      expect(c.crm).toBe('zendesk');
      expect(c.zendesk?.syncTag).toBe('synchronizewithgooglecloudsupport');
      expect(c.zendesk?.priorities.toZendesk).toEqual({
        0: 'urgent',
        1: 'high',
        2: 'normal',
        3: 'low',
        4: 'low',
      });
      expect(c.zendesk?.priorities.fromZendesk.low).toBe(3);
      expect(c.zendesk?.groupId).toBeNull();
      expect(c.ignoredVariables).toEqual(['JIRA_PROJECT_KEY']);
      expect(c.warnings).toEqual([]);
      expect(c.settings.googleCommentsVisibility).toBe('internal');
    });

    test('CRM defaults to jira and names the Zendesk variables it ignores', () => {
      const c = loadConfig({ ...GOOD, ZENDESK_SYNC_TAG: 'x' });
      expect(c.crm).toBe('jira');
      expect(c.zendesk).toBeNull();
      expect(c.ignoredVariables).toEqual(['ZENDESK_SYNC_TAG']);
    });

    test('legacy API token: accepted with a warning naming 2027-04-30', () => {
      const c = loadConfig({
        SUPPORT_PARENT: 'organizations/123',
        CRM: 'zendesk',
        ZENDESK_BASE_URL: 'https://acme.zendesk.com',
        ZENDESK_EMAIL: 'bot@acme.com',
        ZENDESK_API_TOKEN_SECRET: 'projects/p/secrets/zd',
        ZENDESK_COMMENTS_TO_GOOGLE: 'public',
      });
      expect(c.zendesk?.apiToken).toEqual({
        email: 'bot@acme.com',
        token: null,
        tokenSecret: 'projects/p/secrets/zd',
      });
      expect(c.warnings.join(' ')).toContain('2027-04-30');
      expect(c.settings.commentsToGoogle).toBe('public');
    });

    test('lists every Zendesk problem at once, never echoing secrets', () => {
      const p = problems({
        SUPPORT_PARENT: 'organizations/123',
        CRM: 'zendesk',
        ZENDESK_BASE_URL: 'ftp://x',
        ZENDESK_OAUTH_CLIENT_ID: 'id',
        ZENDESK_PRIORITY_MAP: 'P0=urgent,P1=critical',
        ZENDESK_SYNC_TAG: 'Has Spaces',
        ZENDESK_GROUP_ID: 'abc',
        ZENDESK_GOOGLE_COMMENTS_VISIBILITY: 'everyone',
      });
      expect(p.join('\n')).toMatch(/ZENDESK_BASE_URL/);
      expect(p.join('\n')).toMatch(/ZENDESK_OAUTH_CLIENT_SECRET/);
      expect(p.join('\n')).toMatch(/ZENDESK_PRIORITY_MAP/);
      expect(p.join('\n')).toMatch(/ZENDESK_SYNC_TAG/);
      expect(p.join('\n')).toMatch(/ZENDESK_GROUP_ID/);
      expect(p.join('\n')).toMatch(/ZENDESK_GOOGLE_COMMENTS_VISIBILITY/);
      expect(p.join('\n')).not.toMatch(/JIRA_/);
      expect(
        problems({
          SUPPORT_PARENT: 'organizations/1',
          CRM: 'zendesk',
          ZENDESK_BASE_URL: 'https://a.zendesk.com',
        }).join(' '),
      ).toMatch(/Zendesk auth is required/);
    });
  });
});
