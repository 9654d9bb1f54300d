/**
 * @module
 * Tampering detected while the node runs: another process edits the node's SQLite files behind its
 * back (a stored transaction body, an old block header, a ciphertext in the vault) and within
 * seconds `/health` answers 503 `compromised` naming the height or record, the home page shows an
 * alert and the metrics say so; when the data is put back, the node reports ok again.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

interface Health {
  status: string;
  height: number;
  problems?: { height: number; kind: string; detail: string; record?: string; tx?: number }[];
}

const DETECT_WITHIN_MS = 10_000;

describe('http tamper', () => {
  let t: TestNode;
  let db: DatabaseSync;

  /** Polls /health until `want` holds; returns the answer and how long it took. */
  async function healthUntil(
    want: (status: number, h: Health) => boolean,
  ): Promise<{ h: Health; ms: number }> {
    const t0 = performance.now();
    for (;;) {
      const r = await t.api('/health');
      const h = (await r.json()) as Health;
      if (want(r.status, h)) return { h, ms: performance.now() - t0 };
      if (performance.now() - t0 > DETECT_WITHIN_MS)
        assert.fail(`not detected within ${String(DETECT_WITHIN_MS)} ms: ${r.status} ${JSON.stringify(h)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  const compromised = (s: number, h: Health): boolean => s === 503 && h.status === 'compromised';
  const healthy = (s: number, h: Health): boolean => s === 200 && h.status === 'ok';

  before(async () => {
    // The plain landing page (no portal build), whose banner is server-rendered; the portal's own
    // banner is tested in a browser (test/e2e/explorer.test.ts).
    t = await startTestNode({
      patients: 1,
      server: { monitorIntervalMs: 500, portalDir: '/nonexistent-portal/' },
    });
    db = new DatabaseSync(join(t.node.ledger.paths.dir, 'ledger.sqlite'));
    db.exec('PRAGMA busy_timeout = 5000');
  });
  after(async () => {
    db.close();
    await t.close();
  });

  it('is healthy before anything is touched', async () => {
    const r = await t.api('/health');
    assert.equal(r.status, 200);
    const h = (await r.json()) as Health;
    assert.equal(h.status, 'ok');
    assert.equal(h.height, t.node.ledger.height);
    assert.equal(h.problems, undefined);
    const home = await (await t.api('/')).text();
    assert.ok(!home.includes('Integrity alert'));
  });

  it('detects an edited transaction body in an old block, and recovers when it is put back', async () => {
    const row = db
      .prepare("SELECT seq, height, body FROM txs WHERE type = 'record.add' ORDER BY seq LIMIT 1")
      .get() as { seq: number; height: number; body: string };
    assert.ok(row.height < t.node.ledger.height - 2, 'an old block');
    const forged = row.body.replace(/"size":(\d+)/, (_m, n: string) => `"size":${String(Number(n) + 1)}`);
    assert.notEqual(forged, row.body);
    db.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(forged, row.seq);

    const { h, ms } = await healthUntil(compromised);
    assert.ok(ms < DETECT_WITHIN_MS);
    assert.ok(h.problems && h.problems.length > 0);
    assert.ok(
      h.problems.some((p) => p.height === row.height),
      `no problem at height ${String(row.height)}: ${JSON.stringify(h.problems)}`,
    );
    // The problem names what failed, not a bare "invalid".
    assert.ok(h.problems.every((p) => typeof p.kind === 'string' && p.detail.length > 0));

    // The portal's landing page and the metrics say so too.
    const home = await t.api('/');
    assert.equal(home.status, 200);
    assert.match(await home.text(), /Integrity alert: \d+ problem\(s\) found/);
    assert.match(await (await t.api('/metrics')).text(), /^medledger_integrity_ok 0$/m);
    const token = await t.login(DEMO.auditor);
    const status = (await (await t.api('/api/v1/integrity', { token })).json()) as Health;
    assert.equal(status.status, 'compromised');

    db.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(row.body, row.seq);
    await healthUntil(healthy);
    assert.match(await (await t.api('/metrics')).text(), /^medledger_integrity_ok 1$/m);
  });

  it('detects an edited block header', async () => {
    const height = 2;
    const row = db.prepare('SELECT header FROM blocks WHERE height = ?').get(height) as { header: string };
    const forged = row.header.replace(
      /"time":(\d+)/,
      (_m, n: string) => `"time":${String(Number(n) - 1000)}`,
    );
    assert.notEqual(forged, row.header);
    db.prepare('UPDATE blocks SET header = ? WHERE height = ?').run(forged, height);
    const { h } = await healthUntil(compromised);
    assert.ok(
      h.problems?.some((p) => p.height === height),
      `no problem at height ${String(height)}: ${JSON.stringify(h.problems)}`,
    );
    db.prepare('UPDATE blocks SET header = ? WHERE height = ?').run(row.header, height);
    await healthUntil(healthy);
  });

  it('detects an altered ciphertext in the vault', async () => {
    const record = [...t.node.state.records.values()][0]!;
    const vault = new DatabaseSync(join(t.node.ledger.paths.dir, 'vault.sqlite'));
    try {
      vault.exec('PRAGMA busy_timeout = 5000');
      const { data } = vault.prepare('SELECT data FROM record_blobs WHERE record = ?').get(record.id) as {
        data: Uint8Array;
      };
      const altered = Uint8Array.from(data);
      altered[altered.length - 1]! ^= 1;
      vault.prepare('UPDATE record_blobs SET data = ? WHERE record = ?').run(altered, record.id);

      const { h, ms } = await healthUntil(compromised);
      assert.ok(ms < DETECT_WITHIN_MS);
      const p = h.problems?.find((x) => x.kind === 'blob-mismatch');
      assert.ok(p, JSON.stringify(h.problems));
      assert.equal(p.record, record.id);
      assert.equal(p.height, record.height);
      assert.match(await (await t.api('/')).text(), /Integrity alert/);

      vault.prepare('UPDATE record_blobs SET data = ? WHERE record = ?').run(data, record.id);
      await healthUntil(healthy);
    } finally {
      vault.close();
    }
  });

  it('success: stays healthy while it keeps writing', async () => {
    const before = (await (await t.api('/health')).json()) as Health;
    const token = await t.login(DEMO.chen);
    for (let i = 0; i < 3; i++) {
      const r = await t.api('/api/v1/records', {
        token,
        body: { resourceType: 'Observation', status: 'final', code: { text: `x${String(i)}` } },
      });
      assert.equal(r.status, 201);
    }
    const { h } = await healthUntil((s, x) => healthy(s, x) && x.height > before.height);
    assert.equal(h.problems, undefined);
  });
});
