/**
 * @module
 * The storage interface. A store is an append-only log of blocks with their transactions and the
 * perfect nodes of the log-wide Merkle tree (so an inclusion proof reads O(log n) nodes and never
 * rebuilds the tree). It stores what it is given: validation is the ledger's job, and verification
 * re-checks everything it reads, so a tampered store is detected, not trusted.
 * Every implementation passes `conformance.ts`.
 */
import type { NodeId } from '../core/merkle/node-id.ts';
import type { NodeWithHash } from '../core/merkle/compact-range.ts';
import type { StoredBlock, StoredTx } from '../core/stored.ts';

export type { StoredBlock, StoredTx } from '../core/stored.ts';

export interface AppendBatch {
  readonly block: StoredBlock;
  readonly txs: readonly StoredTx[];
  /**
   * Perfect Merkle nodes completed by this block's leaves (level 0 = the tx ids). A store may keep only
   * some of them and hash the others up from those on read (level 0 from `txs`, tiles in SQLite), as
   * long as `merkleNodes` answers for every perfect node.
   */
  readonly nodes: readonly NodeWithHash[];
  /** Metadata written in the same transaction (e.g. the verified-height checkpoint). */
  readonly meta?: Readonly<Record<string, string>>;
}

export interface Store {
  readonly kind: string;
  /** The highest block, or undefined for an empty store. */
  head(): StoredBlock | undefined;
  /**
   * Appends atomically; throws StoreConflictError unless `block.height` is head + 1 (0 when empty).
   * `alongside` runs inside the same transaction once the block's rows are written (state tables that
   * must commit with the block); when it throws, nothing of the block is stored.
   */
  append(batch: AppendBatch, alongside?: () => void): void;
  blockByHeight(height: number): StoredBlock | undefined;
  blockByHash(hash: string): StoredBlock | undefined;
  /** Blocks with from ≤ height < to, in height order. */
  blocks(from: number, to: number): StoredBlock[];
  txById(id: string): StoredTx | undefined;
  /** Which of `ids` are stored (one lookup for a batch). */
  presentTxIds(ids: readonly string[]): Set<string>;
  /**
   * Ids of transactions created here a moment ago with a fresh random nonce: on no chain, so appending
   * them need not search the store for them (a store may ignore this; a duplicate still fails the append).
   */
  noteUnseen(ids: readonly string[]): void;
  /** Transactions with from ≤ seq < to, in seq order (missing ones are simply absent). */
  txsBySeq(from: number, to: number): StoredTx[];
  /**
   * Every transaction whose type is one of `types`, in seq order, read as the caller iterates (a
   * replay over a long chain holds one row at a time, not all of them), from log position `fromSeq` on.
   */
  txsOfTypes(types: readonly string[], fromSeq?: number): Iterable<StoredTx>;
  /** Number of stored transactions (reads them all in SQLite: for full checks). */
  txCount(): number;
  /**
   * The lowest stored log position and one past the highest (both 0 when none): two index lookups,
   * where a count reads every row.
   */
  txSpan(): { readonly first: number; readonly end: number };
  /**
   * Transaction ids stored more than once, each with its log positions in order (a replay; none unless
   * the store was edited). Computed with bounded memory: a full verification's replay check.
   */
  repeatedTxIds(): Iterable<{ readonly id: string; readonly seqs: readonly number[] }>;
  /** Hashes of stored perfect Merkle nodes, undefined where absent. */
  merkleNodes(ids: readonly NodeId[]): (Uint8Array | undefined)[];
  /**
   * Stores the finality certificate of the block `height` (it arrives after the block, once a quorum
   * voted). Only that nullable column is written; returns false when there is no such block.
   */
  setCertificate(height: number, certificate: string): boolean;
  getMeta(key: string): string | undefined;
  setMeta(key: string, value: string): void;
  close(): void;
}
