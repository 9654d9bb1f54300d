/**
 * @module
 * Verifies a stored chain end to end: every block through `checkBlock` (links, hashes, proof-of-work,
 * Merkle roots, log roots, ids, signers, times), every signature in worker threads, then the stored
 * transactions past the head and the signed head witness (which exposes a dropped tail). It resumes
 * from the verified-height checkpoint unless `full` is asked.
 */
import { availableParallelism } from 'node:os';
import { parseHeader } from '../core/block.ts';
import { problem } from '../core/problem.ts';
import type { Problem } from '../core/problem.ts';
import { emptyChainState } from '../state-machine/chain-state.ts';
import type { ChainState } from '../state-machine/chain-state.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { Store } from '../store/store.ts';
import { verifyInWorkers } from './parallel-verify.ts';
import { stateAt, verifyRange } from './verify-range.ts';
import type { RangeResult } from './verify-range.ts';

export interface Checkpoint {
  readonly height: number;
  readonly hash: string;
}

export interface HeadWitness {
  readonly height: number;
  readonly hash: string;
}

export interface VerifyOptions {
  /** Re-verify from genesis, ignoring the checkpoint. */
  readonly full?: boolean;
  /**
   * Resume after this block instead of the stored checkpoint: a block the caller itself verified and
   * knows unchanged (the integrity monitor, by its stored digests). Ignored when `full`.
   */
  readonly from?: Checkpoint;
  /**
   * From a checkpoint, check the stored transactions' first and last log positions against the head
   * instead of counting them (see {@link verifyChain}); `medledger verify` counts.
   */
  readonly spanOnly?: boolean;
  /** Verify signatures (default true); false gives the hash-only check. */
  readonly signatures?: boolean;
  /** Split the work over worker threads, one per core (default true; SQLite stores only). */
  readonly parallel?: boolean;
  /**
   * Checks the blocks elsewhere (the integrity monitor's thread) in hash-only runs of a SQLite store not
   * split over workers, so that the calling thread keeps answering requests meanwhile.
   */
  readonly background?: RangeChecker;
  /**
   * The directory kept on disk, when it stands at block `height`: resuming there needs no replay of
   * the chain's identities (undefined: replay them).
   */
  readonly directoryAt?: (height: number) => ChainState['registry'] | undefined;
  /** The last head this node signed, from outside the database. */
  readonly witness?: HeadWitness | undefined;
  readonly onProgress?: (height: number, head: number) => void;
}

export interface VerifyReport {
  readonly ok: boolean;
  /** Height of the head, −1 for an empty store. */
  readonly height: number;
  readonly txs: number;
  /** First height checked in this run (0 for a full run). */
  readonly verifiedFrom: number;
  readonly signaturesChecked: number;
  readonly problems: Problem[];
  readonly elapsedMs: number;
}

const CHECKPOINT_KEY = 'checkpoint';
/** Below this many blocks, worker start-up costs more than it saves. */
const MIN_PARALLEL_BLOCKS = 256;

export /** A `tx-replay` problem at every later copy of a transaction stored more than once. */
function replays(store: Store): Problem[] {
  const out: Problem[] = [];
  for (const { id, seqs } of store.repeatedTxIds())
    for (const seq of seqs.slice(1)) {
      const height = store.txsBySeq(seq, seq + 1)[0]?.height ?? -1;
      const first = store.blockByHeight(height)?.firstSeq ?? seq;
      out.push(
        problem(height, 'tx-replay', 'transaction already on the chain', { tx: seq - first, found: id }),
      );
    }
  return out;
}

function readCheckpoint(store: Store): Checkpoint | undefined {
  const raw = store.getMeta(CHECKPOINT_KEY);
  if (!raw) return undefined;
  try {
    const c = JSON.parse(raw) as Checkpoint;
    return Number.isSafeInteger(c.height) && typeof c.hash === 'string' ? c : undefined;
  } catch {
    return undefined;
  }
}

export function writeCheckpoint(store: Store, c: Checkpoint): void {
  store.setMeta(CHECKPOINT_KEY, JSON.stringify(c));
}

/** Rebuilds the chain state at a verified checkpoint from the store, without re-checking blocks. */
export function stateAtCheckpoint(
  store: Store,
  c: Checkpoint,
  directory?: ChainState['registry'],
): ChainState | Problem {
  const row = store.blockByHeight(c.height);
  if (row?.hash !== c.hash) {
    return problem(c.height, 'checkpoint', 'checkpointed block is gone or changed', {
      expected: c.hash,
      found: row?.hash ?? 'none',
    });
  }
  return stateAt(store, c.height, c.hash, directory);
}

/**
 * Hash-only check of blocks from..to of the SQLite ledger at `path`, starting after `startHash`, run
 * elsewhere; undefined when it did not run.
 */
export type RangeChecker = (
  path: string,
  from: number,
  to: number,
  startHash: string,
) => Promise<{ problems: readonly Problem[]; endHash: string; endLogSize: number } | undefined>;

/**
 * Blocks from..to checked by `check`, with the state after them rebuilt here from the store; undefined
 * when it did not run them or that state cannot be rebuilt (the caller then checks them itself, and
 * reports what is wrong).
 */
async function checkedElsewhere(
  check: RangeChecker,
  store: Store,
  path: string,
  startHash: string,
  from: number,
  to: number,
): Promise<RangeResult | undefined> {
  const checked = await check(path, from, to, startHash);
  if (!checked) return undefined;
  const end = stateAt(store, to, checked.endHash);
  if ('kind' in end || end.logRange.size !== checked.endLogSize) return undefined;
  return { problems: [...checked.problems], sigsChecked: 0, state: end };
}

export async function verifyChain(
  store: Store,
  opts: VerifyOptions = {},
): Promise<VerifyReport & { state: ChainState }> {
  const t0 = performance.now();
  const problems: Problem[] = [];
  const withSigs = opts.signatures ?? true;
  const headRow = store.head();
  const headHeight = headRow?.height ?? -1;

  let state: ChainState | undefined;
  const cp = opts.from ?? readCheckpoint(store);
  if (cp && cp.height <= headHeight && !opts.full) {
    const s = stateAtCheckpoint(store, cp, opts.directoryAt?.(cp.height));
    if ('kind' in s) problems.push(s);
    else state = s;
  } else if (cp && cp.height > headHeight) {
    problems.push(
      problem(cp.height, 'checkpoint', 'checkpoint is above the stored head: the chain lost blocks', {
        expected: `≥ ${cp.height}`,
        found: String(headHeight),
      }),
    );
  }
  state ??= emptyChainState();
  const verifiedFrom = state.height + 1;

  let sigsChecked = 0;
  if (verifiedFrom <= headHeight) {
    const parallel = opts.parallel ?? true;
    const path = store instanceof SqliteStore ? store.path : undefined;
    let r: RangeResult | undefined;
    if (
      parallel &&
      path !== undefined &&
      headHeight - verifiedFrom + 1 >= MIN_PARALLEL_BLOCKS &&
      availableParallelism() > 1
    )
      r = await verifyInWorkers(path, state, verifiedFrom, headHeight, withSigs, opts.onProgress);
    else if (opts.background && path !== undefined && !withSigs)
      r = await checkedElsewhere(opts.background, store, path, state.headHash, verifiedFrom, headHeight);
    r ??= await verifyRange(store, state, verifiedFrom, headHeight, withSigs, opts.onProgress);
    problems.push(...r.problems);
    sigsChecked = r.sigsChecked;
    if (r.state) state = r.state;
  }

  const logSize = state.logRange.size;
  // A live node commits blocks while this runs: compare the count with the head as it is now (both
  // read synchronously, so no block can commit in between). With `spanOnly` (open, the monitor's
  // head window) only the log's first and last positions are read, as a count reads every row (slow,
  // cold, on a long log): a row deleted between them is then found by its block's Merkle root, in a full
  // run and in the monitor's sweep, not by this check.
  const span = opts.spanOnly === true && !opts.full && verifiedFrom > 0 ? store.txSpan() : undefined;
  const stored = span ? span.end : store.txCount();
  const nowHead = store.head();
  const expectedTxs = nowHead && nowHead.height > headHeight ? parseHeader(nowHead.header).logSize : logSize;
  if (stored !== expectedTxs || (span !== undefined && span.first !== 0)) {
    problems.push(
      problem(headHeight, 'tx-count', 'stored transactions do not match the log size of the head', {
        expected: String(expectedTxs),
        found: span && span.first !== 0 ? `a row at log position ${String(span.first)}` : String(stored),
      }),
    );
  }
  // From genesis, replays are found in the store at the end (bounded memory, however long the chain);
  // from a checkpoint, the store's unique id index kept them out of every block appended since.
  if (verifiedFrom === 0) problems.push(...replays(store));
  if (opts.witness) {
    const w = opts.witness;
    const at = store.blockByHeight(w.height);
    if (headHeight < w.height) {
      problems.push(
        problem(
          w.height,
          'head-witness',
          `the node signed a head at height ${w.height} but the store ends at ${headHeight}: blocks were removed`,
          { expected: w.hash, found: 'none' },
        ),
      );
    } else if (at?.hash !== w.hash) {
      problems.push(
        problem(w.height, 'head-witness', 'block differs from the head the node signed', {
          expected: w.hash,
          found: at?.hash ?? 'none',
        }),
      );
    }
  }
  problems.sort((a, b) => a.height - b.height || (a.tx ?? -1) - (b.tx ?? -1));
  return {
    ok: problems.length === 0,
    height: headHeight,
    txs: logSize,
    verifiedFrom,
    signaturesChecked: sigsChecked,
    problems,
    elapsedMs: performance.now() - t0,
    state,
  };
}
