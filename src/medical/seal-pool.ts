/**
 * @module
 * Record sealing off the main thread. Sealing a record (AES-256-GCM, then its key wrapped to each of
 * ~3 recipients through one HPKE context per recipient and batch) costs far more than the messages to
 * a worker; in worker threads (seal-worker.ts, through worker-pool.ts) that cost leaves the main
 * thread, which validates, signs, stores and commits and is the bottleneck of bulk writes, while the
 * other core seals.
 *
 * {@link sealAll} takes a batch (an import); {@link sealOne} a single record (an API write): the single
 * jobs of one turn of the event loop leave together, so concurrent requests share one message. Until
 * a worker is up, jobs are sealed right here. A job that fails in a worker is sealed again here, so
 * its caller gets the real error; it never fails the other jobs of its batch.
 */
import { isMainThread } from 'node:worker_threads';
import { sealEach } from './record-crypto.ts';
import type { SealedRecord, SealJob } from './record-crypto.ts';
import { SEAL_WORKER } from './seal-worker.ts';
import type { SealAnswer, SealBatch } from './seal-worker.ts';
import type { Recipient } from './vault.ts';
import { WorkerPool } from '../runtime/worker-pool.ts';

/** A sealed record, or why sealing it failed. */
export type SealResult = SealedRecord | Error;

/** Seals `jobs`, in worker threads once they are up; one result per job, in order. */
export function sealAll(jobs: readonly SealJob[]): Promise<SealResult[]> {
  return isMainThread ? pool().run(jobs) : Promise.resolve(sealEach(jobs));
}

/** Seals one record, together with the other records asked for in the same turn of the event loop. */
export function sealOne(job: SealJob): Promise<SealedRecord> {
  return new Promise((resolve, reject) => {
    queue.push({ job, resolve, reject });
    if (queue.length === 1) setImmediate(flush);
  });
}

/** Starts the worker threads now (a server at start-up); resolves once one is ready or none can be had. */
export function startSealPool(): Promise<void> {
  return isMainThread ? pool().started() : Promise.resolve();
}

/** Whether a sealing thread is up (jobs then leave the main thread). */
export function sealThreadsUp(): boolean {
  return shared?.ready ?? false;
}

interface Queued {
  readonly job: SealJob;
  readonly resolve: (s: SealedRecord) => void;
  readonly reject: (e: unknown) => void;
}

let queue: Queued[] = [];

function flush(): void {
  const batch = queue;
  queue = [];
  sealAll(batch.map((q) => q.job)).then(
    (results) => {
      results.forEach((r, i) => {
        if (r instanceof Error) batch[i]!.reject(r);
        else batch[i]!.resolve(r);
      });
    },
    (e: unknown) => {
      for (const q of batch) q.reject(e);
    },
  );
}

function pool(): WorkerPool<SealJob, SealResult> {
  return (shared ??= new WorkerPool(
    // Sealing costs far more per record than the messages: taken off the busier main thread.
    { url: new URL('./seal-worker.ts', import.meta.url), tag: SEAL_WORKER, minBatch: 1 },
    { here: sealEach, pack, unpack },
  ));
}

let shared: WorkerPool<SealJob, SealResult> | undefined;

function pack(id: number, jobs: readonly SealJob[]): { message: SealBatch; transfer: ArrayBuffer[] } {
  let size = 0;
  let recipientCount = 0;
  for (const j of jobs) {
    size += j.plaintext.length;
    recipientCount += j.recipients.length;
  }
  const data = new Uint8Array(new ArrayBuffer(size));
  const keys = new Uint8Array(new ArrayBuffer(recipientCount * 32));
  const index = new Uint32Array(new ArrayBuffer(jobs.length * 16));
  const recipients: Recipient[] = [];
  let at = 0;
  jobs.forEach((j, i) => {
    index[4 * i] = at;
    data.set(j.plaintext, at);
    at += j.plaintext.length;
    index[4 * i + 1] = at;
    index[4 * i + 2] = recipients.length;
    index[4 * i + 3] = j.recipients.length;
    for (const r of j.recipients) {
      keys.set(r.publicKey, 32 * recipients.length);
      recipients.push(r.recipient);
    }
  });
  const message = { id, recordIds: jobs.map((j) => j.recordId), recipients, keys, index, data };
  return { message, transfer: [data.buffer, keys.buffer, index.buffer] };
}

function unpack(jobs: readonly SealJob[], answer: { id: number }): SealResult[] {
  const a = answer as SealAnswer;
  let wrap = 0;
  return jobs.map((j, i) => {
    const first = wrap;
    wrap += j.recipients.length;
    if (a.failed[i]) return sealEach([j])[0]!;
    return {
      ciphertext: a.data.slice(a.index[2 * i], a.index[2 * i + 1]),
      blob: a.blobs[i]!,
      keys: j.recipients.map((r, k) => ({
        record: j.recordId,
        recipient: r.recipient,
        enc: a.wraps[2 * (first + k)]!,
        ct: a.wraps[2 * (first + k) + 1]!,
      })),
    };
  });
}
