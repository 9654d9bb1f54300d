/**
 * @module
 * Worker thread entry of the monitor thread (monitor-thread.ts): reads the ledger and the vault through
 * read-only connections of its own, kept open for the next run, and answers three kinds of job: the
 * stored digests of the chain (stored-digests.ts), the hash-only check of a range of new blocks
 * (verify-range.ts), the hashes of the vault's ciphertexts against the hashes on chain
 * (vault-check.ts), and the state tables against the state replayed from the chain (replayed-state.ts). It runs at a lower priority than the main thread (thread-priority.ts).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Problem } from '../core/problem.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { storedDigestsSync } from '../chain/stored-digests.ts';
import { lowerThisThread } from '../runtime/thread-priority.ts';
import { SqliteVaultReader } from '../medical/sqlite-vault.ts';
import { blobFindings } from '../medical/vault-check.ts';
import type { BlobFindings } from '../medical/vault-check.ts';
import { verifyStoredRange } from '../chain/verify-range.ts';
import { stateDifferenceOf } from '../medical/replayed-state.ts';
import type { StateDifference } from '../medical/replayed-state.ts';

export type MonitorJob =
  /** Digests of blocks from..to of the ledger at `path`. */
  | { readonly kind: 'digests'; readonly path: string; readonly from: number; readonly to: number }
  /** The hash-only check of blocks from..to, linking to `startHash` (block from − 1). */
  | {
      readonly kind: 'blocks';
      readonly path: string;
      readonly from: number;
      readonly to: number;
      readonly startHash: string;
    }
  /** The ciphertexts of `records` in the vault at `path`, with these SHA-256s (64 hex digits each). */
  | {
      readonly kind: 'blobs';
      readonly path: string;
      readonly records: readonly string[];
      readonly hashes: string;
    }
  /** The state tables of the ledger at `path` against the chain replayed (`indexKey` tells patients). */
  | { readonly kind: 'state'; readonly path: string; readonly indexKey: Uint8Array };

export type MonitorResult =
  | { readonly kind: 'digests'; readonly digests: Uint8Array }
  | {
      readonly kind: 'blocks';
      readonly problems: readonly Problem[];
      /** Hash and log size of the state after block `to`. */
      readonly endHash: string;
      readonly endLogSize: number;
    }
  | ({ readonly kind: 'blobs' } & BlobFindings)
  | { readonly kind: 'state'; readonly difference: StateDifference | undefined }
  /** Not run: in the calling thread (thread not up, or it failed), or the range cannot start here. */
  | { readonly kind: 'not-run' };

export interface MonitorBatch {
  readonly id: number;
  readonly jobs: readonly MonitorJob[];
}

export interface MonitorAnswer {
  readonly id: number;
  readonly results: readonly MonitorResult[];
}

/** The workerData marking a thread started by the monitor thread's pool. */
export const MONITOR_WORKER = 'medledger-monitor-thread';

/** The monitor reads the chain in order, once per sweep: a large page cache would only fill up. */
const SCAN_CACHE_MIB = 8;

let ledger: SqliteStore | undefined;
let vault: SqliteVaultReader | undefined;

function ledgerAt(path: string): SqliteStore {
  if (ledger?.path !== path) {
    ledger?.close();
    ledger = new SqliteStore(path, { readOnly: true, cacheMiB: SCAN_CACHE_MIB });
  }
  return ledger;
}

function vaultAt(path: string): SqliteVaultReader {
  if (vault?.path !== path) {
    vault?.close();
    vault = new SqliteVaultReader(path);
  }
  return vault;
}

async function run(job: MonitorJob): Promise<MonitorResult> {
  switch (job.kind) {
    case 'digests':
      return { kind: 'digests', digests: storedDigestsSync(ledgerAt(job.path), job.from, job.to) };
    case 'blocks': {
      const r = await verifyStoredRange(ledgerAt(job.path), job.from, job.to, job.startHash, false);
      if ('unusable' in r) return { kind: 'not-run' };
      return { kind: 'blocks', problems: r.problems, endHash: r.endHash, endLogSize: r.endLogSize };
    }
    case 'blobs': {
      const reader = vaultAt(job.path);
      const read = (record: string, hash: Buffer): Uint8Array | undefined => reader.blob(record, hash);
      return { kind: 'blobs', ...blobFindings(job.records, job.hashes, read) };
    }
    case 'state':
      return { kind: 'state', difference: stateDifferenceOf(ledgerAt(job.path), job.indexKey) };
  }
}

const port = workerData === MONITOR_WORKER ? parentPort : null;
if (port) lowerThisThread();
port?.on('message', (b: MonitorBatch) => {
  // A job that throws (a database it cannot open, say) is answered as not run: the caller does it.
  const settled = b.jobs.map((j) => run(j).catch((): MonitorResult => ({ kind: 'not-run' })));
  void Promise.all(settled).then((results) => {
    const transfer = results.flatMap((r) => (r.kind === 'digests' ? [r.digests.buffer as ArrayBuffer] : []));
    port.postMessage({ id: b.id, results } satisfies MonitorAnswer, transfer);
  });
});
port?.postMessage('ready');
