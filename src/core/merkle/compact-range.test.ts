import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../bytes.ts';
import { ArgumentTypeError, ArgumentValueError } from '../errors.ts';
import { CompactRange } from './compact-range.ts';
import { rfc6962 } from './hasher.ts';
import { refLeaf, refLeaves, refRoot } from './reference.test-util.ts';
import { EMPTY_ROOT_HEX, LEAVES_HEX, ROOTS_HEX } from './vectors.test-util.ts';

/** The reference root of the perfect subtree (level, index). */
function refNodeHash(leaves: readonly Uint8Array[], level: number, index: number): Uint8Array {
  return refRoot(leaves.slice(index * 2 ** level, (index + 1) * 2 ** level));
}

void describe('CompactRange', () => {
  void it('rejects a leaf hash of the wrong size', () => {
    const range = new CompactRange();
    assert.throws(() => range.append(new Uint8Array(31)), ArgumentValueError);
    assert.throws(() => range.append([1, 2] as unknown as Uint8Array), ArgumentTypeError);
    assert.equal(range.size, 0);
  });

  void it('rejects a frontier of the wrong length or hash size', () => {
    const h = new Uint8Array(32);
    assert.throws(() => CompactRange.fromFrontier(3, [h]), ArgumentValueError); // 3 = 2 + 1 needs 2
    assert.throws(() => CompactRange.fromFrontier(4, [h, h]), ArgumentValueError);
    assert.throws(() => CompactRange.fromFrontier(2, [new Uint8Array(16)]), ArgumentValueError);
    assert.throws(() => CompactRange.fromFrontier(-1, []), ArgumentValueError);
    assert.throws(() => CompactRange.fromFrontier(1, 'x' as unknown as Uint8Array[]), ArgumentTypeError);
  });

  void it('has the empty root when empty', () => {
    const range = new CompactRange();
    assert.equal(range.size, 0);
    assert.equal(toHex(range.root()), EMPTY_ROOT_HEX);
    assert.deepEqual(range.frontier(), []);
  });

  void it('gives the CT reference roots for sizes 1..8', () => {
    const range = new CompactRange();
    LEAVES_HEX.forEach((hex, i) => {
      range.append(rfc6962.hashLeaf(fromHex(hex, undefined, 'leaf')));
      assert.equal(range.size, i + 1);
      assert.equal(toHex(range.root()), ROOTS_HEX[i]);
    });
  });

  void it('returns the leaf then each completed parent, by level', () => {
    const leaves = refLeaves(8);
    const range = new CompactRange();
    const ids = leaves.map((leaf) => range.append(leaf).map(({ level, index }) => [level, index]));
    assert.deepEqual(ids, [
      [[0, 0]],
      [
        [0, 1],
        [1, 0],
      ],
      [[0, 2]],
      [
        [0, 3],
        [1, 1],
        [2, 0],
      ],
      [[0, 4]],
      [
        [0, 5],
        [1, 2],
      ],
      [[0, 6]],
      [
        [0, 7],
        [1, 3],
        [2, 1],
        [3, 0],
      ],
    ]);
  });

  void it('lists frontier ids largest first', () => {
    assert.deepEqual(CompactRange.frontierIds(0), []);
    assert.deepEqual(CompactRange.frontierIds(8), [{ level: 3, index: 0 }]);
    assert.deepEqual(CompactRange.frontierIds(13), [
      { level: 3, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
    // Safe integers beyond 2^32: no 32-bit truncation.
    const big = 2 ** 40 + 2 ** 33 + 1;
    assert.deepEqual(CompactRange.frontierIds(big), [
      { level: 40, index: 0 },
      { level: 33, index: 2 ** 7 },
      { level: 0, index: 2 ** 40 + 2 ** 33 },
    ]);
  });

  void it('does not let callers alter its state through returned or passed hashes', () => {
    const range = new CompactRange();
    const leaf = refLeaf(new Uint8Array([1]));
    range.append(leaf);
    const root = range.root();
    leaf.fill(0);
    range.root().fill(0);
    range.frontier()[0]?.fill(0);
    assert.deepEqual(range.root(), root);
  });

  void it('matches the reference root and node hashes for random sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 300 }), (n) => {
        const leaves = refLeaves(n);
        const range = new CompactRange();
        for (const leaf of leaves) {
          for (const node of range.append(leaf)) {
            assert.deepEqual(node.hash, refNodeHash(leaves, node.level, node.index));
          }
        }
        assert.deepEqual(range.root(), refRoot(leaves));
        const ids = CompactRange.frontierIds(n);
        assert.deepEqual(
          range.frontier(),
          ids.map((id) => refNodeHash(leaves, id.level, id.index)),
        );
      }),
      { numRuns: 60 },
    );
  });

  void it('resumes from a stored frontier to the same roots', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 100 }), (cut, more) => {
        const leaves = refLeaves(cut + more);
        const full = new CompactRange();
        leaves.slice(0, cut).forEach((leaf) => full.append(leaf));
        const resumed = CompactRange.fromFrontier(cut, full.frontier());
        assert.equal(resumed.size, cut);
        assert.deepEqual(resumed.root(), full.root());
        for (const leaf of leaves.slice(cut)) {
          assert.deepEqual(resumed.append(leaf), full.append(leaf));
          assert.deepEqual(resumed.root(), full.root());
        }
        assert.deepEqual(resumed.root(), refRoot(leaves));
      }),
      { numRuns: 40 },
    );
  });
});
