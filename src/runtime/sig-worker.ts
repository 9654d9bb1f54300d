/**
 * @module
 * Worker thread entry of the signature pool (sig-pool.ts): says 'ready' once loaded, then verifies
 * packed batches of Ed25519 signatures (RFC 8032 §5.1.7, core/keys.ts) synchronously and answers with
 * one byte per signature. Keys arrive raw, once per batch, so a block costs one message each way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { verifyRaw } from '../core/keys.ts';

/** A batch: raw 32-byte `keys`; per signature a key index, a message and a 64-byte signature. */
export interface SigBatch<B extends ArrayBufferLike = ArrayBufferLike> {
  readonly id: number;
  readonly keys: readonly Uint8Array[];
  /** Per signature: key index, message start, message end (into `data`), signature start. */
  readonly index: Uint32Array<B>;
  readonly data: Uint8Array<B>;
}

export interface SigAnswer {
  readonly id: number;
  /** 1 where the signature verifies, 0 elsewhere. */
  readonly ok: Uint8Array;
}

/** Verifies every signature of `b`. */
export function verifyBatch(b: SigBatch): Uint8Array<ArrayBuffer> {
  const keys = b.keys;
  const n = b.index.length / 4;
  const ok = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = keys[b.index[4 * i]!]!;
    const msg = b.data.subarray(b.index[4 * i + 1], b.index[4 * i + 2]);
    const sigAt = b.index[4 * i + 3]!;
    ok[i] = verifyRaw(k, msg, b.data.subarray(sigAt, sigAt + 64)) ? 1 : 0;
  }
  return ok;
}

/** The workerData marking a thread started by the pool (this module may be loaded elsewhere too). */
export const SIG_WORKER = 'medledger-sig-pool';

const port = workerData === SIG_WORKER ? parentPort : null;
port?.on('message', (b: SigBatch) => {
  const ok = verifyBatch(b);
  port.postMessage({ id: b.id, ok } satisfies SigAnswer, [ok.buffer]);
});
port?.postMessage('ready');
