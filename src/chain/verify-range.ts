/**
 * @module
 * The verification loop over a range of stored blocks, shared by the in-process path and the worker
 * threads, and the rebuilding of the chain state at a given height.
 */
import { setImmediate } from 'node:timers/promises';
import { declaredTxCount, parseHeader } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import { problem } from '../core/problem.ts';
import type { Problem } from '../core/problem.ts';
import { decodeTx } from '../core/tx.ts';
import { emptyChainState, parseGenesis } from '../state-machine/chain-state.ts';
import type { ChainState } from '../state-machine/chain-state.ts';
import { DIRECTORY_TX_TYPES } from '../state-machine/key-registry.ts';
import { advance, checkBlock, extendLog } from '../state-machine/check-block.ts';
import type { SigJob } from '../state-machine/check-block.ts';
import type { Store } from '../store/store.ts';
import { verifyAll } from '../runtime/sig-pool.ts';

const BATCH = 128;
const SIG_WINDOW = 8;
/** Transactions checked between two turns of the event loop (a serving node keeps answering). */
const YIELD_EVERY = 200;

/**
 * Rebuilds the chain state after block `height` from the store without re-checking the blocks before
 * it: the Merkle frontier from the stored nodes (checked against that header's logRoot), the key
 * registry from the identity transactions (or `directory`, one already at that height), and `hash` as
 * the head hash.
 */
export function stateAt(
  store: Store,
  height: number,
  hash: string,
  directory?: ChainState['registry'],
): ChainState | Problem {
  const c = { height, hash };
  const row = store.blockByHeight(c.height);
  if (!row) return problem(c.height, 'checkpoint', 'no block stored at this height');
  let header;
  try {
    header = parseHeader(row.header);
  } catch (e) {
    return problem(c.height, 'checkpoint', (e as Error).message);
  }
  const state = emptyChainState();
  const ids = CompactRange.frontierIds(header.logSize);
  const hashes = store.merkleNodes(ids);
  if (hashes.some((h) => h === undefined))
    return problem(c.height, 'checkpoint', 'stored Merkle frontier is incomplete');
  state.logRange = CompactRange.fromFrontier(header.logSize, hashes as Uint8Array[]);
  const root = toHex(state.logRange.root());
  if (root !== header.logRoot)
    return problem(c.height, 'checkpoint', 'stored Merkle frontier differs from the checkpointed head', {
      expected: header.logRoot,
      found: root,
    });
  if (directory) {
    state.registry = directory;
    state.params = paramsOf(store);
  } else replayDirectory(store, state, c.height);
  state.height = c.height;
  state.headHash = c.hash;
  state.headTime = header.time;
  state.claimedLogSize = header.logSize;
  return state;
}

/** The chain parameters, from the genesis transaction. */
function paramsOf(store: Store): ChainState['params'] {
  const first = store.txsBySeq(0, 1)[0];
  if (!first) return undefined;
  try {
    const p = parseGenesis(decodeTx({ body: first.body, sig: first.sig }).body.payload);
    return typeof p === 'string' ? undefined : p;
  } catch {
    return undefined; // reported by the check of block 0
  }
}

/** Rebuilds `state`'s directory (and chain parameters) up to block `to` from the identity transactions. */
function replayDirectory(store: Store, state: ChainState, to: number): void {
  const c = { height: to };
  let byHeight = new Map<number, ReturnType<typeof decodeTx>[]>();
  for (const t of store.txsOfTypes(DIRECTORY_TX_TYPES)) {
    if (t.height > c.height) continue;
    let tx;
    try {
      tx = decodeTx({ body: t.body, sig: t.sig });
    } catch {
      continue; // reported by the check of its own block
    }
    const list = byHeight.get(t.height);
    if (list) list.push(tx);
    else byHeight.set(t.height, [tx]);
    if (tx.body.type === 'chain.genesis') {
      const p = parseGenesis(tx.body.payload);
      if (typeof p !== 'string') state.params = p;
    }
  }
  byHeight = new Map([...byHeight].sort((a, b) => a[0] - b[0]));
  for (const [h, txs] of byHeight) state.registry.apply(txs, h);
}

export interface RangeResult {
  readonly problems: Problem[];
  readonly sigsChecked: number;
  /** The state after the range, when the caller's state object was not advanced in place. */
  readonly state?: ChainState;
}

/**
 * Checks blocks from..to (inclusive) starting from `state` (advanced in place), with signatures in the
 * calling thread (or the signature threads, on the main thread) when `withSigs`.
 */
export async function verifyRange(
  store: Store,
  state: ChainState,
  from: number,
  to: number,
  withSigs: boolean,
  onProgress?: (height: number, head: number) => void,
): Promise<RangeResult> {
  const problems: Problem[] = [];
  let sigsChecked = 0;
  const inFlight: Promise<void>[] = [];
  const runSigs = (jobs: SigJob[]): void => {
    sigsChecked += jobs.length;
    inFlight.push(
      verifyAll(jobs).then((oks) => {
        oks.forEach((ok, i) => {
          if (ok) return;
          const j = jobs[i]!;
          problems.push(
            j.tx === undefined
              ? problem(j.height, 'block-signature', 'proposer signature does not verify')
              : problem(j.height, 'tx-signature', 'signature does not verify', { tx: j.tx }),
          );
        });
      }),
    );
  };
  let sinceYield = 0;
  for (let start = from; start <= to; start += BATCH) {
    const rows = store.blocks(start, Math.min(start + BATCH, to + 1));
    for (const row of rows) {
      while (state.height + 1 < row.height) {
        problems.push(problem(state.height + 1, 'block-missing', 'no block stored at this height'));
        state.height++;
      }
      const txRows = store.txsBySeq(row.firstSeq, row.firstSeq + declaredTxCount(row.header));
      const check = checkBlock(state, row, txRows, { signatures: withSigs });
      const ext = extendLog(state, check);
      problems.push(...check.problems, ...ext.problems);
      if (withSigs) runSigs(check.sigJobs);
      advance(state, check, ext);
      if (inFlight.length >= SIG_WINDOW) await inFlight.shift();
      onProgress?.(row.height, to);
      sinceYield += txRows.length;
      if (sinceYield >= YIELD_EVERY) {
        sinceYield = 0;
        await setImmediate();
      }
    }
  }
  // Blocks missing at the end of the range (the next range or the head check reports beyond it).
  while (state.height < to) {
    problems.push(problem(state.height + 1, 'block-missing', 'no block stored at this height'));
    state.height++;
  }
  await Promise.all(inFlight);
  return { problems, sigsChecked };
}

/** What {@link verifyStoredRange} found, with the state after the range; or why it could not start. */
export type StoredRangeResult =
  | {
      readonly problems: Problem[];
      readonly sigsChecked: number;
      readonly endHash: string;
      readonly endLogRoot: string;
      readonly endLogSize: number;
    }
  | { readonly unusable: string };

/**
 * Checks blocks from..to of `store` on their own: the state before them rebuilt from the store (block
 * from − 1 with hash `startHash`, see {@link stateAt}); replays are found in the store afterwards. What the
 * verification workers and the monitor's thread run.
 */
export async function verifyStoredRange(
  store: Store,
  from: number,
  to: number,
  startHash: string,
  withSigs: boolean,
  onProgress?: (height: number, head: number) => void,
): Promise<StoredRangeResult> {
  const state = from === 0 ? emptyChainState() : stateAt(store, from - 1, startHash);
  if ('kind' in state) return { unusable: state.detail };
  const r = await verifyRange(store, state, from, to, withSigs, onProgress);
  return {
    problems: r.problems,
    sigsChecked: r.sigsChecked,
    endHash: state.headHash,
    endLogRoot: toHex(state.logRange.root()),
    endLogSize: state.logRange.size,
  };
}
