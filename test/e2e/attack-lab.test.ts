/**
 * Browser: the Attack lab page runs the quick scenarios on the node and shows every scenario's
 * measured result, with the log-scale charts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { DEMO, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, newPage, screenshot } from './browser.ts';

describe('portal attack lab', { timeout: 120_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  before(async () => {
    t = await startTestNode({
      patients: 2,
      server: process.env.PORTAL_DIR ? { portalDir: process.env.PORTAL_DIR } : {},
    });
    browser = await launch();
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  it('runs the quick scenarios and shows each result with its charts', async () => {
    const page = await newPage(browser);
    await login(page, t.url, DEMO.auditor, DEMO_PASSWORD);
    await page.getByRole('link', { name: 'Attack lab' }).click();
    await page.getByText('No report yet').waitFor();
    await page.getByRole('button', { name: 'Run quick scenarios' }).click();
    await page.getByText(/\d+ of \d+ forgeries rejected/).waitFor({ timeout: 60_000 });
    for (const title of [
      'Mining cost vs difficulty',
      'Rewrite history',
      'Brute-force credentials',
      'Tamper detection',
    ])
      await page.getByRole('heading', { name: title }).waitFor();
    await page.getByText(/rewrite detected at block \d+/).waitFor();
    const forged = await page.getByText(/(\d+) of (\d+) forgeries rejected/).textContent();
    const [, rejected, attempted] = /(\d+) of (\d+)/.exec(forged ?? '')!;
    assert.equal(rejected, attempted);
    const charts = page.getByRole('img', { name: /log scale/ });
    await charts.first().waitFor();
    assert.equal(await charts.count(), 4);
    await page.waitForTimeout(300);
    await screenshot(page, 'attack-lab');
  });
});
