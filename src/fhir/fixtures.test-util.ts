/**
 * @module
 * Shared test data for the FHIR layer: a minimal valid R4 example of every record type (only the
 * elements R4 requires, so removing any one of them must fail validation), and the Synthea sample
 * Bundles kept in `test/fixtures/synthea-r4/` (Apache-2.0, license beside them).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordType } from './validate.ts';

const P = { reference: 'Patient/p1' };
const CC = { coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertension' }] };
const MED = { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '314076' }] };

/** The smallest valid resource of each type: resourceType plus every 1..n element. */
export const MINIMAL: Readonly<Record<RecordType, Readonly<Record<string, unknown>>>> = {
  Patient: { resourceType: 'Patient' },
  // ait-1: clinicalStatus SHALL be present unless verificationStatus is entered-in-error.
  AllergyIntolerance: {
    resourceType: 'AllergyIntolerance',
    clinicalStatus: {
      coding: [
        { system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' },
      ],
    },
    patient: P,
  },
  CarePlan: { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: P },
  CareTeam: { resourceType: 'CareTeam' },
  Claim: {
    resourceType: 'Claim',
    status: 'active',
    type: CC,
    use: 'claim',
    patient: P,
    created: '2019-05-01',
    provider: { reference: 'Organization/o1' },
    priority: CC,
    insurance: [{ sequence: 1, focal: true, coverage: { reference: 'Coverage/c1' } }],
  },
  Condition: { resourceType: 'Condition', subject: P },
  Coverage: {
    resourceType: 'Coverage',
    status: 'active',
    beneficiary: P,
    payor: [{ reference: 'Organization/o1' }],
  },
  Device: { resourceType: 'Device' },
  DiagnosticReport: { resourceType: 'DiagnosticReport', status: 'final', code: CC },
  DocumentReference: {
    resourceType: 'DocumentReference',
    status: 'current',
    content: [{ attachment: { contentType: 'text/plain', data: 'aGVsbG8=' } }],
  },
  Encounter: {
    resourceType: 'Encounter',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
  },
  ExplanationOfBenefit: {
    resourceType: 'ExplanationOfBenefit',
    status: 'active',
    type: CC,
    use: 'claim',
    patient: P,
    created: '2019-05-01',
    insurer: { reference: 'Organization/o1' },
    provider: { reference: 'Organization/o1' },
    outcome: 'complete',
    insurance: [{ focal: true, coverage: { reference: 'Coverage/c1' } }],
  },
  FamilyMemberHistory: {
    resourceType: 'FamilyMemberHistory',
    status: 'completed',
    patient: P,
    relationship: CC,
  },
  Goal: { resourceType: 'Goal', lifecycleStatus: 'active', description: { text: 'Lose weight' }, subject: P },
  ImagingStudy: { resourceType: 'ImagingStudy', status: 'available', subject: P },
  Immunization: {
    resourceType: 'Immunization',
    status: 'completed',
    vaccineCode: CC,
    patient: P,
    occurrenceDateTime: '2019-05-01',
  },
  Medication: { resourceType: 'Medication' },
  MedicationAdministration: {
    resourceType: 'MedicationAdministration',
    status: 'completed',
    medicationCodeableConcept: MED,
    subject: P,
    effectiveDateTime: '2019-05-01T10:00:00Z',
  },
  MedicationDispense: {
    resourceType: 'MedicationDispense',
    status: 'completed',
    medicationCodeableConcept: MED,
  },
  MedicationRequest: {
    resourceType: 'MedicationRequest',
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: MED,
    subject: P,
  },
  MedicationStatement: {
    resourceType: 'MedicationStatement',
    status: 'active',
    medicationCodeableConcept: MED,
    subject: P,
  },
  Observation: { resourceType: 'Observation', status: 'final', code: CC },
  Procedure: { resourceType: 'Procedure', status: 'completed', subject: P },
  Provenance: {
    resourceType: 'Provenance',
    target: [{ reference: 'Observation/x1' }],
    recorded: '2019-05-01T10:00:00Z',
    agent: [{ who: { reference: 'Practitioner/d1' } }],
  },
  ServiceRequest: { resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: P },
  Specimen: { resourceType: 'Specimen' },
  SupplyDelivery: { resourceType: 'SupplyDelivery' },
  Location: { resourceType: 'Location' },
  Organization: { resourceType: 'Organization' },
  Practitioner: { resourceType: 'Practitioner' },
  PractitionerRole: { resourceType: 'PractitionerRole' },
};

/** Where the Synthea sample Bundles live: `test/fixtures/synthea-r4/` in the repository. */
export const SYNTHEA_DIR = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'synthea-r4');

/** The Synthea Bundles by file name, parsed (throws when the folder is missing: the tests need it). */
export function loadSynthea(): { readonly file: string; readonly bundle: Record<string, unknown> }[] {
  return readdirSync(SYNTHEA_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({
      file,
      bundle: JSON.parse(readFileSync(join(SYNTHEA_DIR, file), 'utf8')) as Record<string, unknown>,
    }));
}

/** A deep copy of a minimal example, for tests that change it. */
export function minimal(type: RecordType): Record<string, unknown> {
  return structuredClone(MINIMAL[type]);
}

/** Every `reference` string in a value, with its FHIRPath-like location (`.subject`, `.performer[1]`). */
export function referencesIn(v: unknown, path = ''): { path: string; ref: string }[] {
  if (Array.isArray(v)) return v.flatMap((x, i) => referencesIn(x, `${path}[${String(i)}]`));
  if (typeof v !== 'object' || v === null) return [];
  return Object.entries(v).flatMap(([k, x]) =>
    k === 'reference' && typeof x === 'string' ? [{ path, ref: x }] : referencesIn(x, `${path}.${k}`),
  );
}
