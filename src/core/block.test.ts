import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ZERO_HASH,
  blockHash,
  blockHashBytes,
  headerJson,
  parseHeader,
  signBlockHash,
  verifyBlockSignature,
} from './block.ts';
import type { BlockHeader } from './block.ts';
import { fromHex, toHex } from './bytes.ts';
import { ArgumentValueError, InvalidBlockError } from './errors.ts';
import { publicKeyObject, signerFromSeed } from './keys.ts';

// RFC 8032 §7.1 TEST 1 and TEST 2 seeds: fixed proposer keys.
const node = signerFromSeed(
  fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60', 32, 'seed'),
);
const other = signerFromSeed(
  fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb', 32, 'seed'),
);

const HEADER: BlockHeader = {
  height: 3,
  prevHash: '11'.repeat(32),
  merkleRoot: '22'.repeat(32),
  logSize: 10,
  logRoot: '33'.repeat(32),
  time: 1_700_000_000_000,
  difficulty: 8,
  nonce: 42,
  proposer: node.keyId,
  txCount: 4,
};
const NUMBER_FIELDS = ['height', 'logSize', 'time', 'difficulty', 'nonce', 'txCount'] as const;
const HASH_FIELDS = ['prevHash', 'merkleRoot', 'logRoot', 'proposer'] as const;
const FIELDS = [...NUMBER_FIELDS, ...HASH_FIELDS];

/** SHA-256("medledger:block:v1" ‖ 0x00 ‖ canonical header), computed without the code under test. */
function expectedHash(h: BlockHeader): string {
  // Canonical JSON of a header of integers and hex strings is JSON.stringify with sorted keys.
  const sorted = Object.fromEntries(Object.entries(h).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256')
    .update('medledger:block:v1')
    .update(new Uint8Array([0]))
    .update(JSON.stringify(sorted))
    .digest('hex');
}

const without = (k: string): Record<string, unknown> =>
  Object.fromEntries(Object.entries(HEADER).filter(([key]) => key !== k));

void describe('parseHeader', () => {
  const cases: { desc: string; value: unknown }[] = [
    { desc: 'null', value: null },
    { desc: 'an array', value: [HEADER] },
    { desc: 'a number', value: 7 },
    { desc: 'text that is not JSON', value: '{"height":' },
    { desc: 'text of a JSON array', value: '[]' },
    ...FIELDS.map((k) => ({ desc: `a missing ${k}`, value: without(k) })),
    { desc: 'an extra field', value: { ...HEADER, extra: 1 } },
    { desc: 'a field renamed', value: { ...without('nonce'), Nonce: 42 } },
    ...NUMBER_FIELDS.flatMap((k) => [
      { desc: `a negative ${k}`, value: { ...HEADER, [k]: -1 } },
      { desc: `a fractional ${k}`, value: { ...HEADER, [k]: 1.5 } },
      { desc: `${k} as a string`, value: { ...HEADER, [k]: '1' } },
      { desc: `${k} beyond 2^53 − 1`, value: { ...HEADER, [k]: 2 ** 53 } },
      { desc: `${k} null`, value: { ...HEADER, [k]: null } },
    ]),
    ...HASH_FIELDS.flatMap((k) => [
      { desc: `${k} of 31 bytes`, value: { ...HEADER, [k]: 'ab'.repeat(31) } },
      { desc: `${k} of 33 bytes`, value: { ...HEADER, [k]: 'ab'.repeat(33) } },
      { desc: `${k} in uppercase hex`, value: { ...HEADER, [k]: 'AB'.repeat(32) } },
      { desc: `${k} with a non-hex character`, value: { ...HEADER, [k]: `${'ab'.repeat(31)}ag` } },
      { desc: `${k} as bytes`, value: { ...HEADER, [k]: new Uint8Array(32) } },
    ]),
    { desc: 'a difficulty above 256', value: { ...HEADER, difficulty: 257 } },
  ];
  for (const c of cases) {
    it(`rejects ${c.desc}`, () => {
      assert.throws(() => parseHeader(c.value), InvalidBlockError);
    });
  }

  it('names the bad field in the error data', () => {
    assert.throws(
      () => parseHeader({ ...HEADER, logRoot: 'x' }),
      (e: unknown) => e instanceof InvalidBlockError && e.data.field === 'logRoot',
    );
  });

  it('accepts a header object and its canonical JSON text', () => {
    assert.deepEqual(parseHeader(HEADER), HEADER);
    assert.deepEqual(parseHeader(headerJson(HEADER)), HEADER);
    assert.deepEqual(parseHeader({ ...HEADER, prevHash: ZERO_HASH, height: 0, difficulty: 256 }), {
      ...HEADER,
      prevHash: ZERO_HASH,
      height: 0,
      difficulty: 256,
    });
  });
});

void describe('blockHash', () => {
  it('is SHA-256("medledger:block:v1" ‖ 0x00 ‖ canonical header)', () => {
    assert.equal(blockHash(HEADER), expectedHash(HEADER));
    assert.equal(toHex(blockHashBytes(HEADER)), blockHash(HEADER));
  });

  it('does not depend on the order the fields were written in', () => {
    const reversed = Object.fromEntries(Object.entries(HEADER).reverse()) as unknown as BlockHeader;
    assert.equal(blockHash(reversed), blockHash(HEADER));
    assert.equal(headerJson(reversed), headerJson(HEADER));
  });

  it('changes with every field', () => {
    const base = blockHash(HEADER);
    const seen = new Set([base]);
    for (const k of NUMBER_FIELDS) {
      const h = blockHash({ ...HEADER, [k]: HEADER[k] + 1 });
      assert.notEqual(h, base, k);
      seen.add(h);
    }
    for (const k of HASH_FIELDS) {
      const v = HEADER[k];
      const h = blockHash({ ...HEADER, [k]: `${v.slice(0, 63)}${v.endsWith('0') ? '1' : '0'}` });
      assert.notEqual(h, base, k);
      seen.add(h);
    }
    assert.equal(seen.size, 1 + FIELDS.length);
  });

  it('matches the independent computation for any valid header', () => {
    const hex32 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toHex);
    const nat = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
    fc.assert(
      fc.property(
        fc.record({
          height: nat,
          prevHash: hex32,
          merkleRoot: hex32,
          logSize: nat,
          logRoot: hex32,
          time: nat,
          difficulty: fc.integer({ min: 0, max: 256 }),
          nonce: nat,
          proposer: hex32,
          txCount: nat,
        }),
        (h) => {
          assert.equal(blockHash(h), expectedHash(h));
          assert.deepEqual(parseHeader(headerJson(h)), { ...h }); // fc.record objects have a null prototype
        },
      ),
    );
  });
});

void describe('block signatures', () => {
  it('rejects a hash that is not 32 bytes of hex', () => {
    assert.throws(() => signBlockHash(node, 'ab'), ArgumentValueError);
    assert.throws(
      () => verifyBlockSignature(publicKeyObject(node.publicKey), 'ab', new Uint8Array(64)),
      ArgumentValueError,
    );
  });

  it('rejects a signature over another hash, by another key, or truncated', () => {
    const hash = blockHash(HEADER);
    const sig = signBlockHash(node, hash);
    const key = publicKeyObject(node.publicKey);
    assert.equal(verifyBlockSignature(key, blockHash({ ...HEADER, nonce: 43 }), sig), false);
    assert.equal(verifyBlockSignature(publicKeyObject(other.publicKey), hash, sig), false);
    assert.equal(verifyBlockSignature(key, hash, signBlockHash(other, hash)), false);
    assert.equal(verifyBlockSignature(key, hash, sig.subarray(0, 63)), false);
  });

  it('verifies the proposer’s signature over the block hash', () => {
    const hash = blockHash(HEADER);
    const sig = signBlockHash(node, hash);
    assert.equal(sig.length, 64);
    assert.equal(verifyBlockSignature(publicKeyObject(node.publicKey), hash, sig), true);
  });
});
