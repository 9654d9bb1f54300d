/**
 * @module
 * Proof-of-work: the block hash must start with `difficulty` zero bits. In a permissioned ledger it is a
 * cost knob (signatures and votes carry the trust); the attack lab measures what it costs an attacker.
 * Mining hashes a fixed header prefix once and only the nonce and suffix per attempt.
 */
import { createHash } from 'node:crypto';
import { anat, toHex } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';
import { ArgumentValueError, PowExhaustedError } from './errors.ts';
import { TAGS, tagPrefix } from './hash.ts';
import type { BlockHeader } from './block.ts';

/** Number of leading zero bits of `hash`. */
export function leadingZeroBits(hash: Uint8Array): number {
  let bits = 0;
  for (const byte of hash) {
    if (byte === 0) {
      bits += 8;
      continue;
    }
    return bits + Math.clz32(byte) - 24;
  }
  return bits;
}

export function meetsDifficulty(hash: Uint8Array, difficulty: number): boolean {
  return leadingZeroBits(hash) >= difficulty;
}

export interface MiningResult {
  readonly header: BlockHeader;
  readonly hash: string;
  readonly nonce: number;
  readonly attempts: number;
  readonly elapsedMs: number;
}

export interface MineOptions {
  /** First nonce to try (default 0). */
  readonly startNonce?: number;
  /** Give up after this many attempts (default: 2^53 − 1 − startNonce). */
  readonly maxAttempts?: number;
}

/** Finds a nonce such that the block hash of `header` meets `header.difficulty`. */
export function mine(header: Omit<BlockHeader, 'nonce'>, opts: MineOptions = {}): MiningResult {
  checkDifficulty(header.difficulty);
  const start = anat(opts.startNonce ?? 0, 'startNonce');
  const max = anat(opts.maxAttempts ?? Number.MAX_SAFE_INTEGER - start, 'maxAttempts');
  if (start + max - 1 > Number.MAX_SAFE_INTEGER) {
    throw new ArgumentValueError('maxAttempts', 'nonces would pass 2^53 − 1');
  }
  const t0 = performance.now();
  const found = nonceSearch(header)(start, max);
  if (!found) throw new PowExhaustedError(header.difficulty, max);
  return {
    header: { ...header, nonce: found.nonce },
    hash: found.hash,
    nonce: found.nonce,
    attempts: found.nonce - start + 1,
    elapsedMs: performance.now() - t0,
  };
}

/** A nonce whose block hash meets the difficulty, with that hash. */
export interface Found {
  readonly nonce: number;
  readonly hash: string;
}

/**
 * Prepares the search of `header`'s nonces: returns a function that tries `count` nonces from `start`
 * (integers, the last ≤ 2^53 − 1: the caller checks) and gives the first that meets the difficulty.
 * Parallel miners search disjoint ranges with it (node/miner.ts).
 */
export function nonceSearch(
  header: Omit<BlockHeader, 'nonce'>,
): (start: number, count: number) => Found | undefined {
  const { difficulty } = header;
  checkDifficulty(difficulty);
  // Canonical JSON sorts keys, so "nonce" sits between "merkleRoot" and "prevHash": split around it.
  const marker = '"nonce":0,';
  const json = canonicalize({ ...header, nonce: 0 });
  const at = json.indexOf(marker);
  const base = createHash('sha256')
    .update(tagPrefix(TAGS.block))
    .update(json.slice(0, at + marker.length - 2));
  const suffix = json.slice(at + marker.length - 1);
  return (start, count) => {
    for (let nonce = start, end = start + count; nonce < end; nonce++) {
      const digest = base.copy().update(String(nonce)).update(suffix).digest();
      if (meetsDifficulty(digest, difficulty)) return { nonce, hash: toHex(digest) };
    }
    return undefined;
  };
}

/** Throws unless `difficulty` is an integer in 0..64. */
export function checkDifficulty(difficulty: number): void {
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > 64) {
    throw new ArgumentValueError('difficulty', `got ${difficulty}, want an integer in 0..64`);
  }
}
