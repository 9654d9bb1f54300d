/**
 * @module
 * The six OMOP CDM v5.4 tables MedLedger exports, as row types whose keys are the CDM column names and
 * {@link OMOP_COLUMNS} in the column order of the official v5.4 DDL
 * (OHDSI/CommonDataModel `ddl/5.4/*_5.4_ddl.sql`), plus the few standard concept ids we can set
 * without the OMOP vocabulary tables.
 *
 * Dates are `YYYY-MM-DD`, datetimes `YYYY-MM-DD HH:MM:SS` (source wall-clock time), NULL is `null`.
 */

type Id = number;
type Nullable<T> = T | null;

export interface PersonRow {
  readonly person_id: Id;
  readonly gender_concept_id: number;
  readonly year_of_birth: Nullable<number>;
  readonly month_of_birth: Nullable<number>;
  readonly day_of_birth: Nullable<number>;
  readonly birth_datetime: Nullable<string>;
  readonly race_concept_id: number;
  readonly ethnicity_concept_id: number;
  readonly location_id: null;
  readonly provider_id: null;
  readonly care_site_id: null;
  readonly person_source_value: string;
  readonly gender_source_value: Nullable<string>;
  readonly gender_source_concept_id: number;
  readonly race_source_value: null;
  readonly race_source_concept_id: number;
  readonly ethnicity_source_value: null;
  readonly ethnicity_source_concept_id: number;
}

export interface VisitOccurrenceRow {
  readonly visit_occurrence_id: Id;
  readonly person_id: Id;
  readonly visit_concept_id: number;
  readonly visit_start_date: string;
  readonly visit_start_datetime: Nullable<string>;
  readonly visit_end_date: string;
  readonly visit_end_datetime: Nullable<string>;
  readonly visit_type_concept_id: number;
  readonly provider_id: null;
  readonly care_site_id: null;
  readonly visit_source_value: Nullable<string>;
  readonly visit_source_concept_id: number;
  readonly admitted_from_concept_id: null;
  readonly admitted_from_source_value: null;
  readonly discharged_to_concept_id: null;
  readonly discharged_to_source_value: null;
  readonly preceding_visit_occurrence_id: Nullable<Id>;
}

export interface ConditionOccurrenceRow {
  readonly condition_occurrence_id: Id;
  readonly person_id: Id;
  readonly condition_concept_id: number;
  readonly condition_start_date: string;
  readonly condition_start_datetime: Nullable<string>;
  readonly condition_end_date: Nullable<string>;
  readonly condition_end_datetime: Nullable<string>;
  readonly condition_type_concept_id: number;
  readonly condition_status_concept_id: Nullable<number>;
  readonly stop_reason: null;
  readonly provider_id: null;
  readonly visit_occurrence_id: Nullable<Id>;
  readonly visit_detail_id: null;
  readonly condition_source_value: Nullable<string>;
  readonly condition_source_concept_id: number;
  readonly condition_status_source_value: Nullable<string>;
}

export interface DrugExposureRow {
  readonly drug_exposure_id: Id;
  readonly person_id: Id;
  readonly drug_concept_id: number;
  readonly drug_exposure_start_date: string;
  readonly drug_exposure_start_datetime: Nullable<string>;
  readonly drug_exposure_end_date: string;
  readonly drug_exposure_end_datetime: Nullable<string>;
  readonly verbatim_end_date: Nullable<string>;
  readonly drug_type_concept_id: number;
  readonly stop_reason: null;
  readonly refills: Nullable<number>;
  readonly quantity: Nullable<number>;
  readonly days_supply: Nullable<number>;
  readonly sig: null;
  readonly route_concept_id: Nullable<number>;
  readonly lot_number: null;
  readonly provider_id: null;
  readonly visit_occurrence_id: Nullable<Id>;
  readonly visit_detail_id: null;
  readonly drug_source_value: Nullable<string>;
  readonly drug_source_concept_id: number;
  readonly route_source_value: Nullable<string>;
  readonly dose_unit_source_value: Nullable<string>;
}

export interface MeasurementRow {
  readonly measurement_id: Id;
  readonly person_id: Id;
  readonly measurement_concept_id: number;
  readonly measurement_date: string;
  readonly measurement_datetime: Nullable<string>;
  readonly measurement_time: Nullable<string>;
  readonly measurement_type_concept_id: number;
  readonly operator_concept_id: Nullable<number>;
  readonly value_as_number: number;
  readonly value_as_concept_id: null;
  readonly unit_concept_id: Nullable<number>;
  readonly range_low: Nullable<number>;
  readonly range_high: Nullable<number>;
  readonly provider_id: null;
  readonly visit_occurrence_id: Nullable<Id>;
  readonly visit_detail_id: null;
  readonly measurement_source_value: Nullable<string>;
  readonly measurement_source_concept_id: number;
  readonly unit_source_value: Nullable<string>;
  readonly unit_source_concept_id: Nullable<number>;
  readonly value_source_value: null;
  readonly measurement_event_id: null;
  readonly meas_event_field_concept_id: null;
}

export interface NoteRow {
  readonly note_id: Id;
  readonly person_id: Id;
  readonly note_event_id: null;
  readonly note_event_field_concept_id: null;
  readonly note_date: string;
  readonly note_datetime: Nullable<string>;
  readonly note_type_concept_id: number;
  readonly note_class_concept_id: number;
  readonly note_title: Nullable<string>;
  readonly note_text: string;
  readonly encoding_concept_id: number;
  readonly language_concept_id: number;
  readonly provider_id: null;
  readonly visit_occurrence_id: Nullable<Id>;
  readonly visit_detail_id: null;
  readonly note_source_value: Nullable<string>;
}

/** One export: each table's rows, ordered by patient (input order), then by resource order. */
export interface OmopTables {
  readonly person: readonly PersonRow[];
  readonly visit_occurrence: readonly VisitOccurrenceRow[];
  readonly condition_occurrence: readonly ConditionOccurrenceRow[];
  readonly drug_exposure: readonly DrugExposureRow[];
  readonly measurement: readonly MeasurementRow[];
  readonly note: readonly NoteRow[];
}

export type TableName = keyof OmopTables;
export type RowOf<T extends TableName> = OmopTables[T][number];

/** CSV header order of each table: the v5.4 DDL order. A test checks every row has exactly these keys. */
export const OMOP_COLUMNS: { readonly [T in TableName]: readonly (keyof RowOf<T> & string)[] } = {
  person: [
    'person_id',
    'gender_concept_id',
    'year_of_birth',
    'month_of_birth',
    'day_of_birth',
    'birth_datetime',
    'race_concept_id',
    'ethnicity_concept_id',
    'location_id',
    'provider_id',
    'care_site_id',
    'person_source_value',
    'gender_source_value',
    'gender_source_concept_id',
    'race_source_value',
    'race_source_concept_id',
    'ethnicity_source_value',
    'ethnicity_source_concept_id',
  ],
  visit_occurrence: [
    'visit_occurrence_id',
    'person_id',
    'visit_concept_id',
    'visit_start_date',
    'visit_start_datetime',
    'visit_end_date',
    'visit_end_datetime',
    'visit_type_concept_id',
    'provider_id',
    'care_site_id',
    'visit_source_value',
    'visit_source_concept_id',
    'admitted_from_concept_id',
    'admitted_from_source_value',
    'discharged_to_concept_id',
    'discharged_to_source_value',
    'preceding_visit_occurrence_id',
  ],
  condition_occurrence: [
    'condition_occurrence_id',
    'person_id',
    'condition_concept_id',
    'condition_start_date',
    'condition_start_datetime',
    'condition_end_date',
    'condition_end_datetime',
    'condition_type_concept_id',
    'condition_status_concept_id',
    'stop_reason',
    'provider_id',
    'visit_occurrence_id',
    'visit_detail_id',
    'condition_source_value',
    'condition_source_concept_id',
    'condition_status_source_value',
  ],
  drug_exposure: [
    'drug_exposure_id',
    'person_id',
    'drug_concept_id',
    'drug_exposure_start_date',
    'drug_exposure_start_datetime',
    'drug_exposure_end_date',
    'drug_exposure_end_datetime',
    'verbatim_end_date',
    'drug_type_concept_id',
    'stop_reason',
    'refills',
    'quantity',
    'days_supply',
    'sig',
    'route_concept_id',
    'lot_number',
    'provider_id',
    'visit_occurrence_id',
    'visit_detail_id',
    'drug_source_value',
    'drug_source_concept_id',
    'route_source_value',
    'dose_unit_source_value',
  ],
  measurement: [
    'measurement_id',
    'person_id',
    'measurement_concept_id',
    'measurement_date',
    'measurement_datetime',
    'measurement_time',
    'measurement_type_concept_id',
    'operator_concept_id',
    'value_as_number',
    'value_as_concept_id',
    'unit_concept_id',
    'range_low',
    'range_high',
    'provider_id',
    'visit_occurrence_id',
    'visit_detail_id',
    'measurement_source_value',
    'measurement_source_concept_id',
    'unit_source_value',
    'unit_source_concept_id',
    'value_source_value',
    'measurement_event_id',
    'meas_event_field_concept_id',
  ],
  note: [
    'note_id',
    'person_id',
    'note_event_id',
    'note_event_field_concept_id',
    'note_date',
    'note_datetime',
    'note_type_concept_id',
    'note_class_concept_id',
    'note_title',
    'note_text',
    'encoding_concept_id',
    'language_concept_id',
    'provider_id',
    'visit_occurrence_id',
    'visit_detail_id',
    'note_source_value',
  ],
};

/**
 * Standard concept ids that need no vocabulary lookup. Everything else is mapped to 0 ("No matching
 * concept") with the source code kept in the `*_source_value` column, OMOP's convention for unmapped codes.
 */
export const CONCEPT = {
  /** Type concept "EHR": every row comes from an electronic health record. */
  ehr: 32817,
  male: 8507,
  female: 8532,
  inpatientVisit: 9201,
  outpatientVisit: 9202,
  emergencyRoomVisit: 9203,
  utf8: 32678,
  english: 4180186,
} as const;

/** Meas Value Operator concepts (SNOMED) for operator_concept_id, keyed by FHIR Quantity.comparator. */
export const OPERATOR_CONCEPT: Readonly<Record<string, number>> = {
  '<': 4171756,
  '<=': 4171754,
  '>=': 4171755,
  '>': 4172704,
};
