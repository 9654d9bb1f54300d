/**
 * @module
 * Small FHIR R4 builders for the synthetic generator: codings, references, quantities with UCUM
 * units, and the vital-sign and laboratory Observations and DiagnosticReports laid out the way the
 * FHIR Vital Signs profile (R4 §8.1.1, http://hl7.org/fhir/R4/observation-vitalsigns.html) and
 * US Core Laboratory Results expect. Internal to src/sim.
 */
import type {
  CodeableConcept,
  DiagnosticReport,
  Encounter,
  Observation,
  Patient,
  Quantity,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { OBS, UCUM, type Code, type ObsKey } from './synthetic-catalogue.ts';

const OBS_CATEGORY = 'http://terminology.hl7.org/CodeSystem/observation-category';
const V2_0074 = 'http://terminology.hl7.org/CodeSystem/v2-0074';

/** Where builders put new resources: the patient they are about and how ids are made. */
export interface Sink {
  readonly newId: () => string;
  readonly patient: Reference<Patient>;
  readonly out: Resource[];
}

/** A CodeableConcept; its text drops the SNOMED CT semantic tag ("Asthma (disorder)" → "Asthma"). */
export function cc(code: Code): CodeableConcept {
  return {
    coding: [{ system: code.system, code: code.code, display: code.display }],
    text: code.display.replace(/ \((disorder|finding|procedure|substance)\)$/, ''),
  };
}

/** A literal reference (`Type/id`) to a resource the generator made. */
export function ref<T extends Resource>(r: T & { readonly id: string }, display?: string): Reference<T> {
  const reference = `${r.resourceType}/${r.id}`;
  return display === undefined ? { reference } : { reference, display };
}

/** FHIR dateTime/instant of a time in ms (UTC, millisecond precision). */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** FHIR date (YYYY-MM-DD, UTC) of a time in ms. */
export function isoDate(ms: number): string {
  return iso(ms).slice(0, 10);
}

export function quantity(key: ObsKey, value: number): Quantity {
  const unit = OBS[key].unit;
  return { value, unit, system: UCUM, code: unit };
}

function category(code: 'vital-signs' | 'laboratory', display: string): CodeableConcept[] {
  return [{ coding: [{ system: OBS_CATEGORY, code, display }] }];
}

/** Gives `r` a fresh id, appends it to the sink and returns it. */
export function add<T extends Resource>(sink: Sink, r: T): T & { id: string } {
  const withId = { ...r, id: sink.newId() };
  sink.out.push(withId);
  return withId;
}

interface ObsContext {
  readonly encounter: Reference<Encounter>;
  readonly at: number;
}

/** A vital-sign Observation with one quantity. */
export function vitalObservation(sink: Sink, c: ObsContext, key: ObsKey, value: number): Observation {
  return add<Observation>(sink, {
    resourceType: 'Observation',
    status: 'final',
    category: category('vital-signs', 'Vital Signs'),
    code: cc(OBS[key].code),
    subject: sink.patient,
    encounter: c.encounter,
    effectiveDateTime: iso(c.at),
    valueQuantity: quantity(key, value),
  });
}

/** The blood-pressure panel: no value of its own, systolic and diastolic as components (vs-3). */
export function bloodPressure(sink: Sink, c: ObsContext, systolic: number, diastolic: number): Observation {
  return add<Observation>(sink, {
    resourceType: 'Observation',
    status: 'final',
    category: category('vital-signs', 'Vital Signs'),
    code: cc(OBS.bloodPressure.code),
    subject: sink.patient,
    encounter: c.encounter,
    effectiveDateTime: iso(c.at),
    component: [
      { code: cc(OBS.systolic.code), valueQuantity: quantity('systolic', systolic) },
      { code: cc(OBS.diastolic.code), valueQuantity: quantity('diastolic', diastolic) },
    ],
  });
}

/**
 * A laboratory panel: one Observation per analyte, and a DiagnosticReport whose `result` lists
 * them. The specimen is taken at `c.at`; results are issued `issued` ms later.
 */
export function labPanel(
  sink: Sink,
  c: ObsContext & { readonly issued: number },
  panel: Code,
  values: readonly (readonly [ObsKey, number])[],
): DiagnosticReport {
  const results = values.map(([key, value]) =>
    add<Observation>(sink, {
      resourceType: 'Observation',
      status: 'final',
      category: category('laboratory', 'Laboratory'),
      code: cc(OBS[key].code),
      subject: sink.patient,
      encounter: c.encounter,
      effectiveDateTime: iso(c.at),
      issued: iso(c.issued),
      valueQuantity: quantity(key, value),
    }),
  );
  return add<DiagnosticReport>(sink, {
    resourceType: 'DiagnosticReport',
    status: 'final',
    category: [{ coding: [{ system: V2_0074, code: 'LAB', display: 'Laboratory' }] }],
    code: cc(panel),
    subject: sink.patient,
    encounter: c.encounter,
    effectiveDateTime: iso(c.at),
    issued: iso(c.issued),
    result: results.map((o) => ref(o, o.code.text)),
  });
}

/** A heart-rate vital sign of `patient` at `effective` (what benchmarks and tests write by the thousand). */
export function heartRateReading(patient: string, bpm: number, effective: string): Record<string, unknown> {
  return {
    resourceType: 'Observation',
    status: 'final',
    category: [
      {
        coding: [
          { system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' },
        ],
      },
    ],
    code: { coding: [{ system: 'http://loinc.org', code: '8867-4', display: 'Heart rate' }] },
    subject: { reference: `Patient/${patient}` },
    effectiveDateTime: effective,
    valueQuantity: { value: bpm, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  };
}
