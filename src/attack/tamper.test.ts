/**
 * @module
 * Tamper detection with the real IntegrityMonitor on a short interval: each edit of the SQLite file
 * is reported at its exact height (and transaction) within a few intervals, and the node is healthy
 * again once the edit is undone. The same on a snapshot of a given data directory, which stays
 * byte-for-byte untouched.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MedicalNode } from '../medical/medical-node.ts';
import { runTamper } from './tamper.ts';
import type { TamperResult } from './tamper.ts';

const root = mkdtempSync(join(tmpdir(), 'medledger-attack-tamper-test-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});
const INTERVAL = 100;

function assertDetected(t: TamperResult): void {
  assert.equal(t.baselineOk, true);
  const head = t.chain.height;
  assert.deepEqual(
    t.cases.map((c) => c.edit),
    ['tx-body', 'block-header', 'tail-deleted'],
  );
  const [body, header, tail] = t.cases;
  assert.ok(Number.isInteger(body!.target.tx) && body!.target.tx! >= 0);
  assert.equal(header!.target.height, head - 1);
  assert.equal(tail!.target.height, head);
  for (const c of t.cases) {
    assert.equal(c.detected, true, c.edit);
    assert.ok(c.detectedMs! <= 20 * INTERVAL, `${c.edit}: ${String(c.detectedMs)} ms`);
    assert.ok(c.monitorRuns >= 1);
    const lowest = Math.min(...c.reported.map((p) => p.height));
    assert.equal(lowest, c.target.height, `${c.edit}: ${JSON.stringify(c.reported)}`);
    assert.ok(
      c.reported.some(
        (p) => p.height === c.target.height && p.tx === c.target.tx && p.kind === c.expectedKind,
      ),
      `${c.edit}: ${JSON.stringify(c.reported)}`,
    );
    assert.equal(c.located, true);
    assert.equal(c.restored, true, c.edit);
  }
  assert.equal(body!.expectedKind, 'tx-id');
  assert.ok(header!.reported.some((p) => p.kind === 'block-hash' && p.height === head - 1));
  assert.ok(tail!.reported.some((p) => p.kind === 'head-witness' && p.height === head));
}

describe('tamper', () => {
  it('reports each edit of a running fresh node at its exact place, and recovers', async () => {
    const t = await runTamper({ intervalMs: INTERVAL, freshBlocks: 4, freshDifficulty: 2, timeoutMs: 5000 });
    assert.equal(t.source, 'fresh');
    assertDetected(t);
  });

  it('works on a snapshot of a given data directory without touching it', async () => {
    const dir = join(root, 'node');
    const { node } = await MedicalNode.open(dir, {
      kdf: { N: 2 ** 10, r: 8, p: 1 },
      adminPassword: 'attack-lab-test-password',
      difficulty: 2,
      org: { id: 'lab-org', name: 'Lab Org' },
    });
    for (let b = 0; b < 3; b++) {
      await node.ledger.addData({ sample: 'attack-lab', b });
      await node.commit();
    }
    const height = node.ledger.height;
    await node.close();
    const digest = (f: string): string =>
      createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex');
    const before = [digest('ledger.sqlite'), digest('vault.sqlite')];
    const t = await runTamper({ dataDir: dir, intervalMs: INTERVAL, timeoutMs: 5000 });
    assert.equal(t.source, 'copy');
    // Opened as its own organization: nothing was added to the snapshot's chain.
    assert.equal(t.chain.height, height);
    assertDetected(t);
    assert.deepEqual([digest('ledger.sqlite'), digest('vault.sqlite')], before);
  });
});
