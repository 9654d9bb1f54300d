/**
 * @module
 * Verification split over worker threads, one contiguous range of blocks per core. Each worker starts
 * from the state rebuilt at the block before its range (stored Merkle frontier checked against that
 * header's logRoot; identity transactions replayed) and links to that block's recomputed hash, so the
 * ranges join exactly as one sequential pass would: the previous range checks that very block. Replays
 * are found afterwards in the store itself (verify-chain.ts), across the whole chain at once.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { blockHash, parseHeader } from '../core/block.ts';
import type { Problem } from '../core/problem.ts';
import type { ChainState } from '../state-machine/chain-state.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { stateAt, verifyRange } from './verify-range.ts';
import type { RangeResult } from './verify-range.ts';
import type { WorkerJob, WorkerMessage } from './verify-worker.ts';

const WORKER_URL = new URL('./verify-worker.ts', import.meta.url);

/** Verifies blocks from..to of the SQLite store at `path`; `state` is the state after block from − 1. */
export async function verifyInWorkers(
  path: string,
  state: ChainState,
  from: number,
  to: number,
  withSigs: boolean,
  onProgress?: (height: number, head: number) => void,
): Promise<RangeResult> {
  const store = new SqliteStore(path, { readOnly: true });
  try {
    const jobs = plan(store, state, from, to, withSigs);
    if (!jobs) return await verifyRange(store, state, from, to, withSigs, onProgress);
    const done = jobs.map(() => 0);
    const results = await Promise.all(
      jobs.map((job, i) =>
        runWorker(job, (height) => {
          done[i] = height - job.from + 1;
          onProgress?.(from + done.reduce((a, b) => a + b, 0) - 1, to);
        }),
      ),
    );
    if (results.some((r) => r.type !== 'done')) {
      // A range could not start (e.g. stored Merkle nodes damaged): check sequentially instead.
      return await verifyRange(store, state, from, to, withSigs, onProgress);
    }
    const problems: Problem[] = [];
    let sigsChecked = 0;
    for (const r of results) {
      if (r.type !== 'done') continue;
      problems.push(...r.problems);
      sigsChecked += r.sigsChecked;
    }
    onProgress?.(to, to);
    const head = store.blockByHeight(to);
    const end = head ? stateAt(store, to, recomputedHash(head.header) ?? head.hash) : undefined;
    if (end && !('kind' in end)) return { problems, sigsChecked, state: end };
    // The state at the head cannot be rebuilt from stored nodes: replay it sequentially.
    const fallback = await verifyRange(store, state, from, to, withSigs);
    return { problems, sigsChecked, state: fallback.state ?? state };
  } finally {
    store.close();
  }
}

/** Splits from..to into one range per core; undefined when a boundary block is unreadable. */
function plan(
  store: SqliteStore,
  state: ChainState,
  from: number,
  to: number,
  signatures: boolean,
): WorkerJob[] | undefined {
  const n = Math.max(1, Math.min(availableParallelism(), 8));
  const size = Math.ceil((to - from + 1) / n);
  const jobs: WorkerJob[] = [];
  for (let start = from; start <= to; start += size) {
    let startHash = state.headHash;
    if (start !== from) {
      const prev = store.blockByHeight(start - 1);
      const h = prev && recomputedHash(prev.header);
      if (!h) return undefined;
      startHash = h;
    }
    jobs.push({ path: store.path, from: start, to: Math.min(to, start + size - 1), startHash, signatures });
  }
  return jobs;
}

function recomputedHash(headerJson: string): string | undefined {
  try {
    return blockHash(parseHeader(headerJson));
  } catch {
    return undefined;
  }
}

type Final = Exclude<WorkerMessage, { type: 'progress' }>;

function runWorker(job: WorkerJob, onProgress: (height: number) => void): Promise<Final> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_URL, { workerData: job });
    let final: Final | undefined;
    w.on('message', (m: WorkerMessage) => {
      if (m.type === 'progress') onProgress(m.height);
      else final = m;
    });
    w.once('error', reject);
    w.once('exit', (code) => {
      if (final) resolve(final);
      else reject(new Error(`verification worker exited with code ${code} before finishing`));
    });
  });
}
