/**
 * @module
 * Shapes of `/health` and `/api/v1/integrity` (ops-routes.ts).
 */

export type IntegrityState = 'starting' | 'ok' | 'compromised';

/** One problem the integrity monitor found: a chain location, or a record in the vault. */
export interface IntegrityProblem {
  readonly height: number;
  /** Index of the transaction within its block. */
  readonly tx?: number;
  /** The record, for a problem of the vault. */
  readonly record?: string;
  readonly kind: string;
  readonly detail: string;
  readonly expected?: string;
  readonly found?: string;
}

/** `GET /health`: 200, or 503 when compromised. */
export interface Health {
  readonly status: IntegrityState;
  readonly height: number;
  readonly verifiedHeight: number;
  /** When compromised. */
  readonly problems?: readonly IntegrityProblem[];
}

/** `GET /api/v1/integrity` and `POST /api/v1/integrity/verify`. */
export interface IntegrityView {
  readonly status: IntegrityState;
  /** Height of the head when the last run started. */
  readonly height: number;
  /** Highest height the last clean run verified; −1 before the first. */
  readonly verifiedHeight: number;
  readonly problems: readonly IntegrityProblem[];
  readonly lastRun?: {
    /** ISO 8601. */
    readonly at: string;
    readonly elapsedMs: number;
    readonly signatures: boolean;
    /** A full run (from genesis), or a sweep of one window. */
    readonly full: boolean;
  };
  readonly runs: number;
}
