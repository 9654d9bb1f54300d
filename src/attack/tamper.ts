/**
 * @module
 * Attack lab, scenario 5: tampering with the files under a running node. A real MedicalNode runs in
 * this process on a snapshot of the data directory (or a fresh one) with the real IntegrityMonitor
 * on a short interval; another SQLite connection edits the ledger file behind its back (one byte of
 * a stored transaction, a block header field, the chain's last block deleted). For each edit: the
 * time until the monitor reports it, how many monitor runs that took, and the exact location it
 * reports (height, transaction index, kind); then the edit is undone and the time until the monitor
 * reports the node healthy again.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { ProblemKind } from '../core/problem.ts';
import type { KdfCost } from '../medical/accounts.ts';
import { IntegrityMonitor } from '../integrity/integrity-monitor.ts';
import type { IntegrityState } from '../integrity/integrity-monitor.ts';
import { MedicalNode } from '../medical/medical-node.ts';
import { SqliteVaultReader } from '../medical/sqlite-vault.ts';
import { locate } from './rewrite.ts';
import type { Located } from './rewrite.ts';
import { snapshotDataDir, sourceKind, workspace } from './workspace.ts';
import type { SourceKind, SourceOptions } from './workspace.ts';

export interface TamperOptions extends SourceOptions {
  /** Interval of the integrity monitor (default 1,000 ms; a node's default is 5,000 ms). */
  readonly intervalMs?: number;
  /** Give up waiting for a report after this long (default 15,000 ms). */
  readonly timeoutMs?: number;
  readonly freshBlocks?: number;
  readonly freshDifficulty?: number;
}

export type TamperEdit = 'tx-body' | 'block-header' | 'tail-deleted';

export interface TamperCase {
  readonly edit: TamperEdit;
  readonly description: string;
  readonly target: { readonly height: number; readonly tx?: number };
  /** The kind the report must name at the target. */
  readonly expectedKind: ProblemKind;
  readonly detected: boolean;
  readonly detectedMs: number | undefined;
  readonly monitorRuns: number;
  readonly reported: readonly Located[];
  /** The report names the target (height, tx, kind) and nothing before it. */
  readonly located: boolean;
  readonly restored: boolean;
  readonly restoredMs: number | undefined;
}

export interface TamperResult {
  readonly date: string;
  readonly source: SourceKind;
  readonly intervalMs: number;
  readonly chain: { readonly height: number };
  readonly baselineOk: boolean;
  /** Why a fresh node was used although a data directory was given. */
  readonly fallback?: string;
  readonly cases: readonly TamperCase[];
}

/** Accounts are not attacked here: a cheap KDF keeps the fresh node's start-up short. */
const CHEAP_KDF: KdfCost = { N: 2 ** 10, r: 8, p: 1 };

interface Edit {
  readonly edit: TamperEdit;
  readonly description: string;
  readonly target: { readonly height: number; readonly tx?: number };
  readonly expectedKind: ProblemKind;
  readonly apply: (db: DatabaseSync) => () => void; // returns the undo
}

async function openNode(dir: string, opts: TamperOptions, kind: SourceKind): Promise<MedicalNode> {
  if (kind === 'copy') {
    snapshotDataDir(opts.dataDir!, dir);
    // Open as the organization the node hosts, so nothing new is created on the snapshot.
    let org: string | undefined;
    if (existsSync(join(dir, 'vault.sqlite'))) {
      const v = new SqliteVaultReader(join(dir, 'vault.sqlite'));
      try {
        org = v.orgs()[0];
      } catch {
        org = undefined;
      } finally {
        v.close();
      }
    }
    const pw = randomBytes(18).toString('base64url');
    return (
      await MedicalNode.open(dir, {
        kdf: CHEAP_KDF,
        adminPassword: pw,
        ...(org ? { org: { id: org, name: org } } : {}),
      })
    ).node;
  }
  const { node } = await MedicalNode.open(dir, {
    kdf: CHEAP_KDF,
    adminPassword: randomBytes(18).toString('base64url'),
    difficulty: opts.freshDifficulty ?? 8,
  });
  for (let b = 0; b < (opts.freshBlocks ?? 6); b++) {
    for (let i = 0; i < 3; i++) await node.ledger.addData({ sample: 'attack-lab', reading: b * 10 + i });
    await node.commit();
  }
  return node;
}

function edits(db: DatabaseSync, head: number): Edit[] {
  const block = (h: number): { first: number; header: string; count: number } => {
    const r = db.prepare('SELECT first_seq, header FROM blocks WHERE height = ?').get(h) as {
      first_seq: number;
      header: string;
    };
    return {
      first: r.first_seq,
      header: r.header,
      count: (JSON.parse(r.header) as { txCount: number }).txCount,
    };
  };
  let h1 = Math.max(1, Math.floor(head / 2));
  while (h1 < head && block(h1).count === 0) h1++;
  const b1 = block(h1);
  const tx = Math.floor(b1.count / 2);
  const h2 = Math.max(1, head - 1);
  return [
    {
      edit: 'tx-body',
      description: 'one character of a stored transaction changed',
      target: { height: h1, tx },
      expectedKind: 'tx-id',
      apply: (d) => {
        const seq = b1.first + tx;
        const { body } = d.prepare('SELECT body FROM txs WHERE seq = ?').get(seq) as { body: string };
        const changed = body.replace(/"nonce":"(.)/, (_m, c: string) => `"nonce":"${c === '0' ? '1' : '0'}`);
        d.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(changed, seq);
        return () => d.prepare('UPDATE txs SET body = ? WHERE seq = ?').run(body, seq);
      },
    },
    {
      edit: 'block-header',
      description: "a block header's time moved by 1 ms",
      target: { height: h2 },
      expectedKind: 'block-hash',
      apply: (d) => {
        const { header } = block(h2);
        const changed = header.replace(/"time":(\d+)/, (_m, n: string) => `"time":${String(Number(n) + 1)}`);
        d.prepare('UPDATE blocks SET header = ? WHERE height = ?').run(changed, h2);
        return () => d.prepare('UPDATE blocks SET header = ? WHERE height = ?').run(header, h2);
      },
    },
    {
      edit: 'tail-deleted',
      description: 'the last block and its transactions deleted',
      target: { height: head },
      expectedKind: 'head-witness',
      apply: (d) => {
        const row = d.prepare('SELECT * FROM blocks WHERE height = ?').get(head) as Record<
          string,
          string | number | Uint8Array | null
        >;
        const txs = d.prepare('SELECT * FROM txs WHERE height = ? ORDER BY seq').all(head) as Record<
          string,
          string | number | Uint8Array
        >[];
        d.exec('BEGIN');
        d.prepare('DELETE FROM txs WHERE height = ?').run(head);
        d.prepare('DELETE FROM blocks WHERE height = ?').run(head);
        d.exec('COMMIT');
        return () => {
          d.exec('BEGIN');
          d.prepare(
            'INSERT INTO blocks (height, hash, header, signature, first_seq, certificate) VALUES (?, ?, ?, ?, ?, ?)',
          ).run(row.height!, row.hash!, row.header!, row.signature!, row.first_seq!, row.certificate ?? null);
          const ins = d.prepare(
            'INSERT INTO txs (seq, id, height, type, body, sig) VALUES (?, ?, ?, ?, ?, ?)',
          );
          for (const t of txs) ins.run(t.seq!, t.id!, t.height!, t.type!, t.body!, t.sig!);
          d.exec('COMMIT');
        };
      },
    },
  ];
}

async function until(
  monitor: IntegrityMonitor,
  state: IntegrityState,
  timeoutMs: number,
): Promise<number | undefined> {
  const t0 = performance.now();
  while (monitor.status.state !== state) {
    if (performance.now() - t0 > timeoutMs) return undefined;
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - t0;
}

async function runCase(
  monitor: IntegrityMonitor,
  db: DatabaseSync,
  e: Edit,
  timeoutMs: number,
): Promise<TamperCase> {
  const runsBefore = monitor.status.runs;
  const undo = e.apply(db);
  const detectedMs = await until(monitor, 'compromised', timeoutMs);
  const s = monitor.status;
  const reported = s.problems
    .filter((p): p is Exclude<typeof p, { record: string }> => !('record' in p))
    .map(locate);
  const lowest = reported.length ? Math.min(...reported.map((p) => p.height)) : undefined;
  const located =
    lowest === e.target.height &&
    reported.some((p) => p.height === e.target.height && p.tx === e.target.tx && p.kind === e.expectedKind);
  undo();
  const restoredMs = await until(monitor, 'ok', timeoutMs);
  return {
    edit: e.edit,
    description: e.description,
    target: e.target,
    expectedKind: e.expectedKind,
    detected: detectedMs !== undefined,
    detectedMs,
    monitorRuns: s.runs - runsBefore,
    reported: detectedMs === undefined ? [] : reported,
    located: detectedMs !== undefined && located,
    restored: restoredMs !== undefined,
    restoredMs,
  };
}

export async function runTamper(opts: TamperOptions = {}): Promise<TamperResult> {
  const ws = workspace('tamper');
  let kind = sourceKind(opts);
  const intervalMs = opts.intervalMs ?? 1000;
  let node: MedicalNode;
  let fallback: string | undefined;
  try {
    node = await openNode(join(ws.dir, 'node'), opts, kind);
  } catch (e) {
    if (kind !== 'copy') throw e;
    // E.g. an encrypted node key without MEDLEDGER_KEY_PASSPHRASE: run the scenario on a fresh node.
    fallback = `the snapshot could not be opened as a node (${e instanceof Error ? e.message : String(e)})`;
    kind = 'fresh';
    node = await openNode(join(ws.dir, 'fresh'), opts, kind);
  }
  const monitor = new IntegrityMonitor(node, { intervalMs });
  const db = new DatabaseSync(join(node.ledger.paths.dir, 'ledger.sqlite'), { timeout: 5000 });
  try {
    const baseline = await monitor.start();
    const head = node.ledger.height;
    const cases: TamperCase[] = [];
    if (baseline.state === 'ok')
      for (const e of edits(db, head)) cases.push(await runCase(monitor, db, e, opts.timeoutMs ?? 15_000));
    return {
      date: new Date().toISOString(),
      source: kind,
      intervalMs,
      chain: { height: head },
      baselineOk: baseline.state === 'ok',
      ...(fallback ? { fallback } : {}),
      cases,
    };
  } finally {
    monitor.stop();
    db.close();
    await node.close();
    ws.dispose();
  }
}
