/**
 * @module
 * The thread that checkpoints a WAL database for its writer (wal-checkpointer.ts). On each check it
 * reads how many WAL frames are not yet in the database file from the wal-index header
 * (sqlite.org/walformat.html: mxFrame at byte 16, nBackfill at byte 96, native byte order) and runs a
 * PASSIVE checkpoint once they pass the threshold: it copies them without waiting for, or blocking,
 * the writer.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { CheckpointAnswer } from './wal-checkpointer.ts';

const { path, frames, closed } = workerData as { path: string; frames: number; closed: Int32Array };
const WAL_INDEX_VERSION = 3007000;
const db = new DatabaseSync(path, { timeout: 0 });
db.exec('PRAGMA cache_size = -1024; PRAGMA synchronous = FULL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');

/** Frames written to the WAL and not yet checkpointed, or undefined if the header cannot be read. */
function pending(): number | undefined {
  const header = Buffer.alloc(100);
  let fd: number | undefined;
  try {
    fd = openSync(`${path}-shm`, 'r');
    if (readSync(fd, header, 0, 100, 0) < 100) return undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const u32 = (at: number): number =>
    endianness() === 'LE' ? header.readUInt32LE(at) : header.readUInt32BE(at);
  if (u32(0) !== WAL_INDEX_VERSION || header[12] !== 1) return undefined;
  return u32(16) - u32(96);
}

parentPort!.on('message', (id: number | 'close') => {
  if (id === 'close') {
    // Closed before the writer's connection, so that the writer's is the last (SQLite removes the WAL
    // when the last connection closes: from here that raced with whoever used the files next).
    db.close();
    Atomics.store(closed, 0, 2);
    Atomics.notify(closed, 0);
    return;
  }
  const before = pending();
  let copied = 0;
  // An unreadable header: checkpoint anyway (checks come every few hundred commits).
  if (before === undefined || before >= frames) {
    try {
      const r = checkpoint.get() as { busy: number; log: number; checkpointed: number };
      copied = r.checkpointed;
    } catch {
      // Busy or gone: the writer's own automatic checkpoint, at a higher threshold, is the fallback.
    }
  }
  parentPort!.postMessage({ id, pending: before ?? -1, copied } satisfies CheckpointAnswer);
});
