// The status page's links: Jira's /browse/KEY, Zendesk's agent view (the simulator's control
// view in the sandbox), and the admin service's CRM and base URL from its environment.
import { loadAdminConfig } from '../../src/config';
import { adminLinks } from '../../src/server';

describe('adminLinks', () => {
  it('links a Jira ticket to /browse/KEY, as before', () => {
    const links = adminLinks(null, { crm: 'jira', baseUrl: 'https://acme.atlassian.net' });
    expect(links.crmTicket('SUP-7')).toBe('https://acme.atlassian.net/browse/SUP-7');
    expect(links.googleCase('organizations/1/cases/42')).toBe(
      'https://console.cloud.google.com/support/cases/detail/v2/42',
    );
  });

  it('links a Zendesk ticket to the agent view', () => {
    const links = adminLinks(null, { crm: 'zendesk', baseUrl: 'https://acme.zendesk.com/' });
    expect(links.crmTicket('123')).toBe('https://acme.zendesk.com/agent/tickets/123');
  });

  it('in the sandbox, links a Zendesk ticket to the simulator control view', () => {
    const links = adminLinks('127.0.0.1:8091', {
      crm: 'zendesk',
      baseUrl: 'http://127.0.0.1:8093',
    });
    expect(links.crmTicket('2')).toBe('http://127.0.0.1:8093/_control/tickets/2');
    expect(links.googleCase('organizations/1/cases/42')).toBe(
      'http://127.0.0.1:8091/_control/cases/42',
    );
  });

  it('has no ticket link without a base URL', () => {
    expect(adminLinks(null, { crm: 'zendesk', baseUrl: null }).crmTicket('1')).toBe('#');
    expect(adminLinks(null, { crm: 'jira', baseUrl: null }).crmTicket('SUP-1')).toBe('#');
  });
});

describe('loadAdminConfig links', () => {
  it('defaults to Jira and JIRA_BASE_URL', () => {
    const c = loadAdminConfig({ JIRA_BASE_URL: 'https://acme.atlassian.net' });
    expect(c.crm).toBe('jira');
    expect(c.crmBaseUrl).toBe('https://acme.atlassian.net');
  });

  it('with CRM=zendesk takes ZENDESK_BASE_URL and needs no Zendesk credentials', () => {
    const c = loadAdminConfig({ CRM: 'zendesk', ZENDESK_BASE_URL: 'https://acme.zendesk.com' });
    expect(c.crm).toBe('zendesk');
    expect(c.crmBaseUrl).toBe('https://acme.zendesk.com');
  });
});
