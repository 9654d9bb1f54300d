/**
 * @module
 * Forgeries at small parameters: each attempt is rejected with its own error code by the real
 * ledger and the core proof verifier, the genuine controls pass, and the S + L malleation is checked
 * against the RFC 8032 §7.1 test 1 vector (valid as signed, rejected once malleated).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../core/bytes.ts';
import { ArgumentValueError } from '../core/errors.ts';
import { publicKeyObject, signBytes, signerFromSeed, verifyBytes } from '../core/keys.ts';
import { AttemptLog, runForgery } from './forgery.ts';
import { malleate } from './forgery-signatures.ts';

// RFC 8032 §7.1, TEST 1 (empty message).
const SEED = '9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60';
const PUB = 'd75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a';
const SIG =
  'e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b';
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function sOf(sig: Uint8Array): bigint {
  let s = 0n;
  for (let i = 63; i >= 32; i--) s = (s << 8n) | BigInt(sig[i]!);
  return s;
}

describe('malleate', () => {
  it('adds L to S and the verifier rejects it (RFC 8032 §5.1.7: S must be below L)', () => {
    const signer = signerFromSeed(fromHex(SEED, 32, 'seed'));
    assert.equal(toHex(signer.publicKey), PUB);
    const sig = signBytes(signer.privateKey, new Uint8Array(0));
    assert.equal(toHex(sig), SIG);
    const key = publicKeyObject(PUB);
    assert.equal(verifyBytes(key, new Uint8Array(0), sig), true);
    const m = malleate(sig);
    assert.deepEqual(m.subarray(0, 32), sig.subarray(0, 32));
    assert.equal(sOf(m) - sOf(sig), L);
    assert.equal(verifyBytes(key, new Uint8Array(0), m), false);
  });
});

describe('AttemptLog', () => {
  it('records an accepted attempt as not rejected', async () => {
    const log = new AttemptLog();
    await log.try('signature', 'x', 'ML_ERR_TX_BAD_SIGNATURE', () => undefined);
    assert.deepEqual(log.attempts[0], {
      category: 'signature',
      attack: 'x',
      expected: 'ML_ERR_TX_BAD_SIGNATURE',
      got: 'accepted',
      rejected: false,
    });
  });

  it('lets a harness bug through instead of counting it as a rejection', async () => {
    const log = new AttemptLog();
    await assert.rejects(
      log.try('signature', 'x', 'y', () => {
        throw new TypeError('bug');
      }),
      TypeError,
    );
    await log.try('signature', 'typed', 'ML_ERR_ARG_VALUE', () => {
      throw new ArgumentValueError('a', 'b');
    });
    assert.equal(log.attempts.length, 1);
    assert.equal(log.attempts[0]!.got, 'ML_ERR_ARG_VALUE');
  });
});

describe('forgery', () => {
  it('rejects every forgery with its specific code; the genuine controls pass', async () => {
    const f = await runForgery({ bitFlips: 4, verifies: 200 });
    for (const a of f.attempts) assert.equal(a.got, a.expected, `${a.category}: ${a.attack}`);
    assert.equal(f.rejected, f.attempted);
    assert.equal(f.asExpected, f.attempted);
    assert.deepEqual(f.controls, {
      genuineTxAccepted: true,
      genuineProofVerifies: true,
      genuineHeadSignatureVerifies: true,
    });
    const codes = new Set(f.attempts.map((a) => a.got));
    for (const c of [
      'ML_ERR_TX_BAD_SIGNATURE',
      'ML_ERR_TX_UNKNOWN_SIGNER',
      'ML_ERR_TX_MALFORMED',
      'ML_ERR_TX_NOT_PERMITTED',
      'ML_ERR_TX_REPLAY',
      'ML_ERR_TX_TIME',
      'ML_ERR_MERKLE_ROOT_MISMATCH',
      'ML_ERR_MERKLE_PROOF_SIZE',
      'ML_ERR_MERKLE_INDEX',
      'block-signature',
    ])
      assert.ok(codes.has(c), c);
    assert.deepEqual(
      new Set(f.attempts.map((a) => a.category)),
      new Set(['signature', 'authority', 'replay', 'merkle-proof']),
    );
    assert.equal(f.attempts.filter((a) => a.attack.includes('flipped')).length, 4);
    assert.equal(f.signatureForgery.expected.seconds, 2 ** 128 / f.signatureForgery.verifiesPerSec);
  });
});
