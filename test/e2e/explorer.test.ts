/**
 * Browser: the auditor's chain explorer — latest blocks, a block checked in the browser, a
 * transaction, and a record's inclusion proof verified in the browser with WebCrypto (every check
 * passes under the node's key, and fails under another). Then another process edits the node's
 * SQLite file: the red integrity banner appears on the page, the Node page names the block, and the
 * tampered record's proof no longer verifies in the browser.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { syntheticPatients } from '../../src/sim/synthetic.ts';
import { DEMO, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, newPage, screenshot } from './browser.ts';

describe('portal explorer', { timeout: 120_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  let page: Page;
  let recordId: string;
  before(async () => {
    t = await startTestNode({
      patients: 2,
      server: process.env.PORTAL_DIR ? { portalDir: process.env.PORTAL_DIR } : {},
    });
    const chen = await t.login(DEMO.chen);
    const patientId = syntheticPatients(2, { seed: 1, now: t.node.now })[0]!.patient.id!;
    const r = await t.api('/api/v1/records', {
      token: chen,
      body: {
        resourceType: 'Observation',
        status: 'final',
        code: { text: 'Heart rate' },
        subject: { reference: `Patient/${patientId}` },
        valueQuantity: { value: 72, unit: '/min' },
      },
    });
    assert.equal(r.status, 201);
    recordId = ((await r.json()) as { id: string }).id;
    browser = await launch();
    page = await newPage(browser);
    await login(page, t.url, DEMO.auditor, DEMO_PASSWORD);
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  it('lists the latest blocks and opens a block and a transaction', async () => {
    await page.getByRole('link', { name: 'Chain explorer' }).click();
    await page.getByRole('heading', { name: 'Latest blocks' }).waitFor();
    const head = t.node.ledger.height;
    await page.getByRole('link', { name: String(head), exact: true }).waitFor();
    await page.getByRole('link', { name: '3', exact: true }).click();
    await page.getByRole('heading', { name: 'Block 3', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Verify block' }).click();
    await page.getByText('Block 3 is intact and signed by this node').waitFor();
    assert.equal(await page.locator('[data-check][data-ok="false"]').count(), 0);
    await page
      .getByRole('link', { name: /^Transaction / })
      .first()
      .click();
    await page.getByRole('heading', { name: 'Canonical body' }).waitFor();
    await page.getByText('org.join').first().waitFor();
  });

  it('verifies a record proof in the browser, and fails it under another key', async () => {
    await page.getByRole('textbox', { name: 'Search the chain' }).fill(recordId);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('heading', { name: /^Merkle path/ }).waitFor();
    await page.getByRole('textbox', { name: /^Trusted node public key/ }).fill('ab'.repeat(32));
    await page.getByRole('button', { name: 'Verify in my browser' }).click();
    await page.getByText(/checks failed/).waitFor();
    assert.ok((await page.locator('[data-check="head-signature"][data-ok="false"]').count()) === 1);

    await page.reload();
    await page.getByRole('button', { name: 'Verify in my browser' }).click();
    await page.getByText('Proof verified: this transaction is in the signed log').waitFor();
    const checks = page.locator('[data-check]');
    assert.equal(await checks.count(), 17);
    assert.equal(await page.locator('[data-check][data-ok="true"]').count(), 17);
    await page.getByText('The computed root matches the signed head.').waitFor();
    await page.evaluate('window.scrollTo(0, 0)'); // a fixed header renders mid-page in a scrolled full-page shot
    await screenshot(page, 'explorer-proof');
  });

  it('shows the integrity banner when the database is edited, and the tampered proof fails', async () => {
    const db = new DatabaseSync(join(t.node.ledger.paths.dir, 'ledger.sqlite'));
    try {
      db.exec('PRAGMA busy_timeout = 5000');
      const row = db
        .prepare("SELECT seq, height, body FROM txs WHERE type = 'record.add' ORDER BY seq LIMIT 1")
        .get() as { seq: number; height: number; body: string };
      const forged = row.body.replace(/"size":(\d+)/, (_m, n: string) => `"size":${String(Number(n) + 1)}`);
      assert.notEqual(forged, row.body);
      db.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(forged, row.seq);
      const tampered = (JSON.parse(row.body) as { payload: { record: string } }).payload.record;

      await page.goto(`${t.url}/#/node`);
      const banner = page
        .getByRole('alert')
        .filter({ hasText: 'Integrity alert: this ledger has been tampered with' });
      await banner.waitFor({ timeout: 20_000 });
      await banner
        .getByText(`block ${String(row.height)}`)
        .first()
        .waitFor();
      await page.getByText('Tampering detected').waitFor({ timeout: 10_000 });
      await screenshot(page, 'integrity-banner');

      await page.goto(`${t.url}/#/explorer/proof/${tampered}`);
      await page.getByRole('button', { name: 'Verify in my browser' }).click();
      await page.getByText(/checks failed/).waitFor();
      assert.equal(await page.locator('[data-check="tx-id"][data-ok="false"]').count(), 1);
      db.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(row.body, row.seq);
    } finally {
      db.close();
    }
  });
});
