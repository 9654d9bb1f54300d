/**
 * @module
 * Worker thread entry: searches a block header's nonces (core/pow.ts) off the main thread, its share
 * of them when several threads mine one header (miner.ts).
 */
import { parentPort } from 'node:worker_threads';
import type { BlockHeader } from '../core/block.ts';
import { nonceSearch } from '../core/pow.ts';
import type { Found } from '../core/pow.ts';

/** Nonces tried between two looks at the stop flag (a fraction of a millisecond of hashing). */
export const CHUNK = 256;

export interface MineJob {
  readonly id: number;
  readonly header: Omit<BlockHeader, 'nonce'>;
  /** This thread's place among `threads`: it tries the nonce chunks index, index + threads, … */
  readonly index: number;
  readonly threads: number;
  /**
   * Two BigInt64 slots: [0] the stop flag, set (0 → 1) by the thread that finds a nonce (the others stop
   * when they see it); [1] the attempts of all threads, added chunk by chunk.
   */
  readonly shared: SharedArrayBuffer;
}

/** What a thread answers: the nonce, when it found it first; nothing else, when it stopped. */
export interface MineAnswer {
  readonly id: number;
  /** The nonce this thread found first, and the attempts of all threads so far. */
  readonly found?: Found & { readonly attempts: number };
  readonly error?: string;
}

/** Searches this thread's chunks until a nonce is found here or elsewhere, or the nonces run out. */
export function searchShare(job: MineJob): Omit<MineAnswer, 'id'> {
  const shared = new BigInt64Array(job.shared);
  const search = nonceSearch(job.header);
  for (let c = job.index; (c + 1) * CHUNK - 1 <= Number.MAX_SAFE_INTEGER; c += job.threads) {
    if (Atomics.load(shared, 0) !== 0n) break;
    const start = c * CHUNK;
    const found = search(start, CHUNK);
    if (!found) {
      Atomics.add(shared, 1, BigInt(CHUNK));
      continue;
    }
    const attempts =
      Atomics.add(shared, 1, BigInt(found.nonce - start + 1)) + BigInt(found.nonce - start + 1);
    // Two threads may find one each: the first to set the flag wins, so one nonce is answered.
    if (Atomics.compareExchange(shared, 0, 0n, 1n) === 0n)
      return { found: { ...found, attempts: Number(attempts) } };
    break;
  }
  return {};
}

parentPort?.on('message', (job: MineJob) => {
  try {
    parentPort?.postMessage({ id: job.id, ...searchShare(job) } satisfies MineAnswer);
  } catch (e) {
    parentPort?.postMessage({
      id: job.id,
      error: e instanceof Error ? e.message : String(e),
    } satisfies MineAnswer);
  }
});
