/**
 * @module
 * A pool of worker threads for CPU-bound batches (signature checks, record sealing): one packed
 * message per worker each way, results in job order.
 *
 * The calling thread never waits for the pool to exist: until a worker says it is up (loading takes a
 * few hundred ms), and for batches too small to be worth the messages, jobs run right here. A worker
 * that fails hands its jobs back to the calling thread, and after a few failures the pool stops
 * starting workers for the life of the process. Workers are unref'd while idle, so a pool never keeps
 * a process alive.
 *
 * A worker script answers `'ready'` once loaded, then `{ id, … }` for each `{ id, … }` it receives.
 */
import { availableParallelism } from 'node:os';
import type { Transferable } from 'node:worker_threads';
import { Worker } from 'node:worker_threads';
import { threadLimits, trackHeap } from './thread-heaps.ts';

/** How a pool's jobs travel and run. */
export interface PoolCodec<J, R> {
  /** Runs jobs on the calling thread (before a worker is up, small batches, a failed worker). */
  here(jobs: readonly J[]): R[];
  /** One message for a worker, with the buffers to transfer. */
  pack(id: number, jobs: readonly J[]): { message: { id: number }; transfer: Transferable[] };
  /** Results in job order from a worker's answer. */
  unpack(jobs: readonly J[], answer: { id: number }): R[];
}

export interface PoolOptions {
  /** The worker script (see the module comment for its protocol). */
  readonly url: URL;
  /** Passed as `workerData`: lets the script tell it was started by this pool. */
  readonly tag: string;
  /** Below this many jobs a batch runs on the calling thread. */
  readonly minBatch: number;
  /** Worker threads; defaults to the cores available, at most 8. */
  readonly size?: number;
  /** Old-generation heap of each thread, MiB (default 64): bounds the memory a pool can hold. */
  readonly heapMiB?: number;
}

/** Each pool thread works on one batch at a time: its live data is small, its garbage need not grow. */
const DEFAULT_THREAD_HEAP_MIB = 64;

/** Worker failures after which batches stay on the calling thread for the life of the process. */
const MAX_FAILURES = 3;
/** Longest `started()` waits for a worker to come up. */
const START_TIMEOUT_MS = 10_000;

interface Pending {
  readonly worker: number;
  readonly jobs: readonly unknown[];
  readonly resolve: (results: unknown[]) => void;
  readonly reject: (e: unknown) => void;
}

export class WorkerPool<J, R> {
  readonly #opts: PoolOptions;
  readonly #codec: PoolCodec<J, R>;
  readonly #size: number;
  readonly #workers: (Worker | undefined)[] = [];
  readonly #ready = new Set<number>();
  readonly #pending = new Map<number, Pending>();
  readonly #waiting: (() => void)[] = [];
  #next = 0;
  #failures = 0;

  constructor(opts: PoolOptions, codec: PoolCodec<J, R>) {
    this.#opts = opts;
    this.#codec = codec;
    this.#size = opts.size ?? Math.max(1, Math.min(availableParallelism(), 8));
  }

  /**
   * Starts the workers and resolves once one is ready, at once when none can be had, or after
   * {@link START_TIMEOUT_MS} (a worker that never says it is up must not hold a server's start-up;
   * batches run here until one is).
   */
  started(): Promise<void> {
    const p = new Promise<void>((resolve) => {
      this.#waiting.push(resolve);
      setTimeout(resolve, START_TIMEOUT_MS).unref();
    });
    this.#start();
    this.#wakeIfNoneStarting();
    return p;
  }

  /** Whether a worker is up (batches then leave the calling thread). */
  get ready(): boolean {
    return this.#ready.size > 0;
  }

  /** Runs `jobs`, split across the ready workers when there are enough of them; results in order. */
  async run(jobs: readonly J[]): Promise<R[]> {
    if (jobs.length < this.#opts.minBatch) return this.#codec.here(jobs);
    this.#start();
    const ready = [...this.#ready];
    if (ready.length === 0) return this.#codec.here(jobs);
    const parts = Math.min(ready.length, Math.ceil(jobs.length / this.#opts.minBatch));
    const per = Math.ceil(jobs.length / parts);
    const answers: Promise<R[]>[] = [];
    for (let i = 0; i < parts; i++) answers.push(this.#send(ready[i]!, jobs.slice(i * per, (i + 1) * per)));
    return (await Promise.all(answers)).flat();
  }

  #send(w: number, jobs: readonly J[]): Promise<R[]> {
    const worker = this.#workers[w]!;
    const id = this.#next++;
    const { message, transfer } = this.#codec.pack(id, jobs);
    return new Promise((resolve, reject) => {
      const p: Pending = { worker: w, jobs, resolve: resolve as (r: unknown[]) => void, reject };
      this.#pending.set(id, p);
      worker.ref();
      try {
        worker.postMessage(message, transfer);
      } catch {
        // Not sent (the worker is gone, or the message cannot be cloned): the jobs run here.
        this.#pending.delete(id);
        this.#unrefIfIdle(w, worker);
        settle(p, () => this.#codec.here(jobs));
      }
    });
  }

  /** An idle worker must not keep the process alive. */
  #unrefIfIdle(w: number, worker: Worker): void {
    if (![...this.#pending.values()].some((q) => q.worker === w)) worker.unref();
  }

  /** Starts the workers not running (none once they have failed MAX_FAILURES times). */
  #start(): void {
    for (let w = 0; w < this.#size && this.#failures < MAX_FAILURES; w++) {
      if (this.#workers[w]) continue;
      try {
        this.#spawn(w);
      } catch {
        this.#failures++;
      }
    }
    this.#wakeIfNoneStarting();
  }

  /** `started()` waiters give up once no worker is up or starting (each failed): batches stay here. */
  #wakeIfNoneStarting(): void {
    if (this.#ready.size > 0 || this.#failures >= MAX_FAILURES || this.#workers.every((w) => !w))
      for (const wake of this.#waiting.splice(0)) wake();
  }

  #spawn(w: number): void {
    const worker = new Worker(this.#opts.url, {
      workerData: this.#opts.tag,
      resourceLimits: threadLimits(this.#opts.heapMiB ?? DEFAULT_THREAD_HEAP_MIB),
    });
    trackHeap(this.#opts.tag, worker);
    worker.unref();
    worker.on('message', (m: { id: number } | 'ready') => {
      if (m === 'ready') {
        this.#ready.add(w);
        worker.unref(); // again: the unref before the thread was up did not stop it holding the process
        for (const wake of this.#waiting.splice(0)) wake();
        return;
      }
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      this.#unrefIfIdle(w, worker);
      settle(p, () => this.#codec.unpack(p.jobs as readonly J[], m));
    });
    const fail = (): void => {
      if (this.#workers[w] !== worker) return;
      this.#workers[w] = undefined;
      this.#ready.delete(w);
      this.#failures++;
      this.#wakeIfNoneStarting();
      for (const [id, p] of this.#pending) {
        if (p.worker !== w) continue;
        this.#pending.delete(id);
        settle(p, () => this.#codec.here(p.jobs as readonly J[]));
      }
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    // An answer that cannot be deserialized would leave its jobs waiting: count the worker as failed.
    worker.on('messageerror', () => {
      fail();
      void worker.terminate();
    });
    this.#workers[w] = worker;
  }
}

function settle(p: Pending, results: () => unknown[]): void {
  try {
    p.resolve(results());
  } catch (e) {
    p.reject(e);
  }
}
