/**
 * Browser: the doctor workspace. Dr Chen (same organization) finds a patient, opens the chart,
 * adds and amends a note and adds a medication (each checked on the node too), and sees the
 * observation trends; Dr Patel (other organization, no consent) is refused, asks the patient for
 * access and breaks the glass, which the access log records.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { DEMO, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, newPage, screenshot } from './browser.ts';

interface Summary {
  id: string;
  name: string;
}
interface View {
  id: string;
  version: number;
  resource: { resourceType: string; content?: { attachment: { data: string } }[] } & Record<string, unknown>;
}

describe('doctor workspace', { timeout: 180_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  let patient: Summary;
  before(async () => {
    t = await startTestNode({
      patients: 3,
      server: process.env.PORTAL_DIR ? { portalDir: process.env.PORTAL_DIR } : {},
    });
    browser = await launch();
    const chen = await t.login(DEMO.chen);
    patient = ((await (await t.api('/api/v1/patients', { token: chen })).json()) as Summary[])[0]!;
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  const records = async (email: string): Promise<View[]> => {
    const token = await t.login(email);
    const r = await t.api(`/api/v1/patients/${patient.id}/records`, { token });
    assert.equal(r.status, 200);
    return (await r.json()) as View[];
  };

  it('finds a patient, adds and amends a note, adds a medication, shows trends', async () => {
    const page = await newPage(browser);
    await login(page, t.url, DEMO.chen, DEMO_PASSWORD);
    await page.getByRole('heading', { name: 'Patients', level: 2 }).waitFor();
    await page.getByLabel('Search patients').fill(patient.name.slice(0, 4));
    const link = page.getByRole('link', { name: patient.name });
    await link.waitFor();
    await screenshot(page, 'doctor-search');
    await link.click();
    await page.getByRole('heading', { name: patient.name, level: 2 }).waitFor();

    // A note: refused empty at the field, then saved with non-ASCII text (UTF-8 in base64).
    const note = `Seen today: cough improving, T 37.2 °C — continue plan (${String(Date.now())}).`;
    await page.getByRole('button', { name: 'Add note' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Add note' }).click();
    await dialog.getByText('Write the note (at least 3 characters)').waitFor();
    await dialog.getByRole('textbox', { name: 'Note', exact: true }).fill(note);
    await dialog.getByRole('button', { name: 'Add note' }).click();
    await page.getByRole('status').filter({ hasText: 'Note added to the chart' }).waitFor();
    await page.getByText(note).waitFor();
    const saved = (await records(DEMO.chen)).find(
      (v) =>
        v.resource.resourceType === 'DocumentReference' &&
        Buffer.from(v.resource.content?.[0]?.attachment.data ?? '', 'base64').toString('utf8') === note,
    );
    assert.ok(saved, 'the note is on the node, its text intact');

    // Amend it: the chart shows the correction and an "amended" badge, the history both versions.
    await page.getByRole('button', { name: 'Amend Progress note', exact: true }).click();
    await dialog.getByRole('textbox', { name: 'Note', exact: true }).fill(`${note} Corrected.`);
    await dialog.getByRole('button', { name: 'Save amendment' }).click();
    await page.getByRole('status').filter({ hasText: 'Note amended (version 2)' }).waitFor();
    await page.getByText(`${note} Corrected.`).first().waitFor();
    await page.getByRole('button', { name: 'History of Progress note', exact: true }).click();
    await dialog.getByRole('article', { name: 'Version 2' }).getByText('amended', { exact: true }).waitFor();
    await dialog.getByRole('article', { name: 'Version 1' }).getByText(note, { exact: true }).waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });

    // A medication: a malformed RxNorm code is refused at the field, then it is saved and listed.
    await page.getByRole('button', { name: 'Add medication' }).click();
    await dialog
      .getByRole('textbox', { name: 'Medication', exact: true })
      .fill('amoxicillin 500 MG Oral Capsule');
    await dialog.getByLabel('RxNorm code').fill('12ab');
    await dialog.getByLabel('Dosage').fill('500 mg by mouth three times daily for 7 days');
    await dialog.getByRole('button', { name: 'Add medication' }).click();
    await dialog.getByText('A RxNorm code has 1 to 8 digits').waitFor();
    await dialog.getByLabel('RxNorm code').fill('308182');
    await dialog.getByRole('button', { name: 'Add medication' }).click();
    await page.getByRole('status').filter({ hasText: 'Medication added to the chart' }).waitFor();
    await page.getByRole('tab', { name: /Medications/, selected: true }).waitFor();
    await page.getByText('500 mg by mouth three times daily for 7 days').waitFor();
    const med = (await records(DEMO.chen)).find(
      (v) =>
        v.resource.resourceType === 'MedicationStatement' && JSON.stringify(v.resource).includes('"308182"'),
    );
    assert.equal((med?.resource as { status?: string } | undefined)?.status, 'active');

    // Observation trends: the seeded vital signs give at least a heart-rate line chart.
    await page.getByRole('tab', { name: /Observations/ }).click();
    const hr = page.getByRole('figure', { name: 'Heart rate trend' });
    await hr.waitFor();
    assert.ok((await hr.locator('.recharts-line-dot').count()) >= 2, 'a heart-rate trend with its points');
    await page.evaluate('window.scrollTo(0, 0)');
    await screenshot(page, 'doctor-chart');
  });

  it('refuses another organization, takes an access request, and opens by breaking the glass', async () => {
    const page = await newPage(browser);
    await login(page, t.url, DEMO.patel, DEMO_PASSWORD);
    await page.getByText('No patients you may read yet.', { exact: false }).waitFor();
    await page.getByLabel('Open a chart by patient ID').fill(patient.id);
    await page.getByRole('button', { name: 'Open chart' }).click();
    await page.getByRole('alert').filter({ hasText: 'You have no consent to read this chart' }).waitFor();
    assert.equal(await page.getByRole('heading', { name: patient.name }).count(), 0);

    await page.getByRole('button', { name: 'Request access' }).click();
    await page.getByText('Tell the patient why you need access').waitFor();
    await page
      .getByRole('textbox', { name: 'Reason', exact: true })
      .fill('Referred for cardiology follow-up');
    await page.getByRole('button', { name: 'Request access' }).click();
    await page.getByRole('status').filter({ hasText: 'Request sent' }).waitFor();

    await page.getByRole('button', { name: 'Break the glass…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('logged on the chain under your name', { exact: false }).waitFor();
    await dialog.getByLabel('Reason for emergency access').fill('too short');
    await dialog.getByRole('button', { name: 'Break the glass and open the chart' }).click();
    await dialog.getByText('Give the emergency reason (at least 10 characters)').waitFor();
    const reason = 'Unconscious in the ED, need current medications';
    await dialog.getByLabel('Reason for emergency access').fill(reason);
    await dialog.getByRole('button', { name: 'Break the glass and open the chart' }).click();
    await page.getByRole('alert').filter({ hasText: 'Emergency access (break-glass)' }).waitFor();
    await page.getByRole('heading', { name: patient.name, level: 2 }).waitFor();
    await page.getByRole('tab', { name: /Medications/ }).click();
    await page.getByText('Emergency access (break-glass)').waitFor();
    await screenshot(page, 'doctor-break-glass');

    // The read went to the node as break-glass: the access log (auditor's view) says so.
    const auditor = await t.login(DEMO.auditor);
    const log = (await (await t.api('/api/v1/access-log', { token: auditor })).json()) as {
      requester: { name?: string };
      purpose: string;
      outcome: string;
      breakGlass?: unknown;
    }[];
    const patel = log.filter((e) => e.requester.name === 'Priya Patel');
    assert.ok(
      patel.some((e) => e.outcome === 'deny'),
      'the refused read is logged',
    );
    assert.ok(
      patel.some((e) => e.outcome === 'allow' && e.purpose === 'emergency' && e.breakGlass),
      'the emergency read is logged as break-glass',
    );

    await page.getByRole('button', { name: 'End emergency access' }).click();
    const request = page.getByRole('row').filter({ hasText: 'Referred for cardiology follow-up' });
    await request.getByText('pending', { exact: true }).waitFor();
  });
});
