/**
 * @module
 * Shapes of the records API (record-routes.ts): a record version as the node returns it, a record
 * with its history, what a write returns, and a patient found by a search.
 */
import type { Resource } from '@medplum/fhirtypes';

/** `GET /api/v1/patients` item. */
export interface PatientSummary {
  readonly id: string;
  readonly name: string;
  readonly birthDate?: string;
  readonly gender?: string;
}

/**
 * A record version decrypted for the caller (`GET /api/v1/patients/:id/records` item). The node
 * sends the FHIR R4 resource it validated; `R` lets a client read it more loosely.
 */
export interface RecordView<R = Resource> {
  /** The logical id (the original record's id; FHIR `id`). */
  readonly id: string;
  /** The chain record id of this version. */
  readonly recordId: string;
  readonly version: number;
  readonly tx: string;
  readonly height: number;
  /** ISO 8601. */
  readonly time: string;
  readonly author: string;
  readonly org: string;
  readonly resource: R;
}

/** `GET /api/v1/records/:id`: the current version and every version, oldest first. */
export interface RecordHistory<R = Resource> {
  readonly current: RecordView<R>;
  readonly history: readonly RecordView<R>[];
}

/** `POST /api/v1/records` and `/records/:id/amendments` → 201. */
export interface WriteResult {
  readonly id: string;
  readonly recordId: string;
  readonly tx: string;
  readonly version: number;
  readonly height?: number;
}
