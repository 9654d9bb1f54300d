/**
 * @module
 * The medical state on disk inside a node: it commits with each block, is the same after a restart,
 * equals the state replayed from the chain, and is built from the chain (with progress) for a data
 * directory written before its tables existed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { snapshot } from '../state-machine/medical-state-conformance.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { writeResources } from './importer.ts';
import { tempDir } from '../chain/chain-fixtures.test-util.ts';
import { MedicalNode } from './medical-node.ts';
import { SqliteMedicalState, stateDifference } from './sqlite-medical-state.ts';
import { HISTORY_OPTS as OPTS, nodeWithHistory } from './state-history.test-util.ts';

/** The state the node's chain gives, replayed into a scratch database. */
function replayed(node: MedicalNode): { state: SqliteMedicalState; close(): void } {
  const scratch = mkdtempSync(join(tmpdir(), 'medledger-replay-'));
  const store = new SqliteStore(join(scratch, 'state.sqlite'));
  const state = new SqliteMedicalState(store, {
    chain: node.ledger.store,
    isPatientRecord: (id, patient) => node.blind(id) === patient,
  });
  state.catchUp();
  return {
    state,
    close: () => {
      store.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

describe('medical state on disk', () => {
  it('equals the state replayed from the chain, and is the same after a restart', async () => {
    const dir = join(tempDir(), 'node');
    const node = await nodeWithHistory(dir);
    const before = snapshot(node.state);
    const replay = replayed(node);
    try {
      assert.equal(node.state.height, node.ledger.height);
      assert.equal(stateDifference(node.state, replay.state), undefined);
      assert.deepEqual(snapshot(replay.state), before);
      const s = before as {
        records: unknown[];
        consents: { revokedBy?: string }[];
        patientRecords: string[];
      };
      assert.equal(s.records.length, 5, 'four records and one amendment');
      assert.ok(s.consents[0]!.revokedBy);
      assert.deepEqual(s.patientRecords.sort(), ['pa', 'pb']);
    } finally {
      replay.close();
      await node.close();
    }
    const { node: again } = await MedicalNode.open(dir, OPTS);
    try {
      assert.deepEqual(snapshot(again.state), before);
    } finally {
      await again.close();
    }
  });

  it('is built from the chain, with progress, for a data directory written before its tables', async () => {
    const dir = join(tempDir(), 'node');
    const node = await nodeWithHistory(dir);
    const before = snapshot(node.state);
    const head = node.ledger.height;
    await node.close();
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
    db.exec(`DROP TABLE state_records; DROP TABLE state_consents; DROP TABLE state_erasure_requests;
      DELETE FROM meta WHERE key IN ('state_height', 'state_consent_epoch')`);
    db.close();
    const heard: [number, number][] = [];
    const { node: migrated } = await MedicalNode.open(dir, {
      ...OPTS,
      progress: (h, of) => heard.push([h, of]),
    });
    try {
      assert.deepEqual(heard.at(-1), [head, head]);
      assert.deepEqual(snapshot(migrated.state), before);
      // The migrated node goes on: a new record lands in the tables with its block.
      await writeResources(migrated, [{ resourceType: 'Patient', id: 'pc', gender: 'other' }]);
      assert.ok(migrated.state.records.has('pc'));
      assert.equal(migrated.state.height, migrated.ledger.height);
      const replay = replayed(migrated);
      try {
        assert.equal(stateDifference(migrated.state, replay.state), undefined);
      } finally {
        replay.close();
      }
    } finally {
      await migrated.close();
    }
  });

  it('names where an edited table departs from the chain', async () => {
    const dir = join(tempDir(), 'node');
    const node = await nodeWithHistory(dir);
    const replay = replayed(node);
    try {
      const db = new DatabaseSync(join(dir, 'ledger.sqlite'), { timeout: 5000 });
      const erased = db.prepare('SELECT seq FROM state_records WHERE erased_by IS NOT NULL').get() as {
        seq: number;
      };
      // An operator brings an erased record back into view.
      db.prepare('UPDATE state_records SET erased_by = NULL WHERE seq = ?').run(erased.seq);
      assert.deepEqual(stateDifference(node.state, replay.state), {
        seq: erased.seq,
        detail: "state_records: the row differs from the chain's",
      });
      db.prepare('DELETE FROM state_records WHERE seq = ?').run(erased.seq);
      assert.equal(stateDifference(node.state, replay.state)?.seq, erased.seq);
      db.close();
    } finally {
      replay.close();
      await node.close();
    }
  });
});
