/**
 * @module
 * Attack lab, scenario 4: forgeries. Against a real ChainNode (admission: canonical form, time window,
 * replay, signer, Ed25519 signature, RFC 8032) and the core RFC 9162 proof verifier, it tries
 * forged transaction signatures, transactions a key may not sign, replays, and forged Merkle
 * inclusion proofs and signed heads, and counts what was attempted and what was rejected, with the
 * error code each must give. Controls (a genuine transaction, proof and head) must pass. Forging an
 * Ed25519 signature outright costs about 2^128 operations (RFC 8032 §8 / RFC 7748 security level),
 * priced here at the measured verification rate as if every verify were a free forgery attempt.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { blockHash, verifyBlockSignature } from '../core/block.ts';
import { fromHex, toHex } from '../core/bytes.ts';
import { canonicalize } from '../core/canonical-json.ts';
import { generateSigner, publicKeyObject, verifyBytes } from '../core/keys.ts';
import { verifyInclusion } from '../core/merkle/verify.ts';
import { createTx, encodeTx } from '../core/tx.ts';
import type { WireTx } from '../core/tx.ts';
import { ChainNode } from '../chain/chain-node.ts';
import { AttemptLog } from './attempt-log.ts';
import type { ForgeryAttempt } from './attempt-log.ts';
import { forgeProofs } from './forgery-proofs.ts';
import { forgeSignatures } from './forgery-signatures.ts';
import { duration, perSecond } from './units.ts';
import type { Duration } from './units.ts';
import { workspace } from './workspace.ts';

export { AttemptLog } from './attempt-log.ts';
export type { AttemptFn, ForgeryAttempt, ForgeryCategory } from './attempt-log.ts';

export interface ForgeryOptions {
  /** Single-bit flips of a valid signature to try (default 32). */
  readonly bitFlips?: number;
  /** Verifications timed for the forgery price (default 5,000). */
  readonly verifies?: number;
}

export interface ForgeryResult {
  readonly date: string;
  readonly attempts: readonly ForgeryAttempt[];
  readonly attempted: number;
  readonly rejected: number;
  /** Attempts rejected with exactly the expected code. */
  readonly asExpected: number;
  readonly controls: {
    readonly genuineTxAccepted: boolean;
    readonly genuineProofVerifies: boolean;
    readonly genuineHeadSignatureVerifies: boolean;
  };
  readonly signatureForgery: {
    readonly securityBits: 128;
    readonly verifiesPerSec: number;
    readonly expected: Duration;
  };
}

/** A fresh ledger with a registered doctor and a few committed `data.put` transactions. */
async function setup(dir: string): Promise<{ ledger: ChainNode; doctor: ReturnType<typeof generateSigner> }> {
  const ledger = await ChainNode.init(dir, { difficulty: 0, chainId: 'medledger-attack-forgery' });
  const doctor = generateSigner();
  const node = ledger.signer;
  await ledger.submit(
    createTx(node, 'org.join', {
      org: 'attack-lab',
      name: 'Attack Lab',
      encryptionKey: toHex(randomBytes(32)),
    }),
  );
  await ledger.mine();
  await ledger.submit(
    createTx(node, 'identity.register', {
      publicKey: toHex(doctor.publicKey),
      role: 'doctor',
      org: 'attack-lab',
      encryptionKey: toHex(randomBytes(32)),
    }),
  );
  await ledger.mine();
  return { ledger, doctor };
}

function measureVerifies(n: number): number {
  const s = generateSigner();
  const msg = randomBytes(32);
  const tx = createTx(s, 'data.put', { sample: 'attack-lab' });
  const key = publicKeyObject(s.publicKey);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) verifyBytes(key, i % 2 ? msg : tx.idBytes, tx.sig);
  return perSecond(n, performance.now() - t0);
}

export async function runForgery(opts: ForgeryOptions = {}): Promise<ForgeryResult> {
  const ws = workspace('forgery');
  const { ledger, doctor } = await setup(join(ws.dir, 'chain'));
  try {
    const log = new AttemptLog();
    // Control: a genuine transaction of the doctor is accepted and committed, with a few after it.
    const genuine = createTx(doctor, 'data.put', { sample: 'attack-lab', reading: 1 });
    const genuineTxAccepted = (await ledger.submit(encodeTx(genuine))) === genuine.id;
    for (let i = 2; i <= 6; i++)
      await ledger.submit(encodeTx(createTx(doctor, 'data.put', { sample: 'attack-lab', reading: i })));
    await ledger.mine();

    await forgeSignatures(log, ledger, doctor, genuine, opts.bitFlips ?? 32);
    await forgeReplays(log, ledger, doctor, genuine);

    const proof = ledger.inclusionProof(genuine.id);
    const nodeKey = publicKeyObject(ledger.signer.publicKey);
    const root = fromHex(proof.head.header.logRoot, 32, 'logRoot');
    const path = proof.proof.map((p) => fromHex(p, 32, 'proof'));
    let genuineProofVerifies = true;
    try {
      verifyInclusion(proof.leafIndex, proof.treeSize, genuine.idBytes, path, root);
    } catch {
      genuineProofVerifies = false;
    }
    const genuineHeadSignatureVerifies =
      blockHash(proof.head.header) === proof.head.hash &&
      verifyBlockSignature(nodeKey, proof.head.hash, fromHex(proof.head.signature, 64, 'signature'));
    await forgeProofs(log, proof, genuine.idBytes, nodeKey);

    const verifiesPerSec = measureVerifies(opts.verifies ?? 5000);
    const a = log.attempts;
    return {
      date: new Date().toISOString(),
      attempts: a,
      attempted: a.length,
      rejected: a.filter((x) => x.rejected).length,
      asExpected: a.filter((x) => x.got === x.expected).length,
      controls: { genuineTxAccepted, genuineProofVerifies, genuineHeadSignatureVerifies },
      signatureForgery: {
        securityBits: 128,
        verifiesPerSec,
        expected: duration(2 ** 128 / verifiesPerSec),
      },
    };
  } finally {
    await ledger.close();
    ws.dispose();
  }
}

/** Replays: committed, pending, in one batch, re-dated, stale and pre-dated transactions. */
async function forgeReplays(
  log: AttemptLog,
  ledger: ChainNode,
  doctor: ReturnType<typeof generateSigner>,
  committed: ReturnType<typeof createTx>,
): Promise<void> {
  await log.try('replay', 'committed transaction submitted again', 'ML_ERR_TX_REPLAY', async () => {
    await ledger.submit(encodeTx(committed));
    return undefined;
  });
  const pending = createTx(doctor, 'data.put', { sample: 'attack-lab', reading: 7 });
  await ledger.submit(encodeTx(pending));
  await log.try('replay', 'pending transaction submitted twice', 'ML_ERR_TX_REPLAY', async () => {
    await ledger.submit(encodeTx(pending));
    return undefined;
  });
  const twice = encodeTx(createTx(doctor, 'data.put', { sample: 'attack-lab', reading: 8 }));
  await log.try('replay', 'same transaction twice in one batch', 'ML_ERR_TX_REPLAY', async () => {
    const r = await ledger.submitMany([twice, twice]);
    const second = r[1]!;
    if ('error' in second) throw second.error;
    return undefined;
  });
  await log.try(
    'replay',
    'committed transaction re-dated, old signature kept',
    'ML_ERR_TX_BAD_SIGNATURE',
    async () => {
      const wire: WireTx = {
        body: canonicalize({ ...committed.body, time: Date.now() }),
        sig: toHex(committed.sig),
      };
      await ledger.submit(wire);
      return undefined;
    },
  );
  for (const [attack, offset] of [
    ['stale transaction, signed 11 minutes ago', -11 * 60_000],
    ['pre-dated transaction, 6 minutes ahead', 6 * 60_000],
  ] as const)
    await log.try('replay', attack, 'ML_ERR_TX_TIME', async () => {
      await ledger.submit(
        encodeTx(createTx(doctor, 'data.put', { sample: 'attack-lab' }, { time: Date.now() + offset })),
      );
      return undefined;
    });
  await ledger.mine();
}
