/**
 * Browser: the patient workspace — my records by type, granting and revoking a consent (checked against
 * what Dr Patel can then read over the API), a break-glass access highlighted in the access log, and
 * the download of the whole record as one FHIR Bundle across the $everything pages.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { DEMO, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, newPage, screenshot } from './browser.ts';

describe('patient workspace', { timeout: 180_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  let page: Page;
  let patientId: string;
  let patel: string;
  let own: string;
  const patelReads = async (): Promise<number> =>
    (await t.api(`/api/v1/patients/${patientId}/records`, { token: patel })).status;

  before(async () => {
    t = await startTestNode({
      patients: 3,
      server: process.env.PORTAL_DIR ? { portalDir: process.env.PORTAL_DIR } : {},
    });
    browser = await launch();
    own = await t.login(DEMO.patient);
    patientId = ((await (await t.api('/api/v1/patients', { token: own })).json()) as { id: string }[])[0]!.id;
    patel = await t.login(DEMO.patel);
    // One browser session for the whole workspace (the login limiter counts attempts per account).
    page = await newPage(browser);
    await login(page, t.url, DEMO.patient, DEMO_PASSWORD);
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  it('shows my records grouped by type, with who recorded them', async () => {
    await page.goto(`${t.url}/#/my-records`);
    await page.getByRole('heading', { name: 'My records', level: 2 }).waitFor();
    const conditions = page.getByRole('tab', { name: /Conditions/ });
    await conditions.waitFor();
    assert.equal(await conditions.getAttribute('aria-selected'), 'true');
    const rows = page.getByRole('table', { name: 'Conditions' }).locator('tbody tr');
    assert.ok((await rows.count()) > 0);
    await page.getByRole('tab', { name: /Results & vitals/ }).click();
    await page
      .getByRole('table', { name: 'Results & vitals' })
      .getByText("St Mary's Hospital", { exact: true })
      .filter({ visible: true })
      .first()
      .waitFor();
    await page.getByRole('tab', { name: /Conditions/ }).click();
    await screenshot(page, 'patient-records');
  });

  it('shows what is missing at each field of an incomplete grant, and grants nothing', async () => {
    await page.goto(`${t.url}/#/consents`);
    await page.getByRole('heading', { name: 'Consents you have given' }).waitFor();
    await page.getByRole('button', { name: 'Grant access', exact: true }).click();
    await page.getByText('Choose who may see your records').waitFor();
    await page.getByText('Choose what they may use them for').waitFor();
    await page.getByText('Choose the last day of access').waitFor();
    assert.deepEqual(await (await t.api('/api/v1/consents', { token: own })).json(), []);
  });

  it('grants Dr Priya Patel access, then revokes it', async () => {
    assert.equal(await patelReads(), 403);
    await page.getByRole('combobox', { name: 'Who' }).fill('Patel');
    await page.getByRole('option', { name: 'Priya Patel — Riverside Medical Center' }).click();
    await page.getByLabel('Valid until').fill(`${String(new Date().getFullYear() + 1)}-06-30`);
    await page.getByRole('radio', { name: 'Treatment' }).check();
    await page.getByRole('button', { name: 'Grant access', exact: true }).click();
    await page.getByText(/Priya Patel — Riverside Medical Center may now see all your records/).waitFor();
    const row = page.getByRole('row').filter({ hasText: 'Priya Patel' });
    await row.getByText('active', { exact: true }).waitFor();
    assert.equal(await patelReads(), 200);
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'patient-consents');

    await row.getByRole('button', { name: 'Revoke access of Priya Patel' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke access' }).click();
    await row.getByText('revoked', { exact: true }).waitFor();
    assert.equal(await row.getByRole('button', { name: /Revoke/ }).count(), 0);
    assert.equal(await patelReads(), 403);
  });

  it('highlights a break-glass access in the access log', async () => {
    const reason = encodeURIComponent('Unconscious in the ER, no consent on file');
    const r = await t.api(
      `/api/v1/patients/${patientId}/records?purpose=emergency&breakGlassReason=${reason}`,
      {
        token: patel,
      },
    );
    assert.equal(r.status, 200);
    // The read answers before its access event is in a block, and the page shows the chain's log:
    // on a loaded machine the page could load first and never show it.
    for (const until = Date.now() + 15_000; ;) {
      const log = await t.api(`/api/v1/patients/${patientId}/access-log?order=newest`, { token: own });
      const events = (await log.json()) as { breakGlass: boolean }[];
      if (events.some((e) => e.breakGlass) || Date.now() > until) break;
      await new Promise((res) => setTimeout(res, 100));
    }
    await page.goto(`${t.url}/#/access-log`);
    await page.getByRole('heading', { name: 'Who accessed my data', level: 2 }).waitFor();
    await page.getByRole('alert').filter({ hasText: 'Emergency access without your consent' }).waitFor();
    const glass = page.locator('tr[data-break-glass="true"]');
    await glass.first().waitFor();
    assert.equal(await glass.count(), 1);
    await glass.getByText('Priya Patel').waitFor();
    await glass.getByText('Break-glass').waitFor();
    // The stated reason is shown to the patient (sealed for them, the organization and auditors).
    await glass.getByText('Reason given: “Unconscious in the ER, no consent on file”').waitFor();
    // Patel's refused reads (before the consent and after its revocation) are there too, not red.
    const refused = page.getByRole('row').filter({ hasText: 'Priya Patel' }).filter({ hasText: 'Refused' });
    assert.ok((await refused.count()) >= 1);
    await screenshot(page, 'patient-access-log');

    await page.getByLabel('Break-glass only').check({ force: true });
    // Every other row goes.
    await page
      .locator('table[aria-label="Access log"] tbody tr:not([data-break-glass])')
      .first()
      .waitFor({ state: 'detached' });
    assert.equal(await page.locator('tr[data-break-glass="true"]').count(), 1);
  });

  it('downloads my whole record as one FHIR Bundle, across pages', async () => {
    const token = own;
    const first = (await (
      await t.api(`/fhir/R4/Patient/${patientId}/$everything`, {
        token,
        headers: { accept: 'application/fhir+json' },
      })
    ).json()) as { total: number; link: { relation: string }[] };
    assert.ok(
      first.link.some((l) => l.relation === 'next'),
      'the record spans several pages',
    );

    await page.goto(`${t.url}/#/my-data`);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download my records (FHIR)' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^medledger-records-\d{4}-\d{2}-\d{2}\.fhir\.json$/);
    const bundle = JSON.parse(readFileSync(await download.path(), 'utf8')) as {
      resourceType: string;
      type: string;
      entry: { resource: { resourceType: string; id: string }; search?: unknown }[];
    };
    assert.equal(bundle.resourceType, 'Bundle');
    assert.equal(bundle.type, 'collection');
    assert.equal(bundle.entry.length, first.total);
    assert.equal(
      new Set(bundle.entry.map((e) => `${e.resource.resourceType}/${e.resource.id}`)).size,
      first.total,
    );
    assert.ok(bundle.entry.some((e) => e.resource.resourceType === 'Patient' && e.resource.id === patientId));
    assert.ok(bundle.entry.every((e) => e.search === undefined));
    await page.getByText(`with ${String(first.total)} resources`).waitFor();
  });
});
