/**
 * @module
 * The mining scenario at small parameters: every measured hash is recomputed and meets its
 * difficulty, rows beyond the budget are marked extrapolated and follow 2^d at the measured rate,
 * and the mining demo runs on a real ledger that verifies.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex } from '../core/bytes.ts';
import { leadingZeroBits } from '../core/pow.ts';
import { measureHashRate, runMining } from './mining.ts';

describe('mining', () => {
  it('measures the hash rate of the real miner', () => {
    const r = measureHashRate(20_000);
    assert.equal(r.attempts, 20_000);
    assert.ok(r.hashesPerSec > 1000 && Number.isFinite(r.hashesPerSec));
  });

  it('measures small difficulties, extrapolates large ones, next to 2^d', async () => {
    const m = await runMining({
      maxDifficulty: 10,
      maxMeasuredDifficulty: 6,
      budgetMs: 50,
      runs: 3,
      rateAttempts: 20_000,
      demoBlocks: 3,
      demoDifficulty: 4,
    });
    assert.equal(m.rows.length, 11);
    for (const r of m.rows) {
      assert.equal(r.expectedAttempts, 2 ** r.difficulty);
      assert.ok(Math.abs(r.expectedMs - (2 ** r.difficulty / m.hashesPerSec) * 1000) < 1e-9);
      if (r.difficulty <= 6) {
        assert.equal(r.measured, true, `d=${String(r.difficulty)}`);
        assert.equal(r.valid, true);
        assert.ok(r.runs >= 1 && r.runs <= 3);
        assert.ok(r.meanAttempts !== undefined && r.meanAttempts >= 1);
      } else {
        assert.equal(r.measured, false, `d=${String(r.difficulty)}`);
        assert.equal(r.runs, 0);
        assert.equal(r.meanAttempts, undefined);
      }
    }
    assert.deepEqual(
      m.demo.blocks.map((b) => b.index),
      [1, 2, 3],
    );
    for (const b of m.demo.blocks) {
      assert.ok(leadingZeroBits(fromHex(b.hash, 32, 'hash')) >= 4, b.hash);
      assert.match(b.hash, /^0/); // a demo's "Difficulty: 1": one leading zero hex digit
      assert.equal(b.attempts, b.nonce + 1); // nonces start at 0
    }
    assert.equal(m.demo.verified, true);
  });

  it('mines nothing the budget cannot hold', async () => {
    const m = await runMining({ maxDifficulty: 3, budgetMs: 0, rateAttempts: 5000, demoBlocks: 1 });
    assert.ok(m.rows.every((r) => !r.measured));
  });
});
