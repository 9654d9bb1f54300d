import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { keyTableConformance } from '../state-machine/key-table-conformance.ts';
import { tempDir } from './chain-fixtures.test-util.ts';
import { SqliteKeyTable } from './sqlite-key-table.ts';

keyTableConformance('SqliteKeyTable (pages of 4 rows, a cache of 3 entries)', {
  create() {
    const db = new DatabaseSync(join(tempDir(), 'keys.sqlite'));
    const opts = { pageRows: 4, cacheEntries: 3 };
    return {
      table: new SqliteKeyTable(db, opts),
      reopen: () => new SqliteKeyTable(db, opts),
      close: () => {
        db.close();
      },
    };
  },
});
