import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RecordExistsError } from '../core/errors.ts';
import { RecordClaims } from './record-claims.ts';

describe('record claims', () => {
  it('refuses a second write of an id while the first runs and while its transaction is pending', () => {
    const pending = new Set<string>();
    const claims = new RecordClaims((tx) => pending.has(tx));
    const first = claims.claim('r1');
    assert.throws(() => claims.claim('r1'), RecordExistsError);
    first.submitted('tx1');
    pending.add('tx1');
    assert.throws(() => claims.claim('r1'), RecordExistsError);
    first.release(); // a failure after submitting (say, logging) does not free a pending write's id
    assert.throws(() => claims.claim('r1'), RecordExistsError);
    // Committed (or dropped): the claim is over; the committed state answers from now on.
    pending.delete('tx1');
    claims.claim('r1').release();
    // Another id is never held up.
    claims.claim('r2').release();
  });

  it('frees an id whose write failed before submitting', () => {
    const claims = new RecordClaims(() => false);
    claims.claim('r1').release();
    claims.claim('r1').release();
  });

  it('sweeps finished claims once there are many, keeping those that still hold', () => {
    const pending = new Set<string>(['tx-held']);
    const claims = new RecordClaims((tx) => pending.has(tx));
    claims.claim('held').submitted('tx-held');
    for (let i = 0; i < 5000; i++) claims.claim(`r${String(i)}`).submitted(`tx${String(i)}`);
    // The sweep at 4,096 dropped the finished claims then: far fewer than 5,001 are left.
    assert.ok(claims.size < 1000, `${String(claims.size)} claims kept`);
    assert.throws(() => claims.claim('held'), RecordExistsError);
    claims.claim('r0').release();
  });
});
