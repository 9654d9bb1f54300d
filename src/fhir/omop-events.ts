/**
 * @module
 * FHIR R4 Encounter, Condition and MedicationStatement/Request/Administration → OMOP CDM v5.4
 * visit_occurrence, condition_occurrence and drug_exposure rows, after the HL7 "FHIR to OMOP" mapping
 * and the OHDSI THEMIS conventions: a row without its required start date is dropped, a missing drug end
 * date takes the start date (plus days_supply − 1), a missing visit end date takes the start date.
 *
 * Every date goes through the patient's date shift. Nothing else from the resources (ids, references,
 * narrative, display text, dosage text) is copied.
 */
import type {
  Condition,
  Duration,
  Encounter,
  MedicationAdministration,
  MedicationRequest,
  MedicationStatement,
} from '@medplum/fhirtypes';
import { codeOf, finite, firstCoding, sourceValue } from './omop-codes.ts';
import type { PatientScope } from './omop-codes.ts';
import { shiftFhirDate } from './omop-deid.ts';
import type { OmopDate } from './omop-deid.ts';
import { CONCEPT } from './omop-tables.ts';
import type { ConditionOccurrenceRow, DrugExposureRow, VisitOccurrenceRow } from './omop-tables.ts';

/** A Duration in whole days (UCUM d, wk, mo = 30 d, a = 365 d); null for other units. */
function durationDays(d: Duration | undefined): number | null {
  const value = finite(d?.value);
  if (value === null) return null;
  const perUnit: Record<string, number> = { d: 1, day: 1, days: 1, wk: 7, mo: 30, a: 365 };
  const factor = perUnit[d?.code ?? d?.unit ?? ''];
  return factor === undefined ? null : Math.round(value * factor);
}

const CLASS_CONCEPT: Readonly<Record<string, number>> = {
  AMB: CONCEPT.outpatientVisit,
  EMER: CONCEPT.emergencyRoomVisit,
  IMP: CONCEPT.inpatientVisit,
  ACUTE: CONCEPT.inpatientVisit,
  NONAC: CONCEPT.inpatientVisit,
};

export function visitRow(
  e: Encounter,
  s: PatientScope,
  nextId: () => number,
): VisitOccurrenceRow | undefined {
  const start = shiftFhirDate(e.period?.start, s.shiftDays);
  if (!start) return undefined;
  const end = shiftFhirDate(e.period?.end, s.shiftDays) ?? start;
  return {
    visit_occurrence_id: nextId(),
    person_id: s.personId,
    visit_concept_id: CLASS_CONCEPT[e.class.code ?? ''] ?? 0,
    visit_start_date: start.date,
    visit_start_datetime: start.datetime,
    visit_end_date: end.date,
    visit_end_datetime: end.datetime,
    visit_type_concept_id: CONCEPT.ehr,
    provider_id: null,
    care_site_id: null,
    visit_source_value: sourceValue(e.class),
    visit_source_concept_id: 0,
    admitted_from_concept_id: null,
    admitted_from_source_value: null,
    discharged_to_concept_id: null,
    discharged_to_source_value: null,
    preceding_visit_occurrence_id: null,
  };
}

export function conditionRow(
  c: Condition,
  s: PatientScope,
  nextId: () => number,
): ConditionOccurrenceRow | undefined {
  const verification = firstCoding(c.verificationStatus)?.code;
  if (verification === 'refuted' || verification === 'entered-in-error') return undefined;
  const start = shiftFhirDate(c.onsetDateTime ?? c.onsetPeriod?.start ?? c.recordedDate, s.shiftDays);
  if (!start) return undefined;
  const end = shiftFhirDate(c.abatementDateTime ?? c.abatementPeriod?.end, s.shiftDays);
  const status = codeOf(c.clinicalStatus);
  return {
    condition_occurrence_id: nextId(),
    person_id: s.personId,
    condition_concept_id: 0,
    condition_start_date: start.date,
    condition_start_datetime: start.datetime,
    condition_end_date: end?.date ?? null,
    condition_end_datetime: end?.datetime ?? null,
    condition_type_concept_id: CONCEPT.ehr,
    condition_status_concept_id: status === null ? null : 0,
    stop_reason: null,
    provider_id: null,
    visit_occurrence_id: s.visitOf(c.encounter),
    visit_detail_id: null,
    condition_source_value: codeOf(c.code),
    condition_source_concept_id: 0,
    condition_status_source_value: status,
  };
}

type DrugResource = MedicationStatement | MedicationRequest | MedicationAdministration;

/** The dates and amounts each medication resource type carries. */
function drugFacts(m: DrugResource, shift: number) {
  const sh = (v: string | undefined): OmopDate | undefined => shiftFhirDate(v, shift);
  switch (m.resourceType) {
    case 'MedicationRequest': {
      const dr = m.dispenseRequest;
      return {
        start: sh(m.authoredOn ?? dr?.validityPeriod?.start),
        end: undefined,
        verbatimEnd: undefined,
        quantity: finite(dr?.quantity?.value),
        daysSupply: durationDays(dr?.expectedSupplyDuration),
        refills: finite(dr?.numberOfRepeatsAllowed),
        dose: undefined,
        route: firstCoding(m.dosageInstruction?.[0]?.route),
        encounter: m.encounter,
      };
    }
    case 'MedicationStatement': {
      const end = sh(m.effectivePeriod?.end);
      return {
        start: sh(m.effectiveDateTime ?? m.effectivePeriod?.start ?? m.dateAsserted),
        end,
        verbatimEnd: end,
        quantity: null,
        daysSupply: null,
        refills: null,
        dose: undefined,
        route: firstCoding(m.dosage?.[0]?.route),
        encounter: m.context,
      };
    }
    case 'MedicationAdministration': {
      const end = sh(m.effectivePeriod?.end);
      return {
        start: sh(m.effectiveDateTime ?? m.effectivePeriod?.start),
        end,
        verbatimEnd: end,
        quantity: finite(m.dosage?.dose?.value),
        daysSupply: null,
        refills: null,
        dose: m.dosage?.dose,
        route: firstCoding(m.dosage?.route),
        encounter: m.context,
      };
    }
  }
}

const addDays = (d: OmopDate, days: number): OmopDate => {
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day + days));
  const date = t.toISOString().slice(0, 10);
  return { date, datetime: null, year: t.getUTCFullYear(), month: t.getUTCMonth() + 1, day: t.getUTCDate() };
};

export function drugRow(m: DrugResource, s: PatientScope, nextId: () => number): DrugExposureRow | undefined {
  if (m.status === 'entered-in-error') return undefined;
  const f = drugFacts(m, s.shiftDays);
  if (!f.start) return undefined;
  const end =
    f.end ?? (f.daysSupply !== null && f.daysSupply > 0 ? addDays(f.start, f.daysSupply - 1) : f.start);
  const code = m.medicationCodeableConcept ?? s.medication(m.medicationReference, m)?.code;
  const route = sourceValue(f.route);
  return {
    drug_exposure_id: nextId(),
    person_id: s.personId,
    drug_concept_id: 0,
    drug_exposure_start_date: f.start.date,
    drug_exposure_start_datetime: f.start.datetime,
    drug_exposure_end_date: end.date,
    drug_exposure_end_datetime: end.datetime,
    verbatim_end_date: f.verbatimEnd?.date ?? null,
    drug_type_concept_id: CONCEPT.ehr,
    stop_reason: null,
    refills: f.refills,
    quantity: f.quantity,
    days_supply: f.daysSupply,
    sig: null, // free text: could name people or places
    route_concept_id: route === null ? null : 0,
    lot_number: null,
    provider_id: null,
    visit_occurrence_id: s.visitOf(f.encounter),
    visit_detail_id: null,
    drug_source_value: codeOf(code),
    drug_source_concept_id: 0,
    route_source_value: route,
    dose_unit_source_value: f.dose ? (f.dose.code ?? f.dose.unit ?? null) : null,
  };
}
