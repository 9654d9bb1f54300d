import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { startSigPool, verifyAll, verifyNow } from './sig-pool.ts';
import type { SignatureCheck } from './sig-pool.ts';

const alice = generateKeyPairSync('ed25519');
const bob = generateKeyPairSync('ed25519');

/** `n` checks over distinct messages, signed by alternating keys; `bad(i)` spoils check i, or not. */
function checks(
  n: number,
  bad: (c: SignatureCheck, i: number) => SignatureCheck | undefined,
): SignatureCheck[] {
  return Array.from({ length: n }, (_, i) => {
    const key = i % 2 ? bob : alice;
    const message = Buffer.from(`message ${i}`);
    const good: SignatureCheck = {
      publicKey: key.publicKey,
      message,
      sig: sign(null, message, key.privateKey),
    };
    return bad(good, i) ?? good;
  });
}

describe('signature pool', () => {
  it('answers on the calling thread while the worker threads start, then from the threads', async () => {
    // Before any worker is up (the first batch starts them), and after: the same answers.
    const batch = checks(100, (c, i) => (i === 42 ? { ...c, sig: Buffer.alloc(64) } : undefined));
    const want = batch.map((_, i) => i !== 42);
    assert.deepEqual(await verifyAll(batch), want);
    await startSigPool();
    assert.deepEqual(await verifyAll(batch), want);
  });

  it('rejects exactly the bad signatures of a batch large enough for the worker threads', async () => {
    const spoil = (c: SignatureCheck, i: number): SignatureCheck | undefined => {
      if (i % 7 === 3) {
        const sig = Buffer.from(c.sig);
        sig[10]! ^= 1; // one bit changed
        return { ...c, sig };
      }
      if (i % 11 === 5) return { ...c, publicKey: (i % 2 ? alice : bob).publicKey }; // the other key
      if (i % 13 === 6) return { ...c, sig: c.sig.subarray(0, 63) }; // too short
      if (i % 17 === 8) return { ...c, message: Buffer.from('another message') };
      return undefined;
    };
    const batch = checks(300, spoil);
    const want = batch.map((_, i) => spoil(batch[i]!, i) === undefined);
    assert.ok(want.includes(false) && want.includes(true));
    assert.deepEqual(await verifyAll(batch), want);
    // The same answers as one-by-one verification on this thread.
    assert.deepEqual(batch.map(verifyNow), want);
  });

  it('answers concurrent batches each with its own results', async () => {
    const a = checks(200, () => undefined);
    const b = checks(150, (c, i) => (i === 149 ? { ...c, sig: Buffer.alloc(64) } : undefined));
    const [ra, rb] = await Promise.all([verifyAll(a), verifyAll(b)]);
    assert.deepEqual(
      ra,
      a.map(() => true),
    );
    assert.deepEqual(
      rb,
      b.map((_, i) => i !== 149),
    );
  });

  it('verifies a small batch too', async () => {
    assert.deepEqual(
      await verifyAll(checks(3, (c, i) => (i === 1 ? { ...c, sig: Buffer.alloc(64) } : undefined))),
      [true, false, true],
    );
    assert.deepEqual(await verifyAll([]), []);
  });
});
