/**
 * @module
 * FHIR R4 Observation and DocumentReference → OMOP CDM v5.4 measurement and note rows. Dates go through
 * the patient's date shift; note title and text only through the patient's redactor (omop-redact.ts).
 */
import type {
  DocumentReference,
  Observation,
  ObservationReferenceRange,
  CodeableConcept,
  Quantity,
} from '@medplum/fhirtypes';
import { codeOf, finite } from './omop-codes.ts';
import type { PatientScope } from './omop-codes.ts';
import { shiftFhirDate } from './omop-deid.ts';
import { CONCEPT, OPERATOR_CONCEPT } from './omop-tables.ts';
import type { MeasurementRow, NoteRow } from './omop-tables.ts';

/**
 * One measurement row per numeric value: the Observation's own valueQuantity and each component's
 * (blood pressure: systolic and diastolic). Non-numeric observations belong to OMOP's observation
 * table, which this export does not produce.
 */
export function measurementRows(o: Observation, s: PatientScope, nextId: () => number): MeasurementRow[] {
  if (o.status === 'entered-in-error' || o.status === 'cancelled') return [];
  const when = shiftFhirDate(
    o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.effectiveInstant ?? o.issued,
    s.shiftDays,
  );
  if (!when) return [];
  const parts: { code: CodeableConcept; value?: Quantity; range?: ObservationReferenceRange }[] = [
    { code: o.code, value: o.valueQuantity, range: o.referenceRange?.[0] },
    ...(o.component ?? []).map((c) => ({
      code: c.code,
      value: c.valueQuantity,
      range: c.referenceRange?.[0],
    })),
  ];
  const rows: MeasurementRow[] = [];
  for (const { code, value, range } of parts) {
    const number = finite(value?.value);
    if (number === null || value === undefined) continue;
    const unit = value.code ?? value.unit ?? null;
    const comparator = value.comparator;
    rows.push({
      measurement_id: nextId(),
      person_id: s.personId,
      measurement_concept_id: 0,
      measurement_date: when.date,
      measurement_datetime: when.datetime,
      measurement_time: when.datetime?.slice(11) ?? null,
      measurement_type_concept_id: CONCEPT.ehr,
      operator_concept_id: comparator === undefined ? null : (OPERATOR_CONCEPT[comparator] ?? null),
      value_as_number: number,
      value_as_concept_id: null,
      unit_concept_id: unit === null ? null : 0,
      range_low: finite(range?.low?.value),
      range_high: finite(range?.high?.value),
      provider_id: null,
      visit_occurrence_id: s.visitOf(o.encounter),
      visit_detail_id: null,
      measurement_source_value: codeOf(code),
      measurement_source_concept_id: 0,
      unit_source_value: unit,
      unit_source_concept_id: unit === null ? null : 0,
      value_source_value: null,
      measurement_event_id: null,
      meas_event_field_concept_id: null,
    });
  }
  return rows;
}

/** Decodes a base64 text/plain attachment; undefined for other content types or a URL-only attachment. */
function plainText(contentType: string | undefined, data: string | undefined): string | undefined {
  if (data === undefined || contentType === undefined) return undefined;
  const [type, ...params] = contentType
    .toLowerCase()
    .split(';')
    .map((p) => p.trim());
  if (type !== 'text/plain') return undefined;
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replaceAll('"', '');
  const latin1 = charset === 'iso-8859-1' || charset === 'latin1' || charset === 'us-ascii';
  return Buffer.from(data, 'base64').toString(latin1 ? 'latin1' : 'utf8');
}

/** One note row per base64 text/plain attachment, title and text scrubbed by the patient's redactor. */
export function noteRows(d: DocumentReference, s: PatientScope, nextId: () => number): NoteRow[] {
  if (d.status === 'entered-in-error') return [];
  const rows: NoteRow[] = [];
  for (const { attachment } of d.content) {
    const text = plainText(attachment.contentType, attachment.data);
    const when = shiftFhirDate(d.date ?? d.context?.period?.start ?? attachment.creation, s.shiftDays);
    if (text === undefined || !when) continue;
    const title = attachment.title ?? d.description;
    const language = (attachment.language ?? d.language)?.toLowerCase();
    rows.push({
      note_id: nextId(),
      person_id: s.personId,
      note_event_id: null,
      note_event_field_concept_id: null,
      note_date: when.date,
      note_datetime: when.datetime,
      note_type_concept_id: CONCEPT.ehr,
      note_class_concept_id: 0,
      note_title: title === undefined ? null : s.redact(title),
      note_text: s.redact(text),
      encoding_concept_id: CONCEPT.utf8,
      language_concept_id: language === 'en' || language?.startsWith('en-') ? CONCEPT.english : 0,
      provider_id: null,
      visit_occurrence_id: s.visitOf(d.context?.encounter?.[0]),
      visit_detail_id: null,
      note_source_value: codeOf(d.type),
    });
  }
  return rows;
}
