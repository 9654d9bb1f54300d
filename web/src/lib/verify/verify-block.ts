/**
 * @module
 * The portal's check of one block as the explorer shows it: its signed header (hash, proof-of-work,
 * proposer, signature; see signed-head.ts) and its Merkle root recomputed over its transaction ids
 * (RFC 9162 §2.1.1; the ids are the leaf hashes).
 */
import { fromHex, toHex } from './bytes.ts';
import type { Check } from './checks.ts';
import { expectEqual, runCheck } from './checks.ts';
import { merkleRoot } from './hashes.ts';
import type { BlockJson } from '../../../../src/api/contract/chain.ts';
import { checkSignedHead } from './signed-head.ts';

export async function verifyBlock(b: BlockJson, trustedKey: string): Promise<Check[]> {
  const head = await checkSignedHead('block', b, trustedKey);
  const root = await runCheck(
    'block-merkle-root',
    `Merkle root over the block's ${String(b.txs.length)} transaction ids`,
    async () => {
      expectEqual(b.txs.length, b.header.txCount, 'transactions listed vs header txCount');
      const r = toHex(await merkleRoot(b.txs.map((t, i) => fromHex(t.id, 32, `tx[${String(i)}]`))));
      expectEqual(r, b.header.merkleRoot, 'Merkle root');
      return r;
    },
  );
  return [...head, root];
}
