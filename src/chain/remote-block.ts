/**
 * @module
 * The stored form of an ordered block, and the full check of a block proposed by another node
 * (consortium): decoding, every check of checkBlock, replays against the store, the log extension
 * and every signature — except those of transactions this node admitted itself with the very same
 * signature bytes (verified then).
 */
import { headerJson } from '../core/block.ts';
import type { WireBlock } from '../core/block.ts';
import { InvalidBlockError } from '../core/errors.ts';
import { formatProblem, problem } from '../core/problem.ts';
import type { Problem } from '../core/problem.ts';
import { decodeTx } from '../core/tx.ts';
import type { Tx } from '../core/tx.ts';
import type { ChainState } from '../state-machine/chain-state.ts';
import { checkBlock, extendLog } from '../state-machine/check-block.ts';
import type { BlockCheck, LogExtension } from '../state-machine/check-block.ts';
import type { Store, StoredBlock, StoredTx } from '../store/store.ts';
import { verifyAll } from '../runtime/sig-pool.ts';

/** The rows a block and its decoded transactions are stored as, starting at log position `firstSeq`. */
export function storedForm(
  block: WireBlock,
  header: string,
  txs: readonly Tx[],
  firstSeq: number,
): { stored: StoredBlock; rows: StoredTx[] } {
  const height = block.header.height;
  return {
    stored: { height, hash: block.hash, header, signature: block.signature, firstSeq },
    rows: txs.map((tx, i) => ({
      seq: firstSeq + i,
      id: tx.id,
      height,
      type: tx.body.type,
      body: tx.bodyJson,
      sig: block.txs[i]!.sig,
    })),
  };
}

export interface RemoteCheck {
  readonly stored: StoredBlock;
  readonly rows: StoredTx[];
  readonly txs: Tx[];
  readonly check: BlockCheck;
  readonly ext: LogExtension;
  /** Replays and failed signatures (checkBlock's and the log's problems are in check and ext). */
  readonly extra: Problem[];
}

/**
 * Checks `block` as the next block after `state`. Throws InvalidBlockError when it cannot even be
 * decoded; otherwise returns everything found, for the caller to apply or reject.
 */
export async function checkRemoteBlock(
  state: ChainState,
  store: Store,
  block: WireBlock,
  admitted: (txId: string) => Tx | undefined,
): Promise<RemoteCheck> {
  const height = state.height + 1;
  const reject = (kind: Problem['kind'], detail: string, tx?: number): InvalidBlockError => {
    const p = problem(height, kind, detail, tx === undefined ? {} : { tx });
    return new InvalidBlockError(`block ${height} rejected: ${formatProblem(p)}`, { problems: [p] });
  };
  if (typeof block !== 'object' || !Array.isArray(block.txs)) throw reject('block-decode', 'not a block');
  let header: string;
  try {
    header = headerJson(block.header);
  } catch (e) {
    throw reject('block-decode', (e as Error).message);
  }
  const txs: Tx[] = [];
  for (const [i, w] of block.txs.entries()) {
    try {
      txs.push(decodeTx(w));
    } catch (e) {
      throw reject('tx-decode', (e as Error).message, i);
    }
  }
  const { stored, rows } = storedForm(block, header, txs, state.logRange.size);
  const check = checkBlock(state, stored, rows, { known: txs });
  const extra: Problem[] = [];
  const present = store.presentTxIds(txs.map((t) => t.id));
  for (const [i, tx] of txs.entries())
    if (present.has(tx.id))
      extra.push(problem(height, 'tx-replay', 'transaction already on the chain', { tx: i }));
  const jobs = check.sigJobs.filter((j) => {
    if (j.tx === undefined) return true;
    const mine = admitted(txs[j.tx]?.id ?? '');
    return !mine || !Buffer.from(mine.sig).equals(j.sig);
  });
  const oks = await verifyAll(jobs);
  for (const [i, ok] of oks.entries()) {
    if (ok) continue;
    const job = jobs[i]!;
    extra.push(
      job.tx === undefined
        ? problem(height, 'block-signature', 'proposer signature does not verify')
        : problem(height, 'tx-signature', 'signature does not verify', { tx: job.tx }),
    );
  }
  return { stored, rows, txs, check, ext: extendLog(state, check), extra };
}
