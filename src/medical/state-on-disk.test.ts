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
import { setTimeout } from 'node:timers/promises';
import { snapshot } from '../state-machine/medical-state-conformance.ts';
import { SqliteStore } from '../store/sqlite-store.ts';
import { writeResources } from './importer.ts';
import { tempDir, TWO_PATIENTS } from '../chain/ledger-fixtures.test-util.ts';
import { MedicalNode } from './medical-node.ts';
import { SqliteMedicalState, stateDifference } from './sqlite-medical-state.ts';
import { IntegrityMonitor } from '../integrity/integrity-monitor.ts';
import type { IntegrityStatus } from '../integrity/integrity-monitor.ts';
import { monitorThreadUp, stateInThread } from '../integrity/monitor-thread.ts';
import { stateDifferenceOf } from './replayed-state.ts';

const PW = 'state on disk test password';
const OPTS = { kdf: { N: 2 ** 10, r: 8, p: 1 }, adminPassword: PW, difficulty: 2 } as const;

async function nodeWithHistory(dir: string): Promise<MedicalNode> {
  const { node } = await MedicalNode.open(dir, OPTS);
  const ids = await writeResources(node, TWO_PATIENTS);
  await node.createUser({ email: 'doc@a.example', name: 'Doc', password: PW, role: 'doctor' });
  await node.createUser({
    email: 'pa@a.example',
    name: 'Pa',
    password: PW,
    role: 'patient',
    patientId: 'pa',
  });
  const doc = node.as(node.login('doc@a.example', PW));
  await doc.amendRecord(ids[2]!, {
    resourceType: 'Observation',
    status: 'amended',
    code: { text: 'a, corrected' },
    subject: { reference: 'Patient/pa' },
  });
  const pa = node.as(node.login('pa@a.example', PW));
  const consent = await pa.grantConsent({
    grantee: { kind: 'organization', orgId: 'st-marys' },
    purpose: 'research',
    validTo: Date.now() + 86_400_000,
  });
  await node.commit();
  await pa.revokeConsent(consent);
  const request = await pa.requestErasure([ids[2]!]);
  await node.commit();
  await node.as(node.login(`admin@st-marys.example`, PW)).approveErasure(request);
  await node.commit();
  return node;
}

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
