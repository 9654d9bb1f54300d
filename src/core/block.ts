/**
 * @module
 * Block headers. The block hash is SHA-256("medledger:block:v1" ‖ 0x00 ‖ canonical header); the
 * proposer signs the 32-byte block hash with Ed25519. Besides the per-block Merkle root over the
 * block's transaction ids, every header commits to the log-wide RFC 6962 tree over all transactions
 * so far (`logSize`, `logRoot`): a signed header is a signed tree head, as in Certificate Transparency.
 */
import { fromHex, toHex } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';
import { InvalidBlockError } from './errors.ts';
import { TAGS, taggedHash } from './hash.ts';
import { signBytes, verifyBytes } from './keys.ts';
import type { KeyObject } from 'node:crypto';
import type { Signer } from './keys.ts';
import type { Tx, WireTx } from './tx.ts';

export interface BlockHeader {
  readonly height: number;
  /** Hash of the previous block; 64 zeros for the genesis block. */
  readonly prevHash: string;
  /** RFC 6962 root over this block's transaction ids. */
  readonly merkleRoot: string;
  /** Number of transactions in the whole log up to and including this block. */
  readonly logSize: number;
  /** RFC 6962 root of the log-wide tree of that size. */
  readonly logRoot: string;
  /** Milliseconds since the Unix epoch. */
  readonly time: number;
  /** Required leading zero bits of the block hash. */
  readonly difficulty: number;
  readonly nonce: number;
  /** Key id of the proposing node. */
  readonly proposer: string;
  readonly txCount: number;
}

export interface Block {
  readonly header: BlockHeader;
  readonly hash: string;
  readonly signature: Uint8Array;
  readonly txs: readonly Tx[];
}

/** Block as sent between nodes and stored: header JSON, hex hash and signature, wire txs. */
export interface WireBlock {
  readonly header: BlockHeader;
  readonly hash: string;
  readonly signature: string;
  readonly txs: readonly WireTx[];
}

export const ZERO_HASH = '0'.repeat(64);
const HEADER_KEYS = [
  'difficulty',
  'height',
  'logRoot',
  'logSize',
  'merkleRoot',
  'nonce',
  'prevHash',
  'proposer',
  'time',
  'txCount',
] as const;

export function headerJson(header: BlockHeader): string {
  return canonicalize(header);
}

export function blockHashBytes(header: BlockHeader): Uint8Array {
  return taggedHash(TAGS.block, headerJson(header));
}

export function blockHash(header: BlockHeader): string {
  return toHex(blockHashBytes(header));
}

export function signBlockHash(signer: Signer, hash: string): Uint8Array {
  return signBytes(signer.privateKey, fromHex(hash, 32, 'hash'));
}

export function verifyBlockSignature(publicKey: KeyObject, hash: string, signature: Uint8Array): boolean {
  return verifyBytes(publicKey, fromHex(hash, 32, 'hash'), signature);
}

/** Parses a header from stored or received JSON; throws InvalidBlockError naming the bad field. */
/** The transaction count a stored header declares; 0 when the header does not parse (reported elsewhere). */
export function declaredTxCount(header: string): number {
  try {
    return parseHeader(header).txCount;
  } catch {
    return 0;
  }
}

export function parseHeader(value: unknown): BlockHeader {
  const o = typeof value === 'string' ? safeParse(value) : value;
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new InvalidBlockError('header must be an object');
  const r = o as Record<string, unknown>;
  const keys = Object.keys(r).sort();
  if (keys.join() !== HEADER_KEYS.join()) {
    throw new InvalidBlockError(`header fields are ${keys.join()}, want ${HEADER_KEYS.join()}`);
  }
  for (const k of ['height', 'logSize', 'time', 'difficulty', 'nonce', 'txCount'] as const) {
    const v = r[k];
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
      throw new InvalidBlockError(`header.${k} must be a safe integer ≥ 0`, { field: k });
    }
  }
  for (const k of ['prevHash', 'merkleRoot', 'logRoot', 'proposer'] as const) {
    const v = r[k];
    if (typeof v !== 'string' || !/^[0-9a-f]{64}$/.test(v)) {
      throw new InvalidBlockError(`header.${k} must be 32 bytes hex`, { field: k });
    }
  }
  if ((r.difficulty as number) > 256) throw new InvalidBlockError('header.difficulty must be ≤ 256');
  return r as unknown as BlockHeader;
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidBlockError('header is not JSON');
  }
}
