/**
 * @module
 * The integrity monitor's reading in one worker thread kept for the life of the process
 * (monitor-worker.ts): the stored digests of the chain, the check of the blocks added since the last
 * run, and the hashes of the vault's ciphertexts. The monitor reads every stored row and every
 * ciphertext every few seconds; the main thread, which answers every request, need not: there, under
 * load, the block check and the vault pass took a share of it in slices that every request in flight
 * waited for.
 *
 * Until the thread is up, or if it fails, digests are computed on the calling thread through a
 * read-only connection of its own, and the other two answer `undefined`: the caller then runs its own
 * sliced pass on the main thread.
 */
import type { Problem } from '../core/problem.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { BlobFindings } from '../medical/vault-check.ts';
import type { MonitorAnswer, MonitorBatch, MonitorJob, MonitorResult } from './monitor-worker.ts';
import { MONITOR_WORKER } from './monitor-worker.ts';
import { storedDigestsSync } from '../chain/stored-digests.ts';
import { WorkerPool } from '../runtime/worker-pool.ts';
import type { StateDifference } from '../medical/replayed-state.ts';

let shared: WorkerPool<MonitorJob, MonitorResult> | undefined;

function here(jobs: readonly MonitorJob[]): MonitorResult[] {
  return jobs.map((j) => {
    if (j.kind !== 'digests') return { kind: 'not-run' };
    const store = new SqliteStore(j.path, { readOnly: true });
    try {
      return { kind: 'digests', digests: storedDigestsSync(store, j.from, j.to) };
    } finally {
      store.close();
    }
  });
}

function pool(): WorkerPool<MonitorJob, MonitorResult> {
  return (shared ??= new WorkerPool(
    { url: new URL('./monitor-worker.ts', import.meta.url), tag: MONITOR_WORKER, minBatch: 1, size: 1 },
    {
      here,
      pack: (id, jobs) => ({ message: { id, jobs } satisfies MonitorBatch, transfer: [] }),
      unpack: (_jobs, answer) => [...(answer as MonitorAnswer).results],
    },
  ));
}

async function inThread<K extends MonitorJob['kind']>(
  job: MonitorJob & { kind: K },
): Promise<(MonitorResult & { kind: K }) | undefined> {
  const [r] = await pool().run([job]);
  return r?.kind === job.kind ? (r as MonitorResult & { kind: K }) : undefined;
}

/** Whether the thread is up; starts it when not (it loads in a few hundred ms). */
export function monitorThreadUp(): boolean {
  const p = pool();
  if (!p.ready) void p.started();
  return p.ready;
}

/** Digests of blocks from..to of the SQLite ledger at `path`, concatenated in height order. */
export async function digestsInThread(path: string, to: number, from = 0): Promise<Uint8Array> {
  const r = await inThread({ kind: 'digests', path, from, to });
  if (!r) throw new Error('the digests were not computed'); // `here` computes them: cannot happen
  return r.digests;
}

/**
 * The hash-only check of blocks from..to of the SQLite ledger at `path` (block from − 1 has hash
 * `startHash`): the problems, and the hash and log size after block `to`; undefined when not run.
 */
export async function blocksInThread(
  path: string,
  from: number,
  to: number,
  startHash: string,
): Promise<{ problems: readonly Problem[]; endHash: string; endLogSize: number } | undefined> {
  const r = await inThread({ kind: 'blocks', path, from, to, startHash });
  return r && { problems: r.problems, endHash: r.endHash, endLogSize: r.endLogSize };
}

/** {@link blobFindings} over the vault at `path`, in the thread; undefined when not run. */
export async function blobsInThread(
  path: string,
  records: readonly string[],
  hashes: string,
): Promise<BlobFindings | undefined> {
  const r = await inThread({ kind: 'blobs', path, records, hashes });
  return r && { missing: r.missing, mismatched: r.mismatched };
}

/**
 * Where the state tables of the SQLite ledger at `path` differ from the chain replayed, in the thread
 * (a replay of the whole chain is minutes of work at 10^7 transactions); `'not-run'` when it could not.
 */
export async function stateInThread(
  path: string,
  indexKey: Uint8Array,
): Promise<StateDifference | undefined | 'not-run'> {
  const r = await inThread({ kind: 'state', path, indexKey });
  return r ? r.difference : 'not-run';
}
