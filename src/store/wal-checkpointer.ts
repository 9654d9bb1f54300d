/**
 * @module
 * Checkpoints of a WAL database off the thread that writes it. SQLite's automatic checkpoint runs in
 * the connection that commits, right after the commit: for the node, on the thread that answers
 * requests, every 32,768 WAL pages. On a large ledger it copies pages to places all over the file, and
 * nothing is answered meanwhile (docs/performance.md). Here a thread of its own, with a connection of its
 * own, runs a PASSIVE checkpoint (which never blocks the writer) once that many pages are waiting; the
 * writer keeps its automatic checkpoint at {@link FALLBACK_FACTOR} times that, in case the thread is
 * gone or behind.
 */
import { StoreThread } from './store-thread.ts';

/** WAL pages written before a checkpoint (128 MiB of 4 KiB pages). */
export const CHECKPOINT_FRAMES = 32_768;
/** The writer's own automatic checkpoint, as a fallback, at this many times {@link CHECKPOINT_FRAMES}. */
export const FALLBACK_FACTOR = 4;
/** The longest a close waits for the thread to close its connection. */
const CLOSE_WAIT_MS = 5_000;
/** Commits between two checks of the WAL (a check reads 100 bytes of the wal-index). */
const CHECK_EVERY = 128;

export interface CheckpointAnswer {
  readonly id: number;
  /** WAL frames not yet in the database file before the check (-1: header unreadable). */
  readonly pending: number;
  /** Frames the checkpoint copied (0 when none was run). */
  readonly copied: number;
}

/** The pragma a writer runs so that its own checkpoint is only the fallback. */
export const FALLBACK_PRAGMA = `PRAGMA wal_autocheckpoint = ${String(CHECKPOINT_FRAMES * FALLBACK_FACTOR)}`;

export class WalCheckpointer {
  /** Once closed or failed, the writer's automatic checkpoint does the work. */
  readonly #thread: StoreThread<CheckpointAnswer>;
  #commits = 0;
  /** 1 while the thread is asked to close its connection, 2 once it has. */
  readonly #closedFlag = new Int32Array(new SharedArrayBuffer(4));

  constructor(path: string, frames = CHECKPOINT_FRAMES) {
    this.#thread = new StoreThread(new URL('./wal-checkpoint-worker.ts', import.meta.url), {
      path,
      frames,
      closed: this.#closedFlag,
    });
  }

  /** Call after each commit of the writer; checks the WAL every {@link CHECK_EVERY} commits. */
  committed(): void {
    if (++this.#commits % CHECK_EVERY === 0) void this.check();
  }

  /** Checks the WAL now and checkpoints if due; undefined when the thread is closed or gone. */
  check(): Promise<CheckpointAnswer | undefined> {
    return this.#thread.ask((id) => id);
  }

  /**
   * Stops the thread; waits (up to {@link CLOSE_WAIT_MS}, a checkpoint in progress) until its connection
   * is closed, so that the writer's, closed next, is the last one.
   */
  close(): void {
    const w = this.#thread.close();
    if (w === undefined) return;
    Atomics.store(this.#closedFlag, 0, 1);
    w.postMessage('close');
    Atomics.wait(this.#closedFlag, 0, 1, CLOSE_WAIT_MS);
    void w.terminate();
  }
}
