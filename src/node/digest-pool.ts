/**
 * @module
 * The stored digests of a SQLite ledger (stored-digests.ts) computed in one worker thread kept for the
 * life of the process: the integrity monitor reads every stored row every few seconds, and the main
 * thread (which answers every request) need not. Until the thread is up, or if it fails, the digests
 * are computed on the calling thread through a read-only connection of its own.
 */
import { SqliteStore } from '../store/sqlite-store.ts';
import type { DigestAnswer, DigestBatch, DigestJob } from './digest-worker.ts';
import { DIGEST_WORKER } from './digest-worker.ts';
import { storedDigestsSync } from './stored-digests.ts';
import { WorkerPool } from './worker-pool.ts';

let shared: WorkerPool<DigestJob, Uint8Array> | undefined;

function here(jobs: readonly DigestJob[]): Uint8Array[] {
  return jobs.map((j) => {
    const store = new SqliteStore(j.path, { readOnly: true });
    try {
      return storedDigestsSync(store, 0, j.to);
    } finally {
      store.close();
    }
  });
}

function pool(): WorkerPool<DigestJob, Uint8Array> {
  return (shared ??= new WorkerPool(
    { url: new URL('./digest-worker.ts', import.meta.url), tag: DIGEST_WORKER, minBatch: 1, size: 1 },
    {
      here,
      pack: (id, jobs) => ({ message: { id, jobs } satisfies DigestBatch, transfer: [] }),
      unpack: (_jobs, answer) => [...(answer as DigestAnswer).digests],
    },
  ));
}

/** Digests of blocks 0..to of the SQLite ledger at `path`, concatenated in height order. */
export async function digestsInWorker(path: string, to: number): Promise<Uint8Array> {
  const [d] = await pool().run([{ path, to }]);
  return d!;
}

/** Whether the thread is up; starts it when not (it loads in a few hundred ms). */
export function digestThreadUp(): boolean {
  const p = pool();
  if (!p.ready) void p.started();
  return p.ready;
}
