import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, it } from 'node:test';
import { fromHex, toHex } from './bytes.ts';
import { ArgumentTypeError, ArgumentValueError } from './errors.ts';
import {
  generateSigner,
  keyIdOf,
  publicKeyObject,
  rawPublicKey,
  signBytes,
  signerFromPrivateKey,
  signerFromSeed,
  verifyBytes,
  verifyRaw,
} from './keys.ts';

interface Vector {
  readonly name: string;
  readonly secret: string;
  readonly publicKey: string;
  readonly message: string;
  readonly signature: string;
}

/**
 * RFC 8032 §7.1 Ed25519 test vectors, byte for byte (SECRET KEY is the 32-byte seed). The
 * SHA(abc) message is SHA-512("abc"): `echo -n abc | sha512sum`.
 */
const VECTORS: readonly Vector[] = [
  {
    name: 'TEST 1 (empty message)',
    secret: '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60',
    publicKey: 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a',
    message: '',
    signature:
      'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b',
  },
  {
    name: 'TEST 2 (one byte)',
    secret: '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb',
    publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c',
    message: '72',
    signature:
      '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00',
  },
  {
    name: 'TEST 3 (two bytes)',
    secret: 'c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7',
    publicKey: 'fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025',
    message: 'af82',
    signature:
      '6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a',
  },
  {
    name: 'TEST SHA(abc)',
    secret: '833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42',
    publicKey: 'ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf',
    message:
      'ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f',
    signature:
      'dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b58909351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704',
  },
];

const bytes = (hex: string) => fromHex(hex, undefined, 'hex');

/** A copy of `b` with bit `bit` of byte `i` flipped. */
function flip(b: Uint8Array, i: number, bit = 0): Uint8Array {
  const c = b.slice();
  c[i]! ^= 1 << bit;
  return c;
}

/** True when verification fails, counting a key that cannot even be imported as a failure. */
function rejects(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    return !verifyBytes(publicKeyObject(publicKey), message, signature);
  } catch {
    return true;
  }
}

void describe('RFC 8032 §7.1 Ed25519 vectors', () => {
  it('the SHA(abc) message is SHA-512 of "abc"', () => {
    assert.equal(createHash('sha512').update('abc').digest('hex'), VECTORS[3]!.message);
  });

  for (const v of VECTORS) {
    void describe(v.name, () => {
      const message = bytes(v.message);
      const signature = bytes(v.signature);
      const publicKey = bytes(v.publicKey);

      it('rejects a signature with any single bit flipped', () => {
        const key = publicKeyObject(publicKey);
        for (const i of [0, 1, 31, 32, 33, 62, 63]) {
          for (const bit of [0, 7]) {
            assert.equal(verifyBytes(key, message, flip(signature, i, bit)), false, `byte ${i} bit ${bit}`);
          }
        }
      });

      it('rejects a changed message', () => {
        const key = publicKeyObject(publicKey);
        const longer = new Uint8Array([...message, 0]);
        assert.equal(verifyBytes(key, longer, signature), false);
        if (message.length > 0) {
          assert.equal(verifyBytes(key, flip(message, 0), signature), false);
          assert.equal(verifyBytes(key, flip(message, message.length - 1, 7), signature), false);
        }
      });

      it('rejects a changed public key', () => {
        for (const i of [0, 15, 31]) assert.ok(rejects(flip(publicKey, i), message, signature), `byte ${i}`);
      });

      it('rejects a 63- or 65-byte signature', () => {
        const key = publicKeyObject(publicKey);
        assert.equal(verifyBytes(key, message, signature.subarray(0, 63)), false);
        assert.equal(verifyBytes(key, message, new Uint8Array([...signature, 0])), false);
        assert.equal(verifyBytes(key, message, new Uint8Array(0)), false);
      });

      it('derives the public key from the secret', () => {
        const signer = signerFromSeed(bytes(v.secret));
        assert.equal(toHex(signer.publicKey), v.publicKey);
        assert.equal(signer.keyId, keyIdOf(publicKey));
      });

      it('signs to the vector signature', () => {
        const signer = signerFromSeed(bytes(v.secret));
        assert.equal(toHex(signBytes(signer.privateKey, message)), v.signature);
      });

      it('verifies the vector signature from bytes and from hex', () => {
        assert.equal(verifyBytes(publicKeyObject(publicKey), message, signature), true);
        assert.equal(verifyBytes(publicKeyObject(v.publicKey), message, signature), true);
      });
    });
  }
});

void describe('signerFromSeed', () => {
  it('rejects a seed of the wrong length or type', () => {
    assert.throws(() => signerFromSeed(new Uint8Array(31)), ArgumentValueError);
    assert.throws(() => signerFromSeed(new Uint8Array(33)), ArgumentValueError);
    assert.throws(() => signerFromSeed('00'.repeat(32) as unknown as Uint8Array), ArgumentTypeError);
  });
});

void describe('signerFromPrivateKey', () => {
  it('rejects a key that is not Ed25519', () => {
    const { privateKey } = generateKeyPairSync('x25519');
    assert.throws(() => signerFromPrivateKey(privateKey), ArgumentValueError);
  });

  it('derives the same identity as the seed', () => {
    const v = VECTORS[0]!;
    const fromSeed = signerFromSeed(bytes(v.secret));
    const again = signerFromPrivateKey(fromSeed.privateKey);
    assert.equal(toHex(again.publicKey), v.publicKey);
    assert.equal(again.keyId, fromSeed.keyId);
  });
});

void describe('keyIdOf', () => {
  it('rejects a public key of the wrong length or type', () => {
    assert.throws(() => keyIdOf(new Uint8Array(31)), ArgumentValueError);
    assert.throws(() => keyIdOf(new Uint8Array(64)), ArgumentValueError);
    assert.throws(() => keyIdOf('ab' as unknown as Uint8Array), ArgumentTypeError);
  });

  it('is SHA-256("medledger:key:v1" ‖ 0x00 ‖ public key) in lowercase hex', () => {
    for (const v of VECTORS) {
      const want = createHash('sha256')
        .update('medledger:key:v1')
        .update(new Uint8Array([0]))
        .update(bytes(v.publicKey))
        .digest('hex');
      assert.equal(keyIdOf(bytes(v.publicKey)), want);
    }
  });

  it('is deterministic, 64 hex chars, and differs per key', () => {
    const ids = VECTORS.map((v) => keyIdOf(bytes(v.publicKey)));
    for (const [i, v] of VECTORS.entries()) {
      assert.equal(keyIdOf(bytes(v.publicKey)), ids[i]);
      assert.match(ids[i]!, /^[0-9a-f]{64}$/);
    }
    assert.equal(new Set(ids).size, ids.length);
    assert.notEqual(keyIdOf(flip(bytes(VECTORS[0]!.publicKey), 0)), ids[0]);
  });
});

void describe('publicKeyObject', () => {
  it('rejects wrong lengths', () => {
    assert.throws(() => publicKeyObject(new Uint8Array(31)), ArgumentValueError);
    assert.throws(() => publicKeyObject(new Uint8Array(33)), ArgumentValueError);
    assert.throws(() => publicKeyObject('ab'.repeat(31)), ArgumentValueError);
    assert.throws(() => publicKeyObject('ab'.repeat(33)), ArgumentValueError);
    assert.throws(() => publicKeyObject(''), ArgumentValueError);
  });

  it('rejects hex that is not lowercase hex of whole bytes', () => {
    assert.throws(() => publicKeyObject(VECTORS[0]!.publicKey.toUpperCase()), ArgumentValueError);
    assert.throws(() => publicKeyObject(`${VECTORS[0]!.publicKey.slice(0, 63)}g`), ArgumentValueError);
    assert.throws(() => publicKeyObject(VECTORS[0]!.publicKey.slice(1)), ArgumentValueError);
  });

  it('rejects a value that is neither bytes nor a string', () => {
    assert.throws(() => publicKeyObject(42 as unknown as string), ArgumentTypeError);
  });

  it('accepts bytes and hex for the same key', () => {
    for (const v of VECTORS) {
      assert.equal(toHex(rawPublicKey(publicKeyObject(bytes(v.publicKey)))), v.publicKey);
      assert.equal(toHex(rawPublicKey(publicKeyObject(v.publicKey))), v.publicKey);
    }
  });
});

void describe('generateSigner', () => {
  it('makes distinct keys that sign and verify', () => {
    const a = generateSigner();
    const b = generateSigner();
    assert.notEqual(a.keyId, b.keyId);
    assert.equal(a.keyId, keyIdOf(a.publicKey));
    const msg = new Uint8Array([1, 2, 3]);
    const sig = signBytes(a.privateKey, msg);
    assert.equal(sig.length, 64);
    assert.equal(verifyBytes(publicKeyObject(a.publicKey), msg, sig), true);
    assert.equal(verifyBytes(publicKeyObject(b.publicKey), msg, sig), false);
  });
});

void describe('verifyBytes (libsodium) against node:crypto (OpenSSL)', () => {
  const signers = Array.from({ length: 4 }, () => generateSigner());
  it('agrees on valid signatures and on signatures, messages and keys with bytes changed', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: signers.length - 1 }),
        fc.nat({ max: signers.length - 1 }),
        fc.uint8Array({ maxLength: 200 }),
        fc.option(fc.tuple(fc.nat({ max: 63 }), fc.integer({ min: 1, max: 255 })), { nil: undefined }),
        fc.option(fc.tuple(fc.nat({ max: 31 }), fc.integer({ min: 1, max: 255 })), { nil: undefined }),
        (signerIndex, keyIndex, message, sigChange, keyChange) => {
          const sig = signBytes(signers[signerIndex]!.privateKey, message);
          if (sigChange) sig[sigChange[0]]! ^= sigChange[1];
          const raw = Uint8Array.from(signers[keyIndex]!.publicKey);
          if (keyChange) raw[keyChange[0]]! ^= keyChange[1];
          let key;
          try {
            key = publicKeyObject(raw);
          } catch {
            return; // not a point OpenSSL will import: nothing to compare
          }
          const openssl = verify(null, message, key, sig);
          assert.equal(verifyBytes(key, message, sig), openssl);
          assert.equal(verifyRaw(raw, message, sig), openssl);
          if (!sigChange && !keyChange && signerIndex === keyIndex) assert.equal(openssl, true);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('signs exactly as node:crypto does (Ed25519 is deterministic)', () => {
    fc.assert(
      fc.property(fc.nat({ max: signers.length - 1 }), fc.uint8Array({ maxLength: 300 }), (i, message) => {
        const key = signers[i]!.privateKey;
        assert.deepEqual(signBytes(key, message), new Uint8Array(sign(null, message, key)));
      }),
      { numRuns: 300 },
    );
    const x = generateKeyPairSync('x25519').privateKey;
    assert.throws(() => signBytes(x, new Uint8Array([1])));
  });

  it('refuses keys of other types and keys or signatures of the wrong length', () => {
    const x = generateKeyPairSync('x25519').publicKey;
    const s = generateSigner();
    const sig = signBytes(s.privateKey, new Uint8Array([1]));
    assert.equal(verifyBytes(x, new Uint8Array([1]), sig), false);
    assert.equal(verifyRaw(s.publicKey.subarray(0, 31), new Uint8Array([1]), sig), false);
    assert.equal(verifyRaw(s.publicKey, new Uint8Array([1]), sig.subarray(0, 63)), false);
    assert.equal(verifyRaw(s.publicKey, new Uint8Array([1]), sig), true);
  });
});
