/**
 * @module
 * Consent enforced end to end over HTTP: a doctor of another organization is denied until the patient
 * grants consent, denied again once it is revoked, and may break the glass with a stated reason; every
 * read, denial and break-glass is an access event the patient and an auditor see, with the requester's
 * name. Records are added and amended as append-only versions, and invalid FHIR R4 is answered 422
 * with the OperationOutcome naming the failing path.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { demoStaff, syntheticPatients } from '../src/sim/synthetic.ts';
import { heartRateReading } from '../src/sim/synthetic-fhir.ts';
import { DEMO, startTestNode } from './support/http-node.ts';
import type { TestNode } from './support/http-node.ts';

interface ErrorJson {
  error: { code: string; message: string; data?: Record<string, unknown> };
}
interface AccessEvent {
  tx: string;
  time: string;
  requester: { keyId: string; role: string; org?: string; name?: string };
  records: string[];
  action: string;
  purpose: string;
  outcome: 'allow' | 'deny';
  reason: string;
  breakGlass: boolean;
}
interface RecordVersion {
  id: string;
  recordId: string;
  version: number;
  tx: string;
  height: number;
  resource: { resourceType: string; id: string; meta?: { versionId?: string }; valueQuantity?: unknown };
}

async function json<T>(r: Response, status: number): Promise<T> {
  const text = await r.text();
  assert.equal(r.status, status, text);
  return JSON.parse(text) as T;
}

async function expectError(r: Response, status: number, code: string): Promise<ErrorJson> {
  const body = await json<ErrorJson>(r, status);
  assert.equal(body.error.code, code, JSON.stringify(body));
  return body;
}

const PATEL = demoStaff().find((u) => u.email === DEMO.patel)!.name;

function observation(patientId: string, bpm: number): Record<string, unknown> {
  return heartRateReading(patientId, bpm, '2024-03-01T10:00:00Z');
}

describe('http consent', () => {
  let t: TestNode;
  let patientId: string;
  let otherPatientId: string;
  let record: string;
  const tokens: Record<'chen' | 'patel' | 'patient' | 'auditor' | 'admin', string> = {
    chen: '',
    patel: '',
    patient: '',
    auditor: '',
    admin: '',
  };
  const keyIds: Record<string, string> = {};

  /**
   * The access events the patient sees, once `ready` holds of them: an access event is committed in
   * the block after the read it records, so a test waits for it (at most 5 s).
   */
  async function patientLog(ready: (events: AccessEvent[]) => boolean = () => true): Promise<AccessEvent[]> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const events = await json<AccessEvent[]>(
        await t.api('/api/v1/access-log', { token: tokens.patient }),
        200,
      );
      if (ready(events) || Date.now() > deadline) return events;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const patelOutcomes = (events: AccessEvent[]): string[] =>
    events.filter((e) => e.requester.keyId === keyIds.patel).map((e) => `${e.outcome}:${e.reason}`);

  /** The patient grants Riverside (Dr Patel's organization) treatment consent for a day. */
  async function grantRiverside(): Promise<{ tx: string; height: number }> {
    return json<{ tx: string; height: number }>(
      await t.api('/api/v1/consents', {
        token: tokens.patient,
        body: {
          grantee: { kind: 'organization', orgId: 'riverside' },
          purpose: 'treatment',
          validTo: new Date(Date.now() + 86_400_000).toISOString(),
        },
      }),
      201,
    );
  }

  function read(token: string, query = ''): Promise<Response> {
    return t.api(`/api/v1/records/${record}${query}`, { token });
  }

  before(async () => {
    t = await startTestNode({ patients: 2 });
    // The demo patient is the first synthetic patient (seedDemo); check it through the blind index.
    const [first, second] = syntheticPatients(2, { seed: 1, now: t.node.now });
    patientId = first!.patient.id!;
    otherPatientId = second!.patient.id!;
    for (const k of Object.keys(tokens) as (keyof typeof tokens)[]) {
      tokens[k] = await t.login(DEMO[k]);
      keyIds[k] = (
        await json<{ keyId: string }>(await t.api('/api/v1/auth/me', { token: tokens[k] }), 200)
      ).keyId;
    }
    assert.equal(t.node.ledger.directory.active(keyIds.patient!)?.patient, t.node.blind(patientId));
    record = t.node.state.recordsOf(t.node.blind(patientId))[1]!.id;
  });
  after(async () => {
    await t.close();
  });

  it('denies a doctor of another organization without consent, and audits it', async () => {
    const before = (await patientLog()).length;
    const body = await expectError(await read(tokens.patel), 403, 'ML_ERR_ACCESS_DENIED');
    assert.equal(body.error.data?.reason, 'no-consent');
    await expectError(
      await t.api(`/api/v1/patients/${patientId}/records`, { token: tokens.patel }),
      403,
      'ML_ERR_ACCESS_DENIED',
    );
    const events = await patientLog((e) => e.length >= before + 2);
    const denial = events.filter((e) => e.requester.keyId === keyIds.patel && e.outcome === 'deny');
    assert.equal(denial.length, 2, JSON.stringify(events.slice(before)));
    assert.equal(denial[0]!.reason, 'no-consent');
    assert.deepEqual(denial[0]!.records, [record]);
  });

  it('refuses a break-glass without a real reason', async () => {
    const r = await read(tokens.patel, '?breakGlassReason=short');
    await expectError(r, 400, 'ML_ERR_HTTP_BAD_REQUEST');
    const spaces = await read(tokens.patel, `?breakGlassReason=${encodeURIComponent('a          b')}`);
    const body = await expectError(spaces, 403, 'ML_ERR_ACCESS_DENIED');
    assert.equal(body.error.data?.reason, 'break-glass-reason-required');
  });

  it('lets only the patient grant and revoke consent, and checks the grant', async () => {
    const grant = {
      grantee: { kind: 'organization', orgId: 'riverside' },
      purpose: 'treatment',
      validTo: new Date(Date.now() + 86_400_000).toISOString(),
    };
    const post = (token: string, body: unknown): Promise<Response> =>
      t.api('/api/v1/consents', { token, body });
    await expectError(await post(tokens.patel, grant), 403, 'ML_ERR_ROLE_FORBIDDEN');
    await expectError(await post(tokens.auditor, grant), 403, 'ML_ERR_ROLE_FORBIDDEN');
    await expectError(
      await post(tokens.patient, { ...grant, validTo: 'tomorrow' }),
      400,
      'ML_ERR_HTTP_BAD_REQUEST',
    );
    await expectError(
      await post(tokens.patient, { ...grant, purpose: 'marketing' }),
      400,
      'ML_ERR_HTTP_BAD_REQUEST',
    );
    const past = await expectError(
      await post(tokens.patient, { ...grant, validTo: '2001-01-01T00:00:00Z' }),
      400,
      'ML_ERR_ARG_VALUE',
    );
    assert.equal(past.error.data?.name, 'validTo');
    await expectError(
      await post(tokens.patient, {
        ...grant,
        validFrom: new Date(Date.now() + 3 * 86_400_000).toISOString(),
      }),
      400,
      'ML_ERR_ARG_VALUE',
    );
    await expectError(
      await post(tokens.patient, { ...grant, grantee: { kind: 'organization', orgId: 'nowhere' } }),
      404,
      'ML_ERR_NOT_FOUND',
    );
    await expectError(
      await post(tokens.patient, { ...grant, grantee: { kind: 'practitioner', keyId: 'a'.repeat(64) } }),
      404,
      'ML_ERR_NOT_FOUND',
    );
    await expectError(
      await t.api(`/api/v1/consents/${'f'.repeat(64)}`, { method: 'DELETE', token: tokens.patient }),
      404,
      'ML_ERR_NOT_FOUND',
    );
    // Nothing was granted.
    assert.deepEqual(await json(await t.api('/api/v1/consents', { token: tokens.patient }), 200), []);
  });

  it('allows the doctor once the patient consents, and denies again after revocation', async () => {
    const grant = await grantRiverside();
    const consents = await json<{ id: string; tx: string; purpose: string; grantee: unknown }[]>(
      await t.api('/api/v1/consents', { token: tokens.patient }),
      200,
    );
    const consent = consents.find((c) => c.tx === grant.tx);
    assert.ok(consent, JSON.stringify(consents));
    assert.deepEqual(consent.grantee, { kind: 'organization', orgId: 'riverside' });
    // The grantee sees it too.
    const seen = await json<{ id: string }[]>(await t.api('/api/v1/consents', { token: tokens.patel }), 200);
    assert.ok(seen.some((c) => c.id === consent.id));

    const allowed = await json<{ current: RecordVersion }>(await read(tokens.patel), 200);
    assert.equal(allowed.current.id, record);
    const list = await json<RecordVersion[]>(
      await t.api(`/api/v1/patients/${patientId}/records`, { token: tokens.patel }),
      200,
    );
    assert.ok(list.length >= 2 && list.some((r) => r.id === record));

    // A record written while the consent holds is readable by the grantee too.
    const later = await json<{ id: string }>(
      await t.api('/api/v1/records', { token: tokens.chen, body: observation(patientId, 64) }),
      201,
    );
    await json(await t.api(`/api/v1/records/${later.id}`, { token: tokens.patel }), 200);

    // The grantee cannot revoke it; the patient can.
    const r = await t.api(`/api/v1/consents/${consent.id}`, { method: 'DELETE', token: tokens.patel });
    await expectError(r, 403, 'ML_ERR_ROLE_FORBIDDEN');
    await json(
      await t.api(`/api/v1/consents/${consent.id}`, { method: 'DELETE', token: tokens.patient }),
      200,
    );
    const denied = await expectError(await read(tokens.patel), 403, 'ML_ERR_ACCESS_DENIED');
    assert.equal(denied.error.data?.reason, 'consent-revoked');
  });

  it('audits a denied amendment: without consent, and when the chain refuses what a consent allowed', async () => {
    const amend = (body: unknown = observation(patientId, 99)): Promise<Response> =>
      t.api(`/api/v1/records/${record}/amendments`, {
        token: tokens.patel,
        body,
      });
    const patelWrites = (events: AccessEvent[]): string[] =>
      events
        .filter(
          (e) => e.requester.keyId === keyIds.patel && e.action === 'write' && e.records.includes(record),
        )
        .map((e) => `${e.outcome}:${e.reason}`);
    const before = patelWrites(await patientLog()).length;

    await expectError(await amend(), 403, 'ML_ERR_ACCESS_DENIED');
    let writes = patelWrites(await patientLog((e) => patelWrites(e).length > before));
    // No active consent (an earlier test revoked one): denied, and the denial is logged as a write.
    assert.equal(writes.length, before + 1);
    const first = writes[before]!;
    assert.match(first, /^deny:(no-consent|consent-revoked)$/);

    // With a treatment consent the decision allows the write, but a doctor signs records only for
    // their own organization: the chain refuses it, and that refusal is on the log too.
    const grant = await grantRiverside();
    try {
      const current = await json<{ current: RecordVersion }>(await read(tokens.patel), 200);
      await expectError(await amend(current.current.resource), 403, 'ML_ERR_TX_NOT_PERMITTED');
      writes = patelWrites(await patientLog((e) => patelWrites(e).length > before + 1));
      assert.deepEqual(writes.slice(before), [first, 'deny:role-not-permitted']);
    } finally {
      await json(
        await t.api(`/api/v1/consents/${grant.tx}`, { method: 'DELETE', token: tokens.patient }),
        200,
      );
    }
  });

  it('limits a consent to its resource types', async () => {
    const all = await json<RecordVersion[]>(
      await t.api(`/api/v1/patients/${patientId}/records`, { token: tokens.chen }),
      200,
    );
    const obs = all.find((r) => r.resource.resourceType === 'Observation');
    const other = all.find((r) => r.resource.resourceType !== 'Observation');
    assert.ok(obs && other, all.map((r) => r.resource.resourceType).join());
    const grant = await json<{ tx: string }>(
      await t.api('/api/v1/consents', {
        token: tokens.patient,
        body: {
          grantee: { kind: 'practitioner', keyId: keyIds.patel },
          purpose: 'treatment',
          types: ['Observation'],
          validTo: new Date(Date.now() + 3_600_000).toISOString(),
        },
      }),
      201,
    );
    await json(await t.api(`/api/v1/records/${obs.id}`, { token: tokens.patel }), 200);
    const denied = await expectError(
      await t.api(`/api/v1/records/${other.id}`, { token: tokens.patel }),
      403,
      'ML_ERR_ACCESS_DENIED',
    );
    assert.equal(denied.error.data?.reason, 'out-of-scope');
    // Nor for another purpose.
    await expectError(
      await t.api(`/api/v1/records/${obs.id}?purpose=payment`, { token: tokens.patel }),
      403,
      'ML_ERR_ACCESS_DENIED',
    );
    const consents = await json<{ id: string; tx: string }[]>(
      await t.api('/api/v1/consents', { token: tokens.patient }),
      200,
    );
    const id = consents.find((c) => c.tx === grant.tx)!.id;
    await json(await t.api(`/api/v1/consents/${id}`, { method: 'DELETE', token: tokens.patient }), 200);
    await expectError(
      await t.api(`/api/v1/records/${obs.id}`, { token: tokens.patel }),
      403,
      'ML_ERR_ACCESS_DENIED',
    );
  });

  it('lets a doctor break the glass, flagged for the patient', async () => {
    const reason = 'unconscious in the emergency department';
    const r = await read(tokens.patel, `?breakGlassReason=${encodeURIComponent(reason)}`);
    const body = await json<{ current: RecordVersion }>(r, 200);
    assert.equal(body.current.id, record);

    const events = await patientLog((e) => e.some((x) => x.breakGlass));
    const glass = events.filter((e) => e.breakGlass);
    assert.equal(glass.length, 1, JSON.stringify(events));
    assert.deepEqual(
      {
        outcome: glass[0]!.outcome,
        purpose: glass[0]!.purpose,
        reason: glass[0]!.reason,
        name: glass[0]!.requester.name,
        org: glass[0]!.requester.org,
        role: glass[0]!.requester.role,
      },
      {
        outcome: 'allow',
        purpose: 'emergency',
        reason: 'break-glass',
        name: PATEL,
        org: 'riverside',
        role: 'doctor',
      },
    );
  });

  it("shows the patient every access to their data, and no one else's", async () => {
    const all = ['deny:no-consent', 'allow:consent', 'deny:consent-revoked', 'allow:break-glass'];
    const events = await patientLog((e) => all.every((w) => patelOutcomes(e).includes(w)));
    const patel = events.filter((e) => e.requester.keyId === keyIds.patel);
    const outcomes = patelOutcomes(events);
    for (const want of all) assert.ok(outcomes.includes(want), `${want} missing from ${outcomes.join(', ')}`);
    assert.ok(patel.every((e) => e.requester.name === PATEL));
    // Times are ISO 8601 and in chain order.
    const times = events.map((e) => Date.parse(e.time));
    assert.ok(times.every((x) => !Number.isNaN(x)));
    // Another patient's log is not theirs to read.
    await expectError(
      await t.api(`/api/v1/patients/${otherPatientId}/access-log`, { token: tokens.patient }),
      403,
      'ML_ERR_ACCESS_DENIED',
    );
    // Their own by id is the same list.
    const own = await json<AccessEvent[]>(
      await t.api(`/api/v1/patients/${patientId}/access-log`, { token: tokens.patient }),
      200,
    );
    assert.deepEqual(
      own.map((e) => e.tx),
      events.map((e) => e.tx),
    );
    // A doctor reads no access log.
    await expectError(
      await t.api('/api/v1/access-log', { token: tokens.patel }),
      403,
      'ML_ERR_ROLE_FORBIDDEN',
    );
  });

  it('shows an auditor the access log of any patient', async () => {
    const mine = await patientLog();
    const audited = await json<AccessEvent[]>(
      await t.api(`/api/v1/patients/${patientId}/access-log`, { token: tokens.auditor }),
      200,
    );
    const byTx = new Set(audited.map((e) => e.tx));
    for (const e of mine) assert.ok(byTx.has(e.tx), `auditor misses ${e.tx}`);
    assert.ok(audited.some((e) => e.breakGlass && e.requester.name === PATEL));
    const other = await json<AccessEvent[]>(
      await t.api(`/api/v1/patients/${otherPatientId}/access-log`, { token: tokens.auditor }),
      200,
    );
    assert.ok(other.every((e) => !byTx.has(e.tx)));
  });

  it('rejects invalid FHIR with the failing path', async () => {
    const records = t.node.state.records.size;
    const { code: _code, ...noCode } = observation(patientId, 72);
    const bad = { ...noCode, valueQuantity: { value: 'fast' } };
    const body = await expectError(
      await t.api('/api/v1/records', { token: tokens.chen, body: bad }),
      422,
      'ML_ERR_FHIR_INVALID',
    );
    const outcome = body.error.data?.outcome as {
      resourceType: string;
      issue: { severity: string; expression?: string[] }[];
    };
    assert.equal(outcome.resourceType, 'OperationOutcome');
    const paths = outcome.issue.flatMap((i) => i.expression ?? []);
    assert.ok(paths.includes('Observation.code'), JSON.stringify(outcome));
    assert.ok(
      paths.some((p) => p.startsWith('Observation.value')),
      JSON.stringify(outcome),
    );
    await expectError(
      await t.api('/api/v1/records', { token: tokens.chen, body: { resourceType: 'Nope' } }),
      422,
      'ML_ERR_FHIR_INVALID',
    );
    // Neither wrote anything.
    assert.equal(t.node.state.records.size, records);
  });

  it('success: a doctor adds and amends a record; both versions stay', async () => {
    const added = await json<{ id: string; recordId: string; tx: string; version: number; height: number }>(
      await t.api('/api/v1/records', { token: tokens.chen, body: observation(patientId, 72) }),
      201,
    );
    assert.equal(added.version, 1);
    assert.equal(added.id, added.recordId);
    assert.ok(Number.isInteger(added.height) && added.height > 0);
    // Committed when answered.
    assert.ok(t.node.ledger.store.txById(added.tx));

    // A patient cannot amend a record they did not write as a doctor would; the doctor can.
    const amended = await json<{ id: string; recordId: string; version: number; tx: string }>(
      await t.api(`/api/v1/records/${added.id}/amendments`, {
        token: tokens.chen,
        body: observation(patientId, 78),
      }),
      201,
    );
    assert.equal(amended.id, added.id);
    assert.notEqual(amended.recordId, added.id);
    assert.equal(amended.version, 2);
    await expectError(
      await t.api(`/api/v1/records/${added.id}/amendments`, {
        token: tokens.chen,
        body: { resourceType: 'Condition', subject: { reference: `Patient/${patientId}` } },
      }),
      400,
      'ML_ERR_ARG_VALUE',
    );
    await expectError(
      await t.api(`/api/v1/records/${amended.recordId}/amendments`, {
        token: tokens.chen,
        body: observation(patientId, 80),
      }),
      404,
      'ML_ERR_NOT_FOUND',
    );

    const got = await json<{ current: RecordVersion; history: RecordVersion[] }>(
      await t.api(`/api/v1/records/${added.id}`, { token: tokens.chen }),
      200,
    );
    assert.equal(got.history.length, 2);
    assert.deepEqual(
      got.history.map((v) => [v.version, v.recordId, v.resource.meta?.versionId]),
      [
        [1, added.id, '1'],
        [2, amended.recordId, '2'],
      ],
    );
    assert.deepEqual(got.current.resource.valueQuantity, observation(patientId, 78).valueQuantity as object);
    assert.equal(got.history[0]!.resource.id, added.id);
    assert.equal(got.current.resource.id, added.id);
    // The patient reads both versions of their own record.
    const own = await json<{ history: RecordVersion[] }>(
      await t.api(`/api/v1/records/${added.id}`, { token: tokens.patient }),
      200,
    );
    assert.equal(own.history.length, 2);
    // A record written after no consent is still closed to the other organization.
    await expectError(
      await t.api(`/api/v1/records/${added.id}`, { token: tokens.patel }),
      403,
      'ML_ERR_ACCESS_DENIED',
    );
  });
  it("success: a patient's record is erased on request, leaving a tombstone", async () => {
    const entry = t.node.state.recordsOf(t.node.blind(patientId)).at(-1)!;
    const asked = await json<{ tx: string }>(
      await t.api('/api/v1/erasure-requests', { token: tokens.patient, body: { records: [entry.id] } }),
      201,
    );
    await expectError(
      await t.api('/api/v1/erasure-requests', { token: tokens.chen, body: { records: [entry.id] } }),
      403,
      'ML_ERR_ROLE_FORBIDDEN',
    );
    const approval = `/api/v1/erasure-requests/${asked.tx}/approval`;
    await expectError(
      await t.api(approval, { method: 'POST', token: tokens.chen }),
      403,
      'ML_ERR_ROLE_FORBIDDEN',
    );
    assert.equal(
      (
        await json<{ status: string }[]>(
          await t.api('/api/v1/erasure-requests', { token: tokens.patient }),
          200,
        )
      )[0]?.status,
      'pending',
    );
    const done = await json<{ tx: string }>(
      await t.api(approval, { method: 'POST', token: tokens.admin }),
      201,
    );
    await expectError(
      await t.api(approval, { method: 'POST', token: tokens.admin }),
      400,
      'ML_ERR_ARG_VALUE',
    );

    const gone = await expectError(
      await t.api(`/api/v1/records/${entry.id}`, { token: tokens.patient }),
      410,
      'ML_ERR_RECORD_ERASED',
    );
    assert.equal(gone.error.data?.erasedBy, done.tx);
    assert.equal(t.node.vault.hasBlob(entry.id, entry.blob), false);
    assert.equal(t.node.vault.keysOf(entry.id).size, 0);
    const mine = await json<{ status: string }[]>(
      await t.api('/api/v1/erasure-requests', { token: tokens.patient }),
      200,
    );
    assert.deepEqual(
      mine.map((r) => r.status),
      ['carried-out'],
    );
    // Erased is not tampered: a full verification stays clean.
    const report = await json<{
      status: string;
      problems: unknown[];
      lastRun: { signatures: boolean; full: boolean };
    }>(await t.api('/api/v1/integrity/verify', { method: 'POST', token: tokens.auditor }), 200);
    assert.deepEqual([report.status, report.problems], ['ok', []]);
    assert.deepEqual(report.lastRun, { ...report.lastRun, signatures: true, full: true });
  });
});
