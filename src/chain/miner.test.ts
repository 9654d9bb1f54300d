import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { blockHash, blockHashBytes } from '../core/block.ts';
import type { BlockHeader } from '../core/block.ts';
import { ArgumentValueError } from '../core/errors.ts';
import { leadingZeroBits, mine } from '../core/pow.ts';
import { WorkerMiner } from './miner.ts';
import { CHUNK, searchShare } from './mine-worker.ts';

type Template = Omit<BlockHeader, 'nonce'>;

const template = (difficulty: number, time: number): Template => ({
  height: 9,
  prevHash: '12'.repeat(32),
  merkleRoot: '34'.repeat(32),
  logSize: 40,
  logRoot: '56'.repeat(32),
  time,
  difficulty,
  proposer: '78'.repeat(32),
  txCount: 4,
});

/** A fresh pair of shared slots (stop flag, attempts), as the miner gives each job. */
const slots = (): SharedArrayBuffer => new SharedArrayBuffer(16);

void describe('searchShare (one thread of a parallel miner)', () => {
  it('the earliest nonce of the threads’ shares is the sequential miner’s nonce', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10 }),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        (d, threads, t) => {
          const header = template(d, 1_700_000_000_000 + t);
          const nonces = Array.from({ length: threads }, (_, index) => {
            const a = searchShare({ id: 0, header, index, threads, shared: slots() });
            const n = a.found?.nonce;
            assert.ok(n !== undefined);
            // Each thread stays in its own chunks: index, index + threads, …
            assert.equal(Math.floor(n / CHUNK) % threads, index);
            return n;
          });
          assert.equal(Math.min(...nonces), mine(header).nonce);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('stops without a nonce once another thread has set the flag', () => {
    const shared = slots();
    new BigInt64Array(shared)[0] = 1n;
    assert.deepEqual(searchShare({ id: 0, header: template(0, 1), index: 0, threads: 2, shared }), {});
  });

  it('the thread that finds a nonce sets the stop flag and adds its attempts', () => {
    const shared = slots();
    const view = new BigInt64Array(shared);
    view[1] = 1000n; // attempts another thread has counted already
    const a = searchShare({ id: 0, header: template(0, 2), index: 1, threads: 2, shared });
    assert.deepEqual(a.found && { nonce: a.found.nonce, attempts: a.found.attempts }, {
      nonce: CHUNK, // the first nonce of thread 1's first chunk
      attempts: 1001,
    });
    assert.equal(view[0], 1n);
  });
});

void describe('WorkerMiner', () => {
  const miner = new WorkerMiner(2);
  after(async () => {
    await miner.close();
  });

  for (const urgent of [false, true]) {
    it(`mines valid blocks on ${urgent ? 'every thread' : 'one thread'}`, async () => {
      for (let i = 0; i < 20; i++) {
        const header = template(10, 1_700_000_000_000 + i);
        const r = await miner.mine(header, { urgent });
        assert.deepEqual(r.header, { ...header, nonce: r.nonce });
        assert.equal(r.hash, blockHash(r.header));
        assert.ok(leadingZeroBits(blockHashBytes(r.header)) >= 10);
        assert.ok(r.attempts >= 1 && r.elapsedMs >= 0);
        if (!urgent) assert.equal(r.nonce, mine(header).nonce, 'one thread searches in order');
      }
    });
  }

  it('mines concurrent jobs, each answered with its own header', async () => {
    const headers = Array.from({ length: 8 }, (_, i) => template(8, 1_800_000_000_000 + i));
    const rs = await Promise.all(headers.map((h, i) => miner.mine(h, { urgent: i % 2 === 0 })));
    for (const [i, r] of rs.entries()) {
      assert.equal(r.header.time, headers[i]!.time);
      assert.equal(r.hash, blockHash(r.header));
    }
  });

  it('rejects a difficulty outside 0..64 before any thread starts', async () => {
    await assert.rejects(miner.mine(template(65, 1), { urgent: true }), ArgumentValueError);
    await assert.rejects(miner.mine(template(1.5, 1)), ArgumentValueError);
  });
});
