/**
 * @module
 * Shapes of the researcher's API: `GET /api/v1/research/cohorts` (cohort-routes.ts: aggregate counts
 * with small cells suppressed) and `GET /api/v1/research/omop?format=json` (research-routes.ts: the
 * de-identified OMOP CDM v5.4 export).
 */

export interface Cell {
  readonly key: string;
  /** null when suppressed. */
  readonly count: number | null;
  readonly suppressed: boolean;
  /** Why, when suppressed: the count is 1–4 ("<5"), or hidden so that a small one cannot be derived. */
  readonly suppression?: 'small' | 'complementary';
}

export interface ConditionStats {
  /** `vocabulary|code`, the OMOP condition_source_value. */
  readonly code: string;
  readonly name: string | null;
  readonly persons: Cell;
  readonly bySex: readonly Cell[];
  readonly byAgeBand: readonly Cell[];
}

export interface CohortStats {
  /** ISO 8601: ages are computed at this time. */
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
  /** The rows of each table, with the CDM's columns. */
  readonly tables: Readonly<Record<OmopTable, readonly object[]>>;
  readonly counts: Readonly<Record<OmopTable, number>>;
}
