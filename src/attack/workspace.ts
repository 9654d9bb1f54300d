/**
 * @module
 * Where the attack lab attacks: never a node's own files. A scenario works on a consistent snapshot
 * of a real data directory (SQLite `VACUUM INTO`, which is safe while the node writes: a WAL reader
 * sees one committed state) or on a fresh chain built with the real ChainNode. The temporary
 * directory is removed when the scenario ends.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { ledgerExists } from '../chain/data-dir.ts';
import { ChainNode } from '../chain/chain-node.ts';

/** `copy`: a snapshot of the given data directory; `fresh`: a new chain built for the run. */
export type SourceKind = 'copy' | 'fresh';

export interface SourceOptions {
  /** The data directory to snapshot; a fresh chain is built when it holds no ledger. */
  readonly dataDir?: string | undefined;
  /** Build a fresh chain even when `dataDir` holds a ledger. */
  readonly fresh?: boolean | undefined;
}

export function sourceKind(opts: SourceOptions): SourceKind {
  return !opts.fresh && opts.dataDir !== undefined && ledgerExists(opts.dataDir) ? 'copy' : 'fresh';
}

/** A temporary directory and its removal. */
export interface Workspace {
  readonly dir: string;
  dispose(): void;
}

export function workspace(label: string): Workspace {
  const dir = mkdtempSync(join(tmpdir(), `medledger-attack-${label}-`));
  return {
    dir,
    dispose: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const DATABASES = ['ledger.sqlite', 'vault.sqlite'] as const;
const FILES = ['node-key.pem', 'head.json'] as const;

/**
 * Snapshots the data directory `src` into the new directory `dst`: both databases through
 * `VACUUM INTO` from a read-only connection, the node key and the signed head as files.
 */
export function snapshotDataDir(src: string, dst: string): void {
  mkdirSync(dst, { recursive: true, mode: 0o700 });
  for (const name of DATABASES) {
    const from = join(src, name);
    if (!existsSync(from)) continue;
    const db = new DatabaseSync(from, { readOnly: true, timeout: 5000 });
    try {
      db.prepare('VACUUM INTO ?').run(join(dst, name));
    } finally {
      db.close();
    }
  }
  for (const name of FILES) if (existsSync(join(src, name))) copyFileSync(join(src, name), join(dst, name));
}

export interface FreshChainOptions {
  readonly blocks: number;
  readonly txsPerBlock: number;
  readonly difficulty: number;
}

/**
 * Builds a chain with the real ChainNode: genesis at `difficulty`, then `blocks` blocks of `data.put`
 * transactions signed by the node. The payloads are synthetic readings, never patient data.
 */
export async function buildFreshChain(dir: string, opts: FreshChainOptions): Promise<void> {
  const ledger = await ChainNode.init(dir, { difficulty: opts.difficulty, chainId: 'medledger-attack-lab' });
  try {
    for (let b = 1; b <= opts.blocks; b++) {
      for (let i = 0; i < opts.txsPerBlock; i++)
        await ledger.addData({ sample: 'attack-lab', block: b, reading: b * 100 + i });
      await ledger.mine();
    }
  } finally {
    await ledger.close();
  }
}

/** A chain to attack in `dir`: a snapshot of `opts.dataDir` or a fresh chain; returns which. */
export async function prepareChain(
  dir: string,
  opts: SourceOptions,
  fresh: FreshChainOptions,
): Promise<SourceKind> {
  const kind = sourceKind(opts);
  if (kind === 'copy') snapshotDataDir(opts.dataDir!, dir);
  else await buildFreshChain(dir, fresh);
  return kind;
}
