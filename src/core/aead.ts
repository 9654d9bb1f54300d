/**
 * @module
 * AES-256-GCM (NIST SP 800-38D) with a fresh random 96-bit nonce per message, laid out as
 * nonce ‖ ciphertext ‖ 128-bit tag. Used to seal secrets under a known key (a key derived from a
 * password, the node's data key); record bodies use the envelope module on top of it.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { abytes } from './bytes.ts';
import { DecryptError } from './errors.ts';

const NONCE = 12;
const TAG = 16;

export function sealAead(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array {
  abytes(key, 32, 'key');
  const nonce = randomBytes(NONCE);
  const c = createCipheriv('aes-256-gcm', key, nonce);
  c.setAAD(aad);
  const body = Buffer.concat([c.update(plaintext), c.final()]);
  return Buffer.concat([nonce, body, c.getAuthTag()]);
}

/** Opens what sealAead produced; DecryptError on a wrong key, wrong aad or any altered byte. */
export function openAead(
  key: Uint8Array,
  sealed: Uint8Array,
  aad: Uint8Array,
  what = 'sealed data',
): Uint8Array {
  abytes(key, 32, 'key');
  if (sealed.length < NONCE + TAG) throw new DecryptError(what, { reason: 'too short' });
  const d = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE));
  d.setAAD(aad);
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  try {
    return Buffer.concat([d.update(sealed.subarray(NONCE, sealed.length - TAG)), d.final()]);
  } catch {
    throw new DecryptError(what);
  }
}
