/** @module ChainNode admission: replay, signer, signature, time, authority and revocation checks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BadSignatureError,
  MalformedTxError,
  ReplayError,
  TxNotFoundError,
  TxNotPermittedError,
  TxTimeError,
  UnknownSignerError,
} from '../core/errors.ts';
import { generateSigner } from '../core/keys.ts';
import { createTx, decodeTx, encodeTx } from '../core/tx.ts';
import { ChainNode } from './chain-node.ts';
import {
  HOUR,
  clock,
  ensureTestOrg,
  registerKey,
  registration,
  tempDir,
} from './chain-fixtures.test-util.ts';

void describe('ChainNode.submit', () => {
  it('rejects a replay, while pending and after it is mined', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
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

  it('searches the store only for transactions it may have seen: a fresh one made here is searched once resubmitted', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
    try {
      const searched: string[][] = [];
      const real = ledger.store.presentTxIds.bind(ledger.store);
      ledger.store.presentTxIds = (ids) => {
        searched.push([...ids]);
        return real(ids);
      };
      const fresh = createTx(ledger.signer, 'data.put', { n: 1 }, { time: c.now() });
      await ledger.submit(fresh, { signedHere: true });
      assert.deepEqual(searched, []);
      await ledger.mine();
      // Submitted again after its block (signedHere or not): searched, found, refused.
      await assert.rejects(ledger.submit(fresh, { signedHere: true }), ReplayError);
      await assert.rejects(ledger.submit(fresh), ReplayError);
      assert.deepEqual(searched, [[fresh.id], [fresh.id]]);
      // A nonce the caller chose may repeat a stored transaction: searched.
      const chosen = createTx(
        ledger.signer,
        'data.put',
        { n: 1 },
        { time: c.now(), nonce: fresh.body.nonce },
      );
      await assert.rejects(ledger.submit(chosen, { signedHere: true }), ReplayError);
      assert.equal(searched.length, 3);
      assert.equal(ledger.pendingCount, 0);
    } finally {
      await ledger.close();
    }
  });

  it('rejects a signer the ledger does not know', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
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
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
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

  it('trusts a signature as made here only for the objects createTx returned, never for decoded input', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
    try {
      const txs = [1, 2].map((n) => createTx(ledger.signer, 'data.put', { n }, { time: c.now() }));
      const wire = encodeTx(txs[0]!);
      const flipped = { body: wire.body, sig: (wire.sig.startsWith('0') ? '1' : '0') + wire.sig.slice(1) };
      for (const signedHere of [true, false]) {
        const [r] = await ledger.submitMany([flipped], { signedHere });
        assert.ok(r && 'error' in r && r.error instanceof BadSignatureError);
        // Decoded into a Tx object (as a peer's transaction would be), it is still checked.
        const [d] = await ledger.submitMany([decodeTx(flipped)], { signedHere });
        assert.ok(d && 'error' in d && d.error instanceof BadSignatureError);
        await assert.rejects(ledger.submit(decodeTx(flipped), { signedHere }), BadSignatureError);
      }
      // A mixed batch is not trusted either: each signature is checked.
      const mixed = await ledger.submitMany([txs[1]!, flipped], { signedHere: true });
      assert.ok(mixed[1] && 'error' in mixed[1] && mixed[1].error instanceof BadSignatureError);
      assert.deepEqual(mixed[0], { id: txs[1]!.id });
      assert.deepEqual(await ledger.submitMany([txs[0]!], { signedHere: true }), [{ id: txs[0]!.id }]);
    } finally {
      await ledger.close();
    }
  });

  it('rejects a transaction whose time is an hour from the node clock', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
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
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
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
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
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
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
    try {
      const doctor = generateSigner();
      await registerKey(ledger, doctor, 'doctor', c.now());
      const patient = generateSigner();
      const tx = createTx(doctor, 'identity.register', registration(patient, 'patient'), { time: c.now() });
      await assert.rejects(ledger.submit(tx), TxNotPermittedError);
    } finally {
      await ledger.close();
    }
  });

  it('accepts a registered key’s transactions from the block after its registration', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
    try {
      const doctor = generateSigner();
      await ensureTestOrg(ledger, c.now());
      await ledger.submit(
        createTx(ledger.signer, 'identity.register', registration(doctor, 'doctor'), { time: c.now() }),
      );
      const early = createTx(doctor, 'data.put', { r: 1 }, { time: c.now() });
      await assert.rejects(ledger.submit(early), UnknownSignerError);
      await ledger.mine();
      assert.equal(await ledger.submit(early), early.id);
      await ledger.mine();
      assert.equal(ledger.tx(early.id).height, 3);
    } finally {
      await ledger.close();
    }
  });
});

void describe('ChainNode revocation', () => {
  it('drops a revoked key’s pending transactions at mine', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
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
