/**
 * @module
 * ChainNode core benchmarks (`npm run bench`): append throughput with signature
 * verification at 10^4 and at 10^6 transactions, full and hash-only verification, inclusion proofs at
 * 10^6 transactions, and mining time per difficulty. Prints a table and writes bench/results/core.json.
 * Figures are medians or totals of one run; the machine is shared, so run twice and compare ratios.
 */
import { randomBytes, sign } from 'node:crypto';
import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { toHex } from '../src/core/bytes.ts';
import { canonicalize } from '../src/core/canonical-json.ts';
import { generateSigner } from '../src/core/keys.ts';
import type { Signer } from '../src/core/keys.ts';
import { ZERO_HASH } from '../src/core/block.ts';
import { mine } from '../src/core/pow.ts';
import { createTx, txIdOf } from '../src/core/tx.ts';
import type { Tx, TxBody } from '../src/core/tx.ts';
import { ChainNode } from '../src/chain/chain-node.ts';
import { startSigPool } from '../src/runtime/sig-pool.ts';
import { writeResult } from './results.ts';

export interface CoreBenchOptions {
  /** Size of the large log (default 10^6). */
  readonly txs: number;
  /** Highest mining difficulty measured (default 20). */
  readonly maxDifficulty: number;
  readonly blockSize: number;
  readonly out?: string | undefined;
  readonly log: (line: string) => void;
}

function signAsync(signer: Signer, msg: Uint8Array): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    sign(null, msg, signer.privateKey, (err, sig) => {
      if (err) reject(err);
      else resolve(sig);
    });
  });
}

/** n signed `data.put` transactions, signed in the thread pool. */
async function makeTxs(signer: Signer, from: number, n: number): Promise<Tx[]> {
  const now = Date.now();
  const pending = [];
  for (let i = 0; i < n; i++) {
    const body: TxBody = {
      type: 'data.put',
      payload: { n: from + i, kind: 'benchmark', values: [from + i, 1, 2, 3] },
      signer: signer.keyId,
      time: now,
      nonce: randomBytes(16).toString('hex'),
    };
    const bodyJson = canonicalize(body);
    const idBytes = txIdOf(bodyJson);
    pending.push(
      signAsync(signer, idBytes).then((sig): Tx => ({ id: toHex(idBytes), idBytes, body, bodyJson, sig })),
    );
  }
  return Promise.all(pending);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function runCoreBench(opts: CoreBenchOptions): Promise<Record<string, unknown>> {
  const { log } = opts;
  const dir = mkdtempSync(join(tmpdir(), 'medledger-bench-'));
  try {
    const ledger = await ChainNode.init(join(dir, 'node'), { difficulty: 0 });
    const client = generateSigner();
    await ledger.submit(
      createTx(ledger.signer, 'org.join', {
        org: 'bench',
        name: 'Benchmark Hospital',
        encryptionKey: toHex(randomBytes(32)),
      }),
    );
    await ledger.mine();
    await ledger.submit(
      createTx(ledger.signer, 'identity.register', {
        publicKey: toHex(client.publicKey),
        role: 'doctor',
        org: 'bench',
        encryptionKey: toHex(randomBytes(32)),
      }),
    );
    await ledger.mine();
    // As a node does at start-up: signature threads running before the first timed block.
    await startSigPool();

    // Append: presign a chunk (not timed), then submit (signature checks in the pool) and mine+commit.
    log(`appending ${opts.txs} signed transactions in blocks of ${opts.blockSize} (difficulty 0)…`);
    const chunk = 10 * opts.blockSize;
    const windowRates: { at: number; txPerSec: number; cpuMicrosPerTx: number }[] = [];
    let appendMs = 0;
    let appendCpuMicros = 0;
    for (let done = 0; done < opts.txs;) {
      const n = Math.min(chunk, opts.txs - done);
      const txs = await makeTxs(client, done, n);
      const t0 = performance.now();
      const cpu0 = process.cpuUsage();
      // As on a live node, signatures of the next batch are verified in the pool while a block commits.
      const submit = async (i: number): Promise<void> => {
        const res = await ledger.submitMany(txs.slice(i, i + opts.blockSize));
        if (res.some((r) => 'error' in r)) throw new Error('benchmark transaction rejected');
      };
      let next = submit(0);
      for (let i = 0; i < n; i += opts.blockSize) {
        await next;
        next = i + opts.blockSize < n ? submit(i + opts.blockSize) : Promise.resolve();
        await ledger.mine({ maxTxs: opts.blockSize });
      }
      await next;
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      appendCpuMicros += cpu.user + cpu.system;
      appendMs += ms;
      done += n;
      windowRates.push({ at: done, txPerSec: (n / ms) * 1000, cpuMicrosPerTx: (cpu.user + cpu.system) / n });
      if (done % (chunk * 10) === 0 || done === opts.txs)
        log(
          `  ${done} transactions, last chunk ${((n / ms) * 1000).toFixed(0)} tx/s, ${((cpu.user + cpu.system) / n).toFixed(0)} µs CPU/tx`,
        );
    }
    const appendTxPerSec = (opts.txs / appendMs) * 1000;
    // Flatness: the medians of the first and of the last ten 10^4-transaction chunks (one chunk is at
    // the mercy of one WAL checkpoint or one noisy neighbour on this shared machine).
    const windows = Math.min(10, Math.floor(windowRates.length / 2) || 1);
    const early = windowRates.slice(0, windows);
    const late = windowRates.slice(-windows);

    if ((opts as { appendOnly?: boolean }).appendOnly) {
      log(`append ${appendTxPerSec.toFixed(0)} tx/s, ${(appendCpuMicros / opts.txs).toFixed(0)} µs CPU/tx`);
      await ledger.close();
      return {};
    }
    // Inclusion proofs against the head of the large log.
    const head = ledger.lastBlock();
    const proofTimes: number[] = [];
    for (let i = 0; i < 1000; i++) {
      const seq = Math.floor(Math.random() * head.header.logSize);
      const tx = ledger.store.txsBySeq(seq, seq + 1)[0]!;
      const t0 = performance.now();
      ledger.inclusionProof(tx.id);
      proofTimes.push((performance.now() - t0) * 1000);
    }

    // Verification: hash-only, then full with signatures, both from genesis.
    log('verifying (hash only)…');
    const hashOnly = await ledger.verify({ full: true, signatures: false });
    log('verifying (full, with signatures)…');
    const full = await ledger.verify({ full: true });
    if (!hashOnly.ok || !full.ok) throw new Error('benchmark chain does not verify');
    await ledger.close();

    // Mining: attempts and time per difficulty.
    log(`mining difficulty 0..${opts.maxDifficulty}…`);
    const mining = [];
    let totalAttempts = 0;
    let totalMs = 0;
    for (let d = 0; d <= opts.maxDifficulty; d++) {
      const runs = d <= 14 ? 9 : d <= 18 ? 5 : 3;
      const times: number[] = [];
      const attempts: number[] = [];
      for (let r = 0; r < runs; r++) {
        const m = mine({
          height: r,
          prevHash: ZERO_HASH,
          merkleRoot: toHex(randomBytes(32)),
          logSize: 0,
          logRoot: ZERO_HASH,
          time: Date.now(),
          difficulty: d,
          proposer: ZERO_HASH,
          txCount: 0,
        });
        times.push(m.elapsedMs);
        attempts.push(m.attempts);
        totalAttempts += m.attempts;
        totalMs += m.elapsedMs;
      }
      mining.push({
        difficulty: d,
        runs,
        expectedAttempts: 2 ** d,
        meanAttempts: Math.round(attempts.reduce((a, b) => a + b, 0) / runs),
        medianMs: median(times),
      });
    }
    const hashRate = (totalAttempts / totalMs) * 1000;

    const result = {
      benchmark: 'core',
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      blockSize: opts.blockSize,
      logSize: head.header.logSize,
      appendTxPerSec: Math.round(appendTxPerSec),
      appendCpuMicrosPerTx: Math.round(appendCpuMicros / opts.txs),
      appendTxPerSecFirst1e5: Math.round(median(early.map((w) => w.txPerSec))),
      appendTxPerSecLast1e5: Math.round(median(late.map((w) => w.txPerSec))),
      appendCpuMicrosPerTxFirst1e5: Math.round(median(early.map((w) => w.cpuMicrosPerTx))),
      appendCpuMicrosPerTxLast1e5: Math.round(median(late.map((w) => w.cpuMicrosPerTx))),
      verifyTxPerSec: Math.round((full.txs / full.elapsedMs) * 1000),
      verifyHashOnlyTxPerSec: Math.round((hashOnly.txs / hashOnly.elapsedMs) * 1000),
      proofMicrosAt1e6: Math.round(median(proofTimes)),
      proofMicrosP99: Math.round(percentile(proofTimes, 99)),
      hashesPerSec: Math.round(hashRate),
      mining,
    };
    printTable(result, log);
    writeResult(opts.out, result);
    if (opts.out) log(`wrote ${opts.out}`);
    return result;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(
  r: {
    mining: { difficulty: number; expectedAttempts: number; meanAttempts: number; medianMs: number }[];
  } & Record<string, unknown>,
  log: (s: string) => void,
): void {
  log('');
  log('metric                       value');
  for (const k of [
    'logSize',
    'appendTxPerSec',
    'appendCpuMicrosPerTx',
    'appendTxPerSecFirst1e5',
    'appendTxPerSecLast1e5',
    'appendCpuMicrosPerTxFirst1e5',
    'appendCpuMicrosPerTxLast1e5',
    'verifyTxPerSec',
    'verifyHashOnlyTxPerSec',
    'proofMicrosAt1e6',
    'proofMicrosP99',
    'hashesPerSec',
  ]) {
    log(`${k.padEnd(28)} ${String(r[k])}`);
  }
  log('');
  log('difficulty  expected attempts  mean attempts  median time');
  for (const m of r.mining) {
    log(
      `${String(m.difficulty).padEnd(11)} ${String(m.expectedAttempts).padEnd(18)} ${String(m.meanAttempts).padEnd(14)} ${m.medianMs.toFixed(3)} ms`,
    );
  }
}
