/**
 * @module
 * Per-record envelope encryption (docs/DESIGN.md "Privacy on a replicated ledger"). Each record body is
 * sealed with AES-256-GCM (NIST SP 800-38D) under its own random 32-byte key; that key is wrapped
 * with HPKE (RFC 9180 base mode, see hpke.ts) to every entitled party: sealed under a key exported
 * from an HPKE context for the record's id, a context serving a whole batch of records to the same
 * recipient ({@link keyWrapper}). Erasing a record means deleting its ciphertext and wrapped keys;
 * nothing on the chain can decrypt it afterwards.
 *
 * The wrap binds the record id (exporter context and aad), so a wrapped key cannot be moved to
 * another record.
 * HPKE base mode does not say who wrapped a key: the signed transaction carrying it does.
 */
import { createCipheriv, createDecipheriv, createSecretKey } from 'node:crypto';
import { abytes, toHex, utf8 } from './bytes.ts';
import { ArgumentTypeError, ArgumentValueError, DecryptError } from './errors.ts';
import { open, setupBaseR, setupBaseS } from './hpke.ts';
import { random } from './random.ts';
import type { RecipientContext, X25519KeyPair } from './hpke.ts';

const KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * HPKE info of record-key wraps. v2 (written now): the record key is sealed under a key exported from
 * an HPKE context (see {@link keyWrapper}). v1 (written before, still opened): the record key was the
 * single-shot HPKE plaintext. The versions keep either from ever opening as the other.
 */
const WRAP_INFO = utf8('medledger:record-key:v2');
const WRAP_INFO_V1 = utf8('medledger:record-key:v1');
/** Each key-encryption key seals exactly one record key, so a fixed nonce never repeats under a key. */
const KEK_NONCE = new Uint8Array(NONCE_BYTES);

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

/**
 * Wraps record keys to one recipient. One HPKE base-mode context (RFC 9180 §5.1.1: one X25519 key
 * generation and DH) serves every record wrapped through it: for each record, the context's secret
 * export (RFC 9180 §5.3) with the record id as exporter context gives a 32-byte key-encryption key,
 * which seals the record key with AES-256-GCM (fixed nonce, the record id as aad). Wraps of one
 * wrapper share their `enc`; each opens only for its record. The exported keys of distinct contexts
 * or distinct record ids are independent (§5.3), so sharing a context costs no secrecy: whoever holds
 * the recipient's private key could open every one of these wraps anyway, and nobody else any.
 *
 * This spares the key generation and DH per record that a single-shot seal per wrap costs (most of what
 * a wrap cost). A record id is wrapped at most once per wrapper (a second key under the
 * same exported key and nonce would break AES-GCM): {@link KeyWrapper.has} tells, `wrap` refuses.
 * @example
 * const w = keyWrapper(orgPublicKey);
 * const a = w.wrap(keyA, 'rec-a'); const b = w.wrap(keyB, 'rec-b'); // a.enc === b.enc
 * unwrapKey(b, orgKeyPair, 'rec-b'); // → keyB
 */
export interface KeyWrapper {
  /** The HPKE enc of the context, as hex: the same in every wrap this wrapper makes. */
  readonly enc: string;
  /** Whether `recordId` was wrapped through this wrapper. */
  has(recordId: string): boolean;
  wrap(recordKey: Uint8Array, recordId: string): WrappedKey;
}

/** A fresh {@link KeyWrapper} to a recipient's X25519 public key. */
export function keyWrapper(recipientPublicKey: Uint8Array): KeyWrapper {
  const { enc, ctx } = setupBaseS(recipientPublicKey, WRAP_INFO);
  const encHex = toHex(enc);
  const done = new Set<string>();
  return {
    enc: encHex,
    has: (recordId) => done.has(recordId),
    wrap(recordKey, recordId) {
      abytes(recordKey, KEY_BYTES, 'recordKey');
      const aad = recordIdBytes(recordId);
      if (done.has(recordId)) throw new ArgumentValueError('recordId', 'was already wrapped by this wrapper');
      done.add(recordId);
      const c = createCipheriv('aes-256-gcm', createSecretKey(ctx.export(aad, KEY_BYTES)), KEK_NONCE);
      c.setAAD(aad);
      const ct = Buffer.concat([c.update(recordKey), c.final(), c.getAuthTag()]);
      return { enc: encHex, ct: ct.toString('hex') };
    },
  };
}

const ENC_HEX = /^[0-9a-f]{64}$/;
const CT_HEX = /^[0-9a-f]{96}$/;

/**
 * Unwraps a record key (v2, or v1 for wraps written before v2). A wrong recipient, another record's
 * id, or a malformed or altered wrap throws DecryptError: stored wraps are data, so every way one can
 * be bad fails the same way. The recipient's context of each `enc` is kept (a bounded number per key
 * pair), so the other records of a batch open without a DH of their own.
 */
export function unwrapKey(w: WrappedKey, recipient: X25519KeyPair, recordId: string): Uint8Array {
  if (typeof w !== 'object' || (w as unknown) === null) throw new ArgumentTypeError('w', 'WrappedKey', w);
  const aad = recordIdBytes(recordId);
  const { enc, ct } = w as { enc: unknown; ct: unknown };
  if (typeof enc !== 'string' || !ENC_HEX.test(enc) || typeof ct !== 'string' || !CT_HEX.test(ct)) {
    throw new DecryptError('wrapped key', { reason: 'malformed enc or ct' });
  }
  const sealed = Buffer.from(ct, 'hex');
  const key = openV2(contextOf(recipient, enc), aad, sealed);
  return key ?? open(recipient, Buffer.from(enc, 'hex'), WRAP_INFO_V1, aad, sealed);
}

/** The record key sealed under the context's export for `aad`, or undefined if it does not open. */
function openV2(ctx: RecipientContext, aad: Uint8Array, sealed: Buffer): Uint8Array | undefined {
  const d = createDecipheriv('aes-256-gcm', createSecretKey(ctx.export(aad, KEY_BYTES)), KEK_NONCE, {
    authTagLength: TAG_BYTES,
  });
  d.setAuthTag(sealed.subarray(KEY_BYTES));
  d.setAAD(aad);
  const key = d.update(sealed.subarray(0, KEY_BYTES));
  try {
    d.final();
  } catch {
    return undefined;
  }
  return view(key);
}

/** Recipient contexts by enc (hex), per key pair; at most {@link MAX_CONTEXTS} each. */
const contexts = new WeakMap<X25519KeyPair, Map<string, RecipientContext>>();
const MAX_CONTEXTS = 1024;

function contextOf(recipient: X25519KeyPair, enc: string): RecipientContext {
  let byEnc = contexts.get(recipient);
  if (!byEnc) {
    byEnc = new Map<string, RecipientContext>();
    contexts.set(recipient, byEnc);
  }
  let ctx = byEnc.get(enc);
  if (!ctx) {
    ctx = setupBaseR(Buffer.from(enc, 'hex'), recipient, WRAP_INFO);
    if (byEnc.size >= MAX_CONTEXTS) byEnc.delete(byEnc.keys().next().value!);
    byEnc.set(enc, ctx);
  }
  return ctx;
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
