/**
 * @module
 * Plans RFC 9162 §2.1.3.1 inclusion proofs (RFC 6962 §2.1.1 PATH) and §2.1.4.1 consistency
 * proofs (RFC 6962 §2.1.2 SUBPROOF) as ids of stored perfect nodes, in the manner of
 * transparency-dev/merkle `proof.Inclusion` / `proof.Consistency`: a store fetches O(log n) nodes
 * and never rebuilds the tree.
 *
 * Every proof hash is MTH(D[lo:hi]) of a subtree from the RFC's recursive split. On the right
 * edge of the tree that subtree is not perfect ("ephemeral"), so the element lists the perfect
 * nodes covering [lo, hi) and {@link assembleProof} folds them.
 */
import { abytes, anat } from '../bytes.ts';
import { ArgumentValueError, MerkleIndexError } from '../errors.ts';
import { rfc6962 } from './hasher.ts';
import type { MerkleHasher } from './hasher.ts';
import type { NodeId } from './node-id.ts';
import { nodeKey, splitPoint, subtreeNodeIds } from './node-id.ts';

/**
 * One entry per hash of the final proof, in RFC 9162 order. Each entry lists perfect nodes left to
 * right; the proof hash is their right-to-left fold (h = n_k; h = hashChildren(n_i, h)).
 */
export interface ProofPlan {
  readonly elements: readonly (readonly NodeId[])[];
}

/** A leaf range [lo, hi) of the RFC split. @internal */
interface Span {
  lo: number;
  hi: number;
}

/**
 * Nodes for PATH(index, D[0:size]), bottom-up.
 *
 * @example
 * // Leaf 5 of 8: sibling leaf 4, then node (1, 3) over leaves 6–7, then node (2, 0) over leaves 0–3.
 * planInclusion(5, 8).elements; // [[{level: 0, index: 4}], [{level: 1, index: 3}], [{level: 2, index: 0}]]
 */
export function planInclusion(index: number, size: number): ProofPlan {
  anat(index, 'index');
  anat(size, 'size');
  if (index >= size) {
    throw new MerkleIndexError(`index ${index} out of range for size ${size}`, { index, size });
  }
  // Walk RFC 6962 PATH top-down: each split contributes the subtree on the other side of `index`.
  const topDown: Span[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const mid = lo + splitPoint(hi - lo);
    if (index < mid) {
      topDown.push({ lo: mid, hi });
      hi = mid;
    } else {
      topDown.push({ lo, hi: mid });
      lo = mid;
    }
  }
  return toPlan(topDown.reverse());
}

/**
 * Nodes for PROOF(size1, D[0:size2]) = SUBPROOF(size1, D[0:size2], true). Empty when
 * size1 = size2 or size1 = 0 (nothing to prove).
 */
export function planConsistency(size1: number, size2: number): ProofPlan {
  anat(size1, 'size1');
  anat(size2, 'size2');
  if (size1 > size2) throw new MerkleIndexError(`size1 ${size1} > size2 ${size2}`, { size1, size2 });
  if (size1 === 0 || size1 === size2) return { elements: [] };
  // Walk SUBPROOF top-down; each split appends the subtree not containing the old tree's edge.
  const topDown: Span[] = [];
  let lo = 0;
  let hi = size2;
  let isOldRoot = true; // the RFC's flag b: D[lo:hi] is still a prefix of the old tree
  while (size1 !== hi) {
    const mid = lo + splitPoint(hi - lo);
    if (size1 <= mid) {
      topDown.push({ lo: mid, hi });
      hi = mid;
    } else {
      topDown.push({ lo, hi: mid });
      lo = mid;
      isOldRoot = false;
    }
  }
  // SUBPROOF(m, D[m], false) = [MTH(D[m])]: the old tree's last subtree, unknown to the verifier.
  const spans = topDown.reverse();
  if (!isOldRoot) spans.unshift({ lo, hi });
  return toPlan(spans);
}

/** The distinct node ids of a plan, for one batch fetch. */
export function planNodeIds(plan: ProofPlan): NodeId[] {
  const byKey = new Map<string, NodeId>();
  for (const element of plan.elements) {
    for (const id of element) byKey.set(nodeKey(id), id);
  }
  return [...byKey.values()];
}

/** The proof hashes of a plan, from stored node hashes. `get` must return the hash of node `id`. */
export function assembleProof(
  plan: ProofPlan,
  get: (id: NodeId) => Uint8Array,
  hasher: MerkleHasher = rfc6962,
): Uint8Array[] {
  return plan.elements.map((element) => {
    const hashes = element.map((id) => abytes(get(id), hasher.size, `node ${nodeKey(id)}`));
    if (hashes.length === 0) throw new ArgumentValueError('plan', 'an element lists no nodes');
    const hash = hashes.reduceRight((right, left) => hasher.hashChildren(left, right));
    // A copy when the element is one stored node, so the proof does not alias the store's bytes.
    return hashes.length === 1 ? hash.slice() : hash;
  });
}

function toPlan(spans: readonly Span[]): ProofPlan {
  return { elements: spans.map(({ lo, hi }) => subtreeNodeIds(lo, hi)) };
}
