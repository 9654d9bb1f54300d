/**
 * @module
 * Read-ahead for the transaction-id index's merges. A merge writes the leaf pages of one slice of
 * `tx_ids`; on a log of 10^7 ids the index is ~1 GB, and a slice is merged once per ~2 buffers of new
 * ids, so its pages are often no longer in the OS cache: the merge, inside a block's commit on the
 * thread that answers requests, then waited for the disk. The order of merges is known in advance
 * (oldest mark first), so the slices next in line are read by a thread of its own beforehand.
 */
import { StoreThread } from './store-thread.ts';

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
  readonly #slices: number;
  /** Once closed or failed, warming stops: the merges read their own pages. */
  readonly #thread: StoreThread<{ id: number; rows: number }>;

  constructor(path: string, slices: number) {
    this.#slices = slices;
    this.#thread = new StoreThread(new URL('./tx-id-warm-worker.ts', import.meta.url), { path });
  }

  warm(slices: readonly number[]): void {
    void this.warmed(slices);
  }

  /** Like {@link warm}; resolves with the rows read (0 when the thread is gone). */
  async warmed(slices: readonly number[]): Promise<number> {
    if (slices.length === 0) return 0;
    const ranges = slices.map((s) => sliceRange(s, this.#slices));
    const a = await this.#thread.ask((id) => ({ id, ranges }) satisfies WarmRequest);
    return a?.rows ?? 0;
  }

  close(): void {
    void this.#thread.close()?.terminate();
  }
}
