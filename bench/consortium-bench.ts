/**
 * @module
 * Consortium benchmark, Caliper-style: 3 member nodes and a 3-member etcd cluster on this machine,
 * each node and each etcd member a process of its own as on a real deployment (consortium-node.ts). Clients submit signed transactions
 * to all three nodes at a fixed concurrency; reported: succeeded, failed, send rate, committed
 * throughput, submit-to-commit latency p50/p95/p99, commit-to-final latency (a quorum of signed
 * votes stored as the block's certificate) p50/p95/p99, and CPU. Writes bench/results/consortium.json.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { initConsortium } from '../src/consortium/consortium-genesis.ts';
import { EtcdCluster } from '../src/ordering/etcd-cluster.ts';
import { IpcChild } from '../test/support/ipc-child.ts';
import type { FromNode, ToNode } from './consortium-node.ts';

const NODE_SCRIPT = new URL('./consortium-node.ts', import.meta.url).pathname;

export interface ConsortiumBenchOptions {
  readonly txs: number;
  /** Transactions in flight per node. */
  readonly concurrency: number;
  /** Rounds, each on a fresh cluster; the round of median throughput is reported (default 1). */
  readonly rounds?: number;
  readonly out?: string | undefined;
  readonly log: (line: string) => void;
}

function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/**
 * Runs `rounds` rounds (each on a fresh cluster and chain), logs each, and reports the round of median
 * throughput with every round's headline figures.
 */
export async function runConsortiumBench(o: ConsortiumBenchOptions): Promise<Record<string, unknown>> {
  const rounds: RoundResult[] = [];
  for (let i = 0; i < (o.rounds ?? 1); i++) rounds.push(await runRound(o));
  const median = [...rounds].sort((a, b) => a.throughputTxPerS - b.throughputTxPerS)[rounds.length >> 1]!;
  const result = {
    ...median,
    rounds: rounds.map((r) => ({
      throughputTxPerS: r.throughputTxPerS,
      commitToFinalP99Ms: r.commitToFinalMs.p99,
      machineBusyPercent: r.machineBusyPercent,
    })),
  };
  if (o.out) {
    mkdirSync(join(o.out, '..'), { recursive: true });
    writeFileSync(o.out, `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
  }
  return result;
}

type RoundResult = Awaited<ReturnType<typeof runRound>>;

async function runRound(o: ConsortiumBenchOptions) {
  const root = mkdtempSync(join(tmpdir(), 'medledger-consortium-bench-'));
  const cluster = await EtcdCluster.start({ dir: join(root, 'etcd'), members: 3 });
  const nodes: NodeProcess[] = [];
  try {
    const { dirs } = await initConsortium({
      dir: root,
      chainId: 'bench',
      endpoints: cluster.endpoints,
      members: [1, 2, 3].map((i) => ({
        org: `h${i}`,
        name: `Hospital ${i}`,
        url: `http://127.0.0.1:${9100 + i}`,
      })),
      difficulty: 0,
    });
    const perNode = Math.ceil(o.txs / dirs.length);
    for (const [i, d] of dirs.entries()) nodes.push(new NodeProcess(d, perNode, i));
    await Promise.all(nodes.map((n) => n.next('ready')));
    // Wait for a proposer.
    const deadline = Date.now() + 60_000;
    while (!nodes.some((n) => n.isProposer)) {
      if (Date.now() > deadline) throw new Error('no proposer elected within 60 s');
      for (const n of nodes) n.check();
      await new Promise((r) => setTimeout(r, 50));
    }
    const busy0 = machineTicks();
    const t0 = performance.now();
    for (const n of nodes) n.send({ type: 'go', concurrency: o.concurrency });
    const done = await Promise.all(nodes.map((n) => n.next('done')));
    const elapsedS = (performance.now() - t0) / 1000;
    const busy1 = machineTicks();
    // Let the last votes arrive.
    await new Promise((r) => setTimeout(r, 1000));
    const reports = await Promise.all(
      nodes.map((n) => {
        n.send({ type: 'report' });
        return n.next('report');
      }),
    );
    const ok = done.reduce((a, d) => a + d.ok, 0);
    const failed = done.reduce((a, d) => a + d.failed, 0);
    const latencies = done.flatMap((d) => d.latencies);
    const finality = reports.flatMap((r) => r.finality);
    const heads = reports.map((r) => r.head);
    const cpuMicros = done.reduce((a, d) => a + d.cpuMicros, 0);
    const result = {
      setup: '3 member nodes (one process each) + 3 etcd members, loopback, data.put transactions',
      cpus: cpus().length,
      concurrencyPerNode: o.concurrency,
      submitted: ok + failed,
      succeeded: ok,
      failed,
      sendRateTxPerS: Math.round((ok + failed) / elapsedS),
      throughputTxPerS: Math.round(ok / elapsedS),
      commitLatencyMs: { p50: pct(latencies, 50), p95: pct(latencies, 95), p99: pct(latencies, 99) },
      commitToFinalMs: {
        p50: pct(finality, 50),
        p95: pct(finality, 95),
        p99: pct(finality, 99),
        blocks: finality.length,
      },
      nodeProcessesCpuPercent: Math.round((cpuMicros / 1e6 / elapsedS) * 100),
      machineBusyPercent:
        busy0 && busy1
          ? Math.round(100 * (1 - (busy1.idle - busy0.idle) / (busy1.total - busy0.total)))
          : null,
      sameHead: heads.every((h) => h === heads[0]),
      height: reports[0]!.height,
    };
    for (const k of ['commitLatencyMs', 'commitToFinalMs'] as const)
      for (const p of ['p50', 'p95', 'p99'] as const) result[k][p] = Math.round(result[k][p] * 10) / 10;
    o.log(
      `consortium: ${result.throughputTxPerS} committed tx/s (sent ${result.sendRateTxPerS}/s, ${failed} failed), ` +
        `commit p50/p95/p99 ${result.commitLatencyMs.p50}/${result.commitLatencyMs.p95}/${result.commitLatencyMs.p99} ms, ` +
        `commit→final p50/p95/p99 ${result.commitToFinalMs.p50}/${result.commitToFinalMs.p95}/${result.commitToFinalMs.p99} ms, ` +
        `node CPU ${result.nodeProcessesCpuPercent}%, machine busy ${String(result.machineBusyPercent)}%`,
    );
    return result;
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

/** Busy and total CPU ticks of the machine (Linux /proc/stat), or undefined elsewhere. */
function machineTicks(): { idle: number; total: number } | undefined {
  try {
    const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: f[3]! + (f[4] ?? 0), total: f.reduce((a, b) => a + b, 0) };
  } catch {
    return undefined;
  }
}

/** A member node in a child process (consortium-node.ts), spoken to over IPC. */
class NodeProcess {
  isProposer = false;
  readonly #ipc: IpcChild<FromNode, ToNode>;
  #reported = false;

  constructor(dir: string, perNode: number, index: number) {
    this.#ipc = new IpcChild<FromNode, ToNode>(NODE_SCRIPT, [dir, String(perNode), String(index)], {
      name: `bench node ${String(index)}`,
      watch: (m) => {
        if (m.type === 'report') this.#reported = true;
        if (m.type !== 'proposer') return false;
        this.isProposer = m.isProposer;
        return true;
      },
    });
  }

  send(m: ToNode): void {
    this.#ipc.send(m);
  }

  /** Throws if the node has exited. */
  check(): void {
    if (this.#ipc.exited) throw new Error(`${this.#ipc.name} exited`);
  }

  /** The next message of `type` from the node, within `ms`; rejects if it exits first. */
  next<T extends FromNode['type']>(type: T, ms = 300_000): Promise<Extract<FromNode, { type: T }>> {
    return this.#ipc.next(type, ms);
  }

  /** Waits for the node to exit (it does after `report`), killing it after 10 s. */
  stop(): Promise<void> {
    return this.#ipc.stop(() => {
      if (!this.#reported) void this.#ipc.kill('SIGTERM'); // it closes itself once it has reported
    });
  }
}
