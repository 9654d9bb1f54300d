/**
 * @module
 * Read-only views of the stored chain for callers (the last block, a block by height or
 * hash, a transaction with its place): what the API, the CLI and the explorer show. No PHI: a
 * block's transactions are listed by id, type, signer and time only.
 */
import { parseHeader } from '../core/block.ts';
import type { BlockHeader } from '../core/block.ts';
import { BlockNotFoundError, TxNotFoundError } from '../core/errors.ts';
import { decodeTx } from '../core/tx.ts';
import type { Tx } from '../core/tx.ts';
import type { FinalityCertificate } from '../core/vote.ts';
import type { Store, StoredBlock } from '../store/store.ts';

export interface BlockView {
  readonly height: number;
  readonly hash: string;
  readonly header: BlockHeader;
  readonly signature: string;
  readonly txs: readonly { id: string; type: string; signer: string; time: number }[];
  /** Finality certificate: the member votes that made the block final (consortium mode). */
  readonly certificate?: FinalityCertificate;
}

/** The head block. */
export function headView(store: Store): BlockView {
  const head = store.head();
  if (!head) throw new BlockNotFoundError('head');
  return blockView(store, head);
}

/** A block by height or by hash. */
export function blockAt(store: Store, ref: number | string): BlockView {
  const row = typeof ref === 'number' ? store.blockByHeight(ref) : store.blockByHash(ref);
  if (!row) throw new BlockNotFoundError(ref);
  return blockView(store, row);
}

/** A transaction by id, with its block height, index in the block and log position. */
export function txAt(store: Store, id: string): { tx: Tx; height: number; index: number; seq: number } {
  const row = store.txById(id);
  if (!row) throw new TxNotFoundError(id);
  const block = store.blockByHeight(row.height);
  return {
    tx: decodeTx({ body: row.body, sig: row.sig }),
    height: row.height,
    index: row.seq - (block?.firstSeq ?? 0),
    seq: row.seq,
  };
}

function blockView(store: Store, row: StoredBlock): BlockView {
  const header = parseHeader(row.header);
  const txs = store.txsBySeq(row.firstSeq, row.firstSeq + header.txCount).map((t) => {
    const b = JSON.parse(t.body) as { type: string; signer: string; time: number };
    return { id: t.id, type: b.type, signer: b.signer, time: b.time };
  });
  const view = { height: row.height, hash: row.hash, header, signature: row.signature, txs };
  return row.certificate === undefined
    ? view
    : { ...view, certificate: JSON.parse(row.certificate) as FinalityCertificate };
}
