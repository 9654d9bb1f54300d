/**
 * @module
 * A consortium member node in a process of its own, for tests that kill it with SIGKILL
 * (test/consortium-kill.test.ts). It joins the chain from its member directory, reports its status
 * every 50 ms, and over IPC: `submit` signs and submits transactions, reporting each one as `acked`
 * once it is in a committed block (what a client is told); `has` answers which ids its store lacks;
 * `close` shuts down cleanly.
 */
import { createTx } from '../../src/core/tx.ts';
import { startMember, stopMember } from './consortium-member.ts';

export type ToChild =
  | { readonly type: 'submit'; readonly n: number; readonly tag: string }
  | { readonly type: 'has'; readonly ids: readonly string[] }
  | { readonly type: 'close' };

export type FromChild =
  | { readonly type: 'ready' }
  | {
      readonly type: 'status';
      readonly isProposer: boolean;
      readonly height: number;
      readonly head: string | undefined;
    }
  | { readonly type: 'acked'; readonly id: string }
  | { readonly type: 'submitted'; readonly tag: string; readonly failed: number }
  | { readonly type: 'has'; readonly missing: string[] };

const send = (m: FromChild): void => {
  process.send?.(m);
};

// The parent went away (killed, crashed): no orphan node left running.
process.on('disconnect', () => process.exit(1));

async function main(dir: string): Promise<void> {
  const node = await startMember(dir, { electionTtlSec: 2 });
  const { ledger, producer, member } = node;
  const timer = setInterval(() => {
    send({
      type: 'status',
      isProposer: member.isProposer,
      height: ledger.height,
      head: ledger.store.head()?.hash,
    });
  }, 50);
  send({ type: 'ready' });

  process.on('message', (m: ToChild) => {
    if (m.type === 'submit') {
      let next = 0;
      let failed = 0;
      const client = async (): Promise<void> => {
        while (next < m.n) {
          const i = next++;
          const tx = createTx(ledger.signer, 'data.put', { tag: m.tag, i }, { time: Date.now() });
          try {
            const id = await ledger.submit(tx, { signedHere: true });
            await producer.settle(id);
            send({ type: 'acked', id });
          } catch {
            failed++;
          }
        }
      };
      void Promise.all(Array.from({ length: 16 }, client)).then(() => {
        send({ type: 'submitted', tag: m.tag, failed });
      });
    } else if (m.type === 'has') {
      send({ type: 'has', missing: m.ids.filter((id) => ledger.store.txById(id) === undefined) });
    } else {
      clearInterval(timer);
      void (async () => {
        await stopMember(node);
        process.exit(0);
      })();
    }
  });
}

const dir = process.argv[2];
if (dir) {
  main(dir).catch((e: unknown) => {
    process.stderr.write(`consortium test node: ${String(e)}\n`);
    process.exit(1);
  });
}
