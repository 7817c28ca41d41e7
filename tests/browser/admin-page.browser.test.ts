// The status page in a real browser: Debian's headless Chromium driven by playwright-core
// loads the sandbox's page (the connector through server.ts with ADMIN_PAGE=local, both
// simulators), pauses a pair through its confirm page, sees the sync skip it, resumes it,
// and saves a screenshot (the README's docs/admin-page.png with UPDATE_SCREENSHOTS=1).
import fs, { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PARENT, startHarness, type Harness } from '../support/e2e-harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// UPDATE_SCREENSHOTS=1 refreshes the README's picture; other runs leave the tree clean.
const SCREENSHOT =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? path.resolve(__dirname, '../../docs/admin-page.png')
    : path.join(os.tmpdir(), `admin-page-${process.pid}.png`);
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

if (!existsSync(CHROMIUM)) {
  // Debian's chromium installs from the registries this project uses (scripts/setup.sh), so
  // a missing browser is a set-up fault: the test fails, locally as in CI, never skips.
  const reason = `no Chromium at ${CHROMIUM}: run bash scripts/setup.sh (it installs Debian's chromium)`;
  describe('status page in a browser', () => {
    it('needs Chromium', () => {
      throw new Error(reason);
    });
  });
} else {
  describe('status page in a browser', () => {
    let h: Harness;
    let browser: Browser;
    afterEach(async () => {
      await browser?.close();
      await h?.close();
    });

    /** Clicks an action link of the pair's row, then the confirm page's button. */
    async function act(page: Page, rowId: string, label: string): Promise<void> {
      await page.click(`#${rowId} >> text=${label}`);
      await page.waitForURL(/\/admin\/confirm\?/);
      await page.click(`button:has-text("Confirm: ${label}")`);
      await page.waitForURL(/\/admin\/\?done=/);
    }

    it('pauses a pair, the sync skips it, then resumes it', async () => {
      h = await startHarness({ env: { ADMIN_PAGE: 'local' } });
      const gcase = h.google.createCase({
        parent: PARENT,
        displayName: 'Cloud SQL connections time out',
        description: 'Since 09:00 in europe-west1.',
        priority: 'P2',
      });
      await h.round();
      await h.round();
      const mapping = await h.connector.store.findByGoogleCase(gcase.name);
      expect(mapping?.companyCaseKey).toBeTruthy();
      const rowId = `pair-${mapping!.id}`;

      browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(`${h.connector.url}/admin/`);
      await expect(page.textContent('.banner')).resolves.toContain('no IAP');
      await expect(page.textContent(`#${rowId}`)).resolves.toContain(mapping!.companyCaseKey!);

      await act(page, rowId, 'Pause');
      await expect(page.textContent('[role=status]')).resolves.toContain('The pair is paused');
      await expect(page.textContent(`#${rowId}`)).resolves.toContain('paused');

      // A Google engineer comments; the poll does not enqueue the pair, a sync task skips it.
      h.google.addComment(gcase.name, { body: 'Which instance?', displayName: 'Alex' });
      await h.round();
      const sync = await fetch(`${h.connector.url}/tasks/sync-google-case`, {
        method: 'POST',
        headers: { 'x-appengine-queuename': 'sync', 'content-type': 'application/json' },
        body: JSON.stringify({ caseName: gcase.name }),
      });
      expect(await sync.json()).toEqual({ outcome: 'skipped', reason: 'paused' });
      const jiraComments = () =>
        h.jira
          .getIssue(mapping!.companyCaseKey!)!
          .comments.map((c) => c.bodyText)
          .join('\n');
      expect(jiraComments()).not.toContain('Which instance?');

      await page.reload();
      await expect(page.textContent('body')).resolves.toMatch(
        /sync-google-case[\s\S]*skipped \(paused\)/,
      );
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(fs.statSync(SCREENSHOT).size).toBeGreaterThan(10_000);

      await act(page, rowId, 'Resume');
      await expect(page.textContent('[role=status]')).resolves.toContain('The pair is resumed');
      await h.connector.localQueue?.idle();
      expect(jiraComments()).toContain('Which instance?');
      await page.reload();
      await expect(page.textContent(`#${rowId}`)).resolves.not.toContain('paused');
    });
  });
}
