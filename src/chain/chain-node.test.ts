/** @module ChainNode lifecycle: init, open, blocks, persistence and full verification. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { ZERO_HASH, blockHash } from '../core/block.ts';
import {
  BlockNotFoundError,
  LedgerExistsError,
  NotInitializedError,
  ReplayError,
  TxNotFoundError,
} from '../core/errors.ts';
import { generateSigner } from '../core/keys.ts';
import { createTx, encodeTx } from '../core/tx.ts';
import { ChainNode } from './chain-node.ts';
import { T0, clock, registerKey, tempDir } from './chain-fixtures.test-util.ts';

void describe('ChainNode.init and ChainNode.open', () => {
  it('refuses to init a directory that holds a ledger', async () => {
    const dir = tempDir();
    const ledger = await ChainNode.init(dir);
    await ledger.close();
    await assert.rejects(ChainNode.init(dir), LedgerExistsError);
  });

  it('refuses to open an empty or missing directory', async () => {
    await assert.rejects(ChainNode.open(tempDir()), NotInitializedError);
    await assert.rejects(ChainNode.open(join(tempDir(), 'missing')), NotInitializedError);
  });

  it('creates a verifying genesis block at height 0', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now, chainId: 'test-chain', difficulty: 4 });
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

void describe('ChainNode blocks', () => {
  it('throws BlockNotFoundError for an unknown height or hash', async () => {
    const ledger = await ChainNode.init(tempDir());
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
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
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

void describe('ChainNode persistence', () => {
  it("at open reads the log's first and last positions: a row outside them is named; verify() and full runs count", async () => {
    const dir = tempDir();
    const c = clock();
    const first = await ChainNode.init(dir, { now: c.now });
    for (let b = 0; b < 3; b++) {
      c.advance(1000);
      await first.addData({ b });
      await first.addData({ b, again: true });
      await first.mine();
    }
    await first.close();
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
    const copyRow = (seq: number): void => {
      db.prepare(
        'INSERT INTO txs (seq, id, height, type, body, sig) SELECT ?, randomblob(32), height, type, body, sig FROM txs WHERE seq = 3',
      ).run(seq);
    };
    const openProblems = async (): Promise<string[]> => {
      const l = await ChainNode.open(dir, { now: c.now });
      try {
        return l.openReport!.problems.map((p) => `${p.kind}@${String(p.height)}`);
      } finally {
        await l.close();
      }
    };
    try {
      copyRow(-1); // a row before the log's start
      assert.deepEqual(await openProblems(), ['tx-count@3']);
      db.prepare('DELETE FROM txs WHERE seq = -1').run();
      const { end } = db.prepare('SELECT max(seq) + 1 AS end FROM txs').get() as { end: number };
      copyRow(end); // a row past its end
      assert.deepEqual(await openProblems(), ['tx-count@3']);
      db.prepare('DELETE FROM txs WHERE seq = ?').run(end);
      assert.deepEqual(await openProblems(), []);
      // Deleted between them: open reads no count (a full run and the monitor's sweep name the block).
      db.prepare('DELETE FROM txs WHERE seq = 3').run();
      const l = await ChainNode.open(dir, { now: c.now });
      try {
        const full = await l.verify({ full: true });
        assert.ok(
          full.problems.some((p) => p.kind === 'merkle-root'),
          JSON.stringify(full.problems),
        );
        const counted = await l.verify();
        assert.ok(
          counted.problems.some((p) => p.kind === 'tx-count'),
          'verify() counts the rows',
        );
      } finally {
        await l.close();
      }
    } finally {
      db.close();
    }
  });

  it('reopens at the same height, verifying from the checkpoint, and keeps working', async () => {
    const dir = tempDir();
    const c = clock();
    const first = await ChainNode.init(dir, { now: c.now });
    const ids: string[] = [];
    for (let b = 0; b < 3; b++) {
      c.advance(1000);
      ids.push(await first.addData({ b }));
      await first.mine();
    }
    const head = first.lastBlock();
    const keyId = first.signer.keyId;
    await first.close();

    const reopened = await ChainNode.open(dir, { now: c.now });
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

    const again = await ChainNode.open(dir, { now: c.now, verify: 'full' });
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
    const ledger = await ChainNode.init(tempDir(), { now: c.now, difficulty: 2 });
    try {
      const doctor = generateSigner();
      await registerKey(ledger, doctor, 'doctor', c.now());
      c.advance(1000);
      await ledger.submit(createTx(doctor, 'data.put', { r: 1 }, { time: c.now() }));
      await ledger.addData({ d: 1 });
      await ledger.mine();
      const report = await ledger.verify({ full: true });
      assert.equal(report.ok, true, JSON.stringify(report.problems));
      assert.equal(report.verifiedFrom, 0);
      assert.equal(report.height, 3);
      assert.equal(report.txs, 6);
      // 6 transaction signatures and 4 block signatures.
      assert.equal(report.signaturesChecked, 10);
    } finally {
      await ledger.close();
    }
  });
});
