/**
 * @module
 * Crash safety: a writer process (test/fixtures/crash-writer.ts) appends blocks to one data directory
 * and is killed with SIGKILL at a random moment, round after round, each round reopening the same
 * directory. Afterwards the chain must verify from genesis and hold every block the writer
 * acknowledged, at the height it acknowledged. Set CRASH_SEED to replay a run's kill timings.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { ChainNode } from '../src/chain/chain-node.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { createNodeKey, dataPaths } from '../src/chain/data-dir.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';

const WRITER = fileURLToPath(new URL('./fixtures/crash-writer.ts', import.meta.url));
const MEDICAL_WRITER = fileURLToPath(new URL('./fixtures/crash-medical-writer.ts', import.meta.url));
const ROUNDS = 15;
const BUDGET_MS = 45_000;

const root = mkdtempSync(join(tmpdir(), 'medledger-crash-'));
const live = new Set<ChildProcess>();
after(() => {
  for (const c of live) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
});

/** mulberry32: a small seeded PRNG, so a failing run's kill timings can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ack {
  readonly round: number;
  readonly height: number;
  readonly txId: string;
}

interface Round {
  readonly opened?: { height: number; ok: string; problems: string };
  readonly acks: Ack[];
  readonly signal: NodeJS.Signals | null;
  readonly code: number | null;
  readonly stderr: string;
}

/**
 * Runs the writer once and SIGKILLs it `delayMs` after it starts (`from: 'spawn'`, so the kill can
 * land in start-up, recovery or the open-time check) or after it reported the ledger open.
 */
async function runWriter(
  dir: string,
  round: number,
  delayMs: number,
  from: 'spawn' | 'open',
  writer = WRITER,
): Promise<Round> {
  const child = spawn(process.execPath, [writer, dir, String(round)], { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  try {
    let out = '';
    let stderr = '';
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      timer ??= setTimeout(() => child.kill('SIGKILL'), delayMs);
    };
    if (from === 'spawn') arm();
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      out += s;
      if (out.includes('OPEN ')) arm();
    });
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
    });
    const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
    clearTimeout(timer);
    // Only complete lines count: a line cut by the kill was never an acknowledgement.
    const lines = out.split('\n').slice(0, -1);
    let opened: Round['opened'];
    const acks: Ack[] = [];
    for (const line of lines) {
      const [tag, a, b, ...rest] = line.split(' ');
      if (tag === 'OPEN') opened = { height: Number(a), ok: b!, problems: rest.join(' ') };
      else if (tag === 'ACK') acks.push({ round, height: Number(a), txId: b! });
      else assert.fail(`unexpected writer output: ${line}`);
    }
    return { ...(opened ? { opened } : {}), acks, signal, code, stderr };
  } finally {
    child.kill('SIGKILL');
    live.delete(child);
  }
}

test('every acknowledged block survives SIGKILL at random moments', async (t) => {
  // The run's seed (scripts/node-test.ts) unless CRASH_SEED names another: kill moments replay with it.
  const seed = Number(process.env.CRASH_SEED ?? process.env.MEDLEDGER_TEST_SEED ?? Date.now() % 2 ** 32);
  t.diagnostic(`CRASH_SEED=${seed}`);
  const random = prng(seed);
  const dir = join(root, 'kill');
  const deadline = Date.now() + BUDGET_MS;
  const acks: Ack[] = [];
  let rounds = 0;
  for (let round = 0; round < ROUNDS && Date.now() < deadline; round++, rounds++) {
    const delay = Math.round(50 + random() * 350);
    // Round 0 creates the ledger and is killed only once it is open (a crash inside init is its own
    // test below); every third round after it may die during start-up, recovery or open.
    const from = round > 0 && round % 3 === 0 ? 'spawn' : 'open';
    const r = await runWriter(dir, round, delay, from);
    const last = acks.at(-1)?.height ?? 0;
    const what = `round ${round} (kill ${delay} ms after ${from})`;
    assert.equal(r.signal, 'SIGKILL', `${what}: writer exited by itself (code ${r.code}): ${r.stderr}`);
    if (r.opened) {
      assert.notEqual(r.opened.ok, 'false', `${what}: open found problems ${r.opened.problems}`);
      assert.ok(
        r.opened.height >= last,
        `${what}: reopened at ${r.opened.height}, block ${last} was acknowledged`,
      );
    }
    // Heights follow on within a round; across a kill a block may have committed unacknowledged.
    r.acks.forEach((a, i) => {
      const prev = i === 0 ? last : r.acks[i - 1]!.height;
      assert.ok(
        i === 0 ? a.height > prev : a.height === prev + 1,
        `${what}: ack at ${a.height} after ${prev}`,
      );
    });
    acks.push(...r.acks);
    t.diagnostic(`${what}: opened at ${r.opened?.height ?? '-'}, ${r.acks.length} acks`);
  }
  t.diagnostic(`${rounds} rounds, ${acks.length} acknowledged blocks`);
  assert.ok(rounds >= 5, `only ${rounds} rounds within the time budget`);
  assert.ok(acks.length > 0, 'the writer never acknowledged a block');

  const ledger = await ChainNode.open(dir, { verify: 'full' });
  try {
    assert.deepEqual(ledger.openReport?.problems, []);
    assert.equal(ledger.openReport.ok, true);
    const report = await ledger.verify({ full: true });
    assert.deepEqual(report.problems, []);
    assert.ok(ledger.height >= acks.at(-1)!.height);
    for (const a of acks) {
      const found = ledger.tx(a.txId);
      assert.equal(found.height, a.height, `tx ${a.txId} acknowledged at ${a.height}`);
      assert.equal((found.tx.body.payload as { round: number }).round, a.round);
    }
  } finally {
    await ledger.close();
  }
});

test('a medical node killed at random moments keeps its state tables and access log equal to the chain', async (t) => {
  const seed = Number(process.env.CRASH_SEED ?? process.env.MEDLEDGER_TEST_SEED ?? Date.now() % 2 ** 32) + 1;
  t.diagnostic(`CRASH_SEED=${seed - 1}`);
  const random = prng(seed);
  const dir = join(root, 'medical');
  const deadline = Date.now() + BUDGET_MS;
  const acks: Ack[] = [];
  let rounds = 0;
  for (let round = 0; round < 10 && Date.now() < deadline; round++, rounds++) {
    const delay = Math.round(200 + random() * 1000);
    const from = round > 0 && round % 3 === 0 ? 'spawn' : 'open';
    const r = await runWriter(dir, round, delay, from, MEDICAL_WRITER);
    const what = `round ${round} (kill ${delay} ms after ${from})`;
    assert.equal(r.signal, 'SIGKILL', `${what}: writer exited by itself (code ${r.code}): ${r.stderr}`);
    if (r.opened) assert.notEqual(r.opened.ok, 'false', `${what}: open found problems ${r.opened.problems}`);
    acks.push(...r.acks);
    t.diagnostic(`${what}: opened at ${r.opened?.height ?? '-'}, ${r.acks.length} records acknowledged`);
  }
  assert.ok(acks.length > 0, 'the writer never acknowledged a record');
  const ledger = await ChainNode.open(dir, { verify: 'full' });
  try {
    assert.deepEqual(ledger.openReport?.problems, []);
    // `medledger verify`'s vault report: the state tables and the access log against a replay of the chain.
    const report = MedicalNode.verifyVaultOf(ledger);
    assert.deepEqual(report.problems, []);
  } finally {
    await ledger.close();
  }
  const { node } = await MedicalNode.open(dir, { adminPassword: 'unused', difficulty: 0 });
  try {
    for (const a of acks) assert.equal(node.state.records.get(a.txId)?.height, a.height, `record ${a.txId}`);
    assert.equal(node.state.height, node.ledger.height);
    assert.equal(node.accessLog.check(), undefined);
  } finally {
    await node.close();
  }
});

test('a ledger killed inside init, before its genesis commit, can be opened and written', async () => {
  // The state a SIGKILL leaves between `new SqliteStore(paths.db)` and the genesis commit in init.
  const dir = join(root, 'half-init');
  const paths = dataPaths(dir);
  mkdirSync(paths.dir, { recursive: true });
  createNodeKey(paths);
  new SqliteStore(paths.db).close();

  const ledger = await ChainNode.openOrInit(dir, { difficulty: 0 });
  try {
    const id = await ledger.addData({ i: 0 });
    await ledger.mine();
    assert.equal(ledger.tx(id).height, 1);
    assert.equal((await ledger.verify({ full: true })).ok, true);
  } finally {
    await ledger.close();
  }
});
