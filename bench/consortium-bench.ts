/**
 * @module
 * Consortium benchmark, Caliper-style: 3 member nodes and a 3-member etcd cluster on this machine
 * (the nodes share one process here; etcd runs as 3 processes). Clients submit signed transactions
 * to all three nodes at a fixed concurrency; reported: succeeded, failed, send rate, committed
 * throughput, submit-to-commit latency p50/p95/p99, commit-to-final latency (a quorum of signed
 * votes stored as the block's certificate) p50/p95/p99, and CPU. Writes bench/results/consortium.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTx } from '../src/core/tx.ts';
import { BlockProducer } from '../src/node/block-producer.ts';
import { ConsortiumMember } from '../src/node/consortium.ts';
import { initConsortium, readMember } from '../src/node/consortium-genesis.ts';
import { Ledger } from '../src/node/ledger.ts';
import { EtcdCluster } from '../src/ordering/etcd-cluster.ts';

export interface ConsortiumBenchOptions {
  readonly txs: number;
  /** Transactions in flight per node. */
  readonly concurrency: number;
  readonly out?: string | undefined;
  readonly log: (line: string) => void;
}

function pct(xs: readonly number[], p: number): number {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function runConsortiumBench(o: ConsortiumBenchOptions): Promise<Record<string, unknown>> {
  const root = mkdtempSync(join(tmpdir(), 'medledger-consortium-bench-'));
  const cluster = await EtcdCluster.start({ dir: join(root, 'etcd'), members: 3 });
  const members: { ledger: Ledger; producer: BlockProducer; member: ConsortiumMember }[] = [];
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
    for (const d of dirs) {
      const { genesis } = readMember(d);
      const member = ConsortiumMember.connect(genesis);
      const ledger = await Ledger.join(d, genesis.block, { orderer: member.makeOrderer });
      const producer = new BlockProducer(ledger, () => undefined);
      await member.attach(ledger, producer);
      members.push({ ledger, producer, member });
    }
    // Wait for a proposer.
    while (!members.some((m) => m.member.isProposer)) await new Promise((r) => setTimeout(r, 50));
    const perNode = Math.ceil(o.txs / members.length);
    const latencies: number[] = [];
    let ok = 0;
    let failed = 0;
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await Promise.all(
      members.map(async (m, n) => {
        let next = 0;
        const worker = async (): Promise<void> => {
          while (next < perNode) {
            const i = next++;
            const tx = createTx(m.ledger.signer, 'data.put', { node: n, i }, { time: Date.now() });
            const start = performance.now();
            try {
              const id = await m.ledger.submit(tx, { signedHere: true });
              await m.producer.settle(id);
              latencies.push(performance.now() - start);
              ok++;
            } catch {
              failed++;
            }
          }
        };
        await Promise.all(Array.from({ length: o.concurrency }, worker));
      }),
    );
    const elapsedS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    // Let the last votes arrive.
    await new Promise((r) => setTimeout(r, 1000));
    const finality = members.flatMap((m) => m.member.finalityLatencies());
    const heads = members.map((m) => m.ledger.store.head()?.hash);
    const result = {
      setup: '3 member nodes (one process) + 3 etcd members, loopback, data.put transactions',
      cpus: cpus().length,
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
      nodeProcessCpuPercent: Math.round(((cpu.user + cpu.system) / 1e6 / elapsedS) * 100),
      sameHead: heads.every((h) => h === heads[0]),
      height: members[0]!.ledger.height,
    };
    for (const k of ['commitLatencyMs', 'commitToFinalMs'] as const)
      for (const p of ['p50', 'p95', 'p99'] as const) result[k][p] = Math.round(result[k][p] * 10) / 10;
    o.log(
      `consortium: ${result.throughputTxPerS} committed tx/s (sent ${result.sendRateTxPerS}/s, ${failed} failed), ` +
        `commit p50/p95/p99 ${result.commitLatencyMs.p50}/${result.commitLatencyMs.p95}/${result.commitLatencyMs.p99} ms, ` +
        `commit→final p50/p95/p99 ${result.commitToFinalMs.p50}/${result.commitToFinalMs.p95}/${result.commitToFinalMs.p99} ms, ` +
        `node CPU ${result.nodeProcessCpuPercent}%`,
    );
    if (o.out) {
      mkdirSync(join(o.out, '..'), { recursive: true });
      writeFileSync(o.out, `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
    }
    return result;
  } finally {
    for (const m of members) {
      await m.member.close();
      await m.ledger.close();
      m.member.disconnect();
    }
    await cluster.stop();
    rmSync(root, { recursive: true, force: true });
  }
}
