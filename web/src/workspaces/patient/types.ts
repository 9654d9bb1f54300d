/**
 * @module
 * Shapes of the native API answers the patient workspace reads (see /openapi.json): consents,
 * access requests, erasure requests and the directory of organizations and doctors.
 */
import type { PatientSummary } from '../../lib/types.ts';

export type Purpose = 'treatment' | 'research' | 'payment' | 'emergency';

export type Grantee =
  | { readonly kind: 'organization'; readonly orgId: string }
  | { readonly kind: 'practitioner'; readonly keyId: string };

export interface Consent {
  readonly id: string;
  readonly tx: string;
  readonly height: number;
  readonly grantee: Grantee;
  readonly scope: { readonly types?: readonly string[]; readonly period?: { start?: string; end?: string } };
  readonly purpose: Purpose;
  readonly validFrom: string;
  readonly validTo: string;
  readonly grantedAt: string;
  readonly revokedBy?: string;
  readonly revokedAt?: string;
}

export interface AccessRequest {
  readonly id: string;
  readonly requester: { readonly keyId: string; readonly name: string; readonly org: string };
  readonly purpose: Purpose;
  readonly reason: string;
  readonly created: string;
  readonly status: 'pending' | 'approved' | 'declined';
  readonly decided?: string;
  readonly consent?: string;
}

export interface ErasureRequest {
  readonly tx: string;
  readonly time: string;
  readonly records: readonly string[] | null;
  readonly approvedBy?: string;
  readonly status: 'pending' | 'carried-out';
}

export interface Directory {
  readonly organizations: readonly { readonly id: string; readonly name: string }[];
  readonly practitioners: readonly { readonly keyId: string; readonly name: string; readonly org: string }[];
}

export type { PatientSummary };
