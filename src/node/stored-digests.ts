/**
 * @module
 * Digests of the stored chain exactly as it sits in the database: per block, one SHA-256 over the
 * block's row (height, hash, header, signature, first transaction) and the rows of the transactions its
 * header declares (seq, id, height, type, body, signature), every field length-prefixed. These are the
 * very rows the hash-only verification reads, so blocks whose digests match the ones a clean
 * verification saw are still what it verified. The finality certificate is left out: it is attached
 * after the block (consortium votes) and is checked by `medledger verify`, not by the monitor.
 *
 * The integrity monitor compares these between its full verifications (a hash per stored row instead of
 * decoding, re-hashing and re-checking every transaction; see integrity-monitor.ts).
 */
import { createHash } from 'node:crypto';
import { parseHeader } from '../core/block.ts';
import type { Store } from '../store/store.ts';

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

function declaredTxCount(header: string): number {
  try {
    return parseHeader(header).txCount;
  } catch {
    return 0;
  }
}

/**
 * The digests of blocks from..to (inclusive), concatenated in height order; a height with no stored
 * block gets the digest of an empty row, so a block removed later also changes its digest. Yields the
 * event loop every few hundred blocks.
 */
export async function storedDigests(store: Store, from: number, to: number): Promise<Uint8Array> {
  const out = new Uint8Array(Math.max(0, to - from + 1) * DIGEST_BYTES);
  let sinceYield = 0;
  for (let start = from; start <= to; start += BATCH) {
    const end = Math.min(start + BATCH, to + 1);
    const rows = new Map(store.blocks(start, end).map((b) => [b.height, b]));
    for (let height = start; height < end; height++) {
      const h = createHash('sha256');
      const b = rows.get(height);
      if (b) {
        h.update(row([b.height, b.hash, b.header, b.signature, b.firstSeq]));
        const txs = store.txsBySeq(b.firstSeq, b.firstSeq + declaredTxCount(b.header));
        for (const t of txs) h.update(row([t.seq, t.id, t.height, t.type, t.body, t.sig]));
        sinceYield += txs.length;
      }
      h.digest().copy(out, (height - from) * DIGEST_BYTES);
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
  }
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
