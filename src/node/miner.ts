/**
 * @module
 * Where proof-of-work runs. `syncMiner` mines on the calling thread (CLI, tests, benchmarks of the
 * core); `WorkerMiner` mines in a worker thread so a server's event loop keeps answering requests
 * while a block is sealed (measured: difficulty 12 costs ≈ 12 ms of hashing per block).
 */
import { Worker } from 'node:worker_threads';
import type { BlockHeader } from '../core/block.ts';
import { PowExhaustedError } from '../core/errors.ts';
import { mine } from '../core/pow.ts';
import type { MiningResult } from '../core/pow.ts';
import type { MineJob } from './mine-worker.ts';

export type Miner = (header: Omit<BlockHeader, 'nonce'>) => Promise<MiningResult>;

export const syncMiner: Miner = (header) => Promise.resolve(mine(header));

const WORKER_URL = new URL('./mine-worker.ts', import.meta.url);

export class WorkerMiner {
  readonly #worker: Worker;
  readonly #jobs = new Map<number, { resolve: (r: MiningResult) => void; reject: (e: Error) => void }>();
  #next = 0;

  constructor() {
    this.#worker = new Worker(WORKER_URL);
    this.#worker.unref();
    this.#worker.on('message', (m: { id: number; result?: MiningResult; error?: string }) => {
      const job = this.#jobs.get(m.id);
      if (!job) return;
      this.#jobs.delete(m.id);
      if (m.result) job.resolve(m.result);
      else job.reject(new PowExhaustedError(-1, -1));
    });
    this.#worker.on('error', (e: Error) => {
      for (const j of this.#jobs.values()) j.reject(e);
      this.#jobs.clear();
    });
  }

  readonly mine: Miner = (header) =>
    new Promise((resolve, reject) => {
      const id = this.#next++;
      this.#jobs.set(id, { resolve, reject });
      this.#worker.postMessage({ id, header } satisfies MineJob);
    });

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
