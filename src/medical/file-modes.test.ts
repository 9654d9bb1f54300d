/**
 * @module
 * The ledger's and the vault's SQLite files, with their WAL and shared-memory files, are readable by
 * the node's user only (0600), also when an older node left them readable by others.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SqliteVault } from './sqlite-vault.ts';
import { SqliteStore } from '../store/sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'medledger-modes-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

const modes = (path: string): Record<string, string> =>
  Object.fromEntries(
    [path, `${path}-wal`, `${path}-shm`]
      .filter((p) => existsSync(p))
      .map((p) => [p.slice(dir.length), (statSync(p).mode & 0o777).toString(8)]),
  );

describe('database file modes', () => {
  it('creates the ledger and the vault with their WAL files 0600', () => {
    const store = new SqliteStore(join(dir, 'ledger.sqlite'));
    store.setMeta('k', 'v');
    const vault = new SqliteVault(join(dir, 'vault.sqlite'));
    vault.setSetting('k', new Uint8Array([1]));
    const got = { ...modes(join(dir, 'ledger.sqlite')), ...modes(join(dir, 'vault.sqlite')) };
    assert.deepEqual(got, {
      '/ledger.sqlite': '600',
      '/ledger.sqlite-wal': '600',
      '/ledger.sqlite-shm': '600',
      '/vault.sqlite': '600',
      '/vault.sqlite-wal': '600',
      '/vault.sqlite-shm': '600',
    });
    vault.close();
    store.close();
  });

  it('restricts files an older node left readable by others', () => {
    const path = join(dir, 'old.sqlite');
    new SqliteStore(path).close();
    chmodSync(path, 0o644);
    const store = new SqliteStore(path);
    store.setMeta('k', 'v');
    assert.deepEqual(
      Object.values(modes(path)),
      Object.values(modes(path)).map(() => '600'),
    );
    assert.equal(modes(path)['/old.sqlite'], '600');
    store.close();
  });
});
