/**
 * @module
 * Worker thread entry: verifies one contiguous range of blocks of a SQLite store (its own read-only
 * connection) and posts the problems and the state at the end of the range.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Problem } from '../core/problem.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { lowerThisThread } from '../runtime/thread-priority.ts';
import { verifyStoredRange } from './verify-range.ts';

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
    const r = await verifyStoredRange(store, job.from, job.to, job.startHash, job.signatures, (height) => {
      if (height % 64 === 0) port.postMessage({ type: 'progress', height } satisfies WorkerMessage);
    });
    port.postMessage(
      ('unusable' in r
        ? { type: 'unusable', reason: r.unusable }
        : { type: 'done', ...r }) satisfies WorkerMessage,
    );
  } finally {
    store.close();
  }
}
