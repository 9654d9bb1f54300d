/**
 * @module
 * The history rewrite, end to end at small parameters: the attacker's chain is rejected by the real
 * verifier at exactly the rewritten heights and for exactly the signatures it could not make, the
 * insider with the node key is not (so the test would notice a verifier that rejects everything),
 * the data directory given as a source is never touched, and the cost extrapolation is the formula.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { canonicalize } from '../core/canonical-json.ts';
import type { Json } from '../core/canonical-json.ts';
import { mutatePayload } from './rewrite-chain.ts';
import { runRewrite, verdictOf } from './rewrite.ts';
import type { Located } from './rewrite.ts';
import { buildFreshChain } from './workspace.ts';

const root = mkdtempSync(join(tmpdir(), 'medledger-attack-rewrite-test-'));
after(() => {
  rmSync(root, { recursive: true, force: true });
});

const SMALL = {
  gridDifficulties: [0, 4],
  gridDepths: [1, 2],
  budgetMs: 50,
  rateAttempts: 20_000,
} as const;
const key = (p: Located): string =>
  `${String(p.height)}/${p.tx === undefined ? '-' : String(p.tx)}/${p.kind}`;

describe('mutatePayload', () => {
  it('always changes the canonical encoding and keeps it canonicalizable', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const m = mutatePayload(v as Json);
        assert.notEqual(canonicalize(m), canonicalize(v));
      }),
      { numRuns: 300 },
    );
  });
});

describe('rewrite', () => {
  it('is rejected at the rewritten heights, by the signatures the attacker could not make', async () => {
    const r = await runRewrite({ freshBlocks: 5, freshDifficulty: 4, depth: 3, ...SMALL });
    assert.equal(r.source, 'fresh');
    assert.equal(r.chain.height, 5);
    // Block k = 5 − 3 + 1 = 3, its middle transaction of three.
    assert.deepEqual([r.attack.height, r.attack.tx, r.attack.head, r.attack.blocks], [3, 1, 5, 3]);
    assert.equal(r.attack.txType, 'data.put');
    assert.equal(r.attack.resignedTx, false); // the node signed it: the attacker cannot
    assert.ok(r.attack.attempts >= 3);
    assert.equal(r.verdict.ok, false);
    assert.deepEqual(
      r.verdict.problems.map(key).sort(),
      [
        '3/-/block-signature',
        '3/1/tx-signature',
        '4/-/block-signature',
        '5/-/block-signature',
        '5/-/head-witness',
      ].sort(),
    );
    assert.equal(r.verdict.firstHeight, 3);
    assert.deepEqual(r.verdict.blockSignatureFailures, [3, 4, 5]);
    assert.deepEqual(r.verdict.txSignatureFailures, [{ height: 3, tx: 1 }]);
    assert.equal(r.verdict.witness, 'exposes');
  });

  it('an insider with the node key rewrites undetected: signatures, not proof-of-work, protect history', async () => {
    const r = await runRewrite({ freshBlocks: 3, freshDifficulty: 2, depth: 2, ...SMALL });
    assert.ok(r.insider);
    assert.equal(r.insider.resignedTx, true);
    assert.deepEqual(r.insider.verdict.problems, []);
    assert.equal(r.insider.verdict.ok, true);
    assert.equal(r.insider.verdict.witness, 'consistent');
    assert.match(r.finality, /finality votes/);
  });

  it('attacks a snapshot of a given data directory and leaves the directory untouched', async () => {
    const dir = join(root, 'source');
    await buildFreshChain(dir, { blocks: 4, txsPerBlock: 2, difficulty: 2 });
    const digest = (): string =>
      createHash('sha256')
        .update(readFileSync(join(dir, 'ledger.sqlite')))
        .digest('hex');
    const before = digest();
    const r = await runRewrite({ dataDir: dir, depth: 1, ...SMALL });
    assert.equal(r.source, 'copy');
    assert.deepEqual([r.attack.height, r.attack.head, r.attack.tx], [4, 4, 1]);
    assert.deepEqual(r.verdict.blockSignatureFailures, [4]);
    assert.equal(digest(), before);
    assert.equal((await verdictOf(dir)).ok, true);
  });

  it('measures small cells, extrapolates the rest with the measured rate', async () => {
    const r = await runRewrite({
      freshBlocks: 2,
      freshDifficulty: 0,
      depth: 1,
      ...SMALL,
      gridDifficulties: [0, 30],
    });
    const measured = r.grid.filter((c) => c.measured);
    assert.deepEqual(
      measured.map((c) => [c.difficulty, c.depth]),
      [
        [0, 1],
        [0, 2],
      ],
    );
    for (const c of measured) assert.equal(c.attempts, c.depth); // difficulty 0: the first nonce wins
    // 2^30 attempts cannot fit a 50 ms budget: extrapolated, not mined.
    assert.ok(r.grid.filter((c) => c.difficulty === 30).every((c) => !c.measured && c.ms > 50));
    for (const c of r.extrapolated) {
      const want = c.depth * ((2 ** c.difficulty * 1000) / r.hashesPerSec + r.overheadMsPerBlock);
      assert.ok(Math.abs(c.ms - want) <= 1e-9 * want, `d=${String(c.difficulty)} depth=${String(c.depth)}`);
    }
  });
});
