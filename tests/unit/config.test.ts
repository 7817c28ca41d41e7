import { ConfigError, loadAdminConfig, loadConfig } from '../../src/config';
import { adminLinks } from '../../src/server';

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
  describe('CRM=servicenow', () => {
    const SN = {
      SUPPORT_PARENT: 'organizations/123',
      CRM: 'servicenow',
      SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com',
      SERVICENOW_USER: 'google.sync',
      SERVICENOW_PASSWORD: 'sn-password-value',
    };

    test('defaults of SPEC §6.2; Jira and Zendesk variables not required, and named as ignored', () => {
      const c = loadConfig({ ...SN, JIRA_PROJECT_KEY: 'SUP', ZENDESK_SYNC_TAG: 'x' });
      expect(c.crm).toBe('servicenow');
      expect(c.servicenow).toMatchObject({
        instanceUrl: 'https://acme.service-now.com',
        table: 'incident',
        basic: { user: 'google.sync', password: 'sn-password-value', passwordSecret: null },
        oauth: null,
        syncQuery: 'active=true^u_sync_google_cloud_support=true',
        assignmentGroup: null,
      });
      expect(c.servicenow?.priorities.values).toEqual({
        0: '1/1',
        1: '1/2',
        2: '2/2',
        3: '2/3',
        4: '3/3',
      });
      expect(c.settings.googleCommentsVisibility).toBe('internal');
      expect(c.settings.commentsToGoogle).toBe('all');
      expect(c.ignoredVariables).toEqual(['JIRA_PROJECT_KEY', 'ZENDESK_SYNC_TAG']);
      expect(c.zendesk).toBeNull();
      expect(loadConfig({ ...GOOD, SERVICENOW_TABLE: 'x' }).ignoredVariables).toEqual([
        'SERVICENOW_TABLE',
      ]);
    });

    test('case table, OAuth from Secret Manager, comments and a per-table priority map', () => {
      const c = loadConfig({
        SUPPORT_PARENT: 'organizations/123',
        CRM: 'servicenow',
        SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com',
        SERVICENOW_TABLE: 'sn_customerservice_case',
        SERVICENOW_OAUTH_CLIENT_ID: 'abc',
        SERVICENOW_OAUTH_CLIENT_SECRET_SECRET: 'projects/p/secrets/sn',
        SERVICENOW_GOOGLE_COMMENTS_AS: 'comments',
        SERVICENOW_COMMENTS_TO_GOOGLE: 'comments',
        SERVICENOW_SYNC_QUERY:
          'active=true^u_gcs=true^assignment_group=0123456789abcdef0123456789abcdef',
        SERVICENOW_ASSIGNMENT_GROUP: '0123456789abcdef0123456789abcdef',
      });
      expect(c.servicenow?.table).toBe('sn_customerservice_case');
      expect(c.servicenow?.oauth).toEqual({
        clientId: 'abc',
        clientSecret: null,
        clientSecretSecret: 'projects/p/secrets/sn',
      });
      expect(c.servicenow?.priorities.values).toEqual({ 0: '1', 1: '2', 2: '3', 3: '4', 4: '4' });
      expect(c.settings.googleCommentsVisibility).toBe('public');
      expect(c.settings.commentsToGoogle).toBe('public');
    });

    test('lists every ServiceNow problem at once (unknown values and missing auth), never echoing secrets', () => {
      const p = problems({
        SUPPORT_PARENT: 'organizations/123',
        CRM: 'servicenow',
        SERVICENOW_INSTANCE_URL: 'not a url',
        SERVICENOW_TABLE: 'problem',
        SERVICENOW_PRIORITY_MAP: 'P0=1/1,P1=4/1',
        SERVICENOW_SYNC_QUERY: 'active=true^NQstate=1^ORDERBYnumber',
        SERVICENOW_GOOGLE_COMMENTS_AS: 'notes',
        SERVICENOW_COMMENTS_TO_GOOGLE: 'public',
        SERVICENOW_ASSIGNMENT_GROUP: 'Service Desk',
        SERVICENOW_OAUTH_CLIENT_SECRET: 'oauth-secret-value',
      }).join('\n');
      for (const k of [
        'SERVICENOW_INSTANCE_URL',
        'SERVICENOW_TABLE',
        'SERVICENOW_PRIORITY_MAP',
        'SERVICENOW_SYNC_QUERY uses ^NQ',
        'SERVICENOW_SYNC_QUERY uses ORDERBY',
        'SERVICENOW_GOOGLE_COMMENTS_AS',
        'SERVICENOW_COMMENTS_TO_GOOGLE',
        'SERVICENOW_ASSIGNMENT_GROUP',
        'SERVICENOW_OAUTH_CLIENT_ID is required',
      ])
        expect(p).toContain(k);
      expect(p).not.toContain('oauth-secret-value');
      expect(p).not.toMatch(/JIRA_|ZENDESK_/);
      expect(
        problems({
          SUPPORT_PARENT: 'organizations/1',
          CRM: 'servicenow',
          SERVICENOW_INSTANCE_URL: 'https://a.service-now.com',
        }).join(' '),
      ).toMatch(/ServiceNow auth is required/);
      expect(
        problems({ ...SN, SERVICENOW_PASSWORD: '', SERVICENOW_SYNC_QUERY: ' ' }).join(' '),
      ).toMatch(/SERVICENOW_PASSWORD or SERVICENOW_PASSWORD_SECRET is required/);
    });

    test('the status page links a record by number or sys_id on the instance, and reads no credentials', () => {
      const admin = loadAdminConfig({
        CRM: 'servicenow',
        SERVICENOW_INSTANCE_URL: 'https://acme.service-now.com',
        SERVICENOW_TABLE: 'sn_customerservice_case',
      });
      expect([admin.crm, admin.crmBaseUrl, admin.crmTable]).toEqual([
        'servicenow',
        'https://acme.service-now.com',
        'sn_customerservice_case',
      ]);
      const links = adminLinks(null, {
        crm: 'servicenow',
        baseUrl: admin.crmBaseUrl,
        table: admin.crmTable,
      });
      expect(links.crmTicket('CS0001001')).toBe(
        'https://acme.service-now.com/sn_customerservice_case.do?sysparm_query=number%3DCS0001001',
      );
      expect(links.crmTicket('0123456789abcdef0123456789abcdef')).toBe(
        'https://acme.service-now.com/sn_customerservice_case.do?sys_id=0123456789abcdef0123456789abcdef',
      );
      expect(
        adminLinks('127.0.0.1:8091', {
          crm: 'servicenow',
          baseUrl: 'http://127.0.0.1:8094',
        }).crmTicket('INC0010001'),
      ).toBe('http://127.0.0.1:8094/_control/records/INC0010001');
    });
  });
});
