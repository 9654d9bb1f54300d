/**
 * The medical contracts end to end on a real node (SQLite ledger + vault): users and roles, records
 * with amendments, consent grant and revoke, break-glass, the access log, research export and erasure.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  AccessDeniedError,
  AuthFailedError,
  FhirValidationError,
  RecordErasedError,
  RecordExistsError,
} from '../src/core/errors.ts';
import { createTx } from '../src/core/tx.ts';
import { openableKeys } from '../src/medical/blob-sync.ts';
import { wrapForConsents } from '../src/medical/consent-wraps.ts';
import { validateRecord } from '../src/fhir/validate.ts';
import { writeResources } from '../src/medical/importer.ts';
import { recipientsFor, recordPayload, sealJob } from '../src/medical/record-crypto.ts';
import type { SealedRecord } from '../src/medical/record-crypto.ts';
import { sealAll } from '../src/medical/seal-pool.ts';
import { tempDir } from '../src/chain/chain-fixtures.test-util.ts';
import { MedicalNode } from '../src/medical/medical-node.ts';
import { monitorThreadUp } from '../src/integrity/monitor-thread.ts';
import type { VaultProblem } from '../src/medical/vault-check.ts';
import { vaultPassInThread } from '../src/integrity/vault-pass.ts';
import { vaultCheckInBackground } from '../src/integrity/node-checks.ts';
import type { Session } from '../src/medical/medical-node.ts';
import type { SessionScope } from '../src/medical/session-scope.ts';

const KDF = { N: 2 ** 10, r: 8, p: 1 };

/** The whole research export of `r`, its patients' rows together. */
async function exported(r: SessionScope): Promise<{ person: unknown[]; measurement: unknown[] }> {
  const t = { person: [] as unknown[], measurement: [] as unknown[] };
  for await (const part of r.researchExport()) {
    t.person.push(...part.person);
    t.measurement.push(...part.measurement);
  }
  return t;
}
const PW = 'correct horse battery';
const YEAR = 365 * 86_400_000;

async function setup() {
  const dir = tempDir();
  const { node, admin } = await MedicalNode.open(join(dir, 'node'), { kdf: KDF, adminPassword: PW });
  assert.ok(admin);
  await node.createOrganization('riverside', 'Riverside Clinic');
  const adminS = node.login(admin.email, PW);
  const mk = async (
    email: string,
    role: 'doctor' | 'patient' | 'researcher' | 'auditor',
    org?: string,
    patientId?: string,
  ) => {
    await node.createUser(
      {
        email,
        name: email.split('@')[0]!,
        password: PW,
        role,
        ...(org ? { org } : {}),
        ...(patientId ? { patientId } : {}),
      },
      // A patient is registered by the node here: an admin's binding waits for a second admin
      // (src/medical/patient-binding.test.ts).
      org === 'riverside' || role === 'patient' ? undefined : adminS,
    );
    return node.login(email, PW);
  };
  const doctorA = await mk('ana@st-marys.example', 'doctor');
  const doctorB = await mk('ben@riverside.example', 'doctor', 'riverside');
  const patient = await mk('pat@mail.example', 'patient', undefined, 'p-1');
  const researcher = await mk('rita@riverside.example', 'researcher', 'riverside');
  const auditor = await mk('audrey@st-marys.example', 'auditor');
  return { dir, node, adminS, doctorA, doctorB, patient, researcher, auditor };
}

const patientResource = {
  resourceType: 'Patient',
  id: 'p-1',
  name: [{ family: 'Quixote', given: ['Alonso'] }],
  gender: 'male',
  birthDate: '1961-04-02',
};
const obs = (value: number) => ({
  resourceType: 'Observation',
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
  subject: { reference: 'Patient/p-1' },
  effectiveDateTime: '2026-11-01T10:00:00Z',
  valueQuantity: { value, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
});

/**
 * p-1 grants Riverside treatment access for a year as a raw transaction, committed: without the
 * grant-time wrapping of grantConsent, so only the commit-time pass (consent-wraps.ts) wraps keys.
 */
async function rawGrantToRiverside(node: MedicalNode, patient: Session): Promise<void> {
  const payload = {
    patient: node.blind('p-1'),
    grantee: { kind: 'organization', orgId: 'riverside' },
    scope: {},
    purpose: 'treatment',
    validFrom: node.now,
    validTo: node.now + YEAR,
  };
  await node.submit(createTx(patient.signer, 'consent.grant', payload));
  await node.commit();
}

/** The demo patient's Patient resource and one Observation (`value`), committed; returns its id. */
async function withChart(node: MedicalNode, doctorA: Session, value = 72) {
  const a = node.as(doctorA);
  await a.addRecord(patientResource);
  const o = await a.addRecord(obs(value));
  await node.commit();
  return o.id;
}

void describe('medical node', () => {
  it('rejects a wrong password with a generic error, and an invalid resource with its path', async () => {
    const { node, doctorA } = await setup();
    try {
      assert.throws(() => node.login('ana@st-marys.example', 'wrong password!'), AuthFailedError);
      assert.throws(() => node.login('nobody@st-marys.example', PW), AuthFailedError);
      await assert.rejects(
        node.as(doctorA).addRecord({ resourceType: 'Observation', status: 'final' }),
        (e: Error & { outcome?: { issue: { expression?: string[] }[] } }) =>
          JSON.stringify(e.outcome).includes('Observation.code'),
      );
    } finally {
      await node.close();
    }
  });

  it('refuses a second create of one record id while the first is in flight, and after it is committed', async () => {
    const { node, doctorA } = await setup();
    try {
      const a = node.as(doctorA);
      await a.addRecord(patientResource);
      const body = { ...obs(72), id: 'obs-client-id' };
      // Both start before either is committed: the second must not replace the first's wrapped keys.
      const [first, second] = await Promise.allSettled([
        a.addRecord(body),
        a.addRecord({ ...obs(99), id: 'obs-client-id' }),
      ]);
      assert.equal(first.status, 'fulfilled');
      assert.ok(second.status === 'rejected' && second.reason instanceof RecordExistsError);
      await node.commit();
      await assert.rejects(a.addRecord(body), RecordExistsError);
      const got = await a.getRecord('obs-client-id');
      assert.equal((got.current.resource as { valueQuantity: { value: number } }).valueQuantity.value, 72);
      // A failed claim frees the id only once that write is no longer pending.
      const fresh = { ...obs(80), id: 'obs-other-id' };
      await a.addRecord(fresh);
      await assert.rejects(a.addRecord(fresh), RecordExistsError);
    } finally {
      await node.close();
    }
  });

  it('writes nothing of a batch of resources when one of them is invalid', async () => {
    const { node } = await setup();
    try {
      const height = node.ledger.height;
      const records = node.state.records.size;
      const resources: unknown[] = Array.from({ length: 1200 }, (_, i) => ({ ...obs(60 + (i % 40)) }));
      resources[1100] = { resourceType: 'Observation', status: 'final' }; // no code: invalid, in the 3rd batch
      await assert.rejects(writeResources(node, resources), FhirValidationError);
      await node.commit();
      assert.equal(node.state.records.size, records);
      assert.equal(node.ledger.height, height);
      assert.equal(node.ledger.pendingCount, 0);
      const blobs = node.vault.db.prepare('SELECT count(*) AS n FROM blobs').get() as { n: number };
      assert.equal(blobs.n, 0);
    } finally {
      await node.close();
    }
  });

  it('announces each record write to the block producer until it is submitted, failed ones too', async () => {
    const { node, doctorA } = await setup();
    try {
      const real = node.producer.expect.bind(node.producer);
      let open = 0;
      const pendingAtRelease: number[] = [];
      node.producer.expect = () => {
        open++;
        const release = real();
        return () => {
          open--;
          pendingAtRelease.push(node.ledger.pendingCount);
          release();
        };
      };
      const o = await withChart(node, doctorA);
      const a = node.as(doctorA);
      await a.amendRecord(o, obs(75));
      // Released once submitted: the block being gathered may take the transaction.
      assert.deepEqual(pendingAtRelease, [1, 2, 1]);
      await assert.rejects(
        a.addRecord({ resourceType: 'Observation', status: 'final' }),
        FhirValidationError,
      );
      await assert.rejects(a.amendRecord(o, { resourceType: 'Observation', status: 'final' }));
      assert.equal(pendingAtRelease.length, 5);
      assert.equal(open, 0);
    } finally {
      await node.close();
    }
  });

  it('keeps amendments append-only, with the whole history visible', async () => {
    const { node, doctorA } = await setup();
    try {
      const id = await withChart(node, doctorA);
      const a = node.as(doctorA);
      const r = await a.amendRecord(id, obs(75));
      await node.commit();
      assert.equal(r.version, 2);
      const got = await a.getRecord(id);
      assert.equal(got.history.length, 2);
      assert.equal(
        (got.history[0]!.resource as { valueQuantity: { value: number } }).valueQuantity.value,
        72,
      );
      assert.equal((got.current.resource as { valueQuantity: { value: number } }).valueQuantity.value, 75);
      assert.equal(got.current.resource.meta?.versionId, '2');
    } finally {
      await node.close();
    }
  });

  it('audits each user write through its own record transaction, seen by the patient', async () => {
    const { node, doctorA, patient } = await setup();
    try {
      const id = await withChart(node, doctorA);
      const amended = await node.as(doctorA).amendRecord(id, obs(75));
      const own = await node.as(patient).addRecord(obs(64));
      await writeResources(node, [obs(80)]); // a node write (import): no access event
      await node.commit();
      const writes = node
        .as(patient)
        .accessLog()
        .filter((e) => e.action === 'write');
      const expected = [
        [doctorA.keyId, 'p-1', 'author'],
        [doctorA.keyId, id, 'author'],
        [doctorA.keyId, amended.recordId, 'author'],
        [patient.keyId, own.recordId, 'patient-self'],
      ];
      assert.deepEqual(
        writes.map((e) => [e.requester, e.records[0], e.reason]),
        expected,
      );
      for (const e of writes) {
        assert.equal(e.outcome, 'allow');
        assert.equal(e.purpose, 'treatment');
        assert.equal(e.breakGlass, false);
        // The event is the record transaction itself: signed by the writer, no access.log beside it.
        const stored = node.ledger.store.txById(e.tx)!;
        const body = JSON.parse(stored.body) as { signer: string; payload: { record: string } };
        assert.equal(body.signer, e.requester);
        assert.ok(stored.type === 'record.add' || stored.type === 'record.amend');
        assert.equal(body.payload.record, e.records[0]);
      }
      assert.equal([...node.ledger.store.txsOfTypes(['access.log'])].length, 0);
    } finally {
      await node.close();
    }
  });

  it('denies another organization’s doctor until consent, again after revoke, and audits all of it', async () => {
    const { node, doctorA, doctorB, patient } = await setup();
    try {
      const id = await withChart(node, doctorA);
      const b = node.as(doctorB);
      await assert.rejects(
        b.getRecord(id),
        (e: unknown) => e instanceof AccessDeniedError && e.data.reason === 'no-consent',
      );
      const c = await node.as(patient).grantConsent({
        grantee: { kind: 'practitioner', keyId: doctorB.keyId },
        purpose: 'treatment',
        validTo: node.now + YEAR,
      });
      await node.commit();
      assert.equal((await b.getRecord(id)).current.id, id);
      await node.as(patient).revokeConsent(c);
      await node.commit();
      await assert.rejects(
        b.getRecord(id),
        (e: unknown) => e instanceof AccessDeniedError && e.data.reason === 'consent-revoked',
      );
      await node.commit();
      const log = node.as(patient).accessLog();
      const byB = log.filter((e) => e.requester === doctorB.keyId && e.action === 'read');
      assert.deepEqual(
        byB.map((e) => `${e.outcome}:${e.reason}`),
        ['deny:no-consent', 'allow:consent', 'deny:consent-revoked'],
      );
    } finally {
      await node.close();
    }
  });

  it('wraps for the grantee the records written while the consent was being granted', async () => {
    const { node, doctorA, doctorB, patient } = await setup();
    try {
      const a = node.as(doctorA);
      await a.addRecord(patientResource);
      await node.commit();
      // Sealed and pending, not committed, when the patient grants: the grant's own pass misses it.
      const pending = await a.addRecord(obs(70));
      await node.as(patient).grantConsent({
        grantee: { kind: 'practitioner', keyId: doctorB.keyId },
        purpose: 'treatment',
        validTo: node.now + YEAR,
      });
      // Sealed before the grant commits (its recipients come from committed consents only).
      const during = await a.addRecord(obs(71));
      await node.commit();
      // Each record key is wrapped for the grantee's organization (a node hosting only Riverside
      // could open nothing else), and the grantee reads both.
      const b = node.as(doctorB);
      for (const id of [pending.id, during.id]) {
        assert.ok(node.vault.keysOf(id).has('org:riverside'), `record ${id} wrapped for the grantee`);
        assert.equal((await b.getRecord(id)).current.id, id);
      }
    } finally {
      await node.close();
    }
  });

  it('at commit, wraps a record sealed before a grant committed, and skips one sealed after', async () => {
    const { node, doctorA, patient } = await setup();
    try {
      const a = node.as(doctorA);
      const early = await withChart(node, doctorA, 70);
      // A grant committed without the grant-time pass (a raw transaction): the block's own pass wraps
      // the patient's committed records for the grantee.
      await rawGrantToRiverside(node, patient);
      assert.ok(node.vault.keysOf(early).has('org:riverside'));
      // A record whose recipients were computed before that grant (epoch 0) is wrapped when its
      // transaction commits; one computed at the current epoch is not looked at again.
      const late = await a.addRecord(obs(71)); // sealed after the grant: riverside wrapped at once
      await node.commit();
      assert.ok(node.vault.keysOf(late.id).has('org:riverside'));
      node.vault.db
        .prepare("DELETE FROM wrapped_keys WHERE record = ? AND recipient = 'org:riverside'")
        .run(late.id);
      const { tx } = node.ledger.tx(late.tx);
      assert.equal(
        wrapForConsents(node, [tx], () => node.state.consentEpoch),
        0,
      );
      assert.ok(!node.vault.keysOf(late.id).has('org:riverside'));
      assert.equal(
        wrapForConsents(node, [tx], () => node.state.consentEpoch - 1),
        1,
      );
      assert.ok(node.vault.keysOf(late.id).has('org:riverside'));
      assert.equal(
        wrapForConsents(node, [tx], () => undefined),
        0,
        'nothing missing: nothing added',
      );
    } finally {
      await node.close();
    }
  });

  it('wraps at commit what was sealed before a grant committed, through the node’s own bookkeeping', async () => {
    const { node, doctorA, patient } = await setup();
    try {
      await node.as(doctorA).addRecord(patientResource);
      await node.commit();
      const p = node.blind('p-1');
      // Sealed (recipients noted at this consent epoch), then a grant commits, then the record.
      const seal = async (id: string) => {
        const resource = validateRecord({ ...obs(73), id });
        const recipients = recipientsFor(
          node.ledger.directory,
          node.state,
          node.now,
          p,
          node.org,
          'Observation',
        );
        node.noteRecipients(id);
        const [s] = await sealAll([sealJob(id, resource, recipients)]);
        assert.ok(s && !(s instanceof Error));
        return s;
      };
      const write = async (id: string, s: SealedRecord) => {
        node.vault.put({ blobs: [{ record: id, data: s.ciphertext }], keys: s.keys });
        const payload = recordPayload(id, s, p, node.org);
        await node.submit(createTx(node.signerOfNode(), 'record.add', payload, { time: node.now }));
        await node.commit();
      };
      const before = await seal('obs-sealed-before');
      await rawGrantToRiverside(node, patient);
      await write('obs-sealed-before', before);
      assert.ok(node.vault.keysOf('obs-sealed-before').has('org:riverside'));
      // Sealed at the current epoch: not looked at again (here a wrap removed on purpose stays missing).
      const after = await seal('obs-sealed-after');
      await write('obs-sealed-after', {
        ...after,
        keys: after.keys.filter((k) => k.recipient !== 'org:riverside'),
      });
      assert.ok(!node.vault.keysOf('obs-sealed-after').has('org:riverside'));
    } finally {
      await node.close();
    }
  });

  it('commits a block whose consent wraps cannot be made, wraps left as they are', async () => {
    const { node, doctorA, patient } = await setup();
    try {
      const r = await withChart(node, doctorA, 70);
      // The hosting organization's wrap is damaged: the commit pass cannot open the record key.
      node.vault.db
        .prepare("UPDATE wrapped_keys SET ct = zeroblob(48) WHERE record = ? AND recipient = 'org:st-marys'")
        .run(r);
      const height = node.ledger.height;
      await rawGrantToRiverside(node, patient);
      assert.equal(node.ledger.height, height + 1);
      assert.ok(!node.vault.keysOf(r).has('org:riverside'));
    } finally {
      await node.close();
    }
  });

  it('stores of the keys a peer serves only those that open with a hosted organization’s key', async () => {
    const { node, doctorA } = await setup();
    try {
      const id = await withChart(node, doctorA);
      const own = node.vault.keysOf(id).get('org:st-marys')!;
      const flipped = (own.ct.startsWith('0') ? '1' : '0') + own.ct.slice(1);
      const served = [
        { recipient: 'org:st-marys', ...own },
        { recipient: 'org:riverside', ...own }, // another organization's wrap under a hosted name
        { recipient: 'org:st-marys', enc: own.enc, ct: flipped }, // altered
        { recipient: 'org:elsewhere', ...own }, // not hosted here
        { recipient: 'key:abc', ...own }, // not an organization
        { recipient: 'org:st-marys', enc: 42, ct: own.ct }, // malformed
        null,
      ];
      assert.deepEqual(openableKeys(node, id, served), [{ record: id, recipient: 'org:st-marys', ...own }]);
      // Bound to its record: the same wrap served for another record does not open.
      assert.deepEqual(openableKeys(node, 'another-record', served.slice(0, 1)), []);
    } finally {
      await node.close();
    }
  });

  it('lets a doctor break the glass with a reason, visibly to the patient', async () => {
    const { node, doctorA, doctorB, patient } = await setup();
    try {
      const id = await withChart(node, doctorA);
      const b = node.as(doctorB);
      await assert.rejects(b.getRecord(id, { breakGlass: { reason: 'x' } }), AccessDeniedError);
      const got = await b.getRecord(id, { breakGlass: { reason: 'unconscious in the emergency room' } });
      assert.equal(got.current.id, id);
      await node.commit();
      const bg = node
        .as(patient)
        .accessLog()
        .filter((e) => e.breakGlass);
      assert.equal(bg.length, 1);
      assert.equal(bg[0]!.requester, doctorB.keyId);
      assert.equal(bg[0]!.purpose, 'emergency');
    } finally {
      await node.close();
    }
  });

  it('exports de-identified OMOP rows only for patients who consented to research', async () => {
    const { node, doctorA, patient, researcher } = await setup();
    try {
      await withChart(node, doctorA);
      const r = node.as(researcher);
      assert.equal((await exported(r)).person.length, 0);
      await node.as(patient).grantConsent({
        grantee: { kind: 'organization', orgId: 'riverside' },
        purpose: 'research',
        validTo: node.now + YEAR,
      });
      await node.commit();
      const t = await exported(r);
      assert.equal(t.person.length, 1);
      assert.equal(t.measurement.length, 1);
      assert.ok(!JSON.stringify(t).includes('Quixote'));
      assert.ok(!JSON.stringify(t).includes('p-1'));
    } finally {
      await node.close();
    }
  });

  it('erases on an approved request: data gone, chain verifies and names the erasure', async () => {
    const { node, adminS, doctorA, patient } = await setup();
    try {
      const id = await withChart(node, doctorA);
      const blob = node.state.records.get(id)!.blob;
      assert.ok(node.vault.hasBlob(id, blob));
      const req = await node.as(patient).requestErasure(null);
      await node.commit();
      const tx = await node.as(adminS).approveErasure(req);
      await node.commit();
      assert.equal(node.vault.hasBlob(id, blob), false);
      assert.equal(node.vault.keysOf(id).size, 0);
      await assert.rejects(node.as(doctorA).getRecord(id), RecordErasedError);
      const chain = await node.ledger.verify({ full: true });
      assert.equal(chain.ok, true, JSON.stringify(chain.problems));
      const vault = node.verifyVault();
      assert.equal(vault.ok, true, JSON.stringify(vault.problems));
      assert.ok(vault.erased.some((e) => e.record === id && e.by === tx));
    } finally {
      await node.close();
    }
  });

  it('reports a missing or altered ciphertext as a vault problem at its record', async () => {
    const { node, doctorA } = await setup();
    try {
      const id = await withChart(node, doctorA);
      const blob = node.state.records.get(id)!.blob;
      node.vault.db
        .prepare('UPDATE record_blobs SET data = ? WHERE record = ? AND hash = ?')
        .run(Buffer.from('x'), id, Buffer.from(blob, 'hex'));
      const r = node.verifyVault();
      assert.equal(r.ok, false);
      assert.deepEqual(
        r.problems.map((p) => [p.record, p.kind]),
        [[id, 'blob-mismatch']],
      );
    } finally {
      await node.close();
    }
  });

  it('the vault pass of the monitor thread reports what the pass here reports', async () => {
    const { node, adminS, doctorA, patient } = await setup();
    try {
      for (let i = 0; i < 200 && !monitorThreadUp(); i++) await new Promise((r) => setTimeout(r, 50));
      const altered = await withChart(node, doctorA, 70);
      const { id: missing } = await node.as(doctorA).addRecord(obs(71));
      await node.as(doctorA).addRecord(obs(72));
      await node.commit();
      const blobOf = (id: string) => Buffer.from(node.state.records.get(id)!.blob, 'hex');
      node.vault.db
        .prepare('UPDATE record_blobs SET data = ? WHERE record = ?')
        .run(Buffer.from('x'), altered);
      node.vault.db.prepare('DELETE FROM record_blobs WHERE record = ?').run(missing);
      const problems = (r: { problems: readonly VaultProblem[] }) =>
        r.problems.map((p) => [p.record, p.kind, p.found ?? '']).sort();
      const here = node.verifyVault();
      const inThread = await vaultPassInThread(node.state.records, node.vault, () => new Set());
      assert.ok(inThread, 'the monitor thread ran the pass');
      assert.deepEqual(problems(inThread), problems(here));
      assert.deepEqual(
        problems(inThread).map(([record, kind]) => [record, kind]),
        [
          [altered, 'blob-mismatch'],
          [missing, 'blob-missing'],
        ].sort(),
      );
      assert.equal(inThread.checked, here.checked);
      assert.deepEqual(problems(await vaultCheckInBackground(node)), problems(here));
      // A ciphertext still being fetched from the member that wrote it is not missing.
      const fetching = new Set([node.state.records.get(missing)!.blob]);
      const r = await vaultPassInThread(node.state.records, node.vault, () => fetching);
      assert.deepEqual(
        r?.problems.map((p) => p.record),
        [altered],
      );
      // Erased records: reported as erased; data left behind is a problem.
      const req = await node.as(patient).requestErasure(null);
      await node.commit();
      await node.as(adminS).approveErasure(req);
      await node.commit();
      const erased = await vaultPassInThread(node.state.records, node.vault, () => new Set());
      assert.equal(erased?.ok, true, JSON.stringify(erased?.problems));
      assert.ok(erased.erased.some((e) => e.record === altered));
      node.vault.db
        .prepare('INSERT INTO record_blobs (record, hash, data) VALUES (?, ?, ?)')
        .run(missing, blobOf(missing), Buffer.from('y'));
      const left = await vaultPassInThread(node.state.records, node.vault, () => new Set());
      assert.deepEqual(
        left?.problems.map((p) => [p.record, p.kind]),
        [[missing, 'erasure-incomplete']],
      );
    } finally {
      await node.close();
    }
  });
});
