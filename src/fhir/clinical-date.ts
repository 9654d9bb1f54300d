/**
 * @module
 * The search keys of a record: its main clinical date and its main codes.
 *
 * For each record type, the elements tried in order are those the R4 `date` / `code` search parameters
 * of that type index (http://hl7.org/fhir/R4/searchparameter-registry.html): choice types spelt out
 * (`effectiveDateTime`, then `effectivePeriod.start`…), the "when it happened" element before "when it
 * was written down" (`onsetDateTime` before `recordedDate`). Dates are returned as written: FHIR
 * date/dateTime/instant values are ISO 8601 already, and a partial date (`2019-05`) keeps its precision
 * rather than gaining an invented day.
 */
import type { Resource } from '@medplum/fhirtypes';
import { isObject } from './outcome.ts';
import { valuesAt } from './paths.ts';
import type { RecordType } from './validate.ts';

/** Date element paths per type, tried in order; the first string found wins. */
export const DATE_PATHS: Readonly<Record<RecordType, readonly string[]>> = {
  Patient: ['birthDate'],
  AllergyIntolerance: ['onsetDateTime', 'onsetPeriod.start', 'recordedDate'],
  CarePlan: ['period.start', 'created'],
  CareTeam: ['period.start'],
  Claim: ['billablePeriod.start', 'created'],
  Condition: ['onsetDateTime', 'onsetPeriod.start', 'recordedDate'],
  Coverage: ['period.start'],
  Device: [],
  DiagnosticReport: ['effectiveDateTime', 'effectivePeriod.start', 'issued'],
  DocumentReference: ['context.period.start', 'date'],
  Encounter: ['period.start'],
  ExplanationOfBenefit: ['billablePeriod.start', 'created'],
  FamilyMemberHistory: ['date'],
  Goal: ['startDate', 'statusDate'],
  ImagingStudy: ['started'],
  Immunization: ['occurrenceDateTime', 'recorded'],
  Medication: [],
  MedicationAdministration: ['effectiveDateTime', 'effectivePeriod.start'],
  MedicationDispense: ['whenHandedOver', 'whenPrepared'],
  MedicationRequest: ['authoredOn'],
  MedicationStatement: ['effectiveDateTime', 'effectivePeriod.start', 'dateAsserted'],
  Observation: [
    'effectiveDateTime',
    'effectivePeriod.start',
    'effectiveInstant',
    'effectiveTiming.event',
    'issued',
  ],
  Procedure: ['performedDateTime', 'performedPeriod.start'],
  Provenance: ['occurredDateTime', 'occurredPeriod.start', 'recorded'],
  ServiceRequest: ['occurrenceDateTime', 'occurrencePeriod.start', 'authoredOn'],
  Specimen: ['collection.collectedDateTime', 'collection.collectedPeriod.start', 'receivedTime'],
  SupplyDelivery: ['occurrenceDateTime', 'occurrencePeriod.start', 'occurrenceTiming.event'],
  Location: [],
  Organization: [],
  Practitioner: [],
  PractitionerRole: [],
};

/** Paths to the CodeableConcept(s) or Coding(s) that say what a record is; the first non-empty wins. */
export const CODE_PATHS: Readonly<Record<RecordType, readonly string[]>> = {
  Patient: [],
  AllergyIntolerance: ['code'],
  CarePlan: ['category'],
  CareTeam: ['category'],
  Claim: ['type'],
  Condition: ['code'],
  Coverage: ['type'],
  Device: ['type'],
  DiagnosticReport: ['code'],
  DocumentReference: ['type'],
  Encounter: ['type', 'class'],
  ExplanationOfBenefit: ['type'],
  FamilyMemberHistory: ['condition.code'],
  Goal: ['description'],
  ImagingStudy: ['procedureCode', 'series.modality'],
  Immunization: ['vaccineCode'],
  Medication: ['code'],
  MedicationAdministration: ['medicationCodeableConcept'],
  MedicationDispense: ['medicationCodeableConcept'],
  MedicationRequest: ['medicationCodeableConcept'],
  MedicationStatement: ['medicationCodeableConcept'],
  Observation: ['code'],
  Procedure: ['code'],
  Provenance: ['activity'],
  ServiceRequest: ['code'],
  Specimen: ['type'],
  SupplyDelivery: ['suppliedItem.itemCodeableConcept', 'type'],
  Location: ['type'],
  Organization: ['type'],
  Practitioner: ['qualification.code'],
  PractitionerRole: ['code'],
};

/** One code of a record, for search; `display` alone when a CodeableConcept has only text. */
export interface CodeKey {
  readonly system?: string;
  readonly code?: string;
  readonly display?: string;
}

type AnyResource = Resource | Record<string, unknown>;

/**
 * The main clinical date of `resource` as written (ISO 8601, possibly partial), or undefined when the
 * type has none (Organization, Medication…) or the record leaves it out.
 *
 * @example
 * clinicalDate({ resourceType: 'Procedure', performedPeriod: { start: '2019-05-01T10:00:00Z' } });
 * // '2019-05-01T10:00:00Z'
 */
export function clinicalDate(resource: AnyResource): string | undefined {
  for (const path of pathsFor(DATE_PATHS, resource)) {
    for (const v of valuesAt(resource, path)) if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/**
 * The main codes of `resource`: every Coding of the first element in {@link CODE_PATHS} that has any,
 * or that concept's `text` as `{display}` when it has no coding. Empty when there is none.
 *
 * @example
 * const cvx = { system: 'http://hl7.org/fhir/sid/cvx', code: '140' };
 * codesOf({ resourceType: 'Immunization', vaccineCode: { coding: [cvx] } });
 * // [cvx]
 */
export function codesOf(resource: AnyResource): CodeKey[] {
  for (const path of pathsFor(CODE_PATHS, resource)) {
    const keys: CodeKey[] = [];
    for (const v of valuesAt(resource, path)) collectCodes(v, keys);
    if (keys.length > 0) return keys;
  }
  return [];
}

function pathsFor(
  table: Readonly<Record<RecordType, readonly string[]>>,
  resource: AnyResource,
): readonly string[] {
  const type = (resource as Record<string, unknown>).resourceType;
  return typeof type === 'string' && Object.hasOwn(table, type) ? table[type as RecordType] : [];
}

/** Add the codes of a CodeableConcept (its codings, else its text) or of a bare Coding. */
function collectCodes(v: unknown, out: CodeKey[]): void {
  if (!isObject(v)) return;
  if (Array.isArray(v.coding)) {
    const before = out.length;
    for (const c of v.coding as unknown[]) {
      const k = isObject(c) ? codeKey(c) : undefined;
      if (k !== undefined) out.push(k);
    }
    if (out.length > before) return;
  }
  // A CodeableConcept has `text`, a Coding has `code`/`display`: never both.
  const k = typeof v.text === 'string' && v.text !== '' ? { display: v.text } : codeKey(v);
  if (k !== undefined) out.push(k);
}

function codeKey(c: Record<string, unknown>): CodeKey | undefined {
  const system = typeof c.system === 'string' ? c.system : undefined;
  const code = typeof c.code === 'string' ? c.code : undefined;
  const display = typeof c.display === 'string' ? c.display : undefined;
  if (code === undefined && display === undefined) return undefined;
  return {
    ...(system === undefined ? {} : { system }),
    ...(code === undefined ? {} : { code }),
    ...(display === undefined ? {} : { display }),
  };
}
