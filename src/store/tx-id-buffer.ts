/**
 * @module
 * The in-memory part of the transaction-id index: ids not yet merged into `tx_ids`, by slice, with
 * their log positions. Up to 2^19 ids by default.
 *
 * Why not a Map of hex strings per slice: each entry was a string and a hash-table slot that every
 * major garbage collection marks again. Here the ids are 32-byte keys in typed arrays, chained in a
 * hash table and per slice, so the collector sees a handful of arrays (figures in docs/performance.md).
 */

/** One buffered id: its bytes (a copy) and its log position. */
export interface BufferedId {
  readonly id: Buffer;
  readonly seq: number;
}

const WORDS = 8; // 32-byte ids as 8 × 32-bit words
const NONE = -1;

export class TxIdBuffer {
  readonly #heads: Int32Array;
  readonly #counts: Int32Array;
  #cap = 0;
  #ids = new Uint32Array(0);
  #seqs = new Float64Array(0);
  /** Next slot in the same hash bucket, and in the same slice. */
  #hnext = new Int32Array(0);
  #snext = new Int32Array(0);
  #buckets = new Int32Array(0);
  #mask = 0;
  /** Slots below this have been handed out; freed ones are chained from #free through #snext. */
  #used = 0;
  #free = NONE;
  #size = 0;
  readonly #key = new Uint32Array(WORDS);
  readonly #keyBytes = Buffer.from(this.#key.buffer);

  constructor(slices: number) {
    this.#heads = new Int32Array(slices).fill(NONE);
    this.#counts = new Int32Array(slices);
    this.#grow(1024);
  }

  /** Ids held. */
  get size(): number {
    return this.#size;
  }

  /** Ids held in `slice`. */
  sizeOf(slice: number): number {
    return this.#counts[slice]!;
  }

  /** The log position of `hex` (64 hex digits) if held. */
  get(hex: string): number | undefined {
    const slot = this.#parse(hex) ? this.#find() : NONE;
    return slot === NONE ? undefined : this.#seqs[slot];
  }

  has(hex: string): boolean {
    return this.#parse(hex) && this.#find() !== NONE;
  }

  /** Holds `hex` at `seq` in `slice`; the caller has checked that it is not held. */
  add(hex: string, seq: number, slice: number): void {
    if (!this.#parse(hex)) throw new RangeError('a transaction id is 64 hex digits');
    if (this.#free === NONE && this.#used === this.#cap) this.#grow(this.#cap * 2);
    let slot: number;
    if (this.#free !== NONE) {
      slot = this.#free;
      this.#free = this.#snext[slot]!;
    } else slot = this.#used++;
    this.#ids.set(this.#key, slot * WORDS);
    this.#seqs[slot] = seq;
    const b = this.#key[1]! & this.#mask;
    this.#hnext[slot] = this.#buckets[b]!;
    this.#buckets[b] = slot;
    this.#snext[slot] = this.#heads[slice]!;
    this.#heads[slice] = slot;
    this.#counts[slice]!++;
    this.#size++;
  }

  /** The ids held in `slice` (copies, in no order). */
  entries(slice: number): BufferedId[] {
    const out: BufferedId[] = [];
    const bytes = Buffer.from(this.#ids.buffer, this.#ids.byteOffset, this.#ids.byteLength);
    for (let s = this.#heads[slice]!; s !== NONE; s = this.#snext[s]!) {
      out.push({ id: Buffer.from(bytes.subarray(s * 32, s * 32 + 32)), seq: this.#seqs[s]! });
    }
    return out;
  }

  /** Forgets every id of `slice`. */
  clear(slice: number): void {
    this.dropBelow(slice, Number.POSITIVE_INFINITY);
  }

  /** Forgets the ids of `slice` whose position is below `mark` (merged by another connection). */
  dropBelow(slice: number, mark: number): void {
    let prev = NONE;
    let s = this.#heads[slice]!;
    while (s !== NONE) {
      const next = this.#snext[s]!;
      if (this.#seqs[s]! < mark) {
        if (prev === NONE) this.#heads[slice] = next;
        else this.#snext[prev] = next;
        this.#unlinkHash(s);
        this.#snext[s] = this.#free;
        this.#free = s;
        this.#counts[slice]!--;
        this.#size--;
      } else prev = s;
      s = next;
    }
  }

  /** Puts `hex` into the key; false unless it is 64 hex digits. */
  #parse(hex: string): boolean {
    return hex.length === 64 && this.#keyBytes.write(hex, 'hex') === 32;
  }

  /** The slot holding the key, or NONE. */
  #find(): number {
    const k = this.#key;
    const ids = this.#ids;
    for (let s = this.#buckets[k[1]! & this.#mask]!; s !== NONE; s = this.#hnext[s]!) {
      const o = s * WORDS;
      if (
        ids[o] === k[0] &&
        ids[o + 1] === k[1] &&
        ids[o + 2] === k[2] &&
        ids[o + 3] === k[3] &&
        ids[o + 4] === k[4] &&
        ids[o + 5] === k[5] &&
        ids[o + 6] === k[6] &&
        ids[o + 7] === k[7]
      )
        return s;
    }
    return NONE;
  }

  #unlinkHash(slot: number): void {
    const b = this.#ids[slot * WORDS + 1]! & this.#mask;
    let s = this.#buckets[b]!;
    if (s === slot) {
      this.#buckets[b] = this.#hnext[slot]!;
      return;
    }
    while (s !== NONE) {
      const next = this.#hnext[s]!;
      if (next === slot) {
        this.#hnext[s] = this.#hnext[slot]!;
        return;
      }
      s = next;
    }
  }

  /** Room for `cap` ids; only called when every slot is in use, so all of them are rehashed. */
  #grow(cap: number): void {
    const ids = new Uint32Array(cap * WORDS);
    ids.set(this.#ids);
    const seqs = new Float64Array(cap);
    seqs.set(this.#seqs);
    const snext = new Int32Array(cap);
    snext.set(this.#snext);
    this.#ids = ids;
    this.#seqs = seqs;
    this.#snext = snext;
    this.#hnext = new Int32Array(cap);
    this.#buckets = new Int32Array(cap * 2).fill(NONE);
    this.#mask = cap * 2 - 1;
    this.#cap = cap;
    for (let s = 0; s < this.#used; s++) {
      const b = ids[s * WORDS + 1]! & this.#mask;
      this.#hnext[s] = this.#buckets[b]!;
      this.#buckets[b] = s;
    }
  }
}
