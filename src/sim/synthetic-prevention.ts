/**
 * @module
 * Allergies and immunizations for synthetic patients: AllergyIntolerance records (R4 §9.1) drawn
 * from a small catalogue, and Immunization records (R4 §9.6) coded in CVX following a simplified
 * US schedule (CDC): childhood series, Tdap at 11, yearly influenza, COVID-19 from 2021,
 * zoster from 50 and pneumococcal from 65. Internal to src/sim.
 */
import type { Faker } from '@faker-js/faker';
import type { AllergyIntolerance, Encounter, Immunization, Reference } from '@medplum/fhirtypes';
import { ALLERGIES, CHILD_SCHEDULE, VACCINE, type AllergyDef, type Code } from './synthetic-catalogue.ts';
import { DAY_MS, YEAR_MS, between } from './synthetic-clinical.ts';
import { add, cc, iso, type Sink } from './synthetic-fhir.ts';

const ALLERGY_CLINICAL = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical';
const ALLERGY_VER = 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification';
/** First COVID-19 vaccinations in the US: mid-December 2020. */
const COVID_FROM = Date.UTC(2020, 11, 14);

/** About three in ten patients have one or two recorded allergies. */
export function pickAllergies(f: Faker): readonly AllergyDef[] {
  return f.datatype.boolean(0.3) ? f.helpers.arrayElements(ALLERGIES, { min: 1, max: 2 }) : [];
}

export function recordAllergies(
  sink: Sink,
  allergies: readonly AllergyDef[],
  recorded: { readonly at: number; readonly encounter: Reference<Encounter> | undefined },
): void {
  for (const a of allergies) {
    add<AllergyIntolerance>(sink, {
      resourceType: 'AllergyIntolerance',
      clinicalStatus: { coding: [{ system: ALLERGY_CLINICAL, code: 'active', display: 'Active' }] },
      verificationStatus: { coding: [{ system: ALLERGY_VER, code: 'confirmed', display: 'Confirmed' }] },
      type: 'allergy',
      category: [a.category],
      criticality: a.criticality,
      code: cc(a.code),
      patient: sink.patient,
      ...(recorded.encounter ? { encounter: recorded.encounter } : {}),
      recordedDate: iso(recorded.at),
      reaction: [{ manifestation: [cc(a.reaction)], severity: a.criticality === 'high' ? 'severe' : 'mild' }],
    });
  }
}

interface Window {
  readonly birth: number;
  readonly from: number;
  readonly now: number;
}

function immunize(f: Faker, sink: Sink, vaccine: Code, at: number): void {
  add<Immunization>(sink, {
    resourceType: 'Immunization',
    status: 'completed',
    vaccineCode: cc(vaccine),
    patient: sink.patient,
    occurrenceDateTime: iso(at),
    primarySource: true,
    lotNumber: f.string.alphanumeric({ length: 7, casing: 'upper' }),
  });
}

/** Immunizations given within [from, now], by age and season. */
export function generateImmunizations(f: Faker, sink: Sink, w: Window): void {
  const inWindow = (t: number): boolean => t >= w.from && t <= w.now;
  const ageAt = (t: number): number => (t - w.birth) / YEAR_MS;
  for (const { vaccine, ageDays } of CHILD_SCHEDULE) {
    const at = w.birth + ageDays * DAY_MS + f.number.int({ min: 0, max: 14 }) * DAY_MS;
    if (inWindow(at)) immunize(f, sink, vaccine, at);
  }
  const firstYear = new Date(w.from).getUTCFullYear();
  const lastYear = new Date(w.now).getUTCFullYear();
  for (let year = firstYear; year <= lastYear; year++) {
    const at =
      Date.UTC(year, 9, 1) +
      f.number.int({ min: 0, max: 60 }) * DAY_MS +
      f.number.int({ min: 8, max: 17 }) * 3_600_000;
    const likely = ageAt(at) >= 65 ? 0.75 : 0.45;
    if (inWindow(at) && ageAt(at) >= 0.5 && f.datatype.boolean(likely))
      immunize(f, sink, VACCINE.influenza, at);
  }
  const covidFrom = Math.max(COVID_FROM, w.from, w.birth + 12 * YEAR_MS);
  if (covidFrom < w.now && f.datatype.boolean(0.6)) {
    let at = between(f, covidFrom, Math.min(w.now, covidFrom + 180 * DAY_MS));
    const doses = f.number.int({ min: 1, max: 3 });
    for (let i = 0; i < doses && inWindow(at); i++) {
      immunize(f, sink, VACCINE.covid, at);
      at += (i === 0 ? 21 : f.number.int({ min: 150, max: 300 })) * DAY_MS;
    }
  }
  const zoster = Math.max(w.from, w.birth + 50 * YEAR_MS);
  if (zoster < w.now && f.datatype.boolean(0.3)) immunize(f, sink, VACCINE.zoster, between(f, zoster, w.now));
  const pneumo = Math.max(w.from, w.birth + 65 * YEAR_MS);
  if (pneumo < w.now && f.datatype.boolean(0.5))
    immunize(f, sink, VACCINE.pneumococcal, between(f, pneumo, w.now));
}
