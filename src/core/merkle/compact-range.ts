/**
 * @module
 * The right frontier of a growing RFC 6962 / RFC 9162 §2.1.1 Merkle tree, in the manner of
 * transparency-dev/merkle `compact.Range` starting at 0: one perfect-subtree hash per set bit of
 * the size, so appending is amortised O(1) hashes and the root is O(log n), with no stored leaves.
 */
import { abytes, anat } from '../bytes.ts';
import { ArgumentTypeError, ArgumentValueError } from '../errors.ts';
import { rfc6962 } from './hasher.ts';
import type { MerkleHasher } from './hasher.ts';
import type { NodeId } from './node-id.ts';
import { subtreeNodeIds } from './node-id.ts';

/** A perfect node and its hash, as produced by {@link CompactRange.append}. */
export interface NodeWithHash {
  level: number;
  index: number;
  hash: Uint8Array;
}

/**
 * The frontier of leaves [0, size).
 *
 * @example
 * const range = new CompactRange();
 * for (const leaf of leaves) for (const node of range.append(rfc6962.hashLeaf(leaf))) store.put(node);
 * const root = range.root();
 */
export class CompactRange {
  readonly #hasher: MerkleHasher;
  /** Hashes of the nodes of `frontierIds(size)`, largest (leftmost) first. */
  readonly #hashes: Uint8Array[];
  #size: number;

  constructor(hasher: MerkleHasher = rfc6962) {
    this.#hasher = hasher;
    this.#hashes = [];
    this.#size = 0;
  }

  /** The perfect nodes covering [0, size), largest (leftmost) first: one per set bit of size. */
  static frontierIds(size: number): NodeId[] {
    return subtreeNodeIds(0, anat(size, 'size'));
  }

  /** Resumes a range from the hashes of `frontierIds(size)`, e.g. read back from a store. */
  static fromFrontier(
    size: number,
    hashes: readonly Uint8Array[],
    hasher: MerkleHasher = rfc6962,
  ): CompactRange {
    const want = CompactRange.frontierIds(size).length;
    if (!Array.isArray(hashes)) throw new ArgumentTypeError('hashes', 'Uint8Array[]', hashes);
    if (hashes.length !== want) {
      throw new ArgumentValueError('hashes', `got ${hashes.length} frontier hashes, want ${want}`, {
        got: hashes.length,
        want,
      });
    }
    const range = new CompactRange(hasher);
    hashes.forEach((h, i) => range.#hashes.push(abytes(h, hasher.size, `hashes[${i}]`).slice()));
    range.#size = size;
    return range;
  }

  /** The number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends one leaf hash. Returns every perfect node this completes: the leaf itself (level 0)
   * first, then each parent it completes, by increasing level.
   */
  append(leafHash: Uint8Array): NodeWithHash[] {
    abytes(leafHash, this.#hasher.size, 'leafHash');
    let hash: Uint8Array = leafHash.slice();
    let index = this.#size;
    const completed: NodeWithHash[] = [{ level: 0, index, hash }];
    // Each trailing 1-bit of the old size is a left sibling waiting for this leaf's subtree.
    for (let level = 1; index % 2 === 1; level++) {
      // Invariant: #hashes holds popcount(size) hashes, so there is one per trailing 1-bit.
      const left = this.#hashes.pop();
      if (left === undefined) throw new Error('CompactRange invariant broken: frontier too short');
      hash = this.#hasher.hashChildren(left, hash);
      index = (index - 1) / 2;
      completed.push({ level, index, hash });
    }
    this.#hashes.push(hash);
    this.#size++;
    return completed;
  }

  /** MTH of the leaves so far (RFC 9162 §2.1.1): the frontier folded right to left. */
  root(): Uint8Array {
    const hashes = this.#hashes;
    if (hashes.length === 0) return this.#hasher.emptyRoot();
    const root = hashes.reduceRight((right, left) => this.#hasher.hashChildren(left, right));
    // A copy when the root is a stored hash (one perfect subtree), so callers cannot alter it.
    return hashes.length === 1 ? root.slice() : root;
  }

  /** Copies of the frontier hashes, in `frontierIds(size)` order. */
  frontier(): Uint8Array[] {
    return this.#hashes.map((h) => h.slice());
  }
}
