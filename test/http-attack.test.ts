/**
 * @module
 * The attack lab over real HTTP: admin and auditor only, a 404 before any report, schema-checked
 * run requests and chart names, and a quick run of two scenarios in a worker thread (the node keeps
 * answering meanwhile) that is saved and served back with its SVG charts; the node itself stays
 * healthy, since the lab only ever attacks snapshots.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AttackReport } from '../src/attack/report.ts';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

interface ErrorJson {
  error: { code: string };
}

async function expectError(r: Response, status: number, code: string): Promise<void> {
  const text = await r.text();
  assert.equal(r.status, status, text);
  assert.equal((JSON.parse(text) as ErrorJson).error.code, code, text);
}

describe('http attack lab', () => {
  let t: TestNode;
  let auditor: string;
  let admin: string;
  let doctor: string;

  before(async () => {
    t = await startTestNode({ patients: 1 });
    [auditor, admin, doctor] = await Promise.all([
      t.login(DEMO.auditor),
      t.login(DEMO.admin),
      t.login(DEMO.chen),
    ]);
  });
  after(async () => {
    await t.close();
  });

  it('requires a token', async () => {
    await expectError(await t.api('/api/v1/attack-lab/report'), 401, 'ML_ERR_AUTH_FAILED');
  });

  it('is for admins and auditors only', async () => {
    await expectError(
      await t.api('/api/v1/attack-lab/report', { token: doctor }),
      403,
      'ML_ERR_ROLE_FORBIDDEN',
    );
    await expectError(
      await t.api('/api/v1/attack-lab/run', { token: doctor, body: { scenarios: ['mining'], quick: true } }),
      403,
      'ML_ERR_ROLE_FORBIDDEN',
    );
  });

  it('answers 404 before any report exists', async () => {
    await expectError(await t.api('/api/v1/attack-lab/report', { token: auditor }), 404, 'ML_ERR_NOT_FOUND');
    await expectError(
      await t.api('/api/v1/attack-lab/charts/mining-time.svg', { token: auditor }),
      404,
      'ML_ERR_NOT_FOUND',
    );
  });

  it('rejects malformed run requests and unknown chart names', async () => {
    for (const body of [
      { scenarios: ['mining'], quick: false },
      { scenarios: ['teleport'], quick: true },
      { scenarios: [], quick: true },
      { quick: true },
      { scenarios: ['mining'], quick: true, full: true },
    ])
      await expectError(
        await t.api('/api/v1/attack-lab/run', { token: admin, body }),
        400,
        'ML_ERR_HTTP_BAD_REQUEST',
      );
    await expectError(
      await t.api('/api/v1/attack-lab/charts/report.svg', { token: auditor }),
      400,
      'ML_ERR_HTTP_BAD_REQUEST',
    );
  });

  it('runs quick scenarios in a worker, saves the report and serves it with its charts', async () => {
    const run = t.api('/api/v1/attack-lab/run', {
      token: auditor,
      body: { scenarios: ['mining', 'forgery'], quick: true },
    });
    // The event loop keeps answering while the lab hashes.
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      assert.equal((await t.api('/health')).status, 200);
      assert.ok(performance.now() - t0 < 1000);
      await new Promise((r) => setTimeout(r, 50));
    }
    const r = await run;
    assert.equal(r.status, 200);
    const report = (await r.json()) as AttackReport;
    assert.deepEqual(Object.keys(report.scenarios).sort(), ['forgery', 'mining']);
    assert.equal(report.runs.mining?.quick, true);
    assert.equal(report.scenarios.forgery?.rejected, report.scenarios.forgery?.attempted);

    const saved = await t.api('/api/v1/attack-lab/report', { token: admin });
    assert.equal(saved.status, 200);
    assert.deepEqual(await saved.json(), report);

    const chart = await t.api('/api/v1/attack-lab/charts/mining-time.svg', { token: auditor });
    assert.equal(chart.status, 200);
    assert.match(chart.headers.get('content-type') ?? '', /^image\/svg\+xml/);
    assert.match(await chart.text(), /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    await expectError(
      await t.api('/api/v1/attack-lab/charts/rewrite-time.svg', { token: auditor }),
      404,
      'ML_ERR_NOT_FOUND',
    );
    const health = await t.api('/health');
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ok');
  });
});
