import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, it } from 'node:test';
import { FALLBACK_PRAGMA, WalCheckpointer } from './wal-checkpointer.ts';

const dir = mkdtempSync(join(tmpdir(), 'medledger-ckpt-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('WalCheckpointer', () => {
  it('reads the frames waiting in the WAL and checkpoints them on its own thread once past the threshold', async () => {
    const path = join(dir, 'a.sqlite');
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA journal_mode = WAL; ${FALLBACK_PRAGMA}; CREATE TABLE t (x BLOB)`);
    const ins = db.prepare('INSERT INTO t VALUES (?)');
    const ckpt = new WalCheckpointer(path, 200);
    try {
      for (let i = 0; i < 50; i++) ins.run(Buffer.alloc(3000));
      const early = await ckpt.check();
      assert.ok(early !== undefined && early.pending >= 50 && early.pending < 200, JSON.stringify(early));
      assert.equal(early.copied, 0, 'below the threshold nothing is copied');
      for (let i = 0; i < 300; i++) ins.run(Buffer.alloc(3000));
      const due = await ckpt.check();
      assert.ok(due !== undefined && due.pending >= 200, JSON.stringify(due));
      assert.ok(due.copied >= due.pending, JSON.stringify(due));
      assert.ok(statSync(path).size > 300 * 3000, 'the rows reached the database file');
      const after = await ckpt.check();
      assert.equal(after?.pending, 0);
      // The writer goes on; its next commit starts the WAL over.
      ins.run(Buffer.alloc(10));
      assert.equal((db.prepare('SELECT count(*) AS n FROM t').get() as { n: number }).n, 351);
    } finally {
      ckpt.close();
      db.close();
    }
    assert.equal(await ckpt.check(), undefined, 'closed');
  });

  it('closes its connection before the writer closes, so the writer removes the WAL at once', async () => {
    const path = join(dir, 'b.sqlite');
    const db = new DatabaseSync(path);
    db.exec(`PRAGMA journal_mode = WAL; ${FALLBACK_PRAGMA}; CREATE TABLE t (x BLOB)`);
    db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(100));
    const ckpt = new WalCheckpointer(path, 1);
    assert.ok((await ckpt.check()) !== undefined, 'the thread is up, with its connection open');
    ckpt.close();
    db.close();
    // With the thread's connection still open, the writer's close was not the last and left the files.
    assert.equal(existsSync(`${path}-wal`), false);
    assert.equal(existsSync(`${path}-shm`), false);
  });
});
