/**
 * Browser: the login page, wrong passwords, the "try as…" picker of a demo node, and logoff.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { DEMO_PASSWORD } from '../../src/cli/demo-data.ts';
import { DEMO, startTestNode } from '../support/http-node.ts';
import type { TestNode } from '../support/http-node.ts';
import { launch, login, logout, newPage, screenshot } from './browser.ts';

describe('portal login', { timeout: 120_000 }, () => {
  let t: TestNode;
  let browser: Browser;
  before(async () => {
    t = await startTestNode({ patients: 2 });
    browser = await launch();
  });
  after(async () => {
    await browser.close();
    await t.close();
  });

  it('rejects a wrong password with a generic message and keeps the form', async () => {
    const page = await newPage(browser);
    await page.goto(t.url);
    await page.getByLabel('Email').fill(DEMO.chen);
    await page.getByLabel('Password').first().fill('wrong-password');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Email or password is incorrect.' }).waitFor();
    assert.equal(await page.getByLabel('Email').inputValue(), DEMO.chen);
    await screenshot(page, 'login');
  });

  it('logs in with the form and out again', async () => {
    const page = await newPage(browser);
    await login(page, t.url, DEMO.chen, DEMO_PASSWORD);
    await page.getByText('Mei Chen').first().waitFor();
    await logout(page);
  });

  it('offers every demo identity in the "try as" picker and logs in with one click', async () => {
    const page = await newPage(browser);
    await page.goto(t.url);
    const picker = page.getByRole('button', { name: /^Try as / });
    await picker.first().waitFor();
    assert.equal(await picker.count(), 7);
    await page.getByRole('button', { name: /^Try as .*Auditor/ }).click();
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await page.getByRole('link', { name: 'Chain explorer' }).waitFor();
  });
});
