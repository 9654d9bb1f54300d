import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from '@hpke/core';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import type { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from './bytes.ts';
import { ArgumentTypeError, ArgumentValueError, DecryptError } from './errors.ts';
import {
  decap,
  deriveKeyPair,
  encap,
  generateX25519,
  keyScheduleValues,
  open,
  seal,
  setupBaseR,
  setupBaseS,
  x25519FromPrivate,
  x25519PrivateRaw,
} from './hpke.ts';
import type { X25519KeyPair } from './hpke.ts';
import { GO_ACCUMULATED, INFO, KEM_VECTORS, PT, SUITE_VECTOR } from './hpke-vectors.test-util.ts';

const hex = (s: string): Uint8Array => fromHex(s, undefined, 'vector');
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const flip = (b: Uint8Array, i: number, mask = 0x01): Uint8Array => {
  const c = Uint8Array.from(b);
  c[i] = c[i]! ^ mask;
  return c;
};

/**
 * The X25519 points of small order (u = 0, 1, the two order-8 points, p - 1, p, p + 1, little
 * endian; RFC 7748 §6.1, as listed by libsodium). DH with any of them gives all zeros.
 */
const LOW_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  'e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800',
  '5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
];

const R = generateX25519();
const GOOD = seal(R.publicKey, bytes('info'), bytes('aad'), bytes('a wrapped record key, 32 bytes!'));

describe('hpke open', () => {
  it('rejects a ciphertext with any byte changed', () => {
    for (let i = 0; i < GOOD.ct.length; i++) {
      assert.throws(() => open(R, GOOD.enc, bytes('info'), bytes('aad'), flip(GOOD.ct, i)), DecryptError);
    }
  });

  it('rejects an enc with any byte changed, including the bit X25519 ignores', () => {
    for (let i = 0; i < GOOD.enc.length; i++) {
      assert.throws(() => open(R, flip(GOOD.enc, i), bytes('info'), bytes('aad'), GOOD.ct), DecryptError);
    }
    // RFC 7748 masks the top bit of u, so the DH output is unchanged; kem_context still binds enc.
    assert.throws(
      () => open(R, flip(GOOD.enc, 31, 0x80), bytes('info'), bytes('aad'), GOOD.ct),
      DecryptError,
    );
  });

  it('rejects the wrong recipient key', () => {
    assert.throws(() => open(generateX25519(), GOOD.enc, bytes('info'), bytes('aad'), GOOD.ct), DecryptError);
  });

  it('rejects the wrong info or aad', () => {
    assert.throws(() => open(R, GOOD.enc, bytes('infO'), bytes('aad'), GOOD.ct), DecryptError);
    assert.throws(() => open(R, GOOD.enc, bytes(''), bytes('aad'), GOOD.ct), DecryptError);
    assert.throws(() => open(R, GOOD.enc, bytes('info'), bytes('aaD'), GOOD.ct), DecryptError);
    assert.throws(() => open(R, GOOD.enc, bytes('info'), bytes(''), GOOD.ct), DecryptError);
  });

  it('rejects a truncated or extended ciphertext', () => {
    for (const ct of [
      GOOD.ct.subarray(0, GOOD.ct.length - 1),
      GOOD.ct.subarray(0, 16),
      GOOD.ct.subarray(0, 15),
    ]) {
      assert.throws(() => open(R, GOOD.enc, bytes('info'), bytes('aad'), ct), DecryptError);
    }
    const longer = new Uint8Array(GOOD.ct.length + 1);
    longer.set(GOOD.ct);
    assert.throws(() => open(R, GOOD.enc, bytes('info'), bytes('aad'), longer), DecryptError);
    assert.throws(() => open(R, GOOD.enc, bytes('info'), bytes('aad'), new Uint8Array(0)), DecryptError);
  });

  it('rejects an enc of the wrong length', () => {
    for (const n of [0, 31, 33]) {
      const enc = new Uint8Array(n);
      enc.set(GOOD.enc.subarray(0, Math.min(n, 32)));
      assert.throws(() => open(R, enc, bytes('info'), bytes('aad'), GOOD.ct), DecryptError);
    }
  });

  it('rejects every low-order enc (all-zero DH, RFC 9180 §7.1.4)', () => {
    for (const p of LOW_ORDER) {
      assert.throws(() => open(R, hex(p), bytes('info'), bytes('aad'), GOOD.ct), DecryptError, p);
    }
  });

  it('rejects arguments of the wrong type', () => {
    const notBytes = 'aad' as unknown as Uint8Array;
    assert.throws(() => open(R, GOOD.enc, bytes('info'), notBytes, GOOD.ct), ArgumentTypeError);
    assert.throws(
      () => open(null as unknown as X25519KeyPair, GOOD.enc, bytes('i'), bytes('a'), GOOD.ct),
      ArgumentTypeError,
    );
    const ed = generateKeyPairSync('ed25519').privateKey;
    assert.throws(
      () => open({ publicKey: R.publicKey, privateKey: ed }, GOOD.enc, bytes('i'), bytes('a'), GOOD.ct),
      ArgumentValueError,
    );
  });

  it('does not advance the sequence number on failure', () => {
    const { enc, ctx } = setupBaseS(R.publicKey, bytes('info'));
    const c0 = ctx.seal(bytes('0'), bytes('first'));
    const c1 = ctx.seal(bytes('1'), bytes('second'));
    const rctx = setupBaseR(enc, R, bytes('info'));
    assert.throws(() => rctx.open(bytes('1'), c1), DecryptError); // out of order: nonce for seq 0
    assert.deepEqual(rctx.open(bytes('0'), c0), bytes('first'));
    assert.deepEqual(rctx.open(bytes('1'), c1), bytes('second'));
  });
});

describe('hpke seal and keys', () => {
  it('rejects a recipient key of the wrong length or type', () => {
    for (const n of [0, 31, 33]) {
      assert.throws(() => seal(new Uint8Array(n), bytes('i'), bytes('a'), bytes('p')), ArgumentValueError);
    }
    const notBytes = toHex(R.publicKey) as unknown as Uint8Array;
    assert.throws(() => seal(notBytes, bytes('i'), bytes('a'), bytes('p')), ArgumentTypeError);
    assert.throws(
      () => seal(R.publicKey, bytes('i'), bytes('a'), [1, 2] as unknown as Uint8Array),
      ArgumentTypeError,
    );
  });

  it('refuses to seal to a low-order public key', () => {
    for (const p of LOW_ORDER) {
      assert.throws(() => seal(hex(p), bytes('i'), bytes('a'), bytes('p')), ArgumentValueError, p);
    }
  });

  it('rejects key material of the wrong length', () => {
    assert.throws(() => x25519FromPrivate(new Uint8Array(31)), ArgumentValueError);
    assert.throws(() => x25519FromPrivate(new Uint8Array(33)), ArgumentValueError);
    assert.throws(() => deriveKeyPair(new Uint8Array(31)), ArgumentValueError);
  });

  it('rejects export lengths outside 0 … 255·Nh', () => {
    const { ctx } = setupBaseS(R.publicKey, bytes('info'));
    for (const n of [-1, 1.5, 8161]) assert.throws(() => ctx.export(bytes('c'), n), ArgumentValueError);
    assert.throws(() => ctx.export(bytes('c'), '32' as unknown as number), ArgumentTypeError);
    assert.equal(ctx.export(bytes('c'), 8160).length, 8160);
    assert.equal(ctx.export(bytes('c'), 0).length, 0);
  });

  it('round-trips a raw private key', () => {
    const kp = generateX25519();
    const again = x25519FromPrivate(x25519PrivateRaw(kp));
    assert.deepEqual(again.publicKey, kp.publicKey);
  });

  it('seals and opens random messages', () => {
    fc.assert(
      fc.property(fc.uint8Array(), fc.uint8Array(), fc.uint8Array({ maxLength: 2048 }), (info, aad, pt) => {
        const s = seal(R.publicKey, info, aad, pt);
        assert.equal(s.ct.length, pt.length + 16);
        assert.deepEqual(open(R, s.enc, info, aad, s.ct), pt);
      }),
      { numRuns: 100 },
    );
  });
});

describe('hpke RFC 9180 vectors', () => {
  for (const v of [...KEM_VECTORS, SUITE_VECTOR]) {
    it(`${v.name}: DeriveKeyPair, Encap, Decap`, () => {
      const e = deriveKeyPair(hex(v.ikmE));
      const r = deriveKeyPair(hex(v.ikmR));
      assert.equal(toHex(x25519PrivateRaw(e)), v.skEm);
      assert.equal(toHex(e.publicKey), v.pkEm);
      assert.equal(toHex(x25519PrivateRaw(r)), v.skRm);
      assert.equal(toHex(r.publicKey), v.pkRm);
      assert.equal(toHex(x25519FromPrivate(hex(v.skRm)).publicKey), v.pkRm);
      const { sharedSecret, enc } = encap(hex(v.pkRm), e);
      assert.equal(toHex(enc), v.enc);
      assert.equal(toHex(sharedSecret), v.sharedSecret);
      assert.equal(toHex(decap(hex(v.enc), x25519FromPrivate(hex(v.skRm)))), v.sharedSecret);
    });
  }

  const v = SUITE_VECTOR;
  const recipient = (): X25519KeyPair => x25519FromPrivate(hex(v.skRm));
  const ephemeral = (): X25519KeyPair => deriveKeyPair(hex(v.ikmE));

  it(`${v.name}: key schedule`, () => {
    const ks = keyScheduleValues(hex(v.sharedSecret), hex(INFO));
    assert.equal(toHex(ks.keyScheduleContext), v.keyScheduleContext);
    assert.equal(toHex(ks.secret), v.secret);
    assert.equal(toHex(ks.key), v.key);
    assert.equal(toHex(ks.baseNonce), v.baseNonce);
    assert.equal(toHex(ks.exporterSecret), v.exporterSecret);
  });

  it(`${v.name}: encryptions and exports, both roles`, () => {
    const { enc, ctx } = setupBaseS(hex(v.pkRm), hex(INFO), { ephemeral: ephemeral() });
    assert.equal(toHex(enc), v.enc);
    const rctx = setupBaseR(hex(v.enc), recipient(), hex(INFO));
    for (const e of v.encryptions) {
      assert.equal(toHex(ctx.seal(hex(e.aad), hex(PT))), e.ct, `seq ${e.seq}`);
      assert.equal(toHex(rctx.open(hex(e.aad), hex(e.ct))), PT, `seq ${e.seq}`);
    }
    for (const x of v.exports) {
      assert.equal(toHex(ctx.export(hex(x.exporterContext), x.length)), x.value);
      assert.equal(toHex(rctx.export(hex(x.exporterContext), x.length)), x.value);
    }
  });

  it(`${v.name}: single-shot seal and open`, () => {
    const e0 = v.encryptions[0]!;
    const s = seal(hex(v.pkRm), hex(INFO), hex(e0.aad), hex(PT), { ephemeral: ephemeral() });
    assert.equal(toHex(s.enc), v.enc);
    assert.equal(toHex(s.ct), e0.ct);
    assert.equal(toHex(open(recipient(), hex(v.enc), hex(INFO), hex(e0.aad), hex(e0.ct))), PT);
  });

  it(`${v.name}: Go's accumulated 1,000 encryptions and exports`, () => {
    // A SHAKE128 stream with no input, read as (1-byte length n, n bytes) draws; XOF output is
    // prefix-stable, so one long digest serves as the stream (≤ 2,000 draws of ≤ 256 bytes).
    const draws = (): (() => Uint8Array) => {
      const stream = createHash('shake128', { outputLength: 2 * GO_ACCUMULATED.count * 256 }).digest();
      let at = 0;
      return () => {
        const n = stream[at]!;
        const out = stream.subarray(at + 1, at + 1 + n);
        at += 1 + n;
        return out;
      };
    };
    const { ctx } = setupBaseS(hex(v.pkRm), hex(INFO), { ephemeral: ephemeral() });
    const rctx = setupBaseR(hex(v.enc), recipient(), hex(INFO));

    let draw = draws();
    let sink = createHash('shake128', { outputLength: 16 });
    for (let i = 0; i < GO_ACCUMULATED.count; i++) {
      const aad = draw();
      const pt = draw();
      const ct = ctx.seal(aad, pt);
      sink.update(ct);
      assert.deepEqual(Buffer.from(rctx.open(aad, ct)), pt);
    }
    assert.equal(sink.digest('hex'), GO_ACCUMULATED.encryptions);

    draw = draws();
    sink = createHash('shake128', { outputLength: 16 });
    for (let length = 0; length < GO_ACCUMULATED.count; length++) {
      const context = draw();
      const value = ctx.export(context, length);
      sink.update(value);
      assert.deepEqual(rctx.export(context, length), value);
    }
    assert.equal(sink.digest('hex'), GO_ACCUMULATED.exports);
  });
});

describe('hpke cross-check with @hpke/core', () => {
  const suite = new CipherSuite({
    kem: new DhkemX25519HkdfSha256(),
    kdf: new HkdfSha256(),
    aead: new Aes256Gcm(),
  });
  // @hpke/core's .d.ts name the DOM's CryptoKey, which this project's lib (es2024 + node) lacks.
  type Key = webcrypto.CryptoKey;
  const theirs = async (kp: X25519KeyPair): Promise<Key> =>
    (await suite.kem.importKey('raw', x25519PrivateRaw(kp).slice().buffer, false)) as Key;
  const input = fc.record({
    ikm: fc.uint8Array({ minLength: 32, maxLength: 64 }),
    info: fc.uint8Array({ maxLength: 64 }),
    aad: fc.uint8Array({ maxLength: 64 }),
    pt: fc.uint8Array({ maxLength: 512 }),
  });

  it('derives the same key pairs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 32, maxLength: 64 }), async (ikm) => {
        const kp = (await suite.kem.deriveKeyPair(ikm)) as webcrypto.CryptoKeyPair;
        const pk = new Uint8Array(await suite.kem.serializePublicKey(kp.publicKey));
        assert.deepEqual(deriveKeyPair(ikm).publicKey, pk);
      }),
      { numRuns: 15 },
    );
  });

  it('our seal → @hpke/core open', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ({ ikm, info, aad, pt }) => {
        const r = deriveKeyPair(ikm);
        const { enc, ct } = seal(r.publicKey, info, aad, pt);
        const got = await suite.open({ recipientKey: await theirs(r), enc, info }, ct, aad);
        assert.deepEqual(new Uint8Array(got), pt);
      }),
      { numRuns: 20 },
    );
  });

  it('@hpke/core seal → our open', async () => {
    await fc.assert(
      fc.asyncProperty(input, async ({ ikm, info, aad, pt }) => {
        const r = deriveKeyPair(ikm);
        const recipientPublicKey = (await suite.kem.deserializePublicKey(r.publicKey)) as Key;
        const { enc, ct } = await suite.seal({ recipientPublicKey, info }, pt, aad);
        assert.deepEqual(open(r, new Uint8Array(enc), info, aad, new Uint8Array(ct)), pt);
      }),
      { numRuns: 20 },
    );
  });

  // L ≤ 255 only: @hpke/core 1.9.0 writes I2OSP(L, 2) as [0, L] (common/esm/src/kdfs/hkdf.js
  // buildLabeledInfo), wrong from L = 256 on. Longer exports are pinned by GO_ACCUMULATED above.
  it('exports the same secrets', async () => {
    await fc.assert(
      fc.asyncProperty(input, fc.nat({ max: 255 }), async ({ ikm, info, aad }, length) => {
        const r = deriveKeyPair(ikm);
        const { enc, ctx } = setupBaseS(r.publicKey, info);
        const rctx = await suite.createRecipientContext({ recipientKey: await theirs(r), enc, info });
        assert.deepEqual(new Uint8Array(await rctx.export(aad, length)), ctx.export(aad, length));
      }),
      { numRuns: 10 },
    );
  });
});
