/**
 * @module
 * The chain's hashes, recomputed with WebCrypto (`crypto.subtle.digest('SHA-256')`), byte for byte
 * as src/core does them:
 *
 * - tag prefix: UTF-8 of `medledger:<what>:v1` then 0x00 (src/core/hash.ts).
 * - transaction id = RFC 6962 leaf hash of the tagged canonical body:
 *   SHA-256(0x00 ‖ "medledger:tx:v1" ‖ 0x00 ‖ body) (src/core/tx.ts). It is the tx's leaf in both
 *   the block tree and the log-wide tree, which take ids as leaf hashes as they are.
 * - Merkle node = SHA-256(0x01 ‖ left ‖ right) (RFC 6962 §2.1, RFC 9162 §2.1.1).
 * - block hash = SHA-256("medledger:block:v1" ‖ 0x00 ‖ RFC 8785 header) (src/core/block.ts).
 * - key id = SHA-256("medledger:key:v1" ‖ 0x00 ‖ raw Ed25519 public key) (src/core/keys.ts).
 * - proof-of-work: leading zero bits of the block hash ≥ header.difficulty (src/core/pow.ts).
 */
import type { Bytes } from './bytes.ts';
import { concat, utf8 } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';

export const TAGS = { tx: 'medledger:tx:v1', block: 'medledger:block:v1', key: 'medledger:key:v1' } as const;

/** WebCrypto, or a clear error where the page is not a secure context (plain http on a LAN address). */
type Subtle = typeof globalThis.crypto.subtle;
function subtle(): Subtle {
  const s = (globalThis.crypto as { subtle?: Subtle } | undefined)?.subtle;
  if (!s) throw new Error('WebCrypto is not available: open the portal over https or on localhost');
  return s;
}

export async function sha256(data: Bytes): Promise<Bytes> {
  return new Uint8Array(await subtle().digest('SHA-256', data));
}

export function tagPrefix(tag: string): Bytes {
  return concat(utf8(tag), new Uint8Array([0]));
}

/** The transaction id (= RFC 6962 leaf hash) of a canonical body. */
export function txIdOf(bodyJson: string): Promise<Bytes> {
  return sha256(concat(new Uint8Array([0]), tagPrefix(TAGS.tx), utf8(bodyJson)));
}

/** RFC 6962 interior node hash. */
export function hashChildren(left: Uint8Array, right: Uint8Array): Promise<Bytes> {
  return sha256(concat(new Uint8Array([1]), left, right));
}

/** The block hash of a header, over its RFC 8785 canonical JSON. */
export function blockHashOf(header: unknown): Promise<Bytes> {
  return sha256(concat(tagPrefix(TAGS.block), utf8(canonicalize(header))));
}

export function keyIdOf(publicKey: Uint8Array): Promise<Bytes> {
  return sha256(concat(tagPrefix(TAGS.key), publicKey));
}

export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte !== 0) return bits + Math.clz32(byte) - 24;
    bits += 8;
  }
  return bits;
}

/** MTH over leaf hashes (RFC 9162 §2.1.1): split at the largest power of two below n. */
export async function merkleRoot(leaves: readonly Bytes[]): Promise<Bytes> {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  const [l, r] = await Promise.all([merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k))]);
  return hashChildren(l, r);
}

/** Ed25519 (RFC 8032) verification with WebCrypto; false for a malformed key or signature. */
export async function verifyEd25519(publicKey: Bytes, message: Bytes, signature: Bytes): Promise<boolean> {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  const key = await subtle().importKey('raw', publicKey, { name: 'Ed25519' }, false, ['verify']);
  return subtle().verify({ name: 'Ed25519' }, key, signature, message);
}
