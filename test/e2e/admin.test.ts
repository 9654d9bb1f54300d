/**
 * Browser: the admin workspace — enrolling a doctor and a patient (form validation first), revoking
 * a user, creating an API token that is shown once and works, revoking it, and running a full
 * verification from the Node page.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { syntheticPatients } from '../../src/sim/synthetic.ts';
import { DEMO, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, newPage, screenshot } from './browser.ts';

describe('portal admin', { timeout: 120_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  let page: Page;
  before(async () => {
    t = await startTestNode({
      patients: 3,
      server: process.env.PORTAL_DIR ? { portalDir: process.env.PORTAL_DIR } : {},
    });
    browser = await launch();
    page = await newPage(browser);
    await login(page, t.url, DEMO.admin, DEMO_PASSWORD);
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  async function addUser(f: {
    name: string;
    email: string;
    role: string;
    patientId?: string;
  }): Promise<void> {
    await page.getByRole('main').getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a user' });
    await dialog.getByLabel('Name').fill(f.name);
    await dialog.getByLabel('Email').fill(f.email);
    await dialog.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: f.role, exact: true }).click();
    if (f.patientId !== undefined) await dialog.getByLabel('Patient id').fill(f.patientId);
    await dialog.getByLabel('Initial password').fill('correct-horse-battery');
    await dialog.getByLabel('Confirm password').fill('correct-horse-battery');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByRole('row').filter({ hasText: f.email }).waitFor();
  }

  it('validates the new-user form at the fields before sending anything', async () => {
    await page.goto(`${t.url}/#/users`);
    await page.getByRole('main').getByRole('button', { name: 'Add user' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add a user' });
    await dialog.getByLabel('Email').fill('not-an-email');
    await dialog.getByRole('combobox', { name: 'Role' }).click();
    await page.getByRole('option', { name: 'Patient', exact: true }).click();
    await dialog.getByLabel('Initial password').fill('short');
    await dialog.getByLabel('Confirm password').fill('different');
    await dialog.getByRole('button', { name: 'Add user' }).click();
    for (const msg of [
      'Enter the person’s name',
      'Enter an email address like name@hospital.example',
      'Enter the FHIR Patient id',
      'Too short: use at least 10 characters',
      'The passwords do not match',
    ])
      await dialog.getByText(msg).waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(
      ((await (await t.api('/api/v1/users', { token: await t.login(DEMO.admin) })).json()) as unknown[])
        .length,
      5,
    );
  });

  it('enrolls a doctor and a patient who can then log in, and revokes the doctor', async () => {
    await addUser({ name: 'Ada Novak', email: 'dr.novak@stmarys.example', role: 'Doctor' });
    await page.getByText('Ada Novak was enrolled as doctor').waitFor();
    const patientId = syntheticPatients(3, { seed: 1, now: t.node.now })[1]!.patient.id!;
    await addUser({ name: 'Lee Morgan', email: 'lee.morgan@mail.example', role: 'Patient', patientId });
    // A patient's login waits for a second administrator: this admin sees it, and cannot approve it.
    await page.getByText("Lee Morgan's patient login waits for a second administrator's approval").waitFor();
    const pending = page.getByLabel('Patient logins awaiting approval');
    await pending.getByRole('button', { name: 'Approve' }).click();
    await pending.getByText('another admin of the organization').waitFor();
    await assert.rejects(t.login('lee.morgan@mail.example', 'correct-horse-battery'));
    const admin = await t.login(DEMO.admin);
    const second = {
      email: 'second.admin@stmarys.example',
      name: 'Second Admin',
      password: 'correct-horse-battery',
    };
    assert.equal(
      (await t.api('/api/v1/users', { token: admin, body: { ...second, role: 'admin' } })).status,
      201,
    );
    const approver = await t.login(second.email, second.password);
    const [waiting] = (await (await t.api('/api/v1/users/pending', { token: approver })).json()) as {
      keyId: string;
    }[];
    assert.equal(
      (await t.api(`/api/v1/users/${waiting!.keyId}/approve`, { token: approver, method: 'POST' })).status,
      201,
    );
    // Both can sign in with the initial password; the patient sees their own chart.
    await t.login('dr.novak@stmarys.example', 'correct-horse-battery');
    const pt = await t.login('lee.morgan@mail.example', 'correct-horse-battery');
    const mine = (await (await t.api('/api/v1/patients', { token: pt })).json()) as { id: string }[];
    assert.deepEqual(
      mine.map((p) => p.id),
      [patientId],
    );

    await page.getByRole('button', { name: 'Revoke Ada Novak' }).click();
    const dialog = page.getByRole('dialog', { name: 'Revoke Ada Novak?' });
    await dialog.getByText('identity.revoke').waitFor();
    await dialog.getByRole('button', { name: 'Revoke user' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page
      .getByRole('row')
      .filter({ hasText: 'dr.novak@stmarys.example' })
      .getByText('Revoked')
      .waitFor();
    await assert.rejects(t.login('dr.novak@stmarys.example', 'correct-horse-battery'));
    await screenshot(page, 'admin-users');
  });

  it('creates an API token shown once, which works until it is revoked', async () => {
    await page.goto(`${t.url}/#/tokens`);
    await page.getByText('No API tokens yet').waitFor();
    await page.getByRole('main').getByRole('button', { name: 'Create token' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API token' });
    await dialog.getByRole('button', { name: 'Create token' }).click();
    await dialog.getByText('Give the token a name').waitFor();
    await dialog.getByLabel('Name').fill('nightly export');
    await dialog.getByLabel('Expires after (days)').fill('30');
    await dialog.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('dialog', { name: 'Token “nightly export” created' });
    await shown.getByText('it will not be shown again').waitFor();
    const token = (await shown.getByLabel('New API token').textContent())?.trim() ?? '';
    assert.match(token, /^mlt_/);
    await shown.getByRole('button', { name: 'Copy token' }).waitFor();
    assert.equal((await t.api('/api/v1/auth/me', { token })).status, 200);
    await shown.getByRole('button', { name: 'Done' }).click();

    const row = page.getByRole('row').filter({ hasText: 'nightly export' });
    await row.getByText('Active').waitFor();
    await row.getByRole('button', { name: 'Revoke token nightly export' }).click();
    await page
      .getByRole('dialog', { name: 'Revoke token “nightly export”?' })
      .getByRole('button', { name: 'Revoke token' })
      .click();
    await row.getByText('Revoked').waitFor();
    assert.equal((await t.api('/api/v1/auth/me', { token })).status, 401);
    // The token never reaches the page again.
    assert.ok(!(await page.content()).includes(token));
  });

  it('runs a full verification with every signature from the Node page', async () => {
    await page.goto(`${t.url}/#/node`);
    await page.getByText('Verified', { exact: true }).waitFor();
    await page.getByText(t.node.ledger.signer.keyId.slice(0, 16)).first().waitFor();
    const runsBefore = (
      (await (await t.api('/api/v1/integrity', { token: await t.login(DEMO.admin) })).json()) as {
        runs: number;
      }
    ).runs;
    await page.getByRole('button', { name: 'Verify now' }).click();
    await page.getByText('Full verification passed').waitFor();
    await page.getByText('checked with every signature').waitFor();
    const after = (await (await t.api('/api/v1/integrity', { token: await t.login(DEMO.admin) })).json()) as {
      runs: number;
      lastRun: { signatures: boolean };
    };
    assert.ok(after.runs > runsBefore);
    await screenshot(page, 'admin-node');
  });
});
