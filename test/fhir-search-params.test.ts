/**
 * @module
 * The pure parts of the FHIR API: date and token search semantics against the examples of
 * http://hl7.org/fhir/R4/search.html#prefix and #token, with properties (fast-check) for what the
 * examples cannot cover; and the Consent mapping, whose FHIR form must give back the same ledger
 * grant (http://hl7.org/fhir/R4/consent.html).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { validateResource } from '@medplum/core';
import { PURPOSES } from '../src/core/consent.ts';
import { FhirValidationError } from '../src/core/errors.ts';
import { ensureR4Definitions } from '../src/fhir/definitions.ts';
import { RECORD_TYPES } from '../src/fhir/validate.ts';
import type { ConsentEntry } from '../src/state-machine/medical-state.ts';
import { consentResource, grantOf } from '../src/api/fhir/fhir-consent-map.ts';
import {
  dateMatches,
  dateRange,
  matchesDate,
  parseDateParam,
  parseToken,
  splitOr,
  tokenMatches,
} from '../src/api/fhir/fhir-search-params.ts';
import type { DatePrefix, DateRange } from '../src/api/fhir/fhir-search-params.ts';

const at = (s: string): number => Date.parse(s);
const range = (s: string): DateRange => dateRange(s)!;
const holds = (target: string, param: string): boolean =>
  matchesDate(range(target), parseDateParam('date', param));
const span = (from: string, to: string): DateRange => ({ low: range(from).low, high: range(to).high });

describe('dateRange', () => {
  it('rejects what is not a FHIR date', () => {
    for (const s of [
      '',
      'abc',
      '2013-13',
      '2013-02-29',
      '2013-01-14T25:00',
      '2013-01-14T10:00+15:00',
      '13-01-14',
    ])
      assert.equal(dateRange(s), undefined, s);
  });

  it('gives the range a precision implies', () => {
    assert.deepEqual(range('2013'), { low: at('2013-01-01T00:00:00Z'), high: at('2014-01-01T00:00:00Z') });
    assert.deepEqual(range('2012-02'), { low: at('2012-02-01T00:00:00Z'), high: at('2012-03-01T00:00:00Z') });
    assert.deepEqual(range('2012-02-29'), {
      low: at('2012-02-29T00:00:00Z'),
      high: at('2012-03-01T00:00:00Z'),
    });
    assert.deepEqual(range('2013-01-14T10:00'), {
      low: at('2013-01-14T10:00:00Z'),
      high: at('2013-01-14T10:01:00Z'),
    });
    const s = range('2013-01-14T10:00:00+05:00');
    assert.deepEqual(s, { low: at('2013-01-14T05:00:00Z'), high: at('2013-01-14T05:00:01Z') });
    assert.equal(range('2013-01-14T10:00:00.123Z').high - range('2013-01-14T10:00:00.123Z').low, 1);
  });

  it('starts where Date.parse puts a full instant (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }),
        (d) => {
          const s = d.toISOString();
          const r = range(s);
          assert.equal(r.low, d.getTime());
          assert.equal(r.high, r.low + 1);
          for (const cut of [4, 7, 10]) {
            const coarse = range(s.slice(0, cut));
            assert.ok(coarse.low <= r.low && r.high <= coarse.high, s.slice(0, cut));
          }
        },
      ),
    );
  });
});

describe('date prefixes (search.html#prefix)', () => {
  it('refuses a malformed value', () => {
    for (const v of ['ge', 'xx2013', 'ge2013-1', 'eq 2013'])
      assert.throws(() => parseDateParam('date', v), { code: 'ML_ERR_ARG_VALUE' });
  });

  it('matches the examples of the specification', () => {
    assert.ok(holds('2013-01-14T00:00', 'eq2013-01-14'));
    assert.ok(holds('2013-01-14T10:00', '2013-01-14'));
    assert.ok(!holds('2013-01-15T00:00', 'eq2013-01-14'));
    assert.ok(holds('2013-01-15T00:00', 'ne2013-01-14'));
    assert.ok(!holds('2013-01-14T10:00', 'ne2013-01-14'));
    // "lt2013-01-14T10:00 includes 2013-01-14, because it includes the part of 14-Jan before 10am" (and gt after).
    assert.ok(holds('2013-01-14', 'lt2013-01-14T10:00'));
    assert.ok(holds('2013-01-14', 'gt2013-01-14T10:00'));
    const p = (prefix: DatePrefix) => ({ prefix, range: range('2013-03-14') });
    const wide = span('2012-09-21', '2013-06-15');
    assert.ok(matchesDate(wide, p('ge')) && matchesDate(wide, p('le')));
    assert.ok(matchesDate(span('2013-03-15', '2013-09-21'), p('sa')) && !matchesDate(wide, p('sa')));
    assert.ok(matchesDate(span('2012-09-21', '2012-12-21'), p('eb')) && !matchesDate(wide, p('eb')));
  });

  it('puts a precise time in exactly one of lt, eq, gt of a day (property)', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
        (t, d) => {
          const target = range(t.toISOString().slice(0, 19) + 'Z');
          const day = d.toISOString().slice(0, 10);
          const is = (prefix: string): boolean => matchesDate(target, parseDateParam('d', prefix + day));
          const lt = is('lt');
          const eq = is('eq');
          const gt = is('gt');
          assert.equal([lt, eq, gt].filter(Boolean).length, 1);
          assert.equal(is('ne'), !eq);
          assert.equal(is('ge'), eq || gt);
          assert.equal(is('le'), eq || lt);
        },
      ),
    );
  });

  it('ANDs repeated parameters and ORs a comma list; a record without a date never matches', () => {
    const ge = [parseDateParam('date', 'ge2013')];
    const lt = [parseDateParam('date', 'lt2014')];
    assert.ok(dateMatches('2013-05-01', [ge, lt]));
    assert.ok(!dateMatches('2014-05-01', [ge, lt]));
    const either = splitOr('2012,2014').map((v) => parseDateParam('date', v));
    assert.ok(dateMatches('2014-05-01', [either]) && !dateMatches('2013-05-01', [either]));
    assert.ok(!dateMatches(undefined, [ge]));
    assert.ok(dateMatches(undefined, []));
  });
});

describe('tokens (search.html#token)', () => {
  const loinc = { system: 'http://loinc.org', code: '8867-4' };
  const bare = { code: '123' };
  const match = (v: string, codes: object[]): boolean =>
    tokenMatches(codes, [splitOr(v).map((t) => parseToken('code', t))]);

  it('refuses an empty token', () => {
    assert.throws(() => parseToken('code', ''), { code: 'ML_ERR_ARG_VALUE' });
    assert.throws(() => parseToken('code', '|'), { code: 'ML_ERR_ARG_VALUE' });
  });

  it('matches system|code, code, |code and system|', () => {
    assert.ok(match('http://loinc.org|8867-4', [loinc]));
    assert.ok(!match('http://snomed.info/sct|8867-4', [loinc]));
    assert.ok(match('8867-4', [loinc]));
    assert.ok(!match('|8867-4', [loinc]) && match('|123', [bare]));
    assert.ok(match('http://loinc.org|', [loinc]) && !match('http://loinc.org|', [bare]));
    assert.ok(match('999,123', [bare]), 'a comma is OR');
    assert.deepEqual(splitOr('a\\,b,c'), ['a,b', 'c']);
  });
});

describe('Consent mapping', () => {
  const DAY = 86_400_000;
  const entry = (c: Partial<ConsentEntry>): ConsentEntry => ({
    id: 'a'.repeat(64),
    tx: 'a'.repeat(64),
    height: 3,
    patient: 'b'.repeat(64),
    grantee: { kind: 'organization', orgId: 'riverside' },
    scope: {},
    purpose: 'treatment',
    validFrom: at('2025-01-01T00:00:00Z'),
    validTo: at('2026-01-01T00:00:00Z'),
    grantedAt: at('2025-01-01T00:00:00Z'),
    ...c,
  });

  it('refuses a Consent that fails FHIR validation, naming the path', () => {
    const c = consentResource(entry({}), at('2025-06-01T00:00:00Z'), 'p1');
    assert.throws(
      () => grantOf({ ...c, status: 'not-a-code', scope: undefined }),
      (e: unknown) =>
        e instanceof FhirValidationError &&
        e.outcome.issue.some((i) => i.expression?.includes('Consent.scope')),
    );
  });

  it('shows a grant as a valid FHIR Consent that maps back to the same grant (property)', () => {
    ensureR4Definitions();
    const arb = fc.record({
      grantee: fc.oneof(
        fc.constantFrom('st-marys', 'riverside').map((orgId) => ({ kind: 'organization' as const, orgId })),
        fc
          .string({
            unit: fc.constantFrom(
              '0',
              '1',
              '2',
              '3',
              '4',
              '5',
              '6',
              '7',
              '8',
              '9',
              'a',
              'b',
              'c',
              'd',
              'e',
              'f',
            ),
            minLength: 64,
            maxLength: 64,
          })
          .map((keyId) => ({ kind: 'practitioner' as const, keyId })),
      ),
      purpose: fc.constantFrom(...PURPOSES),
      types: fc.option(fc.uniqueArray(fc.constantFrom(...RECORD_TYPES), { minLength: 1, maxLength: 4 }), {
        nil: undefined,
      }),
      from: fc.integer({ min: at('2000-01-01'), max: at('2030-01-01') }),
      days: fc.integer({ min: 1, max: 3650 }),
      data: fc.option(
        fc.record({
          start: fc.integer({ min: 0, max: at('2030-01-01') }),
          len: fc.integer({ min: 1, max: 1e12 }),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(arb, (g) => {
        const e = entry({
          grantee: g.grantee,
          purpose: g.purpose,
          scope: {
            ...(g.types ? { types: g.types } : {}),
            ...(g.data ? { period: { start: g.data.start, end: g.data.start + g.data.len } } : {}),
          },
          validFrom: g.from,
          validTo: g.from + g.days * DAY,
        });
        const fhir = consentResource(e, g.from, 'p1');
        validateResource(fhir);
        assert.equal(fhir.status, 'active');
        const back = grantOf(fhir);
        assert.equal(back.patient, 'p1');
        assert.deepEqual(back.grant, {
          grantee: e.grantee,
          purpose: e.purpose,
          ...(e.scope.types ? { types: e.scope.types } : {}),
          ...(e.scope.period ? { period: e.scope.period } : {}),
          validFrom: e.validFrom,
          validTo: e.validTo,
        });
      }),
      { numRuns: 60 },
    );
  });

  it('shows a revoked or expired grant as inactive', () => {
    const now = at('2025-06-01T00:00:00Z');
    assert.equal(
      consentResource(entry({ revokedAt: now - 1, revokedBy: 'c'.repeat(64) }), now).status,
      'inactive',
    );
    assert.equal(consentResource(entry({ validTo: now }), now).status, 'inactive');
    assert.equal(consentResource(entry({}), now).patient?.identifier?.value, 'b'.repeat(64));
  });
});
