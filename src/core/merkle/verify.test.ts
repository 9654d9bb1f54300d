import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../bytes.ts';
import type { MedLedgerError } from '../errors.ts';
import {
  ArgumentTypeError,
  ArgumentValueError,
  MerkleIndexError,
  ProofSizeError,
  RootMismatchError,
} from '../errors.ts';
import { rfc6962 } from './hasher.ts';
import { refLeaves, refPath, refProof, refRoot } from './reference.test-util.ts';
import {
  CONSISTENCY_VECTORS,
  EMPTY_ROOT_HEX,
  INCLUSION_VECTORS,
  LEAVES_HEX,
  ROOTS_HEX,
} from './vectors.test-util.ts';
import { rootFromInclusionProof, verifyConsistency, verifyInclusion } from './verify.ts';

type ErrorClass = new (...args: never[]) => MedLedgerError;

const h = (hex: string) => fromHex(hex, 32, 'hash');
const LEAF_HASHES = LEAVES_HEX.map((hex) => rfc6962.hashLeaf(fromHex(hex, undefined, 'leaf')));
const root = (size: number) => h(ROOTS_HEX[size - 1]!);
const EMPTY = h(EMPTY_ROOT_HEX);
const OTHER = h('abacaba000000000000000000000000000000000000000000060061e00123456');

/** A copy of `proof` with bit 3 of byte 0 of hash i flipped. */
function flip(proof: readonly Uint8Array[], i: number): Uint8Array[] {
  return proof.map((p, j) => (j === i ? Uint8Array.from(p, (b, k) => (k === 0 ? b ^ 8 : b)) : p));
}

void describe('verifyInclusion', () => {
  // Leaf 5 of the 8-leaf CT tree; the proof is [leaf 4, MTH(D[6:8]), MTH(D[0:4])].
  const v = INCLUSION_VECTORS.find((x) => x.index === 5 && x.size === 8)!;
  const proof = v.proof.map(h);
  const leaf = LEAF_HASHES[5]!;
  const good = { index: 5, size: 8, leaf, proof, root: root(8) };
  const cases: { desc: string; error: ErrorClass; args: Partial<typeof good> }[] = [
    ...proof.map((_, i) => ({
      desc: `flipped bit in proof[${i}]`,
      error: RootMismatchError,
      args: { proof: flip(proof, i) },
    })),
    { desc: 'last hash dropped', error: ProofSizeError, args: { proof: proof.slice(0, -1) } },
    { desc: 'extra hash appended', error: ProofSizeError, args: { proof: [...proof, root(8)] } },
    { desc: 'extra hash prepended', error: ProofSizeError, args: { proof: [OTHER, ...proof] } },
    { desc: 'empty proof', error: ProofSizeError, args: { proof: [] } },
    { desc: 'index - 1', error: RootMismatchError, args: { index: 4 } },
    { desc: 'index + 1', error: RootMismatchError, args: { index: 6 } },
    { desc: 'index ^ 2', error: RootMismatchError, args: { index: 7 } },
    { desc: 'index = size', error: MerkleIndexError, args: { index: 8 } },
    // A size-8 proof also folds to root(8) when read as a size-7 proof (the hash in leaf 6's place
    // is opaque): only a signed tree head binds a root to its size. So pair size 7 with root(7).
    { desc: 'size - 1 with its root', error: RootMismatchError, args: { size: 7, root: root(7) } },
    { desc: 'size * 2', error: ProofSizeError, args: { size: 16 } },
    { desc: 'size / 2 (index out of range)', error: MerkleIndexError, args: { size: 4 } },
    { desc: 'wrong leaf', error: RootMismatchError, args: { leaf: LEAF_HASHES[4]! } },
    { desc: 'empty-tree root', error: RootMismatchError, args: { root: EMPTY } },
    { desc: 'other root', error: RootMismatchError, args: { root: root(7) } },
    { desc: 'root of 31 bytes', error: ArgumentValueError, args: { root: new Uint8Array(31) } },
    {
      desc: 'proof hash of 33 bytes',
      error: ArgumentValueError,
      args: { proof: [...proof.slice(1), new Uint8Array(33)] },
    },
    { desc: 'negative index', error: ArgumentValueError, args: { index: -1 } },
    { desc: 'index not a number', error: ArgumentTypeError, args: { index: '5' as unknown as number } },
  ];
  for (const { desc, error, args } of cases) {
    void it(`rejects ${desc}`, () => {
      const a = { ...good, ...args };
      assert.throws(() => {
        verifyInclusion(a.index, a.size, a.leaf, a.proof, a.root);
      }, error);
    });
  }

  void it('reports expected and calculated roots in hex', () => {
    assert.throws(
      () => {
        verifyInclusion(5, 8, leaf, proof, EMPTY);
      },
      (e) =>
        e instanceof RootMismatchError &&
        e.data.expected === EMPTY_ROOT_HEX &&
        e.data.calculated === ROOTS_HEX[7],
    );
  });

  void it('accepts the CT reference proofs', () => {
    for (const x of INCLUSION_VECTORS) {
      const proofX = x.proof.map(h);
      assert.equal(
        toHex(rootFromInclusionProof(x.index, x.size, LEAF_HASHES[x.index]!, proofX)),
        ROOTS_HEX[x.size - 1],
      );
      verifyInclusion(x.index, x.size, LEAF_HASHES[x.index]!, proofX, root(x.size));
    }
  });

  void it('accepts reference PATH proofs and rejects them with any bit flipped', () => {
    const cases = fc
      .integer({ min: 1, max: 300 })
      .chain((size) => fc.tuple(fc.nat(size - 1), fc.constant(size), fc.nat(), fc.nat(255)));
    fc.assert(
      fc.property(cases, ([index, size, which, byte]) => {
        const leaves = refLeaves(size);
        const path = refPath(index, leaves);
        verifyInclusion(index, size, leaves[index]!, path, refRoot(leaves));
        if (path.length === 0) return;
        const bad = path.map((p) => p.slice());
        bad[which % bad.length]![byte % 32]! ^= 1;
        assert.throws(() => {
          verifyInclusion(index, size, leaves[index]!, bad, refRoot(leaves));
        }, RootMismatchError);
      }),
      { numRuns: 150 },
    );
  });
});

void describe('verifyConsistency', () => {
  // 6 → 8 in the CT tree; the proof is [MTH(D[4:6]), MTH(D[6:8]), MTH(D[0:4])].
  const v = CONSISTENCY_VECTORS.find((x) => x.size1 === 6 && x.size2 === 8)!;
  const proof = v.proof.map(h);
  const good = { size1: 6, size2: 8, proof, root1: root(6), root2: root(8) };
  const cases: { desc: string; error: ErrorClass; args: Partial<typeof good> }[] = [
    ...proof.map((_, i) => ({
      desc: `flipped bit in proof[${i}]`,
      error: RootMismatchError,
      args: { proof: flip(proof, i) },
    })),
    { desc: 'last hash dropped', error: ProofSizeError, args: { proof: proof.slice(0, -1) } },
    { desc: 'extra hash appended', error: ProofSizeError, args: { proof: [...proof, root(6)] } },
    { desc: 'extra hash prepended', error: ProofSizeError, args: { proof: [proof[0]!, ...proof] } },
    { desc: 'empty proof', error: ProofSizeError, args: { proof: [] } },
    { desc: 'swapped root1/root2', error: RootMismatchError, args: { root1: root(8), root2: root(6) } },
    { desc: 'wrong root1', error: RootMismatchError, args: { root1: OTHER } },
    { desc: 'wrong root2', error: RootMismatchError, args: { root2: OTHER } },
    { desc: 'size1 > size2', error: MerkleIndexError, args: { size1: 9 } },
    { desc: 'size1 - 1', error: ProofSizeError, args: { size1: 5 } },
    { desc: 'size1 + 1', error: ProofSizeError, args: { size1: 7 } },
    { desc: 'size1 ^ 2', error: ProofSizeError, args: { size1: 4 } },
    // As for inclusion, the 6 → 8 proof also fits size2 = 7 with root(8); pair it with root(7).
    { desc: 'size2 - 1 with its root', error: RootMismatchError, args: { size2: 7, root2: root(7) } },
    { desc: 'size2 * 2', error: ProofSizeError, args: { size2: 16 } },
    { desc: 'size2 / 2 (below size1)', error: MerkleIndexError, args: { size2: 4 } },
    { desc: 'size1 = 0 with a proof', error: ProofSizeError, args: { size1: 0 } },
    { desc: 'size1 = size2 with a proof', error: ProofSizeError, args: { size1: 8 } },
    { desc: 'root1 of 31 bytes', error: ArgumentValueError, args: { root1: new Uint8Array(31) } },
    { desc: 'proof not an array', error: ArgumentTypeError, args: { proof: 'x' as unknown as Uint8Array[] } },
  ];
  for (const { desc, error, args } of cases) {
    void it(`rejects ${desc}`, () => {
      const a = { ...good, ...args };
      assert.throws(() => {
        verifyConsistency(a.size1, a.size2, a.proof, a.root1, a.root2);
      }, error);
    });
  }

  void it('rejects equal sizes with different roots', () => {
    assert.throws(() => {
      verifyConsistency(8, 8, [], root(8), root(7));
    }, RootMismatchError);
    assert.throws(() => {
      verifyConsistency(0, 0, [], EMPTY, root(1));
    }, RootMismatchError);
  });

  void it('rejects an old empty tree whose root is not the empty root', () => {
    assert.throws(() => {
      verifyConsistency(0, 8, [], root(1), root(8));
    }, RootMismatchError);
  });

  void it('accepts empty proofs for equal sizes and an empty old tree', () => {
    verifyConsistency(8, 8, [], root(8), root(8));
    verifyConsistency(0, 0, [], EMPTY, EMPTY);
    verifyConsistency(0, 8, [], EMPTY, root(8));
  });

  void it('accepts the CT reference proofs', () => {
    for (const x of CONSISTENCY_VECTORS)
      verifyConsistency(x.size1, x.size2, x.proof.map(h), root(x.size1), root(x.size2));
  });

  void it('accepts reference PROOF proofs and rejects them with any bit flipped', () => {
    const cases = fc
      .integer({ min: 1, max: 300 })
      .chain((size2) =>
        fc.tuple(fc.integer({ min: 1, max: size2 }), fc.constant(size2), fc.nat(), fc.nat(255)),
      );
    fc.assert(
      fc.property(cases, ([size1, size2, which, byte]) => {
        const leaves = refLeaves(size2);
        const root1 = refRoot(leaves.slice(0, size1));
        const root2 = refRoot(leaves);
        const consistency = refProof(size1, leaves);
        verifyConsistency(size1, size2, consistency, root1, root2);
        if (consistency.length === 0) return;
        const bad = consistency.map((p) => p.slice());
        bad[which % bad.length]![byte % 32]! ^= 1;
        assert.throws(() => {
          verifyConsistency(size1, size2, bad, root1, root2);
        }, RootMismatchError);
      }),
      { numRuns: 150 },
    );
  });
});
