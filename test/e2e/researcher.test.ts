/**
 * Browser: the researcher workspace — an empty cohort explains itself; once patients grant research
 * consent, the cohort page shows their number and charts, and the OMOP export page shows the same
 * table counts as the API and downloads a table as CSV.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { DEMO, enrollPatients, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, newPage, screenshot } from './browser.ts';

const PATIENTS = 12;

describe('researcher workspace', { timeout: 180_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  let page: Page;

  /** Every synthetic patient gets an account and grants St Mary's research consent. */
  async function consentAll(): Promise<void> {
    const own = await t.login(DEMO.patient);
    const [me] = (await (await t.api('/api/v1/patients', { token: own })).json()) as { id: string }[];
    const doctor = await t.login(DEMO.chen);
    const all = (await (await t.api('/api/v1/patients?limit=50', { token: doctor })).json()) as {
      id: string;
    }[];
    const others = all.filter((p) => p.id !== me!.id);
    const tokens = [
      own,
      ...(await enrollPatients(
        t,
        others.map((p) => p.id),
        'research',
      )),
    ];
    const validTo = new Date(Date.now() + 30 * 86_400_000).toISOString();
    const grant = { grantee: { kind: 'organization', orgId: 'st-marys' }, purpose: 'research', validTo };
    const answers = await Promise.all(
      tokens.map((token) => t.api('/api/v1/consents', { token, body: grant })),
    );
    for (const r of answers) assert.equal(r.status, 201, await r.text());
  }

  before(async () => {
    t = await startTestNode({
      patients: PATIENTS,
      server: process.env.PORTAL_DIR ? { portalDir: process.env.PORTAL_DIR } : {},
    });
    browser = await launch();
    page = await newPage(browser);
    await login(page, t.url, DEMO.research, DEMO_PASSWORD);
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  it('explains an empty cohort', async () => {
    await page.goto(`${t.url}/#/cohorts`);
    await page.getByRole('heading', { name: 'No patients in your cohort yet' }).waitFor();
    await page.getByText(/grant research consent to you or to St Mary's Hospital/).waitFor();
  });

  it('shows the consented cohort in numbers and charts', async () => {
    await consentAll();
    await page.reload();
    const size = page.getByTestId('stat-Cohort size');
    await size.waitFor({ timeout: 60_000 });
    assert.equal(await size.textContent(), String(PATIENTS));
    for (const chart of ['Persons by age band', 'Most common conditions'])
      assert.ok((await page.getByLabel(chart).locator('.recharts-bar-rectangle').count()) > 0, chart);
    // Value labels: numbers for published bars, "<5" for small ones, nothing else.
    const labels = await page
      .getByLabel('Persons by age band')
      .locator('.recharts-label-list text')
      .allTextContents();
    assert.ok(labels.length > 0);
    for (const l of labels.filter((x) => x !== '')) assert.match(l, /^(\d+|<5)$/);

    const select = page.getByRole('combobox', { name: 'Condition' });
    const first = await select.inputValue();
    await select.click();
    const option = page.getByRole('option').nth(1);
    const second = (await option.textContent()) ?? '';
    await option.click();
    assert.notEqual(second, first);
    await page.getByText(new RegExp(`persons with ${second.replace(/[()]/g, '.')}`)).waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'researcher-cohorts');
  });

  it('shows the export counts of the API and downloads a table as CSV', async () => {
    const token = await t.login(DEMO.research);
    const { counts } = (await (await t.api('/api/v1/research/omop?format=json', { token })).json()) as {
      counts: Record<string, number>;
    };
    assert.equal(counts.person, PATIENTS);
    await page.goto(`${t.url}/#/export`);
    for (const [table, n] of Object.entries(counts)) {
      const cell = page.getByTestId(`rows-${table}`);
      await cell.waitFor({ timeout: 60_000 });
      assert.equal(((await cell.textContent()) ?? '').replace(/\D/g, ''), String(n), table);
    }
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download person as CSV' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'person.csv');
    const lines = readFileSync(await download.path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    assert.match(lines[0]!, /^person_id,gender_concept_id,year_of_birth,/);
    assert.equal(lines.length, PATIENTS + 1);
    await screenshot(page, 'researcher-export');
  });
});
