/**
 * @module
 * Worker thread entry: verifies one contiguous range of blocks of a SQLite store (its own read-only
 * connection) and posts the problems and the state at the end of the range.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { toHex } from '../core/bytes.ts';
import type { Problem } from '../core/problem.ts';
import { emptyChainState } from '../ledger/chain-state.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { lowerThisThread } from './thread-priority.ts';
import { stateAt, verifyRange } from './verify-range.ts';

export interface WorkerJob {
  readonly path: string;
  readonly from: number;
  readonly to: number;
  /** Hash of block from − 1 the range must link to (recomputed from its header by the caller). */
  readonly startHash: string;
  readonly signatures: boolean;
}

export type WorkerMessage =
  | { readonly type: 'progress'; readonly height: number }
  | {
      readonly type: 'done';
      readonly problems: Problem[];
      readonly sigsChecked: number;
      readonly endHash: string;
      readonly endLogRoot: string;
      readonly endLogSize: number;
    }
  | { readonly type: 'unusable'; readonly reason: string };

const job = workerData as WorkerJob;
const port = parentPort;
if (port) {
  lowerThisThread();
  const store = new SqliteStore(job.path, { readOnly: true });
  try {
    const state = job.from === 0 ? emptyChainState() : stateAt(store, job.from - 1, job.startHash);
    if ('kind' in state) {
      port.postMessage({ type: 'unusable', reason: state.detail } satisfies WorkerMessage);
    } else {
      state.seenIds = new Set();
      const r = await verifyRange(store, state, job.from, job.to, job.signatures, (height) => {
        if (height % 64 === 0) port.postMessage({ type: 'progress', height } satisfies WorkerMessage);
      });
      port.postMessage({
        type: 'done',
        problems: r.problems,
        sigsChecked: r.sigsChecked,
        endHash: state.headHash,
        endLogRoot: toHex(state.logRange.root()),
        endLogSize: state.logRange.size,
      } satisfies WorkerMessage);
    }
  } finally {
    store.close();
  }
}
