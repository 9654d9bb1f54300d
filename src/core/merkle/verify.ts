/**
 * @module
 * Verifies RFC 9162 §2.1.3.2 inclusion proofs and §2.1.4.2 consistency proofs, following the RFC
 * algorithms step by step. The expected proof length is checked first, so a proof of the wrong
 * size fails with ProofSizeError and a proof of the right size but wrong content with
 * RootMismatchError. Sizes may be any safe integer: no 32-bit bitwise operators.
 */
import { abytes, anat, bytesEqual, toHex } from '../bytes.ts';
import { ArgumentTypeError, MerkleIndexError, ProofSizeError, RootMismatchError } from '../errors.ts';
import { rfc6962 } from './hasher.ts';
import type { MerkleHasher } from './hasher.ts';

/**
 * The root that an inclusion proof for `leafHash` at `index` implies for a tree of `size` leaves.
 * Throws MerkleIndexError when index ≥ size and ProofSizeError for a proof of the wrong length.
 */
export function rootFromInclusionProof(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  hasher: MerkleHasher = rfc6962,
): Uint8Array {
  anat(index, 'index');
  anat(size, 'size');
  abytes(leafHash, hasher.size, 'leafHash');
  checkHashes(proof, hasher.size);
  if (index >= size) {
    throw new MerkleIndexError(`index ${index} out of range for size ${size}`, { index, size });
  }
  const want = pathLength(index, size - 1);
  if (proof.length !== want) throw new ProofSizeError(proof.length, want);
  // §2.1.3.2 steps 2–4 (the length check above makes the step 4/5 sn checks always pass).
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leafHash.slice();
  for (const p of proof) {
    if (isOdd(fn) || fn === sn) {
      r = hasher.hashChildren(p, r);
      while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = hasher.hashChildren(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return r;
}

/** Throws unless `proof` proves `leafHash` is leaf `index` of the tree of `size` leaves with `root`. */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
  hasher: MerkleHasher = rfc6962,
): void {
  abytes(root, hasher.size, 'root');
  const calculated = rootFromInclusionProof(index, size, leafHash, proof, hasher);
  if (!bytesEqual(calculated, root)) throw new RootMismatchError(toHex(root), toHex(calculated));
}

/**
 * Throws unless `proof` proves the tree of `size2` leaves with `root2` extends the tree of `size1`
 * leaves with `root1`. When size1 = size2 the proof must be empty and the roots equal; when
 * size1 = 0 the proof must be empty and root1 must be the empty-tree root MTH({}).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  proof: readonly Uint8Array[],
  root1: Uint8Array,
  root2: Uint8Array,
  hasher: MerkleHasher = rfc6962,
): void {
  anat(size1, 'size1');
  anat(size2, 'size2');
  checkHashes(proof, hasher.size);
  abytes(root1, hasher.size, 'root1');
  abytes(root2, hasher.size, 'root2');
  if (size1 > size2) throw new MerkleIndexError(`size1 ${size1} > size2 ${size2}`, { size1, size2 });
  const want = consistencyLength(size1, size2);
  if (proof.length !== want) throw new ProofSizeError(proof.length, want);
  if (size1 === 0 || size1 === size2) {
    // Nothing to prove but the roots: MTH({}) for an empty old tree, equality for equal sizes.
    if (size1 === 0) expectRoot(root1, hasher.emptyRoot());
    if (size1 === size2) expectRoot(root2, root1);
    return;
  }

  // §2.1.4.2 steps 2–6.
  const [seed, ...path] = isPow2(size1) ? [root1, ...proof] : proof;
  if (seed === undefined) throw new ProofSizeError(0, want); // unreachable: want ≥ 1 here
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr = seed;
  let sr = seed;
  for (const c of path) {
    if (isOdd(fn) || fn === sn) {
      fr = hasher.hashChildren(c, fr);
      sr = hasher.hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = hasher.hashChildren(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  // Step 7 (sn = 0 is guaranteed by the length check).
  expectRoot(root1, fr);
  expectRoot(root2, sr);
}

/** Hashes in a consistency proof between sizes 0 ≤ size1 ≤ size2. @internal */
function consistencyLength(size1: number, size2: number): number {
  if (size1 === 0 || size1 === size2) return 0;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) [fn, sn] = [half(fn), half(sn)];
  // When size1 is a power of two the verifier prepends root1 itself (step 2).
  return pathLength(fn, sn) + (isPow2(size1) ? 0 : 1);
}

/** Iterations of the RFC 9162 §2.1.3.2 / §2.1.4.2 loop from (fn, sn) until sn reaches 0. @internal */
function pathLength(fn: number, sn: number): number {
  let n = 0;
  for (; sn > 0; n++) {
    if (isOdd(fn) || fn === sn) while (!isOdd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    [fn, sn] = [half(fn), half(sn)];
  }
  return n;
}

function expectRoot(expected: Uint8Array, calculated: Uint8Array): void {
  if (!bytesEqual(expected, calculated)) throw new RootMismatchError(toHex(expected), toHex(calculated));
}

function checkHashes(proof: readonly Uint8Array[], size: number): void {
  if (!Array.isArray(proof)) throw new ArgumentTypeError('proof', 'Uint8Array[]', proof);
  proof.forEach((p, i) => abytes(p, size, `proof[${i}]`));
}

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

function isPow2(n: number): boolean {
  let p = n;
  while (p > 1 && !isOdd(p)) p /= 2;
  return p === 1;
}
