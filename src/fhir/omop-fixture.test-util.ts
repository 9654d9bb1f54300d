/**
 * @module
 * Test fixture for the OMOP export: one hand-built patient with every identifier Safe Harbor names,
 * three encounters, a SNOMED condition, RxNorm medications, a lab value, a blood pressure with
 * components and a progress note that mentions the patient's name, MRN, address and phone.
 */
import type {
  Condition,
  DocumentReference,
  Encounter,
  MedicationRequest,
  MedicationStatement,
  Observation,
  Patient,
  Resource,
} from '@medplum/fhirtypes';
import { utf8 } from '../core/bytes.ts';
import type { OmopTables } from './omop-tables.ts';
import { omopToCsv, toOmop } from './omop.ts';

export const SECRET = utf8('medledger-test-export-secret-01'); // 31 bytes
export const KEY = 'blind-4f9a2c1d0e';
// echo -n 'date-shiftblind-4f9a2c1d0e' | openssl dgst -sha256 -hmac 'medledger-test-export-secret-01'
//   → 06a5a5d9… ; 0x06a5a5d9 = 111519193 ; 111519193 mod 361 − 180 = −24
export const SHIFT = -24;
export const AS_OF = Date.UTC(2025, 0, 15);

export const NOTE_TEXT =
  'Progress note for Adaeze Okonkwo-Hartley (MRN-448812), DOB 1961-04-12, SSN 123-45-6789.\n' +
  'Lives at 4471 Wexford Crescent, Apt 9B, Somerville 02143. Phone +1 (617) 555-0142, ' +
  'e-mail adaeze.okonkwo@example.org. Husband Desmond Hartley: 617-555-0199.\n' +
  'Seen 03/05/2024 for hypertension; BP 142/91. Ms. OKONKWO-HARTLEY reports good adherence to ' +
  'amlodipine. Follow-up on March 19, 2024. Account 99182736455. Chart mrn 448812, ref pat-7Q2xK9.';

export const base64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function fixture(): Resource[] {
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'pat-7Q2xK9',
    identifier: [
      { system: 'http://hospital.example/mrn', value: 'MRN-448812' },
      { system: 'http://hl7.org/fhir/sid/us-ssn', value: '123-45-6789' },
    ],
    name: [{ use: 'official', family: 'Okonkwo-Hartley', given: ['Adaeze', 'Marguerite'], prefix: ['Mrs.'] }],
    telecom: [
      { system: 'phone', value: '+1 (617) 555-0142' },
      { system: 'email', value: 'adaeze.okonkwo@example.org' },
    ],
    gender: 'female',
    birthDate: '1961-04-12',
    address: [
      { line: ['4471 Wexford Crescent', 'Apt 9B'], city: 'Somerville', postalCode: '02143', state: 'MA' },
    ],
    contact: [
      {
        name: { family: 'Hartley', given: ['Desmond'] },
        telecom: [{ system: 'phone', value: '617-555-0199' }],
      },
    ],
  };
  const subject = { reference: 'Patient/pat-7Q2xK9' };
  const encounter = (id: string, code: string, start: string, end?: string): Encounter => ({
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code },
    subject,
    period: { start, end },
  });
  const condition: Condition = {
    resourceType: 'Condition',
    id: 'cond-51b7e0',
    subject,
    code: {
      coding: [{ system: 'http://snomed.info/sct', code: '38341003', display: 'Hypertensive disorder' }],
    },
    clinicalStatus: {
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
    },
    onsetDateTime: '2023-11-20',
    encounter: { reference: 'Encounter/enc-3fa91c' },
  };
  const statement: MedicationStatement = {
    resourceType: 'MedicationStatement',
    id: 'medst-0c44aa',
    status: 'active',
    subject,
    medicationCodeableConcept: {
      coding: [
        { system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '197361', display: 'amlodipine 5 MG' },
      ],
    },
    effectivePeriod: { start: '2024-03-05', end: '2024-06-05' },
    context: { reference: 'Encounter/enc-3fa91c' },
  };
  const request: MedicationRequest = {
    resourceType: 'MedicationRequest',
    id: 'medrq-91ee02',
    status: 'active',
    intent: 'order',
    subject,
    contained: [
      {
        resourceType: 'Medication',
        id: 'med1',
        code: { coding: [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: '860975' }] },
      },
    ],
    medicationReference: { reference: '#med1' },
    authoredOn: '2024-03-05T10:05:00-05:00',
    dispenseRequest: {
      quantity: { value: 60, unit: 'tablet' },
      expectedSupplyDuration: { value: 30, unit: 'days', system: 'http://unitsofmeasure.org', code: 'd' },
      numberOfRepeatsAllowed: 2,
    },
    encounter: { reference: 'https://ehr.example/fhir/Encounter/enc-3fa91c/_history/2' },
  };
  const hba1c: Observation = {
    resourceType: 'Observation',
    id: 'obs-a1c-77f0',
    status: 'final',
    subject,
    code: { coding: [{ system: 'http://loinc.org', code: '4548-4' }] },
    effectiveDateTime: '2024-03-05T09:45:00-05:00',
    valueQuantity: { value: 6.8, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
    referenceRange: [{ low: { value: 4 }, high: { value: 5.6 } }],
    encounter: { reference: 'Encounter/enc-3fa91c' },
  };
  const mmHg = { unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' };
  const bp: Observation = {
    resourceType: 'Observation',
    id: 'obs-bp-c3d9',
    status: 'final',
    subject,
    code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] },
    effectiveDateTime: '2024-03-05T09:40:00-05:00',
    component: [
      {
        code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] },
        valueQuantity: { value: 142, ...mmHg },
      },
      {
        code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] },
        valueQuantity: { value: 91, ...mmHg },
      },
    ],
  };
  const note: DocumentReference = {
    resourceType: 'DocumentReference',
    id: 'doc-e27c40',
    status: 'current',
    subject,
    type: { coding: [{ system: 'http://loinc.org', code: '11506-3' }] },
    date: '2024-03-05T10:20:00-05:00',
    description: 'Visit note — Adaeze Okonkwo-Hartley',
    content: [
      {
        attachment: { contentType: 'text/plain; charset=utf-8', language: 'en-US', data: base64(NOTE_TEXT) },
      },
    ],
    context: { encounter: [{ reference: 'Encounter/enc-3fa91c' }] },
  };
  return [
    patient,
    encounter('enc-3fa91c', 'AMB', '2024-03-05T09:30:00-05:00', '2024-03-05T10:15:00-05:00'),
    encounter('enc-88d0e2', 'EMER', '2024-01-02T22:10:00Z'),
    encounter('enc-0b6f13', 'IMP', '2023-12-30', '2024-01-04'),
    condition,
    statement,
    request,
    hba1c,
    bp,
    note,
  ];
}

export const export1 = (secret = SECRET): OmopTables =>
  toOmop({ patients: [{ key: KEY, resources: fixture() }], secret, asOf: AS_OF });

/** Every CSV of an export, concatenated: what leaves the building. */
export const serialized = (t: OmopTables): string => Object.values(omopToCsv(t)).join('\n');

/** `YYYY-MM-DD` moved by `days`. */
export function plusDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}
export const daysBetween = (a: string, b: string): number => (Date.parse(b) - Date.parse(a)) / 86_400_000;
