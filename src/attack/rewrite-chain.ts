/**
 * @module
 * The history-rewrite attacker's engine. It edits a ledger's SQLite file directly, as someone with
 * write access to the disk but without the node's keys would: it changes one transaction of block
 * k, recomputes that block's Merkle root and the log-wide RFC 6962 roots of every later header
 * (and the stored tree nodes, so proofs agree), then re-mines blocks k..n with the real miner,
 * linking each to the new hash of the one before, and signs each with the key it holds. Whatever it
 * cannot redo without a key it leaves as it was: the transaction's signature and, unless it holds
 * the node key, the proposer signatures.
 */
import { DatabaseSync } from 'node:sqlite';
import { headerJson, parseHeader, signBlockHash } from '../core/block.ts';
import type { BlockHeader } from '../core/block.ts';
import { toHex } from '../core/bytes.ts';
import { canonicalize } from '../core/canonical-json.ts';
import type { Json } from '../core/canonical-json.ts';
import { ArgumentValueError } from '../core/errors.ts';
import { signBytes } from '../core/keys.ts';
import type { Signer } from '../core/keys.ts';
import { CompactRange } from '../core/merkle/compact-range.ts';
import type { NodeWithHash } from '../core/merkle/compact-range.ts';
import { merkleRoot } from '../core/merkle/root.ts';
import { mine } from '../core/pow.ts';
import { txIdOf } from '../core/tx.ts';
import type { TxBody } from '../core/tx.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { StoredTx } from '../store/store.ts';

export interface RemineResult {
  readonly blocks: readonly { header: BlockHeader; hash: string; signature: string }[];
  readonly attempts: number;
  readonly mineMs: number;
  /** Mining plus signing: the attacker's work per block besides the disk. */
  readonly workMs: number;
}

/**
 * Re-mines `headers` in order as a chain after `prevHash` (each header's prevHash becomes the new
 * hash of the one before) with the real miner, and signs every new block hash with `signer`.
 */
export function remineChain(
  prevHash: string,
  headers: readonly Omit<BlockHeader, 'nonce'>[],
  signer: Signer,
): RemineResult {
  const blocks: { header: BlockHeader; hash: string; signature: string }[] = [];
  let prev = prevHash;
  let attempts = 0;
  let mineMs = 0;
  const t0 = performance.now();
  for (const h of headers) {
    const m = mine({ ...h, prevHash: prev });
    attempts += m.attempts;
    mineMs += m.elapsedMs;
    blocks.push({ header: m.header, hash: m.hash, signature: toHex(signBlockHash(signer, m.hash)) });
    prev = m.hash;
  }
  return { blocks, attempts, mineMs, workMs: performance.now() - t0 };
}

/** Changes one scalar of a payload deterministically (the first by sorted key, depth first). */
export function mutatePayload(v: Json): Json {
  if (typeof v === 'string') {
    // By code point, so a surrogate pair is replaced whole and the text stays well formed.
    const chars = Array.from(v);
    const last = chars.pop();
    if (last === undefined) return 'a';
    const next = /^[0-9a-f]$/.test(last)
      ? ((parseInt(last, 16) + 1) % 16).toString(16)
      : last === 'a'
        ? 'b'
        : 'a';
    return chars.join('') + next;
  }
  if (typeof v === 'number') {
    const n = v + 1;
    return n !== v ? n : v / 2; // beyond 2^53, +1 is lost to rounding
  }
  if (typeof v === 'boolean') return !v;
  if (v === null) return 0;
  if (isArray(v)) return v.length === 0 ? [0] : [mutatePayload(v[0]!), ...v.slice(1)];
  const o = v as Readonly<Record<string, Json>>;
  const key = Object.keys(o).sort()[0];
  if (key === undefined) return { attack: 'lab' };
  return { ...o, [key]: mutatePayload(o[key]!) };
}

function isArray(v: Json): v is readonly Json[] {
  return Array.isArray(v);
}

export interface RewriteOptions {
  readonly height: number;
  /** Index of the transaction within block `height`. */
  readonly tx: number;
  /** The key the attacker signs blocks with (the node key only for an insider). */
  readonly blockSigner: Signer;
  /** Keys the attacker holds: the changed transaction is re-signed if its signer's key is one. */
  readonly keys?: readonly Signer[];
  /** Declared difficulty of the re-mined headers (default: each header's own). */
  readonly difficulty?: number;
}

export interface RewriteOutcome {
  readonly height: number;
  readonly tx: number;
  /** Type of the changed transaction (its content is never reported). */
  readonly txType: string;
  /** Whether the attacker held the transaction signer's key and re-signed it. */
  readonly resignedTx: boolean;
  readonly head: number;
  readonly blocks: number;
  readonly attempts: number;
  readonly mineMs: number;
  readonly workMs: number;
  readonly totalMs: number;
  readonly newHead: { readonly height: number; readonly header: BlockHeader; readonly hash: string };
}

interface Plan {
  readonly head: number;
  readonly prevHash: string;
  readonly headers: BlockHeader[];
  readonly txs: StoredTx[][];
  readonly frontier: CompactRange;
}

function readPlan(path: string, height: number): Plan {
  const store = new SqliteStore(path, { readOnly: true });
  try {
    const head = store.head()?.height ?? -1;
    if (height < 1 || height > head)
      throw new ArgumentValueError('height', `got ${String(height)}, want 1..${String(head)}`);
    const rows = store.blocks(height, head + 1);
    const headers = rows.map((r) => parseHeader(r.header));
    const txs = rows.map((r, i) => store.txsBySeq(r.firstSeq, r.firstSeq + headers[i]!.txCount));
    const first = rows[0]!.firstSeq;
    const hashes = store.merkleNodes(CompactRange.frontierIds(first));
    if (hashes.some((h) => h === undefined)) throw new ArgumentValueError('store', 'Merkle frontier missing');
    return {
      head,
      prevHash: store.blockByHeight(height - 1)!.hash,
      headers,
      txs,
      frontier: CompactRange.fromFrontier(first, hashes as Uint8Array[]),
    };
  } finally {
    store.close();
  }
}

/** Rewrites block `height`'s transaction `tx` and everything after it in the ledger file `path`. */
export function rewriteHistory(path: string, opts: RewriteOptions): RewriteOutcome {
  const t0 = performance.now();
  const plan = readPlan(path, opts.height);
  const target = plan.txs[0]![opts.tx];
  if (!target)
    throw new ArgumentValueError('tx', `block ${String(opts.height)} has no transaction ${String(opts.tx)}`);
  const body = JSON.parse(target.body) as TxBody;
  const bodyJson = canonicalize({ ...body, payload: mutatePayload(body.payload) });
  const idBytes = txIdOf(bodyJson);
  const key = opts.keys?.find((k) => k.keyId === body.signer);
  const changed: StoredTx = {
    ...target,
    id: toHex(idBytes),
    body: bodyJson,
    sig: key ? toHex(signBytes(key.privateKey, idBytes)) : target.sig,
  };
  plan.txs[0]![opts.tx] = changed;

  // New Merkle roots: per block, and the log-wide tree from the frontier before block k.
  const range = plan.frontier;
  const nodes: NodeWithHash[] = [];
  const unmined = plan.headers.map((h, i) => {
    const ids = plan.txs[i]!.map((t) => Uint8Array.from(Buffer.from(t.id, 'hex')));
    for (const id of ids) for (const n of range.append(id)) nodes.push(n);
    const { nonce: _nonce, ...rest } = h;
    return {
      ...rest,
      merkleRoot: toHex(merkleRoot(ids)),
      logRoot: toHex(range.root()),
      difficulty: opts.difficulty ?? h.difficulty,
    };
  });
  const mined = remineChain(plan.prevHash, unmined, opts.blockSigner);

  const db = new DatabaseSync(path, { timeout: 5000 });
  try {
    db.exec('BEGIN IMMEDIATE');
    db.prepare('UPDATE txs SET id = ?, body = ?, sig = ? WHERE seq = ?').run(
      Buffer.from(changed.id, 'hex'),
      changed.body,
      Buffer.from(changed.sig, 'hex'),
      changed.seq,
    );
    // The store's id index, where present (a store may keep ids apart from `txs`): a careful attacker
    // leaves no stale id behind.
    if (db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'tx_ids'").get())
      db.prepare('UPDATE tx_ids SET id = ? WHERE id = ?').run(
        Buffer.from(changed.id, 'hex'),
        Buffer.from(target.id, 'hex'),
      );
    const node = db.prepare('INSERT OR REPLACE INTO merkle_nodes (level, idx, hash) VALUES (?, ?, ?)');
    for (const n of nodes) if (n.level > 0) node.run(n.level, n.index, n.hash);
    const block = db.prepare('UPDATE blocks SET hash = ?, header = ?, signature = ? WHERE height = ?');
    for (const b of mined.blocks)
      block.run(
        Buffer.from(b.hash, 'hex'),
        headerJson(b.header),
        Buffer.from(b.signature, 'hex'),
        b.header.height,
      );
    const last = mined.blocks.at(-1)!;
    db.prepare("UPDATE meta SET value = ? WHERE key = 'checkpoint'").run(
      JSON.stringify({ height: last.header.height, hash: last.hash }),
    );
    db.exec('COMMIT');
  } catch (e) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw e;
  } finally {
    db.close();
  }
  const last = mined.blocks.at(-1)!;
  return {
    height: opts.height,
    tx: opts.tx,
    txType: body.type,
    resignedTx: key !== undefined,
    head: plan.head,
    blocks: mined.blocks.length,
    attempts: mined.attempts,
    mineMs: mined.mineMs,
    workMs: mined.workMs,
    totalMs: performance.now() - t0,
    newHead: { height: last.header.height, header: last.header, hash: last.hash },
  };
}
