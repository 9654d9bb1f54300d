/**
 * @module
 * Worker thread entry of the digest pool: the stored digests of a ledger's blocks (stored-digests.ts),
 * read through its own read-only connection, kept open for the next run of the same ledger.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SqliteStore } from '../store/sqlite-store.ts';
import { storedDigestsSync } from './stored-digests.ts';

/** Digests of blocks 0..to of the SQLite ledger at `path`. */
export interface DigestJob {
  readonly path: string;
  readonly to: number;
}

export interface DigestBatch {
  readonly id: number;
  readonly jobs: readonly DigestJob[];
}

export interface DigestAnswer {
  readonly id: number;
  readonly digests: readonly Uint8Array[];
}

/** The workerData marking a thread started by the pool. */
export const DIGEST_WORKER = 'medledger-digest-pool';

let open: SqliteStore | undefined;

function storeAt(path: string): SqliteStore {
  if (open?.path !== path) {
    open?.close();
    open = new SqliteStore(path, { readOnly: true });
  }
  return open;
}

const port = workerData === DIGEST_WORKER ? parentPort : null;
port?.on('message', (b: DigestBatch) => {
  const digests = b.jobs.map((j) => storedDigestsSync(storeAt(j.path), 0, j.to));
  port.postMessage(
    { id: b.id, digests } satisfies DigestAnswer,
    digests.map((d) => d.buffer as ArrayBuffer),
  );
});
port?.postMessage('ready');
