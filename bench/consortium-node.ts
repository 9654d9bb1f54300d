/**
 * @module
 * One member node of the consortium benchmark, in a process of its own as on a real deployment (the
 * parent, consortium-bench.ts, starts three). It joins the chain from its member directory, signs
 * its `perNode` transactions (before the clock starts, as Caliper's workers sign in their own
 * processes), says `ready`, and on `go` its clients submit them at `concurrency` in flight, each
 * waiting for its commit. It
 * answers `done` with its counts, submit-to-commit latencies and CPU time, and on `report` (after the
 * last votes had time to arrive) with its commit-to-final latencies and head, then closes.
 */
import { createTx } from '../src/core/tx.ts';
import type { Tx } from '../src/core/tx.ts';
import type { BlockProducer } from '../src/chain/block-producer.ts';
import type { ChainNode } from '../src/chain/chain-node.ts';
import { startMember, stopMember } from '../test/support/consortium-member.ts';

export type ToNode = { readonly type: 'go'; readonly concurrency: number } | { readonly type: 'report' };

export type FromNode =
  | { readonly type: 'ready' }
  | { readonly type: 'proposer'; readonly isProposer: boolean }
  | {
      readonly type: 'done';
      readonly ok: number;
      readonly failed: number;
      readonly latencies: number[];
      readonly cpuMicros: number;
      readonly elapsedMs: number;
    }
  | {
      readonly type: 'report';
      readonly finality: number[];
      readonly head: string | undefined;
      readonly height: number;
    };

const send = (m: FromNode): void => {
  process.send?.(m);
};

// The parent went away (killed, crashed): no orphan node left running.
process.on('disconnect', () => process.exit(1));

async function main(dir: string, perNode: number, index: number): Promise<void> {
  const node = await startMember(dir);
  const { ledger, producer, member } = node;
  const signed: Tx[] = Array.from({ length: perNode }, (_, i) =>
    createTx(ledger.signer, 'data.put', { node: index, i }, { time: Date.now() }),
  );
  const timer = setInterval(() => {
    send({ type: 'proposer', isProposer: member.isProposer });
  }, 50);
  send({ type: 'ready' });

  process.on('message', (m: ToNode) => {
    if (m.type === 'go') {
      clearInterval(timer);
      void run(ledger, producer, signed, m.concurrency).then(send);
    } else {
      send({
        type: 'report',
        finality: [...member.finalityLatencies()],
        head: ledger.store.head()?.hash,
        height: ledger.height,
      });
      void (async () => {
        await stopMember(node);
        process.exit(0);
      })();
    }
  });
}

async function run(
  ledger: ChainNode,
  producer: BlockProducer,
  signed: readonly Tx[],
  concurrency: number,
): Promise<FromNode> {
  const latencies: number[] = [];
  let ok = 0;
  let failed = 0;
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const client = async (): Promise<void> => {
    while (next < signed.length) {
      const tx = signed[next++]!;
      const start = performance.now();
      try {
        const id = await ledger.submit(tx, { signedHere: true });
        await producer.settle(id);
        latencies.push(performance.now() - start);
        ok++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const cpu = process.cpuUsage(cpu0);
  return {
    type: 'done',
    ok,
    failed,
    latencies,
    cpuMicros: cpu.user + cpu.system,
    elapsedMs: performance.now() - t0,
  };
}

const [dir, perNode, index] = process.argv.slice(2);
if (dir && perNode && index) {
  main(dir, Number(perNode), Number(index)).catch((e: unknown) => {
    process.stderr.write(`consortium bench node: ${String(e)}\n`);
    process.exit(1);
  });
}
