/**
 * @module
 * The thread that warms the transaction-id index ahead of its merges (tx-id-warmer.ts): it reads the
 * key ranges it is sent through a read-only connection of its own, so that their pages are in the
 * operating system's cache when the merge, on the thread that answers requests, writes them.
 */
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { WarmRequest } from './tx-id-warmer.ts';

const { path } = workerData as { path: string };
// A small page cache of its own: the pages are wanted in the OS cache, not in this thread's memory.
const db = new DatabaseSync(path, { readOnly: true, timeout: 5000 });
db.exec('PRAGMA cache_size = -1024');
const bounded = db.prepare('SELECT count(*) AS n FROM tx_ids WHERE id >= ? AND id < ?');
const open = db.prepare('SELECT count(*) AS n FROM tx_ids WHERE id >= ?');

parentPort!.on('message', (req: WarmRequest) => {
  let rows = 0;
  for (const [lo, hi] of req.ranges) {
    try {
      const r = (hi === undefined ? open.get(lo) : bounded.get(lo, hi)) as { n: number };
      rows += r.n;
    } catch {
      // Warming is advice: a busy or vanished database leaves the merge to read its own pages.
    }
  }
  parentPort!.postMessage({ id: req.id, rows });
});
