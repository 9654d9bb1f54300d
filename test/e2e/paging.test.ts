/**
 * Browser: lists the node gives a page at a time. With a page size of 5, the patient's records, the
 * patient's access log (newest first) and a doctor's chart each say there are more and load the next
 * page on request, until the list is whole.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { DEMO, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, newPage, screenshot } from './browser.ts';

const PAGE = 5;

describe('paged lists in the portal', { timeout: 180_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  let patientId: string;
  let records: number;

  before(async () => {
    t = await startTestNode({
      patients: 2,
      server: { pageSize: PAGE, ...(process.env.PORTAL_DIR ? { portalDir: process.env.PORTAL_DIR } : {}) },
    });
    browser = await launch();
    const own = await t.login(DEMO.patient);
    patientId = ((await (await t.api('/api/v1/patients', { token: own })).json()) as { id: string }[])[0]!.id;
    records = (
      (await (
        await t.api(`/api/v1/patients/${patientId}/records?limit=1000`, { token: own })
      ).json()) as unknown[]
    ).length;
    assert.ok(records > 2 * PAGE, `the demo patient has ${String(records)} records`);
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  /** Clicks "Load more …" until it is gone, waiting for each page; returns how many pages it loaded. */
  async function loadAll(page: Page, noun: string): Promise<number> {
    const button = page.getByRole('button', { name: `Load more ${noun}` });
    const showing = page.getByText(new RegExp(`^Showing \\d+ ${noun}; there are more\\.$`));
    // The line's text now, or null once it is gone (read without waiting: it goes when the list is whole).
    const line = async (): Promise<string | null> =>
      (await showing.allTextContents().catch(() => [] as string[]))[0] ?? null;
    let clicks = 0;
    await button.waitFor();
    while ((await button.count()) > 0) {
      const before = await line();
      if (before === null) break;
      await button.click();
      clicks++;
      // The next page is in when the count changed or the line is gone (the list is whole).
      const deadline = Date.now() + 15_000;
      while ((await line()) === before) {
        assert.ok(Date.now() < deadline, `no next page after ${before}`);
        await page.waitForTimeout(50);
      }
      assert.ok(clicks <= 100, 'the list ends');
    }
    return clicks;
  }

  it("loads a patient's records a page at a time until all are shown", async () => {
    const page = await newPage(browser);
    await login(page, t.url, DEMO.patient, DEMO_PASSWORD);
    await page.goto(`${t.url}/#/my-records`);
    await page.getByText(`Showing ${String(PAGE)} records; there are more.`).waitFor();
    const count = page.getByText('Records', { exact: true }).locator('xpath=following-sibling::*[1]');
    assert.equal(await count.textContent(), `${String(PAGE)}+`);
    await screenshot(page, 'paging-my-records');
    const clicks = await loadAll(page, 'records');
    assert.ok(clicks >= Math.floor(records / PAGE) - 1, `${String(clicks)} pages loaded`);
    assert.equal(await count.textContent(), String(records));
    await page.getByRole('group', { name: 'More records' }).waitFor({ state: 'detached' });
  });

  it('shows the newest accesses first and older ones on request', async () => {
    const page = await newPage(browser);
    await login(page, t.url, DEMO.patient, DEMO_PASSWORD);
    await page.goto(`${t.url}/#/access-log`);
    await page.getByRole('switch', { name: 'Hide my own visits' }).uncheck();
    await page.getByText(/^5 of 5 shown$/).waitFor();
    await loadAll(page, 'older accesses');
    const shown = await page.getByText(/^\d+ of \d+ shown$/).textContent();
    assert.ok(Number(/of (\d+)/.exec(shown ?? '')?.[1]) > 2 * PAGE, shown ?? '');
  });

  it("pages a doctor's chart the same way", async () => {
    const page = await newPage(browser);
    await login(page, t.url, DEMO.chen, DEMO_PASSWORD);
    await page.goto(`${t.url}/#/chart/${patientId}`);
    await page.getByText(`Showing ${String(PAGE)} records; there are more.`).waitFor();
    await loadAll(page, 'records');
    await page.getByRole('group', { name: 'More records' }).waitFor({ state: 'detached' });
  });
});
