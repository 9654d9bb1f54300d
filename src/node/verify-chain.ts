/**
 * @module
 * Verifies a stored chain end to end: every block through `checkBlock` (links, hashes, proof-of-work,
 * Merkle roots, log roots, ids, signers, times), every signature in the thread pool, then the stored
 * transactions past the head and the signed head witness (which exposes a dropped tail). It resumes
 * from the verified-height checkpoint unless `full` is asked.
 */
import { parseHeader } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import { problem } from '../core/problem.ts';
import type { Problem } from '../core/problem.ts';
import { decodeTx } from '../core/tx.ts';
import { emptyChainState, parseGenesis } from '../ledger/chain-state.ts';
import type { ChainState } from '../ledger/chain-state.ts';
import { advance, checkBlock, extendLog } from '../ledger/check-block.ts';
import type { SigJob } from '../ledger/check-block.ts';
import type { Store, StoredBlock } from '../store/store.ts';
import { verifyAll } from './sig-pool.ts';

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
  /** Verify signatures (default true); false gives the hash-only check. */
  readonly signatures?: boolean;
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
const BATCH = 128;
const SIG_WINDOW = 8;

export function readCheckpoint(store: Store): Checkpoint | undefined {
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
export function stateAtCheckpoint(store: Store, c: Checkpoint): ChainState | Problem {
  const row = store.blockByHeight(c.height);
  if (row?.hash !== c.hash)
    return problem(c.height, 'checkpoint', 'checkpointed block is gone or changed', {
      expected: c.hash,
      found: row?.hash ?? 'none',
    });
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
  let byHeight = new Map<number, ReturnType<typeof decodeTx>[]>();
  for (const t of store.txsOfTypes(['chain.genesis', 'identity.register', 'identity.revoke'])) {
    if (t.height > c.height) continue;
    const tx = decodeTx({ body: t.body, sig: t.sig });
    byHeight.set(t.height, [...(byHeight.get(t.height) ?? []), tx]);
    if (tx.body.type === 'chain.genesis') {
      const p = parseGenesis(tx.body.payload);
      if (typeof p !== 'string') state.params = p;
    }
  }
  byHeight = new Map([...byHeight].sort((a, b) => a[0] - b[0]));
  for (const [h, txs] of byHeight) state.registry.apply(txs, h);
  state.height = c.height;
  state.headHash = c.hash;
  state.headTime = header.time;
  state.claimedLogSize = header.logSize;
  return state;
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
  const cp = readCheckpoint(store);
  if (cp && cp.height <= headHeight && !opts.full) {
    const s = stateAtCheckpoint(store, cp);
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
  if (!state) {
    state = emptyChainState();
    state.seenIds = new Set();
  }
  const verifiedFrom = state.height + 1;

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

  for (let from = verifiedFrom; from <= headHeight; from += BATCH) {
    const rows = store.blocks(from, Math.min(from + BATCH, headHeight + 1));
    for (const row of rows) {
      while (state.height + 1 < row.height) {
        problems.push(problem(state.height + 1, 'block-missing', 'no block stored at this height'));
        state.height++;
      }
      const txRows = store.txsBySeq(row.firstSeq, row.firstSeq + declaredTxCount(row));
      const check = checkBlock(state, row, txRows, { signatures: withSigs });
      const ext = extendLog(state, check);
      problems.push(...check.problems, ...ext.problems);
      if (withSigs) runSigs(check.sigJobs);
      advance(state, check, ext);
      if (inFlight.length >= SIG_WINDOW) await inFlight.shift();
      opts.onProgress?.(row.height, headHeight);
    }
  }
  await Promise.all(inFlight);

  const logSize = state.logRange.size;
  const stored = store.txCount();
  if (stored !== logSize) {
    problems.push(
      problem(headHeight, 'tx-count', 'stored transactions do not match the log size of the head', {
        expected: String(logSize),
        found: String(stored),
      }),
    );
  }
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

function declaredTxCount(row: StoredBlock): number {
  try {
    return parseHeader(row.header).txCount;
  } catch {
    return 0;
  }
}
