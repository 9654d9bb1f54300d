/**
 * @module
 * Checks of one signed block header against the key the user trusts, as src/core/block.ts and
 * src/core/pow.ts define them: the hash is recomputed from the header (never taken from the node),
 * it meets the header's proof-of-work difficulty, the proposer is the trusted key's id, and the
 * Ed25519 signature of the recomputed hash verifies with that key.
 */
import { fromHex, toHex } from './bytes.ts';
import type { Bytes } from './bytes.ts';
import type { Check } from './checks.ts';
import { expectEqual, Failed, runCheck, short } from './checks.ts';
import { blockHashOf, keyIdOf, leadingZeroBits, verifyEd25519 } from './hashes.ts';
import type { SignedHeadJson } from '../../../../src/api/contract/chain.ts';

/** The four checks of a signed header; `which` names it in the check ids ('head' or 'block'). */
export async function checkSignedHead(
  which: 'head' | 'block',
  h: SignedHeadJson,
  trustedKey: string,
): Promise<Check[]> {
  const name = which === 'head' ? 'Signed head' : 'Block';
  let hash: Bytes | undefined;
  const hashCheck = await runCheck(
    `${which}-hash`,
    `${name} hash = SHA-256("medledger:block:v1" ‖ 0x00 ‖ canonical header)`,
    async () => {
      hash = await blockHashOf(h.header);
      expectEqual(toHex(hash), h.hash, 'recomputed hash vs the hash sent');
      return toHex(hash);
    },
  );
  const pow = await runCheck(`${which}-pow`, `${name} proof-of-work`, () => {
    if (!hash) throw new Failed('no hash to check');
    const bits = leadingZeroBits(hash);
    const want = h.header.difficulty;
    if (typeof want !== 'number' || bits < want)
      throw new Failed(`${String(bits)} leading zero bits, difficulty ${String(want)}`);
    return `${String(bits)} leading zero bits ≥ difficulty ${String(want)}`;
  });
  const proposer = await runCheck(
    `${which}-proposer`,
    `${name} proposer is the trusted node key`,
    async () => {
      const id = toHex(await keyIdOf(fromHex(trustedKey, 32, 'trusted key')));
      expectEqual(h.header.proposer, id, 'proposer key id');
      return `key id ${short(id)}`;
    },
  );
  const signature = await runCheck(
    `${which}-signature`,
    `${name} Ed25519 signature verifies with the trusted key`,
    async () => {
      const key = fromHex(trustedKey, 32, 'trusted key');
      const sig = fromHex(h.signature, 64, 'signature');
      // Over the recomputed hash: a signature over whatever hash the node sent proves nothing.
      if (!hash) throw new Failed('no hash to check the signature over');
      if (!(await verifyEd25519(key, hash, sig))) throw new Failed('signature does not verify');
      return `signature ${short(h.signature)}`;
    },
  );
  return [hashCheck, pow, proposer, signature];
}
