/**
 * @module
 * The access log on disk: it holds every access event the chain gives (reads, denials, writes),
 * survives a restart, is rebuilt once for a data directory written before it existed, and `check`
 * names the first place where an edit of its table departs from the chain.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, it } from 'node:test';
import { SqliteStore } from '../store/sqlite-store.ts';
import type { StoredTx } from '../store/store.ts';
import { AccessLog } from './access-log.ts';
import { writeResources } from './importer.ts';
import { tempDir, TWO_PATIENTS } from '../chain/chain-fixtures.test-util.ts';
import { MedicalNode } from './medical-node.ts';

const PW = 'access log test password';
const OPTS = { kdf: { N: 2 ** 10, r: 8, p: 1 }, adminPassword: PW, difficulty: 2 } as const;

/** A node with two patients' records, a doctor's reads of them and a doctor of another org's denial. */
async function nodeWithEvents(dir: string): Promise<MedicalNode> {
  const { node } = await MedicalNode.open(dir, OPTS);
  await node.createOrganization('other', 'Other Hospital');
  const ids = await writeResources(node, TWO_PATIENTS);
  await node.createUser({ email: 'doc@a.example', name: 'Doc', password: PW, role: 'doctor' });
  await node.createUser({ email: 'far@b.example', name: 'Far', password: PW, role: 'doctor', org: 'other' });
  const doc = node.as(node.login('doc@a.example', PW));
  await doc.getRecord(ids[2]!);
  await doc.getRecord(ids[3]!);
  await doc.addRecord({
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'c' },
    subject: { reference: 'Patient/pa' },
  });
  await assert.rejects(node.as(node.login('far@b.example', PW)).getRecord(ids[2]!));
  await node.commit();
  return node;
}

const summary = (node: MedicalNode, patient: string): string[] =>
  node.accessLog.ofPatient(node.blind(patient)).map((e) => `${e.action}:${e.outcome}:${e.reason}`);

describe('access log on disk', () => {
  it('holds every event of the chain by patient, and the same after a restart', async () => {
    const dir = join(tempDir(), 'node');
    const node = await nodeWithEvents(dir);
    const before = { a: summary(node, 'pa'), b: summary(node, 'pb'), all: node.accessLog.all() };
    assert.deepEqual(before.a, ['read:allow:org-policy', 'write:allow:author', 'read:deny:no-consent']);
    assert.deepEqual(before.b, ['read:allow:org-policy']);
    assert.equal(node.accessLog.height, node.ledger.height);
    assert.equal(node.accessLog.check(), undefined);
    await node.close();
    const { node: again } = await MedicalNode.open(dir, OPTS);
    try {
      assert.deepEqual(summary(again, 'pa'), before.a);
      assert.deepEqual(again.accessLog.all(), before.all);
    } finally {
      await again.close();
    }
  });

  it('is built from the chain for a data directory written before it existed', async () => {
    const dir = join(tempDir(), 'node');
    const node = await nodeWithEvents(dir);
    const all = node.accessLog.all();
    await node.close();
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
    db.exec("DROP TABLE access_events; DELETE FROM meta WHERE key = 'access_events_height'");
    db.close();
    const { node: migrated } = await MedicalNode.open(dir, OPTS);
    try {
      assert.deepEqual(migrated.accessLog.all(), all);
      assert.equal(migrated.accessLog.check(), undefined);
    } finally {
      await migrated.close();
    }
  });

  it('catches up from the chain only the blocks it is behind, not the whole history', async () => {
    const dir = join(tempDir(), 'node');
    const node = await nodeWithEvents(dir);
    const all = node.accessLog.all();
    await node.close();
    const db = new DatabaseSync(join(dir, 'ledger.sqlite'));
    const head = db.prepare('SELECT max(height) AS h, max(first_seq) AS s FROM blocks').get() as {
      h: number;
      s: number;
    };
    // The last block's events went missing (written by a tool that bypassed the node, say).
    db.prepare('DELETE FROM access_events WHERE seq >= ?').run(head.s);
    db.prepare("UPDATE meta SET value = ? WHERE key = 'access_events_height'").run(String(head.h - 1));
    db.close();
    const store = new SqliteStore(join(dir, 'ledger.sqlite'));
    try {
      const read: number[] = [];
      const txsOfTypes = store.txsOfTypes.bind(store);
      store.txsOfTypes = function* (types, fromSeq): Iterable<StoredTx> {
        for (const t of txsOfTypes(types, fromSeq)) yield (read.push(t.height), t);
      };
      const log = new AccessLog(store);
      log.catchUp();
      assert.ok(read.length > 0);
      assert.ok(
        read.every((h) => h === head.h),
        `read heights ${read.join(',')}, only ${String(head.h)} wanted`,
      );
      assert.deepEqual(log.all(), all);
      assert.equal(log.height, head.h);
    } finally {
      store.close();
    }
  });

  it('names the first place where an edited table departs from the chain', async () => {
    const dir = join(tempDir(), 'node');
    const node = await nodeWithEvents(dir);
    try {
      const db = new DatabaseSync(join(dir, 'ledger.sqlite'), { timeout: 5000 });
      const rows = db.prepare('SELECT seq, patient FROM access_events ORDER BY seq').all() as {
        seq: number;
        patient: Uint8Array;
      }[];
      const denial = rows.at(-1)!;
      // An operator hides the denial from the patient's log.
      db.prepare('DELETE FROM access_events WHERE seq = ?').run(denial.seq);
      assert.deepEqual(node.accessLog.check(), {
        seq: denial.seq,
        detail: 'an access event of the chain is missing from the table',
      });
      // … or files it under the other patient.
      db.prepare('INSERT INTO access_events (seq, patient) VALUES (?, ?)').run(denial.seq, rows[0]!.patient);
      const hex = (b: unknown): string => Buffer.from(b as Uint8Array).toString('hex');
      const other = rows.find((r) => hex(r.patient) !== hex(denial.patient))!;
      db.prepare('UPDATE access_events SET patient = ? WHERE seq = ?').run(other.patient, denial.seq);
      assert.deepEqual(node.accessLog.check(), {
        seq: denial.seq,
        detail: 'the table files the access event under another patient',
      });
      // … or adds one the chain does not hold.
      db.prepare('UPDATE access_events SET patient = ? WHERE seq = ?').run(denial.patient, denial.seq);
      assert.equal(node.accessLog.check(), undefined);
      db.prepare('INSERT INTO access_events (seq, patient) VALUES (?, ?)').run(
        denial.seq + 1000,
        denial.patient,
      );
      assert.deepEqual(node.accessLog.check(), {
        seq: denial.seq + 1000,
        detail: 'the table lists an access event the chain does not hold',
      });
      db.close();
    } finally {
      await node.close();
    }
  });
});
