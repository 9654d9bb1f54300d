import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PURPOSES, evaluate } from './consent.ts';
import type {
  AccessRequest,
  ConsentGrant,
  Decision,
  Purpose,
  RecordMeta,
  Requester,
  Role,
} from './consent.ts';

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

// Small domains so that random requests often hit matching, near-miss and unrelated grants.
const ROLES: readonly Role[] = ['node', 'admin', 'doctor', 'patient', 'researcher', 'auditor'];
const time = fc.integer({ min: 0, max: 12 });
const opt = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined, freq: 2 });
/** Doctors and researchers are the interesting cases; erased records end the evaluation at once. */
const roleArb = fc.oneof(
  { arbitrary: fc.constantFrom<Role>('doctor'), weight: 6 },
  { arbitrary: fc.constantFrom<Role>('researcher'), weight: 3 },
  { arbitrary: fc.constantFrom(...ROLES), weight: 3 },
);
const erasedArb = fc.oneof(
  { arbitrary: fc.constant(true), weight: 1 },
  { arbitrary: fc.constant(false), weight: 7 },
);
const grantArb: fc.Arbitrary<ConsentGrant> = fc
  .record({
    id: fc.nat(30).map((n) => `c${String(n)}`),
    patient: fc.constantFrom('p1', 'p2'),
    grantee: fc.oneof(
      fc.record({ kind: fc.constant('practitioner' as const), keyId: fc.constantFrom('k1', 'k2') }),
      fc.record({ kind: fc.constant('organization' as const), orgId: fc.constantFrom('o1', 'o2') }),
    ),
    types: opt(fc.subarray(['Observation', 'Condition'])),
    start: opt(time),
    end: opt(time),
    purpose: fc.constantFrom(...PURPOSES),
    validFrom: time,
    validTo: time,
    revokedAt: opt(time),
  })
  .map(({ types, start, end, revokedAt, ...g }) => ({
    ...g,
    scope: {
      ...(types === undefined ? {} : { types }),
      ...(start === undefined && end === undefined ? {} : { period: { start, end } }),
    },
    ...(revokedAt === undefined ? {} : { revokedAt }),
  }));
const randomReqArb: fc.Arbitrary<AccessRequest> = fc.record({
  consents: fc.array(grantArb, { maxLength: 8 }),
  policy: fc.record({ orgDoctorsTreatment: fc.boolean() }),
  requester: fc.record(
    {
      keyId: fc.constantFrom('k1', 'k2'),
      role: roleArb,
      org: fc.constantFrom('o1', 'o2'),
      patient: fc.constantFrom('p1', 'p2'),
    },
    { requiredKeys: ['keyId', 'role'] },
  ),
  record: fc.record(
    {
      id: fc.constant('r'),
      patient: fc.constantFrom('p1', 'p2'),
      org: fc.constantFrom('o1', 'o2'),
      author: fc.constantFrom('k1', 'k2'),
      type: fc.constantFrom('Observation', 'Condition'),
      date: time,
      erased: erasedArb,
    },
    { requiredKeys: ['id', 'patient', 'org', 'author', 'type'] },
  ),
  purpose: fc.constantFrom(...PURPOSES),
  now: time,
  action: fc.constantFrom('read' as const, 'write' as const),
  breakGlass: opt(fc.record({ reason: fc.constantFrom('', 'short', REASON) })),
});

// Random grants rarely aim at the requester; add a few that do, so matches and near misses are common.
const reqArb: fc.Arbitrary<AccessRequest> = randomReqArb.chain((r) => {
  const aimed = fc
    .tuple(grantArb, fc.nat(3), fc.nat(3), fc.boolean())
    .map(([g, before, after, toOrg]): ConsentGrant => ({
      ...g,
      patient: r.record.patient,
      grantee:
        toOrg && r.requester.org !== undefined
          ? { kind: 'organization', orgId: r.requester.org }
          : { kind: 'practitioner', keyId: r.requester.keyId },
      validFrom: r.now - before,
      validTo: r.now + after,
    }));
  return fc.array(aimed, { maxLength: 3 }).map((extra) => ({ ...r, consents: [...r.consents, ...extra] }));
});

/** Written apart from consent.ts: does `c` let this request through? */
function refMatches(c: ConsentGrant, r: AccessRequest): boolean {
  const g = c.grantee;
  const mine = g.kind === 'practitioner' ? g.keyId === r.requester.keyId : g.orgId === r.requester.org;
  const wanted: Purpose[] =
    r.action === 'write'
      ? ['treatment']
      : r.purpose === 'emergency'
        ? ['emergency', 'treatment']
        : [r.purpose];
  const { types, period } = c.scope;
  const d = r.record.date;
  const bounded = period?.start !== undefined || period?.end !== undefined;
  const inPeriod =
    !bounded || (d !== undefined && (period.start ?? -Infinity) <= d && d < (period.end ?? Infinity));
  return (
    c.patient === r.record.patient &&
    mine &&
    (c.revokedAt === undefined || r.now < c.revokedAt) &&
    c.validFrom <= r.now &&
    r.now < c.validTo &&
    wanted.includes(c.purpose) &&
    (types === undefined || types.includes(r.record.type)) &&
    inPeriod
  );
}

describe('evaluate: properties', () => {
  it('does not depend on the order of consents', () => {
    const arb = reqArb.chain((r) =>
      fc.tuple(fc.constant(r), fc.shuffledSubarray([...r.consents], { minLength: r.consents.length })),
    );
    fc.assert(
      fc.property(arb, ([r, shuffled]) => {
        assert.deepEqual(evaluate({ ...r, consents: shuffled }), evaluate(r));
      }),
    );
  });
  it('an unrelated consent (other patient or other grantee) never changes the decision', () => {
    const unrelate = fc.constantFrom<(c: ConsentGrant) => ConsentGrant>(
      (c) => ({ ...c, patient: 'p-other' }),
      (c) => ({ ...c, grantee: { kind: 'practitioner', keyId: 'k-other' } }),
      (c) => ({ ...c, grantee: { kind: 'organization', orgId: 'o-other' } }),
    );
    fc.assert(
      fc.property(reqArb, grantArb, unrelate, fc.nat(), (r, c, f, at) => {
        const consents = [...r.consents];
        consents.splice(at % (consents.length + 1), 0, f(c));
        assert.deepEqual(evaluate({ ...r, consents }), evaluate(r));
      }),
    );
  });
  it('revoked or expired consents never allow anything more than none', () => {
    const kill = (r: AccessRequest, c: ConsentGrant, i: number): ConsentGrant =>
      i % 2 === 0 ? { ...c, revokedAt: r.now - (i % 3) } : { ...c, validTo: r.now - (i % 3) };
    const gist = (d: Decision) => (d.allow ? `${d.basis}:${String(d.breakGlass)}` : 'deny');
    fc.assert(
      fc.property(reqArb, (r) => {
        const dead = r.consents.map((c, i) => kill(r, c, i));
        const d = evaluate({ ...r, consents: dead });
        assert.notEqual(d.allow && d.basis, 'consent');
        assert.equal(gist(d), gist(evaluate({ ...r, consents: [] })));
      }),
    );
  });
  it('an allow under consent names the smallest-id consent that matches', () => {
    let seen = 0;
    fc.assert(
      fc.property(reqArb, (r) => {
        const d = evaluate(r);
        if (!d.allow || d.basis !== 'consent') return;
        seen++;
        const ids = r.consents.filter((c) => refMatches(c, r)).map((c) => c.id);
        assert.ok(ids.includes(d.consentId!), `${String(d.consentId)} not in ${ids.join()}`);
        assert.equal(d.consentId, ids.sort()[0]);
      }),
      { numRuns: 2000 },
    );
    assert.ok(seen > 20, `only ${String(seen)} consent allows generated`);
  });
  it('never throws on well-typed input, even with NaN and infinite times', () => {
    const wild = fc.oneof(fc.double(), fc.constantFrom(NaN, Infinity, -Infinity));
    const arb = fc.tuple(reqArb, wild, wild).map(([r, now, t]) => ({
      ...r,
      now,
      consents: r.consents.map((c) => ({ ...c, validTo: t })),
      breakGlass: { reason: '\u00a0'.repeat(12) },
    }));
    fc.assert(
      fc.property(arb, (r) => {
        const d = evaluate(r);
        assert.equal(typeof d.allow, 'boolean');
        if (Number.isNaN(r.now)) assert.ok(!d.allow || d.basis !== 'consent');
      }),
    );
  });
});
