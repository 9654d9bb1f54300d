import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ECHO_WORKER } from './echo-worker.test-util.ts';
import { WorkerPool } from './worker-pool.ts';
import type { PoolCodec } from './worker-pool.ts';

/** A pool doubling numbers, counting the jobs it ran on this thread. */
function echoPool(opts: { packThrows?: boolean; uncloneable?: boolean } = {}): {
  pool: WorkerPool<number, number>;
  here: { jobs: number };
} {
  const here = { jobs: 0 };
  const codec: PoolCodec<number, number> = {
    here: (xs) => {
      here.jobs += xs.length;
      return xs.map((x) => 2 * Math.abs(x));
    },
    pack: (id, xs) => {
      if (opts.packThrows) throw new RangeError('cannot pack');
      return { message: { id, xs: [...xs], ...(opts.uncloneable ? { f: () => id } : {}) }, transfer: [] };
    },
    unpack: (_xs, m) => (m as unknown as { ys: number[] }).ys,
  };
  const pool = new WorkerPool(
    { url: new URL('./echo-worker.test-util.ts', import.meta.url), tag: ECHO_WORKER, minBatch: 2, size: 2 },
    codec,
  );
  return { pool, here };
}

describe('worker pool', () => {
  it('runs on this thread until a worker is up, then in the workers, in order', async () => {
    const { pool, here } = echoPool();
    assert.deepEqual(await pool.run([1, 2, 3]), [2, 4, 6]);
    assert.equal(here.jobs, 3);
    await pool.started();
    assert.ok(pool.ready);
    const xs = Array.from({ length: 50 }, (_, i) => i);
    assert.deepEqual(
      await pool.run(xs),
      xs.map((x) => 2 * x),
    );
    assert.equal(here.jobs, 3, 'nothing more ran here');
    // A batch below minBatch stays here.
    assert.deepEqual(await pool.run([5]), [10]);
    assert.equal(here.jobs, 4);
  });

  it('runs the jobs of a worker that dies mid-batch here, with the same results', async () => {
    const { pool, here } = echoPool();
    await pool.started();
    assert.deepEqual(await pool.run([1, -2, 3, 4]), [2, 4, 6, 8]);
    assert.ok(here.jobs >= 2, 'the dead worker’s jobs ran here');
  });

  it('rejects when a batch cannot be packed, and keeps no worker busy for it', async () => {
    const { pool } = echoPool({ packThrows: true });
    await pool.started();
    await assert.rejects(pool.run([1, 2, 3, 4]), RangeError);
    // The test file ending proves no worker was left holding the process.
  });

  it('runs a batch whose message cannot be sent here', async () => {
    const { pool, here } = echoPool({ uncloneable: true });
    await pool.started();
    assert.deepEqual(await pool.run([1, 2, 3, 4]), [2, 4, 6, 8]);
    assert.equal(here.jobs, 4);
  });
});
