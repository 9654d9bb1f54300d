/**
 * @module
 * HPKE (RFC 9180) base mode (mode_base 0x00) for exactly one suite: DHKEM(X25519, HKDF-SHA256)
 * 0x0020, HKDF-SHA256 0x0001, AES-256-GCM 0x0002. Synchronous: @hpke/core (async WebCrypto) is far
 * slower here. HKDF and AES-GCM are node:crypto's; the X25519 scalar multiplications are libsodium's
 * on raw keys (`sodium-native`), which spares importing every `enc` as a KeyObject and is faster than
 * node:crypto's `diffieHellman`. A seal or an open is two X25519 scalar multiplications (key generation
 * + DH, or DH alone), five HMACs and one AES-GCM call.
 * Tested with the RFC 9180 vectors and against @hpke/core.
 *
 * Base mode authenticates nothing about the sender: whoever holds pkR can seal to it. Callers that
 * need the sender's identity must sign the sealed bytes (the ledger signs every transaction).
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  KeyObject,
} from 'node:crypto';
import sodium from 'sodium-native';
import { abytes, anat, asBuffer } from './bytes.ts';
import { ArgumentTypeError, ArgumentValueError, DecryptError } from './errors.ts';
import { random } from './random.ts';

/** An X25519 key pair: the raw 32-byte public key and the private key as a node:crypto KeyObject. */
export interface X25519KeyPair {
  readonly publicKey: Uint8Array;
  readonly privateKey: KeyObject;
}

/** A single-shot HPKE ciphertext: the encapsulated key and the AEAD output (ct ‖ 16-byte tag). */
export interface Sealed {
  readonly enc: Uint8Array;
  readonly ct: Uint8Array;
}

/** The sender's half of an HPKE context (RFC 9180 §5.2): it seals, the recipient opens. */
export interface SenderContext {
  seal(aad: Uint8Array, pt: Uint8Array): Uint8Array;
  export(exporterContext: Uint8Array, length: number): Uint8Array;
}

/** The recipient's half of an HPKE context (RFC 9180 §5.2). */
export interface RecipientContext {
  open(aad: Uint8Array, ct: Uint8Array): Uint8Array;
  export(exporterContext: Uint8Array, length: number): Uint8Array;
}

// Sizes from RFC 9180 §7.1 (Nsecret, Nenc, Npk, Nsk), §7.2 (Nh) and §7.3 (Nk, Nn, Nt).
const N_SECRET = 32;
const N_ENC = 32;
const N_SK = 32;
const N_DH = 32;
const N_H = 32;
const N_K = 32;
const N_N = 12;
const N_T = 16;
const MAX_EXPORT = 255 * N_H; // RFC 5869 §2.3

/** DER prefix (RFC 8410 §7) of an X25519 PKCS#8 private key; its 32 raw bytes follow. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

// suite_id strings (RFC 9180 §4.1 and §5.1), built once, folded into each label prefix below.
const HPKE_V1 = Buffer.from('HPKE-v1', 'latin1');
const KEM_SUITE = Buffer.from([0x4b, 0x45, 0x4d, 0x00, 0x20]); // "KEM" ‖ I2OSP(0x0020, 2)
const HPKE_SUITE = Buffer.from([0x48, 0x50, 0x4b, 0x45, 0x00, 0x20, 0x00, 0x01, 0x00, 0x02]); // "HPKE" ‖ ids

/** LabeledExtract's prefix: "HPKE-v1" ‖ suite_id ‖ label (RFC 9180 §4). */
function extractLabel(suite: Buffer, label: string): Buffer {
  return Buffer.concat([HPKE_V1, suite, Buffer.from(label, 'latin1')]);
}

/** LabeledExpand's prefix: I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label (RFC 9180 §4). */
function expandLabel(suite: Buffer, label: string, length: number): Buffer {
  return Buffer.concat([Buffer.from([length >>> 8, length & 0xff]), extractLabel(suite, label)]);
}

const DKP_PRK = extractLabel(KEM_SUITE, 'dkp_prk');
const SK = expandLabel(KEM_SUITE, 'sk', N_SK);
const EAE_PRK = extractLabel(KEM_SUITE, 'eae_prk');
const SHARED_SECRET = expandLabel(KEM_SUITE, 'shared_secret', N_SECRET);
const INFO_HASH = extractLabel(HPKE_SUITE, 'info_hash');
const SECRET = extractLabel(HPKE_SUITE, 'secret');
const KEY = expandLabel(HPKE_SUITE, 'key', N_K);
const BASE_NONCE = expandLabel(HPKE_SUITE, 'base_nonce', N_N);
const EXP = expandLabel(HPKE_SUITE, 'exp', N_H);
const SEC = extractLabel(HPKE_SUITE, 'sec'); // the export length varies, so I2OSP(L, 2) is added per call
const SEC_NH = expandLabel(HPKE_SUITE, 'sec', N_H); // the common case, built once

/** An empty salt: HMAC pads its key with zeros, so "" and HashLen zero bytes are one key (RFC 5869 §2.2). */
const NO_SALT = createSecretKey(Buffer.alloc(N_H));
const EMPTY = new Uint8Array(0);

/** HMAC-SHA256 over the concatenation of `parts`, fed piece by piece to avoid building the message. */
function hmac(key: KeyObject, parts: readonly Uint8Array[]): Buffer {
  const h = createHmac('sha256', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/** LabeledExtract(salt, label, ikm) = HKDF-Extract(salt, prefix ‖ ikm) (RFC 9180 §4, RFC 5869 §2.2). */
function labeledExtract(salt: KeyObject, prefix: Buffer, ikm: Uint8Array): Buffer {
  return hmac(salt, [prefix, ikm]);
}

/** LabeledExpand(prk, label, info, L) = HKDF-Expand(prk, prefix ‖ info, L) (RFC 9180 §4, RFC 5869 §2.3). */
function labeledExpand(
  prk: Uint8Array | KeyObject,
  prefix: Buffer,
  info: readonly Uint8Array[],
  length: number,
): Buffer {
  const key = prk instanceof KeyObject ? prk : createSecretKey(prk);
  const out = Buffer.alloc(length);
  let t: Uint8Array = EMPTY;
  for (let i = 1, offset = 0; offset < length; i++, offset += N_H) {
    t = hmac(key, [t, prefix, ...info, Uint8Array.of(i)]);
    out.set(t.subarray(0, Math.min(N_H, length - offset)), offset);
  }
  return out;
}

/** A plain Uint8Array over a Buffer's bytes, without copying (so results compare equal to Uint8Arrays). */
function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

function rawPublic(key: KeyObject): Uint8Array {
  return view(key.export({ format: 'raw-public' }));
}

/** A fresh random X25519 key pair. */
export function generateX25519(): X25519KeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  return { publicKey: rawPublic(publicKey), privateKey };
}

/** The key pair of a raw 32-byte X25519 private key (SerializePrivateKey form, RFC 9180 §7.1.2). */
export function x25519FromPrivate(raw: Uint8Array): X25519KeyPair {
  abytes(raw, N_SK, 'raw');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, raw]),
    format: 'der',
    type: 'pkcs8',
  });
  return { publicKey: rawPublic(createPublicKey(privateKey)), privateKey };
}

/** The raw 32-byte private key of a pair. */
export function x25519PrivateRaw(kp: X25519KeyPair): Uint8Array {
  return view(assertKeyPair(kp, 'kp').privateKey.export({ format: 'raw-private' }));
}

/** DeriveKeyPair(ikm) for X25519 (RFC 9180 §7.1.3); `ikm` needs at least Nsk = 32 bytes of entropy. */
export function deriveKeyPair(ikm: Uint8Array): X25519KeyPair {
  abytes(ikm, undefined, 'ikm');
  if (ikm.length < N_SK) throw new ArgumentValueError('ikm', `got ${ikm.length} bytes, want ≥ ${N_SK}`);
  const dkpPrk = labeledExtract(NO_SALT, DKP_PRK, ikm);
  return x25519FromPrivate(labeledExpand(dkpPrk, SK, [], N_SK));
}

function assertKeyPair(kp: unknown, name: string): X25519KeyPair {
  if (typeof kp !== 'object' || kp === null) throw new ArgumentTypeError(name, 'X25519KeyPair', kp);
  const { publicKey, privateKey } = kp as Record<string, unknown>;
  abytes(publicKey, N_ENC, `${name}.publicKey`);
  if (!(privateKey instanceof KeyObject))
    throw new ArgumentTypeError(`${name}.privateKey`, 'KeyObject', privateKey);
  if (privateKey.asymmetricKeyType !== 'x25519') {
    throw new ArgumentValueError(
      `${name}.privateKey`,
      `got ${String(privateKey.asymmetricKeyType)}, want x25519`,
    );
  }
  return kp as X25519KeyPair;
}

/** Raw private scalars of key pairs already used (exporting one costs about as much as a DH). */
const privateScalars = new WeakMap<KeyObject, Buffer>();

function privateScalar(key: KeyObject): Buffer {
  let raw = privateScalars.get(key);
  if (!raw) {
    raw = key.export({ format: 'raw-private' });
    privateScalars.set(key, raw);
  }
  return raw;
}

/**
 * X25519 DH on raw keys (libsodium's crypto_scalarmult), or undefined for a low-order peer key
 * (all-zero output, RFC 9180 §7.1.4; libsodium refuses it). Raw keys spare the KeyObject import of
 * every `enc`, which cost as much as the DH itself through node:crypto's `diffieHellman`.
 */
function dh(privateKey: Uint8Array, publicKey: Uint8Array): Buffer | undefined {
  const z = Buffer.alloc(N_DH);
  try {
    sodium.crypto_scalarmult(z, asBuffer(privateKey), asBuffer(publicKey));
  } catch {
    return undefined;
  }
  return z.some((b) => b !== 0) ? z : undefined;
}

/** A fresh ephemeral key pair as raw bytes (RFC 7748: 32 random bytes, clamped inside X25519). */
function ephemeralRaw(): { privateKey: Buffer; publicKey: Uint8Array } {
  const privateKey = random(N_SK);
  const publicKey = Buffer.alloc(N_ENC);
  sodium.crypto_scalarmult_base(publicKey, privateKey);
  return { privateKey, publicKey: view(publicKey) };
}

/** ExtractAndExpand(dh, enc ‖ pkRm) of DHKEM (RFC 9180 §4.1). */
function extractAndExpand(z: Buffer, enc: Uint8Array, pkRm: Uint8Array): Buffer {
  return labeledExpand(labeledExtract(NO_SALT, EAE_PRK, z), SHARED_SECRET, [enc, pkRm], N_SECRET);
}

/** @internal DHKEM Encap (RFC 9180 §4.1); exported for the known-answer tests. */
export function encap(
  pkR: Uint8Array,
  ephemeral?: X25519KeyPair,
): { sharedSecret: Uint8Array; enc: Uint8Array } {
  abytes(pkR, N_ENC, 'pkR');
  const e =
    ephemeral === undefined
      ? ephemeralRaw()
      : (({ publicKey, privateKey }) => ({ publicKey, privateKey: privateScalar(privateKey) }))(
          assertKeyPair(ephemeral, 'ephemeral'),
        );
  const z = dh(e.privateKey, pkR);
  if (z === undefined)
    throw new ArgumentValueError('pkR', 'is a low-order X25519 point (all-zero DH output)');
  return { sharedSecret: view(extractAndExpand(z, e.publicKey, pkR)), enc: e.publicKey };
}

/** @internal DHKEM Decap (RFC 9180 §4.1); exported for the known-answer tests. */
export function decap(enc: Uint8Array, recipient: X25519KeyPair): Uint8Array {
  abytes(enc, undefined, 'enc');
  assertKeyPair(recipient, 'recipient');
  if (enc.length !== N_ENC)
    throw new DecryptError('HPKE enc', { reason: `enc has ${enc.length} bytes, want 32` });
  const z = dh(privateScalar(recipient.privateKey), enc);
  if (z === undefined) throw new DecryptError('HPKE enc', { reason: 'low-order X25519 point' });
  return view(extractAndExpand(z, enc, recipient.publicKey));
}

/** psk_id_hash is a constant in base mode (empty psk_id). */
const PSK_ID_HASH = labeledExtract(NO_SALT, extractLabel(HPKE_SUITE, 'psk_id_hash'), EMPTY);
const MODE_BASE = Uint8Array.of(0x00);

/** info_hash of the few short `info` strings in use (record key wraps use one), computed once each. */
const infoHashes = new Map<string, Buffer>();
const MAX_INFO_HASHES = 64;

function infoHashOf(info: Uint8Array): Buffer {
  if (info.length > 64) return labeledExtract(NO_SALT, INFO_HASH, info);
  const k = Buffer.from(info.buffer, info.byteOffset, info.byteLength).toString('latin1');
  let h = infoHashes.get(k);
  if (!h) {
    h = labeledExtract(NO_SALT, INFO_HASH, info);
    if (infoHashes.size >= MAX_INFO_HASHES) infoHashes.clear();
    infoHashes.set(k, h);
  }
  return h;
}

interface Schedule {
  readonly keyScheduleContext: Buffer;
  readonly secret: Buffer;
  readonly key: Buffer;
  /** `key` as a KeyObject: node:crypto ciphers take KeyObjects faster than raw bytes. */
  readonly aeadKey: KeyObject;
  readonly baseNonce: Buffer;
}

/** KeySchedule<ROLE>(mode_base, shared_secret, info, "", "") (RFC 9180 §5.1), minus exporter_secret (lazy). */
function keySchedule(sharedSecret: Uint8Array, info: Uint8Array): Schedule {
  const infoHash = infoHashOf(info);
  const keyScheduleContext = Buffer.concat([MODE_BASE, PSK_ID_HASH, infoHash]);
  const secret = labeledExtract(createSecretKey(sharedSecret), SECRET, EMPTY); // psk = ""
  const key = labeledExpand(secret, KEY, [keyScheduleContext], N_K);
  const baseNonce = labeledExpand(secret, BASE_NONCE, [keyScheduleContext], N_N);
  return { keyScheduleContext, secret, key, aeadKey: createSecretKey(key), baseNonce };
}

function exporterSecret(s: Schedule): Buffer {
  return labeledExpand(s.secret, EXP, [s.keyScheduleContext], N_H);
}

/** @internal Every KeySchedule value (RFC 9180 §5.1), for the known-answer tests. */
export interface KeyScheduleValues {
  readonly keyScheduleContext: Uint8Array;
  readonly secret: Uint8Array;
  readonly key: Uint8Array;
  readonly baseNonce: Uint8Array;
  readonly exporterSecret: Uint8Array;
}

/** @internal Runs the production key schedule and also derives exporter_secret eagerly. */
export function keyScheduleValues(sharedSecret: Uint8Array, info: Uint8Array): KeyScheduleValues {
  abytes(sharedSecret, N_SECRET, 'sharedSecret');
  abytes(info, undefined, 'info');
  const s = keySchedule(sharedSecret, info);
  return {
    keyScheduleContext: view(s.keyScheduleContext),
    secret: view(s.secret),
    key: view(s.key),
    baseNonce: view(s.baseNonce),
    exporterSecret: view(exporterSecret(s)),
  };
}

/** Shared state of both context roles: key, base_nonce, sequence number, exporter (RFC 9180 §5.2, §5.3). */
class Context {
  readonly #schedule: Schedule;
  /** exporter_secret as a KeyObject, derived on the first export (a context that only exports reuses it). */
  #exporterKey: KeyObject | undefined;
  #seq = 0;

  constructor(schedule: Schedule) {
    this.#schedule = schedule;
  }

  /** nonce = base_nonce XOR I2OSP(seq, Nn), then seq += 1 once the AEAD call succeeds. */
  protected next<T>(aead: (key: KeyObject, nonce: Buffer) => T): T {
    // RFC 9180 §5.2 caps seq at 2^96 - 1; a JS number stops being exact at 2^53, unreachable in practice.
    if (this.#seq >= Number.MAX_SAFE_INTEGER) throw new RangeError('HPKE context: message limit reached');
    const nonce = Buffer.from(this.#schedule.baseNonce);
    for (let i = N_N - 1, s = this.#seq; s > 0; i--, s = Math.floor(s / 256))
      nonce[i] = nonce[i]! ^ (s & 0xff);
    const result = aead(this.#schedule.aeadKey, nonce);
    this.#seq++;
    return result;
  }

  export(exporterContext: Uint8Array, length: number): Uint8Array {
    abytes(exporterContext, undefined, 'exporterContext');
    anat(length, 'length');
    if (length > MAX_EXPORT) throw new ArgumentValueError('length', `got ${length}, want ≤ ${MAX_EXPORT}`);
    this.#exporterKey ??= createSecretKey(exporterSecret(this.#schedule));
    const prefix = length === N_H ? SEC_NH : Buffer.concat([Buffer.from([length >>> 8, length & 0xff]), SEC]);
    return view(labeledExpand(this.#exporterKey, prefix, [exporterContext], length));
  }
}

class Sender extends Context implements SenderContext {
  seal(aad: Uint8Array, pt: Uint8Array): Uint8Array {
    abytes(aad, undefined, 'aad');
    abytes(pt, undefined, 'pt');
    return this.next((key, nonce) => {
      const c = createCipheriv('aes-256-gcm', key, nonce);
      c.setAAD(aad);
      return view(Buffer.concat([c.update(pt), c.final(), c.getAuthTag()]));
    });
  }
}

class Recipient extends Context implements RecipientContext {
  open(aad: Uint8Array, ct: Uint8Array): Uint8Array {
    abytes(aad, undefined, 'aad');
    abytes(ct, undefined, 'ct');
    if (ct.length < N_T) throw new DecryptError('HPKE ciphertext', { reason: 'shorter than the tag' });
    return this.next((key, nonce) => {
      const d = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: N_T });
      d.setAuthTag(ct.subarray(ct.length - N_T));
      d.setAAD(aad);
      const pt = d.update(ct.subarray(0, ct.length - N_T));
      try {
        d.final();
      } catch {
        throw new DecryptError('HPKE ciphertext', { reason: 'authentication failed' });
      }
      return view(pt);
    });
  }
}

/** SetupBaseS (RFC 9180 §5.1.1). `opts.ephemeral` fixes skE, for known-answer tests only. */
export function setupBaseS(
  pkR: Uint8Array,
  info: Uint8Array,
  opts?: { ephemeral?: X25519KeyPair },
): { enc: Uint8Array; ctx: SenderContext } {
  abytes(info, undefined, 'info');
  const { sharedSecret, enc } = encap(pkR, opts?.ephemeral);
  return { enc, ctx: new Sender(keySchedule(sharedSecret, info)) };
}

/** SetupBaseR (RFC 9180 §5.1.1); a malformed or low-order `enc` throws DecryptError. */
export function setupBaseR(enc: Uint8Array, recipient: X25519KeyPair, info: Uint8Array): RecipientContext {
  abytes(info, undefined, 'info');
  return new Recipient(keySchedule(decap(enc, recipient), info));
}

/**
 * Single-shot SealBase (RFC 9180 §6.1).
 * @example
 * const r = generateX25519();
 * const { enc, ct } = seal(r.publicKey, utf8('app:v1'), utf8('record-1'), secret);
 * open(r, enc, utf8('app:v1'), utf8('record-1'), ct); // → secret
 */
export function seal(
  pkR: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  pt: Uint8Array,
  opts?: { ephemeral?: X25519KeyPair },
): Sealed {
  abytes(aad, undefined, 'aad');
  abytes(pt, undefined, 'pt');
  const { enc, ctx } = setupBaseS(pkR, info, opts);
  return { enc, ct: ctx.seal(aad, pt) };
}

/** Single-shot OpenBase (RFC 9180 §6.1); every failure to decrypt is a DecryptError. */
export function open(
  recipient: X25519KeyPair,
  enc: Uint8Array,
  info: Uint8Array,
  aad: Uint8Array,
  ct: Uint8Array,
): Uint8Array {
  return setupBaseR(enc, recipient, info).open(aad, ct);
}
