/**
 * @module The identity directory on disk: a restart reads it instead of replaying the chain's
 * identities, a data directory without it is migrated at open, a changed row is named by full
 * verification, and a block that fails to commit leaves no trace of its keys.
 */
import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { generateSigner } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import { createTx } from '../core/tx.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { dataPaths } from './data-dir.ts';
import { ChainNode } from './chain-node.ts';
import { clock, registerKey, tempDir } from './chain-fixtures.test-util.ts';

async function grown(dir: string): Promise<{ keys: Signer[]; revoked: Signer }> {
  const c = clock();
  const ledger = await ChainNode.init(dir, { now: c.now });
  const keys = [generateSigner(), generateSigner(), generateSigner()];
  await registerKey(ledger, keys[0]!, 'doctor', c.now());
  await registerKey(ledger, keys[1]!, 'patient', c.now());
  await registerKey(ledger, keys[2]!, 'admin', c.now());
  const revoked = keys[0]!;
  await ledger.submit(
    createTx(ledger.signer, 'identity.revoke', { keyId: revoked.keyId }, { time: c.now() }),
  );
  await ledger.mine();
  await ledger.close();
  return { keys, revoked };
}

/** Calls of the store's by-type scan for identity transactions while `fn` runs. */
async function identityScans(fn: () => Promise<void>): Promise<number> {
  const proto = SqliteStore.prototype;
  const original = Object.getOwnPropertyDescriptor(proto, 'txsOfTypes')!;
  const scan = original.value as SqliteStore['txsOfTypes'];
  let n = 0;
  proto.txsOfTypes = function (this: SqliteStore, ...args: Parameters<SqliteStore['txsOfTypes']>) {
    if (args[0].includes('identity.register')) n++;
    return scan.apply(this, args);
  };
  try {
    await fn();
  } finally {
    Object.defineProperty(proto, 'txsOfTypes', original);
  }
  return n;
}

void describe('the directory on disk', () => {
  it('is read at open, not replayed, and equals the directory the chain gives', async () => {
    const dir = tempDir();
    const { keys, revoked } = await grown(dir);
    let ledger: ChainNode | undefined;
    assert.equal(
      await identityScans(async () => {
        ledger = await ChainNode.open(dir);
      }),
      0,
    );
    try {
      assert.ok(ledger!.directory.active(keys[1]!.keyId));
      assert.equal(ledger!.directory.active(revoked.keyId), undefined);
      assert.equal(ledger!.directory.entry(revoked.keyId)?.revokedAt, ledger!.height);
      assert.equal(
        ledger!.directory.patientKeys(ledger!.directory.entry(keys[1]!.keyId)!.patient!).length,
        1,
      );
      const r = await ledger!.verify({ full: true });
      assert.equal(r.ok, true, JSON.stringify(r.problems));
    } finally {
      await ledger?.close();
    }
  });

  it('is built from the chain at open for a data directory without it', async () => {
    const dir = tempDir();
    const { keys, revoked } = await grown(dir);
    const db = new DatabaseSync(dataPaths(dir).db);
    db.exec("DROP TABLE dir_keys; DELETE FROM meta WHERE key IN ('dir_height', 'dir_snapshot')");
    db.close();
    const ledger = await ChainNode.open(dir);
    try {
      assert.ok(ledger.directory.active(keys[2]!.keyId));
      assert.equal(ledger.directory.active(revoked.keyId), undefined);
      assert.ok(ledger.hasOrg('test-org'));
      const r = await ledger.verify({ full: true });
      assert.equal(r.ok, true, JSON.stringify(r.problems));
    } finally {
      await ledger.close();
    }
  });

  it('names a changed row at full verification', async () => {
    const dir = tempDir();
    const { keys } = await grown(dir);
    const db = new DatabaseSync(dataPaths(dir).db);
    db.prepare("UPDATE dir_keys SET role = 'admin' WHERE key_id = ?").run(keys[1]!.keyId);
    db.close();
    const ledger = await ChainNode.open(dir);
    try {
      const r = await ledger.verify({ full: true });
      assert.equal(r.ok, false);
      const p = r.problems.find((x) => x.kind === 'directory');
      assert.match(
        p?.detail ?? '',
        new RegExp(`dir_keys: key 3 \\(${keys[1]!.keyId.slice(0, 16)}…\\) differs`),
      );
    } finally {
      await ledger.close();
    }
  });

  it('names an organization that is not on the chain', async () => {
    const dir = tempDir();
    await grown(dir);
    const db = new DatabaseSync(dataPaths(dir).db);
    const snap = JSON.parse(
      (db.prepare("SELECT value FROM meta WHERE key = 'dir_snapshot'").get() as { value: string }).value,
    ) as { orgs: unknown[] };
    snap.orgs.push({ org: 'ghost', name: 'Ghost', encryptionKey: '00'.repeat(32), joinedAt: 1, host: 'x' });
    db.prepare("UPDATE meta SET value = ? WHERE key = 'dir_snapshot'").run(JSON.stringify(snap));
    db.close();
    const ledger = await ChainNode.open(dir);
    try {
      assert.ok(ledger.hasOrg('ghost'), 'the stored directory is what the node uses');
      const r = await ledger.verify({ full: true });
      assert.match(r.problems.find((x) => x.kind === 'directory')?.detail ?? '', /dir_snapshot/);
    } finally {
      await ledger.close();
    }
  });

  it('keeps nothing of a block whose store transaction fails', async () => {
    const c = clock();
    const ledger = await ChainNode.init(tempDir(), { now: c.now });
    try {
      const before = generateSigner();
      await registerKey(ledger, before, 'doctor', c.now());
      let fail = true;
      ledger.onAppend(() => {
        if (fail) throw new Error('disk full');
      });
      const key = generateSigner();
      await ledger.submit(
        createTx(
          ledger.signer,
          'org.join',
          { org: 'riverside', name: 'Riverside', encryptionKey: '11'.repeat(32) },
          { time: c.now() },
        ),
      );
      await assert.rejects(registerKey(ledger, key, 'doctor', c.now()), /disk full/);
      assert.equal(ledger.directory.entry(key.keyId), undefined);
      assert.equal(ledger.hasOrg('riverside'), false);
      assert.ok(ledger.directory.active(before.keyId));
      fail = false;
      await ledger.mine(); // the same registration, still pending, commits now
      assert.ok(ledger.directory.active(key.keyId));
      assert.ok(ledger.hasOrg('riverside'));
      const r = await ledger.verify({ full: true });
      assert.equal(r.ok, true, JSON.stringify(r.problems));
    } finally {
      await ledger.close();
    }
  });
});
