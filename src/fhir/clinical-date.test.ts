import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { getDataType } from '@medplum/core';
import { clinicalDate, CODE_PATHS, codesOf, DATE_PATHS } from './clinical-date.ts';
import { ensureR4Definitions } from './definitions.ts';
import { RECORD_TYPES } from './validate.ts';

/**
 * The R4 type codes an element path leads to, per the StructureDefinitions (choice types spelt out as
 * `effectivePeriod`); empty when the path does not exist.
 */
function typesAt(resourceType: string, path: string): string[] {
  let types = [resourceType];
  for (const name of path.split('.')) {
    const next: string[] = [];
    for (const t of types) {
      const elements = getDataType(t).elements;
      const direct = elements[name];
      if (direct !== undefined) next.push(...direct.type.map((x) => x.code));
      for (const [key, el] of Object.entries(elements)) {
        if (!key.endsWith('[x]')) continue;
        const stem = key.slice(0, -3);
        for (const x of el.type)
          if (name === stem + x.code[0]!.toUpperCase() + x.code.slice(1)) next.push(x.code);
      }
    }
    types = next;
  }
  return types;
}

// Plain records, so tests can pass malformed resources the FHIR types would refuse.
const date = (r: Record<string, unknown>): string | undefined => clinicalDate(r);
const codes = (r: Record<string, unknown>): ReturnType<typeof codesOf> => codesOf(r);

describe('DATE_PATHS and CODE_PATHS', () => {
  it('name real R4 elements of the right types', () => {
    ensureR4Definitions();
    for (const type of RECORD_TYPES) {
      for (const path of DATE_PATHS[type]) {
        const types = typesAt(type, path);
        assert.ok(types.length > 0, `${type}.${path} does not exist`);
        for (const t of types)
          assert.ok(['date', 'dateTime', 'instant'].includes(t), `${type}.${path}: ${t}`);
      }
      for (const path of CODE_PATHS[type]) {
        const types = typesAt(type, path);
        assert.ok(types.length > 0, `${type}.${path} does not exist`);
        for (const t of types) assert.ok(['CodeableConcept', 'Coding'].includes(t), `${type}.${path}: ${t}`);
      }
    }
  });

  it('fail the check on a made-up or mistyped path', () => {
    ensureR4Definitions();
    assert.deepEqual(typesAt('Observation', 'effectiveDate'), []);
    assert.deepEqual(typesAt('Observation', 'status'), ['code']);
    assert.deepEqual(typesAt('Procedure', 'performedPeriod.start'), ['dateTime']);
  });
});

describe('clinicalDate', () => {
  it('is undefined without a date, for non-records and for non-strings', () => {
    assert.equal(date({ resourceType: 'Organization', date: '2019-01-01' }), undefined);
    assert.equal(date({ resourceType: 'Observation' }), undefined);
    assert.equal(date({ resourceType: 'Observation', effectiveDateTime: 20190101 }), undefined);
    assert.equal(date({ resourceType: 'Observation', effectiveDateTime: '' }), undefined);
    assert.equal(date({ resourceType: 'Foo', effectiveDateTime: '2019' }), undefined);
    assert.equal(date({ resourceType: 'constructor' }), undefined);
  });

  it('prefers when it happened over when it was written down', () => {
    const c = { resourceType: 'Condition', onsetDateTime: '2010-03-01', recordedDate: '2012-01-01' };
    assert.equal(clinicalDate(c), '2010-03-01');
    assert.equal(date({ ...c, onsetDateTime: undefined }), '2012-01-01');
    const o = {
      resourceType: 'Observation',
      effectiveDateTime: '2019-05-01T10:00:00Z',
      issued: '2019-05-02T00:00:00Z',
    };
    assert.equal(clinicalDate(o), '2019-05-01T10:00:00Z');
    assert.equal(
      date({ resourceType: 'Observation', issued: '2019-05-02T00:00:00Z' }),
      '2019-05-02T00:00:00Z',
    );
  });

  it('reads choice types and periods', () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ resourceType: 'Patient', birthDate: '1956-08-03' }, '1956-08-03'],
      [
        { resourceType: 'Procedure', performedPeriod: { start: '2011-01-01T00:00:00Z' } },
        '2011-01-01T00:00:00Z',
      ],
      [{ resourceType: 'Procedure', performedDateTime: '2011-01-02' }, '2011-01-02'],
      [
        { resourceType: 'Encounter', period: { start: '2012-02-02T10:00:00+01:00' } },
        '2012-02-02T10:00:00+01:00',
      ],
      [{ resourceType: 'MedicationRequest', authoredOn: '2013-03-03' }, '2013-03-03'],
      [{ resourceType: 'Immunization', occurrenceDateTime: '2014-04-04' }, '2014-04-04'],
      [{ resourceType: 'DocumentReference', date: '2015-05-05T00:00:00Z' }, '2015-05-05T00:00:00Z'],
      [{ resourceType: 'Claim', billablePeriod: { start: '2016-06' }, created: '2016-07-01' }, '2016-06'],
      [
        { resourceType: 'Observation', effectiveTiming: { event: ['2017-07-07', '2017-08-08'] } },
        '2017-07-07',
      ],
      [
        { resourceType: 'MedicationStatement', effectivePeriod: { end: '2018' }, dateAsserted: '2018-09-09' },
        '2018-09-09',
      ],
      [{ resourceType: 'Specimen', collection: { collectedDateTime: '2019' } }, '2019'],
    ];
    for (const [r, want] of cases) assert.equal(clinicalDate(r), want, JSON.stringify(r));
  });
});

describe('codesOf', () => {
  it('is empty without codes, for non-records and for malformed codings', () => {
    assert.deepEqual(codes({ resourceType: 'Patient', code: { coding: [{ code: 'x' }] } }), []);
    assert.deepEqual(codes({ resourceType: 'Observation' }), []);
    assert.deepEqual(
      codes({ resourceType: 'Observation', code: { coding: [{ system: 's' }, 7, null] } }),
      [],
    );
    assert.deepEqual(codes({ resourceType: 'Observation', code: 'abc' }), []);
    assert.deepEqual(codes({ resourceType: 'hasOwnProperty' }), []);
  });

  it('returns every coding of the main concept', () => {
    const code = {
      coding: [
        { system: 'http://loinc.org', code: '8302-2', display: 'Body Height' },
        { system: 'http://snomed.info/sct', code: '50373000' },
      ],
      text: 'Body Height',
    };
    assert.deepEqual(codes({ resourceType: 'Observation', code }), [
      { system: 'http://loinc.org', code: '8302-2', display: 'Body Height' },
      { system: 'http://snomed.info/sct', code: '50373000' },
    ]);
  });

  it('reads the type-specific element', () => {
    const cvx = { coding: [{ system: 'http://hl7.org/fhir/sid/cvx', code: '140' }] };
    assert.deepEqual(codes({ resourceType: 'Immunization', vaccineCode: cvx }), [cvx.coding[0]]);
    const rx = { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314076' }] };
    assert.deepEqual(codes({ resourceType: 'MedicationRequest', medicationCodeableConcept: rx }), [
      rx.coding[0],
    ]);
    const enc = { coding: [{ system: 'http://snomed.info/sct', code: '185349003' }] };
    assert.deepEqual(codes({ resourceType: 'Encounter', type: [enc, enc] }), [enc.coding[0], enc.coding[0]]);
  });

  it('falls back to the concept text, then to the next element', () => {
    assert.deepEqual(codes({ resourceType: 'Goal', description: { text: 'Lose weight' } }), [
      { display: 'Lose weight' },
    ]);
    const cls = { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' };
    assert.deepEqual(codes({ resourceType: 'Encounter', class: cls }), [cls]);
    const modality = {
      system: 'http://dicom.nema.org/resources/ontology/DCM',
      code: 'DX',
      display: 'Digital Radiography',
    };
    assert.deepEqual(codes({ resourceType: 'ImagingStudy', series: [{ modality }] }), [modality]);
  });
});
