import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PURPOSES, evaluate } from './consent.ts';
import type { AccessRequest, ConsentGrant, Decision, RecordMeta, Requester } from './consent.ts';

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const P = 'aa11';
const record: RecordMeta = {
  id: 'rec-1',
  patient: P,
  org: 'org-b',
  author: 'key-author',
  type: 'Observation',
  date: T0 - 10 * DAY,
};
const doctor: Requester = { keyId: 'key-doc', role: 'doctor', org: 'org-a' };
const researcher: Requester = { keyId: 'key-res', role: 'researcher', org: 'org-r' };
const patient: Requester = { keyId: 'key-pat', role: 'patient', patient: P };
const REASON = 'unconscious, no ID, ER bay 3';

function grant(over: Partial<ConsentGrant> = {}): ConsentGrant {
  return {
    id: 'c-1',
    patient: P,
    grantee: { kind: 'practitioner', keyId: 'key-doc' },
    scope: {},
    purpose: 'treatment',
    validFrom: T0 - DAY,
    validTo: T0 + DAY,
    ...over,
  };
}
function req(over: Partial<AccessRequest> = {}): AccessRequest {
  return {
    consents: [],
    policy: { orgDoctorsTreatment: true },
    requester: doctor,
    record,
    purpose: 'treatment',
    now: T0,
    ...over,
  };
}
const denied = (reason: string, consentId?: string): Decision =>
  ({
    allow: false,
    reason,
    ...(consentId === undefined ? {} : { consentId }),
    breakGlass: false,
  }) as Decision;
const allowed = (basis: string, consentId?: string, breakGlass = false): Decision =>
  ({ allow: true, basis, ...(consentId === undefined ? {} : { consentId }), breakGlass }) as Decision;

describe('evaluate: denials', () => {
  it('record-erased, for everyone including the patient and the author', () => {
    const erased = { ...record, erased: true };
    assert.deepEqual(evaluate(req({ record: erased, requester: patient })), denied('record-erased'));
    const author = { ...doctor, keyId: 'key-author' };
    assert.deepEqual(evaluate(req({ record: erased, requester: author })), denied('record-erased'));
  });
  it('other-patient: a patient reads or writes another patient’s record', () => {
    const other = { ...patient, patient: 'bb22' };
    assert.deepEqual(evaluate(req({ requester: other })), denied('other-patient'));
    assert.deepEqual(evaluate(req({ requester: other, action: 'write' })), denied('other-patient'));
    const noId = { keyId: 'key-pat', role: 'patient' } as const;
    assert.deepEqual(evaluate(req({ requester: noId })), denied('other-patient'));
  });
  it('role-not-permitted: admin, auditor and node even with a consent to their key and org', () => {
    for (const role of ['admin', 'auditor', 'node'] as const) {
      const r: Requester = { keyId: 'key-x', role, org: 'org-b' };
      const c = grant({ grantee: { kind: 'practitioner', keyId: 'key-x' } });
      assert.deepEqual(evaluate(req({ requester: r, consents: [c] })), denied('role-not-permitted'), role);
    }
  });
  it('role-not-permitted: researcher writes, non-research purposes, break glass', () => {
    const c = grant({ grantee: { kind: 'practitioner', keyId: 'key-res' }, purpose: 'research' });
    const base = req({ requester: researcher, purpose: 'research', consents: [c] });
    assert.deepEqual(evaluate({ ...base, action: 'write' }), denied('role-not-permitted'));
    const treat = {
      ...base,
      purpose: 'treatment' as const,
      consents: [{ ...c, purpose: 'treatment' as const }],
    };
    assert.deepEqual(evaluate(treat), denied('role-not-permitted'));
    const glass = { ...base, purpose: 'emergency' as const, breakGlass: { reason: REASON } };
    assert.deepEqual(evaluate(glass), denied('role-not-permitted'));
  });
  it('no-consent: none at all, or only grants to another patient or another grantee', () => {
    assert.deepEqual(evaluate(req()), denied('no-consent'));
    const others = [
      grant({ patient: 'bb22' }),
      grant({ grantee: { kind: 'practitioner', keyId: 'key-other' } }),
      grant({ grantee: { kind: 'organization', orgId: 'org-z' } }),
    ];
    assert.deepEqual(evaluate(req({ consents: others })), denied('no-consent'));
  });
  it('no-consent: an org grant does not reach a requester without an org', () => {
    const c = grant({ grantee: { kind: 'organization', orgId: 'org-a' } });
    const { org: _org, ...orgless } = doctor;
    assert.deepEqual(evaluate(req({ requester: orgless, consents: [c] })), denied('no-consent'));
  });
  it('consent-revoked, naming the grant', () => {
    const c = grant({ revokedAt: T0 - 1 });
    assert.deepEqual(evaluate(req({ consents: [c] })), denied('consent-revoked', 'c-1'));
  });
  it('consent-not-yet-valid', () => {
    const c = grant({ validFrom: T0 + 1 });
    assert.deepEqual(evaluate(req({ consents: [c] })), denied('consent-not-yet-valid', 'c-1'));
  });
  it('consent-expired', () => {
    const c = grant({ validTo: T0 - 1 });
    assert.deepEqual(evaluate(req({ consents: [c] })), denied('consent-expired', 'c-1'));
  });
  it('wrong-purpose: payment grant for treatment; emergency grant does not serve treatment', () => {
    const pay = grant({ purpose: 'payment' });
    assert.deepEqual(evaluate(req({ consents: [pay] })), denied('wrong-purpose', 'c-1'));
    const emerg = grant({ purpose: 'emergency' });
    assert.deepEqual(evaluate(req({ consents: [emerg] })), denied('wrong-purpose', 'c-1'));
  });
  it('wrong-purpose: a doctor writes for research or payment, or under a non-treatment grant', () => {
    const author = { ...doctor, keyId: 'key-author' };
    assert.deepEqual(
      evaluate(req({ requester: author, action: 'write', purpose: 'payment' })),
      denied('wrong-purpose'),
    );
    const c = grant({ purpose: 'emergency' });
    const write = req({ action: 'write', purpose: 'emergency', consents: [c] });
    assert.deepEqual(evaluate(write), denied('wrong-purpose', 'c-1'));
  });
  it('out-of-scope: resource type, empty type list, data period, undated record', () => {
    const cases: ConsentGrant['scope'][] = [
      { types: ['Condition'] },
      { types: [] },
      { period: { start: T0 - 9 * DAY } },
      { period: { end: T0 - 10 * DAY } },
    ];
    for (const scope of cases) {
      assert.deepEqual(evaluate(req({ consents: [grant({ scope })] })), denied('out-of-scope', 'c-1'));
    }
    const { date: _date, ...undated } = record;
    const c = grant({ scope: { period: { start: 0 } } });
    assert.deepEqual(evaluate(req({ record: undated, consents: [c] })), denied('out-of-scope', 'c-1'));
  });
  it('break-glass-reason-required: missing or under 10 non-space characters', () => {
    for (const reason of [
      '',
      '          ',
      'a b c d e f g h i',
      '痛 痛 痛 痛 痛 痛 痛 痛 痛',
      '🚑🚑🚑🚑🚑 🚑🚑🚑🚑',
    ]) {
      const r = req({ purpose: 'emergency', breakGlass: { reason } });
      assert.deepEqual(evaluate(r), denied('break-glass-reason-required'), reason);
    }
  });
  it('reports the grant that got furthest, ties to the smallest id', () => {
    const revoked = grant({ id: 'c-a', revokedAt: T0 });
    const early = grant({ id: 'c-b', validFrom: T0 + 1 });
    const expired = grant({ id: 'c-c', validTo: T0 });
    const pay = grant({ id: 'c-d', purpose: 'payment' });
    const scoped = grant({ id: 'c-e', scope: { types: ['Condition'] } });
    const scoped2 = grant({ id: 'c-0', scope: { types: ['Encounter'] } });
    const chain = [revoked, early, expired, pay, scoped];
    const want = [
      'consent-revoked',
      'consent-not-yet-valid',
      'consent-expired',
      'wrong-purpose',
      'out-of-scope',
    ];
    for (let i = 0; i < chain.length; i++) {
      const d = evaluate(req({ consents: chain.slice(0, i + 1).reverse() }));
      assert.deepEqual(d, denied(want[i]!, chain[i]!.id));
    }
    assert.deepEqual(evaluate(req({ consents: [scoped, scoped2] })), denied('out-of-scope', 'c-0'));
  });
  it('policy and authorship do not stretch: flag off, research purpose, payment by the author', () => {
    const sameOrg = { ...doctor, org: 'org-b' };
    const off = { orgDoctorsTreatment: false };
    assert.deepEqual(evaluate(req({ requester: sameOrg, policy: off })), denied('no-consent'));
    assert.deepEqual(evaluate(req({ requester: sameOrg, purpose: 'research' })), denied('no-consent'));
    const author = { ...doctor, keyId: 'key-author' };
    assert.deepEqual(evaluate(req({ requester: author, purpose: 'payment' })), denied('no-consent'));
  });
  it('break glass only for an emergency read', () => {
    const glass = { breakGlass: { reason: REASON } };
    assert.deepEqual(evaluate(req({ ...glass, purpose: 'treatment' })), denied('no-consent'));
    const write = req({ ...glass, purpose: 'emergency', action: 'write' });
    assert.deepEqual(evaluate(write), denied('no-consent'));
    assert.deepEqual(evaluate(req({ purpose: 'emergency' })), denied('no-consent'));
  });
});

describe('evaluate: allows', () => {
  it('patient-self: reads own records for any purpose and adds to them', () => {
    for (const purpose of PURPOSES) {
      assert.deepEqual(evaluate(req({ requester: patient, purpose })), allowed('patient-self'), purpose);
    }
    assert.deepEqual(evaluate(req({ requester: patient, action: 'write' })), allowed('patient-self'));
  });
  it('author: treatment and emergency', () => {
    const author = { ...doctor, keyId: 'key-author' };
    assert.deepEqual(evaluate(req({ requester: author })), allowed('author'));
    assert.deepEqual(evaluate(req({ requester: author, purpose: 'emergency' })), allowed('author'));
    assert.deepEqual(evaluate(req({ requester: author, action: 'write' })), allowed('author'));
  });
  it('org-policy: same-org doctor reads for treatment or emergency; writes even with the flag off', () => {
    const sameOrg = { ...doctor, org: 'org-b' };
    assert.deepEqual(evaluate(req({ requester: sameOrg })), allowed('org-policy'));
    const emergency = req({ requester: sameOrg, purpose: 'emergency', breakGlass: { reason: REASON } });
    assert.deepEqual(evaluate(emergency), allowed('org-policy'));
    const off = { orgDoctorsTreatment: false };
    assert.deepEqual(
      evaluate(req({ requester: sameOrg, policy: off, action: 'write' })),
      allowed('org-policy'),
    );
  });
  it('consent: to the practitioner or to the organization, in scope', () => {
    assert.deepEqual(evaluate(req({ consents: [grant()] })), allowed('consent', 'c-1'));
    const org = grant({ grantee: { kind: 'organization', orgId: 'org-a' } });
    assert.deepEqual(evaluate(req({ consents: [org] })), allowed('consent', 'c-1'));
    const scope = { types: ['Observation'], period: { start: T0 - 10 * DAY, end: T0 - 10 * DAY + 1 } };
    assert.deepEqual(evaluate(req({ consents: [grant({ scope })] })), allowed('consent', 'c-1'));
    assert.deepEqual(
      evaluate(req({ consents: [grant({ scope: { period: {} } })] })),
      allowed('consent', 'c-1'),
    );
  });
  it('consent: a treatment grant serves an emergency read and a write', () => {
    assert.deepEqual(evaluate(req({ consents: [grant()], purpose: 'emergency' })), allowed('consent', 'c-1'));
    assert.deepEqual(evaluate(req({ consents: [grant()], action: 'write' })), allowed('consent', 'c-1'));
  });
  it('consent: researcher with a research grant to their key or org', () => {
    const mine = grant({ grantee: { kind: 'practitioner', keyId: 'key-res' }, purpose: 'research' });
    const r = req({ requester: researcher, purpose: 'research', consents: [mine] });
    assert.deepEqual(evaluate(r), allowed('consent', 'c-1'));
    const org = { ...mine, grantee: { kind: 'organization', orgId: 'org-r' } as const };
    assert.deepEqual(evaluate({ ...r, consents: [org] }), allowed('consent', 'c-1'));
  });
  it('consent: several matches pick the smallest id', () => {
    const cs = [grant({ id: 'c-9' }), grant({ id: 'c-10' }), grant({ id: 'c-5', revokedAt: T0 })];
    assert.deepEqual(evaluate(req({ consents: cs })), allowed('consent', 'c-10'));
  });
  it('break-glass: emergency with a proper reason, flagged; a consent wins over it', () => {
    const r = req({ purpose: 'emergency', breakGlass: { reason: ' abcde  fghij ' } });
    assert.deepEqual(evaluate(r), allowed('break-glass', undefined, true));
    assert.deepEqual(
      evaluate({ ...r, consents: [grant({ revokedAt: T0 })] }),
      allowed('break-glass', undefined, true),
    );
    assert.deepEqual(evaluate({ ...r, consents: [grant()] }), allowed('consent', 'c-1'));
  });
});

describe('evaluate: boundary times', () => {
  const at = (c: ConsentGrant, now: number) => evaluate(req({ consents: [c], now }));
  it('validFrom is inclusive', () => {
    assert.equal(at(grant({ validFrom: T0 }), T0).allow, true);
    assert.deepEqual(at(grant({ validFrom: T0 }), T0 - 1), denied('consent-not-yet-valid', 'c-1'));
  });
  it('validTo is exclusive', () => {
    assert.equal(at(grant({ validTo: T0 }), T0 - 1).allow, true);
    assert.deepEqual(at(grant({ validTo: T0 }), T0), denied('consent-expired', 'c-1'));
  });
  it('revokedAt counts from its exact instant', () => {
    assert.equal(at(grant({ revokedAt: T0 }), T0 - 1).allow, true);
    assert.deepEqual(at(grant({ revokedAt: T0 }), T0), denied('consent-revoked', 'c-1'));
  });
  it('data period: start inclusive, end exclusive', () => {
    const d = record.date!;
    const c = (start: number, end: number) => [grant({ scope: { period: { start, end } } })];
    assert.equal(evaluate(req({ consents: c(d, d + 1) })).allow, true);
    assert.deepEqual(evaluate(req({ consents: c(d + 1, d + 2) })), denied('out-of-scope', 'c-1'));
    assert.deepEqual(evaluate(req({ consents: c(d - 1, d) })), denied('out-of-scope', 'c-1'));
  });
});
