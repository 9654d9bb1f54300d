import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { SqliteVault } from './sqlite-vault.ts';
import { vaultConformance } from './vault-conformance.test-util.ts';
import { blobFindings } from './vault-check.ts';
import { sha256Hex } from './vault.ts';
import type { Vault, WrappedKeyRow } from './vault.ts';

const dir = mkdtempSync(join(tmpdir(), 'medledger-vault-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
vaultConformance('SqliteVault', {
  create: (opts = {}) => {
    const vault = new SqliteVault(join(dir, `conformance${++n}.sqlite`), { records: opts.records });
    // As a vault written before ciphertexts were kept by record holds them.
    const legacy = vault.db.prepare('INSERT INTO blobs (hash, data) VALUES (?, ?)');
    for (const data of opts.legacy ?? []) legacy.run(Buffer.from(sha256Hex(data), 'hex'), data);
    return vault;
  },
  reopen: (vault: Vault) => {
    if (!(vault instanceof SqliteVault)) throw new TypeError('not a SqliteVault');
    vault.close();
    return new SqliteVault(vault.path);
  },
});

function row(record: string): WrappedKeyRow {
  return { record, recipient: 'org:a', enc: 'ab'.repeat(32), ct: 'cd'.repeat(48) };
}

describe('vault putSoon', () => {
  it('stores the puts of one turn in one transaction, each readable once its promise resolves', async () => {
    const vault = new SqliteVault(join(dir, 'soon.sqlite'));
    const commits: string[] = [];
    const exec = vault.db.exec.bind(vault.db);
    vault.db.exec = (sql: string) => {
      if (sql === 'COMMIT') commits.push(sql);
      exec(sql);
    };
    const blobs = [1, 2, 3].map((i) => new Uint8Array([i, i, i]));
    await Promise.all(
      blobs.map((b, i) =>
        vault.putSoon({ blobs: [{ record: `r${String(i)}`, data: b }], keys: [row(`r${String(i)}`)] }),
      ),
    );
    assert.equal(commits.length, 1);
    blobs.forEach((b, i) => {
      assert.deepEqual(new Uint8Array(vault.blob(`r${String(i)}`, sha256Hex(b))!), b);
      assert.equal(vault.keysOf(`r${String(i)}`).get('org:a')?.ct, 'cd'.repeat(48));
    });
    // A later turn is a transaction of its own.
    await vault.putSoon({ blobs: [{ record: 'r9', data: new Uint8Array([9]) }] });
    assert.equal(commits.length, 2);
    vault.close();
  });

  it('rejects every put of a failed transaction and stores none of them', async () => {
    const vault = new SqliteVault(join(dir, 'soon-fail.sqlite'));
    const good = vault.putSoon({ blobs: [{ record: 'r1', data: new Uint8Array([1]) }] });
    // A key row without its enc fails inside the transaction: the whole transaction is rolled back.
    const bad = vault.putSoon({ keys: [{ ...row('r'), enc: null as unknown as string }] });
    await assert.rejects(good);
    await assert.rejects(bad);
    assert.equal(vault.blob('r1', sha256Hex(new Uint8Array([1]))), undefined);
    vault.close();
  });
});

describe('vault blobs', () => {
  it('finds a ciphertext by its record and hash, and one stored by hash alone before that', () => {
    const vault = new SqliteVault(join(dir, 'blobs.sqlite'));
    const data = new Uint8Array([1, 2, 3]);
    const [hash] = vault.put({ blobs: [{ record: 'r1', data }] });
    assert.equal(hash, sha256Hex(data));
    assert.deepEqual(new Uint8Array(vault.blob('r1', hash)!), data);
    assert.equal(vault.hasBlob('r1', hash), true);
    // Another record, or another hash for this record, is not this ciphertext.
    assert.equal(vault.blob('r2', hash), undefined);
    assert.equal(vault.hasBlob('r1', sha256Hex(new Uint8Array([9]))), false);
    // A vault written before ciphertexts were kept by record: its rows are read, and erased, by hash.
    const old = new Uint8Array([4, 5, 6]);
    vault.db
      .prepare('INSERT INTO blobs (hash, data) VALUES (?, ?)')
      .run(Buffer.from(sha256Hex(old), 'hex'), old);
    assert.deepEqual(new Uint8Array(vault.blob('r0', sha256Hex(old))!), old);
    assert.equal(vault.hasBlob('r0', sha256Hex(old)), true);
    assert.equal(
      vault.erase([
        { record: 'r0', blob: sha256Hex(old) },
        { record: 'r1', blob: hash },
      ]),
      2,
    );
    assert.equal(vault.hasBlob('r0', sha256Hex(old)), false);
    assert.equal(vault.hasBlob('r1', hash), false);
    vault.close();
  });
});

describe('blobFindings', () => {
  it('names, by position, the hashes whose ciphertext is missing or hashes to something else', () => {
    const datas = ['a', 'b', 'c', 'd'].map((c) => Buffer.from(c.repeat(100)));
    const hashes = datas.map(sha256Hex);
    const records = ['ra', 'rb', 'rc', 'rd'];
    const stored = new Map(hashes.map((h, i) => [`${records[i]!} ${h}`, datas[i]!]));
    stored.delete(`rb ${hashes[1]!}`);
    stored.set(`rd ${hashes[3]!}`, Buffer.from('altered'));
    // Looked up by record and hash: the right hash under another record is not found.
    stored.set(`rc ${hashes[0]!}`, datas[0]!);
    const read = (record: string, h: Buffer): Buffer | undefined =>
      stored.get(`${record} ${h.toString('hex')}`);
    const found = blobFindings(records, hashes.join(''), read);
    assert.deepEqual(found.missing, [1]);
    assert.deepEqual(found.mismatched, [{ at: 3, found: sha256Hex(Buffer.from('altered')) }]);
    assert.deepEqual(blobFindings(['rb'], hashes[0]!, read).missing, [0]);
    assert.deepEqual(
      blobFindings([], '', () => undefined),
      { missing: [], mismatched: [] },
    );
    assert.throws(() => blobFindings(['r'], 'ab', () => undefined), RangeError);
  });
});

describe('vault erase', () => {
  it('empties the WAL, and throws rather than leave erased frames while a reader holds it', async () => {
    const path = join(dir, 'erase.sqlite');
    const vault = new SqliteVault(path);
    const data = new Uint8Array(4096).fill(7);
    const [hash] = vault.put({ blobs: [{ record: 'r1', data }], keys: [row('r1')] });
    // Another thread (as the integrity monitor's) holds a read transaction until told to let go.
    const flag = new Int32Array(new SharedArrayBuffer(4));
    const reader = new Worker(
      `const { DatabaseSync } = require('node:sqlite');
       const { parentPort, workerData } = require('node:worker_threads');
       const db = new DatabaseSync(workerData.path, { readOnly: true });
       db.exec('BEGIN');
       db.prepare('SELECT count(*) FROM record_blobs').get();
       parentPort.postMessage('holding');
       Atomics.wait(workerData.flag, 0, 0);
       db.exec('COMMIT');
       db.close();`,
      { eval: true, workerData: { path, flag } },
    );
    await new Promise((resolve) => reader.once('message', resolve));
    vault.db.exec('PRAGMA busy_timeout = 20');
    assert.throws(() => vault.erase([{ record: 'r1', blob: hash! }]), /WAL could not be truncated/);
    Atomics.store(flag, 0, 1);
    Atomics.notify(flag, 0);
    await new Promise((resolve) => reader.once('exit', resolve));
    // The rows went in the first call; the WAL that still held them is emptied now.
    assert.equal(vault.hasBlob('r1', hash!), false);
    assert.equal(vault.erase([{ record: 'r1', blob: hash! }]), 0);
    assert.equal(statSync(`${path}-wal`).size, 0);
    vault.close();
  });
});
