/**
 * @module
 * The digests the integrity monitor remembers, a block each (stored-digests.ts): 32 bytes per height
 * in chunks of {@link CHUNK} heights, at most `capacity` heights. A chain of small blocks has a height
 * for every few transactions, so a map of one object per block would grow with the chain. Past the
 * bound, the chunk used last is forgotten, not the one used least recently: the sweep goes round the
 * chain in order, and least-recently-used would forget every chunk before the sweep came back to it.
 * So the first chunks are kept from pass to pass, and the blocks of the others are verified again
 * instead of compared by digest (more work, same findings).
 */
import { DIGEST_BYTES } from '../chain/stored-digests.ts';

/** Heights per chunk (128 KiB of digests). */
export const CHUNK = 4096;

interface Chunk {
  readonly digests: Uint8Array;
  /** 1 where the height's digest is known. */
  readonly known: Uint8Array;
}

export class BlockDigests {
  readonly #chunks = new Map<number, Chunk>();
  readonly #maxChunks: number;
  #top = -1;
  /** The chunk used last (the one to forget when a new one needs room). */
  #last: number | undefined;

  /** `capacity`: heights remembered at most (rounded up to whole chunks). */
  constructor(capacity: number) {
    this.#maxChunks = Math.max(1, Math.ceil(capacity / CHUNK));
  }

  /** The digest remembered for `height` (a view: copy it to keep it), or undefined. */
  get(height: number): Uint8Array | undefined {
    const c = this.#chunk(height, false);
    const i = height % CHUNK;
    return c?.known[i] === 1 ? c.digests.subarray(i * DIGEST_BYTES, (i + 1) * DIGEST_BYTES) : undefined;
  }

  /** Remembers the digests of heights from, from + 1, … (`digests` holds them end to end). */
  setRange(from: number, digests: Uint8Array): void {
    const n = Math.floor(digests.length / DIGEST_BYTES);
    for (let k = 0; k < n; k++) {
      const h = from + k;
      const c = this.#chunk(h, true)!;
      const i = h % CHUNK;
      c.digests.set(digests.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES), i * DIGEST_BYTES);
      c.known[i] = 1;
    }
    if (n > 0) this.#top = Math.max(this.#top, from + n - 1);
  }

  /** The highest height a digest was remembered for (even if forgotten since for room), −1: none. */
  get top(): number {
    return this.#top;
  }

  /** Forgets every height above `height` (a chain cut back to it). */
  forgetAbove(height: number): void {
    this.#top = Math.max(-1, Math.min(this.#top, height));
    for (const [n, c] of this.#chunks) {
      const first = n * CHUNK;
      if (first > height) this.#chunks.delete(n);
      else if (first + CHUNK - 1 > height) c.known.fill(0, height - first + 1);
    }
  }

  clear(): void {
    this.#chunks.clear();
    this.#top = -1;
    this.#last = undefined;
  }

  /** Heights remembered now and at most (whole chunks). */
  get size(): { chunks: number; heights: number; capacity: number } {
    let heights = 0;
    for (const c of this.#chunks.values()) for (const k of c.known) heights += k;
    return { chunks: this.#chunks.size, heights, capacity: this.#maxChunks * CHUNK };
  }

  #chunk(height: number, create: boolean): Chunk | undefined {
    const n = Math.floor(height / CHUNK);
    const c = this.#chunks.get(n);
    if (c || !create) {
      if (c) this.#last = n;
      return c;
    }
    if (this.#chunks.size >= this.#maxChunks)
      this.#chunks.delete(
        this.#last !== undefined && this.#chunks.has(this.#last)
          ? this.#last
          : this.#chunks.keys().next().value!,
      );
    const fresh = { digests: new Uint8Array(CHUNK * DIGEST_BYTES), known: new Uint8Array(CHUNK) };
    this.#chunks.set(n, fresh);
    this.#last = n;
    return fresh;
  }
}
