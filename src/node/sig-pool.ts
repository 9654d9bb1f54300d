/**
 * @module
 * Ed25519 verification off the main thread (RFC 8032 §5.1.7, libsodium through core/keys.ts).
 *
 * A batch (a block's worth of transactions) goes to worker threads (sig-worker.ts), one packed message
 * per worker each way; a batch too small to be worth the messages, or one that arrives before a worker
 * is up, is verified right here (≈ 45 µs a signature). Measured on the 2-core machine: verification
 * through workers leaves the main thread ≈ 1 ms per 1,000 signatures for hashing and SQLite, against
 * 9–12 ms for the callback form of node:crypto's `verify` (a job, a promise and a callback each).
 * Verification workers of parallel-verify.ts are themselves threads and verify in their own thread,
 * so threads do not multiply.
 */
import type { KeyObject } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { isMainThread, Worker } from 'node:worker_threads';
import { rawKeyOf, verifyBytes } from '../core/keys.ts';
import { SIG_WORKER } from './sig-worker.ts';
import type { SigAnswer, SigBatch } from './sig-worker.ts';

export interface SignatureCheck {
  readonly publicKey: KeyObject;
  readonly message: Uint8Array;
  readonly sig: Uint8Array;
}

/** Below this many signatures a batch is verified on the calling thread: no messages for a handful. */
const MIN_WORKER_BATCH = 64;
const WORKER_URL = new URL('./sig-worker.ts', import.meta.url);
/** Worker failures after which batches stay on the main thread for the life of the process. */
const MAX_FAILURES = 3;

/** Verifies one signature on this thread; false for a malformed one. */
export function verifyNow(c: SignatureCheck): boolean {
  return verifyBytes(c.publicKey, c.message, c.sig);
}

/** Verifies a batch, in worker threads when it is large enough; results in input order. */
export async function verifyAll(checks: readonly SignatureCheck[]): Promise<boolean[]> {
  if (checks.length < MIN_WORKER_BATCH || !isMainThread) return checks.map(verifyNow);
  return pool().verify(checks);
}

/**
 * Starts the worker threads now (a server at start-up) and resolves once one is ready, or at once when
 * none can be had (batches are then verified on the main thread).
 */
export function startSigPool(): Promise<void> {
  return isMainThread ? pool().started() : Promise.resolve();
}

function pool(): SigPool {
  return (shared ??= new SigPool(Math.max(1, Math.min(availableParallelism(), 8))));
}

let shared: SigPool | undefined;

interface Pending {
  readonly checks: readonly SignatureCheck[];
  readonly resolve: (ok: boolean[]) => void;
}

/**
 * Worker threads verifying packed batches. Until a worker has started (it says so; loading takes a
 * few hundred ms) batches are verified on the main thread, so the first blocks do not wait for it; a
 * worker that fails hands its batches back to the main thread, and after a few failures the pool stops
 * starting workers.
 */
class SigPool {
  readonly #size: number;
  readonly #workers: (Worker | undefined)[] = [];
  readonly #ready = new Set<number>();
  readonly #pending = new Map<number, { worker: number; job: Pending }>();
  readonly #waiting: (() => void)[] = [];
  #next = 0;
  #failures = 0;

  constructor(size: number) {
    this.#size = size;
  }

  started(): Promise<void> {
    const p = new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#start();
    this.#wakeIfNoneStarting();
    return p;
  }

  async verify(checks: readonly SignatureCheck[]): Promise<boolean[]> {
    this.#start();
    const ready = [...this.#ready];
    if (ready.length === 0) return checks.map(verifyNow);
    const parts = Math.min(ready.length, Math.ceil(checks.length / MIN_WORKER_BATCH));
    const per = Math.ceil(checks.length / parts);
    const answers = [];
    for (let i = 0; i < parts; i++) answers.push(this.#send(ready[i]!, checks.slice(i * per, (i + 1) * per)));
    return (await Promise.all(answers)).flat();
  }

  #send(w: number, checks: readonly SignatureCheck[]): Promise<boolean[]> {
    const worker = this.#workers[w]!;
    return new Promise((resolve) => {
      const id = this.#next++;
      this.#pending.set(id, { worker: w, job: { checks, resolve } });
      worker.ref();
      const batch = pack(id, checks);
      worker.postMessage(batch, [batch.index.buffer, batch.data.buffer]);
    });
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
    const worker = new Worker(WORKER_URL, { workerData: SIG_WORKER });
    worker.unref();
    worker.on('message', (m: SigAnswer | 'ready') => {
      if (m === 'ready') {
        this.#ready.add(w);
        worker.unref(); // again: the unref before the thread was up did not stop it holding the process
        for (const wake of this.#waiting.splice(0)) wake();
        return;
      }
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (![...this.#pending.values()].some((q) => q.worker === w)) worker.unref();
      p.job.resolve(p.job.checks.map((c, i) => c.sig.length === 64 && m.ok[i] === 1));
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
        p.job.resolve(p.job.checks.map(verifyNow));
      }
    };
    worker.on('error', fail);
    worker.on('exit', fail);
    this.#workers[w] = worker;
  }
}

/** The raw 32 bytes of an Ed25519 key, as verifyBytes takes them (32 zero bytes, which verify nothing, for any other key). */
function rawOf(key: KeyObject): Uint8Array {
  return rawKeyOf(key) ?? NO_KEY;
}

const NO_KEY = new Uint8Array(32);

/** One message for a worker: the distinct keys once, then messages and signatures in one buffer. */
function pack(id: number, checks: readonly SignatureCheck[]): SigBatch<ArrayBuffer> {
  const keyIndex = new Map<KeyObject, number>();
  const keys: Uint8Array[] = [];
  let size = 0;
  for (const c of checks) size += c.message.length + 64;
  const data = new Uint8Array(new ArrayBuffer(size));
  const index = new Uint32Array(new ArrayBuffer(checks.length * 16));
  let at = 0;
  checks.forEach((c, i) => {
    let k = keyIndex.get(c.publicKey);
    if (k === undefined) {
      k = keys.length;
      keyIndex.set(c.publicKey, k);
      keys.push(rawOf(c.publicKey));
    }
    index[4 * i] = k;
    index[4 * i + 1] = at;
    data.set(c.message, at);
    at += c.message.length;
    index[4 * i + 2] = at;
    // A signature of the wrong length is answered false without looking at these zeros.
    if (c.sig.length === 64) data.set(c.sig, at);
    index[4 * i + 3] = at;
    at += 64;
  });
  return { id, keys, index, data };
}
