/**
 * @module
 * Digests of the stored chain exactly as it sits in the database: per block, one SHA-256 over the
 * block's row (height, hash, header, signature, first transaction) and the rows of the transactions its
 * header declares (seq, id, height, type, body, signature), every field length-prefixed. These are the
 * very rows the hash-only verification reads, so blocks whose digests match the ones a clean
 * verification saw are still what it verified. The finality certificate is left out: it is attached
 * after the block (consortium votes) and is checked by `medledger verify`, not by the monitor.
 *
 * The integrity monitor's sweeps compare these for blocks a clean check saw (a hash per stored row
 * instead of decoding, re-hashing and re-checking every transaction; see integrity-monitor.ts).
 */
import { setImmediate } from 'node:timers/promises';
import { createHash } from 'node:crypto';
import { declaredTxCount } from '../core/block.ts';
import type { Store, StoredBlock } from '../store/store.ts';

/** Digest size in bytes. */
export const DIGEST_BYTES = 32;
const BATCH = 256;
/** Transactions digested between two turns of the event loop (a few milliseconds). */
const YIELD_EVERY = 2000;

/** Fields joined with their UTF-8 lengths, so no two different rows give the same string. */
function row(values: readonly (string | number)[]): string {
  let s = '';
  for (const v of values) {
    const t = String(v);
    s += `${String(Buffer.byteLength(t))}:${t}`;
  }
  return s;
}

/** The digest of the block stored at `height` (of an empty row when there is none); counts its txs. */
function blockDigest(store: Store, b: StoredBlock | undefined): { digest: Buffer; txs: number } {
  const h = createHash('sha256');
  if (!b) return { digest: h.digest(), txs: 0 };
  h.update(row([b.height, b.hash, b.header, b.signature, b.firstSeq]));
  const txs = store.txsBySeq(b.firstSeq, b.firstSeq + declaredTxCount(b.header));
  for (const t of txs) h.update(row([t.seq, t.id, t.height, t.type, t.body, t.sig]));
  return { digest: h.digest(), txs: txs.length };
}

/**
 * Fills `out` with the digests of blocks from..to (inclusive) in height order; a height with no stored
 * block gets the digest of an empty row, so a block removed later also changes its digest. Yields after
 * every few thousand transactions (where a serving thread gives the event loop back).
 */
function* digestSteps(store: Store, from: number, to: number, out: Uint8Array): Generator<undefined, void> {
  let sinceYield = 0;
  for (let start = from; start <= to; start += BATCH) {
    const end = Math.min(start + BATCH, to + 1);
    const rows = new Map(store.blocks(start, end).map((b) => [b.height, b]));
    for (let height = start; height < end; height++) {
      const { digest, txs } = blockDigest(store, rows.get(height));
      digest.copy(out, (height - from) * DIGEST_BYTES);
      sinceYield += txs;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        yield;
      }
    }
  }
}

const sizeFor = (from: number, to: number): number => Math.max(0, to - from + 1) * DIGEST_BYTES;

/** The digests of blocks from..to, concatenated, on the calling thread, giving the event loop back. */
export async function storedDigests(store: Store, from: number, to: number): Promise<Uint8Array> {
  const out = new Uint8Array(sizeFor(from, to));
  for (const _ of digestSteps(store, from, to, out)) await setImmediate();
  return out;
}

/** The same in one go (a worker thread; or a fallback, which blocks). */
export function storedDigestsSync(store: Store, from: number, to: number): Uint8Array {
  const out = new Uint8Array(sizeFor(from, to));
  for (const _ of digestSteps(store, from, to, out));
  return out;
}

/** Heights (from `from`) whose digests differ between two concatenations; compares the shorter length. */
export function changedHeights(a: Uint8Array, b: Uint8Array, from = 0): number[] {
  const changed: number[] = [];
  const n = Math.min(a.length, b.length) / DIGEST_BYTES;
  for (let i = 0; i < n; i++) {
    const o = i * DIGEST_BYTES;
    if (!Buffer.from(a.buffer, a.byteOffset + o, DIGEST_BYTES).equals(b.subarray(o, o + DIGEST_BYTES)))
      changed.push(from + i);
  }
  return changed;
}
