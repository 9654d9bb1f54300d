import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { SqliteStore } from './sqlite-store.ts';
import { storeConformance } from './conformance.ts';
import type { Store } from './store.ts';

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
