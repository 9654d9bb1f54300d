import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { toHex } from '../core/bytes.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import type { NodeId } from '../core/merkle/node-id.ts';
import { MemoryStore } from './memory-store.ts';
import { SqliteStore } from './sqlite-store.ts';
import { storeConformance } from './conformance.ts';
import type { Store, StoredTx } from './store.ts';

const dir = mkdtempSync(join(tmpdir(), 'medledger-store-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
});
let n = 0;

storeConformance('sqlite', {
  create: () => new SqliteStore(join(dir, `s${++n}.sqlite`)),
  reopen: (s: Store) => {
    if (!(s instanceof SqliteStore)) throw new TypeError('not a SqliteStore');
    const path = s.path;
    s.close();
    return new SqliteStore(path);
  },
});

describe('SQLite store Merkle nodes', () => {
  it('serves every perfect node, stored or hashed up from its tile, and none beyond the log', () => {
    const sqlite = new SqliteStore(join(dir, `tiles${++n}.sqlite`));
    sqlite.exec('PRAGMA synchronous = OFF');
    const memory = new MemoryStore();
    const range = new CompactRange();
    // Uneven blocks, so tile and block boundaries fall everywhere.
    const sizes = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233, 7];
    for (const [height, count] of sizes.entries()) {
      const firstSeq = range.size;
      const txs: StoredTx[] = [];
      const nodes = [];
      for (let i = 0; i < count; i++) {
        const id = createHash('sha256')
          .update(`leaf ${firstSeq + i}`)
          .digest();
        txs.push({
          seq: firstSeq + i,
          id: id.toString('hex'),
          height,
          type: 'data.put',
          body: '{}',
          sig: '00'.repeat(64),
        });
        nodes.push(...range.append(id));
      }
      const hash = createHash('sha256').update(`block ${height}`).digest('hex');
      const batch = {
        block: { height, hash, header: '{}', signature: '00'.repeat(64), firstSeq },
        txs,
        nodes,
      };
      sqlite.append(batch);
      memory.append(batch);
    }
    const size = range.size;
    const ids: NodeId[] = [];
    for (let level = 0; 2 ** level <= size + 1; level++) {
      for (let index = 0; (index + 1) * 2 ** level <= size + 2 ** level; index++) ids.push({ level, index });
    }
    const got = sqlite.merkleNodes(ids);
    const want = memory.merkleNodes(ids);
    ids.forEach((id, i) => {
      const perfect = (id.index + 1) * 2 ** id.level <= size;
      assert.equal(want[i] !== undefined, perfect, `reference ${id.level}/${id.index}`);
      assert.deepEqual(
        got[i] && Buffer.from(got[i]).toString('hex'),
        want[i] && Buffer.from(want[i]).toString('hex'),
        `${id.level}/${id.index}`,
      );
    });
    assert.deepEqual(
      toHex(
        CompactRange.fromFrontier(
          size,
          sqlite.merkleNodes(CompactRange.frontierIds(size)) as Uint8Array[],
        ).root(),
      ),
      toHex(range.root()),
    );
    sqlite.close();
  });
});
