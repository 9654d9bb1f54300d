/**
 * @module
 * The de-identified research export: FHIR R4 resources of consenting patients → OMOP CDM v5.4 tables
 * (person, visit_occurrence, condition_occurrence, drug_exposure, measurement, note).
 *
 * De-identification follows the HIPAA Safe Harbor method (45 CFR §164.514(b)(2)) in spirit:
 * - no names, addresses, telecom, identifiers, FHIR ids or patient keys are copied; `*_id` columns are
 *   small integers numbered per export in input order (deterministic for the same input);
 * - person_source_value is a keyed pseudonym, HMAC-SHA256(secret, key)[0..16 hex];
 * - every date of a patient moves by the same secret offset in [−180, 180] days (see omop-deid.ts), so
 *   intervals survive; year_of_birth follows the shifted birth date and is left empty for ages ≥ 90;
 * - note text is scrubbed of the patient's identifiers and identifier-like patterns (omop-redact.ts).
 *
 * Standard concepts need the OMOP vocabulary tables, which are not available offline: concept ids are 0
 * and codes are kept as `vocabulary|code` in the `*_source_value` columns, to be mapped at load time.
 */
import type { Medication, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { abytes } from '../core/bytes.ts';
import { ArgumentTypeError, ArgumentValueError } from '../core/errors.ts';
import { csvHeader, csvLines, toCsv } from './csv.ts';
import { AGE_LIMIT, ageAt, dateShiftDays, parseFhirDate, pseudonym, shiftDate } from './omop-deid.ts';
import type { PatientScope } from './omop-codes.ts';
import { conditionRow, drugRow, visitRow } from './omop-events.ts';
import { measurementRows, noteRows } from './omop-measurement-note.ts';
import { makeRedactor } from './omop-redact.ts';
import { CONCEPT, OMOP_COLUMNS } from './omop-tables.ts';
import type { OmopTables, PersonRow, TableName } from './omop-tables.ts';

/** The export secret must be at least this long (it keys the pseudonyms and date shifts). */
export const MIN_SECRET_BYTES = 16;

export interface OmopInput {
  readonly patients: readonly {
    /** An opaque stable patient key (e.g. the blind index); never written to the export. */
    readonly key: string;
    /** The patient's FHIR resources: one Patient and its clinical resources. */
    readonly resources: readonly Resource[];
  }[];
  /** The export secret for pseudonyms and date shifts. */
  readonly secret: Uint8Array;
  /** The time (ms since the epoch) at which ages are judged for the 90+ rule; defaults to now. */
  readonly asOf?: number;
}

function checkInput(input: OmopInput): void {
  abytes(input.secret, undefined, 'secret');
  if (input.secret.length < MIN_SECRET_BYTES) {
    throw new ArgumentValueError(
      'secret',
      `got ${String(input.secret.length)} bytes, want ≥ ${String(MIN_SECRET_BYTES)}`,
    );
  }
  const patients: unknown = input.patients;
  if (!Array.isArray(patients)) throw new ArgumentTypeError('patients', 'array', patients);
  const seen = new Set<string>();
  for (const [i, p] of input.patients.entries()) {
    if (typeof p.key !== 'string' || p.key === '')
      throw new ArgumentTypeError(`patients[${String(i)}].key`, 'non-empty string', p.key);
    if (seen.has(p.key)) throw new ArgumentValueError(`patients[${String(i)}].key`, 'duplicate patient key');
    seen.add(p.key);
    const resources: unknown = p.resources;
    if (!Array.isArray(resources))
      throw new ArgumentTypeError(`patients[${String(i)}].resources`, 'array', resources);
  }
  if (input.asOf !== undefined && !Number.isFinite(input.asOf))
    throw new ArgumentValueError('asOf', 'want a finite time');
}

const GENDER: Readonly<Record<string, number>> = { male: CONCEPT.male, female: CONCEPT.female };

function personRow(
  patient: Patient | undefined,
  personId: number,
  key: string,
  shift: number,
  secret: Uint8Array,
  asOf: number,
): PersonRow {
  const birth = parseFhirDate(patient?.birthDate);
  // Safe Harbor: no date element (year included) that reveals an age over 89.
  const shown = birth && ageAt(birth, asOf) < AGE_LIMIT ? shiftDate(birth, shift) : undefined;
  const precision = birth?.precision;
  return {
    person_id: personId,
    gender_concept_id: GENDER[patient?.gender ?? ''] ?? 0,
    year_of_birth: shown?.year ?? null,
    month_of_birth: shown && precision !== 'year' ? shown.month : null,
    day_of_birth: shown && precision === 'day' ? shown.day : null,
    birth_datetime: shown && precision === 'day' ? `${shown.date} 00:00:00` : null,
    race_concept_id: 0,
    ethnicity_concept_id: 0,
    location_id: null,
    provider_id: null,
    care_site_id: null,
    person_source_value: pseudonym(secret, key),
    gender_source_value: patient?.gender ?? null,
    gender_source_concept_id: 0,
    race_source_value: null,
    race_source_concept_id: 0,
    ethnicity_source_value: null,
    ethnicity_source_concept_id: 0,
  };
}

/** `Encounter/x`, `…/Encounter/x/_history/n` or `urn:uuid:x` → x. */
function referencedId(ref: Reference | undefined, type: string): string | undefined {
  const r = ref?.reference;
  if (r === undefined) return undefined;
  const m = new RegExp(`(?:^|/)${type}/([^/]+)(?:/_history/[^/]+)?$`).exec(r);
  return m?.[1] ?? (r.startsWith('urn:uuid:') ? r.slice(9) : undefined);
}

/** A per-export counter for one table's ids, starting at 1. */
function counter(): () => number {
  let n = 0;
  return () => ++n;
}

/**
 * Maps the patients' resources to OMOP CDM v5.4 rows, de-identified.
 *
 * @throws {ArgumentTypeError | ArgumentValueError} for a malformed input, a secret under 16 bytes or a
 *   duplicate patient key.
 * @example
 * const tables = toOmop({ patients: [{ key: blindId, resources }], secret });
 * const csv = toCsv(tables.person, OMOP_COLUMNS.person);
 */
export function toOmop(input: OmopInput): OmopTables {
  checkInput(input);
  const builder = new OmopBuilder(input.secret, input.asOf);
  const tables = emptyTables();
  for (const { key, resources } of input.patients) {
    const rows = builder.add(key, resources);
    for (const t of Object.keys(tables) as TableName[])
      for (const row of rows[t]) (tables[t] as unknown[]).push(row);
  }
  return tables;
}

type MutableTables = { [T in TableName]: OmopTables[T][number][] };

function emptyTables(): MutableTables {
  return {
    person: [],
    visit_occurrence: [],
    condition_occurrence: [],
    drug_exposure: [],
    measurement: [],
    note: [],
  };
}

/**
 * The export one patient at a time, for exports too large to hold: ids keep counting across patients,
 * so the rows of all `add` calls together are what {@link toOmop} gives for the same patients in order.
 */
export class OmopBuilder {
  readonly #secret: Uint8Array;
  readonly #asOf: number;
  readonly #ids = {
    visit: counter(),
    condition: counter(),
    drug: counter(),
    measurement: counter(),
    note: counter(),
  };
  #persons = 0;

  /** @throws {ArgumentValueError} for a secret under 16 bytes or an `asOf` that is not a finite time. */
  constructor(secret: Uint8Array, asOf = Date.now()) {
    checkInput({ patients: [], secret, asOf });
    this.#secret = secret;
    this.#asOf = asOf;
  }

  /** The rows of one more patient (a key not given before; the caller checks that). */
  add(key: string, resources: readonly Resource[]): OmopTables {
    const ids = this.#ids;
    const out = emptyTables();
    const personId = ++this.#persons;
    const shiftDays = dateShiftDays(this.#secret, key);
    const patient = resources.find((r): r is Patient => r.resourceType === 'Patient');
    out.person.push(personRow(patient, personId, key, shiftDays, this.#secret, this.#asOf));

    const medications = new Map<string, Medication>();
    for (const r of resources)
      if (r.resourceType === 'Medication' && r.id !== undefined) medications.set(r.id, r);
    const visitIds = new Map<string, number>();
    const scope: PatientScope = {
      personId,
      shiftDays,
      redact: makeRedactor(resources, key),
      visitOf: (ref) => visitIds.get(referencedId(ref, 'Encounter') ?? '') ?? null,
      medication: (ref, from) => {
        const r = ref?.reference;
        if (r?.startsWith('#')) {
          const c = from.contained?.find((x) => x.id === r.slice(1));
          return c?.resourceType === 'Medication' ? c : undefined;
        }
        return medications.get(referencedId(ref, 'Medication') ?? '');
      },
    };

    // Visits first, so that events of any order can point at them.
    for (const r of resources) {
      if (r.resourceType !== 'Encounter' || r.status === 'entered-in-error') continue;
      const row = visitRow(r, scope, ids.visit);
      if (!row) continue;
      out.visit_occurrence.push(row);
      if (r.id !== undefined) visitIds.set(r.id, row.visit_occurrence_id);
    }
    for (const r of resources) {
      const t = r.resourceType;
      if (t === 'Condition') {
        const row = conditionRow(r, scope, ids.condition);
        if (row) out.condition_occurrence.push(row);
      } else if (
        t === 'MedicationStatement' ||
        t === 'MedicationRequest' ||
        t === 'MedicationAdministration'
      ) {
        const row = drugRow(r, scope, ids.drug);
        if (row) out.drug_exposure.push(row);
      } else if (t === 'Observation') {
        out.measurement.push(...measurementRows(r, scope, ids.measurement));
      } else if (t === 'DocumentReference') {
        out.note.push(...noteRows(r, scope, ids.note));
      }
    }
    return out;
  }
}

const LINES: { readonly [T in TableName]: (rows: OmopTables[T]) => string } = {
  person: (r) => csvLines(r, OMOP_COLUMNS.person),
  visit_occurrence: (r) => csvLines(r, OMOP_COLUMNS.visit_occurrence),
  condition_occurrence: (r) => csvLines(r, OMOP_COLUMNS.condition_occurrence),
  drug_exposure: (r) => csvLines(r, OMOP_COLUMNS.drug_exposure),
  measurement: (r) => csvLines(r, OMOP_COLUMNS.measurement),
  note: (r) => csvLines(r, OMOP_COLUMNS.note),
};

/** The CSV header record of one OMOP table, for a table written in parts. */
export function omopCsvHeader(table: TableName): string {
  return csvHeader(OMOP_COLUMNS[table]);
}

/** One table of `tables` as CSV records without the header ('' when it has no rows). */
export function omopCsvLines(tables: OmopTables, table: TableName): string {
  return (LINES[table] as (rows: unknown) => string)(tables[table]);
}

/** Every table as RFC 4180 CSV with its OMOP header (see csv.ts for NULL vs empty string). */
export function omopToCsv(tables: OmopTables): Record<TableName, string> {
  return {
    person: toCsv(tables.person, OMOP_COLUMNS.person),
    visit_occurrence: toCsv(tables.visit_occurrence, OMOP_COLUMNS.visit_occurrence),
    condition_occurrence: toCsv(tables.condition_occurrence, OMOP_COLUMNS.condition_occurrence),
    drug_exposure: toCsv(tables.drug_exposure, OMOP_COLUMNS.drug_exposure),
    measurement: toCsv(tables.measurement, OMOP_COLUMNS.measurement),
    note: toCsv(tables.note, OMOP_COLUMNS.note),
  };
}
