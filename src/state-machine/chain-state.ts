/**
 * @module
 * The state a block is checked against: the head it must extend, the log-wide Merkle frontier, the key
 * directory and the chain parameters from the genesis block. Built by replaying the chain, or resumed
 * from a verified checkpoint.
 */
import { ZERO_HASH } from '../core/block.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import { KeyRegistry } from './key-registry.ts';

export interface ChainParams {
  readonly chainId: string;
  /** Lowest difficulty a block may declare. */
  readonly minDifficulty: number;
}

export interface ChainState {
  /** Height of the last checked block, −1 before genesis. */
  height: number;
  headHash: string;
  headTime: number;
  logRange: CompactRange;
  /** `logSize` declared by the last header: where the next block's transactions must start. */
  claimedLogSize: number;
  /** Replaced, not mutated, when a node reads its directory back from disk. */
  registry: KeyRegistry;
  params: ChainParams | undefined;
  /** Set once the recomputed log diverges from the headers, so the cause is reported once. */
  logDivergedAt?: number;
}

export function emptyChainState(): ChainState {
  return {
    height: -1,
    headHash: ZERO_HASH,
    headTime: 0,
    logRange: new CompactRange(),
    claimedLogSize: 0,
    registry: new KeyRegistry(),
    params: undefined,
  };
}

/** Parses the payload of a `chain.genesis` transaction. */
export function parseGenesis(payload: unknown): ChainParams | string {
  if (typeof payload !== 'object' || payload === null) return 'chain.genesis payload must be an object';
  const { chainId, minDifficulty } = payload as Record<string, unknown>;
  if (typeof chainId !== 'string' || chainId.length === 0 || chainId.length > 128)
    return 'chainId must be a string';
  if (
    typeof minDifficulty !== 'number' ||
    !Number.isInteger(minDifficulty) ||
    minDifficulty < 0 ||
    minDifficulty > 64
  ) {
    return 'minDifficulty must be an integer in 0..64';
  }
  return { chainId, minDifficulty };
}
