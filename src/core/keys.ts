/**
 * @module
 * Ed25519 signing keys (RFC 8032). A key is named on the chain by its key id:
 * hex(SHA-256("medledger:key:v1" ‖ 0x00 ‖ raw 32-byte public key)).
 *
 * Keys are node:crypto KeyObjects. Signing and verification — the bound of every append, every
 * consortium vote and every full verification — are libsodium's (`sodium-native`, prebuilt), which
 * verifies and signs faster than node:crypto (OpenSSL). The same RFC 8032 vectors pass; Ed25519 signing
 * is deterministic, so both libraries give the same bytes, and they agree on random and mutated
 * signatures (keys.test.ts). Every verification in MedLedger goes through {@link verifyBytes} or
 * {@link verifyRaw}, so all nodes accept exactly the same signatures.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import sodium from 'sodium-native';
import { abytes, asBuffer, fromHex, toHex } from './bytes.ts';
import { ArgumentValueError } from './errors.ts';
import { TAGS, taggedHash } from './hash.ts';

/** DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 §4); the raw key follows. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** DER prefix of an Ed25519 PKCS#8 private key (RFC 8410 §7); the 32-byte seed follows. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** A signing identity: its key id, raw public key and private key. */
export interface Signer {
  readonly keyId: string;
  readonly publicKey: Uint8Array;
  readonly privateKey: KeyObject;
}

export function keyIdOf(publicKey: Uint8Array): string {
  abytes(publicKey, 32, 'publicKey');
  return toHex(taggedHash(TAGS.key, publicKey));
}

export function generateSigner(): Signer {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return signerFromPrivateKey(privateKey, rawPublicKey(publicKey));
}

/** Signer from a 32-byte RFC 8032 seed (the private key as the RFC's test vectors give it). */
export function signerFromSeed(seed: Uint8Array): Signer {
  abytes(seed, 32, 'seed');
  const privateKey = createPrivateKey({
    key: Buffer.concat([PKCS8_PREFIX, seed]),
    format: 'der',
    type: 'pkcs8',
  });
  return signerFromPrivateKey(privateKey, rawPublicKey(createPublicKey(privateKey)));
}

export function signerFromPrivateKey(privateKey: KeyObject, publicKey?: Uint8Array): Signer {
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ArgumentValueError('privateKey', `got ${String(privateKey.asymmetricKeyType)}, want ed25519`);
  }
  const pub = publicKey ?? rawPublicKey(createPublicKey(privateKey));
  return { keyId: keyIdOf(pub), publicKey: pub, privateKey };
}

export function rawPublicKey(key: KeyObject): Uint8Array {
  const der = key.export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

/** A KeyObject for a raw Ed25519 public key (given as bytes or hex). */
export function publicKeyObject(publicKey: Uint8Array | string): KeyObject {
  const raw =
    typeof publicKey === 'string' ? fromHex(publicKey, 32, 'publicKey') : abytes(publicKey, 32, 'publicKey');
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
}

/** Ed25519 signature (64 bytes) over `message` (RFC 8032 §5.1.6). */
export function signBytes(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  const sk = secretKeyOf(privateKey);
  // Not a private Ed25519 key in the expected encoding: node:crypto signs (or throws its error).
  if (sk === null) return new Uint8Array(sign(null, message, privateKey));
  const sig = Buffer.alloc(64);
  sodium.crypto_sign_detached(sig, asBuffer(message), sk);
  return new Uint8Array(sig.buffer, sig.byteOffset, 64);
}

/**
 * libsodium's 64-byte secret keys (seed ‖ public key) of private KeyObjects already used, null for a
 * key that is not a private Ed25519 key. Held weakly: a signer dropped with its session takes its entry
 * with it. (Process memory either way: the KeyObject holds the same seed.)
 */
const secretKeys = new WeakMap<KeyObject, Buffer | null>();

function secretKeyOf(key: KeyObject): Buffer | null {
  let sk = secretKeys.get(key);
  if (sk === undefined) {
    sk = null;
    if (key.type === 'private' && key.asymmetricKeyType === 'ed25519') {
      const der = key.export({ format: 'der', type: 'pkcs8' });
      const seed = der.subarray(PKCS8_PREFIX.length);
      const pk = Buffer.alloc(32);
      sk = Buffer.alloc(64);
      sodium.crypto_sign_seed_keypair(pk, sk, seed);
      const ok =
        der.length === PKCS8_PREFIX.length + 32 && der.subarray(0, PKCS8_PREFIX.length).equals(PKCS8_PREFIX);
      der.fill(0);
      // Signatures made here are not verified again before they reach the chain (`signedHere`): the
      // key libsodium signs with must be the KeyObject's, or nothing is cached and node:crypto signs.
      if (!ok || !pk.equals(rawKeyOf(key) ?? Buffer.alloc(0))) {
        sk.fill(0);
        sk = null;
      }
    }
    secretKeys.set(key, sk);
  }
  return sk;
}

/** Raw public keys of KeyObjects already seen (exporting one costs more than a verification). */
const rawKeys = new WeakMap<KeyObject, Buffer | null>();

/** The raw 32-byte public key of an Ed25519 KeyObject (public or private), null for any other key. */
export function rawKeyOf(key: KeyObject): Buffer | null {
  let raw = rawKeys.get(key);
  if (raw === undefined) {
    // node:crypto verifies with a private key too (through its public half); so does this.
    raw =
      key.asymmetricKeyType !== 'ed25519'
        ? null
        : Buffer.from(rawPublicKey(key.type === 'private' ? createPublicKey(key) : key));
    rawKeys.set(key, raw);
  }
  return raw;
}

/** True when `signature` is a valid Ed25519 signature of `message` under `publicKey`. */
export function verifyBytes(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  const raw = rawKeyOf(publicKey);
  return raw !== null && verifyRaw(raw, message, signature);
}

/** {@link verifyBytes} with the raw 32-byte public key. */
export function verifyRaw(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  return sodium.crypto_sign_verify_detached(asBuffer(signature), asBuffer(message), asBuffer(publicKey));
}
