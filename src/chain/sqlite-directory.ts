/**
 * @module
 * The identity directory on disk: keys in `dir_keys` (sqlite-key-table.ts), the rest (organizations,
 * member nodes' reservations, membership proposals) as a JSON snapshot in the meta table, and the
 * height they stand at. They change inside the store transaction of each block, so a restart reads
 * them as they are instead of replaying every identity on the chain; a data directory from before
 * them, or one whose directory stops short of the head, is caught up from the chain at open.
 */
import { decodeTx } from '../core/tx.ts';
import type { Tx } from '../core/tx.ts';
import { DIRECTORY_TX_TYPES, KeyRegistry } from '../state-machine/key-registry.ts';
import type { DirectorySnapshot, KeyEntry } from '../state-machine/key-registry.ts';
import type { SqliteStore } from '../store/sqlite-store.ts';
import { SqliteKeyTable } from './sqlite-key-table.ts';

const HEIGHT_KEY = 'dir_height';
const SNAPSHOT_KEY = 'dir_snapshot';

export class SqliteDirectory {
  readonly #store: SqliteStore;
  readonly #keys: SqliteKeyTable;
  #registry: KeyRegistry;
  #saved: number;

  constructor(store: SqliteStore, opts: { cacheEntries?: number } = {}) {
    this.#store = store;
    this.#keys = new SqliteKeyTable(store.database, opts);
    this.#registry = this.#load();
    this.#saved = this.#registry.snapshotChanges;
  }

  /** The directory as of {@link height}. */
  get registry(): KeyRegistry {
    return this.#registry;
  }

  /** The directory if it stands at block `height` (verification resumes there without a replay). */
  registryAt(height: number): KeyRegistry | undefined {
    return height === this.height ? this.#registry : undefined;
  }

  /** Height of the last block the directory holds, −1 before any. */
  get height(): number {
    return Number(this.#store.getMeta(HEIGHT_KEY) ?? -1);
  }

  get cache(): { used: number; capacity: number } {
    return this.#keys.cache;
  }

  #load(): KeyRegistry {
    const raw = this.#store.getMeta(SNAPSHOT_KEY);
    return new KeyRegistry(
      this.#keys,
      raw === undefined ? undefined : (JSON.parse(raw) as DirectorySnapshot),
    );
  }

  /** Applies a committed block: call inside the block's store transaction. */
  apply(txs: readonly Tx[], height: number): void {
    this.#registry.apply(txs, height);
    this.#save(height);
  }

  #save(height: number): void {
    if (this.#registry.snapshotChanges !== this.#saved) {
      this.#store.setMeta(SNAPSHOT_KEY, JSON.stringify(this.#registry.snapshot()));
      this.#saved = this.#registry.snapshotChanges;
    }
    this.#store.setMeta(HEIGHT_KEY, String(height));
  }

  /** Reads the directory back from disk, dropping what a rolled-back transaction left in memory. */
  reload(): KeyRegistry {
    this.#keys.forget();
    this.#registry = this.#load();
    this.#saved = this.#registry.snapshotChanges;
    return this.#registry;
  }

  /**
   * Brings the directory to block `to` from the chain's directory transactions, in one store
   * transaction; a directory above `to` (the chain lost blocks) is rebuilt from genesis.
   */
  catchUp(to: number): KeyRegistry {
    let from = this.height;
    if (from === to) return this.#registry;
    this.#store.inTransaction(() => {
      if (from > to) {
        this.#keys.clear();
        this.#store.setMeta(SNAPSHOT_KEY, JSON.stringify(new KeyRegistry().snapshot()));
        from = -1;
      }
      this.reload();
      const firstSeq = this.#store.blockByHeight(from + 1)?.firstSeq ?? 0;
      let batch: { txs: Tx[]; height: number } | undefined;
      for (const t of this.#store.txsOfTypes(DIRECTORY_TX_TYPES, firstSeq)) {
        if (t.height > to) break;
        if (t.height <= from) continue;
        if (batch && batch.height !== t.height) this.#registry.apply(batch.txs, batch.height);
        if (batch?.height !== t.height) batch = { txs: [], height: t.height };
        try {
          batch.txs.push(decodeTx({ body: t.body, sig: t.sig }));
        } catch {
          // verification reports it at its block
        }
      }
      if (batch) this.#registry.apply(batch.txs, batch.height);
      this.#save(to);
    });
    return this.#registry;
  }
}

/**
 * The first place where two directories differ (`stored` read from disk, `replayed` from the chain), in
 * words, or undefined when they are equal.
 */
export function directoryDifference(stored: KeyRegistry, replayed: KeyRegistry): string | undefined {
  const a = stored.entries()[Symbol.iterator]();
  const b = replayed.entries()[Symbol.iterator]();
  for (let i = 0; ; i++) {
    const x = a.next();
    const y = b.next();
    if (x.done && y.done) break;
    if (x.done || y.done)
      return `dir_keys: ${x.done ? 'the chain registers more keys' : 'a key the chain does not register'} (key ${String(i + 1)})`;
    if (keyForm(x.value) !== keyForm(y.value))
      return `dir_keys: key ${String(i + 1)} (${y.value.keyId.slice(0, 16)}…) differs from the chain's`;
  }
  const s = JSON.stringify(stored.snapshot());
  const r = JSON.stringify(replayed.snapshot());
  return s === r ? undefined : 'dir_snapshot: organizations or membership differ from the chain';
}

function keyForm(e: KeyEntry): string {
  const { publicKey: _, ...rest } = e;
  return JSON.stringify(rest, Object.keys(rest).sort());
}
