/**
 * @module
 * Attack lab, scenario 1: the cost of proof-of-work. Measures the SHA-256 block-hash rate of the
 * real miner (core/pow.ts `mine`, the loop every node runs), then attempts and time per block for
 * each difficulty d (leading zero bits) next to the expected 2^d attempts of a geometric search:
 * measured with several runs where that fits the time budget, extrapolated from the measured rate
 * (and marked so) beyond. Also runs the classic mining demo (`mine-demo`) on a real ChainNode: index,
 * difficulty, hash, nonce, elapsed. Such demos count difficulty in leading zero hex digits; their
 * "Difficulty: 1" is 4 bits here.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { blockHashBytes, ZERO_HASH } from '../core/block.ts';
import type { BlockHeader } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import { PowExhaustedError } from '../core/errors.ts';
import { leadingZeroBits, mine } from '../core/pow.ts';
import { ChainNode } from '../chain/chain-node.ts';
import { mean, median, perSecond } from './units.ts';
import { workspace } from './workspace.ts';

export interface MiningOptions {
  /** Highest difficulty in the table (default 24). */
  readonly maxDifficulty?: number;
  /** Never measure above this difficulty, whatever the budget (default 20). */
  readonly maxMeasuredDifficulty?: number;
  /** Time budget per measured difficulty in ms (default 2000). */
  readonly budgetMs?: number;
  /** Runs per difficulty when the budget allows (default 9). */
  readonly runs?: number;
  /** Hashes of the hash-rate sample (default 1,000,000). */
  readonly rateAttempts?: number;
  /** Blocks of the mining demo (default 9) and their difficulty in bits (default 4 = one hex zero). */
  readonly demoBlocks?: number;
  readonly demoDifficulty?: number;
}

export interface MiningRow {
  readonly difficulty: number;
  readonly expectedAttempts: number;
  /** Expected time per block at the measured hash rate. */
  readonly expectedMs: number;
  /** False: the row is extrapolated from the hash rate, nothing was mined. */
  readonly measured: boolean;
  readonly runs: number;
  readonly meanAttempts?: number;
  readonly medianMs?: number;
  readonly meanMs?: number;
  /** Every mined hash, recomputed from its header, meets the difficulty. */
  readonly valid?: boolean;
}

export interface DemoBlock {
  readonly index: number;
  readonly difficulty: number;
  readonly hash: string;
  readonly nonce: number;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export interface MiningResult {
  readonly date: string;
  /** Block-hash attempts per second over the rate sample and every mined block. */
  readonly hashesPerSec: number;
  /** The dedicated sample alone: hashes at an unreachable difficulty. */
  readonly rateSample: { readonly attempts: number; readonly ms: number };
  readonly rows: readonly MiningRow[];
  readonly demo: {
    readonly difficultyBits: number;
    readonly blocks: readonly DemoBlock[];
    /** The real verifier's verdict on the demo chain. */
    readonly verified: boolean;
  };
}

function header(difficulty: number, height: number): Omit<BlockHeader, 'nonce'> {
  return {
    height,
    prevHash: ZERO_HASH,
    merkleRoot: toHex(randomBytes(32)),
    logSize: 0,
    logRoot: ZERO_HASH,
    time: Date.now(),
    difficulty,
    proposer: ZERO_HASH,
    txCount: 0,
  };
}

/** Hashes per second of the real mining loop: `attempts` hashes at an unreachable difficulty. */
export function measureHashRate(attempts: number): { hashesPerSec: number; attempts: number; ms: number } {
  sample(Math.min(20_000, Math.ceil(attempts / 10))); // JIT warm-up: the first hashes run slower
  return sample(attempts);
}

function sample(attempts: number): { hashesPerSec: number; attempts: number; ms: number } {
  const t0 = performance.now();
  let done = attempts;
  try {
    done = mine(header(64, 1), { maxAttempts: attempts }).attempts; // 2^-64 per hash: never in practice
  } catch (e) {
    if (!(e instanceof PowExhaustedError)) throw e;
  }
  const ms = performance.now() - t0;
  return { hashesPerSec: perSecond(done, ms), attempts: done, ms };
}

function measureRow(d: number, runs: number): MiningRow {
  const attempts: number[] = [];
  const times: number[] = [];
  let valid = true;
  for (let r = 0; r < runs; r++) {
    const m = mine(header(d, r));
    attempts.push(m.attempts);
    times.push(m.elapsedMs);
    // Recomputed through the verifier's path (canonical header → tagged hash), not the miner's.
    const h = blockHashBytes(m.header);
    valid &&= toHex(h) === m.hash && leadingZeroBits(h) >= d;
  }
  return {
    difficulty: d,
    expectedAttempts: 2 ** d,
    expectedMs: NaN, // set once the rate is known
    measured: true,
    runs,
    meanAttempts: mean(attempts),
    medianMs: median(times),
    meanMs: mean(times),
    valid,
  };
}

/** The mining demo on a real ChainNode in a temporary directory. */
async function seedDemo(blocks: number, difficulty: number): Promise<MiningResult['demo']> {
  const ws = workspace('mining');
  try {
    const ledger = await ChainNode.init(join(ws.dir, 'demo'), {
      difficulty,
      chainId: 'medledger-attack-demo',
    });
    try {
      const rows: DemoBlock[] = [];
      for (let i = 1; i <= blocks; i++) {
        await ledger.addData({ name: `Mining Block ${String(i)}` });
        const m = await ledger.mine({ difficulty });
        rows.push({
          index: m.block.header.height,
          difficulty,
          hash: m.block.hash,
          nonce: m.nonce,
          attempts: m.attempts,
          elapsedMs: m.elapsedMs,
        });
      }
      const report = await ledger.verify({ full: true });
      return { difficultyBits: difficulty, blocks: rows, verified: report.ok };
    } finally {
      await ledger.close();
    }
  } finally {
    ws.dispose();
  }
}

export async function runMining(opts: MiningOptions = {}): Promise<MiningResult> {
  const maxD = opts.maxDifficulty ?? 24;
  const maxMeasured = Math.min(maxD, opts.maxMeasuredDifficulty ?? 20);
  const budgetMs = opts.budgetMs ?? 2000;
  const maxRuns = opts.runs ?? 9;
  const sample = measureHashRate(opts.rateAttempts ?? 1_000_000);
  const measured: MiningRow[] = [];
  for (let d = 0; d <= maxMeasured; d++) {
    // As many runs as the budget holds (at the sample's rate), at most maxRuns; none: extrapolated.
    const runs = Math.min(
      maxRuns,
      Math.floor(budgetMs / Math.max((2 ** d / sample.hashesPerSec) * 1000, 1e-3)),
    );
    if (runs >= 1) measured.push(measureRow(d, runs));
  }
  // The rate behind every expected time: the sample and all mined blocks together, so one slow
  // moment of a shared machine weighs less.
  const attempts = measured.reduce((a, r) => a + r.meanAttempts! * r.runs, sample.attempts);
  const ms = measured.reduce((a, r) => a + r.meanMs! * r.runs, sample.ms);
  const rate = perSecond(attempts, ms);
  const rows: MiningRow[] = [];
  for (let d = 0; d <= maxD; d++) {
    const expectedMs = (2 ** d / rate) * 1000;
    const m = measured.find((r) => r.difficulty === d);
    rows.push(
      m
        ? { ...m, expectedMs }
        : { difficulty: d, expectedAttempts: 2 ** d, expectedMs, measured: false, runs: 0 },
    );
  }
  const demo = await seedDemo(opts.demoBlocks ?? 9, opts.demoDifficulty ?? 4);
  return {
    date: new Date().toISOString(),
    hashesPerSec: rate,
    rateSample: { attempts: sample.attempts, ms: sample.ms },
    rows,
    demo,
  };
}
