/**
 * @module
 * Forged RFC 9162 inclusion proofs against a real proof served by the ledger, checked by the core
 * verifier every client uses (`verifyInclusion`): altered path hashes, a fabricated leaf, swapped
 * hashes, the neighbour's position, truncated and extended paths, an index beyond the tree, an
 * altered root; and a forged signed head whose root the attacker chose so the forged proof fits,
 * which the proposer signature check rejects.
 */
import { randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { blockHash, signBlockHash, verifyBlockSignature } from '../core/block.ts';
import { fromHex, toHex } from '../core/bytes.ts';
import { generateSigner } from '../core/keys.ts';
import { rootFromInclusionProof, verifyInclusion } from '../core/merkle/verify.ts';
import type { InclusionProof } from '../chain/proofs.ts';
import type { AttemptLog } from './attempt-log.ts';

const MISMATCH = 'ML_ERR_MERKLE_ROOT_MISMATCH';
const SIZE = 'ML_ERR_MERKLE_PROOF_SIZE';

function flip(b: Uint8Array, at = 0): Uint8Array {
  const c = Uint8Array.from(b);
  c[at]! ^= 0x01;
  return c;
}

export async function forgeProofs(
  log: AttemptLog,
  proof: InclusionProof,
  leaf: Uint8Array,
  nodeKey: KeyObject,
): Promise<void> {
  const root = fromHex(proof.head.header.logRoot, 32, 'logRoot');
  const path = proof.proof.map((p) => fromHex(p, 32, 'proof'));
  const { leafIndex: index, treeSize: size } = proof;
  const check =
    (i: number, s: number, l: Uint8Array, p: readonly Uint8Array[], r: Uint8Array) => (): undefined => {
      verifyInclusion(i, s, l, p, r);
      return undefined;
    };
  const p = 'merkle-proof';
  for (const [j, h] of path.entries())
    await log.try(
      p,
      `proof hash ${String(j)} altered by one bit`,
      MISMATCH,
      check(index, size, leaf, path.with(j, flip(h)), root),
    );
  await log.try(
    p,
    'fabricated leaf (a transaction never logged)',
    MISMATCH,
    check(index, size, randomBytes(32), path, root),
  );
  if (path.length >= 2)
    await log.try(
      p,
      'two proof hashes swapped',
      MISMATCH,
      check(index, size, leaf, [path[1]!, path[0]!, ...path.slice(2)], root),
    );
  if ((index ^ 1) < size)
    await log.try(
      p,
      "leaf claimed at its neighbour's position",
      MISMATCH,
      check(index ^ 1, size, leaf, path, root),
    );
  await log.try(p, 'truncated proof', SIZE, check(index, size, leaf, path.slice(0, -1), root));
  await log.try(p, 'extended proof', SIZE, check(index, size, leaf, [...path, randomBytes(32)], root));
  await log.try(p, 'index beyond the tree size', 'ML_ERR_MERKLE_INDEX', check(size, size, leaf, path, root));
  await log.try(p, 'root altered by one bit', MISMATCH, check(index, size, leaf, path, flip(root, 31)));

  // The attacker fits the root to a fabricated leaf and rebuilds the head around it: the proof now
  // verifies against that root, but the head needs the node's signature.
  const fake = randomBytes(32);
  const forgedRoot = rootFromInclusionProof(index, size, fake, path);
  const header = { ...proof.head.header, logRoot: toHex(forgedRoot) };
  const hash = blockHash(header);
  const attacker = generateSigner();
  for (const [attack, signature] of [
    [
      'forged head for a fabricated leaf, node signature kept',
      fromHex(proof.head.signature, 64, 'signature'),
    ],
    ["forged head for a fabricated leaf, signed with the attacker's key", signBlockHash(attacker, hash)],
  ] as const)
    await log.try(p, attack, 'block-signature', () => {
      verifyInclusion(index, size, fake, path, forgedRoot);
      return verifyBlockSignature(nodeKey, hash, signature) ? undefined : 'block-signature';
    });
}
