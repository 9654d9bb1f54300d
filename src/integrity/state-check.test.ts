/**
 * @module
 * The integrity monitor's full run compares the state tables with the chain replayed, in its thread or,
 * when that is not up, in the calling thread, and names where they differ.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { setTimeout } from 'node:timers/promises';
import { stateDifferenceOf } from '../medical/replayed-state.ts';
import { nodeWithHistory, tempDir } from '../medical/state-history.test-util.ts';
import { IntegrityMonitor } from './integrity-monitor.ts';
import type { IntegrityStatus } from './integrity-monitor.ts';
import { monitorThreadUp, stateInThread } from './monitor-thread.ts';

describe('the state check of the integrity monitor', () => {
  it("is compared with the replayed chain by the monitor's full run, in its thread or here", async () => {
    const dir = join(tempDir(), 'node');
    const node = await nodeWithHistory(dir);
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'), { timeout: 5000 });
    try {
      const monitor = new IntegrityMonitor(node);
      const clean = await monitor.run({ full: true });
      assert.equal(clean.state, 'ok', JSON.stringify(clean.problems));
      const erased = db.prepare('SELECT seq FROM state_records WHERE erased_by IS NOT NULL').get() as {
        seq: number;
      };
      db.prepare('UPDATE state_records SET erased_by = NULL WHERE seq = ?').run(erased.seq);
      const named = (s: IntegrityStatus): string | undefined =>
        s.problems.find((p) => p.kind === 'medical-state')?.detail;
      const inThread = async (): Promise<boolean> => {
        for (let i = 0; i < 100 && !monitorThreadUp(); i++) await setTimeout(50);
        return monitorThreadUp();
      };
      assert.ok(await inThread());
      assert.equal(
        named(await monitor.run({ full: true })),
        `log position ${String(erased.seq)}: state_records: the row differs from the chain's`,
      );
      const thread = await stateInThread(node.ledger.store.path, node.indexKey);
      assert.ok(thread !== 'not-run', 'the thread ran the check');
      assert.equal(
        thread?.detail,
        `log position ${String(erased.seq)}: state_records: the row differs from the chain's`,
      );
      // The same through the calling thread (what runs when the monitor's thread is not up).
      assert.equal(
        stateDifferenceOf(node.ledger.store, node.indexKey)?.detail,
        `log position ${String(erased.seq)}: state_records: the row differs from the chain's`,
      );
    } finally {
      db.close();
      await node.close();
    }
  });
});
