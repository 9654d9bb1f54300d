import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { blindId } from './blind-index.ts';
import { ArgumentValueError } from './errors.ts';

const key = new Uint8Array(32).fill(7);

void describe('blindId', () => {
  it('rejects a key that is not 32 bytes and an empty id', () => {
    assert.throws(() => blindId(new Uint8Array(16), 'p1'), ArgumentValueError);
    assert.throws(() => blindId(key, ''), ArgumentValueError);
  });

  it('is HMAC-SHA256 of the tagged id (RFC 4231 construction via node:crypto)', () => {
    const want = createHmac('sha256', key).update('medledger:patient:v1\0p1').digest('hex');
    assert.equal(blindId(key, 'p1'), want);
  });

  it('differs per key and per id, and never contains the id', () => {
    const other = new Uint8Array(32).fill(8);
    assert.notEqual(blindId(key, 'p1'), blindId(other, 'p1'));
    assert.notEqual(blindId(key, 'p1'), blindId(key, 'p2'));
    assert.match(blindId(key, 'abc'), /^[0-9a-f]{64}$/);
  });
});
