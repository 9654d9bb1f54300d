/**
 * @module
 * Where proof-of-work runs. `syncMiner` mines on the calling thread (CLI, tests, benchmarks of the
 * core); `WorkerMiner` mines in worker threads so a server's event loop keeps answering requests while
 * a block is sealed, and splits the nonces between them: attempts are geometric (mean 2^d, p99 ≈ 4.6 ×
 * 2^d), so the wait for a block, long-tailed on one thread, shrinks with every core that searches.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { threadLimits, trackHeap } from '../runtime/thread-heaps.ts';
import type { BlockHeader } from '../core/block.ts';
import { PowExhaustedError } from '../core/errors.ts';
import { checkDifficulty, mine } from '../core/pow.ts';
import type { MiningResult } from '../core/pow.ts';
import type { MineAnswer, MineJob } from './mine-worker.ts';

/**
 * Mines a header. `urgent`: somebody waits for the block (a write to be answered), so a parallel miner
 * uses all its threads; otherwise (a block of access events nobody waits for) one, and the other cores
 * keep serving requests.
 */
export type Miner = (
  header: Omit<BlockHeader, 'nonce'>,
  opts?: { readonly urgent?: boolean },
) => Promise<MiningResult>;

export const syncMiner: Miner = (header) => Promise.resolve(mine(header));

const WORKER_URL = new URL('./mine-worker.ts', import.meta.url);

/** Default number of mining threads: the cores, at most 4. */
export const defaultMiningThreads = (): number => Math.min(4, availableParallelism());

interface Job {
  readonly header: Omit<BlockHeader, 'nonce'>;
  readonly t0: number;
  /** The job's shared slots (mine-worker.ts): stop flag, attempts. */
  readonly shared: BigInt64Array;
  /** Threads mining it, and how many have answered. */
  readonly threads: number;
  answers: number;
  readonly resolve: (r: MiningResult) => void;
  readonly reject: (e: Error) => void;
}

/** A mining thread hashes headers: it holds little. */
const MINER_HEAP_MIB = 32;

export class WorkerMiner {
  readonly #workers: Worker[] = [];
  readonly #jobs = new Map<number, Job>();
  #next = 0;

  constructor(threads = defaultMiningThreads()) {
    for (let k = 0; k < Math.max(1, threads); k++) {
      const w = new Worker(WORKER_URL, { resourceLimits: threadLimits(MINER_HEAP_MIB) });
      trackHeap('medledger-miner', w);
      w.unref();
      w.on('message', (m: MineAnswer) => {
        this.#answer(m);
      });
      w.on('error', (e: Error) => {
        // A thread died: every job fails, and the other threads stop searching for it.
        for (const j of this.#jobs.values()) {
          Atomics.store(j.shared, 0, 1n);
          j.reject(e);
        }
        this.#jobs.clear();
      });
      this.#workers.push(w);
    }
  }

  /**
   * Mines `header` on every thread (one unless urgent): thread k of n tries the nonce chunks k, k + n,
   * k + 2n, … and all stop at the first nonce found (a shared flag, checked between chunks). Resolves
   * with the first nonce found; its attempts are those of every thread until then, give or take the
   * chunks in progress.
   */
  readonly mine: Miner = (header, opts = {}) =>
    new Promise((resolve, reject) => {
      checkDifficulty(header.difficulty);
      const id = this.#next++;
      const workers = opts.urgent === true ? this.#workers : this.#workers.slice(0, 1);
      const threads = workers.length;
      const shared = new SharedArrayBuffer(16);
      const slots = new BigInt64Array(shared);
      this.#jobs.set(id, {
        header,
        t0: performance.now(),
        shared: slots,
        threads,
        answers: 0,
        resolve,
        reject,
      });
      for (const [index, w] of workers.entries())
        w.postMessage({ id, header, index, threads, shared } satisfies MineJob);
    });

  #answer(m: MineAnswer): void {
    const job = this.#jobs.get(m.id);
    if (!job) return;
    job.answers++;
    const { found } = m;
    if (found) {
      this.#jobs.delete(m.id);
      job.resolve({
        header: { ...job.header, nonce: found.nonce },
        hash: found.hash,
        nonce: found.nonce,
        attempts: found.attempts,
        elapsedMs: performance.now() - job.t0,
      });
    } else if (m.error !== undefined || job.answers === job.threads) {
      // Every thread stopped without a nonce (the nonces ran out), or one failed: the others stop too.
      this.#jobs.delete(m.id);
      Atomics.store(job.shared, 0, 1n);
      const attempts = Number(Atomics.load(job.shared, 1));
      job.reject(
        m.error !== undefined ? new Error(m.error) : new PowExhaustedError(job.header.difficulty, attempts),
      );
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}
