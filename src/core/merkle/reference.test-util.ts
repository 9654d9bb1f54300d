/**
 * @module
 * Test-only naive reference: RFC 6962 §2.1 MTH, PATH and PROOF/SUBPROOF transcribed literally
 * (recursive, slices, hashing with createHash) so that it shares no code with the fast module
 * it cross-checks.
 */
import { createHash } from 'node:crypto';

function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const part of parts) h.update(part);
  return new Uint8Array(h.digest());
}

/** SHA-256(0x00 ‖ data). */
export function refLeaf(data: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(0), data);
}

/** SHA-256(0x01 ‖ left ‖ right), any lengths. */
export function refNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  return sha256(Uint8Array.of(1), left, right);
}

/** The largest power of two smaller than n (n > 1). */
function k(n: number): number {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
}

/** MTH(D[n]) over leaf *hashes* (so MTH({d0}) = the leaf hash itself). */
export function refRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  const n = leafHashes.length;
  const [first] = leafHashes;
  if (first === undefined) return sha256();
  if (n === 1) return first;
  return refNode(refRoot(leafHashes.slice(0, k(n))), refRoot(leafHashes.slice(k(n))));
}

/** PATH(m, D[n]), bottom-up. */
export function refPath(m: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  const n = leafHashes.length;
  if (n <= 1) return [];
  const split = k(n);
  if (m < split) return [...refPath(m, leafHashes.slice(0, split)), refRoot(leafHashes.slice(split))];
  return [...refPath(m - split, leafHashes.slice(split)), refRoot(leafHashes.slice(0, split))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true); empty for m = 0 (RFC 9162 allows no proof there). */
export function refProof(m: number, leafHashes: readonly Uint8Array[]): Uint8Array[] {
  if (m === 0) return [];
  return subproof(m, leafHashes, true);
}

function subproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [refRoot(d)];
  const split = k(n);
  if (m <= split) return [...subproof(m, d.slice(0, split), b), refRoot(d.slice(split))];
  return [...subproof(m - split, d.slice(split), false), refRoot(d.slice(0, split))];
}

/** Distinct deterministic leaf data for leaf i, and its reference leaf hash. */
export function refLeaves(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => refLeaf(new TextEncoder().encode(`leaf ${i}`)));
}
