import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from '@hpke/core';
import assert from 'node:assert/strict';
import type { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { utf8 } from './bytes.ts';
import { decryptRecord, encryptRecord, unwrapKey, wrapKey } from './envelope.ts';
import type { WrappedKey } from './envelope.ts';
import { ArgumentTypeError, ArgumentValueError, DecryptError } from './errors.ts';
import { generateX25519, x25519PrivateRaw } from './hpke.ts';

const RECORD = utf8(
  JSON.stringify({
    resourceType: 'Observation',
    subject: { display: 'Jane Q. Patient' },
    valueString: 'HIV+',
  }),
);
const AAD = utf8('rec-0001');

const flip = (b: Uint8Array, i: number): Uint8Array => {
  const c = Uint8Array.from(b);
  c[i] = c[i]! ^ 0x01;
  return c;
};
/** Changes one hex digit (to another valid lowercase hex digit). */
const flipHex = (s: string, i: number): string => s.slice(0, i) + (s[i] === '0' ? '1' : '0') + s.slice(i + 1);

describe('decryptRecord', () => {
  const { key, ciphertext } = encryptRecord(RECORD, AAD);

  it('rejects a wrong key', () => {
    assert.throws(() => decryptRecord(encryptRecord(RECORD, AAD).key, ciphertext, AAD), DecryptError);
    assert.throws(() => decryptRecord(flip(key, 0), ciphertext, AAD), DecryptError);
  });

  it('rejects a wrong aad', () => {
    assert.throws(() => decryptRecord(key, ciphertext, utf8('rec-0002')), DecryptError);
    assert.throws(() => decryptRecord(key, ciphertext, new Uint8Array(0)), DecryptError);
  });

  it('rejects any altered byte: nonce, body or tag', () => {
    for (let i = 0; i < ciphertext.length; i++) {
      assert.throws(() => decryptRecord(key, flip(ciphertext, i), AAD), DecryptError, `byte ${String(i)}`);
    }
  });

  it('rejects a truncated ciphertext', () => {
    for (const n of [0, 27, 28, ciphertext.length - 1]) {
      assert.throws(
        () => decryptRecord(key, ciphertext.subarray(0, n), AAD),
        DecryptError,
        `length ${String(n)}`,
      );
    }
  });

  it('rejects a key of the wrong length or type', () => {
    assert.throws(() => decryptRecord(key.subarray(0, 16), ciphertext, AAD), ArgumentValueError);
    assert.throws(() => decryptRecord('k' as unknown as Uint8Array, ciphertext, AAD), ArgumentTypeError);
  });

  it('round-trips any body and aad', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.uint8Array({ maxLength: 64 }), (pt, aad) => {
        const r = encryptRecord(pt, aad);
        assert.equal(r.key.length, 32);
        assert.equal(r.ciphertext.length, 12 + pt.length + 16);
        assert.deepEqual(decryptRecord(r.key, r.ciphertext, aad), pt);
      }),
      { numRuns: 200 },
    );
  });

  it('does not contain the plaintext', () => {
    const hay = Buffer.from(ciphertext);
    assert.equal(hay.indexOf(Buffer.from(RECORD)), -1);
    assert.equal(hay.indexOf(Buffer.from('Jane Q. Patient')), -1);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 1024 }), (pt) => {
        assert.equal(Buffer.from(encryptRecord(pt, AAD).ciphertext).indexOf(Buffer.from(pt)), -1);
      }),
      { numRuns: 200 },
    );
  });

  it('uses a fresh key and nonce each time', () => {
    const a = encryptRecord(RECORD, AAD);
    const b = encryptRecord(RECORD, AAD);
    assert.notDeepEqual(a.key, b.key);
    assert.notDeepEqual(a.ciphertext.subarray(0, 12), b.ciphertext.subarray(0, 12));
    assert.notDeepEqual(a.ciphertext, b.ciphertext);
  });
});

describe('unwrapKey', () => {
  const patient = generateX25519();
  const org = generateX25519();
  const { key } = encryptRecord(RECORD, AAD);
  const w = wrapKey(key, patient.publicKey, 'rec-0001');

  it('rejects the wrong recipient', () => {
    assert.throws(() => unwrapKey(w, org, 'rec-0001'), DecryptError);
  });

  it('rejects a wrap moved to another record', () => {
    assert.throws(() => unwrapKey(w, patient, 'rec-0002'), DecryptError);
    assert.throws(() => unwrapKey(w, patient, 'rec-00010'), DecryptError);
  });

  it('rejects any altered hex digit of enc or ct', () => {
    for (let i = 0; i < w.enc.length; i += 1) {
      assert.throws(() => unwrapKey({ ...w, enc: flipHex(w.enc, i) }, patient, 'rec-0001'), DecryptError);
    }
    for (let i = 0; i < w.ct.length; i += 1) {
      assert.throws(() => unwrapKey({ ...w, ct: flipHex(w.ct, i) }, patient, 'rec-0001'), DecryptError);
    }
  });

  it('rejects a malformed wrap', () => {
    const bad: unknown[] = [
      { ...w, enc: w.enc.toUpperCase() },
      { ...w, enc: w.enc.slice(2) },
      { ...w, ct: w.ct.slice(2) },
      { ...w, ct: `${w.ct}00` },
      { ...w, ct: 'zz' + w.ct.slice(2) },
      { enc: w.enc },
      { ...w, enc: 42 },
    ];
    for (const b of bad) assert.throws(() => unwrapKey(b as WrappedKey, patient, 'rec-0001'), DecryptError);
    assert.throws(() => unwrapKey(null as unknown as WrappedKey, patient, 'rec-0001'), ArgumentTypeError);
  });

  it('rejects bad wrap arguments', () => {
    assert.throws(() => wrapKey(key.subarray(0, 31), patient.publicKey, 'rec-0001'), ArgumentValueError);
    assert.throws(() => wrapKey(key, patient.publicKey.subarray(1), 'rec-0001'), ArgumentValueError);
    assert.throws(() => wrapKey(key, patient.publicKey, ''), ArgumentValueError);
    assert.throws(() => wrapKey(key, patient.publicKey, 7 as unknown as string), ArgumentTypeError);
  });

  it('round-trips to every recipient and record id', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.string({ minLength: 1 }), (k, id) => {
        for (const r of [patient, org]) {
          const wrapped = wrapKey(k, r.publicKey, id);
          assert.match(wrapped.enc, /^[0-9a-f]{64}$/);
          assert.match(wrapped.ct, /^[0-9a-f]{96}$/);
          assert.deepEqual(unwrapKey(wrapped, r, id), k);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('is standard HPKE: @hpke/core unwraps it with the documented info and aad', async () => {
    const suite = new CipherSuite({
      kem: new DhkemX25519HkdfSha256(),
      kdf: new HkdfSha256(),
      aead: new Aes256Gcm(),
    });
    const recipientKey = (await suite.kem.importKey(
      'raw',
      x25519PrivateRaw(patient).slice().buffer,
      false,
    )) as webcrypto.CryptoKey;
    const got = await suite.open(
      { recipientKey, enc: Buffer.from(w.enc, 'hex'), info: utf8('medledger:record-key:v1') },
      Buffer.from(w.ct, 'hex'),
      utf8('rec-0001'),
    );
    assert.deepEqual(new Uint8Array(got), key);
  });

  it('opens a record end to end', () => {
    const { key: k, ciphertext } = encryptRecord(RECORD, AAD);
    const wrapped = wrapKey(k, org.publicKey, 'rec-0001');
    assert.deepEqual(decryptRecord(unwrapKey(wrapped, org, 'rec-0001'), ciphertext, AAD), RECORD);
  });
});
