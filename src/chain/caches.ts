/**
 * @module
 * The node's memory is its caches: everything else that grows with the chain is on disk. Each cache
 * has a configured bound (`medledger serve --sqlite-cache-mib`, `--record-cache`, `--key-cache`,
 * `--tx-id-buffer`) and is reported in
 * `/metrics` with what it holds now, so an operator sees what memory buys.
 */
import { DEFAULT_TX_ID_BUFFER } from '../store/sqlite-tx-ids.ts';

export interface CacheSizes {
  /** SQLite page cache of each database file (the ledger, the vault), MiB. */
  readonly sqliteMiB: number;
  /** Entries of each per-record cache: unwrapped record keys, blind patient ids, sealing epochs. */
  readonly records: number;
  /** Directory keys (a user's key is read at every request and transaction it signs). */
  readonly keys: number;
  /** Transaction ids of recent blocks held in memory before they are merged into the id index. */
  readonly txIds: number;
}

export const DEFAULT_CACHE_SIZES: CacheSizes = {
  sqliteMiB: 64,
  records: 100_000,
  keys: 10_000,
  txIds: DEFAULT_TX_ID_BUFFER,
};

export interface CacheReport {
  readonly name: string;
  /** What it holds now (bytes or entries, as `unit` says); undefined where SQLite does not tell. */
  readonly used: number | undefined;
  readonly capacity: number;
  readonly unit: 'bytes' | 'entries';
}

/** `PRAGMA cache_size` for `mib` MiB (negative: a size in KiB rather than in pages). */
export function cacheSizePragma(mib: number): string {
  return `PRAGMA cache_size = -${String(Math.max(1, Math.round(mib * 1024)))}`;
}
