/**
 * @module
 * Block votes and finality certificates (consortium mode). Every member node validates every block
 * itself and signs a vote with these fields: node public key, signature, previous
 * block, block voted for, valid or not, the reason when invalid, and a timestamp (plus the height).
 * The signature covers SHA-256("medledger:vote:v1" ‖ 0 ‖ canonical JSON of every other field), so a
 * vote cannot be replayed as a transaction or a block. A block is final when valid votes of a quorum
 * (a strict majority) of the member node keys name it; those votes are its finality certificate,
 * which anyone holding the member keys can check offline.
 */
import { canonicalize } from './canonical-json.ts';
import { fromHex, toHex } from './bytes.ts';
import { TAGS, taggedHash } from './hash.ts';
import { keyIdOf, signBytes, verifyRaw } from './keys.ts';
import type { Signer } from './keys.ts';

export interface VoteFields {
  readonly height: number;
  readonly previousBlock: string;
  readonly votingForBlock: string;
  readonly isBlockValid: boolean;
  /** Why the block is invalid (empty when valid). */
  readonly invalidReason: string;
  readonly timestamp: number;
}

export interface Vote extends VoteFields {
  /** Ed25519 public key of the voting node, hex. */
  readonly nodePubkey: string;
  /** Ed25519 signature over the vote's other fields, hex. */
  readonly signature: string;
}

export interface FinalityCertificate {
  readonly height: number;
  readonly block: string;
  readonly votes: readonly Vote[];
}

/** A strict majority of `members`. */
export const quorumOf = (members: number): number => Math.floor(members / 2) + 1;

function voteDigest(v: Omit<Vote, 'signature'>): Uint8Array {
  const { height, previousBlock, votingForBlock, isBlockValid, invalidReason, timestamp, nodePubkey } = v;
  return taggedHash(
    TAGS.vote,
    canonicalize({
      height,
      previousBlock,
      votingForBlock,
      isBlockValid,
      invalidReason,
      timestamp,
      nodePubkey,
    }),
  );
}

export function signVote(signer: Signer, fields: VoteFields): Vote {
  const unsigned = { ...fields, nodePubkey: toHex(signer.publicKey) };
  return { ...unsigned, signature: toHex(signBytes(signer.privateKey, voteDigest(unsigned))) };
}

/** The key id of the voting node, or undefined when the vote is malformed. */
export function voterOf(v: Vote): string | undefined {
  try {
    return keyIdOf(fromHex(v.nodePubkey, 32, 'nodePubkey'));
  } catch {
    return undefined;
  }
}

/** Why `v` is not a well-formed, correctly signed vote; undefined when it is. */
export function checkVote(v: unknown): string | undefined {
  if (typeof v !== 'object' || v === null) return 'vote is not an object';
  const o = v as Record<string, unknown>;
  if (!Number.isSafeInteger(o.height) || (o.height as number) < 0) return 'height must be an integer ≥ 0';
  for (const f of ['previousBlock', 'votingForBlock'] as const)
    if (typeof o[f] !== 'string' || !/^[0-9a-f]{64}$/.test(o[f])) return `${f} must be 64 hex digits`;
  if (typeof o.isBlockValid !== 'boolean') return 'isBlockValid must be a boolean';
  if (typeof o.invalidReason !== 'string' || o.invalidReason.length > 4096)
    return 'invalidReason must be a string';
  if (!Number.isSafeInteger(o.timestamp)) return 'timestamp must be an integer';
  if (typeof o.nodePubkey !== 'string' || typeof o.signature !== 'string') return 'vote is not signed';
  const vote = v as Vote;
  let ok: boolean;
  try {
    ok = verifyRaw(
      fromHex(vote.nodePubkey, 32, 'nodePubkey'),
      voteDigest(vote),
      fromHex(vote.signature, 64, 'signature'),
    );
  } catch {
    return 'vote key or signature is malformed';
  }
  return ok ? undefined : 'vote signature does not verify';
}

/**
 * Why `cert` does not make block `hash` at `height` final for the member node keys `members` (key
 * ids); undefined when it does: a quorum of distinct members signed valid votes for exactly this block.
 */
export function checkCertificate(
  cert: FinalityCertificate,
  height: number,
  hash: string,
  members: ReadonlySet<string>,
): string | undefined {
  if (cert.height !== height || cert.block !== hash) return 'certificate names another block';
  const voters = new Set<string>();
  for (const [i, v] of cert.votes.entries()) {
    const why = checkVote(v);
    if (why) return `vote ${i}: ${why}`;
    const voter = voterOf(v)!;
    if (!members.has(voter)) return `vote ${i}: ${voter} is not a member node`;
    if (v.height !== height || v.votingForBlock !== hash) return `vote ${i} is for another block`;
    if (!v.isBlockValid) return `vote ${i} is not a valid vote`;
    voters.add(voter);
  }
  const need = quorumOf(members.size);
  return voters.size >= need ? undefined : `${voters.size} distinct valid votes, quorum is ${need}`;
}

/** `checkCertificate` of a stored certificate (JSON text, as a store or a peer holds it). */
export function checkCertificateJson(
  text: string,
  height: number,
  hash: string,
  members: ReadonlySet<string>,
): string | undefined {
  let cert: FinalityCertificate;
  try {
    cert = JSON.parse(text) as FinalityCertificate;
  } catch {
    return 'certificate is not JSON';
  }
  return Array.isArray(cert.votes)
    ? checkCertificate(cert, height, hash, members)
    : 'certificate has no votes';
}
