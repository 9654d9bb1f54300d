/**
 * @module
 * Ed25519 verification off the main thread (RFC 8032 §5.1.7, libsodium through core/keys.ts).
 *
 * A batch (a block's worth of transactions) goes to worker threads (sig-worker.ts, through
 * worker-pool.ts), one packed message per worker each way; a batch too small to be worth the messages,
 * or one that arrives before a worker is up, is verified right here. Through workers the main thread
 * keeps only a batch's hashing and SQLite, far less than the callback form of node:crypto's `verify`
 * costs it (a job, a promise and a callback each).
 * Verification workers of parallel-verify.ts are themselves threads and verify in their own thread,
 * so threads do not multiply.
 */
import type { KeyObject } from 'node:crypto';
import { isMainThread } from 'node:worker_threads';
import { rawKeyOf, verifyBytes } from '../core/keys.ts';
import { SIG_WORKER } from './sig-worker.ts';
import type { SigAnswer, SigBatch } from './sig-worker.ts';
import { WorkerPool } from './worker-pool.ts';

export interface SignatureCheck {
  readonly publicKey: KeyObject;
  readonly message: Uint8Array;
  readonly sig: Uint8Array;
}

/** Below this many signatures a batch is verified on the calling thread: no messages for a handful. */
const MIN_WORKER_BATCH = 64;

/** Verifies one signature on this thread; false for a malformed one. */
export function verifyNow(c: SignatureCheck): boolean {
  return verifyBytes(c.publicKey, c.message, c.sig);
}

/** Verifies a batch, in worker threads when it is large enough; results in input order. */
export async function verifyAll(checks: readonly SignatureCheck[]): Promise<boolean[]> {
  if (!isMainThread) return checks.map(verifyNow);
  return pool().run(checks);
}

/**
 * Starts the worker threads now (a server at start-up) and resolves once one is ready, or at once when
 * none can be had (batches are then verified on the main thread).
 */
export function startSigPool(): Promise<void> {
  return isMainThread ? pool().started() : Promise.resolve();
}

function pool(): WorkerPool<SignatureCheck, boolean> {
  return (shared ??= new WorkerPool(
    { url: new URL('./sig-worker.ts', import.meta.url), tag: SIG_WORKER, minBatch: MIN_WORKER_BATCH },
    {
      here: (checks) => checks.map(verifyNow),
      pack: (id, checks) => {
        const batch = pack(id, checks);
        return { message: batch, transfer: [batch.index.buffer, batch.data.buffer] };
      },
      unpack: (checks, m) => checks.map((c, i) => c.sig.length === 64 && (m as SigAnswer).ok[i] === 1),
    },
  ));
}

let shared: WorkerPool<SignatureCheck, boolean> | undefined;

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
