import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ZERO_HASH, blockHash, verifyBlockSignature } from '../core/block.ts';
import { fromHex, toHex } from '../core/bytes.ts';
import {
  BadSignatureError,
  BlockNotFoundError,
  LedgerExistsError,
  MalformedTxError,
  MerkleIndexError,
  NotInitializedError,
  ReplayError,
  RootMismatchError,
  TxNotFoundError,
  TxNotPermittedError,
  TxTimeError,
  UnknownSignerError,
} from '../core/errors.ts';
import { generateSigner, keyIdOf, publicKeyObject } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import { verifyConsistency, verifyInclusion } from '../core/merkle/verify.ts';
import { createTx, encodeTx } from '../core/tx.ts';
import { Ledger } from './ledger.ts';

const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A fresh empty directory under the OS temp dir, removed when the file's tests end. */
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'medledger-ledger-test-'));
  dirs.push(d);
  return d;
}

/** A settable clock, so transaction and block times are reproducible. */
function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

const h32 = (hex: string) => fromHex(hex, 32, 'hash');

/** Registers `key` with `role` through the node key and mines it into the next block. */
async function registerKey(ledger: Ledger, key: Signer, role: string, now: number): Promise<void> {
  await ledger.submit(
    createTx(ledger.signer, 'identity.register', { publicKey: toHex(key.publicKey), role }, { time: now }),
  );
  await ledger.mine();
}

void describe('Ledger.init and Ledger.open', () => {
  it('refuses to init a directory that holds a ledger', async () => {
    const dir = tempDir();
    const ledger = await Ledger.init(dir);
    await ledger.close();
    await assert.rejects(Ledger.init(dir), LedgerExistsError);
  });

  it('refuses to open an empty or missing directory', async () => {
    await assert.rejects(Ledger.open(tempDir()), NotInitializedError);
    await assert.rejects(Ledger.open(join(tempDir(), 'missing')), NotInitializedError);
  });

  it('creates a verifying genesis block at height 0', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now, chainId: 'test-chain', difficulty: 4 });
    try {
      assert.equal(ledger.height, 0);
      assert.equal(ledger.chainId, 'test-chain');
      assert.equal(ledger.minDifficulty, 4);
      assert.equal(ledger.logSize, 2);
      assert.equal(ledger.pendingCount, 0);
      const g = ledger.lastBlock();
      assert.equal(g.height, 0);
      assert.equal(g.header.prevHash, ZERO_HASH);
      assert.equal(g.header.time, T0);
      assert.equal(g.header.proposer, ledger.signer.keyId);
      assert.ok(g.hash.startsWith('0'), 'difficulty 4 means a leading zero hex digit');
      assert.deepEqual(
        g.txs.map((t) => t.type),
        ['chain.genesis', 'identity.register'],
      );
      const report = await ledger.verify({ full: true });
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.equal(report.height, 0);
      assert.equal(report.txs, 2);
    } finally {
      await ledger.close();
    }
  });
});

void describe('Ledger blocks', () => {
  it('throws BlockNotFoundError for an unknown height or hash', async () => {
    const ledger = await Ledger.init(tempDir());
    try {
      assert.throws(() => ledger.block(5), BlockNotFoundError);
      assert.throws(() => ledger.block('ab'.repeat(32)), BlockNotFoundError);
      assert.throws(() => ledger.tx('ab'.repeat(32)), TxNotFoundError);
    } finally {
      await ledger.close();
    }
  });

  it('addData and mine grow the chain; lastBlock, block(hash) and block(height) agree', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      c.advance(1000);
      const id = await ledger.addData({ patient: 'p-1', note: 'allergy: penicillin' });
      assert.equal(ledger.pendingCount, 1);
      const mined = await ledger.mine();
      assert.equal(ledger.height, 1);
      assert.equal(ledger.pendingCount, 0);
      assert.equal(ledger.logSize, 3);
      const last = ledger.lastBlock();
      assert.deepEqual(ledger.block(last.hash), last);
      assert.deepEqual(ledger.block(1), last);
      assert.equal(last.hash, mined.block.hash);
      assert.equal(last.hash, blockHash(last.header));
      assert.equal(last.header.prevHash, ledger.block(0).hash);
      assert.deepEqual(
        last.txs.map((t) => [t.id, t.type, t.signer]),
        [[id, 'data.put', ledger.signer.keyId]],
      );
      const found = ledger.tx(id);
      assert.equal(found.height, 1);
      assert.equal(found.index, 0);
      assert.equal(found.seq, 2);
      assert.deepEqual(found.tx.body.payload, { patient: 'p-1', note: 'allergy: penicillin' });

      c.advance(1000);
      await ledger.mine(); // an empty block
      assert.equal(ledger.height, 2);
      assert.equal(ledger.lastBlock().header.txCount, 0);
      assert.equal(ledger.lastBlock().header.prevHash, last.hash);
    } finally {
      await ledger.close();
    }
  });
});

void describe('Ledger.submit', () => {
  it('rejects a replay, while pending and after it is mined', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const tx = createTx(ledger.signer, 'data.put', { n: 1 }, { time: c.now() });
      await ledger.submit(tx);
      await assert.rejects(ledger.submit(tx), ReplayError);
      await assert.rejects(ledger.submit(encodeTx(tx)), ReplayError);
      await ledger.mine();
      await assert.rejects(ledger.submit(tx), ReplayError);
      await assert.rejects(ledger.submit(encodeTx(tx)), ReplayError);
      assert.equal(ledger.pendingCount, 0);
    } finally {
      await ledger.close();
    }
  });

  it('rejects a signer the ledger does not know', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const stranger = generateSigner();
      const tx = createTx(stranger, 'data.put', { n: 1 }, { time: c.now() });
      await assert.rejects(ledger.submit(tx), UnknownSignerError);
      await assert.rejects(ledger.submit(encodeTx(tx)), UnknownSignerError);
      assert.equal(ledger.pendingCount, 0);
    } finally {
      await ledger.close();
    }
  });

  it('rejects a bad signature from a registered key', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const doctor = generateSigner();
      await registerKey(ledger, doctor, 'doctor', c.now());
      const tx = createTx(doctor, 'data.put', { n: 1 }, { time: c.now() });
      const wire = encodeTx(tx);
      const flipped = (wire.sig.startsWith('0') ? '1' : '0') + wire.sig.slice(1);
      await assert.rejects(ledger.submit({ body: wire.body, sig: flipped }), BadSignatureError);
      const sig = tx.sig.slice();
      sig[40]! ^= 0x80;
      await assert.rejects(ledger.submit({ ...tx, sig }), BadSignatureError);
      // A signature by another registered key over the same id does not pass either.
      await assert.rejects(
        ledger.submit({ ...tx, sig: createTx(ledger.signer, 'data.put', 1, { time: c.now() }).sig }),
        BadSignatureError,
      );
      assert.equal(ledger.pendingCount, 0);
      // The untouched transaction is accepted: only the signature was at fault.
      assert.equal(await ledger.submit(wire), tx.id);
    } finally {
      await ledger.close();
    }
  });

  it('rejects a transaction whose time is an hour from the node clock', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      for (const offset of [HOUR, -HOUR]) {
        const tx = createTx(ledger.signer, 'data.put', { offset }, { time: c.now() + offset });
        await assert.rejects(ledger.submit(tx), TxTimeError);
      }
      const slightlyLate = createTx(ledger.signer, 'data.put', { ok: true }, { time: c.now() - 60_000 });
      assert.equal(await ledger.submit(slightlyLate), slightlyLate.id);
    } finally {
      await ledger.close();
    }
  });

  // Bug: SUBMIT_WINDOW_MS (10 min) is wider than check-block's MAX_TX_SKEW_MS (5 min). A transaction
  // 5–10 minutes ahead is admitted, then every mine() throws InvalidBlockError (tx-time) until the
  // clock catches up, because the transaction stays pending.
  it('rejects a transaction further ahead than a block may hold, so mining is not blocked', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const ahead = createTx(ledger.signer, 'data.put', { ahead: true }, { time: c.now() + 9 * 60_000 });
      await assert.rejects(ledger.submit(encodeTx(ahead)), TxTimeError);
      await ledger.mine();
      assert.equal(ledger.height, 1);
    } finally {
      await ledger.close();
    }
  });

  // Bug: a Tx object is trusted as is ('idBytes' in input), so one whose body does not hash to its id
  // is admitted (its signature is over the id) and then makes every later mine() fail.
  it('rejects a Tx object whose body does not hash to its id', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const tx = createTx(ledger.signer, 'data.put', { n: 1 }, { time: c.now() });
      const other = createTx(ledger.signer, 'data.put', { n: 2 }, { time: c.now() });
      await assert.rejects(
        ledger.submit({ ...tx, body: other.body, bodyJson: other.bodyJson }),
        (e: unknown) => e instanceof MalformedTxError || e instanceof BadSignatureError,
      );
      await ledger.mine();
      assert.equal(ledger.height, 1);
    } finally {
      await ledger.close();
    }
  });

  it('rejects identity transactions by a key without authority', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const doctor = generateSigner();
      await registerKey(ledger, doctor, 'doctor', c.now());
      const patient = generateSigner();
      const tx = createTx(
        doctor,
        'identity.register',
        { publicKey: toHex(patient.publicKey), role: 'patient' },
        { time: c.now() },
      );
      await assert.rejects(ledger.submit(tx), TxNotPermittedError);
    } finally {
      await ledger.close();
    }
  });

  it('accepts a registered key’s transactions from the block after its registration', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const doctor = generateSigner();
      await ledger.submit(
        createTx(
          ledger.signer,
          'identity.register',
          { publicKey: toHex(doctor.publicKey), role: 'doctor' },
          { time: c.now() },
        ),
      );
      const early = createTx(doctor, 'record.add', { r: 1 }, { time: c.now() });
      await assert.rejects(ledger.submit(early), UnknownSignerError);
      await ledger.mine();
      assert.equal(await ledger.submit(early), early.id);
      await ledger.mine();
      assert.equal(ledger.tx(early.id).height, 2);
    } finally {
      await ledger.close();
    }
  });
});

void describe('Ledger revocation', () => {
  it('drops a revoked key’s pending transactions at mine', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const doctor = generateSigner();
      await registerKey(ledger, doctor, 'doctor', c.now());
      const rev = createTx(ledger.signer, 'identity.revoke', { keyId: doctor.keyId }, { time: c.now() });
      await ledger.submit(rev);
      const pendingByDoctor = createTx(doctor, 'data.put', { n: 1 }, { time: c.now() });
      await ledger.submit(pendingByDoctor);
      assert.equal(ledger.pendingCount, 2);

      const revBlock = await ledger.mine({ maxTxs: 1 }); // the revocation alone
      assert.deepEqual(
        revBlock.block.txs.map((t) => t.body),
        [rev.bodyJson],
      );
      assert.equal(ledger.pendingCount, 1);

      const next = await ledger.mine();
      assert.equal(next.block.header.txCount, 0, 'the revoked key’s transaction is not mined');
      assert.equal(ledger.pendingCount, 0, 'and it is dropped');
      assert.throws(() => ledger.tx(pendingByDoctor.id), TxNotFoundError);

      const later = createTx(doctor, 'data.put', { n: 2 }, { time: c.now() });
      await assert.rejects(ledger.submit(later), UnknownSignerError);
      const report = await ledger.verify({ full: true });
      assert.equal(report.ok, true, JSON.stringify(report.problems));
    } finally {
      await ledger.close();
    }
  });
});

void describe('Ledger proofs', () => {
  it('gives inclusion proofs that verify against the signed head with core functions only', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      const ids: string[] = [];
      for (let b = 0; b < 5; b++) {
        c.advance(1000);
        for (let i = 0; i <= b; i++) ids.push(await ledger.addData({ b, i }));
        await ledger.mine();
      }
      const genesisIds = ledger.block(0).txs.map((t) => t.id);
      const all = [...genesisIds, ...ids];
      assert.equal(ledger.logSize, all.length);
      for (const [seq, txId] of all.entries()) {
        const p = ledger.inclusionProof(txId);
        assert.equal(p.txId, txId);
        assert.equal(p.leafIndex, seq);
        assert.equal(p.treeSize, all.length);
        // The head: its hash is the hash of its header, signed by the proposer named in it.
        const head = p.head;
        assert.equal(blockHash(head.header), head.hash);
        assert.equal(keyIdOf(fromHex(p.proposerPublicKey, 32, 'publicKey')), head.header.proposer);
        const sig = fromHex(head.signature, 64, 'signature');
        assert.ok(verifyBlockSignature(publicKeyObject(p.proposerPublicKey), head.hash, sig));
        assert.equal(head.header.logSize, p.treeSize);
        // The transaction id is its RFC 6962 leaf hash, so it goes into the proof as is.
        verifyInclusion(p.leafIndex, p.treeSize, h32(txId), p.proof.map(h32), h32(head.header.logRoot));
      }
      // A proof for one transaction does not prove another.
      const p = ledger.inclusionProof(all[3]!);
      assert.throws(() => {
        verifyInclusion(p.leafIndex, p.treeSize, h32(all[4]!), p.proof.map(h32), h32(p.head.header.logRoot));
      }, RootMismatchError);
      assert.throws(() => ledger.inclusionProof('ab'.repeat(32)), TxNotFoundError);
    } finally {
      await ledger.close();
    }
  });

  it('gives consistency proofs that verify between any two heads', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now });
    try {
      for (let b = 0; b < 6; b++) {
        c.advance(1000);
        for (let i = 0; i < (b % 3) + 1; i++) await ledger.addData({ b, i });
        await ledger.mine();
      }
      const heads = Array.from({ length: ledger.height + 1 }, (_, h) => ledger.block(h).header);
      for (const a of heads) {
        for (const b of heads) {
          if (a.logSize > b.logSize) continue;
          const proof = ledger.consistencyProof(a.logSize, b.logSize).map(h32);
          verifyConsistency(a.logSize, b.logSize, proof, h32(a.logRoot), h32(b.logRoot));
        }
      }
      assert.throws(() => ledger.consistencyProof(3, 2), MerkleIndexError);
      // A proof between two sizes does not tie a head to a different old root.
      const [first, last] = [heads[1]!, heads.at(-1)!];
      const proof = ledger.consistencyProof(first.logSize, last.logSize).map(h32);
      assert.throws(() => {
        verifyConsistency(first.logSize, last.logSize, proof, h32(heads[0]!.logRoot), h32(last.logRoot));
      }, RootMismatchError);
    } finally {
      await ledger.close();
    }
  });
  // Bug: a size beyond the log is not checked up front; the missing stored node surfaces as
  // InvalidBlockError ("Merkle node … is missing from the store"), which reads as store corruption.
  it('rejects a consistency proof to a size beyond the log', async () => {
    const ledger = await Ledger.init(tempDir());
    try {
      assert.throws(() => ledger.consistencyProof(1, ledger.logSize + 100), MerkleIndexError);
    } finally {
      await ledger.close();
    }
  });
});

void describe('Ledger persistence', () => {
  it('reopens at the same height, verifying from the checkpoint, and keeps working', async () => {
    const dir = tempDir();
    const c = clock();
    const first = await Ledger.init(dir, { now: c.now });
    const ids: string[] = [];
    for (let b = 0; b < 3; b++) {
      c.advance(1000);
      ids.push(await first.addData({ b }));
      await first.mine();
    }
    const head = first.lastBlock();
    const keyId = first.signer.keyId;
    await first.close();

    const reopened = await Ledger.open(dir, { now: c.now });
    try {
      assert.equal(reopened.height, 3);
      assert.equal(reopened.signer.keyId, keyId);
      assert.deepEqual(reopened.lastBlock(), head);
      assert.equal(reopened.logSize, 5);
      const report = reopened.openReport;
      assert.ok(report);
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.ok(report.verifiedFrom > 0, `verifiedFrom ${report.verifiedFrom}`);
      // Replays are still detected against the stored log.
      await assert.rejects(reopened.submit(encodeTx(reopened.tx(ids[0]!).tx)), ReplayError);
      c.advance(1000);
      const id = await reopened.addData({ after: 'reopen' });
      await reopened.mine();
      assert.equal(reopened.height, 4);
      assert.equal(reopened.tx(id).height, 4);
      const full = await reopened.verify({ full: true });
      assert.equal(full.ok, true, JSON.stringify(full.problems));
      assert.equal(full.verifiedFrom, 0);
      assert.equal(full.height, 4);
      assert.equal(full.txs, 6);
    } finally {
      await reopened.close();
    }

    const again = await Ledger.open(dir, { now: c.now, verify: 'full' });
    try {
      assert.equal(again.openReport?.ok, true);
      assert.equal(again.openReport.verifiedFrom, 0);
      assert.equal(again.height, 4);
    } finally {
      await again.close();
    }
  });

  it('verify({full: true}) checks every block and signature', async () => {
    const c = clock();
    const ledger = await Ledger.init(tempDir(), { now: c.now, difficulty: 2 });
    try {
      const doctor = generateSigner();
      await registerKey(ledger, doctor, 'doctor', c.now());
      c.advance(1000);
      await ledger.submit(createTx(doctor, 'record.add', { r: 1 }, { time: c.now() }));
      await ledger.addData({ d: 1 });
      await ledger.mine();
      const report = await ledger.verify({ full: true });
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.equal(report.verifiedFrom, 0);
      assert.equal(report.height, 2);
      assert.equal(report.txs, 5);
      // 5 transaction signatures and 3 block signatures.
      assert.equal(report.signaturesChecked, 8);
    } finally {
      await ledger.close();
    }
  });
});
