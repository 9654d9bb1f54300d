/**
 * @module
 * Forged transaction signatures and forged authority, submitted to a real ChainNode: random, zero and
 * transplanted signatures, a payload changed after signing, single-bit flips, the non-canonical
 * S + L encoding that RFC 8032 §5.1.7 requires verifiers to reject (signature malleability), another
 * key signing in a registered key's name, an unregistered key, a non-canonical body, and a
 * registered doctor signing what only a node or admin may sign. Each has its expected error code.
 */
import { randomBytes } from 'node:crypto';
import { toHex } from '../core/bytes.ts';
import { canonicalize } from '../core/canonical-json.ts';
import { generateSigner, signBytes } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import { createTx, txIdOf } from '../core/tx.ts';
import type { Tx, WireTx } from '../core/tx.ts';
import type { ChainNode } from '../chain/chain-node.ts';
import type { AttemptLog } from './attempt-log.ts';
import { mutatePayload } from './rewrite-chain.ts';

/** The order of the Ed25519 base point, RFC 8032 §5.1. */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

/** The same signature with S replaced by S + L: valid arithmetic, forbidden encoding. */
export function malleate(sig: Uint8Array): Uint8Array {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
  s += L;
  const out = Uint8Array.from(sig);
  for (let i = 32; i < 64; i++) {
    out[i] = Number(s & 0xffn);
    s >>= 8n;
  }
  return out;
}

const BAD = 'ML_ERR_TX_BAD_SIGNATURE';

export async function forgeSignatures(
  log: AttemptLog,
  ledger: ChainNode,
  doctor: Signer,
  genuine: Tx,
  bitFlips: number,
): Promise<void> {
  const submit = (w: WireTx) => async (): Promise<undefined> => {
    await ledger.submit(w);
    return undefined;
  };
  const fresh = (): Tx => createTx(doctor, 'data.put', { sample: 'attack-lab', forged: true });
  const t = fresh();
  const sig = (s: Uint8Array): WireTx => ({ body: t.bodyJson, sig: toHex(s) });
  await log.try('signature', 'random signature', BAD, submit(sig(randomBytes(64))));
  await log.try('signature', 'all-zero signature', BAD, submit(sig(new Uint8Array(64))));
  await log.try(
    'signature',
    'signature transplanted from a committed transaction',
    BAD,
    submit({ body: fresh().bodyJson, sig: toHex(genuine.sig) }),
  );
  await log.try(
    'signature',
    'payload changed after signing',
    BAD,
    submit({ body: canonicalize({ ...t.body, payload: mutatePayload(t.body.payload) }), sig: toHex(t.sig) }),
  );
  for (let i = 0; i < bitFlips; i++) {
    const bit = Math.floor((i * 512) / bitFlips);
    const flipped = Uint8Array.from(t.sig);
    flipped[bit >> 3]! ^= 1 << (bit & 7);
    await log.try('signature', `valid signature with bit ${String(bit)} flipped`, BAD, submit(sig(flipped)));
  }
  await log.try(
    'signature',
    'non-canonical S + L (RFC 8032 malleability)',
    BAD,
    submit(sig(malleate(t.sig))),
  );

  const attacker = generateSigner();
  const impersonated = canonicalize({ ...t.body, nonce: toHex(randomBytes(16)) });
  await log.try(
    'signature',
    "attacker's key signing in the doctor's name",
    BAD,
    submit({ body: impersonated, sig: toHex(signBytes(attacker.privateKey, txIdOf(impersonated))) }),
  );
  await log.try(
    'signature',
    "attacker's own, unregistered key",
    'ML_ERR_TX_UNKNOWN_SIGNER',
    submit({ body: createTx(attacker, 'data.put', { sample: 'attack-lab' }).bodyJson, sig: toHex(t.sig) }),
  );
  await log.try(
    'signature',
    'signed body re-encoded (not RFC 8785 canonical)',
    'ML_ERR_TX_MALFORMED',
    submit({ body: t.bodyJson.replace('{', '{ '), sig: toHex(t.sig) }),
  );

  const doctorSigns = (
    type: 'org.join' | 'identity.register',
    payload: Parameters<typeof createTx>[2],
  ): WireTx => {
    const tx = createTx(doctor, type, payload);
    return { body: tx.bodyJson, sig: toHex(tx.sig) };
  };
  await log.try(
    'authority',
    'doctor signs org.join (node only)',
    'ML_ERR_TX_NOT_PERMITTED',
    submit(doctorSigns('org.join', { org: 'rogue', name: 'Rogue', encryptionKey: toHex(randomBytes(32)) })),
  );
  await log.try(
    'authority',
    'doctor registers an admin key (node or admin only)',
    'ML_ERR_TX_NOT_PERMITTED',
    submit(
      doctorSigns('identity.register', {
        publicKey: toHex(attacker.publicKey),
        role: 'admin',
        org: 'attack-lab',
        encryptionKey: toHex(randomBytes(32)),
      }),
    ),
  );
}
