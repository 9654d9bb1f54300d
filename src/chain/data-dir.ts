/**
 * @module
 * A node's data directory: `ledger.sqlite` (the store), `node-key.pem` (the node's Ed25519 key, mode
 * 0600, encrypted with MEDLEDGER_KEY_PASSPHRASE when set) and `head.json`, the last head the node
 * signed. The witness lives outside the database, so deleting the chain's tail inside SQLite cannot
 * hide: the signed head names a block the store must still hold.
 */
import { createPrivateKey } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
  rmSync,
} from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fromHex, toHex } from '../core/bytes.ts';
import { generateSigner, signBytes, signerFromPrivateKey, verifyBytes } from '../core/keys.ts';
import type { KeyObject } from 'node:crypto';
import type { Signer } from '../core/keys.ts';
import { TAGS, taggedHash } from '../core/hash.ts';
import { canonicalize } from '../core/canonical-json.ts';
import { DatabaseSync } from 'node:sqlite';

export interface DataPaths {
  readonly dir: string;
  readonly db: string;
  readonly key: string;
  readonly witness: string;
}

export function dataPaths(dir: string): DataPaths {
  const d = resolve(dir);
  return {
    dir: d,
    db: join(d, 'ledger.sqlite'),
    key: join(d, 'node-key.pem'),
    witness: join(d, 'head.json'),
  };
}

/**
 * True when `dir` holds a ledger with at least its genesis block. A store without a head is what a
 * crash during `init` leaves behind; `init` may start over on it.
 */
export function ledgerExists(dir: string): boolean {
  const { db } = dataPaths(dir);
  if (!existsSync(db)) return false;
  // A look, not an open: opening a store for writing migrates it and reads its unmerged ids.
  const conn = new DatabaseSync(db, { readOnly: true, timeout: 5000 });
  try {
    const table = conn.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'blocks'");
    return table.get() !== undefined && conn.prepare('SELECT 1 FROM blocks LIMIT 1').get() !== undefined;
  } finally {
    conn.close();
  }
}

/** Removes an uninitialized store (no genesis block) left by an interrupted `init`. */
export function removeEmptyStore(paths: DataPaths): void {
  for (const f of [paths.db, `${paths.db}-wal`, `${paths.db}-shm`]) rmSync(f, { force: true });
}

/** Writes a file atomically and durably: temp file, fsync, rename. */
export function writeFileDurable(path: string, data: string, mode = 0o600): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Whether the data directory has a node key (a consortium member before its first start has only that). */
export function keyExists(paths: DataPaths): boolean {
  return existsSync(paths.key);
}

export function createNodeKey(paths: DataPaths): Signer {
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const signer = generateSigner();
  const passphrase = process.env.MEDLEDGER_KEY_PASSPHRASE;
  const pem = signer.privateKey.export(
    passphrase
      ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }
      : { type: 'pkcs8', format: 'pem' },
  );
  writeFileDurable(paths.key, pem.toString());
  return signer;
}

export function loadNodeKey(paths: DataPaths): Signer {
  const pem = readFileSync(paths.key, 'utf8');
  const passphrase = process.env.MEDLEDGER_KEY_PASSPHRASE;
  const key: KeyObject = createPrivateKey(passphrase ? { key: pem, passphrase } : pem);
  return signerFromPrivateKey(key);
}

export interface SignedHead {
  readonly height: number;
  readonly hash: string;
  readonly logSize: number;
  readonly logRoot: string;
  readonly time: number;
}

/**
 * Signs and stores the head witness, the file written and fsynced in libuv's threads so the event loop
 * goes on meanwhile (the server writes one per block); one write at a time per data directory, which
 * the ledger ensures by chaining them.
 */
export async function writeWitness(paths: DataPaths, signer: Signer, head: SignedHead): Promise<void> {
  const sig = signBytes(signer.privateKey, taggedHash(TAGS.head, canonicalize(head)));
  const tmp = `${paths.witness}.tmp`;
  const file = await open(tmp, 'w', 0o644);
  try {
    await file.writeFile(JSON.stringify({ head, signer: signer.keyId, signature: toHex(sig) }));
    await file.sync();
  } finally {
    await file.close();
  }
  await rename(tmp, paths.witness);
}

/** The stored witness if present and signed by `publicKey`; `invalid` when present but forged. */
export function readWitness(paths: DataPaths, publicKey: KeyObject): SignedHead | 'invalid' | undefined {
  if (!existsSync(paths.witness)) return undefined;
  try {
    const w = JSON.parse(readFileSync(paths.witness, 'utf8')) as { head: SignedHead; signature: string };
    const ok = verifyBytes(
      publicKey,
      taggedHash(TAGS.head, canonicalize(w.head)),
      fromHex(w.signature, 64, 'signature'),
    );
    return ok ? w.head : 'invalid';
  } catch {
    return 'invalid';
  }
}
