/**
 * @module
 * In-memory Store, for tests and tools that need no persistence.
 */
import { StoreConflictError } from '../core/errors.ts';
import type { NodeId } from '../core/merkle/node-id.ts';
import type { AppendBatch, Store, StoredBlock, StoredTx } from './store.ts';

export class MemoryStore implements Store {
  readonly kind = 'memory';
  readonly #blocks: StoredBlock[] = [];
  readonly #byHash = new Map<string, StoredBlock>();
  readonly #txs: (StoredTx | undefined)[] = [];
  readonly #txById = new Map<string, StoredTx>();
  readonly #nodes = new Map<string, Uint8Array>();
  readonly #meta = new Map<string, string>();

  head(): StoredBlock | undefined {
    return this.#blocks.at(-1);
  }

  append({ block, txs, nodes, meta }: AppendBatch, alongside?: () => void): void {
    if (block.height !== this.#blocks.length) throw new StoreConflictError(this.#blocks.length, block.height);
    for (const tx of txs) {
      if (this.#txById.has(tx.id)) throw new StoreConflictError(this.#blocks.length, block.height);
    }
    // Nothing to roll back in memory: what runs alongside runs first, and a throw stores nothing.
    alongside?.();
    this.#blocks.push(block);
    this.#byHash.set(block.hash, block);
    for (const tx of txs) {
      this.#txs[tx.seq] = tx;
      this.#txById.set(tx.id, tx);
    }
    for (const n of nodes) this.#nodes.set(`${n.level}/${n.index}`, n.hash);
    for (const [k, v] of Object.entries(meta ?? {})) this.#meta.set(k, v);
  }

  blockByHeight(height: number): StoredBlock | undefined {
    return this.#blocks[height];
  }

  blockByHash(hash: string): StoredBlock | undefined {
    return this.#byHash.get(hash);
  }

  blocks(from: number, to: number): StoredBlock[] {
    return this.#blocks.slice(Math.max(0, from), Math.max(0, to));
  }

  txById(id: string): StoredTx | undefined {
    return this.#txById.get(id);
  }

  presentTxIds(ids: readonly string[]): Set<string> {
    return new Set(ids.filter((id) => this.#txById.has(id)));
  }

  noteUnseen(): void {
    // A map lookup at append costs nothing to skip.
  }

  txsBySeq(from: number, to: number): StoredTx[] {
    return this.#txs.slice(Math.max(0, from), Math.max(0, to)).filter((t): t is StoredTx => t !== undefined);
  }

  *txsOfTypes(types: readonly string[], fromSeq = 0): Iterable<StoredTx> {
    const set = new Set(types);
    for (const t of this.#txs.slice(Math.max(0, fromSeq))) if (t !== undefined && set.has(t.type)) yield t;
  }

  repeatedTxIds(): { id: string; seqs: number[] }[] {
    const seen = new Map<string, number[]>();
    for (const t of this.#txs) if (t !== undefined) seen.set(t.id, [...(seen.get(t.id) ?? []), t.seq]);
    return [...seen].filter(([, seqs]) => seqs.length > 1).map(([id, seqs]) => ({ id, seqs }));
  }

  txCount(): number {
    return this.#txById.size;
  }

  txSpan(): { first: number; end: number } {
    let end = this.#txs.length;
    while (end > 0 && this.#txs[end - 1] === undefined) end--;
    const first = this.#txs.findIndex((t) => t !== undefined);
    return { first: Math.max(0, Math.min(first, end)), end };
  }

  merkleNodes(ids: readonly NodeId[]): (Uint8Array | undefined)[] {
    return ids.map((id) => this.#nodes.get(`${id.level}/${id.index}`));
  }

  setCertificate(height: number, certificate: string): boolean {
    const b = this.#blocks[height];
    if (!b) return false;
    const withCert = { ...b, certificate };
    this.#blocks[height] = withCert;
    this.#byHash.set(b.hash, withCert);
    return true;
  }

  getMeta(key: string): string | undefined {
    return this.#meta.get(key);
  }

  setMeta(key: string, value: string): void {
    this.#meta.set(key, value);
  }

  close(): void {
    // nothing to release
  }
}
