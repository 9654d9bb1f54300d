import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Resource } from '@medplum/fhirtypes';
import { utf8 } from '../core/bytes.ts';
import { ageAt, dateShiftDays, parseFhirDate, pseudonym, shiftFhirDate } from './omop-deid.ts';
import {
  AS_OF,
  daysBetween,
  export1,
  fixture,
  KEY,
  plusDays,
  SECRET,
  serialized,
  SHIFT,
} from './omop-fixture.test-util.ts';
import { OMOP_COLUMNS } from './omop-tables.ts';
import type { TableName } from './omop-tables.ts';
import { toOmop } from './omop.ts';

describe('pseudonym and date shift', () => {
  it('match the HMAC-SHA256 known answers', () => {
    // echo -n 'blind-4f9a2c1d0e' | openssl dgst -sha256 -hmac 'medledger-test-export-secret-01'
    assert.equal(pseudonym(SECRET, KEY), '26ebe0cc38c8a679');
    assert.equal(dateShiftDays(SECRET, KEY), SHIFT);
  });
  it('stay within ±180 days and use the whole range', () => {
    const shifts = Array.from({ length: 3000 }, (_, i) => dateShiftDays(SECRET, `key-${String(i)}`));
    assert.ok(Math.min(...shifts) === -180 && Math.max(...shifts) === 180);
    assert.ok(new Set(shifts).size > 340);
  });
  it('differ between secrets', () => {
    const secrets = Array.from({ length: 20 }, (_, i) => utf8(`another-export-secret-${String(i)}`));
    const shifts = new Set(secrets.map((s) => dateShiftDays(s, KEY)));
    const names = new Set(secrets.map((s) => pseudonym(s, KEY)));
    assert.ok(shifts.size > 15, `only ${String(shifts.size)} distinct shifts`);
    assert.equal(names.size, 20);
    const other = export1(utf8('a-different-export-secret-0001'));
    assert.notEqual(other.person[0]!.person_source_value, '26ebe0cc38c8a679');
    assert.notEqual(
      other.visit_occurrence[0]!.visit_start_date,
      export1().visit_occurrence[0]!.visit_start_date,
    );
  });
});

describe('toOmop de-identification', () => {
  it('leaves no identifier, FHIR id or key anywhere in the CSV output', () => {
    const csv = serialized(export1()).toLowerCase();
    const ids = fixture().flatMap((r) => [
      r.id!,
      ...(r.resourceType === 'MedicationRequest' ? ['med1'] : []),
    ]);
    const secrets = [
      ...['Adaeze', 'Marguerite', 'Okonkwo', 'Hartley', 'Desmond'], // names, patient and contact
      ...['MRN-448812', '448812', '123-45-6789'], // identifiers
      ...['4471', 'Wexford', 'Apt 9B', 'Somerville', '02143'], // address
      ...['617', '555-0142', '0142', '555-0199', 'adaeze.okonkwo', 'example.org'], // telecom
      ...['1961-04-12', '04/12/1961', '1961-04'], // birth date
      ...ids,
      KEY,
      '2024-03-05', // real encounter date
    ];
    for (const s of secrets) assert.ok(!csv.includes(s.toLowerCase()), `"${s}" leaked`);
  });

  it('shifts every date of a patient by the same offset, and each patient by its own', () => {
    const other = fixture().map((r) =>
      r.resourceType === 'Patient' ? { ...r, birthDate: '1970-01-01' } : r,
    );
    const keys = [KEY, 'blind-b7e01d55aa', 'blind-0000000001'];
    const t = toOmop({
      patients: keys.map((key, i) => ({ key, resources: i === 0 ? fixture() : other })),
      secret: SECRET,
      asOf: AS_OF,
    });
    const shifts = keys.map((k) => dateShiftDays(SECRET, k));
    assert.equal(new Set(shifts).size, 3, 'test keys must have distinct shifts');
    // Original (wall-clock) dates of the fixture, per table, in row order.
    const original: Partial<Record<TableName, [string, string][]>> = {
      visit_occurrence: [
        ['2024-03-05', '2024-03-05'],
        ['2024-01-02', '2024-01-02'],
        ['2023-12-30', '2024-01-04'],
      ],
      condition_occurrence: [['2023-11-20', '2023-11-20']],
      drug_exposure: [
        ['2024-03-05', '2024-06-05'],
        ['2024-03-05', '2024-04-03'],
      ],
      measurement: [
        ['2024-03-05', '2024-03-05'],
        ...Array<[string, string]>(2).fill(['2024-03-05', '2024-03-05']),
      ],
      note: [['2024-03-05', '2024-03-05']],
    };
    const dates = (table: TableName, r: Record<string, unknown>): [string, string] => {
      const cols = OMOP_COLUMNS[table] as readonly string[];
      const start = cols.find((c) => c.endsWith('_date'))!; // the first date column is the start
      const end = cols.find((c) => c.endsWith('_end_date')) ?? start;
      return [r[start] as string, (r[end] as string | null) ?? (r[start] as string)];
    };
    for (const [table, want] of Object.entries(original) as [TableName, [string, string][]][]) {
      const rows = t[table] as unknown as readonly Record<string, unknown>[];
      assert.equal(rows.length, want.length * keys.length, table);
      for (const [j, row] of rows.entries()) {
        const shift = shifts[(row.person_id as number) - 1]!;
        const [start, end] = want[j % want.length]!;
        assert.ok(Math.abs(shift) <= 180);
        assert.deepEqual(
          dates(table, row),
          [plusDays(start, shift), plusDays(end, shift)],
          `${table} row ${String(j)}`,
        );
      }
    }
    // The birth date moves with the same offset: year_of_birth follows the shifted date.
    for (const [i, p] of t.person.entries()) {
      const birth = i === 0 ? '1961-04-12' : '1970-01-01';
      assert.equal(daysBetween(birth, p.birth_datetime!.slice(0, 10)), shifts[i]);
      assert.equal(p.year_of_birth, Number(p.birth_datetime!.slice(0, 4)));
    }
  });

  it('collapses ages of 90 and over: no birth year', () => {
    const born = (birthDate: string): Resource[] => [{ resourceType: 'Patient', birthDate, gender: 'male' }];
    const asOf = Date.UTC(2025, 5, 1); // 2025-06-01
    const t = toOmop({
      patients: [
        { key: 'a', resources: born('1935-06-01') }, // 90 today
        { key: 'b', resources: born('1935-06-02') }, // 89, 90 tomorrow
        { key: 'c', resources: born('1935') }, // possibly 90 already
        { key: 'd', resources: born('1920-02-29') },
      ],
      secret: SECRET,
      asOf,
    });
    const years = t.person.map((p) => [p.year_of_birth, p.month_of_birth, p.day_of_birth, p.birth_datetime]);
    assert.deepEqual(years[0], [null, null, null, null]);
    const p89 = t.person[1]!;
    assert.equal(p89.year_of_birth, Number(p89.birth_datetime!.slice(0, 4)));
    assert.ok(p89.year_of_birth === 1934 || p89.year_of_birth === 1935);
    assert.deepEqual(years[2], [null, null, null, null]);
    assert.deepEqual(years[3], [null, null, null, null]);
    assert.equal(t.person[0]!.gender_concept_id, 8507);
  });

  it('keeps a year-only birth date in its year', () => {
    const t = toOmop({
      patients: Array.from({ length: 50 }, (_, i) => ({
        key: `k${String(i)}`,
        resources: [{ resourceType: 'Patient', birthDate: '1980' }],
      })),
      secret: SECRET,
      asOf: AS_OF,
    });
    for (const p of t.person)
      assert.deepEqual([p.year_of_birth, p.month_of_birth, p.day_of_birth], [1980, null, null]);
  });
});

describe('FHIR date parsing and shifting', () => {
  it('rejects malformed dates', () => {
    for (const bad of [
      '',
      '24-01-01',
      '2024-1-01',
      '2023-02-29',
      '2024-13-01',
      '2024-01-01T25:00:00Z',
      '2024-01-01T10',
    ]) {
      assert.equal(parseFhirDate(bad), undefined, bad);
    }
  });
  it('keeps the wall-clock time and drops the zone', () => {
    assert.deepEqual(shiftFhirDate('2024-03-01T23:30:15.250+05:30', -1), {
      date: '2024-02-29',
      datetime: '2024-02-29 23:30:15',
      year: 2024,
      month: 2,
      day: 29,
    });
    assert.equal(shiftFhirDate('2023-12-31T00:00Z', 1)?.datetime, '2024-01-01 00:00:00');
  });
  it('imputes partial dates to the middle of their period', () => {
    assert.equal(shiftFhirDate('1980', 0)?.date, '1980-07-01');
    assert.equal(shiftFhirDate('1980', -180)?.date, '1980-01-03');
    assert.equal(shiftFhirDate('1980', 180)?.date, '1980-12-28');
    assert.equal(shiftFhirDate('1980-02', 0)?.date, '1980-02-15');
  });
  it('counts ages in completed years, partial birth dates from their earliest day', () => {
    const asOf = Date.UTC(2025, 5, 1);
    assert.equal(ageAt(parseFhirDate('1935-06-01')!, asOf), 90);
    assert.equal(ageAt(parseFhirDate('1935-06-02')!, asOf), 89);
    assert.equal(ageAt(parseFhirDate('1935-12')!, asOf), 89);
    assert.equal(ageAt(parseFhirDate('1935')!, asOf), 90);
  });
});
