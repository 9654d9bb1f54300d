/**
 * @module
 * MTH(D[n]) of RFC 9162 §2.1.1 (RFC 6962 §2.1) for a list of leaf hashes held in memory, such as
 * the transactions of one block. Iterative: a stack of at most log2(n) + 1 subtree hashes, n − 1
 * node hashes, no recursion and no copy of the input.
 */
import { abytes } from '../bytes.ts';
import { ArgumentTypeError } from '../errors.ts';
import { rfc6962 } from './hasher.ts';
import type { MerkleHasher } from './hasher.ts';

/**
 * The RFC 6962 root of `leafHashes` (already leaf-hashed with `hasher.hashLeaf`).
 *
 * @example
 * const root = merkleRoot(txs.map((tx) => rfc6962.hashLeaf(tx.bytes)));
 */
export function merkleRoot(leafHashes: readonly Uint8Array[], hasher: MerkleHasher = rfc6962): Uint8Array {
  if (!Array.isArray(leafHashes)) throw new ArgumentTypeError('leafHashes', 'Uint8Array[]', leafHashes);
  const size = hasher.size;
  // stack[j] is a perfect subtree; their sizes are the set bits of i, largest first.
  const stack: Uint8Array[] = [];
  for (let i = 0; i < leafHashes.length; i++) {
    let hash = leafHashes[i] as Uint8Array;
    if (!(hash instanceof Uint8Array) || hash.length !== size) abytes(hash, size, `leafHashes[${i}]`);
    for (let n = i; n % 2 === 1; n = (n - 1) / 2) {
      const left = stack.pop();
      if (left === undefined) throw new Error('merkleRoot invariant broken: stack too short');
      hash = hasher.hashChildren(left, hash);
    }
    stack.push(hash);
  }
  if (stack.length === 0) return hasher.emptyRoot();
  const root = stack.reduceRight((right, left) => hasher.hashChildren(left, right));
  // A copy for a single leaf, so the root never aliases the caller's array.
  return leafHashes.length === 1 ? root.slice() : root;
}
