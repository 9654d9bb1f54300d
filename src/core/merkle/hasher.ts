/**
 * @module
 * The RFC 6962 §2.1 Merkle hash (kept by RFC 9162 §2.1.1 for SHA-256 logs): leaf hash
 * SHA-256(0x00 ‖ data), node hash SHA-256(0x01 ‖ left ‖ right), empty tree SHA-256("").
 * The 0x00/0x01 prefixes give second-preimage resistance between leaves and nodes.
 */
import { hash } from 'node:crypto';
import { abytes } from '../bytes.ts';

/** The hashing a Merkle tree needs, in the manner of transparency-dev/merkle `LogHasher`. */
export interface MerkleHasher {
  /** Bytes in every hash this hasher returns and accepts as a child. */
  readonly size: number;
  /** MTH({}): the root of the empty tree. */
  emptyRoot(): Uint8Array;
  /** MTH({d}) for one entry: the leaf hash. */
  hashLeaf(data: Uint8Array): Uint8Array;
  /** The interior node hash of two child hashes of `size` bytes each. */
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array;
}

const SIZE = 32;
const LEAF_PREFIX = 0x00;
const NODE_PREFIX = 0x01;

/*
 * hashChildren is the hot path (every append and every proof step), so it reuses one 65-byte
 * scratch buffer and the one-shot crypto.hash. Safe because JS runs it synchronously.
 */
const scratch = new Uint8Array(1 + 2 * SIZE);
scratch[0] = NODE_PREFIX;

function sha256(data: Uint8Array): Uint8Array {
  // A plain Uint8Array copy: callers own it and may compare it with deepStrictEqual.
  return new Uint8Array(hash('sha256', data, 'buffer'));
}

/** The RFC 6962 SHA-256 hasher. */
export const rfc6962: MerkleHasher = {
  size: SIZE,
  emptyRoot(): Uint8Array {
    return sha256(new Uint8Array(0));
  },
  hashLeaf(data: Uint8Array): Uint8Array {
    abytes(data, undefined, 'data');
    const buf = new Uint8Array(1 + data.length);
    buf[0] = LEAF_PREFIX;
    buf.set(data, 1);
    return sha256(buf);
  },
  hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
    abytes(left, SIZE, 'left');
    abytes(right, SIZE, 'right');
    scratch.set(left, 1);
    scratch.set(right, 1 + SIZE);
    return sha256(scratch);
  },
};
