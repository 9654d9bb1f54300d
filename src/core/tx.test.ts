import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';
import type { Json } from './canonical-json.ts';
import { MalformedTxError, NotCanonicalizableError } from './errors.ts';
import { publicKeyObject, signBytes, signerFromSeed } from './keys.ts';
import { TX_TYPES, createTx, decodeTx, encodeTx, redecodeTx, txIdOf, verifyTxSignature } from './tx.ts';
import type { Tx } from './tx.ts';

// Fixed keys: the RFC 8032 §7.1 TEST 1 and TEST 2 seeds, so every id below is reproducible.
const alice = signerFromSeed(
  fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 32, 'seed'),
);
const bob = signerFromSeed(
  fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', 32, 'seed'),
);
const TIME = 1_700_000_000_000;
const NONCE = '000102030405060708090a0b0c0d0e0f';

/** SHA-256(0x00 ‖ "medledger:tx:v1" ‖ 0x00 ‖ UTF-8 body), computed without the code under test. */
function expectedId(bodyJson: string): string {
  return createHash('sha256')
    .update(new Uint8Array([0]))
    .update('medledger:tx:v1', 'utf8')
    .update(new Uint8Array([0]))
    .update(bodyJson, 'utf8')
    .digest('hex');
}

function sample(payload: Json = { record: 'r-1', note: 'é ✓ 🩺' }): Tx {
  return createTx(alice, 'data.put', payload, { time: TIME, nonce: NONCE });
}

/** A valid body as a plain object, to mutate into invalid ones. */
function bodyObject(): Record<string, unknown> {
  return JSON.parse(sample().bodyJson) as Record<string, unknown>;
}

/** A signature that is well formed (64 bytes hex) so only the body is judged. */
const SIG = toHex(sample().sig);

void describe('decodeTx', () => {
  const good = encodeTx(sample());
  const withBody = (o: Record<string, unknown>) => ({ body: canonicalize(o), sig: SIG });
  const cases: { desc: string; wire: unknown }[] = [
    { desc: 'null', wire: null },
    { desc: 'a string', wire: JSON.stringify(good) },
    { desc: 'no body', wire: { sig: SIG } },
    {
      desc: 'a body that is an object, not text',
      wire: { body: JSON.parse(good.body) as unknown, sig: SIG },
    },
    { desc: 'a body that is not JSON', wire: { body: '{"type":', sig: SIG } },
    { desc: 'a body that is an array', wire: { body: '[1,2,3,4,5]', sig: SIG } },
    { desc: 'a body that is null', wire: { body: 'null', sig: SIG } },
    { desc: 'an extra space in the body', wire: { body: good.body.replace(':', ': '), sig: SIG } },
    { desc: 'a trailing newline in the body', wire: { body: `${good.body}\n`, sig: SIG } },
    {
      desc: 'reordered keys',
      wire: {
        body: JSON.stringify(Object.fromEntries(Object.entries(bodyObject()).reverse())),
        sig: SIG,
      },
    },
    {
      desc: 'a duplicated key',
      wire: { body: good.body.replace('{', `{"nonce":"${'f'.repeat(32)}",`), sig: SIG },
    },
    { desc: 'a non-canonical number', wire: { body: good.body.replace(`${TIME}`, `${TIME}.0`), sig: SIG } },
    {
      desc: 'an escaped character that need not be',
      wire: { body: good.body.replace('r-1', 'r\\u002d1'), sig: SIG },
    },
    { desc: 'an unknown type', wire: withBody({ ...bodyObject(), type: 'data.steal' }) },
    { desc: 'a type of the wrong case', wire: withBody({ ...bodyObject(), type: 'DATA.PUT' }) },
    { desc: 'a type that is not a string', wire: withBody({ ...bodyObject(), type: 1 }) },
    ...(['type', 'payload', 'signer', 'time', 'nonce'] as const).map((k) => {
      const o = Object.fromEntries(Object.entries(bodyObject()).filter(([key]) => key !== k));
      return { desc: `a missing ${k}`, wire: withBody(o) };
    }),
    { desc: 'an extra field', wire: withBody({ ...bodyObject(), extra: 1 }) },
    {
      desc: 'payload replaced by another field',
      wire: withBody(
        Object.fromEntries(Object.entries(bodyObject()).map(([k, v]) => [k === 'payload' ? 'data' : k, v])),
      ),
    },
    { desc: 'a signer of 31 bytes', wire: withBody({ ...bodyObject(), signer: alice.keyId.slice(2) }) },
    { desc: 'an uppercase signer', wire: withBody({ ...bodyObject(), signer: alice.keyId.toUpperCase() }) },
    {
      desc: 'a signer that is not hex',
      wire: withBody({ ...bodyObject(), signer: `${alice.keyId.slice(1)}x` }),
    },
    { desc: 'a signer that is a number', wire: withBody({ ...bodyObject(), signer: 1 }) },
    { desc: 'a nonce of 15 bytes', wire: withBody({ ...bodyObject(), nonce: NONCE.slice(2) }) },
    { desc: 'a nonce of 17 bytes', wire: withBody({ ...bodyObject(), nonce: `${NONCE}00` }) },
    { desc: 'an uppercase nonce', wire: withBody({ ...bodyObject(), nonce: 'ABCDEF'.padEnd(32, '0') }) },
    { desc: 'a nonce that is a number', wire: withBody({ ...bodyObject(), nonce: 7 }) },
    { desc: 'a negative time', wire: withBody({ ...bodyObject(), time: -1 }) },
    { desc: 'a fractional time', wire: withBody({ ...bodyObject(), time: TIME + 0.5 }) },
    { desc: 'a time beyond 2^53 − 1', wire: withBody({ ...bodyObject(), time: 2 ** 53 }) },
    { desc: 'a time as a string', wire: withBody({ ...bodyObject(), time: String(TIME) }) },
    { desc: 'no sig', wire: { body: good.body } },
    { desc: 'a sig that is bytes, not hex', wire: { body: good.body, sig: sample().sig } },
    { desc: 'a sig of 63 bytes', wire: { body: good.body, sig: good.sig.slice(2) } },
    { desc: 'a sig of 65 bytes', wire: { body: good.body, sig: `${good.sig}00` } },
    { desc: 'an odd-length sig', wire: { body: good.body, sig: `${good.sig}0` } },
    { desc: 'an uppercase sig', wire: { body: good.body, sig: good.sig.toUpperCase() } },
    { desc: 'a sig that is not hex', wire: { body: good.body, sig: `${good.sig.slice(1)}z` } },
  ];
  for (const c of cases) {
    it(`rejects ${c.desc}`, () => {
      assert.throws(() => decodeTx(c.wire), MalformedTxError);
    });
  }

  // A parseable body whose payload is not I-JSON (1e400 → Infinity, a lone surrogate) is malformed.
  it('rejects a payload that JSON.parse accepts but canonical JSON cannot encode', () => {
    for (const bad of ['1e400', '"\\ud800"']) {
      const body = good.body.replace(/"payload":\{[^}]*\}/, `"payload":${bad}`);
      assert.notEqual(body, good.body);
      assert.throws(() => decodeTx({ body, sig: SIG }), MalformedTxError, bad);
    }
  });

  it('accepts every known type', () => {
    for (const type of TX_TYPES) {
      const tx = createTx(alice, type, null, { time: TIME, nonce: NONCE });
      assert.equal(decodeTx(encodeTx(tx)).body.type, type);
    }
  });

  it('round-trips a created transaction', () => {
    const tx = sample();
    const wire = encodeTx(tx);
    assert.deepEqual(Object.keys(wire).sort(), ['body', 'sig']);
    assert.equal(wire.body, tx.bodyJson);
    assert.equal(wire.sig, toHex(tx.sig));
    const back = decodeTx(wire);
    assert.equal(back.id, tx.id);
    assert.deepEqual(back.idBytes, tx.idBytes);
    assert.equal(back.bodyJson, tx.bodyJson);
    assert.deepEqual(back.body, tx.body);
    assert.deepEqual(back.sig, tx.sig);
    assert.deepEqual(encodeTx(back), wire);
  });
});

void describe('redecodeTx', () => {
  it('rejects what decodeTx rejects: a non-canonical body, a wrong-length or non-byte signature', () => {
    const tx = sample();
    const spaced = { ...tx, bodyJson: tx.bodyJson.replace(':', ': ') };
    assert.throws(() => redecodeTx(spaced), MalformedTxError);
    assert.throws(() => redecodeTx({ ...tx, bodyJson: '{' }), MalformedTxError);
    assert.throws(() => redecodeTx({ ...tx, sig: tx.sig.subarray(0, 63) }), MalformedTxError);
    assert.throws(() => redecodeTx({ ...tx, sig: toHex(tx.sig) as unknown as Uint8Array }), MalformedTxError);
    assert.throws(() => redecodeTx(null as unknown as Tx), MalformedTxError);
  });

  it('derives the id and body from the text alone, and copies the signature', () => {
    const tx = sample();
    const other = sample({ other: true });
    // An object whose id and body disagree with its text: the text wins, as in decodeTx(encodeTx(…)).
    const back = redecodeTx({ ...tx, id: other.id, idBytes: other.idBytes, body: other.body });
    assert.deepEqual(back, decodeTx(encodeTx(tx)));
    const sig = Uint8Array.from(tx.sig);
    const copy = redecodeTx({ ...tx, sig });
    sig[0]! ^= 1;
    assert.deepEqual(copy.sig, tx.sig);
  });
});

void describe('createTx', () => {
  it('rejects a malformed nonce or time', () => {
    assert.throws(() => createTx(alice, 'data.put', 1, { time: TIME, nonce: 'xyz' }), MalformedTxError);
    assert.throws(() => createTx(alice, 'data.put', 1, { time: -5, nonce: NONCE }), MalformedTxError);
    assert.throws(() => createTx(alice, 'data.put', 1, { time: 1.5, nonce: NONCE }), MalformedTxError);
  });

  it('rejects an unknown type', () => {
    assert.throws(
      () => createTx(alice, 'nope' as 'data.put', 1, { time: TIME, nonce: NONCE }),
      MalformedTxError,
    );
  });

  it('rejects a payload that is not canonical JSON', () => {
    assert.throws(
      () => createTx(alice, 'data.put', { x: Number.NaN }, { time: TIME }),
      NotCanonicalizableError,
    );
    assert.throws(
      () => createTx(alice, 'data.put', undefined as unknown as Json, { time: TIME }),
      MalformedTxError,
    );
  });

  it('writes the body as canonical JSON with the signer key id', () => {
    const tx = sample({ b: 1, a: [true, null] });
    assert.equal(
      tx.bodyJson,
      `{"nonce":"${NONCE}","payload":{"a":[true,null],"b":1},"signer":"${alice.keyId}","time":${TIME},"type":"data.put"}`,
    );
    assert.equal(tx.body.signer, alice.keyId);
  });

  it('defaults the time to now and the nonce to 16 fresh random bytes', () => {
    const before = Date.now();
    const a = createTx(alice, 'data.put', 1);
    const b = createTx(alice, 'data.put', 1);
    assert.ok(a.body.time >= before && a.body.time <= Date.now());
    assert.match(a.body.nonce, /^[0-9a-f]{32}$/);
    assert.notEqual(a.body.nonce, b.body.nonce);
    assert.notEqual(a.id, b.id);
  });
});

void describe('transaction id', () => {
  it('is SHA-256(0x00 ‖ "medledger:tx:v1" ‖ 0x00 ‖ body)', () => {
    for (const payload of [null, 0, 'é ✓ 🩺', { nested: { list: [1, 2, 3] } }] as Json[]) {
      const tx = sample(payload);
      assert.equal(tx.id, expectedId(tx.bodyJson));
      assert.equal(toHex(tx.idBytes), tx.id);
      assert.equal(toHex(txIdOf(tx.bodyJson)), tx.id);
    }
  });

  it('differs for a different nonce, time, signer, type or payload', () => {
    const base = sample(1);
    const others = [
      createTx(alice, 'data.put', 1, { time: TIME, nonce: 'f'.repeat(32) }),
      createTx(alice, 'data.put', 1, { time: TIME + 1, nonce: NONCE }),
      createTx(bob, 'data.put', 1, { time: TIME, nonce: NONCE }),
      createTx(alice, 'access.log', 1, { time: TIME, nonce: NONCE }),
      createTx(alice, 'data.put', 2, { time: TIME, nonce: NONCE }),
    ];
    assert.equal(new Set([base, ...others].map((t) => t.id)).size, 6);
  });
});

void describe('verifyTxSignature', () => {
  it('rejects a tampered body under the original signature', () => {
    const tx = sample({ dose: '5 mg' });
    const forged = decodeTx({ body: tx.bodyJson.replace('5 mg', '50 mg'), sig: toHex(tx.sig) });
    assert.equal(verifyTxSignature(forged, publicKeyObject(alice.publicKey)), false);
  });

  it('rejects a signature made by another key', () => {
    const tx = sample();
    const byBob = decodeTx({ body: tx.bodyJson, sig: toHex(signBytes(bob.privateKey, tx.idBytes)) });
    assert.equal(verifyTxSignature(byBob, publicKeyObject(alice.publicKey)), false);
  });

  it('rejects the right signature checked against another key', () => {
    assert.equal(verifyTxSignature(sample(), publicKeyObject(bob.publicKey)), false);
  });

  it('rejects a signature with one bit flipped', () => {
    const tx = sample();
    const sig = tx.sig.slice();
    sig[10]! ^= 0x01;
    assert.equal(verifyTxSignature({ ...tx, sig }, publicKeyObject(alice.publicKey)), false);
  });

  it('accepts the signer’s signature over the id, before and after a round trip', () => {
    const tx = sample();
    const key = publicKeyObject(alice.publicKey);
    assert.equal(verifyTxSignature(tx, key), true);
    assert.equal(verifyTxSignature(decodeTx(encodeTx(tx)), key), true);
  });
});

void describe('transaction properties', () => {
  it('any JSON payload round-trips and keeps a stable id', () => {
    const key = publicKeyObject(alice.publicKey);
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 6 }),
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        (payload, time, nonceBytes) => {
          const nonce = toHex(nonceBytes);
          const tx = createTx(alice, 'data.put', payload as Json, { time, nonce });
          const again = createTx(alice, 'data.put', payload as Json, { time, nonce });
          assert.equal(again.id, tx.id);
          assert.deepEqual(again.sig, tx.sig); // Ed25519 is deterministic
          assert.equal(tx.id, expectedId(tx.bodyJson));
          const back = decodeTx(encodeTx(tx));
          assert.equal(back.id, tx.id);
          assert.equal(back.bodyJson, tx.bodyJson);
          // Canonical JSON normalises (e.g. -0 → 0), so compare with the canonical value.
          assert.deepEqual(back.body.payload, JSON.parse(canonicalize(payload)));
          assert.equal(verifyTxSignature(back, key), true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodeTx accepts only its own canonical encoding of any body it parses', () => {
    // Includes an emoji, so insertions can split a surrogate pair.
    const text = encodeTx(sample({ record: 'r-1', note: 'plain 😀' })).body;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: text.length }), fc.string({ maxLength: 3 }), (at, insert) => {
        const body = text.slice(0, at) + insert + text.slice(at);
        let tx: Tx;
        try {
          tx = decodeTx({ body, sig: SIG });
        } catch (e) {
          assert.ok(e instanceof MalformedTxError, String(e));
          return;
        }
        assert.equal(canonicalize(tx.body), body);
      }),
      { numRuns: 500 },
    );
  });
});
