/**
 * @module
 * Shapes of the native API answers the doctor workspace uses beyond lib/types.ts (see /openapi.json).
 */
import type { RecordView } from '../../lib/types.ts';

export type RequestPurpose = 'treatment' | 'research' | 'payment';

/** `GET /api/v1/access-requests` (a doctor sees their own requests). */
export interface AccessRequest {
  readonly id: string;
  readonly requester: { readonly keyId: string; readonly name: string; readonly org: string };
  readonly patientId?: string;
  readonly purpose: RequestPurpose;
  readonly reason: string;
  readonly created: string;
  readonly status: 'pending' | 'approved' | 'declined';
  readonly decided?: string;
  readonly consent?: string;
}

/** `GET /api/v1/directory`: organization and practitioner names for ids and key ids. */
export interface Directory {
  readonly organizations: readonly { readonly id: string; readonly name: string }[];
  readonly practitioners: readonly { readonly keyId: string; readonly name: string; readonly org: string }[];
}

/** `GET /api/v1/records/:id`: the current version and every version, oldest first. */
export interface RecordHistory {
  readonly current: RecordView;
  readonly history: readonly RecordView[];
}

/** `POST /api/v1/records` and `/records/:id/amendments`. */
export interface WriteResult {
  readonly id: string;
  readonly recordId: string;
  readonly tx: string;
  readonly version: number;
  readonly height?: number;
}

/**
 * How the chart is read: normally for treatment; after "break the glass" with the purpose
 * `emergency` and the stated reason, which every read (list and history) must carry.
 */
export interface ReadMode {
  readonly emergencyReason: string | null;
}

export function readQuery(mode: ReadMode): string {
  if (!mode.emergencyReason) return '';
  return `?purpose=emergency&breakGlassReason=${encodeURIComponent(mode.emergencyReason)}`;
}
