import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decryptRecord, unwrapKey } from '../core/envelope.ts';
import { ArgumentValueError } from '../core/errors.ts';
import { generateX25519 } from '../core/hpke.ts';
import type { X25519KeyPair } from '../core/hpke.ts';
import { sha256Hex } from './vault.ts';
import type { Recipient } from './vault.ts';
import { sealEach } from './record-crypto.ts';
import type { SealedRecord, SealJob } from './record-crypto.ts';
import { sealAll, sealOne, sealThreadsUp, startSealPool } from './seal-pool.ts';

const holders: { recipient: Recipient; key: X25519KeyPair }[] = [
  { recipient: 'org:a', key: generateX25519() },
  { recipient: 'key:b', key: generateX25519() },
  { recipient: 'org:c', key: generateX25519() },
];

/** Job i: record `rec-i`, a body naming i, wrapped to the first 1 + i % 3 holders. */
function job(i: number): SealJob {
  return {
    recordId: `rec-${String(i)}`,
    plaintext: Buffer.from(JSON.stringify({ n: i, pad: 'x'.repeat(i % 50) })),
    recipients: holders
      .slice(0, 1 + (i % 3))
      .map((h) => ({ recipient: h.recipient, publicKey: h.key.publicKey })),
  };
}

/** Every recipient of `j` opens `s` to j's body; the blob is the ciphertext's hash. */
function assertOpens(j: SealJob, s: SealedRecord): void {
  assert.equal(s.blob, sha256Hex(s.ciphertext));
  assert.deepEqual(
    s.keys.map((k) => k.recipient),
    j.recipients.map((r) => r.recipient),
  );
  for (const k of s.keys) {
    assert.equal(k.record, j.recordId);
    const holder = holders.find((h) => h.recipient === k.recipient)!;
    const key = unwrapKey(k, holder.key, j.recordId);
    const body = decryptRecord(key, s.ciphertext, Buffer.from(j.recordId));
    assert.deepEqual(Buffer.from(body), Buffer.from(j.plaintext));
    // Bound to its record: the wrap does not open under another id.
    assert.throws(() => unwrapKey(k, holder.key, `${j.recordId}-other`));
  }
}

/** A recipient key X25519 refuses (a low-order point): sealing to it throws. */
const LOW_ORDER = new Uint8Array(32);

describe('sealing pool', () => {
  it('seals on the calling thread before the threads are up, and in them after, the same way', async () => {
    const jobs = Array.from({ length: 40 }, (_, i) => job(i));
    const before = await sealAll(jobs);
    await startSealPool();
    assert.ok(sealThreadsUp(), 'a sealing thread started');
    const after = await sealAll(jobs);
    for (const results of [before, after]) {
      assert.equal(results.length, jobs.length);
      results.forEach((s, i) => {
        assert.ok(!(s instanceof Error));
        assertOpens(jobs[i]!, s);
      });
    }
    // Fresh keys every time: the same body never seals to the same bytes.
    assert.notDeepEqual(before[0], after[0]);
  });

  it('fails only the job that cannot be sealed, with the error it has on this thread', async () => {
    await startSealPool();
    const jobs = Array.from({ length: 30 }, (_, i) => job(i));
    const bad: SealJob = {
      ...job(99),
      recipients: [{ recipient: 'org:low', publicKey: LOW_ORDER }],
    };
    const results = await sealAll([...jobs.slice(0, 15), bad, ...jobs.slice(15)]);
    assert.ok(results[15] instanceof ArgumentValueError);
    results
      .filter((_, i) => i !== 15)
      .forEach((s, i) => {
        assert.ok(!(s instanceof Error));
        assertOpens(jobs[i]!, s);
      });
  });

  it('answers single records asked for together each with their own result', async () => {
    await startSealPool();
    const jobs = Array.from({ length: 25 }, (_, i) => job(i));
    const bad: SealJob = { ...job(7), recipients: [{ recipient: 'org:low', publicKey: LOW_ORDER }] };
    const settled = await Promise.allSettled([...jobs, bad].map((j) => sealOne(j)));
    settled.slice(0, 25).forEach((s, i) => {
      assert.equal(s.status, 'fulfilled');
      assertOpens(jobs[i]!, s.value);
    });
    const last = settled[25]!;
    assert.ok(last.status === 'rejected' && last.reason instanceof ArgumentValueError);
  });
});

describe('sealEach', () => {
  it('wraps the records of a batch to each recipient through one HPKE context', async () => {
    const jobs = Array.from({ length: 30 }, (_, i) => job(i));
    const sealed = sealEach(jobs);
    const encs = new Map<string, Set<string>>();
    sealed.forEach((s, i) => {
      assert.ok(!(s instanceof Error));
      assertOpens(jobs[i]!, s);
      for (const k of s.keys) encs.set(k.recipient, (encs.get(k.recipient) ?? new Set()).add(k.enc));
    });
    assert.deepEqual(
      [...encs.values()].map((e) => e.size),
      [1, 1, 1],
    );
    // Through the threads: at most one context per recipient and thread batch.
    await startSealPool();
    const pooled = await sealAll(jobs);
    const pooledEncs = new Set(pooled.flatMap((s) => (s instanceof Error ? [] : s.keys.map((k) => k.enc))));
    assert.ok(pooledEncs.size <= 6, `${String(pooledEncs.size)} contexts for 60 wraps`);
  });

  it('seals a record id given twice in one batch through separate contexts, each opening', () => {
    const twin: SealJob = { ...job(2), plaintext: Buffer.from('{"other":"body"}') };
    const [a, b] = sealEach([job(2), twin]);
    assert.ok(a && b && !(a instanceof Error) && !(b instanceof Error));
    assertOpens(job(2), a);
    assertOpens(twin, b);
    a.keys.forEach((k, i) => {
      assert.notEqual(k.enc, b.keys[i]!.enc);
    });
  });

  it('gives a failing job its own error and seals the others', () => {
    const bad: SealJob = { ...job(5), recipients: [{ recipient: 'org:low', publicKey: LOW_ORDER }] };
    const [x, y, z] = sealEach([job(1), bad, job(2)]);
    assert.ok(y instanceof ArgumentValueError);
    assert.ok(x && z && !(x instanceof Error) && !(z instanceof Error));
    assertOpens(job(1), x);
    assertOpens(job(2), z);
  });
});
