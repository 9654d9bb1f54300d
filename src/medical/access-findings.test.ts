/**
 * @module
 * Regression tests of the access-control findings, through the scoped handle: a doctor of another
 * organization cannot write into a chart without a treatment relationship (consent or break glass,
 * which is logged as such); a record's subject must be a patient of this node, and an amendment keeps
 * it; a denied amendment is an access event; research access yields de-identified data only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FhirValidationError } from '../core/errors.ts';
import { tempDir, TWO_PATIENTS } from '../chain/chain-fixtures.test-util.ts';
import { writeResources } from './importer.ts';
import { MedicalNode } from './medical-node.ts';
import type { SessionScope } from './session-scope.ts';

const PW = 'access findings test password';
const OPTS = { kdf: { N: 2 ** 10, r: 8, p: 1 }, adminPassword: PW, difficulty: 2 } as const;

const observation = (subject: string, text = 'heart rate'): Record<string, unknown> => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text },
  subject: { reference: subject },
});

describe('access-control findings', () => {
  let node: MedicalNode;
  let doc: SessionScope;
  let far: SessionScope;
  let pa: SessionScope;
  let research: SessionScope;
  let auditor: SessionScope;
  let ids: string[];

  /** The patient's access events since `from`, as `action:outcome:reason` (committed first). */
  const eventsOf = async (patient: string, from: number): Promise<string[]> => {
    await node.commit();
    return node.accessLog
      .ofPatient(node.blind(patient))
      .slice(from)
      .map((e) => `${e.action}:${e.outcome}:${e.reason}`);
  };
  const eventCount = async (patient: string): Promise<number> => (await eventsOf(patient, 0)).length;

  before(async () => {
    node = (await MedicalNode.open(join(tempDir(), 'node'), OPTS)).node;
    await node.createOrganization('other', 'Other Hospital');
    ids = await writeResources(node, TWO_PATIENTS);
    const users = [
      ['doc@a.example', 'doctor'],
      ['far@b.example', 'doctor', 'other'],
      ['pa@a.example', 'patient', undefined, 'pa'],
      ['res@b.example', 'researcher', 'other'],
      ['aud@a.example', 'auditor'],
    ] as const;
    for (const [email, role, org, patientId] of users)
      await node.createUser({
        email,
        name: email.slice(0, 3),
        password: PW,
        role,
        ...(org ? { org } : {}),
        ...(patientId ? { patientId } : {}),
      });
    auditor = node.as(node.login('aud@a.example', PW));
    doc = node.as(node.login('doc@a.example', PW));
    far = node.as(node.login('far@b.example', PW));
    pa = node.as(node.login('pa@a.example', PW));
    research = node.as(node.login('res@b.example', PW));
  });
  after(async () => {
    await node.close();
  });

  it("refuses another organization's doctor writing into a chart without consent, and logs the denial", async () => {
    const from = await eventCount('pa');
    await assert.rejects(far.addRecord(observation('Patient/pa')), { code: 'ML_ERR_ACCESS_DENIED' });
    assert.deepEqual(await eventsOf('pa', from), ['write:deny:no-consent']);
    // The chart's own organization writes as before.
    await doc.addRecord(observation('Patient/pa'));
  });

  it('lets that doctor write with a treatment consent, or by breaking the glass (logged as such)', async () => {
    await assert.rejects(far.addRecord(observation('Patient/pa'), { breakGlass: { reason: 'short' } }), {
      code: 'ML_ERR_ACCESS_DENIED',
    });
    const from = await eventCount('pa');
    await far.addRecord(observation('Patient/pa'), { breakGlass: { reason: 'unconscious in ER bay 3' } });
    const events = await eventsOf('pa', from);
    assert.ok(events.includes('write:allow:break-glass'), events.join());
    const consent = await pa.grantConsent({
      grantee: { kind: 'organization', orgId: 'other' },
      purpose: 'treatment',
      validTo: Date.now() + 86_400_000,
    });
    await node.commit();
    await far.addRecord(observation('Patient/pa', 'with consent'));
    await pa.revokeConsent(consent);
    await node.commit();
    await assert.rejects(far.addRecord(observation('Patient/pa')), { code: 'ML_ERR_ACCESS_DENIED' });
  });

  it('refuses a subject that is not a patient of this node (422 naming the path)', async () => {
    for (const subject of [
      'Patient/',
      'urn:uuid:9b3c5f4e-1d2a-4c8b-9e7f-0a1b2c3d4e5f',
      'http://evil.example/fhir/Patient/pa',
      'Group/g1',
      'Patient/nobody-here',
    ]) {
      await assert.rejects(doc.addRecord(observation(subject)), (e: unknown) => {
        assert.ok(e instanceof FhirValidationError, subject);
        assert.deepEqual(e.outcome.issue[0]!.expression, ['Observation.subject'], subject);
        return true;
      });
    }
    await assert.rejects(
      doc.addRecord({
        resourceType: 'Immunization',
        status: 'completed',
        vaccineCode: { text: 'flu' },
        patient: { reference: 'Patient/nobody-here' },
        occurrenceDateTime: '2024-01-01',
      }),
      (e: unknown) =>
        e instanceof FhirValidationError && e.outcome.issue[0]!.expression?.[0] === 'Immunization.patient',
    );
  });

  it("refuses an amendment that changes the record's patient (422), and keeps the record as it was", async () => {
    const w = await doc.addRecord(observation('Patient/pa', 'to amend'));
    await node.commit();
    await assert.rejects(doc.amendRecord(w.id, observation('Patient/pb', 'misfiled')), (e: unknown) => {
      assert.ok(e instanceof FhirValidationError);
      assert.deepEqual(e.outcome.issue[0]!.expression, ['Observation.subject']);
      return true;
    });
    assert.equal((await doc.getRecord(w.id)).history.length, 1);
  });

  it('logs a denied amendment as an access event', async () => {
    const from = await eventCount('pa');
    await assert.rejects(far.amendRecord(ids[2]!, observation('Patient/pa', 'not mine')), {
      code: 'ML_ERR_ACCESS_DENIED',
    });
    // Denied by the revoked treatment consent of the test above.
    assert.deepEqual(await eventsOf('pa', from), ['write:deny:consent-revoked']);
  });

  it('gives research access de-identified data only', async () => {
    await pa.grantConsent({
      grantee: { kind: 'organization', orgId: 'other' },
      purpose: 'research',
      validTo: Date.now() + 86_400_000,
    });
    await node.commit();
    const from = await eventCount('pa');
    await assert.rejects(research.listRecords('pa', { purpose: 'research' }), {
      code: 'ML_ERR_ACCESS_DENIED',
      data: { reason: 'deidentified-only', patient: 'pa' },
    });
    await assert.rejects(research.getRecord(ids[2]!, { purpose: 'research' }), {
      code: 'ML_ERR_ACCESS_DENIED',
    });
    const events = await eventsOf('pa', from);
    assert.deepEqual(events, ['read:deny:deidentified-only', 'read:deny:deidentified-only']);
    let rows = 0;
    for await (const t of research.researchExport()) rows += t.person.length;
    assert.equal(rows, 1, 'the de-identified export still has the patient');
  });

  it('keeps a break-glass reason, sealed for the patient, the organization and auditors only', async () => {
    const reason = 'unconscious in ER bay 3, no relatives reachable';
    await far.getRecord(ids[2]!, { purpose: 'emergency', breakGlass: { reason } });
    await node.commit();
    const event = pa.accessLog('pa', { newestFirst: true, limit: 1 })[0]!;
    assert.equal(event.breakGlass, true);
    assert.match(event.note ?? '', /^[0-9a-f]{64}$/);
    assert.equal(pa.breakGlassReason(event), reason);
    assert.equal(auditor.breakGlassReason(event), reason);
    assert.equal(far.breakGlassReason(event), reason);
    // No one else is shown it (one node holds both organizations' keys: the check is the scope's),
    // and the chain holds only the note's id.
    assert.equal(doc.breakGlassReason(event), undefined);
    const body = node.ledger.store.txById(event.tx)!.body;
    assert.ok(!body.includes('unconscious'), body);
  });
});
