/**
 * @module
 * Shapes of the researcher's API answers: `GET /research/cohorts` (suppressed aggregate counts) and
 * `GET /research/omop?format=json` (the de-identified OMOP CDM v5.4 export).
 */

export interface Cell {
  readonly key: string;
  /** null when suppressed (1–4, or suppressed so that another small cell cannot be derived). */
  readonly count: number | null;
  readonly suppressed: boolean;
  /** small: the count is 1–4 ("<5"); complementary: hidden so that a small count cannot be derived. */
  readonly suppression?: 'small' | 'complementary';
}

export interface ConditionStats {
  readonly code: string;
  readonly name: string | null;
  readonly persons: Cell;
  readonly bySex: readonly Cell[];
  readonly byAgeBand: readonly Cell[];
}

export interface CohortStats {
  readonly asOf: string;
  readonly minCellSize: number;
  readonly note: string;
  readonly persons: Cell;
  readonly bySex: readonly Cell[];
  readonly byAgeBand: readonly Cell[];
  readonly conditions: readonly ConditionStats[];
}

export type OmopTable =
  'person' | 'visit_occurrence' | 'condition_occurrence' | 'drug_exposure' | 'measurement' | 'note';

export interface OmopExport {
  readonly tables: Readonly<Record<OmopTable, readonly Record<string, unknown>[]>>;
  readonly counts: Readonly<Record<OmopTable, number>>;
}
