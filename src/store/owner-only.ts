/**
 * @module
 * Database files readable by the node's user only. Everything in them is ciphertext, hashes or
 * pseudonyms, but a copy is still a copy of a hospital's activity: 0600, like a key file. SQLite
 * creates a database's `-wal` and `-shm` files with the database file's own mode, so the files
 * are restricted right after opening, before the WAL exists. Those left by an older node are restricted too.
 */
import { chmodSync, existsSync } from 'node:fs';

export function ownerOnly(path: string): void {
  for (const p of [path, `${path}-wal`, `${path}-shm`]) if (existsSync(p)) chmodSync(p, 0o600);
}
