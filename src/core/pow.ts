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
  const { difficulty } = header;
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > 64) {
    throw new ArgumentValueError('difficulty', `got ${difficulty}, want an integer in 0..64`);
  }
  const start = anat(opts.startNonce ?? 0, 'startNonce');
  const max = anat(opts.maxAttempts ?? Number.MAX_SAFE_INTEGER - start, 'maxAttempts');
  if (start + max - 1 > Number.MAX_SAFE_INTEGER) {
    throw new ArgumentValueError('maxAttempts', 'nonces would pass 2^53 − 1');
  }
  // Canonical JSON sorts keys, so "nonce" sits between "merkleRoot" and "prevHash": split around it.
  const marker = '"nonce":0,';
  const json = canonicalize({ ...header, nonce: 0 });
  const at = json.indexOf(marker);
  const base = createHash('sha256')
    .update(tagPrefix(TAGS.block))
    .update(json.slice(0, at + marker.length - 2));
  const suffix = json.slice(at + marker.length - 1);
  const t0 = performance.now();
  for (let attempts = 1, nonce = start; attempts <= max; attempts++, nonce++) {
    const digest = base.copy().update(String(nonce)).update(suffix).digest();
    if (meetsDifficulty(digest, difficulty)) {
      return {
        header: { ...header, nonce },
        hash: toHex(digest),
        nonce,
        attempts,
        elapsedMs: performance.now() - t0,
      };
    }
  }
  throw new PowExhaustedError(difficulty, max);
}
