/**
 * @module
 * Shapes of the node's native API answers the portal uses (see /openapi.json).
 */
export type Role = 'admin' | 'doctor' | 'patient' | 'researcher' | 'auditor';

export interface User {
  readonly keyId: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly org: string;
  readonly created: number;
  readonly active: boolean;
}

export interface LoginResult {
  readonly token: string;
  readonly user: User;
  readonly expiresAt: number;
  readonly idleTimeoutMs: number;
}

export interface Health {
  readonly status: 'ok' | 'compromised' | 'starting';
  readonly height?: number;
  readonly verifiedHeight?: number;
  readonly problems?: readonly { height?: number; tx?: number; kind: string; detail: string }[];
}

export interface PatientSummary {
  readonly id: string;
  readonly name: string;
  readonly birthDate?: string;
  readonly gender?: string;
}

/** A record version as the node returns it (the FHIR resource decrypted for the caller). */
export interface RecordView {
  readonly id: string;
  readonly recordId: string;
  readonly version: number;
  readonly tx: string;
  readonly height: number;
  readonly time: string;
  readonly author: string;
  readonly org: string;
  readonly resource: { readonly resourceType: string; readonly id?: string } & Record<string, unknown>;
}

export interface AccessEvent {
  readonly tx: string;
  readonly height: number;
  readonly time: string;
  readonly requester: { keyId: string; role: string; org: string; name?: string };
  readonly records: readonly string[];
  readonly action: string;
  readonly purpose: string;
  readonly outcome: 'allow' | 'deny';
  readonly reason: string;
  readonly breakGlass?: { reason: string } | boolean | null;
}

export interface DemoIdentity {
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly org: string;
}
