/**
 * @module
 * Per-record envelope encryption (DESIGN.md "Privacy on a replicated ledger"). Each record body is
 * sealed with AES-256-GCM (NIST SP 800-38D) under its own random 32-byte key; that key is wrapped
 * with HPKE (RFC 9180 base mode, see hpke.ts) to every entitled party. Erasing a record means
 * deleting its ciphertext and wrapped keys; nothing on the chain can decrypt it afterwards.
 *
 * The wrap binds the record id as HPKE aad, so a wrapped key cannot be moved to another record.
 * HPKE base mode does not say who wrapped a key: the signed transaction carrying it does.
 */
import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import { abytes, toHex, utf8 } from './bytes.ts';
import { ArgumentTypeError, ArgumentValueError, DecryptError } from './errors.ts';
import { open, seal } from './hpke.ts';
import { random } from './random.ts';
import type { X25519KeyPair } from './hpke.ts';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** HPKE info for record-key wraps; the version lets a future format never open as this one. */
const WRAP_INFO = utf8('medledger:record-key:v1');

/** A record key wrapped to one recipient: HPKE enc (32 bytes) and ct (key ‖ tag, 48 bytes), as hex. */
export interface WrappedKey {
  readonly enc: string;
  readonly ct: string;
}

/**
 * Encrypts a record body under a fresh random key. `ciphertext` = 12-byte random nonce ‖ ct ‖
 * 16-byte tag; `aad` (typically the record id) is authenticated, not encrypted.
 * @example
 * const { key, ciphertext } = encryptRecord(utf8(json), utf8(recordId));
 * decryptRecord(key, ciphertext, utf8(recordId)); // → utf8(json)
 */
export function encryptRecord(
  plaintext: Uint8Array,
  aad: Uint8Array,
): { key: Uint8Array; ciphertext: Uint8Array } {
  abytes(plaintext, undefined, 'plaintext');
  abytes(aad, undefined, 'aad');
  const key = random(KEY_BYTES);
  // A key seals exactly one message, so a random nonce can never repeat under it.
  const nonce = random(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', createSecretKey(key), nonce);
  c.setAAD(aad);
  const ciphertext = Buffer.concat([nonce, c.update(plaintext), c.final(), c.getAuthTag()]);
  return { key: view(key), ciphertext: view(ciphertext) };
}

/** Decrypts what encryptRecord produced; a wrong key, wrong aad or any altered byte throws DecryptError. */
export function decryptRecord(key: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Uint8Array {
  abytes(key, KEY_BYTES, 'key');
  abytes(ciphertext, undefined, 'ciphertext');
  abytes(aad, undefined, 'aad');
  if (ciphertext.length < NONCE_BYTES + TAG_BYTES) {
    throw new DecryptError('record ciphertext', { reason: 'shorter than nonce and tag' });
  }
  const d = createDecipheriv('aes-256-gcm', createSecretKey(key), ciphertext.subarray(0, NONCE_BYTES), {
    authTagLength: TAG_BYTES,
  });
  d.setAuthTag(ciphertext.subarray(ciphertext.length - TAG_BYTES));
  d.setAAD(aad);
  const plaintext = d.update(ciphertext.subarray(NONCE_BYTES, ciphertext.length - TAG_BYTES));
  try {
    d.final();
  } catch {
    throw new DecryptError('record ciphertext', { reason: 'authentication failed' });
  }
  return view(plaintext);
}

/** Wraps a record key to a recipient's X25519 public key, bound to `recordId`. */
export function wrapKey(recordKey: Uint8Array, recipientPublicKey: Uint8Array, recordId: string): WrappedKey {
  abytes(recordKey, KEY_BYTES, 'recordKey');
  const { enc, ct } = seal(recipientPublicKey, WRAP_INFO, recordIdBytes(recordId), recordKey);
  return { enc: toHex(enc), ct: toHex(ct) };
}

const ENC_HEX = /^[0-9a-f]{64}$/;
const CT_HEX = /^[0-9a-f]{96}$/;

/**
 * Unwraps a record key. A wrong recipient, another record's id, or a malformed or altered wrap
 * throws DecryptError: stored wraps are data, so every way one can be bad fails the same way.
 */
export function unwrapKey(w: WrappedKey, recipient: X25519KeyPair, recordId: string): Uint8Array {
  if (typeof w !== 'object' || (w as unknown) === null) throw new ArgumentTypeError('w', 'WrappedKey', w);
  const aad = recordIdBytes(recordId);
  const { enc, ct } = w as { enc: unknown; ct: unknown };
  if (typeof enc !== 'string' || !ENC_HEX.test(enc) || typeof ct !== 'string' || !CT_HEX.test(ct)) {
    throw new DecryptError('wrapped key', { reason: 'malformed enc or ct' });
  }
  return open(recipient, Buffer.from(enc, 'hex'), WRAP_INFO, aad, Buffer.from(ct, 'hex'));
}

function recordIdBytes(recordId: string): Uint8Array {
  if (typeof recordId !== 'string') throw new ArgumentTypeError('recordId', 'string', recordId);
  if (recordId.length === 0) throw new ArgumentValueError('recordId', 'is empty');
  return utf8(recordId);
}

/** A plain Uint8Array over a Buffer's bytes, without copying. */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
