/**
 * @module
 * Shapes of the patient-controlled data (consent-routes.ts, access-request-routes.ts, views.ts):
 * consents, access events, access requests and erasure requests. Times are ISO 8601.
 */
import type { Role } from './auth.ts';

export type Purpose = 'treatment' | 'research' | 'payment' | 'emergency';

export type Grantee =
  | { readonly kind: 'organization'; readonly orgId: string }
  | { readonly kind: 'practitioner'; readonly keyId: string };

/** `GET /api/v1/consents` item. */
export interface Consent {
  /** The consent.grant transaction id. */
  readonly id: string;
  readonly tx: string;
  readonly height: number;
  readonly grantee: Grantee;
  /** Absent fields: all types, any clinical date. */
  readonly scope: { readonly types?: readonly string[]; readonly period?: { start?: string; end?: string } };
  readonly purpose: Purpose;
  readonly validFrom: string;
  readonly validTo: string;
  readonly grantedAt: string;
  readonly revokedBy?: string;
  readonly revokedAt?: string;
}

/** `POST /api/v1/consents` body. */
export interface GrantConsentBody {
  readonly grantee: Grantee;
  readonly purpose: Purpose;
  readonly types?: readonly string[];
  readonly period?: { readonly start?: string; readonly end?: string };
  readonly validFrom?: string;
  readonly validTo: string;
}

export type AccessAction = 'read' | 'write' | 'export' | 'erase' | 'search' | 'bind';

/** `GET /api/v1/access-log` and `/patients/:id/access-log` item. */
export interface AccessEvent {
  readonly tx: string;
  readonly height: number;
  readonly time: string;
  /** `unknown` role: a key the directory does not know. */
  readonly requester: {
    readonly keyId: string;
    readonly role: Role | 'node' | 'unknown';
    readonly org?: string;
    readonly name?: string;
  };
  readonly records: readonly string[];
  readonly action: AccessAction;
  readonly purpose: Purpose | 'admin';
  readonly outcome: 'allow' | 'deny';
  /** The decision's basis (allow) or reason (deny). */
  readonly reason: string;
  readonly breakGlass: boolean;
  /** A login bound to the patient (action `bind`): the new login, and the admin who asked (the requester approved). */
  readonly binding?: { readonly login: string; readonly requestedBy: string };
  /** A break-glass access's stated reason, for those who may read it (the patient, the organization, auditors). */
  readonly breakGlassReason?: string;
  /** Done through a patient login that two admins bound (not one the patient enrolled with). */
  readonly viaBoundLogin?: { readonly requestedBy: string; readonly approvedBy: string };
}

/** `POST /api/v1/access-requests` body: a doctor asks a patient (no emergency: that is break-glass). */
export interface AccessRequestBody {
  readonly patientId: string;
  readonly purpose: Exclude<Purpose, 'emergency'>;
  readonly reason: string;
}

/** `GET /api/v1/access-requests` item: made to the patient, or by the doctor. */
export interface AccessRequest {
  readonly id: string;
  readonly requester: { readonly keyId: string; readonly name: string; readonly org: string };
  /** The FHIR Patient id asked about: only in the doctor's answers. */
  readonly patientId?: string;
  readonly purpose: Purpose;
  readonly reason: string;
  readonly created: string;
  readonly status: 'pending' | 'approved' | 'declined';
  readonly decided?: string;
  /** The consent transaction that approved it. */
  readonly consent?: string;
}

/** `GET /api/v1/erasure-requests` item: a patient's own, or all for an admin. */
export interface ErasureRequest {
  readonly tx: string;
  readonly time: string;
  /** Record ids, or null for every record of the patient. */
  readonly records: readonly string[] | null;
  readonly approvedBy?: string;
  readonly status: 'pending' | 'carried-out';
}

/** A transaction the node committed for a request. */
export interface TxRef {
  readonly tx: string;
  readonly height: number;
}
