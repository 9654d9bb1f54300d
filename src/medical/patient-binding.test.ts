/**
 * @module
 * Binding a login to a patient takes two admins: one admin's patient login waits and cannot log in;
 * the same admin cannot approve it; a second admin's approval puts it on chain naming both, and the
 * patient's access log shows the binding. A patient who has a login cannot be given a second one, and
 * the chain refuses a binding that names its own signer or a non-admin as the one who asked.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { toHex } from '../core/bytes.ts';
import { generateX25519 } from '../core/hpke.ts';
import { generateSigner } from '../core/keys.ts';
import { createTx } from '../core/tx.ts';
import { tempDir, TWO_PATIENTS } from '../chain/chain-fixtures.test-util.ts';
import { writeResources } from './importer.ts';
import { MedicalNode } from './medical-node.ts';
import type { Session } from './node-services.ts';

const PW = 'patient binding test password';
const OPTS = { kdf: { N: 2 ** 10, r: 8, p: 1 }, adminPassword: PW, difficulty: 2 } as const;

describe('patient login binding', () => {
  let node: MedicalNode;
  let first: Session;
  let second: Session;
  let doctor: Session;

  before(async () => {
    node = (await MedicalNode.open(join(tempDir(), 'node'), OPTS)).node;
    await writeResources(node, TWO_PATIENTS);
    first = node.login('admin@st-marys.example', PW);
    await node.createUser({ email: 'second@a.example', name: 'Second', password: PW, role: 'admin' }, first);
    await node.createUser({ email: 'doc@a.example', name: 'Doc', password: PW, role: 'doctor' }, first);
    second = node.login('second@a.example', PW);
    doctor = node.login('doc@a.example', PW);
  });
  after(async () => {
    await node.close();
  });

  it("keeps one admin's patient login waiting until a second admin approves it", async () => {
    const made = await node.createUser(
      { email: 'shadow@a.example', name: 'Shadow', password: PW, role: 'patient', patientId: 'pa' },
      first,
    );
    assert.equal(made.pending, true);
    assert.throws(() => node.login('shadow@a.example', PW), { code: 'ML_ERR_AUTH_FAILED' });
    assert.deepEqual(
      node.pendingBindings('st-marys').map((b) => b.keyId),
      [made.keyId],
    );
    await assert.rejects(node.approveBinding(made.keyId, first), { code: 'ML_ERR_ROLE_FORBIDDEN' });
    await assert.rejects(node.approveBinding(made.keyId, doctor), { code: 'ML_ERR_ROLE_FORBIDDEN' });
    const before = node.accessLog.ofPatient(node.blind('pa')).length;
    const tx = await node.approveBinding(made.keyId, second);
    assert.deepEqual(node.pendingBindings('st-marys'), []);
    const session = node.login('shadow@a.example', PW);
    assert.equal(session.patient, node.blind('pa'));
    const events = node.accessLog.ofPatient(node.blind('pa')).slice(before);
    assert.deepEqual(
      events.map((e) => [e.tx, e.action, e.outcome, e.reason, e.requester, e.requestedBy, e.login]),
      [[tx, 'bind', 'allow', 'two-admins', second.keyId, first.keyId, made.keyId]],
    );
    assert.deepEqual(node.boundLogin(made.keyId), {
      requestedBy: first.keyId,
      approvedBy: second.keyId,
      tx,
    });
    // The chain with the binding verifies in full (the key table matches its replay).
    assert.deepEqual((await node.ledger.verify({ full: true })).problems, []);
    // The bound login reads the patient's records (their keys were wrapped to it).
    assert.ok((await node.as(session).listRecords('pa')).length > 0);
  });

  it('refuses a second login for a patient who has one, by admins or by the node', async () => {
    await assert.rejects(
      node.createUser(
        { email: 'again@a.example', name: 'Again', password: PW, role: 'patient', patientId: 'pa' },
        first,
      ),
      { code: 'ML_ERR_ARG_VALUE' },
    );
    await assert.rejects(
      node.createUser({
        email: 'again@a.example',
        name: 'Again',
        password: PW,
        role: 'patient',
        patientId: 'pa',
      }),
      { code: 'ML_ERR_ARG_VALUE' },
    );
  });

  it('deletes a declined login', async () => {
    const made = await node.createUser(
      { email: 'pb@a.example', name: 'Pb', password: PW, role: 'patient', patientId: 'pb' },
      first,
    );
    node.declineBinding(made.keyId, second);
    assert.deepEqual(node.pendingBindings('st-marys'), []);
    assert.throws(() => node.login('pb@a.example', PW), { code: 'ML_ERR_AUTH_FAILED' });
    await assert.rejects(node.approveBinding(made.keyId, second), { code: 'ML_ERR_NOT_FOUND' });
  });

  it('refuses on chain a binding that names its signer, or a non-admin, as the one who asked', async () => {
    const payload = (requestedBy: string): Record<string, string> => ({
      publicKey: toHex(generateSigner().publicKey),
      role: 'patient',
      org: 'st-marys',
      encryptionKey: toHex(generateX25519().publicKey),
      patient: node.blind('pc'),
      requestedBy,
    });
    for (const asker of [first.keyId, doctor.keyId])
      await assert.rejects(
        node.ledger.submit(createTx(first.signer, 'identity.register', payload(asker), { time: Date.now() })),
        { code: 'ML_ERR_TX_NOT_PERMITTED' },
      );
    await node.ledger.submit(
      createTx(first.signer, 'identity.register', payload(second.keyId), { time: Date.now() }),
    );
  });
});
