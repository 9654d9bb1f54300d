/**
 * @module
 * Worker thread entry of the sealing pool (seal-pool.ts): says 'ready' once loaded, then seals packed
 * batches of records (record-crypto.ts `sealEach`: AES-256-GCM under a fresh key, the key wrapped with
 * HPKE to each recipient, one HPKE context per recipient and batch) and answers with the ciphertexts
 * in one buffer. Record keys never leave the thread. A job that throws is only flagged: the pool runs it again on the calling thread, where it
 * throws its own error for its own caller.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Recipient } from './vault.ts';
import { sealEach } from './record-crypto.ts';
import type { RecipientKey, SealJob } from './record-crypto.ts';

/** Jobs for a worker: per job a record id, a plaintext and a run of recipients with their 32-byte keys. */
export interface SealBatch<B extends ArrayBufferLike = ArrayBufferLike> {
  readonly id: number;
  readonly recordIds: readonly string[];
  readonly recipients: readonly Recipient[];
  /** 32 bytes per recipient, in the order of `recipients`. */
  readonly keys: Uint8Array<B>;
  /** Per job: plaintext start, plaintext end (into `data`), first recipient, recipient count. */
  readonly index: Uint32Array<B>;
  readonly data: Uint8Array<B>;
}

export interface SealAnswer<B extends ArrayBufferLike = ArrayBufferLike> {
  readonly id: number;
  /** Per job its blob hash ('' for a failed job). */
  readonly blobs: readonly string[];
  /** Per recipient of the batch, in order: enc then ct, as hex ('' for a failed job). */
  readonly wraps: readonly string[];
  /** Per job: ciphertext start and end in `data`. */
  readonly index: Uint32Array<B>;
  readonly data: Uint8Array<B>;
  /** 1 where the job threw. */
  readonly failed: Uint8Array<B>;
}

/** The workerData marking a thread started by the pool (this module may be loaded elsewhere too). */
export const SEAL_WORKER = 'medledger-seal-pool';

/** The jobs of a batch, as `seal` takes them. */
export function jobsOf(b: SealBatch): SealJob[] {
  const jobs: SealJob[] = [];
  for (let j = 0; j < b.recordIds.length; j++) {
    const [from, to, first, count] = b.index.subarray(4 * j, 4 * j + 4);
    const recipients: RecipientKey[] = [];
    for (let r = first!; r < first! + count!; r++)
      recipients.push({ recipient: b.recipients[r]!, publicKey: b.keys.subarray(32 * r, 32 * r + 32) });
    jobs.push({ recordId: b.recordIds[j]!, plaintext: b.data.subarray(from, to), recipients });
  }
  return jobs;
}

/** Seals every job of `b` into one answer. */
export function sealBatch(b: SealBatch): SealAnswer<ArrayBuffer> {
  const jobs = jobsOf(b);
  const sealed = sealEach(jobs).map((s) => (s instanceof Error ? undefined : s));
  let size = 0;
  for (const s of sealed) size += s?.ciphertext.length ?? 0;
  const data = new Uint8Array(new ArrayBuffer(size));
  const index = new Uint32Array(new ArrayBuffer(jobs.length * 8));
  const failed = new Uint8Array(new ArrayBuffer(jobs.length));
  const blobs: string[] = [];
  const wraps: string[] = [];
  let at = 0;
  sealed.forEach((s, j) => {
    index[2 * j] = at;
    if (s) data.set(s.ciphertext, at);
    at += s?.ciphertext.length ?? 0;
    index[2 * j + 1] = at;
    failed[j] = s ? 0 : 1;
    blobs.push(s?.blob ?? '');
    for (let r = 0; r < jobs[j]!.recipients.length; r++)
      wraps.push(s?.keys[r]!.enc ?? '', s?.keys[r]!.ct ?? '');
  });
  return { id: b.id, blobs, wraps, index, data, failed };
}

const port = workerData === SEAL_WORKER ? parentPort : null;
port?.on('message', (b: SealBatch) => {
  const a = sealBatch(b);
  port.postMessage(a, [a.index.buffer, a.data.buffer, a.failed.buffer]);
});
port?.postMessage('ready');
