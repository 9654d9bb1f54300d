import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isResourceType } from '@medplum/core';
import fc from 'fast-check';
import { FhirValidationError, MedLedgerError } from '../core/errors.ts';
import type { OperationOutcomeLike } from '../core/errors.ts';
import { ensureR4Definitions } from './definitions.ts';
import { loadSynthea, MINIMAL, minimal } from './fixtures.test-util.ts';
import { MAX_DEPTH, RECORD_TYPES, validateRecord } from './validate.ts';

/** The outcome validateRecord throws for `input`; fails the test if it does not throw one. */
function outcomeOf(input: unknown): OperationOutcomeLike {
  try {
    validateRecord(input);
  } catch (e) {
    assert.ok(e instanceof FhirValidationError, `want FhirValidationError, got ${String(e)}`);
    assert.equal(e.code, 'ML_ERR_FHIR_INVALID');
    assert.equal(e.status, 422);
    assert.equal(e.outcome.resourceType, 'OperationOutcome');
    return e.outcome;
  }
  assert.fail(`accepted ${JSON.stringify(input).slice(0, 200)}`);
}

function errorPaths(o: OperationOutcomeLike): string[] {
  return o.issue.filter((i) => i.severity === 'error').flatMap((i) => i.expression ?? []);
}

describe('validateRecord', () => {
  it('rejects a non-object', () => {
    for (const v of [null, undefined, 'Patient', 42, true, [], [{ resourceType: 'Patient' }]]) {
      const o = outcomeOf(v);
      assert.deepEqual(errorPaths(o), ['Resource']);
      assert.equal(o.issue[0]!.code, 'structure');
    }
  });

  it('rejects a missing or non-string resourceType', () => {
    for (const v of [{}, { resourceType: 7 }, { id: 'x' }]) {
      assert.deepEqual(errorPaths(outcomeOf(v)), ['Resource.resourceType']);
    }
  });

  it('rejects an unknown resourceType', () => {
    for (const t of ['Foo', 'patient', 'Resource', 'DomainResource', '']) {
      const o = outcomeOf({ resourceType: t });
      assert.deepEqual(errorPaths(o), ['Resource.resourceType']);
      assert.equal(o.issue[0]!.code, 'value');
    }
  });

  it('rejects a real FHIR type that is not a record type, as not-supported', () => {
    for (const t of ['Bundle', 'Account', 'OperationOutcome', 'StructureDefinition']) {
      const o = outcomeOf({ resourceType: t });
      assert.equal(o.issue[0]!.code, 'not-supported');
      assert.deepEqual(errorPaths(o), [t]);
    }
  });

  it('rejects an Observation without code, naming Observation.code', () => {
    const o = outcomeOf({ resourceType: 'Observation', status: 'final' });
    assert.deepEqual(errorPaths(o), ['Observation.code']);
  });

  it('rejects an Observation without status, naming Observation.status', () => {
    assert.deepEqual(errorPaths(outcomeOf({ resourceType: 'Observation', code: { text: 'x' } })), [
      'Observation.status',
    ]);
  });

  it('rejects a wrongly typed Patient.birthDate', () => {
    assert.deepEqual(errorPaths(outcomeOf({ resourceType: 'Patient', birthDate: 19900101 })), [
      'Patient.birthDate',
    ]);
    assert.deepEqual(errorPaths(outcomeOf({ resourceType: 'Patient', birthDate: '1990-13-45' })), [
      'Patient.birthDate',
    ]);
  });

  it('rejects a dateTime with a time but no seconds or zone', () => {
    const r = { ...minimal('Observation'), effectiveDateTime: '2019-01-01T10:00' };
    assert.deepEqual(errorPaths(outcomeOf(r)), ['Observation.effective[x]']);
  });

  it('rejects an unknown property', () => {
    assert.deepEqual(errorPaths(outcomeOf({ resourceType: 'Patient', foo: 1 })), ['Patient.foo']);
  });

  it('rejects an invalid contained resource at its path', () => {
    const r = { ...minimal('Observation'), contained: [{ resourceType: 'Patient', id: 'p', birthDate: 3 }] };
    assert.deepEqual(errorPaths(outcomeOf(r)), ['Observation.contained[0].birthDate']);
  });

  it('rejects an id outside the R4 id type', () => {
    for (const id of ['bad id', 'a/b', '', 'x'.repeat(65), 'é', 12]) {
      assert.deepEqual(errorPaths(outcomeOf({ resourceType: 'Patient', id })), ['Patient.id'], String(id));
    }
    const c = { ...minimal('Observation'), contained: [{ resourceType: 'Patient', id: 'no way' }] };
    assert.deepEqual(errorPaths(outcomeOf(c)), ['Observation.contained[0].id']);
  });

  it('rejects a __proto__ member, which Medplum alone lets through', () => {
    const r = JSON.parse('{"resourceType":"Patient","name":[{"__proto__":{"family":"x"}}]}') as unknown;
    const o = outcomeOf(r);
    assert.deepEqual(errorPaths(o), ['Patient.name[0].__proto__']);
  });

  it('rejects nesting past MAX_DEPTH without overflowing the stack', () => {
    let ext: Record<string, unknown> = { url: 'http://e', valueString: 'x' };
    for (let i = 0; i < 100_000; i++) ext = { url: 'http://e', extension: [ext] };
    const o = outcomeOf({ resourceType: 'Patient', extension: [ext] });
    assert.equal(o.issue[0]!.code, 'too-costly');
    const path = errorPaths(o)[0]!;
    assert.ok(path.startsWith('Patient.extension[0].extension[0]'), path);
    // Depth counts objects and arrays: the path stops where depth reached MAX_DEPTH.
    assert.equal(path.split('.').length + path.split('[').length - 2, MAX_DEPTH);
  });

  it('accepts the minimal example of every record type and returns it unchanged', () => {
    for (const type of RECORD_TYPES) {
      const r = minimal(type);
      assert.equal(validateRecord(r), r, type);
    }
  });

  it('requires every element of each minimal example (they are minimal, and cardinality is checked)', () => {
    for (const type of RECORD_TYPES) {
      for (const key of Object.keys(MINIMAL[type])) {
        if (key === 'resourceType') continue;
        const { [key]: _removed, ...r } = minimal(type);
        const o = outcomeOf(r);
        // A missing 1..1 element is reported at its path (choice types as `effective[x]`); one required
        // by an invariant (ait-1) is reported on the resource, the invariant's text naming the element.
        const element = `${type}.${key.replace(/(DateTime|CodeableConcept)$/, '')}`;
        const named = o.issue.some(
          (i) =>
            i.expression?.some((p) => p.startsWith(element)) === true || i.details?.text?.includes(element),
        );
        assert.ok(named, `${type} without ${key}: ${JSON.stringify(o.issue)}`);
      }
    }
  });

  it('accepts urn:uuid references (warnings are not failures)', () => {
    validateRecord({
      ...minimal('Observation'),
      subject: { reference: 'urn:uuid:7f01c91e-c9a8-453b-aba3-7ebb55556199' },
    });
  });

  it('throws nothing but FhirValidationError on arbitrary input', () => {
    const typed = fc.record({
      resourceType: fc.constantFrom(...RECORD_TYPES),
      id: fc.option(fc.string(), { nil: undefined }),
      status: fc.option(fc.string(), { nil: undefined }),
      code: fc.option(fc.jsonValue(), { nil: undefined }),
      subject: fc.option(fc.jsonValue(), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), typed), (v) => {
        try {
          validateRecord(v);
        } catch (e) {
          if (!(e instanceof FhirValidationError)) throw e;
          assert.ok(e instanceof MedLedgerError);
          assert.ok(e.outcome.issue.length > 0);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('RECORD_TYPES', () => {
  it('are all R4 resource types', () => {
    ensureR4Definitions();
    for (const t of RECORD_TYPES) assert.ok(isResourceType(t), t);
    assert.equal(new Set(RECORD_TYPES).size, RECORD_TYPES.length);
  });

  it('cover every resource type of the Synthea samples', (t) => {
    const bundles = loadSynthea();
    assert.equal(bundles.length, 5);
    const counts = new Map<string, number>();
    for (const { bundle } of bundles) {
      for (const e of bundle.entry as { resource: { resourceType: string } }[]) {
        counts.set(e.resource.resourceType, (counts.get(e.resource.resourceType) ?? 0) + 1);
      }
    }
    t.diagnostic(`resource types: ${[...counts].map(([k, v]) => `${k} ${String(v)}`).join(', ')}`);
    for (const type of counts.keys()) assert.ok((RECORD_TYPES as readonly string[]).includes(type), type);
  });
});
