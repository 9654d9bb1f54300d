/**
 * @module
 * Read-ahead for the transaction-id index's merges. A merge writes the leaf pages of one slice of
 * `tx_ids`; on a log of 10^7 ids the index is ~1 GB, and a slice is merged once per ~2 buffers of new
 * ids, so its pages are often no longer in the OS cache: the merge, inside a block's commit on the
 * thread that answers requests, then waited for the disk. The order of merges is known in advance
 * (oldest mark first), so the slices next in line are read by a thread of its own beforehand.
 */
import { Worker } from 'node:worker_threads';

/** Key ranges of `tx_ids` to read: [low, high) as id bytes; high undefined for the last slice. */
export interface WarmRequest {
  readonly id: number;
  readonly ranges: readonly (readonly [Uint8Array, Uint8Array | undefined])[];
}

/** Reads slices of `tx_ids` ahead of their merge. */
export interface TxIdWarmer {
  /** Asks for these slices to be read; returns at once. */
  warm(slices: readonly number[]): void;
  close(): void;
}

/** The key range of slice `s` of `slices` (slices by the id's first bits). */
export function sliceRange(s: number, slices: number): readonly [Uint8Array, Uint8Array | undefined] {
  const bits = Math.log2(slices);
  const key = (n: number): Uint8Array => {
    const b = new Uint8Array(32);
    const v = n << (16 - bits); // the slice number in the first two bytes
    b[0] = v >> 8;
    b[1] = v & 0xff;
    return b;
  };
  return [key(s), s + 1 < slices ? key(s + 1) : undefined];
}

/** A {@link TxIdWarmer} on a worker thread, started at its first request. */
export class ThreadWarmer implements TxIdWarmer {
  readonly #path: string;
  readonly #slices: number;
  #worker: Worker | undefined;
  #next = 0;
  /** Closed, or the thread failed (then warming stops: the merges read their own pages). */
  #closed = false;
  readonly #waiting = new Map<number, (rows: number) => void>();

  constructor(path: string, slices: number) {
    this.#path = path;
    this.#slices = slices;
  }

  warm(slices: readonly number[]): void {
    void this.warmed(slices);
  }

  /** Like {@link warm}; resolves with the rows read (0 when the thread is gone). */
  warmed(slices: readonly number[]): Promise<number> {
    if (this.#closed || slices.length === 0) return Promise.resolve(0);
    const worker = this.#start();
    const id = ++this.#next;
    const ranges = slices.map((s) => sliceRange(s, this.#slices));
    return new Promise((resolve) => {
      this.#waiting.set(id, resolve);
      worker.postMessage({ id, ranges } satisfies WarmRequest);
    });
  }

  #start(): Worker {
    if (this.#worker !== undefined) return this.#worker;
    const w = new Worker(new URL('./tx-id-warm-worker.ts', import.meta.url), {
      workerData: { path: this.#path },
      resourceLimits: { maxOldGenerationSizeMb: 32 },
    });
    w.unref(); // read-ahead never keeps a process alive
    w.on('message', (m: { id: number; rows: number }) => {
      this.#waiting.get(m.id)?.(m.rows);
      this.#waiting.delete(m.id);
    });
    const gone = (): void => {
      for (const resolve of this.#waiting.values()) resolve(0);
      this.#waiting.clear();
    };
    w.on('error', () => {
      this.#closed = true;
      gone();
    });
    w.on('exit', () => {
      gone();
      if (this.#worker === w) this.#worker = undefined;
    });
    this.#worker = w;
    return w;
  }

  close(): void {
    this.#closed = true;
    void this.#worker?.terminate();
    this.#worker = undefined;
  }
}
