/**
 * @module
 * Shared pieces of the FHIR → OMOP CDM v5.4 mappers: the per-patient scope they work in, and how a FHIR
 * coding becomes an OMOP `*_source_value` when no standard concept can be looked up (concept id 0, the
 * code kept as `vocabulary|code`, OMOP's convention for unmapped source codes).
 */
import type { CodeableConcept, Coding, Medication, Reference, Resource } from '@medplum/fhirtypes';
import type { Redactor } from './omop-redact.ts';

/** What the mappers need to know about the patient being exported. */
export interface PatientScope {
  readonly personId: number;
  readonly shiftDays: number;
  readonly redact: Redactor;
  /** The visit_occurrence_id of an Encounter reference, null when it is not one of this export's visits. */
  readonly visitOf: (ref: Reference | undefined) => number | null;
  /** A Medication among the patient's resources or contained in `from`. */
  readonly medication: (
    ref: Reference | undefined,
    from: { readonly contained?: Resource[] },
  ) => Medication | undefined;
}

/**
 * OHDSI vocabulary_id for well-known FHIR code systems: `http://www.nlm.nih.gov/research/umls/rxnorm|…`
 * alone would overflow the CDM's varchar(50) source_value columns.
 */
export const VOCABULARY_IDS: Readonly<Record<string, string>> = {
  'http://snomed.info/sct': 'SNOMED',
  'http://loinc.org': 'LOINC',
  'http://www.nlm.nih.gov/research/umls/rxnorm': 'RxNorm',
  'http://hl7.org/fhir/sid/icd-10-cm': 'ICD10CM',
  'http://hl7.org/fhir/sid/icd-10': 'ICD10',
  'http://hl7.org/fhir/sid/icd-9-cm': 'ICD9CM',
  'http://hl7.org/fhir/sid/cvx': 'CVX',
  'http://hl7.org/fhir/sid/ndc': 'NDC',
  'http://www.ama-assn.org/go/cpt': 'CPT4',
  'http://unitsofmeasure.org': 'UCUM',
};

/** `vocabulary|code` of a coding: the OHDSI vocabulary_id, the HL7 CodeSystem name, or the system URI. */
export function sourceValue(c: Coding | undefined): string | null {
  if (c?.code === undefined) return null;
  if (c.system === undefined) return c.code;
  const hl7 = /^http:\/\/terminology\.hl7\.org\/CodeSystem\/([^/]+)$/.exec(c.system);
  return `${VOCABULARY_IDS[c.system] ?? hl7?.[1] ?? c.system}|${c.code}`;
}

/** The first coding that has a code (display text is never exported: it can be free text). */
export const firstCoding = (cc: CodeableConcept | undefined): Coding | undefined =>
  cc?.coding?.find((c) => c.code !== undefined);

export const codeOf = (cc: CodeableConcept | undefined): string | null => sourceValue(firstCoding(cc));

export const finite = (n: number | undefined): number | null =>
  n !== undefined && Number.isFinite(n) ? n : null;
