/**
 * @module
 * SHA-256 with domain separation. Every hashed structure carries a tag (`medledger:<what>:v1`) so a
 * hash of one kind can never be replayed as a hash of another kind.
 */
import { createHash, hash as oneShot } from 'node:crypto';
import { utf8 } from './bytes.ts';

/** Domain-separation tags, one per hashed structure. */
export const TAGS = {
  tx: 'medledger:tx:v1',
  block: 'medledger:block:v1',
  key: 'medledger:key:v1',
  head: 'medledger:head:v1',
  vote: 'medledger:vote:v1',
} as const;
export type Tag = (typeof TAGS)[keyof typeof TAGS];

/** Plain SHA-256 of the concatenated parts. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return oneShot('sha256', parts[0]!, 'buffer');
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

const tagPrefixes = new Map<string, Uint8Array>();
/** `tag` as UTF-8 followed by a 0x00 separator (tags contain no NUL). */
export function tagPrefix(tag: Tag): Uint8Array {
  let p = tagPrefixes.get(tag);
  if (!p) {
    p = new Uint8Array([...utf8(tag), 0]);
    tagPrefixes.set(tag, p);
  }
  return p;
}

/** SHA-256(tag ‖ 0x00 ‖ data): the hash of a structure of kind `tag`. */
export function taggedHash(tag: Tag, data: Uint8Array | string): Uint8Array {
  return createHash('sha256').update(tagPrefix(tag)).update(data).digest();
}
