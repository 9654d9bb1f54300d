import { CipherSuite, DhkemX25519HkdfSha256, HkdfSha256, Aes256Gcm } from '@hpke/core';
import assert from 'node:assert/strict';
import { createDecipheriv } from 'node:crypto';
import type { webcrypto } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toHex, utf8 } from './bytes.ts';
import { decryptRecord, encryptRecord, keyWrapper, unwrapKey } from './envelope.ts';
import type { WrappedKey } from './envelope.ts';
import { ArgumentTypeError, ArgumentValueError, DecryptError } from './errors.ts';
import { generateX25519, seal, x25519PrivateRaw } from './hpke.ts';

const RECORD = utf8(
  JSON.stringify({
    resourceType: 'Observation',
    subject: { display: 'Jane Q. Patient' },
    valueString: 'HIV+',
  }),
);
const AAD = utf8('rec-0001');

/** One record key wrapped through a wrapper of its own. */
const wrapKey = (key: Uint8Array, publicKey: Uint8Array, recordId: string): WrappedKey =>
  keyWrapper(publicKey).wrap(key, recordId);

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

  it('is standard HPKE: @hpke/core derives the same key-encryption key (export of the record id)', async () => {
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
    const ctx = await suite.createRecipientContext({
      recipientKey,
      enc: Buffer.from(w.enc, 'hex'),
      info: utf8('medledger:record-key:v2'),
    });
    const kek = new Uint8Array(await ctx.export(utf8('rec-0001'), 32));
    const sealed = Buffer.from(w.ct, 'hex');
    const d = createDecipheriv('aes-256-gcm', kek, Buffer.alloc(12));
    d.setAAD(utf8('rec-0001'));
    d.setAuthTag(sealed.subarray(32));
    const got = Buffer.concat([d.update(sealed.subarray(0, 32)), d.final()]);
    assert.deepEqual(new Uint8Array(got), key);
  });

  it('opens the v1 wraps written before (single-shot HPKE of the key), and only for their record', () => {
    const sealed = seal(patient.publicKey, utf8('medledger:record-key:v1'), utf8('rec-0001'), key);
    const v1 = { enc: toHex(sealed.enc), ct: toHex(sealed.ct) };
    assert.deepEqual(unwrapKey(v1, patient, 'rec-0001'), key);
    assert.throws(() => unwrapKey(v1, patient, 'rec-0002'), DecryptError);
    assert.throws(() => unwrapKey(v1, org, 'rec-0001'), DecryptError);
    assert.throws(() => unwrapKey({ ...v1, ct: flipHex(v1.ct, 5) }, patient, 'rec-0001'), DecryptError);
  });

  it('opens a record end to end', () => {
    const { key: k, ciphertext } = encryptRecord(RECORD, AAD);
    const wrapped = wrapKey(k, org.publicKey, 'rec-0001');
    assert.deepEqual(decryptRecord(unwrapKey(wrapped, org, 'rec-0001'), ciphertext, AAD), RECORD);
  });
});

describe('keyWrapper', () => {
  const r = generateX25519();
  const other = generateX25519();
  const keys = Array.from({ length: 5 }, () => encryptRecord(RECORD, AAD).key);
  const ids = keys.map((_, i) => `rec-${String(i)}`);

  it('wraps many records through one context: one enc, each wrap opening only its own record', () => {
    const w = keyWrapper(r.publicKey);
    const wraps = keys.map((k, i) => w.wrap(k, ids[i]!));
    assert.equal(new Set(wraps.map((x) => x.enc)).size, 1);
    assert.equal(wraps[0]!.enc, w.enc);
    assert.equal(new Set(wraps.map((x) => x.ct)).size, keys.length);
    wraps.forEach((x, i) => {
      assert.deepEqual(unwrapKey(x, r, ids[i]!), keys[i]);
      assert.throws(() => unwrapKey(x, other, ids[i]!), DecryptError);
    });
    // A wrap moved to another record of the same context, or given another record's id, fails.
    assert.throws(() => unwrapKey(wraps[0]!, r, ids[1]!), DecryptError);
    assert.throws(() => unwrapKey({ enc: wraps[0]!.enc, ct: wraps[1]!.ct }, r, ids[0]!), DecryptError);
  });

  it('the same key wrapped for two records gives unrelated cts', () => {
    const w = keyWrapper(r.publicKey);
    assert.notEqual(w.wrap(keys[0]!, 'a').ct, w.wrap(keys[0]!, 'b').ct);
  });

  it('refuses to wrap a record id twice (one exported key would seal two keys under one nonce)', () => {
    const w = keyWrapper(r.publicKey);
    assert.equal(w.has('rec-0'), false);
    w.wrap(keys[0]!, 'rec-0');
    assert.equal(w.has('rec-0'), true);
    assert.throws(() => w.wrap(keys[1]!, 'rec-0'), ArgumentValueError);
    assert.throws(() => w.wrap(keys[0]!, 'rec-0'), ArgumentValueError);
  });

  it('gives each wrapper its own context', () => {
    assert.notEqual(keyWrapper(r.publicKey).enc, keyWrapper(r.publicKey).enc);
  });

  it('an altered wrap of a context already opened still fails', () => {
    const w = keyWrapper(r.publicKey);
    const a = w.wrap(keys[0]!, 'x-0');
    const b = w.wrap(keys[1]!, 'x-1');
    assert.deepEqual(unwrapKey(a, r, 'x-0'), keys[0]);
    for (let i = 0; i < b.ct.length; i += 7)
      assert.throws(() => unwrapKey({ ...b, ct: flipHex(b.ct, i) }, r, 'x-1'), DecryptError);
    assert.deepEqual(unwrapKey(b, r, 'x-1'), keys[1]);
  });
});
