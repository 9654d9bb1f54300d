/**
 * @module
 * Attack lab, scenario 2: rewriting history. On a snapshot of a real data directory (or a fresh
 * chain), an attacker without the node's keys changes a transaction in block k of n and re-mines
 * blocks k..n (rewrite-chain.ts); the real verifier (verifyChain, from genesis, with the signed head
 * witness) then gives its verdict. Proof-of-work is redone perfectly, so no hash, link, Merkle or
 * proof-of-work check fails: the transaction signature and every proposer signature from k on do.
 * An insider holding the node key is run as a control, to show where the trust really lies. The cost
 * is measured for small difficulties and depths, and extrapolated from the measured hash rate beyond.
 */
import { join } from 'node:path';
import { generateSigner, publicKeyObject } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import type { ProblemKind } from '../core/problem.ts';
import { parseHeader } from '../core/block.ts';
import type { BlockHeader } from '../core/block.ts';
import { dataPaths, loadNodeKey, readWitness, writeWitness } from '../chain/data-dir.ts';
import { verifyChain } from '../chain/verify-chain.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { measureHashRate } from './mining.ts';
import { remineChain, rewriteHistory } from './rewrite-chain.ts';
import type { RewriteOutcome } from './rewrite-chain.ts';
import { mean, median } from './units.ts';
import { prepareChain, snapshotDataDir, workspace } from './workspace.ts';
import type { SourceKind, SourceOptions } from './workspace.ts';

export interface RewriteScenarioOptions extends SourceOptions {
  /** Blocks the attacker rewrites on the attacked chain (k = n − depth + 1; default 4). */
  readonly depth?: number;
  readonly freshBlocks?: number;
  readonly freshDifficulty?: number;
  /** Difficulties and depths of the measured cost grid. */
  readonly gridDifficulties?: readonly number[];
  readonly gridDepths?: readonly number[];
  /** Time budget per grid cell in ms: cells expected to take longer are extrapolated. */
  readonly budgetMs?: number;
  readonly rateAttempts?: number;
}

/** Where a problem is: never its content. */
export interface Located {
  readonly height: number;
  readonly tx?: number;
  readonly kind: ProblemKind;
}

export interface Verdict {
  readonly ok: boolean;
  readonly problems: readonly Located[];
  readonly firstHeight: number | undefined;
  readonly blockSignatureFailures: readonly number[];
  readonly txSignatureFailures: readonly { height: number; tx: number }[];
  /** The node's signed head (head.json): absent, consistent with the store, or exposing the rewrite. */
  readonly witness: 'absent' | 'consistent' | 'exposes';
}

export interface CostCell {
  readonly difficulty: number;
  readonly depth: number;
  readonly measured: boolean;
  /**
   * Mean time of the runs (the mean, not the median, is what 2^d attempts predict: a geometric
   * search's median is about ln 2 of its mean), or the expected time at the measured rate.
   */
  readonly ms: number;
  /** Mean attempts per run (measured cells). */
  readonly attempts?: number;
  readonly runs?: number;
}

export interface RewriteResult {
  readonly date: string;
  readonly source: SourceKind;
  readonly chain: { readonly height: number; readonly txs: number; readonly minDifficulty: number };
  readonly attack: Omit<RewriteOutcome, 'newHead'>;
  readonly verdict: Verdict;
  /** The same rewrite by an insider holding the node key (undefined when the key is not readable). */
  readonly insider: { readonly verdict: Verdict; readonly resignedTx: boolean } | undefined;
  readonly hashesPerSec: number;
  /** Measured cost of a block besides the hashing (header encoding, signing) at difficulty 0. */
  readonly overheadMsPerBlock: number;
  readonly grid: readonly CostCell[];
  readonly extrapolated: readonly CostCell[];
  readonly finality: string;
}

const FINALITY =
  'In consortium mode (a later issue) finality votes add a further barrier: every block would also need signed votes from a quorum of member nodes, so a rewrite would need a quorum of node keys, not one.';
export const EXTRAPOLATED_DIFFICULTIES = [0, 4, 8, 12, 16, 20, 24, 28, 32] as const;
export const EXTRAPOLATED_DEPTHS = [1, 10, 100, 1000] as const;

export function locate(p: { height: number; tx?: number | undefined; kind: ProblemKind }): Located {
  return p.tx === undefined
    ? { height: p.height, kind: p.kind }
    : { height: p.height, tx: p.tx, kind: p.kind };
}

/** The real verifier's verdict on the ledger in `dir`, with the witness checked under the node key on chain. */
export async function verdictOf(dir: string): Promise<Verdict> {
  const paths = dataPaths(dir);
  const store = new SqliteStore(paths.db);
  try {
    // The node key as the genesis block registers it (the attack never touches block 0).
    const genesis = store.txsBySeq(0, 2).map((t) => JSON.parse(t.body) as { type: string; payload: unknown });
    const reg = genesis.find((t) => t.type === 'identity.register')?.payload as
      { publicKey?: string } | undefined;
    const witness = reg?.publicKey ? readWitness(paths, publicKeyObject(reg.publicKey)) : undefined;
    const r = await verifyChain(store, { full: true, witness: witness === 'invalid' ? undefined : witness });
    const problems = r.problems.map(locate);
    if (witness === 'invalid') problems.push({ height: r.height, kind: 'head-witness' });
    return {
      ok: problems.length === 0,
      problems,
      firstHeight: problems.length ? Math.min(...problems.map((p) => p.height)) : undefined,
      blockSignatureFailures: problems.filter((p) => p.kind === 'block-signature').map((p) => p.height),
      txSignatureFailures: problems
        .filter((p) => p.kind === 'tx-signature')
        .map((p) => ({ height: p.height, tx: p.tx ?? -1 })),
      witness:
        witness === undefined
          ? 'absent'
          : problems.some((p) => p.kind === 'head-witness')
            ? 'exposes'
            : 'consistent',
    };
  } finally {
    store.close();
  }
}

interface Target {
  readonly height: number;
  readonly tx: number;
  readonly headers: BlockHeader[];
  readonly chain: RewriteResult['chain'];
}

/**
 * Block k = n − depth + 1, or the nearest block below it holding a record (a `record.add`: the
 * medical record is what an attacker would change), else holding any transaction; in it the record,
 * else the middle transaction. Undefined when no block after genesis holds a transaction.
 */
function chooseTarget(dir: string, depth: number): Target | undefined {
  const store = new SqliteStore(dataPaths(dir).db, { readOnly: true });
  try {
    const head = parseHeader(store.head()!.header);
    const headers = store.blocks(0, head.height + 1).map((b) => parseHeader(b.header));
    const genesis = store.txsBySeq(0, 1)[0];
    const params = genesis
      ? (JSON.parse(genesis.body) as { payload: { minDifficulty?: number } }).payload
      : {};
    const chain = { height: head.height, txs: head.logSize, minDifficulty: params.minDifficulty ?? 0 };
    const top = Math.max(1, head.height - depth + 1);
    const record = [...store.txsOfTypes(['record.add'])]
      .filter((t) => t.height >= 1 && t.height <= top)
      .at(-1);
    if (record) {
      const first = store.blockByHeight(record.height)!.firstSeq;
      return { height: record.height, tx: record.seq - first, headers, chain };
    }
    let k = top;
    while (k > 1 && headers[k]!.txCount === 0) k--;
    const h = headers[k];
    if (h === undefined || h.txCount === 0) return undefined;
    return { height: k, tx: Math.floor(h.txCount / 2), headers, chain };
  } finally {
    store.close();
  }
}

/** The rewrite by a holder of the node key, who also signs a new head witness. */
async function insiderRun(dir: string, t: Target): Promise<RewriteResult['insider']> {
  let node: Signer;
  try {
    node = loadNodeKey(dataPaths(dir));
  } catch {
    return undefined; // e.g. an encrypted key without MEDLEDGER_KEY_PASSPHRASE
  }
  const out = rewriteHistory(dataPaths(dir).db, {
    height: t.height,
    tx: t.tx,
    blockSigner: node,
    keys: [node],
  });
  const h = out.newHead.header;
  await writeWitness(dataPaths(dir), node, {
    height: h.height,
    hash: out.newHead.hash,
    logSize: h.logSize,
    logRoot: h.logRoot,
    time: h.time,
  });
  return { verdict: await verdictOf(dir), resignedTx: out.resignedTx };
}

function costGrid(
  headers: readonly BlockHeader[],
  opts: RewriteScenarioOptions,
  rate: number,
  attacker: Signer,
): CostCell[] {
  const cells: CostCell[] = [];
  const budget = opts.budgetMs ?? 2000;
  for (const d of opts.gridDifficulties ?? [0, 4, 8, 12, 16])
    for (const depth of opts.gridDepths ?? [1, 2, 4, 8]) {
      const expectedMs = (depth * 2 ** d * 1000) / rate;
      if (expectedMs > budget) {
        cells.push({ difficulty: d, depth, measured: false, ms: expectedMs });
        continue;
      }
      // Real headers of the chain (cycled when the chain is shorter than the depth), declared at d.
      const hs = Array.from({ length: depth }, (_, i) => {
        const { nonce: _n, ...rest } = headers[1 + (i % Math.max(1, headers.length - 1))] ?? headers[0]!;
        return { ...rest, difficulty: d };
      });
      // Several runs when the budget allows: single small runs are dominated by noise.
      const runs = Math.max(1, Math.min(5, Math.floor(budget / Math.max(expectedMs, 1))));
      const times: number[] = [];
      let attempts = 0;
      for (let r = 0; r < runs; r++) {
        const m = remineChain(headers[0]!.prevHash, hs, attacker);
        times.push(m.workMs);
        attempts += m.attempts;
      }
      cells.push({
        difficulty: d,
        depth,
        measured: true,
        ms: mean(times),
        attempts: attempts / runs,
        runs,
      });
    }
  return cells;
}

export async function runRewrite(opts: RewriteScenarioOptions = {}): Promise<RewriteResult> {
  const ws = workspace('rewrite');
  try {
    const fresh = { blocks: opts.freshBlocks ?? 8, txsPerBlock: 3, difficulty: opts.freshDifficulty ?? 12 };
    let original = join(ws.dir, 'original');
    let source = await prepareChain(original, opts, fresh);
    let target = chooseTarget(original, opts.depth ?? 4);
    if (!target) {
      // A data directory with nothing after genesis has no history to rewrite: attack a fresh chain.
      original = join(ws.dir, 'fresh');
      source = await prepareChain(original, { fresh: true }, fresh);
      target = chooseTarget(original, opts.depth ?? 4)!;
    }
    const attackerDir = join(ws.dir, 'attacker');
    const insiderDir = join(ws.dir, 'insider');
    snapshotDataDir(original, attackerDir);
    snapshotDataDir(original, insiderDir);

    // The attacker's own key: not registered on the chain, not the node's.
    const attacker = generateSigner();
    const outcome = rewriteHistory(dataPaths(attackerDir).db, {
      height: target.height,
      tx: target.tx,
      blockSigner: attacker,
    });
    const verdict = await verdictOf(attackerDir);
    const insider = await insiderRun(insiderDir, target);

    const rate = measureHashRate(opts.rateAttempts ?? 500_000).hashesPerSec;
    const grid = costGrid(target.headers, opts, rate, attacker);
    const zero = grid.filter((c) => c.measured && c.difficulty === 0).map((c) => c.ms / c.depth);
    const overhead = zero.length ? median(zero) : 0;
    const extrapolated = EXTRAPOLATED_DIFFICULTIES.flatMap((d) =>
      EXTRAPOLATED_DEPTHS.map((depth) => ({
        difficulty: d,
        depth,
        measured: false,
        ms: depth * ((2 ** d * 1000) / rate + overhead),
      })),
    );
    const { newHead: _h, ...attack } = outcome;
    return {
      date: new Date().toISOString(),
      source,
      chain: target.chain,
      attack,
      verdict,
      insider,
      hashesPerSec: rate,
      overheadMsPerBlock: overhead,
      grid,
      extrapolated,
      finality: FINALITY,
    };
  } finally {
    ws.dispose();
  }
}
