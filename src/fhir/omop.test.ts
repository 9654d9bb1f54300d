import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { ArgumentTypeError, ArgumentValueError } from '../core/errors.ts';
import { dateShiftDays } from './omop-deid.ts';
import { AS_OF, base64, export1, fixture, KEY, plusDays, SECRET } from './omop-fixture.test-util.ts';
import { OMOP_COLUMNS } from './omop-tables.ts';
import type { TableName } from './omop-tables.ts';
import { OmopBuilder, toOmop } from './omop.ts';

describe('toOmop input checks', () => {
  const resources = fixture();
  it('rejects a missing or short secret', () => {
    assert.throws(() => toOmop({ patients: [], secret: 'x' as unknown as Uint8Array }), ArgumentTypeError);
    assert.throws(() => toOmop({ patients: [], secret: new Uint8Array(15) }), ArgumentValueError);
  });
  it('rejects malformed patients', () => {
    const bad = [
      { patients: 'nope' },
      { patients: [{ key: '', resources }] },
      { patients: [{ key: 7, resources }] },
      { patients: [{ key: 'a', resources: {} }] },
    ];
    for (const b of bad) {
      assert.throws(
        () => toOmop({ ...b, secret: SECRET } as never),
        ArgumentTypeError,
        JSON.stringify(b).slice(0, 40),
      );
    }
  });
  it('rejects a duplicate patient key', () => {
    const patients = [
      { key: KEY, resources },
      { key: KEY, resources },
    ];
    assert.throws(() => toOmop({ patients, secret: SECRET }), ArgumentValueError);
  });
  it('rejects a non-finite asOf', () => {
    assert.throws(() => toOmop({ patients: [], secret: SECRET, asOf: NaN }), ArgumentValueError);
  });
});

describe('toOmop tables', () => {
  const t = export1();

  it('gives every row exactly the v5.4 columns, in DDL order', () => {
    for (const table of Object.keys(OMOP_COLUMNS) as TableName[]) {
      assert.ok(t[table].length > 0, `${table} is empty`);
      for (const row of t[table]) assert.deepEqual(Object.keys(row), OMOP_COLUMNS[table], table);
    }
  });

  it('maps the patient to a person with a shifted birth date', () => {
    assert.deepEqual(t.person, [
      {
        person_id: 1,
        gender_concept_id: 8532,
        year_of_birth: 1961,
        month_of_birth: 3,
        day_of_birth: 19,
        birth_datetime: '1961-03-19 00:00:00', // 1961-04-12 − 24 days
        race_concept_id: 0,
        ethnicity_concept_id: 0,
        location_id: null,
        provider_id: null,
        care_site_id: null,
        person_source_value: '26ebe0cc38c8a679',
        gender_source_value: 'female',
        gender_source_concept_id: 0,
        race_source_value: null,
        race_source_concept_id: 0,
        ethnicity_source_value: null,
        ethnicity_source_concept_id: 0,
      },
    ]);
  });

  it('maps encounter classes AMB/EMER/IMP to 9202/9203/9201', () => {
    const v = t.visit_occurrence;
    assert.deepEqual(
      v.map((r) => [
        r.visit_occurrence_id,
        r.visit_concept_id,
        r.visit_source_value,
        r.visit_type_concept_id,
      ]),
      [
        [1, 9202, 'v3-ActCode|AMB', 32817],
        [2, 9203, 'v3-ActCode|EMER', 32817],
        [3, 9201, 'v3-ActCode|IMP', 32817],
      ],
    );
    assert.deepEqual(
      v.map((r) => [r.visit_start_date, r.visit_start_datetime, r.visit_end_date, r.visit_end_datetime]),
      [
        ['2024-02-10', '2024-02-10 09:30:00', '2024-02-10', '2024-02-10 10:15:00'],
        ['2023-12-09', '2023-12-09 22:10:00', '2023-12-09', '2023-12-09 22:10:00'], // no end: the start
        ['2023-12-06', null, '2023-12-11', null],
      ],
    );
  });

  it('maps the condition with its SNOMED code and visit', () => {
    const [c, ...more] = t.condition_occurrence;
    assert.equal(more.length, 0);
    assert.equal(c!.condition_concept_id, 0);
    assert.equal(c!.condition_source_value, 'SNOMED|38341003');
    assert.equal(c!.condition_type_concept_id, 32817);
    assert.equal(c!.condition_start_date, '2023-10-27'); // 2023-11-20 − 24
    assert.equal(c!.condition_end_date, null);
    assert.equal(c!.visit_occurrence_id, 1);
    assert.equal(c!.condition_status_source_value, 'condition-clinical|active');
  });

  it('maps medication statement and request to drug exposures', () => {
    const [st, rq] = t.drug_exposure;
    assert.equal(t.drug_exposure.length, 2);
    assert.deepEqual(
      [
        st!.drug_source_value,
        st!.drug_exposure_start_date,
        st!.drug_exposure_end_date,
        st!.verbatim_end_date,
      ],
      ['RxNorm|197361', '2024-02-10', '2024-05-12', '2024-05-12'],
    );
    // Contained Medication; end = start + days_supply − 1 (2024 is a leap year).
    assert.deepEqual(
      [rq!.drug_source_value, rq!.drug_exposure_start_datetime, rq!.drug_exposure_end_date],
      ['RxNorm|860975', '2024-02-10 10:05:00', '2024-03-10'],
    );
    assert.deepEqual([rq!.quantity, rq!.days_supply, rq!.refills, rq!.visit_occurrence_id], [60, 30, 2, 1]);
    assert.ok(t.drug_exposure.every((r) => r.drug_type_concept_id === 32817 && r.drug_concept_id === 0));
  });

  it('maps numeric observations and blood-pressure components to measurements', () => {
    assert.deepEqual(
      t.measurement.map((m) => [
        m.measurement_id,
        m.measurement_source_value,
        m.value_as_number,
        m.unit_source_value,
      ]),
      [
        [1, 'LOINC|4548-4', 6.8, '%'],
        [2, 'LOINC|8480-6', 142, 'mm[Hg]'],
        [3, 'LOINC|8462-4', 91, 'mm[Hg]'],
      ],
    );
    const [a1c] = t.measurement;
    assert.deepEqual(
      [
        a1c!.measurement_date,
        a1c!.measurement_datetime,
        a1c!.measurement_time,
        a1c!.range_low,
        a1c!.range_high,
      ],
      ['2024-02-10', '2024-02-10 09:45:00', '09:45:00', 4, 5.6],
    );
    assert.ok(
      t.measurement.every((m) => m.measurement_type_concept_id === 32817 && m.operator_concept_id === null),
    );
  });

  it('maps the text/plain document to a redacted note', () => {
    const [n, ...more] = t.note;
    assert.equal(more.length, 0);
    assert.deepEqual(
      [
        n!.note_date,
        n!.note_datetime,
        n!.note_type_concept_id,
        n!.encoding_concept_id,
        n!.language_concept_id,
      ],
      ['2024-02-10', '2024-02-10 10:20:00', 32817, 32678, 4180186],
    );
    assert.equal(n!.note_source_value, 'LOINC|11506-3');
    assert.equal(n!.visit_occurrence_id, 1);
    assert.equal(n!.note_title, 'Visit note — [REDACTED] [REDACTED]');
    assert.equal(
      n!.note_text,
      'Progress note for [REDACTED] [REDACTED] ([REDACTED]), DOB [REDACTED], SSN [REDACTED].\n' +
        'Lives at [REDACTED], [REDACTED], [REDACTED] [REDACTED]. Phone [REDACTED], e-mail [REDACTED]. ' +
        'Husband [REDACTED] [REDACTED]: [REDACTED].\n' +
        'Seen [REDACTED] for hypertension; BP 142/91. Ms. [REDACTED] reports good adherence to amlodipine. ' +
        'Follow-up on [REDACTED]. Account [REDACTED]. Chart [REDACTED], ref [REDACTED].',
    );
  });

  it('is deterministic, with sequential ids from 1', () => {
    assert.deepEqual(export1(), t);
    for (const [table, rows] of Object.entries(t) as [TableName, readonly Record<string, unknown>[]][]) {
      const idColumn = OMOP_COLUMNS[table][0]!;
      assert.deepEqual(
        rows.map((r) => r[idColumn]),
        rows.map((_, i) => i + 1),
        table,
      );
    }
  });
});

describe('toOmop edge cases', () => {
  const subject = { reference: 'Patient/p' };
  const code = { coding: [{ system: 'http://snomed.info/sct', code: '1' }] };
  it('drops rows without their required date, refuted or erroneous entries and non-numeric values', () => {
    const resources: Resource[] = [
      { resourceType: 'Patient', id: 'p' },
      { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { code: 'AMB' } }, // no period
      { resourceType: 'Condition', subject, code }, // no date
      { resourceType: 'Condition', subject, code, onsetDateTime: '2020-13-01' }, // malformed date
      {
        resourceType: 'Condition',
        subject,
        code,
        onsetDateTime: '2020-01-01',
        verificationStatus: { coding: [{ code: 'refuted' }] },
      },
      {
        resourceType: 'Observation',
        status: 'entered-in-error',
        code,
        valueQuantity: { value: 1 },
        effectiveDateTime: '2020',
      },
      {
        resourceType: 'Observation',
        status: 'final',
        code,
        valueString: 'positive',
        effectiveDateTime: '2020',
      },
      {
        resourceType: 'Condition',
        subject,
        code,
        onsetDateTime: '2020-01-01',
        encounter: { reference: 'Encounter/e1' },
      },
      {
        resourceType: 'DocumentReference',
        status: 'current',
        date: '2020-01-01T00:00:00Z',
        content: [{ attachment: { contentType: 'application/pdf', data: base64('%PDF') } }],
      },
    ];
    const t = toOmop({ patients: [{ key: 'k', resources }], secret: SECRET });
    assert.equal(t.visit_occurrence.length, 0);
    assert.equal(t.condition_occurrence.length, 1);
    assert.equal(t.condition_occurrence[0]!.condition_occurrence_id, 1, 'ids stay dense');
    assert.equal(t.condition_occurrence[0]!.visit_occurrence_id, null, 'dropped visit is not referenced');
    assert.equal(t.measurement.length, 0);
    assert.equal(t.note.length, 0);
    assert.deepEqual(
      [t.person[0]!.gender_concept_id, t.person[0]!.year_of_birth, t.person[0]!.gender_source_value],
      [0, null, null],
    );
  });
  it('maps a medication administration with a referenced Medication and a urn:uuid visit', () => {
    const uuid = '8c1e7f3a-2b4d-4e6f-9a0b-1c2d3e4f5a6b';
    const resources: Resource[] = [
      { resourceType: 'Patient', id: 'p', gender: 'other' },
      {
        resourceType: 'Medication',
        id: 'med-42',
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/ndc', code: '0069-2587-10' }] },
      },
      {
        resourceType: 'Encounter',
        id: uuid,
        status: 'finished',
        class: { code: 'VR' },
        period: { start: '2022-02-02' },
      },
      {
        resourceType: 'MedicationAdministration',
        status: 'completed',
        subject,
        medicationReference: { reference: 'Medication/med-42' },
        effectiveDateTime: '2022-02-02T08:00:00Z',
        context: { reference: `urn:uuid:${uuid}` },
        dosage: {
          dose: { value: 2.5, unit: 'mg', code: 'mg' },
          route: { coding: [{ system: 'http://snomed.info/sct', code: '26643006' }] },
        },
      },
    ];
    const t = toOmop({ patients: [{ key: 'k', resources }], secret: SECRET });
    const shift = dateShiftDays(SECRET, 'k');
    assert.equal(t.person[0]!.gender_concept_id, 0);
    assert.deepEqual(
      t.visit_occurrence.map((v) => [v.visit_concept_id, v.visit_source_value]),
      [[0, 'VR']],
    );
    const [d] = t.drug_exposure;
    assert.deepEqual(
      [
        d!.drug_source_value,
        d!.quantity,
        d!.dose_unit_source_value,
        d!.route_source_value,
        d!.route_concept_id,
      ],
      ['NDC|0069-2587-10', 2.5, 'mg', 'SNOMED|26643006', 0],
    );
    assert.deepEqual(
      [d!.drug_exposure_start_datetime, d!.drug_exposure_end_date, d!.visit_occurrence_id],
      [`${plusDays('2022-02-02', shift)} 08:00:00`, plusDays('2022-02-02', shift), 1],
    );
  });
  it('maps comparators to operator concepts', () => {
    const obs = (comparator: '<' | '>=') =>
      ({
        resourceType: 'Observation',
        status: 'final',
        code,
        effectiveDateTime: '2021-05-05',
        valueQuantity: { value: 5, comparator },
      }) as Observation;
    const t = toOmop({ patients: [{ key: 'k', resources: [obs('<'), obs('>=')] }], secret: SECRET });
    assert.deepEqual(
      t.measurement.map((m) => [m.operator_concept_id, m.unit_source_value, m.unit_concept_id]),
      [
        [4171756, null, null],
        [4171755, null, null],
      ],
    );
  });
});

void describe('OmopBuilder', () => {
  it('gives, one patient at a time, the rows toOmop gives for all of them', () => {
    const patients = [
      { key: KEY, resources: fixture() },
      { key: 'blind-second', resources: fixture() },
      { key: 'blind-third', resources: fixture().slice(0, 5) },
    ];
    const whole = toOmop({ patients, secret: SECRET, asOf: AS_OF });
    const builder = new OmopBuilder(SECRET, AS_OF);
    const parts = patients.map((p) => builder.add(p.key, p.resources));
    for (const t of Object.keys(OMOP_COLUMNS) as TableName[]) {
      assert.deepEqual(
        parts.flatMap((p) => p[t] as readonly unknown[]),
        whole[t],
        t,
      );
      assert.ok(whole[t].length > 0, `${t} has rows`);
    }
    assert.throws(() => new OmopBuilder(new Uint8Array(15)), ArgumentValueError);
  });
});
