/**
 * @module
 * The portal's own check of an inclusion proof, trusting only the node's public key (the model of
 * Certificate Transparency, RFC 9162 §2.1.3 and test/http-proof.test.ts): the transaction body is
 * canonical and hashes to its id (the leaf), the audit path leads to the log root of a signed head
 * whose hash, proof-of-work and Ed25519 signature are recomputed here with WebCrypto, and the
 * containing block is signed by the same key and covers the leaf. Every check is reported, pass or
 * fail; nothing is taken from the node without recomputing it.
 *
 * @example
 * const report = await verifyProof(await api.get('/records/' + id + '/proof'), node.publicKey, { recordId: id });
 * report.ok; // every check passed
 */
import { fromHex, toHex } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import { canonicalize } from './canonical-json.ts';
import type { Check, CheckId } from './checks.ts';
import { expectEqual, Failed, runCheck, short } from './checks.ts';
import { merkleRoot, txIdOf } from './hashes.ts';
import { walkInclusion } from './inclusion.ts';
import type { InclusionWalk } from './inclusion.ts';
import type { ProofJson } from '../../../../src/api/contract/chain.ts';
import { checkSignedHead } from './signed-head.ts';

export interface VerifyOptions {
  /** The record the proof was asked for: its transaction must add or amend this record. */
  readonly recordId?: string;
  /** The ids of the containing block's transactions in order (from `/chain/blocks/:height`). */
  readonly blockTxIds?: readonly string[];
}

export interface ProofReport {
  readonly ok: boolean;
  readonly checks: readonly Check[];
  readonly firstFailure: CheckId | undefined;
  /** The leaf hash recomputed from the body (hex), when the body could be hashed. */
  readonly leaf: string | undefined;
  /** The walk from the leaf to the root, when the proof had a valid shape. */
  readonly walk: InclusionWalk | undefined;
}

export async function verifyProof(
  p: ProofJson,
  trustedKey: string,
  o: VerifyOptions = {},
): Promise<ProofReport> {
  const checks: Check[] = [];
  let leaf: Bytes | undefined;
  let walk: InclusionWalk | undefined;

  checks.push(
    await runCheck('trusted-key', 'The proof is for the node key you trust', () => {
      expectEqual(p.proposerPublicKey, trustedKey, 'public key in the proof');
      return short(trustedKey);
    }),
    await runCheck('tx-canonical', 'Transaction body is RFC 8785 canonical JSON', () => {
      expectEqual(canonicalize(JSON.parse(p.tx.body) as unknown), p.tx.body, 'canonical form');
      return `${String(p.tx.body.length)} bytes`;
    }),
    await runCheck(
      'tx-id',
      'Leaf = SHA-256(0x00 ‖ "medledger:tx:v1" ‖ 0x00 ‖ body) is the transaction id',
      async () => {
        leaf = await txIdOf(p.tx.body);
        expectEqual(toHex(leaf), p.txId, 'leaf hash vs transaction id');
        return toHex(leaf);
      },
    ),
  );
  if (o.recordId !== undefined) {
    const recordId = o.recordId;
    checks.push(
      await runCheck('tx-record', `Transaction writes record ${recordId}`, () => {
        const body = JSON.parse(p.tx.body) as { type?: unknown; payload?: { record?: unknown } };
        if (body.type !== 'record.add' && body.type !== 'record.amend')
          throw new Failed(`transaction type ${String(body.type)}, want record.add or record.amend`);
        expectEqual(String(body.payload?.record), recordId, 'record id');
        return body.type;
      }),
    );
  }
  checks.push(
    await runCheck(
      'inclusion-path',
      `Audit path of ${String(p.proof.length)} hashes from leaf ${String(p.leafIndex)} of ${String(p.treeSize)} (RFC 9162 §2.1.3.2)`,
      async () => {
        if (!leaf) throw new Failed('no leaf hash');
        const path = p.proof.map((h, i) => fromHex(h, 32, `proof[${String(i)}]`));
        walk = await walkInclusion(p.leafIndex, p.treeSize, leaf, path);
        return `root ${walk.root}`;
      },
    ),
    await runCheck(
      'tree-size',
      'The proof is against the signed head’s log (tree size = head log size)',
      () => {
        expectEqual(p.treeSize, p.head.header.logSize, 'tree size');
        return String(p.treeSize);
      },
    ),
    await runCheck('log-root', 'Computed root equals the log root in the signed head', () => {
      if (!walk) throw new Failed('no root computed');
      expectEqual(walk.root, p.head.header.logRoot, 'root');
      return walk.root;
    }),
    ...(await checkSignedHead('head', p.head, trustedKey)),
    ...(await checkSignedHead('block', p.block, trustedKey)),
    await runCheck(
      'block-range',
      `Block ${String(p.block.header.height)} holds log entry ${String(p.leafIndex)}`,
      () => {
        const { logSize, txCount } = p.block.header;
        if (!(p.leafIndex >= logSize - txCount && p.leafIndex < logSize))
          throw new Failed(
            `leaf ${String(p.leafIndex)} is outside [${String(logSize - txCount)}, ${String(logSize)})`,
          );
        if (logSize > p.head.header.logSize) throw new Failed('the block is beyond the signed head');
        return `entries ${String(logSize - txCount)}–${String(logSize - 1)}`;
      },
    ),
  );
  if (o.blockTxIds) {
    const ids = o.blockTxIds;
    checks.push(
      await runCheck(
        'block-merkle-root',
        `Block Merkle root over its ${String(ids.length)} transaction ids`,
        async () => {
          if (!ids.includes(p.txId)) throw new Failed('the block does not list this transaction');
          const root = toHex(await merkleRoot(ids.map((id, i) => fromHex(id, 32, `tx[${String(i)}]`))));
          expectEqual(root, p.block.header.merkleRoot, 'block Merkle root');
          return root;
        },
      ),
    );
  }
  const failed = checks.find((c) => !c.ok);
  return { ok: !failed, checks, firstFailure: failed?.id, leaf: leaf && toHex(leaf), walk };
}
