import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../bytes.ts';
import { ArgumentTypeError, ArgumentValueError } from '../errors.ts';
import { rfc6962 } from './hasher.ts';
import { refLeaves, refRoot } from './reference.test-util.ts';
import { merkleRoot } from './root.ts';
import { EMPTY_ROOT_HEX, LEAVES_HEX, ROOTS_HEX } from './vectors.test-util.ts';

void describe('merkleRoot', () => {
  void it('rejects leaf hashes of the wrong size or type', () => {
    assert.throws(() => merkleRoot([new Uint8Array(32), new Uint8Array(31)]), ArgumentValueError);
    assert.throws(() => merkleRoot([new Uint8Array(31)]), ArgumentValueError);
    assert.throws(() => merkleRoot(['x' as unknown as Uint8Array]), ArgumentTypeError);
    assert.throws(() => merkleRoot('x' as unknown as Uint8Array[]), ArgumentTypeError);
  });

  void it('gives the empty root for no leaves', () => {
    assert.equal(toHex(merkleRoot([])), EMPTY_ROOT_HEX);
  });

  void it('gives the CT reference roots for sizes 1..8', () => {
    const leaves = LEAVES_HEX.map((hex) => rfc6962.hashLeaf(fromHex(hex, undefined, 'leaf')));
    ROOTS_HEX.forEach((root, i) => {
      assert.equal(toHex(merkleRoot(leaves.slice(0, i + 1))), root);
    });
  });

  void it('returns a copy for a single leaf', () => {
    const [leaf] = refLeaves(1);
    const root = merkleRoot([leaf!]);
    assert.deepEqual(root, leaf);
    assert.notEqual(root, leaf);
  });

  void it('matches the reference for random sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1100 }), (n) => {
        const leaves = refLeaves(n);
        assert.deepEqual(merkleRoot(leaves), refRoot(leaves));
      }),
      { numRuns: 40 },
    );
  });
});
