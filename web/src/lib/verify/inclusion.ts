/**
 * @module
 * RFC 9162 §2.1.3.2 inclusion proof verification, step by step, keeping every step so the portal can
 * draw the path from the leaf to the root: at each step the sibling hash, whether it sits left or
 * right, the tree level, and the parent hash computed from the two.
 */
import type { Bytes } from './bytes.ts';
import { toHex } from './bytes.ts';
import { hashChildren } from './hashes.ts';

export interface PathStep {
  /** Height of the two children above the leaves (0 = leaf level). */
  readonly level: number;
  readonly sibling: string;
  /** Where the sibling sits: on the left we hash (sibling ‖ ours), on the right (ours ‖ sibling). */
  readonly side: 'left' | 'right';
  readonly parent: string;
}

export interface InclusionWalk {
  readonly steps: readonly PathStep[];
  /** The root the proof implies (hex). */
  readonly root: string;
}

/** Thrown when the proof's shape cannot fit `index` and `size` (RFC 9162 §2.1.3.2 steps 1, 3a, 4). */
export class ProofShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProofShapeError';
  }
}

/** Where each proof hash sits, from `index` and `size` alone (no hashing). */
export interface PathShape {
  readonly level: number;
  readonly side: 'left' | 'right';
}

/**
 * The shape of the audit path of leaf `index` in a tree of `size` leaves, checked against a proof of
 * `proofLength` hashes: RFC 9162 §2.1.3.2 steps 1–4 without the hashing. Throws ProofShapeError.
 */
export function inclusionShape(index: number, size: number, proofLength: number): PathShape[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0)
    throw new ProofShapeError(`index ${String(index)} and size ${String(size)} must be integers ≥ 0`);
  // Step 1: leaf_index must lie inside the tree.
  if (index >= size)
    throw new ProofShapeError(`leaf index ${String(index)} is outside a tree of ${String(size)}`);
  // Step 2: fn = leaf_index, sn = tree_size − 1. (No 32-bit bit operators: sizes may pass 2^31.)
  let fn = index;
  let sn = size - 1;
  let level = 0;
  const half = (n: number): number => Math.floor(n / 2);
  const shape: PathShape[] = [];
  for (let i = 0; i < proofLength; i++) {
    // Step 3a: a proof longer than the path is a failure.
    if (sn === 0) throw new ProofShapeError(`proof has ${String(proofLength)} hashes, more than the path`);
    if (fn % 2 === 1 || fn === sn) {
      // Right edge of an unbalanced tree: our node is carried up unchanged until it is a right child.
      // The RFC shifts after hashing; shifting first is the same arithmetic and gives the true level.
      while (fn % 2 === 0 && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
        level++;
      }
      shape.push({ level, side: 'left' });
    } else {
      shape.push({ level, side: 'right' });
    }
    fn = half(fn);
    sn = half(sn);
    level++;
  }
  // Step 4: the path must end at the root.
  if (sn !== 0) throw new ProofShapeError(`proof has ${String(proofLength)} hashes, fewer than the path`);
  return shape;
}

/** Walks `proof` from `leafHash` at `index` in a tree of `size` leaves, returning the implied root. */
export async function walkInclusion(
  index: number,
  size: number,
  leafHash: Bytes,
  proof: readonly Bytes[],
): Promise<InclusionWalk> {
  const shape = inclusionShape(index, size, proof.length);
  let r = leafHash;
  const steps: PathStep[] = [];
  for (const [i, p] of proof.entries()) {
    const { level, side } = shape[i]!;
    // A sibling on the left means our node is a right child: H(0x01 ‖ sibling ‖ ours).
    r = side === 'left' ? await hashChildren(p, r) : await hashChildren(r, p);
    steps.push({ level, sibling: toHex(p), side, parent: toHex(r) });
  }
  return { steps, root: toHex(r) };
}
