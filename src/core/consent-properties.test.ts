/** @module Properties of the consent decision (consent.ts `evaluate`) over random requests and grants. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { PURPOSES, evaluate } from './consent.ts';
import type { AccessRequest, ConsentGrant, Decision, Purpose, Role } from './consent.ts';

const REASON = 'unconscious, no ID, ER bay 3';

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
