/**
 * Browser: one clinic story across roles, on one node — a doctor writes a note and a medication in
 * the demo patient's chart; the patient logs in, reads both in "My records" and sees the doctor's
 * visit in "Who accessed my data".
 */
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { DEMO, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, newPage } from './browser.ts';

describe('portal story: doctor writes, patient reads', { timeout: 120_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  let patientId: string;
  before(async () => {
    t = await startTestNode({
      patients: 2,
      server: process.env.PORTAL_DIR ? { portalDir: process.env.PORTAL_DIR } : {},
    });
    browser = await launch();
    const own = await t.login(DEMO.patient);
    patientId = ((await (await t.api('/api/v1/patients', { token: own })).json()) as { id: string }[])[0]!.id;
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  it("shows the patient the doctor's note and medication, and the doctor's visit", async () => {
    const note = `Reviewed blood pressure log; start home monitoring (${String(Date.now())}).`;
    const dosage = 'one tablet by mouth every morning';
    const doctor = await newPage(browser);
    await login(doctor, t.url, DEMO.chen, DEMO_PASSWORD);
    await doctor.goto(`${t.url}/#/chart/${patientId}`);
    await doctor.getByRole('button', { name: 'Add note' }).click();
    const dialog = doctor.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Note', exact: true }).fill(note);
    await dialog.getByRole('button', { name: 'Add note' }).click();
    await doctor.getByRole('status').filter({ hasText: 'Note added to the chart' }).waitFor();
    await doctor.getByRole('button', { name: 'Add medication' }).click();
    await dialog
      .getByRole('textbox', { name: 'Medication', exact: true })
      .fill('lisinopril 10 MG Oral Tablet');
    await dialog.getByLabel('Dosage').fill(dosage);
    await dialog.getByRole('button', { name: 'Add medication' }).click();
    await doctor.getByRole('status').filter({ hasText: 'Medication added to the chart' }).waitFor();

    const patient = await newPage(browser);
    await login(patient, t.url, DEMO.patient, DEMO_PASSWORD);
    await patient.goto(`${t.url}/#/my-records`);
    await patient.getByRole('tab', { name: /Notes & documents/ }).click();
    await patient.getByText(note).first().waitFor();
    await patient.getByRole('tab', { name: /Medications/ }).click();
    await patient.getByText(dosage).first().waitFor();
    await patient.goto(`${t.url}/#/access-log`);
    await patient.getByRole('heading', { name: 'Who accessed my data', level: 2 }).waitFor();
    await patient
      .getByRole('cell', { name: /Mei Chen/ })
      .first()
      .waitFor();
  });
});
