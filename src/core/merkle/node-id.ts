/**
 * @module
 * Node ids of a Merkle tree in the RFC 9162 §2.1.1 (RFC 6962 §2.1) layout, in the manner of
 * transparency-dev/merkle `compact.NodeID`: node (level, index) is the perfect subtree over leaves
 * [index·2^level, (index+1)·2^level); level 0 holds leaf hashes.
 *
 * Arithmetic here works on any safe integer (up to 2^53 − 1), so it avoids JS bitwise operators,
 * which truncate to 32 bits.
 */

/** A perfect subtree: leaves [index·2^level, (index+1)·2^level). Level 0 is a leaf hash. */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** A stable string key for maps and sets, e.g. `"3:5"`. */
export function nodeKey(id: NodeId): string {
  return `${id.level}:${id.index}`;
}

/**
 * The perfect nodes whose concatenation is the RFC 6962 subtree over leaves [lo, hi), largest
 * (leftmost) first. MTH(D[lo:hi]) is their right-to-left fold with the node hash.
 *
 * Precondition (holds for every subtree in the RFC's recursive split): lo is a multiple of the
 * largest power of two ≤ hi − lo.
 * @internal
 */
export function subtreeNodeIds(lo: number, hi: number): NodeId[] {
  const ids: NodeId[] = [];
  let offset = lo;
  let width = largestPow2AtMost(hi - lo);
  for (let level = log2(width); offset < hi; level--, width /= 2) {
    if (hi - offset >= width) {
      ids.push({ level, index: offset / width });
      offset += width;
    }
  }
  return ids;
}

/** The largest power of two ≤ n, for n ≥ 1 (0 for n = 0). @internal */
export function largestPow2AtMost(n: number): number {
  if (n < 1) return 0;
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/** The largest power of two < n, for n ≥ 2: the RFC 6962 split point k. @internal */
export function splitPoint(n: number): number {
  return largestPow2AtMost(n - 1);
}

/** log2 of a power of two. @internal */
export function log2(pow2: number): number {
  let level = 0;
  for (let w = pow2; w > 1; w /= 2) level++;
  return level;
}
