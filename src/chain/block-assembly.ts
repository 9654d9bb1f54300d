/**
 * @module
 * What a proposer puts in its next block before the proof-of-work: pending transactions in arrival
 * order up to the block's limits, those no longer acceptable set aside, the header without its nonce
 * (Merkle root of the ids, the log-wide tree extended by them), and that extension for the commit.
 */
import { ZERO_HASH } from '../core/block.ts';
import type { BlockHeader } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import { merkleRoot } from '../core/merkle/root.ts';
import type { Tx } from '../core/tx.ts';
import type { ChainState } from '../state-machine/chain-state.ts';
import type { LogExtension } from '../state-machine/check-block.ts';

export interface AssemblyLimits {
  readonly maxTxs: number;
  readonly maxBytes: number;
  readonly difficulty: number;
  /** Key id of the proposing node. */
  readonly proposer: string;
  /** The proposer's clock (the block's time is never before its parent's). */
  readonly now: number;
}

export interface Assembly {
  readonly txs: Tx[];
  readonly header: Omit<BlockHeader, 'nonce'>;
  readonly log: LogExtension;
  /** Pending transactions the signer rules no longer accept (e.g. their key was revoked since). */
  readonly stale: string[];
}

/** Assembles the block after `state`'s head from `pending` (arrival order). */
export function assembleBlock(state: ChainState, pending: Iterable<Tx>, limits: AssemblyLimits): Assembly {
  const txs: Tx[] = [];
  const stale: string[] = [];
  let bytes = 0;
  for (const tx of pending) {
    if (txs.length >= limits.maxTxs) break;
    bytes += tx.bodyJson.length + 160; // body, hex signature and JSON framing
    if (bytes > limits.maxBytes && txs.length > 0) break;
    if (state.height >= 0 && state.registry.check(tx, state.height + 1)) {
      stale.push(tx.id);
      continue;
    }
    txs.push(tx);
  }
  const ids = txs.map((t) => t.idBytes);
  const range = CompactRange.fromFrontier(state.logRange.size, state.logRange.frontier());
  const nodes = [];
  for (const id of ids) for (const n of range.append(id)) nodes.push(n);
  return {
    txs,
    header: {
      height: state.height + 1,
      prevHash: state.height < 0 ? ZERO_HASH : state.headHash,
      merkleRoot: toHex(merkleRoot(ids)),
      logSize: range.size,
      logRoot: toHex(range.root()),
      time: Math.max(limits.now, state.headTime),
      difficulty: limits.difficulty,
      proposer: limits.proposer,
      txCount: txs.length,
    },
    log: { range, nodes, problems: [] },
    stale,
  };
}
