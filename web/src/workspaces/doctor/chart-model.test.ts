/// <reference types="node" />
/**
 * The doctor workspace's pure parts: FHIR display helpers (base64 UTF-8 text, calendar dates that
 * must not shift with the time zone, ages), the chart model (tabs, observation values, trends) and
 * the forms' checks. Run: node --test web/src/workspaces/doctor/chart-model.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  ageOn,
  clinicalDate,
  conceptText,
  decodeBase64Text,
  encodeBase64Text,
  formatDate,
  quantityText,
} from '../../lib/fhir-display.ts';
import type { RecordView } from '../../lib/fhir-display.ts';
import { buildChart, describe as describeRecord, observationValue } from './chart-model.ts';
import { checkDate, checkDigits } from './form-helpers.ts';
import { trends } from './trends.ts';
import { VITALS, checkVital } from './vitals.ts';

// A zone west of UTC: a date-only value parsed as UTC midnight would show the day before here.
process.env.TZ = 'America/Los_Angeles';

const PATIENT = 'p-1';
let n = 0;
function view(resource: Record<string, unknown>, version = 1): RecordView {
  n += 1;
  const id = typeof resource.id === 'string' ? resource.id : `r-${String(n)}`;
  return {
    id,
    recordId: id,
    version,
    tx: 'tx',
    height: 1,
    time: '2026-01-01T00:00:00Z',
    author: 'k',
    org: 'st-marys',
    resource: { resourceType: 'Observation', ...resource },
  };
}
const loinc = (code: string, text: string) => ({ coding: [{ system: 'http://loinc.org', code }], text });

describe('fhir display', () => {
  it('decodes base64 as UTF-8 (known answers)', () => {
    assert.equal(decodeBase64Text('UGF0aWVudCB3ZWxsLg=='), 'Patient well.');
    // echo -n '°C' | base64 → wrBD (U+00B0 is C2 B0 in UTF-8)
    assert.equal(encodeBase64Text('°C'), 'wrBD');
    assert.equal(decodeBase64Text('wrBD'), '°C');
  });

  it('round-trips any Unicode text through base64', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 200 }), (s) => {
        assert.equal(decodeBase64Text(encodeBase64Text(s)), s);
      }),
    );
  });

  it('does not shift a calendar date with the time zone', () => {
    assert.notEqual(new Date('1958-06-26').getDate(), 26, 'precondition: this zone shifts naive parsing');
    assert.equal(formatDate('1958-06-26'), new Date(1958, 5, 26).toLocaleDateString());
  });

  it('computes age from a birth date, before and on the birthday', () => {
    assert.equal(ageOn('1958-06-26', new Date(2026, 5, 25)), 67);
    assert.equal(ageOn('1958-06-26', new Date(2026, 5, 26)), 68);
    assert.equal(ageOn(undefined, new Date()), null);
  });

  it('reads concepts and quantities the way people do', () => {
    assert.equal(conceptText({ coding: [{ code: 'x' }, { code: 'y', display: 'Why' }] }), 'Why');
    assert.equal(conceptText(undefined, 'none'), 'none');
    assert.equal(quantityText({ value: 36.80000001, code: 'Cel', unit: 'Cel' }), '36.8 °C');
    assert.equal(quantityText({ value: 97, code: '%' }), '97%');
  });

  it('picks the clinical date before the recorded one', () => {
    assert.equal(
      clinicalDate({ resourceType: 'Condition', recordedDate: '2020', onsetDateTime: '2019' }),
      '2019',
    );
    assert.equal(clinicalDate({ resourceType: 'Encounter', period: { start: '2018-01-14' } }), '2018-01-14');
  });
});

describe('chart model', () => {
  it('shows blood pressure as systolic/diastolic', () => {
    const bp = view({
      code: loinc('85354-6', 'Blood pressure'),
      component: [
        { code: loinc('8480-6', 'Systolic'), valueQuantity: { value: 127, code: 'mm[Hg]' } },
        { code: loinc('8462-4', 'Diastolic'), valueQuantity: { value: 68, code: 'mm[Hg]' } },
      ],
    });
    assert.equal(observationValue(bp.resource), '127/68 mmHg');
  });

  it('sorts records into tabs, newest first, and finds the Patient', () => {
    const chart = buildChart(
      [
        view({ resourceType: 'Patient', id: PATIENT }),
        view({ resourceType: 'Condition', onsetDateTime: '2019-01-01' }),
        view({ resourceType: 'Condition', onsetDateTime: '2021-01-01' }),
        view({ resourceType: 'MedicationRequest', authoredOn: '2020-01-01' }),
        view({ resourceType: 'Immunization', occurrenceDateTime: '2020-01-01' }),
      ],
      PATIENT,
    );
    assert.equal(chart.patient?.id, PATIENT);
    assert.deepEqual(
      chart.tabs.conditions.map((v) => v.resource.onsetDateTime),
      ['2021-01-01', '2019-01-01'],
    );
    assert.equal(chart.tabs.medications.length, 1);
    assert.equal(chart.tabs.other[0]?.resource.resourceType, 'Immunization');
  });

  it('has no Patient when the caller sees only part of the chart', () => {
    assert.equal(
      buildChart([view({ resourceType: 'Patient', id: 'someone-else' })], PATIENT).patient,
      undefined,
    );
  });

  it('draws a trend only for a code with two dated numeric values', () => {
    const hr = (v: number, d: string) =>
      view({
        code: loinc('8867-4', 'Heart rate'),
        effectiveDateTime: d,
        valueQuantity: { value: v, unit: '/min' },
      });
    const once = view({
      code: loinc('8310-5', 'Temp'),
      effectiveDateTime: '2020-01-01',
      valueQuantity: { value: 37 },
    });
    const text = view({ code: loinc('1-1', 'Text'), effectiveDateTime: '2020-01-01', valueString: 'x' });
    const out = trends([hr(80, '2021-01-01'), once, hr(60, '2020-01-01'), text, text]);
    assert.equal(out.length, 1);
    const t = out[0]!;
    assert.equal(t.key, '8867-4');
    assert.deepEqual(
      t.points.map((p) => p.Value),
      [60, 80],
      'oldest first',
    );
    assert.equal(t.latest, '80 /min');
  });

  it('describes a note by its title and an amended record keeps its version', () => {
    const note = view(
      { resourceType: 'DocumentReference', content: [{ attachment: { title: 'Discharge', data: 'aGk=' } }] },
      2,
    );
    assert.equal(describeRecord(note).title, 'Discharge');
    assert.equal(note.version, 2);
  });
});

describe('form checks', () => {
  it('rejects missing, invalid, future and before-birth dates', () => {
    assert.equal(checkDate('', { required: true }), 'Enter a date');
    assert.equal(checkDate('', {}), null);
    assert.equal(checkDate('2020-13-45'), 'Enter a valid date');
    assert.equal(checkDate('2999-01-01'), 'The date cannot be in the future');
    assert.equal(checkDate('2999-01-01', { allowFuture: true }), null);
    assert.equal(
      checkDate('1950-01-01', { notBefore: '1958-06-26' }),
      'The date cannot be before the patient was born',
    );
    assert.equal(checkDate('2020-01-01T10:00', { notBefore: '1958-06-26' }), null);
  });

  it('accepts codes of digits only, within their length', () => {
    assert.equal(checkDigits('308182', 1, 8, 'RxNorm'), null);
    assert.match(checkDigits('12ab', 1, 8, 'RxNorm') ?? '', /1 to 8 digits/);
    assert.match(checkDigits('12345', 6, 18, 'SNOMED CT') ?? '', /6 to 18 digits/);
  });

  it('keeps vital values within their plausible ranges', () => {
    const hr = VITALS.find((v) => v.key === 'hr')!;
    const part = hr.parts[0]!;
    assert.equal(checkVital(part, hr.unit, ''), 'Enter the heart rate');
    assert.match(checkVital(part, hr.unit, 300) ?? '', /between 20 and 250/);
    assert.equal(checkVital(part, hr.unit, 72), null);
    for (const v of VITALS) for (const p of v.parts) assert.ok(p.min < p.max, `${v.key} range`);
  });
});
