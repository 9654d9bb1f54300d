/**
 * @module
 * Which patient a record belongs to, after the FHIR R4 Patient compartment
 * (http://hl7.org/fhir/R4/compartmentdefinition-patient.html).
 *
 * The compartment lists, per resource type, every search parameter that can put a resource in a
 * patient's compartment: the subject (`Observation.subject`) and also people who merely took part
 * (`Observation.performer`, `Condition.asserter`). For "whose record is this" the subject wins, so each
 * type has primary paths, tried first and trusted with an untyped `urn:uuid:` reference (a Bundle not
 * yet rewritten), and secondary paths, used only when no primary path names a patient and only for an
 * explicit `Patient/<id>`. {@link PATIENT_COMPARTMENT_PATHS} is checked against the compartment definition by
 * the tests. One deliberate addition: `Device.patient` (R4 puts Device in no patient compartment, but
 * an implant's record is the patient's health data).
 */
import type { Resource } from '@medplum/fhirtypes';
import { isObject } from './outcome.ts';
import { valuesAt } from './paths.ts';
import type { RecordType } from './validate.ts';

/** Paths are FHIRPath element names from the resource root, without the type; arrays are walked. */
interface CompartmentPaths {
  readonly primary: readonly string[];
  readonly secondary: readonly string[];
}

/** The patient compartment of each record type; types absent here (Organization…) belong to no patient. */
export const PATIENT_COMPARTMENT_PATHS: Readonly<Partial<Record<RecordType, CompartmentPaths>>> = {
  AllergyIntolerance: { primary: ['patient'], secondary: ['recorder', 'asserter'] },
  CarePlan: { primary: ['subject'], secondary: ['activity.detail.performer'] },
  CareTeam: { primary: ['subject'], secondary: ['participant.member'] },
  Claim: { primary: ['patient'], secondary: ['payee.party'] },
  Condition: { primary: ['subject'], secondary: ['asserter'] },
  Coverage: { primary: ['beneficiary'], secondary: ['policyHolder', 'subscriber', 'payor'] },
  Device: { primary: ['patient'], secondary: [] },
  DiagnosticReport: { primary: ['subject'], secondary: [] },
  DocumentReference: { primary: ['subject'], secondary: ['author'] },
  Encounter: { primary: ['subject'], secondary: [] },
  ExplanationOfBenefit: { primary: ['patient'], secondary: ['payee.party'] },
  FamilyMemberHistory: { primary: ['patient'], secondary: [] },
  Goal: { primary: ['subject'], secondary: [] },
  ImagingStudy: { primary: ['subject'], secondary: [] },
  Immunization: { primary: ['patient'], secondary: [] },
  MedicationAdministration: { primary: ['subject'], secondary: ['performer.actor'] },
  MedicationDispense: { primary: ['subject'], secondary: ['receiver'] },
  MedicationRequest: { primary: ['subject'], secondary: [] },
  MedicationStatement: { primary: ['subject'], secondary: [] },
  Observation: { primary: ['subject'], secondary: ['performer'] },
  Procedure: { primary: ['subject'], secondary: ['performer.actor'] },
  // Provenance.target points at anything; only an explicit Patient target counts.
  Provenance: { primary: [], secondary: ['target'] },
  ServiceRequest: { primary: ['subject'], secondary: ['performer'] },
  Specimen: { primary: ['subject'], secondary: [] },
  SupplyDelivery: { primary: ['patient'], secondary: [] },
};

/** Whether records of this type belong to a patient (Patient itself included). */
export function inPatientCompartment(resourceType: string): boolean {
  return resourceType === 'Patient' || Object.hasOwn(PATIENT_COMPARTMENT_PATHS, resourceType);
}

/** `Type/id`, optionally `/_history/v`, optionally after an absolute base URL. */
const TYPED_REF =
  /^(?:[a-z][a-z0-9+.-]*:\/\/[^?#]*\/)?([A-Z][A-Za-z]+)\/([A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/?#]+)?$/;

/**
 * The patient `resource` belongs to: `Patient/<id>` (a relative reference with `_history` dropped), an
 * absolute URL ending in `Patient/<id>` as written, or a `urn:uuid:` reference in a primary path; for a
 * Patient its own `Patient/<id>`; undefined for types outside the compartment and for records whose
 * patient is not given by a resolvable reference (a conditional `Patient?identifier=…` included).
 *
 * @example
 * patientReference({ resourceType: 'Observation', subject: { reference: 'Patient/p1' } }); // 'Patient/p1'
 * patientReference({ resourceType: 'Organization', id: 'o1' }); // undefined
 */
export function patientReference(resource: Resource | Record<string, unknown>): string | undefined {
  const r = resource as Record<string, unknown>;
  if (r.resourceType === 'Patient') return typeof r.id === 'string' ? `Patient/${r.id}` : undefined;
  const type = r.resourceType;
  if (typeof type !== 'string' || !Object.hasOwn(PATIENT_COMPARTMENT_PATHS, type)) return undefined;
  const paths = PATIENT_COMPARTMENT_PATHS[type as RecordType]!;
  for (const path of paths.primary) {
    for (const ref of referencesAt(r, path)) {
      if (ref.startsWith('urn:uuid:')) return ref;
      const p = asPatient(ref);
      if (p !== undefined) return p;
    }
  }
  for (const path of paths.secondary) {
    for (const ref of referencesAt(r, path)) {
      const p = asPatient(ref);
      if (p !== undefined) return p;
    }
  }
  return undefined;
}

/** A relative reference to a Patient of this server, optionally to one of its versions. */
const LOCAL_PATIENT = /^Patient\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[A-Za-z0-9\-.]{1,64})?$/;

/**
 * The first reference in a primary compartment path of `resource` (its subject, patient or
 * beneficiary) that is not a relative `Patient/<id>`: a reference to another server, an unresolved
 * `urn:uuid:`, an empty or malformed id, or another type. Such a record could be filed under no
 * patient of this node, so it is refused; `expression` is the FHIRPath holding the reference.
 */
export function foreignSubject(resource: Resource | Record<string, unknown>): SubjectReference | undefined {
  return subjectReferences(resource).find((s) => !LOCAL_PATIENT.test(s.reference));
}

/** A reference in a primary compartment path, with the FHIRPath that holds it. */
export interface SubjectReference {
  readonly expression: string;
  readonly reference: string;
}

/** Every reference in the primary compartment paths of `resource` (none for types outside it). */
export function subjectReferences(resource: Resource | Record<string, unknown>): SubjectReference[] {
  const r = resource as Record<string, unknown>;
  const type = r.resourceType;
  if (typeof type !== 'string' || !Object.hasOwn(PATIENT_COMPARTMENT_PATHS, type)) return [];
  return PATIENT_COMPARTMENT_PATHS[type as RecordType]!.primary.flatMap((path) =>
    referencesAt(r, path).map((reference) => ({ expression: `${type}.${path}`, reference })),
  );
}

function asPatient(ref: string): string | undefined {
  const m = TYPED_REF.exec(ref);
  if (m?.[1] !== 'Patient') return undefined;
  return ref.includes('://') ? ref : `Patient/${m[2]!}`;
}

/** Every `reference` string in the Reference values at `path`. */
function referencesAt(root: Record<string, unknown>, path: string): string[] {
  const refs: string[] = [];
  for (const n of valuesAt(root, path))
    if (isObject(n) && typeof n.reference === 'string') refs.push(n.reference);
  return refs;
}

/** A patient id from `Patient/<id>` or a bare id. */
export function stripPatient(ref: string): string {
  return ref.startsWith('Patient/') ? ref.slice('Patient/'.length) : ref;
}
