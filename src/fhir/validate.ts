/**
 * @module
 * Validation of a clinical record against the FHIR R4 base StructureDefinitions
 * (http://hl7.org/fhir/R4/validation.html), using `@medplum/core`'s validator: cardinality, data types,
 * primitive formats (date, dateTime, instant…), choice types and unknown properties, in contained
 * resources too. Terminology bindings are not checked (Medplum's validator does not load ValueSets).
 *
 * Before Medplum sees a resource, a cheap structural pass rejects what Medplum lets through or cannot
 * survive: nesting deeper than {@link MAX_DEPTH} (an endless `extension.extension…` chain would overflow
 * the stack), a `__proto__` member (JSON.parse makes it an own property that a later copy by assignment
 * would turn into a prototype), and ids that break the R4 `id` type
 * (http://hl7.org/fhir/R4/datatypes.html#id), which Medplum does not check.
 */
import { isResourceType, OperationOutcomeError, validateResource } from '@medplum/core';
import type { Resource, ResourceType } from '@medplum/fhirtypes';
import { FhirValidationError } from '../core/errors.ts';
import type { OperationOutcomeLike } from '../core/errors.ts';
import { ensureR4Definitions } from './definitions.ts';
import { describeOutcome, errorOutcome, isObject, toOutcomeLike } from './outcome.ts';

/**
 * The resource types MedLedger stores as records: every type in Synthea's R4 exports, the other
 * patient-compartment clinical types a hospital sends most, and the directory types records point to.
 */
export const RECORD_TYPES = [
  'Patient',
  'AllergyIntolerance',
  'CarePlan',
  'CareTeam',
  'Claim',
  'Condition',
  'Coverage',
  'Device',
  'DiagnosticReport',
  'DocumentReference',
  'Encounter',
  'ExplanationOfBenefit',
  'FamilyMemberHistory',
  'Goal',
  'ImagingStudy',
  'Immunization',
  'Medication',
  'MedicationAdministration',
  'MedicationDispense',
  'MedicationRequest',
  'MedicationStatement',
  'Observation',
  'Procedure',
  'Provenance',
  'ServiceRequest',
  'Specimen',
  'SupplyDelivery',
  'Location',
  'Organization',
  'Practitioner',
  'PractitionerRole',
] as const satisfies readonly ResourceType[];

export type RecordType = (typeof RECORD_TYPES)[number];

const RECORD_TYPE_SET: ReadonlySet<string> = new Set(RECORD_TYPES);

/** Whether `type` is one of {@link RECORD_TYPES}. */
export function isRecordType(type: string): type is RecordType {
  return RECORD_TYPE_SET.has(type);
}

/** Deepest object/array nesting accepted (the Synthea samples nest at most 8 deep). */
export const MAX_DEPTH = 64;

/** The R4 `id` type: 1 to 64 of [A-Za-z0-9-.]. */
export const FHIR_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * Check that `resource` is a valid FHIR R4 resource of a {@link RECORD_TYPES} type and return it typed
 * (the same object, not a copy). Warnings (such as a `urn:uuid:` reference whose target type cannot be
 * known) are not failures.
 *
 * @throws {FhirValidationError} whose `outcome` names each failing path, e.g. `Observation.code`.
 * @example
 * validateRecord({ resourceType: 'Observation', status: 'final' });
 * // throws FhirValidationError; outcome.issue[0].expression = ['Observation.code']
 */
export function validateRecord(resource: unknown): Resource {
  if (!isObject(resource)) {
    fail(errorOutcome('structure', 'A resource must be a JSON object', 'Resource'));
  }
  const type = resource.resourceType;
  if (typeof type !== 'string') {
    fail(errorOutcome('required', 'Missing resourceType', 'Resource.resourceType'));
  }
  ensureR4Definitions();
  if (!isResourceType(type)) {
    fail(errorOutcome('value', `Unknown resource type "${type}"`, 'Resource.resourceType'));
  }
  if (!isRecordType(type)) {
    fail(errorOutcome('not-supported', `${type} is not a supported record type`, type));
  }
  const structural = checkStructure(resource, type);
  if (structural !== undefined) fail(structural);
  try {
    validateResource(resource as unknown as Resource);
  } catch (e) {
    if (e instanceof OperationOutcomeError) fail(toOutcomeLike(e.outcome, 'Invalid resource'));
    throw e;
  }
  return resource as unknown as Resource;
}

function fail(outcome: OperationOutcomeLike): never {
  throw new FhirValidationError(describeOutcome(outcome), outcome);
}

/** The structural pass described in the module comment; the first problem found, or undefined. */
function checkStructure(resource: Record<string, unknown>, type: string): OperationOutcomeLike | undefined {
  const idProblem = checkId(resource.id, `${type}.id`);
  if (idProblem !== undefined) return idProblem;
  const contained = resource.contained;
  if (Array.isArray(contained)) {
    for (let i = 0; i < contained.length; i++) {
      const c: unknown = contained[i];
      if (isObject(c)) {
        const p = checkId(c.id, `${type}.contained[${i}].id`);
        if (p !== undefined) return p;
      }
    }
  }
  const found = walk(resource, 0);
  return found && errorOutcome(found.code, found.text, type + found.trail.reverse().join(''));
}

function checkId(id: unknown, path: string): OperationOutcomeLike | undefined {
  if (id === undefined || (typeof id === 'string' && FHIR_ID.test(id))) return undefined;
  return errorOutcome('value', 'An id must be 1 to 64 letters, digits, "-" or "."', path);
}

interface Found {
  readonly code: 'too-costly' | 'structure';
  readonly text: string;
  /** Path segments from the failure up to the root, added while unwinding: the hot path builds no strings. */
  readonly trail: string[];
}

function walk(value: unknown, depth: number): Found | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (depth >= MAX_DEPTH) {
    return { code: 'too-costly', text: `Nested deeper than ${String(MAX_DEPTH)} levels`, trail: [] };
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const f = walk(value[i], depth + 1);
      if (f !== undefined) {
        f.trail.push(`[${String(i)}]`);
        return f;
      }
    }
    return undefined;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__')
      return { code: 'structure', text: 'Forbidden property "__proto__"', trail: ['.__proto__'] };
    const f = walk((value as Record<string, unknown>)[key], depth + 1);
    if (f !== undefined) {
      f.trail.push(`.${key}`);
      return f;
    }
  }
  return undefined;
}
